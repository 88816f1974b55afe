from odoo import Command
from odoo.tests import HttpCase, tagged

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalKitTour(RentalOrderCommon, HttpCase):
    """A clerk checks a kit out in the browser, scanning its components' serials."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        body = cls._create_rental_product("Tour Kit Body", code="TKB", day=80.0, replacement=4000)
        lens = cls._create_rental_product("Tour Kit Lens", code="TKL", day=20.0, replacement=900)
        cls.kit_lots = cls._create_lots(body, ["TKB-01"]) | cls._create_lots(lens, ["TKL-01"])
        cls.kit = cls.env["product.product"].create(
            {
                "name": "Tour Camera Kit",
                "type": "consu",
                "is_storable": False,
                "rental_ok": True,
                "rental_price_day": 95.0,
                "rental_kit_line_ids": [
                    Command.create({"product_id": body.id}),
                    Command.create({"product_id": lens.id}),
                ],
            }
        )
        cls.customer.name = "Kit Tour Customer"
        cls.order = cls._create_rental_order(product=cls.kit)
        cls.order.action_confirm()
        cls.pickup = cls.order._rental_get_pickings("pickup")

    def test_kit_pickup(self):
        """Check Out from the kit order: both component serials scanned, then validated."""
        self.assertEqual(self.pickup.move_line_ids.lot_id, self.kit_lots)
        self.start_tour("/odoo", "rental_risk_kit_pickup", login=self.warehouse_user.login)
        self.assertEqual(self.pickup.state, "done")
        self.assertEqual(self.kit_lots.mapped("rental_state"), ["out", "out"])
        kit_line = self.order.order_line.filtered(lambda line: line.product_id == self.kit)
        self.assertEqual(kit_line.rental_qty_picked_up, 1)
