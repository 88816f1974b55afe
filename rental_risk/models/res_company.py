from odoo import api, fields, models
from odoo.exceptions import UserError

TRIGGER_MODES = [("blacklist", "Blacklist at once"), ("propose", "Propose to Risk Managers")]


# Code prefix of the customer-deposit liability account created on first use; digits are added
# to match the length of the company's chart codes.
DEPOSIT_ACCOUNT_CODE_PREFIX = "2191"


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        ondelete="restrict",
        help="Internal location, outside any warehouse, holding the gear out with customers: it "
        "stays the company's asset (no cost of goods sold is booked on pickup).",
    )
    # Customer credit scoring settings (helper C); the grade table is rental.grade.limit.
    rental_risk_alert_step = fields.Integer(
        string="Grade Drop Alert Step",
        default=1,
        help="Alert the salesperson and the Risk Officers when a customer's grade falls by at "
        "least this many steps (1: any drop, e.g. B to C).",
    )
    rental_risk_overdue_min_amount = fields.Monetary(
        string="Overdue Tolerance",
        currency_field="currency_id",
        default=10.0,
        help="Overdue balances below this amount (bank fees, rounding) do not lower the score.",
    )
    rental_risk_paid_volume_full = fields.Monetary(
        string="Paid Volume for Full Bonus",
        currency_field="currency_id",
        default=50000.0,
        help="Total paid by a customer that earns the full paid-volume bonus.",
    )
    rental_grade_limit_ids = fields.One2many(
        "rental.grade.limit", "company_id", string="Credit Limits per Grade"
    )
    # Risk rules, blacklist triggers and delivery lock (issue 5).
    rental_risk_trigger_late_asset = fields.Boolean(
        string="Blacklist Trigger: Asset Not Returned",
        help="Act on customers who still hold an asset this many days after its rental ended.",
    )
    rental_risk_trigger_late_asset_days = fields.Integer(
        string="Days After the Rental End", default=14
    )
    rental_risk_trigger_late_asset_mode = fields.Selection(
        TRIGGER_MODES, string="Late Asset Action", default="propose", required=True
    )
    rental_risk_trigger_unpaid = fields.Boolean(
        string="Blacklist Trigger: Unpaid Invoice",
        help="Act on customers with an invoice (damage claims included) unpaid this many days "
        "after its due date.",
    )
    rental_risk_trigger_unpaid_days = fields.Integer(string="Days After the Due Date", default=60)
    rental_risk_trigger_unpaid_mode = fields.Selection(
        TRIGGER_MODES, string="Unpaid Invoice Action", default="propose", required=True
    )
    rental_risk_match_address = fields.Boolean(
        string="Match Blacklist on Addresses",
        help="Also flag a customer whose street address (with postcode or city) is the one of "
        "a blacklisted customer. Off by default: family members, flat shares and businesses in "
        "one building share an address.",
    )
    rental_risk_lock_overdue = fields.Boolean(
        string="Lock Pickups Over Limit with Overdue",
        default=True,
        help="Refuse to hand gear out to a customer who is over the credit limit and has "
        "overdue receivables at the moment of the pickup.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["rental.grade.limit"]._create_missing_rows(companies)
        self.env["rental.risk.rule"]._create_default_rules(companies)
        return companies

    def _create_per_company_locations(self):
        res = super()._create_per_company_locations()
        self._rental_create_location()
        return res

    def _rental_create_location(self):
        """Create the rental location of companies that have none; return all their locations."""
        parent = self.env.ref("stock.stock_location_locations", raise_if_not_found=False)
        for company in self.filtered(lambda c: not c.rental_location_id):
            company.sudo().rental_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Out on Rental"),
                        "usage": "internal",
                        "location_id": parent.id if parent else False,
                        "company_id": company.id,
                    }
                )
            )
        return self.rental_location_id

    @api.model
    def _rental_create_missing_locations(self):
        """Give every existing company its rental location (run at module install)."""
        self.search([("rental_location_id", "=", False)])._rental_create_location()

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
    rental_loss_depreciation_years = fields.Integer(
        string="Depreciate Lost Assets Over (Years)",
        help="Loss claims charge the replacement value depreciated straight-line over this "
        "many years since the asset's acquisition date; 0 charges the full replacement value.",
    )
    rental_loss_proposal_days = fields.Integer(
        string="Propose Loss After (Days)",
        default=14,
        help="When gear is this many days late, the late returns action asks the salesperson "
        "whether to declare it lost; 0 never asks.",
    )

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
