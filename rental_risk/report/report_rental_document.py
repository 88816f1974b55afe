from odoo import api, models
from odoo.exceptions import AccessError


class RentalDocumentReport(models.AbstractModel):
    """What every printed rental document checks: the printer belongs to a group allowed to
    print it, and may read each record printed. Rendering reads the records as the printer,
    so record rules apply as on screen; the check only makes the refusal a clear sentence."""

    _name = "rental.document.report"
    _description = "Rental Document Report"

    #: Model of the records printed.
    _rental_report_model = None

    def _rental_print_groups(self):
        """Groups allowed to print (any one of them); empty: whoever reads the records."""
        return []

    def _rental_print_refusal(self):
        return self.env._("You are not allowed to print this document.")

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env[self._rental_report_model].browse(docids)
        groups = self._rental_print_groups()
        if (
            groups
            and not self.env.su
            and not any(self.env.user.has_group(group) for group in groups)
        ):
            raise AccessError(self._rental_print_refusal())
        docs.check_access("read")
        return {
            "doc_ids": docs.ids,
            "doc_model": self._rental_report_model,
            "docs": docs,
            "data": data,
            **self._rental_report_extra_values(docs, data or {}),
        }

    def _rental_report_extra_values(self, docs, data):
        """More values for the template (hook); ``data`` holds the report_type (pdf, html)."""
        return {}
