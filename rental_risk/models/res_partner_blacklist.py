from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from .rental_blacklist_entry import BLACKLIST_CATEGORIES

USER_GROUP = "rental_risk.rental_risk_group_user"
MANAGER_GROUP = "rental_risk.rental_risk_group_manager"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The blacklist decision of the moment lives here; every decision, lifted ones included,
    # stays in rental.blacklist.entry and the risk events.
    rental_blacklisted = fields.Boolean(
        string="Blacklisted", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_blacklist_category = fields.Selection(
        BLACKLIST_CATEGORIES,
        string="Blacklist Reason",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklist_reason = fields.Text(
        string="Blacklist Details", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_blacklist_attachment_ids = fields.Many2many(
        "ir.attachment",
        "res_partner_rental_blacklist_attachment_rel",
        "partner_id",
        "attachment_id",
        string="Blacklist Evidence",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklisted_by_id = fields.Many2one(
        "res.users", string="Blacklisted By", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_blacklisted_on = fields.Datetime(
        string="Blacklisted On", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_blacklist_entry_ids = fields.One2many(
        "rental.blacklist.entry", "partner_id", string="Blacklist History", groups=USER_GROUP
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        direct = self.env["res.partner"]
        if "rental_blacklisted" in vals and not self.env.context.get("rental_blacklist_decision"):
            direct = self.sudo().filtered(
                lambda p: p.rental_blacklisted != vals["rental_blacklisted"]
            )
        res = super().write(vals)
        if direct:
            # Kept in the history even when set without the blacklist wizard (imports, RPC).
            self._rental_risk_record_blacklist_decision(
                direct,
                "set" if vals["rental_blacklisted"] else "lift",
                "other" if vals["rental_blacklisted"] else False,
                self.env._("Changed directly on the customer, without the blacklist wizard."),
            )
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_blacklist(self):
        """Open the blacklist wizard (Risk Managers only, checked again by the wizard)."""
        self.ensure_one()
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
                if self.commercial_partner_id.rental_blacklisted
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
        attachments = attachments or self.env["ir.attachment"]
        now = fields.Datetime.now()
        partners.with_context(rental_blacklist_decision=True).write(
            {
                "rental_blacklisted": True,
                "rental_blacklist_category": category,
                "rental_blacklist_reason": reason,
                "rental_blacklist_attachment_ids": [Command.set(attachments.ids)],
                "rental_blacklisted_by_id": self.env.user.id,
                "rental_blacklisted_on": now,
            }
        )
        self._rental_risk_record_blacklist_decision(
            partners, "set", category, reason, attachments, automatic
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
        partners.with_context(rental_blacklist_decision=True).write(
            {
                "rental_blacklisted": False,
                "rental_blacklist_category": False,
                "rental_blacklist_reason": False,
                "rental_blacklist_attachment_ids": [Command.clear()],
                "rental_blacklisted_by_id": False,
                "rental_blacklisted_on": False,
            }
        )
        self._rental_risk_record_blacklist_decision(partners, "lift", False, reason)
        # Customers flagged only because they looked like this one are cleared too.
        self.sudo().search([("rental_blacklist_match_id", "in", partners.ids)]).write(
            {"rental_blacklist_match_id": False, "rental_blacklist_match_reason": False}
        )
        partners._rental_risk_rescore()
        return partners

    @api.model
    def _rental_risk_record_blacklist_decision(
        self, partners, decision, category, reason, attachments=None, automatic=False
    ):
        """History entry, audit event and chatter note of a blacklist decision."""
        attachments = attachments or self.env["ir.attachment"]
        Entry = self.env["rental.blacklist.entry"].sudo()
        event_type = {
            "set": "blacklist",
            "lift": "blacklist_lift",
            "proposal": "blacklist_proposal",
        }
        labels = dict(BLACKLIST_CATEGORIES)
        for partner in partners:
            company = partner._rental_risk_company()
            Entry.create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "decision": decision,
                    "category": category,
                    "reason": reason,
                    "attachment_ids": [Command.set(attachments.ids)],
                    "automatic": automatic,
                    "user_id": self.env.user.id,
                }
            )
            details = f"{labels.get(category, '')}: {reason}" if category else reason
            self.env["rental.risk.event"]._log(
                event_type[decision], partner=partner, details=details, company=company
            )
            if decision == "set":
                body = self.env._(
                    "Blacklisted by %(user)s (%(category)s): %(reason)s",
                    user=self.env.user.name,
                    category=labels.get(category, ""),
                    reason=reason,
                )
            elif decision == "lift":
                body = self.env._(
                    "Blacklist lifted by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            else:
                body = self.env._("Blacklist proposed: %(reason)s", reason=reason)
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
