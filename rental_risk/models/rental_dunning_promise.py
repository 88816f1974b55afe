from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .rental_dunning_line import UNPAID_INVOICE


class RentalDunningPromise(models.Model):
    """A customer's promise to pay by a date, recorded by credit control: the dunning ladder
    pauses for the customer until that date. A record of what was said, never edited: a new
    promise is recorded instead, and a promise can be withdrawn (archived)."""

    _name = "rental.dunning.promise"
    _description = "Promise to Pay"
    _order = "date_promised desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_promised = fields.Date(string="Promised For", required=True)
    amount = fields.Monetary(string="Promised Amount")
    note = fields.Char(string="What Was Said")
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True
    )
    active = fields.Boolean(default=True)
    state = fields.Selection(
        [("open", "Running"), ("kept", "Kept"), ("broken", "Broken")],
        compute="_compute_state",
        help="Kept: nothing of the customer was overdue the day after the promised date.",
    )

    _sql_constraints = [
        (
            "amount_positive",
            "CHECK (amount IS NULL OR (amount >= 0 AND amount < 1e12))",
            "A promised amount is zero or more, below a trillion.",
        ),
    ]

    @api.depends("date_promised", "partner_id")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        past = self.filtered(
            lambda p: isinstance(p.id, int) and p.date_promised and p.date_promised < today
        )
        broken = set()
        if past:
            # Broken: an invoice due before the promised date is still unpaid. One query.
            self.env["account.move"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT pr.id
                      FROM rental_dunning_promise pr
                     WHERE pr.id = ANY(%(ids)s)
                       AND EXISTS (
                           SELECT 1 FROM account_move am
                            WHERE am.commercial_partner_id = pr.partner_id
                              AND am.company_id = pr.company_id
                              AND %(unpaid)s
                              AND am.invoice_date_due < pr.date_promised)
                    """,
                    ids=past.ids,
                    unpaid=UNPAID_INVOICE,
                )
            )
            broken = {row[0] for row in self.env.cr.fetchall()}
        for promise in self:
            if promise not in past:
                promise.state = "open"
            else:
                promise.state = "broken" if promise.id in broken else "kept"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["rental.dunning.run"]._check_credit_control()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            promised = fields.Date.to_date(vals.get("date_promised"))
            if promised and promised < today:
                raise UserError(
                    self.env._("A promise to pay is for today or a later day; check the date.")
                )
            vals["user_id"] = self.env.uid
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        promises = super().create(vals_list)
        for promise in promises:
            self.env["rental.risk.event"]._log(
                "promise",
                partner=promise.partner_id,
                company=promise.company_id,
                details=f"{promise.date_promised} {promise.amount or ''} {promise.note or ''}",
            )
        return promises

    def write(self, vals):
        if set(vals) - {"active"}:
            raise UserError(
                self.env._(
                    "A promise to pay records what the customer said: record a new promise "
                    "instead of changing this one."
                )
            )
        self.env["rental.dunning.run"]._check_credit_control()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("A promise to pay cannot be deleted; archive it to withdraw it.")
        )
