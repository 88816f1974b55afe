from odoo import api, fields, models
from odoo.exceptions import UserError

# Code prefix of the customer-deposit liability account created on first use; digits are added
# to match the length of the company's chart codes.
DEPOSIT_ACCOUNT_CODE_PREFIX = "2191"


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_deposit_enabled = fields.Boolean(
        string="Rental Deposits",
        help="Ask a refundable deposit on rental orders, by customer grade.",
    )
    rental_deposit_min_amount = fields.Monetary(
        string="Minimum Deposit",
        currency_field="currency_id",
        help="Smallest deposit asked on a rental order that requires one.",
    )
    rental_deposit_required_before_pickup = fields.Boolean(
        string="Deposit Paid Before Pickup",
        help="Refuse to hand rental gear out until the order's required deposit is paid.",
    )
    rental_deposit_account_id = fields.Many2one(
        "account.account",
        string="Customer Deposits Account",
        domain="[('account_type', '=', 'liability_current')]",
        check_company=True,
        help="Liability account credited by deposit invoices (the money is owed back to the "
        "customer, it is not revenue). Created on first use when empty.",
    )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_get_deposit_account(self):
        """Customer-deposit liability account of the company, created on first use.

        Lazily created (not at chart installation) so it works whatever the chart and for
        companies that get a chart after this module is installed.
        """
        self.ensure_one()
        if self.rental_deposit_account_id:
            return self.rental_deposit_account_id
        if not self.sudo().chart_template:
            raise UserError(
                self.env._(
                    "The company %(company)s has no chart of accounts: install one in the "
                    "Invoicing settings before invoicing rental deposits.",
                    company=self.name,
                )
            )
        Account = self.env["account.account"].sudo().with_company(self)
        receivable = self.sudo().partner_id.with_company(self).property_account_receivable_id
        digits = max(len(receivable.code or ""), len(DEPOSIT_ACCOUNT_CODE_PREFIX) + 2)
        code_base = int(DEPOSIT_ACCOUNT_CODE_PREFIX.ljust(digits, "0"))
        code = str(code_base)
        while Account.search_count([("code", "=", code), ("company_ids", "in", self.ids)]):
            code = str(int(code) + 1)
        account = Account.create(
            {
                "name": self.env._("Customer Rental Deposits"),
                "code": code,
                "account_type": "liability_current",
                "company_ids": [(6, 0, self.ids)],
            }
        )
        self.sudo().rental_deposit_account_id = account
        return account

    @api.constrains("rental_deposit_min_amount")
    def _check_deposit_settings(self):
        self._rental_check_ranges(amounts=("rental_deposit_min_amount",))
