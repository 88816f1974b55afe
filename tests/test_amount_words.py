"""Unit tests of the amounts in words printed on contracts (no database)."""

import pytest
from engine.amount_words import amount_in_words, num2words_lang, rmb_uppercase


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1234.56, "壹仟贰佰叁拾肆元伍角陆分"),
        (1000, "壹仟元整"),
        (1234.5, "壹仟贰佰叁拾肆元伍角"),
        (0.05, "伍分"),
        (100005.2, "壹拾万零伍元贰角"),
    ],
)
def test_rmb_uppercase(amount, expected):
    """Chinese financial uppercase of yuan amounts, as written on cheques and contracts."""
    assert rmb_uppercase(amount) == expected


def test_rmb_uppercase_rounds_half_up():
    """Amounts are rounded to the fen (half up) before being written out."""
    assert rmb_uppercase(1.005) == "壹元零壹分"


def test_english_currency_words():
    """English readers get num2words' currency wording."""
    assert amount_in_words(1234.56, "en_US", "USD") == (
        "one thousand, two hundred and thirty-four dollars, fifty-six cents"
    )


def test_chinese_reader_gets_uppercase_whatever_the_region():
    """zh_CN and zh_TW readers get the financial uppercase."""
    assert amount_in_words(1234.56, "zh_CN", "CNY") == "壹仟贰佰叁拾肆元伍角陆分"
    assert amount_in_words(1234.56, "zh_TW", "CNY") == "壹仟贰佰叁拾肆元伍角陆分"


def test_language_fallbacks():
    """A regional code falls back to its language, an unknown language to English."""
    assert num2words_lang("fr_BE") in ("fr_BE", "fr")
    assert num2words_lang("de_CH") == "de"
    assert num2words_lang("xx_XX") == "en"
    assert num2words_lang(False) == "en"
    assert amount_in_words(2, "xx_XX", "USD") == "two dollars, zero cents"


def test_french_words():
    """French readers get French words."""
    assert amount_in_words(2.5, "fr_FR", "EUR") == "deux euros et cinquante centimes"


def test_unknown_currency_falls_back_to_code():
    """A currency num2words does not know is written as its code, the cents as a fraction."""
    assert amount_in_words(12.34, "en_US", "XTS") == "twelve XTS 34/100"
    assert amount_in_words(12, "en_US", "XTS") == "twelve XTS"
