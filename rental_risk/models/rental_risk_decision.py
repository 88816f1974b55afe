from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .rental_score_history import GRADE_SELECTION

BLACKLIST_CATEGORIES = [
    ("fraud", "Fraud or false identity"),
    ("unpaid", "Unpaid debts"),
    ("not_returned", "Assets not returned"),
    ("damage", "Repeated or wilful damage"),
    ("abuse", "Abusive behaviour"),
    ("other", "Other"),
]

DECISION_KINDS = [
    ("approval_request", "Approval requested"),
    ("approve", "Approved"),
    ("reject", "Rejected"),
    ("approval_void", "Approval voided"),
    ("release", "Pickup released"),
    ("waive", "Claim waived"),
    ("grade_override", "Grade overridden"),
    ("grade_override_end", "Grade override ended"),
    ("credit_limit", "Credit limit set by hand"),
    ("credit_limit_reset", "Credit limit follows the grade"),
    ("blacklist", "Blacklisted"),
    ("blacklist_lift", "Blacklist lifted"),
    ("blacklist_proposal", "Blacklist proposed"),
    ("match_dismiss", "Look-alike dismissed"),
    ("kyc_verify", "Identity verified"),
]
#: Risk event logged with each kind of decision (the audit trail names every decision).
EVENT_OF_KIND = {
    "approval_request": "approval_request",
    "approve": "approval",
    "reject": "rejection",
    "approval_void": "approval_void",
    "release": "release",
    "waive": "claim_waived",
    "grade_override": "override",
    "grade_override_end": "override",
    "credit_limit": "credit_limit",
    "credit_limit_reset": "credit_limit",
    "blacklist": "blacklist",
    "blacklist_lift": "blacklist_lift",
    "blacklist_proposal": "blacklist_proposal",
    "match_dismiss": "override",
    "kyc_verify": "kyc",
}
BLACKLIST_KINDS = ("blacklist", "blacklist_lift", "blacklist_proposal")
#: Key, on the cursor, of the guard that keeps the module's own writes of protected fields
#: apart from everybody else's. The cursor is out of reach of RPC callers, unlike the context.
GUARD_KEY = "rental_risk_guard_depth"


class RentalRiskDecision(models.Model):
    """A decision a person (or a scheduled trigger) made on a risk: who, when, what and why.

    Approvals, pickup releases, claim waivers, grade overrides, hand-set credit limits,
    blacklist decisions and identity checks are kept as these records, and the states shown on
    orders, pickups, claims and customers are computed from them. They are created only by the
    business methods that check the decider's group and separation of duties (``_record``), and
    never changed nor deleted, not even by an administrator: ``create`` outside those methods,
    ``write`` and ``unlink`` refuse.
    """

    _name = "rental.risk.decision"
    _description = "Rental Risk Decision"
    # Ids grow with time and, unlike dates, tell apart two decisions of the same second.
    _order = "id desc"
    _rec_name = "kind"

    kind = fields.Selection(DECISION_KINDS, required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users", string="Decided By", required=True, readonly=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True, ondelete="restrict"
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
    claim_id = fields.Many2one(
        "rental.damage.claim", readonly=True, index="btree_not_null", ondelete="set null"
    )
    reason = fields.Text(required=True, readonly=True)
    fingerprint = fields.Char(
        readonly=True, help="Hash of the order as it was decided on: customer, lines, total."
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(readonly=True)
    grade = fields.Selection(GRADE_SELECTION, readonly=True)
    date_until = fields.Date(string="Until", readonly=True)
    category = fields.Selection(BLACKLIST_CATEGORIES, readonly=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "rental_risk_decision_attachment_rel",
        "decision_id",
        "attachment_id",
        string="Evidence",
        readonly=True,
    )
    group_ids = fields.Many2many(
        "res.groups",
        "rental_risk_decision_group_rel",
        "decision_id",
        "group_id",
        string="Approvers",
        readonly=True,
    )
    match_partner_id = fields.Many2one(
        "res.partner", string="Look-alike", readonly=True, ondelete="set null"
    )
    document = fields.Char(
        string="Document Checked",
        readonly=True,
        help="Normalised number of the identity document a Risk Officer checked.",
    )
    automatic = fields.Boolean(readonly=True, help="Decided by a scheduled action.")
    event_id = fields.Many2one("rental.risk.event", string="Audit Event", readonly=True)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self._guard_open():
            raise UserError(
                self.env._(
                    "Risk decisions are made with their buttons (Approve, Release, Waive, "
                    "Override Grade, Set Credit Limit, Blacklist, Verify Identity), which check "
                    "who may decide; they cannot be created directly."
                )
            )
        return super().create(vals_list)

    # Decisions are history: no super() on purpose.
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._("Risk decisions are history and cannot be changed; make a new decision.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Risk decisions are history and cannot be deleted."))

    # ------------------------------------------------------------------
    # Business methods: the guard of protected fields
    # ------------------------------------------------------------------

    @api.model
    def _guard_open(self):
        return bool(self.env.cr.cache.get(GUARD_KEY))

    @api.model
    @contextmanager
    def _open_guard(self):
        """Let the module's own code write protected fields and decisions while it runs."""
        cache = self.env.cr.cache
        cache[GUARD_KEY] = cache.get(GUARD_KEY, 0) + 1
        try:
            yield
        finally:
            cache[GUARD_KEY] -= 1

    @api.model
    def _check_protected(self, records, vals, protected):
        """Refuse a ``write`` of ``vals`` on ``records`` that changes a field of ``protected``
        ({field name: what to do instead}), whoever the user, administrator included: the ORM
        is reachable by RPC, and ``readonly`` only affects the screen. Values equal to the
        current ones (forms and integrations that send a record back) are let through."""
        wanted = vals.keys() & protected.keys()
        if not wanted or self._guard_open():
            return
        changed = set()
        for fname in wanted:
            field = records._fields[fname]
            if field.type in ("one2many", "many2many"):
                changed.add(fname)  # any command on a protected relation is a change
                continue
            for record in records.sudo():
                new = field.convert_to_record(field.convert_to_cache(vals[fname], record), record)
                if new != record[fname]:
                    changed.add(fname)
                    break
        self._refuse_protected(records, changed, protected)

    @api.model
    def _check_protected_create(self, model, vals_list, protected):
        """Refuse a ``create`` giving a value to a field of ``protected``; empty values and the
        field's default (what a form sends for the fields it shows) are let through."""
        if self._guard_open():
            return
        given = {
            fname
            for vals in vals_list
            for fname, value in vals.items()
            if fname in protected and value
        }
        if not given:
            return
        defaults = model.default_get(sorted(given))
        changed = {
            fname
            for vals in vals_list
            for fname in given
            if vals.get(fname) and vals[fname] != defaults.get(fname)
        }
        self._refuse_protected(model, changed, protected)

    @api.model
    def _refuse_protected(self, model, fnames, protected):
        if not fnames:
            return
        names = sorted(fnames)
        descriptions = model.sudo().fields_get(names, ["string"])
        hints = []
        for fname in names:
            if protected[fname] not in hints:
                hints.append(protected[fname])
        raise UserError(
            self.env._(
                "%(fields)s cannot be set directly, not even by an administrator. %(how)s",
                fields=", ".join(descriptions[fname]["string"] for fname in names),
                how=" ".join(hints),
            )
        )

    # ------------------------------------------------------------------
    # Business methods: recording decisions
    # ------------------------------------------------------------------

    @api.model
    def _record(self, kind, reason, partner=None, **values):
        """Record a decision of the current user (or of the system when ``automatic``) and its
        risk event; returns the decision. Callers check who may decide before calling this:
        it is the only way a decision is created."""
        order = values.pop("order", None)
        picking = values.pop("picking", None)
        claim = values.pop("claim", None)
        attachments = values.pop("attachments", None)
        groups = values.pop("groups", None)
        company = (
            values.pop("company", None)
            or (order and order.company_id)
            or (picking and picking.company_id)
            or (claim and claim.company_id)
            or (partner and partner.commercial_partner_id.company_id)
            or self.env.company
        )
        # Identity checks concern the very person checked; other decisions the customer.
        exact = values.pop("exact_partner", False)
        customer = (partner if exact else partner.commercial_partner_id) if partner else False
        event = self.env["rental.risk.event"]._log(
            EVENT_OF_KIND[kind],
            partner=customer or None,
            order=order,
            picking=picking,
            company=company,
            details=values.pop("details", None) or reason,
        )
        vals = {
            "kind": kind,
            "reason": reason,
            "user_id": self.env.user.id,
            "company_id": company.id,
            "partner_id": customer.id if customer else False,
            "order_id": order.id if order else False,
            "picking_id": picking.id if picking else False,
            "claim_id": claim.id if claim else False,
            "attachment_ids": [fields.Command.set(attachments.ids)] if attachments else [],
            "group_ids": [fields.Command.set(groups.ids)] if groups else [],
            "event_id": event.id,
            **values,
        }
        with self._open_guard():
            return self.sudo().create(vals).sudo(False)

    @api.model
    def _latest(self, records, field, kinds, company=None):
        """{record id: its latest decision among ``kinds``} (in ``company`` when given),
        ``field`` linking the decisions to ``records``: one query for the whole set."""
        if not records.ids:
            return {}
        domain = [(field, "in", records.ids), ("kind", "in", list(kinds))]
        if company:
            domain.append(("company_id", "=", company.id))
        latest = {}
        for decision in self.sudo().search(domain, order="id desc"):
            latest.setdefault(decision[field].id, decision)
        return latest

    @api.model
    def _in_force(self, kinds, kind_in_force, company=None):
        """[(partner id, company id, decision id)] of the customers whose latest decision among
        ``kinds`` (per company, or in ``company``) is ``kind_in_force``: one query."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, company_id, id
                  FROM (SELECT DISTINCT ON (partner_id, company_id) partner_id, company_id, id, kind
                          FROM rental_risk_decision
                         WHERE kind = ANY(%(kinds)s) AND partner_id IS NOT NULL
                           AND (%(company)s IS NULL OR company_id = %(company)s)
                         ORDER BY partner_id, company_id, id DESC) latest
                 WHERE kind = %(kind)s
                """,
                kinds=list(kinds),
                kind=kind_in_force,
                company=company.id if company else None,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _in_force_ids(self, kinds, kind_in_force, company=None):
        """Partner ids of ``_in_force``."""
        return sorted({row[0] for row in self._in_force(kinds, kind_in_force, company)})
