"""Unit tests of the PostgreSQL array literals the set-based queries send (rental_risk/engine).

The round trip through a real PostgreSQL is tested in rental_risk/tests/test_scoring.py."""

from datetime import date
from decimal import Decimal

import pytest
from engine.pg_arrays import array_literal


def test_ids_are_a_plain_list():
    assert array_literal([3, 1, 20000]) == "{3,1,20000}"
    assert array_literal([]) == "{}"
    assert array_literal(range(3)) == "{0,1,2}"


def test_mixed_values():
    assert (
        array_literal([None, True, False, 1.5, Decimal("2.50"), date(2026, 12, 3)])
        == "{NULL,t,f,1.5,2.50,2026-12-03}"
    )


def test_texts_are_quoted_and_escaped():
    """Quotes, backslashes, braces, commas and the word NULL stay text."""
    assert array_literal(['a "b"', "c\\d", "{e,f}", "NULL", ""]) == (
        '{"a \\"b\\"","c\\\\d","{e,f}","NULL",""}'
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_refused(value):
    with pytest.raises(ValueError, match="array literal"):
        array_literal([1.0, value])


def test_unknown_types_are_refused():
    with pytest.raises(TypeError, match="dict"):
        array_literal([{}])


def test_any_iterable():
    assert array_literal(i for i in (1, 2)) == "{1,2}"
    assert array_literal(x for x in ("a", None)) == '{"a",NULL}'
