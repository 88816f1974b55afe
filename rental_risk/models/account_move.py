from odoo import models
from odoo.tools.sql import create_index


class AccountMove(models.Model):
    _inherit = "account.move"

    def init(self):
        res = super().init()
        # The rescoring aggregates posted customer invoices by commercial partner for batches of
        # thousands of partners; account does not index commercial_partner_id, and without it
        # every batch would scan the whole journal.
        create_index(
            self.env.cr,
            indexname="account_move_rental_risk_customer_idx",
            tablename="account_move",
            expressions=["commercial_partner_id", "invoice_date_due"],
            where="state = 'posted' AND move_type IN ('out_invoice', 'out_refund')",
        )
        # The order confirmation check, the delivery lock and the Risk dashboard's locked
        # pickups read only the open invoices of a customer: this partial index keeps them as
        # fast for a customer with years of paid invoices as for a new one, and carries the
        # columns they read so that the invoices' table is not visited (the dashboard probes
        # it for every open pickup: 100 -> 40 ms for 5,000 pickups). It replaces the same
        # index without those columns.
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS account_move_rental_risk_open_idx;
            CREATE INDEX IF NOT EXISTS account_move_rental_risk_open_cover_idx
                ON account_move (commercial_partner_id, invoice_date_due)
                INCLUDE (company_id, move_type, amount_residual_signed)
                WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
                  AND amount_residual_signed <> 0
            """
        )
        return res

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A new invoice or credit note changes the customer's balance: rescore at once.
        customer_moves = posted.filtered(lambda move: move.is_sale_document(include_receipts=False))
        if customer_moves:
            for company in customer_moves.company_id:
                customer_moves.filtered(
                    lambda m, c=company: m.company_id == c
                ).commercial_partner_id.sudo()._rental_risk_rescore(company=company)
        return posted

    def button_draft(self):
        moves = self.filtered(
            lambda move: move.state == "posted" and move.is_sale_document(include_receipts=False)
        )
        res = super().button_draft()
        for company in moves.company_id:
            moves.filtered(
                lambda m, c=company: m.company_id == c
            ).commercial_partner_id.sudo()._rental_risk_rescore(company=company)
        return res
