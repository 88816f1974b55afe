import logging
import re
import shutil
import subprocess

from lxml import html

#: The programs PDF tests need: wkhtmltopdf renders, pdftotext reads the PDF back.
PDF_TOOLS = ("wkhtmltopdf", "pdftotext", "pdfinfo")


#: What Debian's wkhtmltopdf (built on an unpatched Qt) always says on stderr, which Odoo logs as
#: a warning: it ignores the header/footer switches and has no XDG runtime directory.
HARMLESS_STDERR = re.compile(
    r"The switch --[\w-]+, is not support using unpatched qt, and will be ignored\."
    r"|QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '[^']*'"
)


class _HarmlessWkhtmltopdfFilter(logging.Filter):
    """Drops Odoo's "wkhtmltopdf: ..." warning when it holds only HARMLESS_STDERR: anything
    else wkhtmltopdf says (a network error fetching the styles...) is still logged."""

    def filter(self, record):
        message = record.getMessage()
        if not message.startswith("wkhtmltopdf: "):
            return True
        return bool(HARMLESS_STDERR.sub("", message[len("wkhtmltopdf: ") :]).strip())


class ReportHelpers:
    """Render reports as PDF through wkhtmltopdf (as Odoo does outside tests) and read their
    text back, or as HTML for finer checks."""

    def _check_pdf_tools(self):
        missing = [tool for tool in PDF_TOOLS if not shutil.which(tool)]
        if missing:
            # Not a skip: scripts/test counts skipped tests as failed anyway, and a missing
            # renderer must be fixed on the machine (scripts/lib.sh ensure_pdf installs it).
            self.fail(
                f"{', '.join(missing)} not found: install Debian's wkhtmltopdf and "
                "poppler-utils (scripts/test does it when run as root) to test the PDF reports."
            )

    def _render_pdf(self, report_ref, records):
        """The PDF bytes of ``report_ref`` for ``records``, as their env's user prints them."""
        self._check_pdf_tools()
        logger = logging.getLogger("odoo.addons.base.models.ir_actions_report")
        log_filter = _HarmlessWkhtmltopdfFilter()
        logger.addFilter(log_filter)
        self.addCleanup(logger.removeFilter, log_filter)
        pdf, report_type = (
            records.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report_ref, records.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), "wkhtmltopdf did not produce a PDF")
        return pdf

    def _pdf_text(self, pdf):
        """The text of ``pdf`` (pdftotext), whitespace collapsed to single spaces."""
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        return " ".join(text.replace("\xa0", " ").split())

    def _pdf_word_boxes(self, pdf):
        """{word: (page, x_min, y_min)} of the words of ``pdf``, in points (first occurrence)."""
        out = subprocess.run(
            ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        boxes, page = {}, 0
        for node in html.fromstring(out.encode()).iter("page", "word"):
            if node.tag == "page":
                page += 1
            else:
                boxes.setdefault(
                    node.text_content(), (page, float(node.get("xmin")), float(node.get("ymin")))
                )
        return boxes

    def _pdf_info(self, pdf):
        """pdfinfo's fields of ``pdf`` (Pages, Page size...)."""
        out = subprocess.run(
            ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)

    def _render_html(self, report_ref, records):
        """The report's HTML as an lxml tree."""
        content, _type = records.env["ir.actions.report"]._render_qweb_html(report_ref, records.ids)
        return html.fromstring(content)

    @staticmethod
    def _node_text(tree, xpath):
        nodes = tree.xpath(xpath)
        return " ".join(
            " ".join(node.text_content().replace("\xa0", " ").split()) for node in nodes
        )
