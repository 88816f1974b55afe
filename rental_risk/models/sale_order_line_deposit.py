from odoo import Command, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    is_rental_deposit = fields.Boolean(
        string="Rental Deposit",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The line holds the order's refundable deposit, invoiced to a liability account.",
    )

    # ------------------------------------------------------------------
    # Business methods: invoicing
    # ------------------------------------------------------------------

    def _prepare_invoice_line(self, **optional_values):
        res = super()._prepare_invoice_line(**optional_values)
        if self.is_rental_deposit and not self.display_type:
            # The deposit is owed back to the customer: credit the liability account, never
            # revenue, and never tax it, whatever the product's settings say.
            company = self.order_id.company_id
            res["account_id"] = company._rental_get_deposit_account().id
            res["tax_ids"] = [Command.clear()]
        return res
