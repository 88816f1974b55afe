from odoo import api, fields, models
from odoo.exceptions import UserError


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    rental_pickup_type_id = fields.Many2one("stock.picking.type", check_company=True, copy=False)
    rental_return_type_id = fields.Many2one("stock.picking.type", check_company=True, copy=False)

    def _get_sequence_values(self, name=False, code=False):
        values = super()._get_sequence_values(name=name, code=code)
        name = name or self.name
        code = code or self.code
        values.update(
            {
                "rental_pickup_type_id": {
                    "name": self.env._("%(name)s Sequence rental pickup", name=name),
                    "prefix": f"{code}/{self.rental_pickup_type_id.sequence_code or 'RPK'}/",
                    "padding": 5,
                    "company_id": self.company_id.id,
                },
                "rental_return_type_id": {
                    "name": self.env._("%(name)s Sequence rental return", name=name),
                    "prefix": f"{code}/{self.rental_return_type_id.sequence_code or 'RRT'}/",
                    "padding": 5,
                    "company_id": self.company_id.id,
                },
            }
        )
        return values

    def _get_picking_type_create_values(self, max_sequence):
        data, next_sequence = super()._get_picking_type_create_values(max_sequence)
        rental_location = self.company_id._rental_create_location()
        data.update(
            {
                "rental_pickup_type_id": {
                    "name": self.env._("Rental Pickups"),
                    "code": "internal",
                    "rental_operation": "pickup",
                    "use_create_lots": False,
                    "use_existing_lots": True,
                    "default_location_src_id": self.lot_stock_id.id,
                    "default_location_dest_id": rental_location.id,
                    "sequence": next_sequence + 1,
                    "sequence_code": "RPK",
                    "company_id": self.company_id.id,
                },
                "rental_return_type_id": {
                    "name": self.env._("Rental Returns"),
                    "code": "internal",
                    "rental_operation": "return",
                    "use_create_lots": False,
                    "use_existing_lots": True,
                    "default_location_src_id": rental_location.id,
                    "default_location_dest_id": self.lot_stock_id.id,
                    "sequence": next_sequence + 2,
                    "sequence_code": "RRT",
                    "company_id": self.company_id.id,
                },
            }
        )
        return data, next_sequence + 3

    def _get_picking_type_update_values(self):
        data = super()._get_picking_type_update_values()
        barcode = self.code.replace(" ", "").upper()
        data.update(
            {
                "rental_pickup_type_id": {"active": self.active, "barcode": barcode + "RPK"},
                "rental_return_type_id": {"active": self.active, "barcode": barcode + "RRT"},
            }
        )
        return data

    def _create_or_update_sequences_and_picking_types(self):
        data = super()._create_or_update_sequences_and_picking_types()
        # The standard "Return" of a rental pickup must be a rental return, so that validating
        # it updates the serials and bookings like the prepared return does.
        PickingType = self.env["stock.picking.type"]
        pickup = PickingType.browse(data.get("rental_pickup_type_id")) or self.rental_pickup_type_id
        ret = PickingType.browse(data.get("rental_return_type_id")) or self.rental_return_type_id
        if pickup and ret and not pickup.return_picking_type_id:
            pickup.return_picking_type_id = ret
        return data

    @api.model
    def _rental_create_missing_picking_types(self):
        """Give existing warehouses their rental pickup and return types (run at install)."""
        warehouses = self.with_context(active_test=False).search(
            ["|", ("rental_pickup_type_id", "=", False), ("rental_return_type_id", "=", False)]
        )
        for warehouse in warehouses:
            values = warehouse._create_or_update_sequences_and_picking_types()
            if values:
                warehouse.write(values)

    def _rental_get_picking_type(self, operation):
        """The rental pickup (``operation`` 'pickup') or return type of this warehouse."""
        self.ensure_one()
        picking_type = (
            self.rental_pickup_type_id if operation == "pickup" else self.rental_return_type_id
        )
        if not picking_type:
            raise UserError(
                self.env._(
                    "The warehouse %(warehouse)s has no rental pickup and return operation "
                    "types; ask an inventory administrator to upgrade the Rental Risk module.",
                    warehouse=self.display_name,
                )
            )
        return picking_type
