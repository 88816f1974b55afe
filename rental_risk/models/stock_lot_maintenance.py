from datetime import timedelta

from odoo import api, fields, models


class StockLot(models.Model):
    """Maintenance of a rental serial on Odoo's Maintenance app: its equipment, the requests
    (preventive and repairs) and their cost, part of the asset's history."""

    _inherit = "stock.lot"

    rental_equipment_id = fields.Many2one(
        "maintenance.equipment",
        string="Equipment",
        index="btree_not_null",
        copy=False,
        check_company=True,
        help="The equipment of the Maintenance app that stands for this serial: its "
        "technician and maintenance team receive the serial's requests.",
    )
    rental_maintenance_ids = fields.One2many(
        "maintenance.request",
        "rental_lot_id",
        string="Maintenance Requests",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_maintenance_count = fields.Integer(
        string="Maintenance Count", compute="_compute_rental_maintenance_stats"
    )
    rental_maintenance_cost = fields.Monetary(
        string="Maintenance Cost",
        currency_field="rental_currency_id",
        compute="_compute_rental_maintenance_stats",
        help="Total cost of the serial's maintenance requests and repairs.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_rental_maintenance_stats(self):
        # Counted as superuser: the Maintenance app shows a user only their own requests.
        groups = {
            lot: (count, cost)
            for lot, count, cost in self.env["maintenance.request"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("rental_lot_id", "in", self.ids)],
                ["rental_lot_id"],
                ["__count", "rental_cost:sum"],
            )
        }
        for lot in self:
            lot.rental_maintenance_count, lot.rental_maintenance_cost = groups.get(
                lot._origin, (0, 0.0)
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_create_equipment(self):
        """Create the Maintenance equipment of the serials that have none (Rental Warehouse)."""
        self._rental_check_group("rental_risk.rental_risk_group_warehouse")
        self.sudo()._rental_ensure_equipment()
        return True

    def action_rental_open_maintenance(self):
        self._rental_ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Maintenance of %(serial)s", serial=self.display_name),
            "res_model": "maintenance.request",
            "view_mode": "list,form",
            "domain": [("rental_lot_id", "=", self.id)],
            "context": {
                "default_rental_lot_id": self.id,
                "default_equipment_id": self.rental_equipment_id.id,
            },
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _rental_prepare_equipment_vals(self, lot):
        return {
            "name": f"{lot.product_id.display_name} ({lot.name})",
            "serial_no": lot.name,
            "company_id": (lot.company_id or self.env.company).id,
            "cost": lot.rental_replacement_value,
            "effective_date": lot.rental_acquisition_date or fields.Date.context_today(self),
        }

    def _rental_ensure_equipment(self):
        """Give each serial without one its Maintenance equipment (one create for all)."""
        missing = self.filtered(lambda lot: not lot.rental_equipment_id)
        if not missing:
            return
        equipment = self.env["maintenance.equipment"].create(
            [self._rental_prepare_equipment_vals(lot) for lot in missing]
        )
        for lot, item in zip(missing, equipment, strict=True):
            lot.rental_equipment_id = item

    def _rental_first_free_slot(self, start, hours):
        """Start of the first period of ``hours`` hours from ``start`` on in which the serial
        has no live booking (turnaround times included): the maintenance goes in between
        rentals instead of over one."""
        self.ensure_one()
        bookings = (
            self.env["rental.booking"]
            .sudo()
            .search(
                [
                    ("lot_id", "=", self.id),
                    ("state", "!=", "cancelled"),
                    ("date_block_end", ">", start),
                ],
                order="date_start, id",
            )
        )
        length = timedelta(hours=hours)
        for booking in bookings:
            if start + length <= booking.date_start:
                break
            start = max(start, booking.date_block_end)
        return start
