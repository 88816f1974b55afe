from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_loss_depreciation_years = fields.Integer(
        string="Depreciate Lost Assets Over (Years)",
        help="Loss claims charge the replacement value depreciated straight-line over this "
        "many years since the asset's acquisition date; 0 charges the full replacement value.",
    )
    rental_claim_invoice_post = fields.Boolean(
        string="Post Claim Invoices",
        help="Post the invoice of a damage or loss claim as soon as it is created. Off (the "
        "default), the invoice stays a draft that an accountant reviews and posts.",
    )
    rental_loss_proposal_days = fields.Integer(
        string="Propose Loss After (Days)",
        default=14,
        help="When gear is this many days late, the late returns action asks the salesperson "
        "whether to declare it lost; 0 never asks.",
    )

    @api.constrains("rental_loss_depreciation_years", "rental_loss_proposal_days")
    def _check_claim_settings(self):
        self._rental_check_ranges(
            days=("rental_loss_depreciation_years", "rental_loss_proposal_days")
        )
