from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalPickupReturn(RentalOrderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_rental_order(qty=2)
        cls.order.action_confirm()
        cls.line = cls.order.order_line
        cls.booked_lots = cls.line.rental_lot_ids

    def test_install_created_rental_location_and_types(self):
        """Each company has an internal rental location outside warehouses, each warehouse
        rental pickup and return types."""
        location = self.company.rental_location_id
        self.assertEqual(location.usage, "internal")
        self.assertFalse(location.warehouse_id)
        self.assertEqual(self.pickup_type.rental_operation, "pickup")
        self.assertEqual(self.pickup_type.default_location_dest_id, location)
        self.assertEqual(self.return_type.default_location_src_id, location)
        self.assertTrue(self.pickup_type.sequence_id)

    def test_new_company_gets_rental_location_and_types(self):
        """A new company gets its rental location and its warehouse the rental types."""
        company = self.env["res.company"].create({"name": "Second Rental Co"})
        self.assertEqual(company.rental_location_id.usage, "internal")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)])
        if not warehouse:
            warehouse = self.env["stock.warehouse"].create(
                {"name": "Second WH", "code": "SWH", "company_id": company.id}
            )
        self.assertEqual(
            warehouse.rental_pickup_type_id.default_location_dest_id, company.rental_location_id
        )
        self.assertTrue(warehouse.rental_return_type_id)

    def test_confirm_creates_pickup_not_delivery(self):
        """A rental line gets a rental pickup of its booked serials, no delivery to customers."""
        pickings = self.order.picking_ids
        self.assertEqual(len(pickings), 1)
        self.assertEqual(pickings.picking_type_id, self.pickup_type)
        self.assertEqual(pickings.location_dest_id, self.rental_location)
        self.assertEqual(pickings.sale_id, self.order)
        self.assertEqual(pickings.origin, self.order.name)
        self.assertEqual(pickings.move_ids.sale_line_id, self.line)
        self.assertEqual(pickings.state, "assigned")
        self.assertEqual(pickings.move_line_ids.lot_id, self.booked_lots)
        self.assertEqual(self.order.delivery_count, 1)

    def test_pickup_moves_to_rental_location_without_cogs(self):
        """Validating the pickup moves the serials to the internal rental location, no COGS."""
        pickup = self._pickup(self.order)
        self._validate(pickup)
        self.assertEqual(pickup.state, "done")
        quants = self.env["stock.quant"].search(
            [("lot_id", "in", self.booked_lots.ids), ("quantity", ">", 0)]
        )
        self.assertEqual(quants.location_id, self.rental_location)
        self.assertEqual(quants.location_id.usage, "internal")
        # stock_account links valuation entries to their stock move: there must be none.
        self.assertFalse(
            self.env["account.move"].search_count([("stock_move_id", "in", pickup.move_ids.ids)])
        )
        self.assertNotEqual(pickup.location_dest_id.usage, "customer")

    def test_pickup_sets_assets_and_bookings_out(self):
        """After pickup the serials are out with the customer and the bookings are out."""
        self._validate(self._pickup(self.order))
        self.assertEqual(set(self.booked_lots.mapped("rental_state")), {"out"})
        self.assertEqual(self.booked_lots.rental_partner_id, self.customer)
        self.assertEqual(self.booked_lots.rental_order_id, self.order)
        self.assertEqual(set(self.line.rental_booking_ids.mapped("state")), {"out"})
        self.assertEqual(self.line.rental_qty_picked_up, 2)
        self.assertEqual(self.line.qty_delivered, 2)

    def test_pickup_prepares_return(self):
        """Validating the pickup prepares a rental return reserving the picked-up serials."""
        self._validate(self._pickup(self.order))
        ret = self._return(self.order)
        self.assertEqual(ret.picking_type_id, self.return_type)
        self.assertEqual(ret.location_id, self.rental_location)
        self.assertEqual(ret.location_dest_id, self.stock_location)
        self.assertEqual(ret.move_line_ids.lot_id, self.booked_lots)
        self.assertEqual(ret.move_ids.sale_line_id, self.line)
        self.assertEqual(self.order.rental_return_count, 1)

    def test_partial_pickup_creates_backorder(self):
        """Picking up one of two serials leaves a backorder pickup for the other."""
        first, second = self.booked_lots
        pickup = self._pickup(self.order)
        self._validate(pickup, lots=first)
        self.assertEqual(pickup.state, "done")
        self.assertEqual(first.rental_state, "out")
        self.assertNotEqual(second.rental_state, "out")
        backorder = self._pickup(self.order)
        self.assertEqual(backorder.backorder_id, pickup)
        self.assertEqual(backorder.move_line_ids.lot_id, second)
        self.assertEqual(self.line.rental_qty_picked_up, 1)
        self.assertEqual(self._return(self.order).move_line_ids.lot_id, first)
        self._validate(backorder)
        self.assertEqual(self._return(self.order).move_line_ids.lot_id, self.booked_lots)

    def test_partial_pickup_without_backorder_frees_serial(self):
        """A serial left behind by a pickup closed without backorder is no longer booked."""
        first, second = self.booked_lots
        self._validate(self._pickup(self.order), lots=first, backorder=False)
        bookings = self.line.rental_booking_ids
        self.assertEqual(bookings.filtered(lambda b: b.lot_id == first).state, "out")
        self.assertEqual(bookings.filtered(lambda b: b.lot_id == second).state, "cancelled")
        self.assertFalse(self._pickup(self.order))

    def test_standard_return_of_pickup_is_rental_return(self):
        """The standard Return of a rental pickup uses the rental return type."""
        self.assertEqual(self.pickup_type.return_picking_type_id, self.return_type)

    def test_line_added_to_confirmed_order_is_booked(self):
        """A rental line added to a confirmed order is booked and gets its own pickup."""
        self.order.order_line = [
            Command.create(
                {
                    "product_id": self.lens.id,
                    "rental_start": self.start,
                    "rental_end": self.end,
                }
            )
        ]
        lens_line = self.order.order_line.filtered(lambda sol: sol.product_id == self.lens)
        self.assertEqual(len(lens_line.rental_booking_ids), 1)
        self.assertEqual(len(self._pickup(self.order)), 2)
        self.assertFalse(
            self.order.picking_ids.filtered(lambda p: p.location_dest_id.usage == "customer")
        )

    def test_return_sets_inspection(self):
        """Validating the return brings the serials back to stock, awaiting inspection."""
        self._validate(self._pickup(self.order))
        ret = self._return(self.order)
        self._validate(ret)
        self.assertEqual(ret.state, "done")
        self.assertEqual(set(self.booked_lots.mapped("rental_state")), {"inspection"})
        self.assertFalse(self.booked_lots.rental_partner_id)
        self.assertEqual(set(self.line.rental_booking_ids.mapped("state")), {"returned"})
        self.assertEqual(self.line.rental_qty_returned, 2)
        quants = self.env["stock.quant"].search(
            [("lot_id", "in", self.booked_lots.ids), ("quantity", ">", 0)]
        )
        self.assertEqual(quants.location_id, self.stock_location)

    def test_partial_return_per_serial(self):
        """Returning one of two serials leaves the other out, in a backorder return."""
        first, second = self.booked_lots
        self._validate(self._pickup(self.order))
        ret = self._return(self.order)
        self._validate(ret, lots=first)
        self.assertEqual(first.rental_state, "inspection")
        self.assertEqual(second.rental_state, "out")
        self.assertEqual(self.line.rental_qty_returned, 1)
        backorder = self._return(self.order)
        self.assertEqual(backorder.move_line_ids.lot_id, second)

    def test_return_serial_not_picked_up_refused(self):
        """A return holding a serial that was not picked up is refused; nothing is written."""
        first, second = self.booked_lots
        self._validate(self._pickup(self.order), lots=first, backorder=False)
        ret = self._return(self.order)
        # The second serial (never picked up) is entered on the return by hand.
        ret.move_line_ids.lot_id = second
        with self.assertRaisesRegex(UserError, "not picked up"):
            self._validate(ret)
        self.env.invalidate_all()
        self.assertNotEqual(ret.state, "done")
        self.assertEqual(first.rental_state, "out")
        self.assertEqual(self.line.rental_qty_returned, 0)

    def test_pickup_serial_not_booked_refused(self):
        """A pickup cannot hand out a serial that is not booked on the order."""
        other = self.camera_lots - self.booked_lots
        pickup = self._pickup(self.order)
        pickup.move_line_ids[0].lot_id = other
        with self.assertRaisesRegex(UserError, "not booked"):
            self._validate(pickup)
        self.env.invalidate_all()
        self.assertEqual(other.rental_state, "available")

    def test_rental_user_cannot_validate_pickup(self):
        """A Rental User (sales side) cannot validate a rental pickup."""
        with self.assertRaises(UserError):  # AccessError is a UserError too
            self._validate(self._pickup(self.order), user=self.rental_user)
        self.assertNotEqual(self._pickup(self.order).state, "done")

    def test_salesman_cannot_validate_pickup(self):
        """A plain salesperson cannot validate a rental pickup."""
        with self.assertRaises(UserError):  # AccessError is a UserError too
            self._validate(self._pickup(self.order), user=self.salesman)

    def test_stock_user_without_rental_group_cannot_validate(self):
        """An inventory user outside Rental Warehouse gets a UserError naming the group."""
        stock_user = self.env["res.users"].create(
            {
                "name": "Stock only",
                "login": "rr_stock_only",
                "groups_id": [Command.set([self.env.ref("stock.group_stock_user").id])],
            }
        )
        with self.assertRaisesRegex(UserError, "Rental Warehouse"):
            self._validate(self._pickup(self.order), user=stock_user)

    def test_warehouse_user_validates_pickup(self):
        """A Rental Warehouse user validates the pickup."""
        pickup = self._pickup(self.order)
        self._validate(pickup, user=self.warehouse_user)
        self.assertEqual(pickup.state, "done")

    def test_returned_line_invoiced_on_delivered_quantity(self):
        """The rental line can be invoiced once picked up."""
        self._validate(self._pickup(self.order))
        self.assertEqual(self.line.qty_to_invoice, 2)
        invoice = self.order._create_invoices()
        self.assertEqual(invoice.invoice_line_ids.quantity, 2)

    def test_non_rental_sale_still_delivers_to_customer(self):
        """A standard sale of a storable product still creates a delivery to Customers."""
        self.env["stock.quant"]._update_available_quantity(
            self.plain_product, self.stock_location, 1, lot_id=self.plain_lot
        )
        order = self._create_sale_order(product=self.plain_product)
        order.action_confirm()
        self.assertEqual(order.picking_ids.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(order.picking_ids.location_dest_id.usage, "customer")
        self.assertFalse(order.is_rental_order)

    def test_cancel_refused_while_gear_out(self):
        """An order with gear out cannot be cancelled."""
        self._validate(self._pickup(self.order))
        with self.assertRaisesRegex(UserError, "still out"):
            self.order.with_context(disable_cancel_warning=True).action_cancel()
