"""Plain tests of the identity normalisation (no Odoo)."""

import pytest
from engine.identity import normalize_email, normalize_id_number, normalize_phone, normalize_vat


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
