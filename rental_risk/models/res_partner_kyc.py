from odoo import fields, models
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
    # identity; the blacklist matching reads the document number.
    rental_kyc_verified = fields.Boolean(
        string="Identity Verified (KYC)", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_kyc_id_type = fields.Selection(
        KYC_ID_TYPES, string="ID Document", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_kyc_id_number = fields.Char(
        string="ID Document Number", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_kyc_verified_by_id = fields.Many2one(
        "res.users", string="Identity Verified By", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_kyc_verified_on = fields.Datetime(
        string="Identity Verified On", readonly=True, copy=False, groups=USER_GROUP
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        # A verified identity stays verified only for the document that was checked.
        unverify = self.env["res.partner"]
        if "rental_kyc_id_number" in vals and not vals.get("rental_kyc_verified"):
            unverify = self.sudo().filtered(
                lambda p: p.rental_kyc_verified
                and normalize_id_number(p.rental_kyc_id_number)
                != normalize_id_number(vals["rental_kyc_id_number"])
            )
        res = super().write(vals)
        if unverify:
            unverify.sudo().write(
                {
                    "rental_kyc_verified": False,
                    "rental_kyc_verified_by_id": False,
                    "rental_kyc_verified_on": False,
                }
            )
        return res

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
        for partner in self:
            if not partner.rental_kyc_id_type or not partner.rental_kyc_id_number:
                raise UserError(
                    self.env._(
                        "Enter the identity document type and number of %(partner)s before "
                        "verifying it.",
                        partner=partner.display_name,
                    )
                )
        # Risk Officers may not edit contacts in general: the group was checked above.
        self.sudo().write(
            {
                "rental_kyc_verified": True,
                "rental_kyc_verified_by_id": self.env.user.id,
                "rental_kyc_verified_on": fields.Datetime.now(),
            }
        )
        for partner in self:
            self.env["rental.risk.event"]._log(
                "kyc",
                partner=partner,
                details=self.env._(
                    "%(type)s %(number)s checked.",
                    type=dict(KYC_ID_TYPES)[partner.rental_kyc_id_type],
                    number=partner.rental_kyc_id_number,
                ),
            )
        self._rental_risk_rescore()
        return True
