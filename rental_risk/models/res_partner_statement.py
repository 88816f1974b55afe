from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_send_statement(self):
        """Queue the statement of these customers from the first day of last month to today,
        by e-mail with the PDF attached; print the statements of those without an e-mail."""
        Statement = self.env["rental.customer.statement"]
        Statement._check_sender()
        self.check_access("read")
        partners = self.commercial_partner_id
        today = fields.Date.context_today(self)
        date_from, _end = Statement._get_period(today)
        statements, _new = Statement._create_statements(
            partners.ids, self.env.company, date_from, today
        )
        with_email = statements.filtered(lambda s: s.sudo().partner_id.email)
        with_email._send()
        if statements - with_email:
            # Nobody to send those to: print them instead.
            return self.env.ref(
                "rental_risk.action_report_rental_customer_statement"
            ).report_action(statements - with_email)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Statements"),
                "message": self.env._(
                    "%(count)s statement(s) queued: %(customers)s.",
                    count=len(with_email),
                    customers=", ".join(partners.mapped("display_name")),
                ),
                "type": "success",
                "sticky": False,
            },
        }
