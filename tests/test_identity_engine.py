"""Plain tests of the identity normalisation (no Odoo)."""

import pytest
from engine.identity import (
    is_international,
    national_number,
    normalize_address,
    normalize_email,
    normalize_id_number,
    normalize_phone,
    normalize_vat,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("+86 138 0013 8000", "86", "8613800138000"),
        ("0086-138-0013-8000", "86", "8613800138000"),
        ("138 0013 8000", "86", "8613800138000"),
        ("(0)138-0013-8000", "86", "8613800138000"),
        ("+86 138 0013 8000", None, "8613800138000"),
        ("0086 13800138000", None, "8613800138000"),
        ("8613800138000", "86", "8613800138000"),
        ("+32 (0)2 555 12 12", "32", "3225551212"),
        ("02 555 12 12", "32", "3225551212"),
        ("12", "86", ""),
        ("", "86", ""),
        (None, None, ""),
    ],
)
def test_normalize_phone(raw, country, expected):
    assert normalize_phone(raw, country) == expected


def test_phone_without_country_keeps_national_digits():
    assert normalize_phone("0138-0013-8000") == "13800138000"


CODES = ("1", "32", "33", "44", "86", "852", "1242")


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("+86 138-0013-8000", None, "13800138000"),
        ("0086 138 0013 8000", None, "13800138000"),
        ("13800138000", None, "13800138000"),
        ("0138 0013 8000", "86", "13800138000"),
        ("+32 (0)2 555 12 12", "32", "25551212"),
        ("+1 242 555 1234", None, "5551234"),
        ("+852 2345 6789", None, "23456789"),
        ("12", None, ""),
    ],
)
def test_national_number(raw, country, expected):
    assert national_number(raw, country, CODES) == expected


# Property tests: the normalisation is the key of every blacklist match, so it must not depend
# on how a person types a number or a document.
national_digits = st.text(alphabet="0123456789", min_size=7, max_size=11).filter(
    lambda d: not d.startswith("0")
)
separators = st.sampled_from(["", " ", "-", ".", " - "])


def _spaced(digits, separator):
    return separator.join(digits[i : i + 3] for i in range(0, len(digits), 3))


@settings(max_examples=200)
@given(digits=national_digits, code=st.sampled_from(["86", "32", "44"]), sep=separators)
def test_phone_forms_of_one_number_give_one_key(digits, code, sep):
    """International with +, with 00, and national (with or without trunk 0) agree.

    A national number that itself starts with the country code is ambiguous when typed without
    the prefix (normalize_phone reads it as already international): left out here."""
    assume(not digits.startswith(code))
    forms = [
        f"+{code} {_spaced(digits, sep)}",
        f"00{code}{sep}{_spaced(digits, sep)}",
        _spaced(digits, sep),
        "0" + _spaced(digits, sep),
    ]
    assert len({normalize_phone(form, code) for form in forms}) == 1
    assert {national_number(form, code, CODES) for form in forms} == {digits}


@settings(max_examples=200)
@given(digits=national_digits, code=st.sampled_from(["86", "32", "44"]), sep=separators)
def test_loose_national_number_meets_the_international_one(digits, code, sep):
    """A number typed without its country has the national digits of its international form."""
    assume(not digits.startswith(code))
    international = f"+{code}{sep}{_spaced(digits, sep)}"
    assert is_international(international)
    assert not is_international(_spaced(digits, sep))
    assert national_number(_spaced(digits, sep), None, CODES) == national_number(
        international, None, CODES
    )


@settings(max_examples=200)
@given(
    document=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=4, max_size=12),
    sep=separators,
)
def test_document_number_ignores_case_and_separators(document, sep):
    """ "E 1234-567", "e1234567" and "E.1234.567" are one identity document."""
    spaced = _spaced(document, sep)
    assert normalize_id_number(spaced.lower()) == normalize_id_number(document)
    assert normalize_id_number(f"  {spaced} ") == normalize_id_number(document)


@settings(max_examples=200)
@given(text=st.text(max_size=30))
def test_normalisers_never_fail(text):
    """Any text gives a string (possibly empty), never an exception."""
    for value in (
        normalize_phone(text, "86"),
        national_number(text, None, CODES),
        normalize_id_number(text),
        normalize_email(text),
    ):
        assert isinstance(value, str)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" John.Doe@Example.COM ", "john.doe@example.com"),
        ("John Doe <JOHN@example.com>", "john@example.com"),
        ("not an email", ""),
        ("a@b", ""),
        (None, ""),
    ],
)
def test_normalize_email(raw, expected):
    assert normalize_email(raw) == expected


def test_gmail_dots_only_when_asked():
    assert normalize_email("J.o.hn+rent@GoogleMail.com") == "j.o.hn+rent@googlemail.com"
    assert normalize_email("J.o.hn+rent@GoogleMail.com", True) == "john@gmail.com"
    assert normalize_email("j.o.hn@example.com", True) == "j.o.hn@example.com"


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("be 0477.472.701", None, "BE0477472701"),
        ("0477472701", "BE", "BE0477472701"),
        ("BE0477472701", "FR", "BE0477472701"),
        ("91110000-600037341L", "CN", "CN91110000600037341L"),
        ("0477472701", None, "0477472701"),
        ("-", "BE", ""),
    ],
)
def test_normalize_vat(raw, country, expected):
    assert normalize_vat(raw, country) == expected


def test_normalize_id_number():
    assert normalize_id_number("e 1234-567") == "E1234567"
    assert normalize_id_number(" ") == ""


# ---------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        ("rue de l eglise 5", None, "1000", "BRUXELLES", "be"),
        ("5, Rue de l'Église", "", "1000", None, "BE"),
        ("RUE DE L'EGLISE, 5", None, " 1000 ", "Brussels", "BE"),
    ],
)
def test_same_address_written_differently_matches(other):
    """Accents, case, punctuation, word order and a missing city do not hide an address."""
    reference = normalize_address("5, Rue de l'Église", None, "1000", "Bruxelles", "BE")
    assert reference == "BE|1000|5 DE EGLISE L RUE"
    assert normalize_address(*other) == reference


def test_street_abbreviations_and_full_width_digits_match():
    """ "St." is "Street", "Flat 2" on the second line counts, full-width forms are folded."""
    key = normalize_address("12 Baker Street Flat 2", None, "NW1 6XE", "London", "GB")
    assert normalize_address("12 Baker St.", "Flat 2", "nw1 6xe", None, "gb") == key
    assert normalize_address("１２ Ｂａｋｅｒ Ｓｔ", "Flat 2", "NW1 6XE", None, "GB") == key


def test_chinese_address_keeps_its_characters():
    """CJK text is kept (not stripped as punctuation); spacing does not matter."""
    key = normalize_address("朝阳区建国路88号", None, "100022", "北京", "CN")
    assert key == "CN|100022|朝阳区建国路88号"
    assert normalize_address("朝阳区建国路88号 ", None, "100022", None, "cn") == key


@pytest.mark.parametrize(
    ("street", "zip_code", "city"),
    [("", "1000", "Bruxelles"), ("Main Street 1", None, None), (" , . ", "1000", None)],
)
def test_incomplete_address_gives_no_key(street, zip_code, city):
    """A street without postcode or city, or a place without street, never matches anyone."""
    assert normalize_address(street, None, zip_code, city, "BE") == ""


def test_different_street_number_or_postcode_does_not_match():
    """Neighbours are not the same customer."""
    key = normalize_address("Rue de la Loi 5", None, "1000", None, "BE")
    assert normalize_address("Rue de la Loi 7", None, "1000", None, "BE") != key
    assert normalize_address("Rue de la Loi 5", None, "1040", None, "BE") != key
    assert normalize_address("Rue de la Loi 5", None, "1000", None, "FR") != key
