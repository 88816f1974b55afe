from odoo import api, fields, models
from odoo.exceptions import UserError

BLACKLIST_CATEGORIES = [
    ("fraud", "Fraud or false identity"),
    ("unpaid", "Unpaid debts"),
    ("not_returned", "Assets not returned"),
    ("damage", "Repeated or wilful damage"),
    ("abuse", "Abusive behaviour"),
    ("other", "Other"),
]


class RentalBlacklistEntry(models.Model):
    """One decision on a customer's blacklist: put on it, or lifted from it, with the reason and
    the evidence. Entries are kept for good (history of who decided what and why)."""

    _name = "rental.blacklist.entry"
    _description = "Blacklist Decision"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    decision = fields.Selection(
        [("set", "Blacklisted"), ("lift", "Lifted"), ("proposal", "Proposed")],
        required=True,
        readonly=True,
    )
    category = fields.Selection(BLACKLIST_CATEGORIES, readonly=True)
    reason = fields.Text(required=True, readonly=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence", readonly=True)
    automatic = fields.Boolean(readonly=True, help="Decided by a scheduled trigger.")
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    date = fields.Datetime(readonly=True, default=fields.Datetime.now, required=True)

    # History is append-only for everyone: no super() on purpose.
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._("Blacklist decisions are history and cannot be changed; record a new one.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Blacklist decisions are history and cannot be deleted."))
