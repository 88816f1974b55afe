from odoo import api, fields, models

TRIGGER_MODES = [("blacklist", "Blacklist at once"), ("propose", "Propose to Risk Managers")]


class ResCompany(models.Model):
    _inherit = "res.company"

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
    rental_reminder_propose_blacklist = fields.Boolean(
        string="Propose Blacklisting on Suspected Loss",
        help="When the escalation of gear not returned reaches its suspected loss step, propose "
        "to the Risk Managers to blacklist the customer (never done automatically).",
    )
    rental_risk_match_address = fields.Boolean(
        string="Match Blacklist on Addresses",
        help="Also flag a customer whose street address (with postcode or city) is the one of "
        "a blacklisted customer. Off by default: family members, flat shares and businesses in "
        "one building share an address.",
    )

    @api.constrains("rental_risk_trigger_late_asset_days", "rental_risk_trigger_unpaid_days")
    def _check_blacklist_settings(self):
        self._rental_check_ranges(
            days=("rental_risk_trigger_late_asset_days", "rental_risk_trigger_unpaid_days")
        )
