"""Unit tests of the Code 128 SVGs printed on asset labels (no database)."""

import pytest
from engine.asset_labels import (
    code128_data_uri,
    code128_modules,
    code128_svg,
    decode_code128,
    svg_modules,
)


@pytest.mark.parametrize("serial", ["TCAM-01", "SN-000123456", "12345678", "lens 24-70/2.8"])
def test_svg_bars_are_python_barcode_encoding(serial):
    """The bars drawn in the SVG are python-barcode's own encoding, and decode to the serial."""
    modules = svg_modules(code128_svg(serial))
    assert modules == code128_modules(serial)
    assert decode_code128(modules) == serial


def test_svg_carries_no_text():
    """The label prints the serial as text itself; the SVG holds only bars."""
    assert "<text" not in code128_svg("TCAM-01")


def test_data_uri():
    """The data URI is an SVG image an <img> can show."""
    assert code128_data_uri("TCAM-01").startswith("data:image/svg+xml;base64,")


def test_decoder_refuses_a_damaged_symbol():
    """A flipped module breaks the symbol or its checksum."""
    modules = code128_modules("TCAM-01")
    damaged = modules[:30] + ("0" if modules[30] == "1" else "1") + modules[31:]
    with pytest.raises(ValueError):
        decode_code128(damaged)
