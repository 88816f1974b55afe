from odoo import Command
from odoo.tests import Form

from .common import RentalCommon


class RentalOrderCommon(RentalCommon):
    """Rental orders, pickups and returns on top of the assets of RentalCommon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rental_location = cls.company.rental_location_id
        cls.pickup_type = cls.warehouse.rental_pickup_type_id
        cls.return_type = cls.warehouse.rental_return_type_id

    @classmethod
    def _create_rental_order(cls, product=None, qty=1.0, lots=None, start=None, end=None, **vals):
        """A draft rental order with one rental line for ``product`` over the period."""
        product = product or cls.camera
        line_vals = {
            "product_id": product.id,
            "product_uom_qty": qty,
            "rental_start": start or cls.start,
            "rental_end": end or cls.end,
        }
        if lots:
            line_vals["rental_lot_ids"] = [Command.set(lots.ids)]
        return cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [Command.create(line_vals)],
                **vals,
            }
        )

    def _pickup(self, order):
        return order._rental_get_pickings("pickup").filtered(lambda p: p.state != "done")

    def _return(self, order):
        return order._rental_get_pickings("return").filtered(lambda p: p.state != "done")

    def _validate(self, picking, lots=None, user=None, backorder=True):
        """Validate ``picking`` as ``user`` (warehouse user by default), moving only ``lots``.

        When only some serials are moved, the backorder wizard is answered (create a backorder
        unless ``backorder`` is False).
        """
        user = user or self.warehouse_user
        picking = picking.with_user(user)
        if lots is not None:
            for move_line in picking.move_line_ids:
                move_line.picked = move_line.lot_id in lots
        res = picking.button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = Form.from_action(picking.env, res).save()
            res = wizard.process() if backorder else wizard.process_cancel_backorder()
        return res

    def _inspect(self, lot, user=None, **values):
        """Run the return inspection wizard of ``lot`` through its form."""
        user = user or self.warehouse_user
        wizard_form = Form(
            self.env["stock.lot.inspect"].with_user(user).with_context(default_lot_id=lot.id)
        )
        lines_present = values.pop("accessories_present", None)
        for name, value in values.items():
            setattr(wizard_form, name, value)
        if lines_present is not None:
            for index, present in enumerate(lines_present):
                with wizard_form.line_ids.edit(index) as line:
                    line.present = present
        wizard = wizard_form.save()
        wizard.action_confirm()
        return self.env["rental.inspection"].search([("lot_id", "=", lot.id)], limit=1)
