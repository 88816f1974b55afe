from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..engine.scoring import GRADES
from .rental_score_history import GRADE_SELECTION

USER_GROUP = "rental_risk.rental_risk_group_user"
OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
MANAGER_GROUP = "rental_risk.rental_risk_group_manager"


class ResPartner(models.Model):
    _inherit = "res.partner"

    rental_score = fields.Integer(
        string="Risk Score",
        readonly=True,
        copy=False,
        aggregator="avg",
        groups=USER_GROUP,
        help="0 (worst) to 100 (best), from payment behaviour, rentals and identity checks.",
    )
    rental_grade_computed = fields.Selection(
        GRADE_SELECTION,
        string="Computed Grade",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
        help="Grade given by the score, before any manual override.",
    )
    rental_grade = fields.Selection(
        GRADE_SELECTION,
        string="Risk Grade",
        compute="_compute_rental_grade",
        store=True,
        index=True,
        copy=False,
        groups=USER_GROUP,
        help="Grade in force: the override while it lasts, otherwise the computed grade.",
    )
    rental_grade_override = fields.Selection(
        GRADE_SELECTION,
        string="Overridden Grade",
        readonly=True,
        copy=False,
        tracking=True,
        groups=USER_GROUP,
    )
    rental_grade_override_reason = fields.Char(
        string="Override Reason", readonly=True, copy=False, tracking=True, groups=OFFICER_GROUP
    )
    rental_grade_override_until = fields.Date(
        string="Override Until",
        readonly=True,
        copy=False,
        tracking=True,
        groups=OFFICER_GROUP,
        help="Last day the override applies; the daily rescoring ends it afterwards.",
    )
    rental_grade_override_user_id = fields.Many2one(
        "res.users", string="Overridden By", readonly=True, copy=False, groups=OFFICER_GROUP
    )
    rental_score_explanation = fields.Text(
        string="Score Explanation", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_scored_at = fields.Datetime(
        string="Last Scored", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_score_history_ids = fields.One2many(
        "rental.score.history", "partner_id", string="Score History", groups=USER_GROUP
    )
    rental_currency_id = fields.Many2one(
        "res.currency", string="Risk Currency", compute="_compute_rental_currency_id"
    )
    rental_credit_limit = fields.Monetary(
        currency_field="rental_currency_id",
        compute="_compute_rental_credit_limit",
        store=True,
        readonly=False,
        copy=False,
        groups=USER_GROUP,
        help="Follows the grade table of the company unless set by hand.",
    )
    rental_credit_limit_manual = fields.Boolean(
        string="Limit Set by Hand",
        copy=False,
        groups=USER_GROUP,
        help="Keep this limit when the grade changes instead of following the grade table.",
    )
    rental_exposure = fields.Monetary(
        string="Exposure",
        currency_field="rental_currency_id",
        compute="_compute_rental_exposure",
        groups=USER_GROUP,
        help="Open receivables + confirmed orders not yet invoiced + replacement value of the "
        "assets out with the customer - deposits held, in company currency.",
    )
    rental_available_credit = fields.Monetary(
        string="Available Credit",
        currency_field="rental_currency_id",
        compute="_compute_rental_exposure",
        groups=USER_GROUP,
    )
    # Snapshots refreshed by every rescoring, so lists and graphs can sort, filter and sum them.
    rental_exposure_at_scoring = fields.Monetary(
        string="Exposure (Last Scoring)",
        currency_field="rental_currency_id",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_available_credit_at_scoring = fields.Monetary(
        string="Available Credit (Last Scoring)",
        currency_field="rental_currency_id",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_commercial_grade = fields.Selection(
        related="commercial_partner_id.rental_grade", string="Company Risk Grade"
    )
    rental_commercial_score = fields.Integer(
        related="commercial_partner_id.rental_score", string="Company Risk Score"
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_grade_computed", "rental_grade_override")
    def _compute_rental_grade(self):
        for partner in self:
            partner.rental_grade = partner.rental_grade_override or partner.rental_grade_computed

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_rental_currency_id(self):
        for partner in self:
            partner.rental_currency_id = partner._rental_risk_company().currency_id

    @api.depends("rental_grade", "rental_credit_limit_manual", "company_id")
    def _compute_rental_credit_limit(self):
        companies = self.env["res.company"].browse(
            {partner._rental_risk_company().id for partner in self}
        )
        limits = self.env["rental.grade.limit"]._get_limits(companies)
        for partner in self:
            if partner.rental_credit_limit_manual:
                partner.rental_credit_limit = partner.rental_credit_limit
            elif partner.rental_grade:
                company = partner._rental_risk_company()
                partner.rental_credit_limit = limits[company.id][partner.rental_grade]
            else:
                partner.rental_credit_limit = 0.0

    @api.depends_context("company")
    def _compute_rental_exposure(self):
        commercial = self.commercial_partner_id.filtered("id")
        exposures = self.env["rental.credit.facts"]._get_exposure(commercial.ids)
        for partner in self:
            partner_commercial = partner.commercial_partner_id
            exposure = exposures.get(partner_commercial.id, {}).get("total", 0.0)
            partner.rental_exposure = exposure
            partner.rental_available_credit = partner.rental_currency_id.round(
                partner_commercial.rental_credit_limit - exposure
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_rescore(self):
        """Rescore the customer now (button on the Risk tab)."""
        self._rental_risk_rescore()
        return True

    def action_rental_risk_override(self):
        """Open the override wizard (Risk Managers only, checked again by the wizard)."""
        self.ensure_one()
        self._rental_risk_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Risk Grade"),
            "res_model": "res.partner.risk.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_rental_risk_end_override(self):
        """End the override now and go back to the computed grade."""
        self._rental_risk_check_manager()
        self._rental_risk_end_override(
            self.env._("Grade override ended by %(user)s.", user=self.env.user.name)
        )
        return True

    def action_rental_risk_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_score_history_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Business methods: grade overrides
    # ------------------------------------------------------------------

    def _rental_risk_check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Manager can override a customer's risk grade; ask one to do it."
                )
            )

    def _rental_risk_set_override(self, grade, reason, until):
        """Force ``grade`` until ``until`` (inclusive) on the commercial partners, with a note."""
        self._rental_risk_check_manager()
        if grade not in GRADES:
            raise UserError(self.env._("Choose a grade from A to E for the override."))
        if not reason or not until:
            raise UserError(
                self.env._(
                    "Give a reason and an end date: an override must say why and when it ends."
                )
            )
        if until < fields.Date.context_today(self):
            raise UserError(
                self.env._("The override end date is in the past; choose a later date.")
            )
        partners = self.commercial_partner_id
        old_grades = {partner.id: partner.rental_grade for partner in partners}
        partners.write(
            {
                "rental_grade_override": grade,
                "rental_grade_override_reason": reason,
                "rental_grade_override_until": until,
                "rental_grade_override_user_id": self.env.user.id,
            }
        )
        for partner in partners:
            partner.message_post(
                body=self.env._(
                    "Risk grade overridden from %(old)s to %(new)s until %(until)s by %(user)s: "
                    "%(reason)s",
                    old=old_grades[partner.id] or "-",
                    new=grade,
                    until=fields.Date.to_string(until),
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _rental_risk_end_override(self, message):
        partners = self.commercial_partner_id.filtered("rental_grade_override")
        if not partners:
            return
        partners.sudo().write(
            {
                "rental_grade_override": False,
                "rental_grade_override_reason": False,
                "rental_grade_override_until": False,
                "rental_grade_override_user_id": False,
            }
        )
        for partner in partners:
            partner.message_post(body=message, subtype_xmlid="mail.mt_note")

    @api.model
    def _rental_risk_end_expired_overrides(self):
        """End the overrides whose last day has passed; the grade goes back to the computed one."""
        today = fields.Date.context_today(self)
        expired = self.sudo().search(
            [("rental_grade_override", "!=", False), ("rental_grade_override_until", "<", today)]
        )
        expired._rental_risk_end_override(
            self.env._("Grade override expired; the computed grade applies again.")
        )
        return expired

    # ------------------------------------------------------------------
    # Business methods: rescoring
    # ------------------------------------------------------------------

    def _rental_risk_company(self):
        """Company whose settings and currency apply to this partner's risk."""
        return self.company_id or self.env.company

    def _rental_risk_rescore(self):
        """Rescore the commercial partners of ``self`` now (events: invoice posted, payment
        reconciled, late return, lost asset, order confirmed). Set-based for the whole set."""
        self.env["rental.credit.rescoring"]._rescore(self.commercial_partner_id.ids)
