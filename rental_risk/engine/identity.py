"""Normalisation of identity data, so that a customer re-registering under a slightly different
spelling ("+86 138-0013-8000" vs "13800138000", "John.Doe@Gmail.com " vs "john.doe@gmail.com")
still matches a blacklisted one. Plain Python: no Odoo import.

Every function returns a canonical string, or ``""`` when nothing usable is left (an empty
value never matches anything).
"""

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D+")
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_EMAIL_IN_BRACKETS = re.compile(r"<([^<>]+)>")
#: Shortest phone number worth matching: shorter strings are extensions or typing errors.
MIN_PHONE_DIGITS = 6
#: Mail providers that ignore dots and "+tags" in the local part of an address.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def normalize_phone(phone, country_code=None):
    """International digits of ``phone``: country calling code + national number, no trunk 0.

    ``country_code`` is the calling code of the partner's country ("86" for China, "32" for
    Belgium); it turns a national number ("0138 0013 8000", "138 0013 8000") into the same
    digits as the international forms ("+86 138 0013 8000", "0086-138-0013-8000").
    Without a country, a national number keeps its digits (without the trunk 0).
    """
    if not phone:
        return ""
    text = str(phone).strip()
    international = text.startswith("+")
    digits = _NON_DIGITS.sub("", text)
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    if not international:
        digits = digits.lstrip("0")
        code = _NON_DIGITS.sub("", str(country_code or ""))
        if code and not (digits.startswith(code) and len(digits) > len(code) + 8):
            digits = code + digits
    elif country_code:
        # "+32 (0)2 ..." : the trunk 0 written after the country code is not dialled.
        code = _NON_DIGITS.sub("", str(country_code))
        if code and digits.startswith(code + "0"):
            digits = code + digits[len(code) + 1 :]
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    return digits


def is_international(phone):
    """True when ``phone`` is written with its country ("+86 ...", "0086 ...")."""
    if not phone:
        return False
    text = str(phone).strip()
    return text.startswith("+") or _NON_DIGITS.sub("", text).startswith("00")


def national_number(phone, country_code=None, calling_codes=()):
    """National significant number of ``phone``: the digits a person dials inside its country,
    without the country calling code and the trunk 0 ("+86 138 0013 8000", "0138 0013 8000" with
    country 86 and "138 0013 8000" all give "13800138000").

    ``country_code`` is the partner's calling code when known; for a number written
    internationally without it, the longest of ``calling_codes`` it starts with is taken.
    Numbers without a country keep their digits. ``""`` when too short to match.
    """
    digits = normalize_phone(phone, country_code if is_international(phone) else None)
    if not digits:
        return ""
    if is_international(phone):
        known = _NON_DIGITS.sub("", str(country_code or ""))
        codes = [known] if known and digits.startswith(known) else []
        codes += sorted(
            (c for c in map(str, calling_codes) if c and digits.startswith(c)), key=len
        )[-1:]
        if codes:
            digits = digits[len(codes[0]) :].lstrip("0")
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def normalize_email(email, ignore_gmail_dots=False):
    """Lower-case address without spaces; "Name <a@b.c>" gives "a@b.c".

    With ``ignore_gmail_dots`` the dots and "+tag" of a Gmail local part are dropped, since
    Gmail delivers "j.o.hn+x@gmail.com" to "john@gmail.com".
    """
    if not email:
        return ""
    text = str(email).strip()
    bracketed = _EMAIL_IN_BRACKETS.search(text)
    if bracketed:
        text = bracketed.group(1)
    text = "".join(text.split()).lower()
    if text.count("@") != 1:
        return ""
    local, domain = text.split("@")
    if not local or "." not in domain:
        return ""
    if ignore_gmail_dots and domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def normalize_vat(vat, country_code=None):
    """Upper-case letters and digits, always with the two-letter country prefix.

    "be 0477.472.701" and "0477472701" for a Belgian partner both give "BE0477472701", so a
    number written with or without its prefix matches. ``country_code`` is the ISO code of the
    partner's country ("BE", "CN"); a number without prefix and without country stays as is.
    """
    if not vat:
        return ""
    text = _NON_ALNUM.sub("", str(vat).upper())
    if not text:
        return ""
    code = (country_code or "").upper()
    has_prefix = len(text) > 2 and text[:2].isalpha()
    if not has_prefix and len(code) == 2:
        text = code + text
    return text


def normalize_id_number(number):
    """Identity document number: upper-case letters and digits only ("e 1234-567" -> "E1234567")."""
    if not number:
        return ""
    return _NON_ALNUM.sub("", str(number).upper())


_NON_WORD = re.compile(r"[\W_]+")
#: Street words written in full or abbreviated: both give the same token.
_STREET_WORDS = {
    "ST": "STREET",
    "STR": "STREET",
    "RD": "ROAD",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "BLVD": "BOULEVARD",
    "BD": "BOULEVARD",
    "DR": "DRIVE",
    "LN": "LANE",
    "SQ": "SQUARE",
    "PL": "PLACE",
}


def normalize_address(street, street2=None, zip_code=None, city=None, country_code=None):
    """One key for a postal address, so that "5, Rue de l'Église" and "rue de l eglise 5" at the
    same postcode match: accents, case, punctuation and word order dropped, common street
    abbreviations ("St", "Ave", "Rd") written out, CJK characters kept as they are.

    The key is ``COUNTRY|POSTCODE|WORDS`` (words sorted). Without a street, or without both
    postcode and city, it is ``""``: a city alone is shared by too many people to mean anything.
    """
    words = _address_words(" ".join(part for part in (street, street2) if part))
    if not words:
        return ""
    place = "".join(_address_words(zip_code)) or " ".join(_address_words(city))
    if not place:
        return ""
    country = (country_code or "").upper()
    return f"{country}|{place}|{' '.join(sorted(words))}"


def _address_words(text):
    """Upper-case words of ``text`` without accents, abbreviations written out."""
    if not text:
        return []
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    return [_STREET_WORDS.get(word, word) for word in _NON_WORD.split(plain) if word]
