from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
MANAGER_GROUP = "rental_risk.rental_risk_group_manager"
#: Risk inputs only Risk Managers may change (the KYC flag needs a Risk Officer).
RISK_MANAGER_FIELDS = (
    "rental_credit_limit",
    "rental_credit_limit_manual",
    "rental_blacklisted",
    "rental_grade_override",
    "rental_grade_override_reason",
    "rental_grade_override_until",
    "rental_grade_override_user_id",
)
#: Blacklist details set only through the blacklist wizard (Risk Managers).
BLACKLIST_FIELDS = (
    "rental_blacklist_category",
    "rental_blacklist_reason",
    "rental_blacklist_attachment_ids",
    "rental_blacklisted_by_id",
    "rental_blacklisted_on",
    "rental_blacklist_match_id",
    "rental_blacklist_match_ignore_ids",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    rental_risk_locked_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="Written by every order confirmation check, so that two transactions confirming "
        "orders of one customer at once cannot both pass the credit limit check.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        self._rental_risk_check_write(vals)
        return super().write(vals)

    def _rental_risk_check_write(self, vals):
        """Refuse risk inputs to users below the group that owns them (the ORM is reachable by
        RPC, so hiding the fields in the view is not enough). Values sent unchanged, as a form
        does after an onchange, are let through."""
        if self.env.su:
            return
        changed = self._rental_risk_changed_fields(vals)
        # Blacklist details are readonly in every view: any value sent for them is a change.
        changed |= set(vals) & set(BLACKLIST_FIELDS)
        manager_fields = {*RISK_MANAGER_FIELDS, *BLACKLIST_FIELDS}
        if (
            "rental_kyc_verified_by_id" in vals or "rental_kyc_verified_on" in vals
        ) and not self.env.user.has_group(OFFICER_GROUP):
            changed.add("rental_kyc_verified")
        if changed & manager_fields and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Manager can change a customer's credit limit, blacklist or "
                    "grade override; ask one to do it."
                )
            )
        if "rental_kyc_verified" in changed and not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Officer can mark a customer's identity as verified; ask one to "
                    "check the documents."
                )
            )

    def _rental_risk_changed_fields(self, vals):
        """Names of the guarded risk fields ``vals`` would actually change on ``self``."""
        changed = set()
        for fname in (*RISK_MANAGER_FIELDS, "rental_kyc_verified"):
            if fname not in vals:
                continue
            field = self._fields[fname]
            for partner in self.sudo():
                new = field.convert_to_record(field.convert_to_cache(vals[fname], partner), partner)
                if new != partner[fname]:
                    changed.add(fname)
                    break
        return changed

    # ------------------------------------------------------------------
    # Business methods: confirmation check
    # ------------------------------------------------------------------

    def _rental_risk_effective_limit(self):
        """Credit limit of the commercial partner ``self``: a customer not scored yet gets the
        limit of the neutral grade, as the settings promise new customers."""
        self.ensure_one()
        partner = self.sudo()
        if partner.rental_grade or partner.rental_credit_limit_manual:
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
