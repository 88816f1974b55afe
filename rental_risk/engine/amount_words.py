"""Amounts in words for printed documents (contracts): num2words in the reader's language,
Chinese financial uppercase (大写) through cn2an for Chinese readers. No Odoo import."""

from decimal import ROUND_HALF_UP, Decimal

import cn2an
from num2words import CONVERTER_CLASSES, num2words

#: Language used when num2words does not know the reader's language.
FALLBACK_LANG = "en"


def num2words_lang(lang):
    """The num2words language for an Odoo language code (``fr_BE`` -> ``fr_BE`` or ``fr``),
    ``en`` when num2words has neither."""
    if not lang:
        return FALLBACK_LANG
    for candidate in (lang, lang.split("_")[0]):
        if candidate in CONVERTER_CLASSES:
            return candidate
    return FALLBACK_LANG


def is_chinese(lang):
    """Chinese readers (zh_CN, zh_TW, zh_HK...) get the financial uppercase."""
    return bool(lang) and lang.split("_")[0] == "zh"


def _quantize(amount, decimals):
    return Decimal(str(amount)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def rmb_uppercase(amount):
    """Chinese financial uppercase of an amount in yuan: 1234.56 -> 壹仟贰佰叁拾肆元伍角陆分,
    1000 -> 壹仟元整. Negative amounts are prefixed with 负."""
    value = _quantize(amount, 2)
    words = cn2an.an2cn(str(abs(value)), "rmb")
    return f"负{words}" if value < 0 else words


def amount_in_words(amount, lang=None, currency="USD", decimals=2):
    """``amount`` of ``currency`` (ISO code) in words in ``lang`` (an Odoo language code).

    Chinese readers get the financial uppercase (rmb_uppercase). Other languages use num2words'
    currency wording when it knows the currency, else the cardinal of the units followed by the
    currency code and the cents as a fraction ("one thousand EUR and 5/100"). A language
    num2words does not know falls back to English.
    """
    if is_chinese(lang):
        return rmb_uppercase(amount)
    value = _quantize(amount, decimals)
    n2w_lang = num2words_lang(lang)
    try:
        return num2words(value, lang=n2w_lang, to="currency", currency=currency)
    except (NotImplementedError, KeyError, TypeError):
        return _cardinal_with_code(value, n2w_lang, currency, decimals)


def _cardinal_with_code(value, n2w_lang, currency, decimals):
    """Units in words, then the currency code and the cents as a fraction."""
    units = int(abs(value))
    words = num2words(units, lang=n2w_lang)
    if value < 0:
        words = f"- {words}"
    cents = int((abs(value) - units) * (10**decimals))
    if decimals and cents:
        return f"{words} {currency} {cents:0{decimals}d}/{10**decimals}"
    return f"{words} {currency}"
