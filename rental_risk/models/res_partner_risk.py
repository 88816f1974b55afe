from odoo import fields, models
from odoo.tools import SQL


def _protected_fields(env):
    """{field: what to do instead} of the customer's risk fields nobody writes directly."""
    scoring = env._(
        "Scores, grades, explanations and exposure snapshots are computed by the rescoring: "
        "use Rescore Now on the customer's Risk tab."
    )
    override = env._("Use Override Grade on the customer's Risk tab (Risk Managers).")
    limit = env._("Use Set Credit Limit on the customer's Risk tab (Risk Managers).")
    blacklist = env._("Use Blacklist or Lift Blacklist on the customer (Risk Managers).")
    match = env._(
        "Possible blacklist matches are found by the identity matching; a Risk Officer "
        "dismisses one with Not the Same Customer."
    )
    kyc = env._(
        "Enter the identity document, then use Verify Identity on the customer (Risk Officers)."
    )
    history = env._(
        "The score history and the risk decisions are kept as they were made; make a new "
        "decision with its button."
    )
    identity = env._(
        "They are computed from the customer's phone, e-mail, tax id, document and address."
    )
    return {
        "rental_score": scoring,
        "rental_grade_computed": scoring,
        "rental_grade": scoring,
        "rental_score_explanation": scoring,
        "rental_scored_at": scoring,
        "rental_exposure_at_scoring": scoring,
        "rental_available_credit_at_scoring": scoring,
        "rental_overdue_at_scoring": scoring,
        "rental_commercial_grade": scoring,
        "rental_commercial_score": scoring,
        "rental_risk_locked_at": scoring,
        "rental_grade_override": override,
        "rental_grade_override_reason": override,
        "rental_grade_override_until": override,
        "rental_grade_override_user_id": override,
        "rental_credit_limit": limit,
        "rental_credit_limit_manual": limit,
        "rental_credit_limit_decision_id": limit,
        "rental_blacklisted": blacklist,
        "rental_blacklist_category": blacklist,
        "rental_blacklist_reason": blacklist,
        "rental_blacklist_attachment_ids": blacklist,
        "rental_blacklisted_by_id": blacklist,
        "rental_blacklisted_on": blacklist,
        "rental_blacklist_decision_id": blacklist,
        "rental_blacklist_match_id": match,
        "rental_blacklist_match_reason": match,
        "rental_blacklist_match_ignore_ids": match,
        "rental_kyc_verified": kyc,
        "rental_kyc_verified_by_id": kyc,
        "rental_kyc_verified_on": kyc,
        "rental_score_history_ids": history,
        "rental_risk_decision_ids": history,
        "rental_blacklist_history_ids": history,
        "rental_phone_norm": identity,
        "rental_mobile_norm": identity,
        "rental_email_norm": identity,
        "rental_vat_norm": identity,
        "rental_id_number_norm": identity,
        "rental_address_norm": identity,
        "rental_phone_national": identity,
        "rental_mobile_national": identity,
        "rental_phone_loose": identity,
        "rental_mobile_loose": identity,
    }


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "rental.risk.protected.mixin"]

    rental_risk_locked_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="Written by every order confirmation check, so that two transactions confirming "
        "orders of one customer at once cannot both pass the credit limit check.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _rental_protected_fields(self):
        return _protected_fields(self.env)

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        # A sender without an e-mail never blocks the action that posts (see base.py).
        author_id, email_from = super()._message_compute_author(
            author_id=author_id, email_from=email_from, raise_on_email=False
        )
        return self._rental_message_author(author_id, email_from)

    # ------------------------------------------------------------------
    # Business methods: confirmation check
    # ------------------------------------------------------------------

    def _rental_risk_effective_limit(self):
        """Credit limit of the commercial partner ``self``: a customer not scored yet gets the
        limit of the neutral grade, as the settings promise new customers."""
        self.ensure_one()
        partner = self.sudo()
        # A hand-set limit rescored the customer at once: a customer with a limit has a grade.
        if partner.rental_grade:
            return partner.rental_credit_limit
        company = partner._rental_risk_company()
        return self.env["rental.grade.limit"]._get_limits(company)[company.id]["C"]

    def _rental_risk_lock_rows(self):
        """Serialise the confirmation checks of ``self`` (commercial partners).

        The UPDATE takes the row lock, so a second transaction checking the same customer waits
        for the first to end; and since the first changed the row, PostgreSQL then refuses the
        second (REPEATABLE READ: "could not serialize access due to concurrent update"). Odoo
        retries such requests from the start, and the retry sees the first order confirmed: two
        orders can never pass the credit limit check together.
        """
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET rental_risk_locked_at = NOW() AT TIME ZONE 'UTC' "
                    "WHERE id = ANY(%s)",
                    sorted(self.ids),
                )
            )
