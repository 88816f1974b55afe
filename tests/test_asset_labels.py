"""Unit tests of the Code 128 SVGs printed on asset labels (no database)."""

import pytest
from engine.asset_labels import (
    code128_data_uri,
    code128_modules,
    code128_svg,
    decode_code128,
    fit_options,
    qr_matrix,
    qr_svg,
    qr_svg_data_uri,
    svg_modules,
    svg_qr_matrix,
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


def test_qr_svg_draws_the_matrix_of_the_value():
    """The QR SVG draws exactly the modules of the value's QR code."""
    url = "https://rental.example.com/odoo/action-stock.action_production_lot_form/42"
    matrix = qr_matrix(url)
    assert svg_qr_matrix(qr_svg(url), len(matrix)) == matrix
    assert svg_qr_matrix(qr_svg(url + "3"), len(matrix)) != matrix
    assert qr_svg_data_uri(url).startswith("data:image/svg+xml;base64,")


def test_fit_options_fill_the_width_and_keep_the_bars():
    """Bars fitted to a width fill it (quiet zones included) and still decode; a short value
    gets no wider modules than 0.5 mm."""
    options = fit_options("TCAM-01", 57.0, 11.0)
    modules = code128_modules("TCAM-01")
    assert abs(len(modules) * options["module_width"] + 2 * options["quiet_zone"] - 57.0) < 0.1
    assert decode_code128(
        svg_modules(code128_svg("TCAM-01", **options), options["module_width"])
    ) == ("TCAM-01")
    assert fit_options("1", 200.0, 11.0)["module_width"] == 0.5
