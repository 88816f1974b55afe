from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..engine.bounds import is_amount
from ..engine.scoring import GRADES
from .rental_score_history import GRADE_SELECTION

USER_GROUP = "rental_risk.rental_risk_group_user"
OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
MANAGER_GROUP = "rental_risk.rental_risk_group_manager"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # A customer shared by several companies is scored once per company, with that company's
    # facts, settings and currency: the scoring figures are company-dependent (one value per
    # company, read for the current company). Rescoring writes them with SQL, for every
    # customer every night: they go without Odoo's default "not null" index of
    # company-dependent columns, which no filter uses (the customer lists use the per-company
    # indexes of res_partner_filter_index) and which each rewrite of a row had to update.
    rental_score = fields.Integer(
        string="Risk Score",
        company_dependent=True,
        index=False,
        readonly=True,
        aggregator="avg",
        groups=USER_GROUP,
        help="0 (worst) to 100 (best), from payment behaviour, rentals and identity checks.",
    )
    rental_grade_computed = fields.Selection(
        GRADE_SELECTION,
        string="Computed Grade",
        company_dependent=True,
        index=False,
        readonly=True,
        groups=USER_GROUP,
        help="Grade given by the score, before any manual override.",
    )
    rental_grade = fields.Selection(
        GRADE_SELECTION,
        string="Risk Grade",
        company_dependent=True,
        index=False,
        readonly=True,
        groups=USER_GROUP,
        help="Grade in force: the override while it lasts, otherwise the computed grade.",
    )
    # The override in force in the current company, computed from the Risk Managers'
    # decisions (rental.risk.decision).
    rental_grade_override = fields.Selection(
        GRADE_SELECTION,
        string="Overridden Grade",
        compute="_compute_rental_grade_override",
        search="_search_rental_grade_override",
        groups=USER_GROUP,
    )
    rental_grade_override_reason = fields.Char(
        string="Override Reason", compute="_compute_rental_grade_override", groups=OFFICER_GROUP
    )
    rental_grade_override_until = fields.Date(
        string="Override Until",
        compute="_compute_rental_grade_override",
        groups=OFFICER_GROUP,
        help="Last day the override applies; the daily rescoring ends it afterwards.",
    )
    rental_grade_override_user_id = fields.Many2one(
        "res.users",
        string="Overridden By",
        compute="_compute_rental_grade_override",
        groups=OFFICER_GROUP,
    )
    rental_score_explanation = fields.Text(
        string="Score Explanation",
        company_dependent=True,
        index=False,
        readonly=True,
        groups=USER_GROUP,
    )
    rental_scored_at = fields.Datetime(
        string="Last Scored", company_dependent=True, index=False, readonly=True, groups=USER_GROUP
    )
    rental_score_history_ids = fields.One2many(
        "rental.score.history", "partner_id", string="Score History", groups=USER_GROUP
    )
    rental_currency_id = fields.Many2one(
        "res.currency", string="Risk Currency", compute="_compute_rental_currency_id"
    )
    rental_credit_limit = fields.Float(
        company_dependent=True,
        index=False,
        readonly=True,
        digits="Account",
        # A cap per customer: a total of caps means nothing, so lists and reports do not sum it.
        aggregator=None,
        groups=USER_GROUP,
        help="Follows the grade table of the company unless a Risk Manager set it by hand; in "
        "the company's currency.",
    )
    rental_credit_limit_manual = fields.Boolean(
        string="Limit Set by Hand",
        compute="_compute_rental_credit_limit_manual",
        groups=USER_GROUP,
        help="A Risk Manager set this limit by hand: it stays when the grade changes.",
    )
    rental_credit_limit_decision_id = fields.Many2one(
        "rental.risk.decision",
        string="Limit Decision",
        compute="_compute_rental_credit_limit_manual",
        groups=USER_GROUP,
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
        aggregator=None,
        compute="_compute_rental_exposure",
        groups=USER_GROUP,
    )
    # Snapshots refreshed by every rescoring, so lists and graphs can sort, filter and sum them.
    rental_exposure_at_scoring = fields.Float(
        string="Exposure (Last Scoring)",
        company_dependent=True,
        index=False,
        readonly=True,
        digits="Account",
        groups=USER_GROUP,
    )
    rental_available_credit_at_scoring = fields.Float(
        string="Available Credit (Last Scoring)",
        company_dependent=True,
        index=False,
        readonly=True,
        digits="Account",
        aggregator=None,
        groups=USER_GROUP,
    )
    rental_overdue_at_scoring = fields.Float(
        string="Overdue (Last Scoring)",
        company_dependent=True,
        index=False,
        readonly=True,
        digits="Account",
        groups=USER_GROUP,
        help="Receivables past their due date at the last scoring, in company currency.",
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

    @api.depends("rental_risk_decision_ids")
    @api.depends_context("company")
    def _compute_rental_grade_override(self):
        latest = self.env["rental.risk.decision"]._latest(
            self._origin,
            "partner_id",
            ("grade_override", "grade_override_end"),
            company=self.env.company,
        )
        for partner in self:
            decision = latest.get(partner._origin.id)
            if not decision or decision.kind != "grade_override":
                decision = self.env["rental.risk.decision"]
            partner.rental_grade_override = decision.grade
            partner.rental_grade_override_reason = decision.reason
            partner.rental_grade_override_until = decision.date_until
            partner.rental_grade_override_user_id = decision.user_id

    def _search_rental_grade_override(self, operator, value):
        if operator not in ("=", "!=") or value is not False:
            return NotImplemented
        overridden = self.env["rental.risk.decision"]._in_force_ids(
            ("grade_override", "grade_override_end"), "grade_override", self.env.company
        )
        return [("id", "in" if operator == "!=" else "not in", overridden)]

    @api.depends("rental_risk_decision_ids")
    @api.depends_context("company")
    def _compute_rental_credit_limit_manual(self):
        latest = self.env["rental.risk.decision"]._latest(
            self._origin,
            "partner_id",
            ("credit_limit", "credit_limit_reset"),
            company=self.env.company,
        )
        for partner in self:
            decision = latest.get(partner._origin.id)
            if not decision or decision.kind != "credit_limit":
                decision = self.env["rental.risk.decision"]
            partner.rental_credit_limit_decision_id = decision
            partner.rental_credit_limit_manual = bool(decision)

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_rental_currency_id(self):
        for partner in self:
            partner.rental_currency_id = partner._rental_risk_company().currency_id

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
        """Rescore the customer now (button on the Risk tab), and say so in the audit trail."""
        for partner in self.commercial_partner_id:
            self.env["rental.risk.event"]._log(
                "rescore",
                partner=partner,
                details=self.env._("Rescored by hand by %(user)s.", user=self.env.user.name),
            )
        self._rental_risk_rescore()
        if len(self.commercial_partner_id) != 1:
            return True
        customer = self.commercial_partner_id
        return self._rental_notification(
            self.env._("Rescored"),
            self.env._(
                "%(customer)s now scores %(score)s, grade %(grade)s.",
                customer=customer.display_name,
                score=customer.rental_score,
                grade=customer.rental_grade or self.env._("none"),
            ),
            "success",
        )

    def action_rental_risk_set_limit(self):
        """Open the credit limit wizard (Risk Managers only, checked again when applying)."""
        self._rental_ensure_one()
        self._rental_risk_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set Credit Limit"),
            "res_model": "res.partner.credit.limit",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_rental_risk_override(self):
        """Open the override wizard (Risk Managers only, checked again by the wizard)."""
        self._rental_ensure_one()
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
        self._rental_ensure_one()
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
                    "Only a Risk Manager can override a customer's risk grade or credit limit; "
                    "ask one to do it."
                )
            )

    def _rental_risk_check_not_own_customer(self):
        """Separation of duties: the customer's own salesperson does not decide on its risk."""
        own = self.commercial_partner_id.sudo().filtered(lambda p: p.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "You are the salesperson of %(customers)s: another Risk Manager must decide "
                    "on its grade or credit limit.",
                    customers=", ".join(own.mapped("display_name")),
                )
            )

    def _rental_risk_set_override(self, grade, reason, until):
        """Force ``grade`` until ``until`` (inclusive) on the commercial partners, with a note."""
        self._rental_risk_check_manager()
        self._rental_risk_check_not_own_customer()
        if grade not in GRADES:
            raise UserError(self.env._("Choose a grade from A to E for the override."))
        if not (reason or "").strip() or not until:
            raise UserError(
                self.env._(
                    "Give a reason and an end date: an override must say why and when it ends."
                )
            )
        until = fields.Date.to_date(until)
        if until < fields.Date.context_today(self):
            raise UserError(
                self.env._("The override end date is in the past; choose a later date.")
            )
        for partner in self.commercial_partner_id.sudo():
            company = partner._rental_risk_company()
            old_grade = partner.with_company(company).rental_grade
            self.env["rental.risk.decision"]._record(
                "grade_override",
                reason,
                partner=partner,
                company=company,
                grade=grade,
                date_until=until,
                details=self.env._(
                    "Grade %(old)s overridden to %(new)s until %(until)s: %(reason)s",
                    old=old_grade or "-",
                    new=grade,
                    until=fields.Date.to_string(until),
                    reason=reason,
                ),
            )
            partner.message_post(
                body=self.env._(
                    "Risk grade overridden from %(old)s to %(new)s until %(until)s by %(user)s: "
                    "%(reason)s",
                    old=old_grade or "-",
                    new=grade,
                    until=fields.Date.to_string(until),
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            # The grade in force changes now, not at the next nightly rescoring.
            partner._rental_risk_rescore(company=company)

    def _rental_risk_end_override(self, message, automatic=False, company=None):
        """End the override in force on the commercial partners (in their own company, or in
        ``company`` for shared ones)."""
        for partner in self.commercial_partner_id.sudo():
            target = partner.company_id or company or self.env.company
            if not partner.with_company(target).rental_grade_override:
                continue
            self.env["rental.risk.decision"]._record(
                "grade_override_end",
                message,
                partner=partner,
                company=target,
                automatic=automatic,
            )
            partner.message_post(body=message, subtype_xmlid="mail.mt_note")
            partner._rental_risk_rescore(company=target)

    @api.model
    def _rental_risk_end_expired_overrides(self):
        """End the overrides whose last day has passed, in every company; the grade goes back
        to the computed one."""
        today = fields.Date.context_today(self)
        Decision = self.env["rental.risk.decision"].sudo()
        expired = self.browse()
        for partner_id, company_id, decision_id in Decision._in_force(
            ("grade_override", "grade_override_end"), "grade_override"
        ):
            if Decision.browse(decision_id).date_until >= today:
                continue
            partner = self.sudo().browse(partner_id)
            partner._rental_risk_end_override(
                self.env._("Grade override expired; the computed grade applies again."),
                automatic=True,
                company=self.env["res.company"].browse(company_id),
            )
            expired |= partner
        return expired

    def _rental_risk_set_credit_limit(self, amount, reason):
        """Set the credit limit of the commercial partners by hand (``amount`` in company
        currency), or let it follow the grade table again (``amount`` None)."""
        self._rental_risk_check_manager()
        self._rental_risk_check_not_own_customer()
        if not (reason or "").strip():
            raise UserError(
                self.env._("Say why the credit limit changes: the reason is kept in the history.")
            )
        if amount is not None and not is_amount(amount):
            raise UserError(
                self.env._(
                    "Enter a credit limit between 0 and 1,000,000,000,000; %(amount)s is not one.",
                    amount=amount,
                )
            )
        for partner in self.commercial_partner_id.sudo():
            company = partner._rental_risk_company()
            partner = partner.with_company(company)
            if amount is None:
                if not partner.rental_credit_limit_manual:
                    continue
                kind = "credit_limit_reset"
                details = self.env._(
                    "Credit limit follows the grade again: %(reason)s", reason=reason
                )
            else:
                kind = "credit_limit"
                details = self.env._(
                    "Credit limit set by hand from %(old)s to %(new)s: %(reason)s",
                    old=company.currency_id.format(partner.rental_credit_limit),
                    new=company.currency_id.format(amount),
                    reason=reason,
                )
            self.env["rental.risk.decision"]._record(
                kind,
                reason,
                partner=partner,
                company=company,
                amount=amount or 0.0,
                currency_id=company.currency_id.id,
                details=details,
            )
            partner.message_post(body=details, subtype_xmlid="mail.mt_note")
            partner._rental_risk_rescore(company=company)

    # ------------------------------------------------------------------
    # Business methods: rescoring
    # ------------------------------------------------------------------

    def _rental_risk_company(self):
        """Company whose settings and currency apply to this partner's risk."""
        return self.company_id or self.env.company

    def _rental_risk_rescore(self, company=None):
        """Rescore the commercial partners of ``self`` now (events: invoice posted, payment
        reconciled, late return, lost asset, order confirmed), each in its own company; a
        shared one in ``company`` (the event's), by default in the current company and every
        company that scored it. Set-based for the whole set."""
        self.env["rental.credit.rescoring"]._rescore(self.commercial_partner_id.ids, company)
