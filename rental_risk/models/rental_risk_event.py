from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.modules import module as odoo_module
from odoo.tools import SQL

EVENT_TYPES = [
    ("rule_hit", "Rule hit"),
    ("block", "Confirmation blocked"),
    ("approval_request", "Approval requested"),
    ("approval", "Approved"),
    ("rejection", "Rejected"),
    ("approval_void", "Approval voided"),
    ("delivery_lock", "Pickup locked"),
    ("release", "Pickup released"),
    ("override", "Override"),
    ("blacklist", "Blacklisted"),
    ("blacklist_lift", "Blacklist lifted"),
    ("blacklist_proposal", "Blacklist proposed"),
    ("blacklist_match", "Possible blacklist match"),
    ("kyc", "Identity verified"),
    ("credit_limit", "Credit limit changed"),
    ("rescore", "Rescored by hand"),
    ("rule_change", "Risk rule changed"),
    ("settings_change", "Risk settings changed"),
    ("grade_limit_change", "Grade table changed"),
    ("grade_terms_override", "Grade terms overridden"),
    # Logged by the deposits and claims feature.
    ("claim_waived", "Claim waived"),
    ("deposit_settled", "Deposit settled"),
    # Logged by collections.
    ("dunning", "Dunning sent"),
    ("promise", "Promise to pay"),
    ("suspected_loss", "Suspected loss"),
    # Logged by asset care.
    ("qr_token", "Asset QR token replaced"),
    # Logged by the scoring.
    ("risk_signal", "Officer signal recorded"),
    ("risk_signal_withdrawn", "Officer signal withdrawn"),
    ("related_parties", "Related companies changed"),
    ("backtest", "Scoring backtest run"),
]


class RentalRiskEvent(models.Model):
    """Append-only audit trail of risk decisions.

    Events are created only through ``_log`` (as superuser, so every user's decisions are
    recorded whatever their rights) and can never be changed or deleted through the ORM, not
    even by an administrator: ``write`` and ``unlink`` refuse unconditionally.
    """

    _name = "rental.risk.event"
    _description = "Rental Risk Event"
    _order = "date desc, id desc"
    _rec_name = "event_type"

    event_type = fields.Selection(EVENT_TYPES, required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    # A company with an audit trail cannot be deleted: the trail would go with it.
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True, ondelete="set null"
    )
    order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    rule_id = fields.Many2one("rental.risk.rule", readonly=True, ondelete="set null")
    details = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    # The log is append-only for everyone: no super() on purpose.
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._("Risk events are an audit trail and cannot be changed; log a new event.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Risk events are an audit trail and cannot be deleted."))

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _log(self, event_type, partner=None, order=None, details="", **kw):
        """Record an event as the current user; returns it. ``kw`` takes ``picking``, ``rule``,
        ``company`` and ``user`` records. Works whatever the caller's rights."""
        picking = kw.get("picking")
        rule = kw.get("rule")
        company = (
            kw.get("company")
            or (order and order.company_id)
            or (picking and picking.company_id)
            or (partner and partner.company_id)
            or self.env.company
        )
        user = kw.get("user") or self.env.user
        return (
            self.sudo()
            .create(
                {
                    "event_type": event_type,
                    "user_id": user.id,
                    "company_id": company.id,
                    "partner_id": partner.commercial_partner_id.id if partner else False,
                    "order_id": order.id if order else False,
                    "picking_id": picking.id if picking else False,
                    "rule_id": rule.id if rule else False,
                    "details": details or False,
                }
            )
            .sudo(False)
        )

    @api.model
    def _log_autonomous(self, event_type, partner=None, order=None, details="", **kw):
        """Record an event in its own transaction: for refusals (blocked confirmation, locked
        pickup) whose UserError rolls back the caller's transaction. Records the caller created
        in its uncommitted transaction are named in the details instead of linked."""
        names = [record.display_name for record in (partner, order, kw.get("picking")) if record]
        company = (
            kw.get("company")
            or (order and order.company_id)
            or (kw.get("picking") and kw["picking"].company_id)
            or self.env.company
        )
        if getattr(odoo_module, "current_test", None) or not self.env.registry.ready:
            # Tests run in one transaction that they roll back: a separate one would leave
            # events behind in the database. Log in the test's transaction instead. So does
            # module loading (demo data): its transaction holds locks on the tables it altered,
            # which a second cursor would wait for forever.
            return self._log(event_type, partner=partner, order=order, details=details, **kw)
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr)

            def visible(record):
                if not record or not isinstance(record.id, int):
                    return None
                cr.execute(
                    SQL("SELECT 1 FROM %s WHERE id = %s", SQL.identifier(record._table), record.id)
                )
                return record.with_env(env) if cr.fetchone() else None

            env["rental.risk.event"]._log(
                event_type,
                partner=visible(partner),
                order=visible(order),
                details=" / ".join([*names, details]) if details else " / ".join(names),
                picking=visible(kw.get("picking")),
                company=visible(company) or env.company,
                user=env.user,
            )
