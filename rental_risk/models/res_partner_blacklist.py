from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .rental_risk_decision import BLACKLIST_CATEGORIES, BLACKLIST_KINDS

USER_GROUP = "rental_risk.rental_risk_group_user"
MANAGER_GROUP = "rental_risk.rental_risk_group_manager"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The blacklist state is computed from the blacklist decisions (rental.risk.decision):
    # nobody writes it, and every decision, lifted ones included, stays in the history.
    rental_blacklisted = fields.Boolean(
        string="Blacklisted",
        compute="_compute_rental_blacklist",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklist_category = fields.Selection(
        BLACKLIST_CATEGORIES,
        string="Blacklist Reason",
        compute="_compute_rental_blacklist",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklist_reason = fields.Text(
        string="Blacklist Details",
        compute="_compute_rental_blacklist",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklist_attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Blacklist Evidence",
        related="rental_blacklist_decision_id.attachment_ids",
        groups=USER_GROUP,
    )
    rental_blacklisted_by_id = fields.Many2one(
        "res.users",
        string="Blacklisted By",
        compute="_compute_rental_blacklist",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklisted_on = fields.Datetime(
        string="Blacklisted On",
        compute="_compute_rental_blacklist",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklist_decision_id = fields.Many2one(
        "rental.risk.decision",
        string="Blacklist Decision",
        compute="_compute_rental_blacklist",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_risk_decision_ids = fields.One2many(
        "rental.risk.decision", "partner_id", string="Risk Decisions", groups=USER_GROUP
    )
    rental_blacklist_history_ids = fields.One2many(
        "rental.risk.decision",
        "partner_id",
        string="Blacklist History",
        domain=[("kind", "in", BLACKLIST_KINDS)],
        groups=USER_GROUP,
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_risk_decision_ids")
    def _compute_rental_blacklist(self):
        latest = self.env["rental.risk.decision"]._latest(
            self._origin, "partner_id", ("blacklist", "blacklist_lift")
        )
        for partner in self:
            decision = latest.get(partner._origin.id)
            if not decision or decision.kind != "blacklist":
                decision = self.env["rental.risk.decision"]
            partner.rental_blacklist_decision_id = decision
            partner.rental_blacklisted = bool(decision)
            partner.rental_blacklist_category = decision.category
            partner.rental_blacklist_reason = decision.reason
            partner.rental_blacklisted_by_id = decision.user_id
            partner.rental_blacklisted_on = decision.date

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_blacklist(self):
        """Open the blacklist wizard (Risk Managers only, checked again by the wizard)."""
        self._rental_ensure_one()
        self._rental_risk_check_blacklist_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Blacklist Customer"),
            "res_model": "res.partner.blacklist",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_decision": "lift"
                if self.commercial_partner_id.sudo().rental_blacklisted
                else "set",
            },
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_check_blacklist_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Manager can blacklist a customer or lift a blacklist; ask one to "
                    "do it."
                )
            )

    def _rental_risk_set_blacklist(self, category, reason, attachments=None, automatic=False):
        """Blacklist the commercial partners of ``self`` with a reason and evidence; returns the
        partners newly blacklisted. ``automatic`` marks a decision of a scheduled trigger."""
        self._rental_risk_check_blacklist_manager()
        if not category or not (reason or "").strip():
            raise UserError(
                self.env._("Give a reason category and a text: a blacklist must say why.")
            )
        partners = self.commercial_partner_id.sudo().filtered(lambda p: not p.rental_blacklisted)
        if not partners:
            return partners
        self._rental_risk_record_blacklist_decision(
            partners, "blacklist", category, reason, attachments, automatic
        )
        partners._rental_risk_flag_lookalikes()
        partners._rental_risk_rescore()
        return partners

    def _rental_risk_lift_blacklist(self, reason):
        """Take the commercial partners of ``self`` off the blacklist; a reason is required and
        the decision is kept in the history."""
        self._rental_risk_check_blacklist_manager()
        if not (reason or "").strip():
            raise UserError(
                self.env._("Say why the blacklist is lifted: the reason is kept in the history.")
            )
        partners = self.commercial_partner_id.sudo().filtered("rental_blacklisted")
        if not partners:
            return partners
        self._rental_risk_record_blacklist_decision(partners, "blacklist_lift", False, reason)
        # Customers flagged only because they looked like this one are cleared too.
        self.sudo().search(
            [("rental_blacklist_match_id", "in", partners.ids)]
        )._rental_risk_set_match(False, False)
        partners._rental_risk_rescore()
        return partners

    @api.model
    def _rental_risk_record_blacklist_decision(
        self, partners, kind, category, reason, attachments=None, automatic=False
    ):
        """Decision record (with its audit event) and chatter note of a blacklist decision."""
        labels = dict(BLACKLIST_CATEGORIES)
        Decision = self.env["rental.risk.decision"]
        for partner in partners:
            company = partner._rental_risk_company()
            details = f"{labels.get(category, '')}: {reason}" if category else reason
            decision = Decision._record(
                kind,
                reason,
                partner=partner,
                company=company,
                category=category or False,
                attachments=attachments,
                automatic=automatic,
                details=details,
            )
            if kind == "blacklist":
                body = self.env._(
                    "Blacklisted by %(user)s (%(category)s): %(reason)s",
                    user=self.env.user.name,
                    category=labels.get(category, ""),
                    reason=reason,
                )
            elif kind == "blacklist_lift":
                body = self.env._(
                    "Blacklist lifted by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            else:
                body = self.env._("Blacklist proposed: %(reason)s", reason=reason)
            if kind == "blacklist_lift":
                partner.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
                continue
            # A blacklisting is a critical blacklist hit, a proposal a warning to decide on.
            company._rental_risk_alert(
                "blacklist_hit",
                "critical" if kind == "blacklist" else "warning",
                partner,
                partner,
                body,
                key=f"{decision._name},{decision.id}",
            )
