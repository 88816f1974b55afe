from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..engine.identity import normalize_id_number

USER_GROUP = "rental_risk.rental_risk_group_user"
OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
#: Identity document types checked by KYC.
KYC_ID_TYPES = [
    ("passport", "Passport"),
    ("national_id", "National ID Card"),
    ("driving_licence", "Driving Licence"),
    ("company_registration", "Company Registration"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # What KYC checks: the document, and who verified it when. The scoring rewards a verified
    # identity; the blacklist matching reads the document number. "Verified" is computed from
    # the Risk Officers' decisions and holds only for the document they checked.
    rental_kyc_id_type = fields.Selection(
        KYC_ID_TYPES, string="ID Document", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_kyc_id_number = fields.Char(
        string="ID Document Number", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_kyc_verified = fields.Boolean(
        string="Identity Verified (KYC)",
        compute="_compute_rental_kyc_verified",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_kyc_verified_by_id = fields.Many2one(
        "res.users",
        string="Identity Verified By",
        compute="_compute_rental_kyc_verified",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_kyc_verified_on = fields.Datetime(
        string="Identity Verified On",
        compute="_compute_rental_kyc_verified",
        store=True,
        copy=False,
        groups=USER_GROUP,
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_risk_decision_ids", "rental_kyc_id_type", "rental_kyc_id_number")
    def _compute_rental_kyc_verified(self):
        latest = self.env["rental.risk.decision"]._latest(
            self._origin, "partner_id", ("kyc_verify",)
        )
        for partner in self:
            decision = latest.get(partner._origin.id)
            document = partner._rental_kyc_document()
            valid = bool(decision) and bool(document) and decision.document == document
            partner.rental_kyc_verified = valid
            partner.rental_kyc_verified_by_id = decision.user_id if valid else False
            partner.rental_kyc_verified_on = decision.date if valid else False

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_kyc_verify(self):
        """Record that a Risk Officer checked the identity document now."""
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Officer can mark a customer's identity as verified; ask one to "
                    "check the documents."
                )
            )
        for partner in self.sudo():
            if not partner.rental_kyc_id_type or not partner.rental_kyc_id_number:
                raise UserError(
                    self.env._(
                        "Enter the identity document type and number of %(partner)s before "
                        "verifying it.",
                        partner=partner.display_name,
                    )
                )
        for partner in self.sudo():
            self.env["rental.risk.decision"]._record(
                "kyc_verify",
                self.env._(
                    "%(type)s %(number)s checked.",
                    type=dict(KYC_ID_TYPES)[partner.rental_kyc_id_type],
                    number=partner.rental_kyc_id_number,
                ),
                partner=partner,
                exact_partner=True,
                document=partner._rental_kyc_document(),
            )
        self._rental_risk_rescore()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_kyc_document(self):
        """The document a verification holds for: type and normalised number."""
        self.ensure_one()
        partner = self.sudo()
        number = normalize_id_number(partner.rental_kyc_id_number)
        return (
            f"{partner.rental_kyc_id_type}:{number}"
            if partner.rental_kyc_id_type and number
            else ""
        )
