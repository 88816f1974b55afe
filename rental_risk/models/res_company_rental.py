from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        ondelete="restrict",
        help="Internal location, outside any warehouse, holding the gear out with customers: it "
        "stays the company's asset (no cost of goods sold is booked on pickup).",
    )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _create_per_company_locations(self):
        res = super()._create_per_company_locations()
        self._rental_create_location()
        return res

    def _rental_create_location(self):
        """Create the rental location of companies that have none; return all their locations."""
        parent = self.env.ref("stock.stock_location_locations", raise_if_not_found=False)
        for company in self.filtered(lambda c: not c.rental_location_id):
            company.sudo().rental_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Out on Rental"),
                        "usage": "internal",
                        "location_id": parent.id if parent else False,
                        "company_id": company.id,
                    }
                )
            )
        return self.rental_location_id

    @api.model
    def _rental_create_missing_locations(self):
        """Give every existing company its rental location (run at module install)."""
        self.search([("rental_location_id", "=", False)])._rental_create_location()
