"""Code 128 barcodes of asset labels as SVG (python-barcode), and a reader of those SVGs that
gives the bars back and decodes them, so tests check what is printed; QR codes as SVG (qrcode)
where Odoo's own renderer cannot draw. No Odoo import."""

import base64
import io
import re

import barcode
import qrcode
import qrcode.image.svg
from barcode.charsets import code128 as charset
from barcode.writer import SVGWriter

#: Module (narrowest bar) width and bar height in millimetres, quiet zone in modules.
DEFAULT_OPTIONS = {"module_width": 0.25, "module_height": 9.0, "quiet_zone": 2.5}

_RECT = re.compile(
    r'<rect x="(?P<x>[\d.]+)mm" y="[\d.]+mm" width="(?P<w>[\d.]+)mm" height="[\d.]+mm" '
    r'style="fill:black;"\s*/>'
)


def code128_modules(value):
    """python-barcode's own Code 128 encoding of ``value``: a string of 1 (bar) and 0 (space)
    modules, start, checksum and stop included."""
    return barcode.get("code128", value).build()[0]


def code128_svg(value, **options):
    """Code 128 of ``value`` as SVG markup (str), without the human-readable text (the label
    prints the serial itself, as text the PDF keeps)."""
    writer_options = {**DEFAULT_OPTIONS, **options, "write_text": False, "compress": False}
    svg = barcode.get("code128", value, writer=SVGWriter()).render(writer_options)
    return svg.decode()


def fit_options(value, width_mm, height_mm):
    """Writer options drawing the Code 128 of ``value`` ``width_mm`` wide (quiet zones
    included) and ``height_mm`` high: the widest modules that fit, never above 0.5 mm (a
    long serial on a small label gets thin bars rather than overflowing)."""
    quiet = DEFAULT_OPTIONS["quiet_zone"]
    modules = len(code128_modules(value))
    return {
        "module_width": round(min(0.5, (width_mm - 2 * quiet) / modules), 3),
        # The SVG writer adds 1 mm above and below the bars.
        "module_height": max(height_mm - 2.0, 3.0),
        "quiet_zone": quiet,
    }


def code128_data_uri(value, **options):
    """The SVG of code128_svg as a data URI, for an <img src> in a QWeb report."""
    payload = base64.b64encode(code128_svg(value, **options).encode()).decode()
    return f"data:image/svg+xml;base64,{payload}"


def svg_modules(svg, module_width=None):
    """The modules (1 bar, 0 space) drawn by a Code 128 SVG of python-barcode, from its first
    bar to its last: what a scanner reads. The module width defaults to the narrowest bar's
    (every Code 128 start symbol has a one-module bar)."""
    bars = [(float(m["x"]), float(m["w"])) for m in _RECT.finditer(svg)]
    if not bars:
        return ""
    module_width = module_width or min(width for _x, width in bars)
    origin = bars[0][0]
    end = round((bars[-1][0] + bars[-1][1] - origin) / module_width)
    modules = ["0"] * end
    for x, width in bars:
        start = round((x - origin) / module_width)
        for index in range(start, start + round(width / module_width)):
            modules[index] = "1"
    return "".join(modules)


def decode_code128(modules):
    """Decode Code 128 modules (start to stop) back to text; checks the checksum.

    Raises ValueError when the modules are not a valid Code 128 symbol.
    """
    patterns = {pattern: index for index, pattern in enumerate(charset.CODES)}
    # python-barcode's STOP lacks the final two-module termination bar it draws after it.
    stop = charset.STOP + "11"
    if not modules.endswith(stop):
        raise ValueError("no stop pattern")
    body = modules[: -len(stop)]
    if len(body) % 11:
        raise ValueError("modules are not whole symbols")
    try:
        symbols = [patterns[body[i : i + 11]] for i in range(0, len(body), 11)]
    except KeyError as error:
        raise ValueError(f"unknown symbol {error}") from error
    *data, check = symbols
    if sum(value * max(position, 1) for position, value in enumerate(data)) % 103 != check:
        raise ValueError("bad checksum")
    codes_by_value = {
        "A": {value: char for char, value in charset.A.items()},
        "B": {value: char for char, value in charset.B.items()},
    }
    start_sets = {103: "A", 104: "B", 105: "C"}
    if data[0] not in start_sets:
        raise ValueError("no start symbol")
    code_set, text = start_sets[data[0]], []
    for value in data[1:]:
        if code_set == "C" and value < 100:
            text.append(f"{value:02d}")
        elif value == 99:
            code_set = "C"
        elif value == 100 and code_set != "B":
            code_set = "B"
        elif value == 101 and code_set != "A":
            code_set = "A"
        else:
            char = codes_by_value["A" if code_set == "A" else "B"].get(value)
            if char is None or len(char) != 1 or ord(char) > 127:
                raise ValueError(f"unsupported symbol {value} in code set {code_set}")
            text.append(char)
    return "".join(text)


_QR_MODULE = re.compile(r"M(?P<x>\d+),(?P<y>\d+)H")


def qr_matrix(value):
    """The QR code of ``value`` as rows of booleans (dark modules), without border."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(value)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(value):
    """The QR code of ``value`` as SVG markup (str), one unit a module, no border."""
    image = qrcode.make(
        value,
        image_factory=qrcode.image.svg.SvgPathImage,
        border=0,
        error_correction=qrcode.constants.ERROR_CORRECT_L,
    )
    stream = io.BytesIO()
    image.save(stream)
    return stream.getvalue().decode()


def qr_svg_data_uri(value):
    """The SVG of qr_svg as a data URI."""
    return f"data:image/svg+xml;base64,{base64.b64encode(qr_svg(value).encode()).decode()}"


def svg_qr_matrix(svg, size):
    """The dark modules drawn by a qr_svg SVG of ``size`` x ``size`` modules, as qr_matrix."""
    dark = {(int(m["x"]), int(m["y"])) for m in _QR_MODULE.finditer(svg)}
    return [[(x, y) in dark for x in range(size)] for y in range(size)]
