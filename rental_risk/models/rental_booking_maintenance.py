from odoo import api, fields, models
from odoo.exceptions import UserError


class RentalBooking(models.Model):
    """A maintenance window is a booking without order line: the exclusion constraint of
    rental.booking then refuses any rental of the serial over the work."""

    _inherit = "rental.booking"
    _sql_constraints = [
        (
            "maintenance_not_rental",
            "CHECK (maintenance_request_id IS NULL OR order_line_id IS NULL)",
            "A maintenance window blocks a serial; it cannot be a rental of an order line too.",
        ),
    ]

    maintenance_request_id = fields.Many2one(
        "maintenance.request",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("maintenance_request_id") for vals in vals_list):
            self._rental_check_maintenance_link()
        return super().create(vals_list)

    def write(self, vals):
        if "maintenance_request_id" in vals:
            self._rental_check_maintenance_link()
        return super().write(vals)

    def _rental_check_maintenance_link(self):
        # The link lets a window block a serial in repair and makes finishing the request
        # release it: only the preventive plans and the fault reports set it.
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._(
                    "A maintenance window is made by its maintenance request; block the serial "
                    "with a booking of your own instead."
                )
            )

    def _rental_is_maintenance_vals(self, vals):
        # A serial in repair or inspection can still be blocked for its maintenance (only lost
        # and retired ones are out of the fleet for good), by a request of that very serial.
        if not vals.get("maintenance_request_id") or vals.get("order_line_id"):
            return False
        request = self.env["maintenance.request"].sudo().browse(vals["maintenance_request_id"])
        return (
            request.exists()
            and request.rental_lot_id.id == vals.get("lot_id")
            and request.rental_lot_id.rental_state not in ("lost", "retired")
        )
