import base64

from odoo import Command, fields, models

LETTER_REPORT = "rental_risk.action_report_rental_dunning_letter"
CONTRACT_REPORT = "rental_risk.action_report_rental_contract"
INVOICE_REPORT = "account.account_invoices"


class RentalDunningLine(models.Model):
    """The paper side of dunning: the letter a level sends (a PDF attached to the line and
    posted in the customer's chatter, to print and post) and the document pack handed to
    legal (the letter, the overdue invoices, the contracts of the gear still out)."""

    _inherit = "rental.dunning.line"

    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letter", readonly=True, copy=False, ondelete="set null"
    )
    legal_attachment_ids = fields.Many2many(
        "ir.attachment",
        "rental_dunning_line_legal_attachment_rel",
        "line_id",
        "attachment_id",
        string="Legal Pack",
        readonly=True,
        copy=False,
    )

    def _rental_protected_fields(self):
        sentence = self.env._(
            "The letter and the legal pack of a dunning line are made when it is sent."
        )
        return {
            **super()._rental_protected_fields(),
            "letter_attachment_id": sentence,
            "legal_attachment_ids": sentence,
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_letter_values(self):
        """What the letter prints: the overdue invoices (due date, days late, amount still
        due) and their total, at the run's date."""
        self.ensure_one()
        date = self.run_id.date or fields.Date.context_today(self)
        invoices = self.sudo().review_invoice_ids.sorted(lambda m: (m.invoice_date_due, m.id))
        rows = [
            {
                "name": invoice.name,
                "due": invoice.invoice_date_due,
                "days": (date - invoice.invoice_date_due).days,
                "amount": invoice.amount_residual,
            }
            for invoice in invoices
        ]
        return {
            "date": date,
            "invoices": rows,
            "total": sum(row["amount"] for row in rows),
        }

    def _rental_letter(self):
        """The line's letter, rendered and attached once (a second call returns it)."""
        self.ensure_one()
        if self.letter_attachment_id:
            return self.letter_attachment_id
        name = self.env._(
            "Dunning Letter - %(customer)s - %(level)s",
            customer=self.partner_id.name,
            level=self.level_id.name,
        )
        letter = self._rental_attach_report(LETTER_REPORT, self, name)
        with self.env["rental.risk.decision"]._open_guard():
            self.sudo().letter_attachment_id = letter
        return letter

    def _rental_legal_pack(self):
        """The letter, the PDFs of the overdue invoices sent and the rental contracts of the
        customer's orders with gear still out, attached to the line (once)."""
        self.ensure_one()
        if self.legal_attachment_ids:
            return self.legal_attachment_ids
        pack = self._rental_letter()
        for invoice in self.sudo().invoice_ids.sorted(lambda m: (m.invoice_date_due, m.id)):
            pack |= self._rental_attach_report(INVOICE_REPORT, invoice, invoice.name)
        for order in self._rental_orders_with_gear_out():
            name = self.env._("Rental Contract - %(order)s", order=order.name)
            pack |= self._rental_attach_report(CONTRACT_REPORT, order, name)
        with self.env["rental.risk.decision"]._open_guard():
            self.sudo().legal_attachment_ids = [Command.set(pack.ids)]
        return pack

    def _rental_orders_with_gear_out(self):
        self.ensure_one()
        bookings = (
            self.env["rental.booking"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "out"),
                ]
            )
        )
        return bookings.order_id.sorted("id")

    def _rental_attach_report(self, report_ref, record, name):
        """Render ``report_ref`` for ``record`` alone (Debian's wkhtmltopdf prints one
        record per job) and attach it to this line. Rendered as superuser: the sender is
        credit control, who may not print contracts or invoices themselves, and the pack goes
        to the Risk Managers."""
        content, report_type = (
            self.env["ir.actions.report"].sudo()._render_qweb_pdf(report_ref, record.ids)
        )
        extension = "pdf" if report_type == "pdf" else "html"
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{name}.{extension}",
                    "type": "binary",
                    "datas": base64.b64encode(content),
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
                }
            )
        )
