from odoo import fields, models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    rental_operation = fields.Selection(
        [("pickup", "Rental Pickup"), ("return", "Rental Return")],
        copy=False,
        index="btree_not_null",
        help="Rental pickups move booked serials from stock to the company's rental location and "
        "rental returns bring them back; validating them updates the serials and bookings.",
    )
