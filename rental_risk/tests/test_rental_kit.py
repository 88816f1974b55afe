from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalKit(RentalOrderCommon):
    """A kit of a camera and a lens: booked, picked up, returned and billed together."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kit = cls.env["product.product"].create(
            {
                "name": "Test Camera Kit",
                "type": "consu",
                "is_storable": False,
                "rental_ok": True,
                "list_price": 110.0,
                "rental_price_day": 110.0,
                "rental_kit_line_ids": [
                    Command.create({"product_id": cls.camera.id, "quantity": 1}),
                    Command.create({"product_id": cls.lens.id, "quantity": 1}),
                ],
            }
        )

    def _confirmed_kit_order(self, qty=1.0):
        order = self._create_rental_order(product=self.kit, qty=qty)
        order.action_confirm()
        return order, order.order_line.filtered(lambda line: line.product_id == self.kit)

    # ------------------------------------------------------------------
    # Product
    # ------------------------------------------------------------------

    def test_kit_must_not_be_stocked_itself(self):
        """A kit's stock is its components': a storable kit is refused."""
        with self.assertRaisesRegex(ValidationError, "not tracked in inventory itself"):
            self.kit.product_tmpl_id.write({"is_storable": True, "tracking": "serial"})

    def test_component_must_be_a_serial_rental_product(self):
        with self.assertRaisesRegex(ValidationError, "rental product tracked by serial"):
            self.kit.product_tmpl_id.rental_kit_line_ids = [
                Command.create({"product_id": self.plain_product.id})
            ]

    def test_kit_made_on_the_product_form(self):
        """A sales manager makes a kit on the product form's Kit Components tab."""
        manager = self.env.ref("base.user_admin")
        with Form(self.env["product.template"].with_user(manager)) as form:
            form.name = "Form Kit"
            form.type = "consu"
            form.is_storable = False
            form.rental_ok = True
            form.rental_price_day = 50.0
            with form.rental_kit_line_ids.new() as line:
                line.product_id = self.camera
                line.quantity = 2
        kit = form.record
        self.assertTrue(kit.rental_is_kit)
        self.assertEqual(kit.rental_kit_line_ids.product_id, self.camera)
        self.assertEqual(kit._rental_kit_available_qty(self.start, self.end), 1)

    def test_kit_availability_is_the_scarcest_component(self):
        """Three cameras but two lenses: two kits; one kit booked leaves one."""
        template = self.kit.product_tmpl_id
        self.assertEqual(template._rental_kit_available_qty(self.start, self.end), 2)
        self._confirmed_kit_order()
        self.assertEqual(template._rental_kit_available_qty(self.start, self.end), 1)
        order = self._create_rental_order(product=self.kit, qty=2)
        self.assertIn("Test Zoom Lens", order.order_line.rental_availability_warning)
        self.assertIn("only 1 are free", order.order_line.rental_availability_warning)

    # ------------------------------------------------------------------
    # Booking and billing
    # ------------------------------------------------------------------

    def test_kit_booked_together(self):
        """Confirming books one serial of each component for the kit's period."""
        order, kit_line = self._confirmed_kit_order()
        components = kit_line.rental_kit_component_ids
        self.assertEqual(components.product_id, self.camera | self.lens)
        self.assertFalse(kit_line.rental_booking_ids)
        bookings = components.rental_booking_ids
        self.assertEqual(len(bookings), 2)
        self.assertEqual(set(bookings.mapped("state")), {"reserved"})
        self.assertEqual(bookings.lot_id.product_id, self.camera | self.lens)
        self.assertEqual(set(bookings.mapped("date_start")), {self.start})
        self.assertEqual(set(bookings.mapped("date_end")), {self.end})
        # The exclusion constraint protects the kit's serials like any other booking.
        camera_lot = bookings.lot_id.filtered(lambda lot: lot.product_id == self.camera)
        with self.assertRaises(ValidationError):
            self._book(camera_lot)
        self.assertEqual(order.state, "sale")

    def test_kit_billed_as_one_line(self):
        """The order and its invoice carry one priced line: the kit."""
        order, kit_line = self._confirmed_kit_order()
        self.assertGreater(kit_line.price_unit, 0)
        self.assertEqual(kit_line.price_unit, kit_line._rental_get_period_price())
        self.assertEqual(set(kit_line.rental_kit_component_ids.mapped("price_subtotal")), {0.0})
        self.assertEqual(order.amount_untaxed, kit_line.price_subtotal)
        self._validate(self._pickup(order))
        invoice = order._create_invoices()
        self.assertEqual(len(invoice.invoice_line_ids), 1)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.kit)
        self.assertEqual(invoice.amount_untaxed, kit_line.price_subtotal)
        self.assertEqual(kit_line.invoice_status, "invoiced")
        self.assertEqual(
            set(kit_line.rental_kit_component_ids.mapped("invoice_status")), {"invoiced"}
        )
        self.assertEqual(order.invoice_status, "invoiced")

    def test_kit_refused_when_a_component_has_no_free_serial(self):
        """Both lenses are taken: the kit cannot be confirmed, and nothing is booked."""
        for lot in self.lens_lots:
            self._book(lot)
        order = self._create_rental_order(product=self.kit)
        with self.assertRaisesRegex(UserError, "Test Camera Kit needs 1 × .*Test Zoom Lens"):
            order.action_confirm()
        self.assertFalse(
            self.env["rental.booking"].search([("order_id", "=", order.id)]),
        )

    def test_kit_changes_refused_once_booked(self):
        _order, kit_line = self._confirmed_kit_order()
        with self.assertRaisesRegex(UserError, "already booked"):
            kit_line.product_uom_qty = 2

    def test_risk_value_counts_components(self):
        """The gear at stake is the components' value, before and after confirmation."""
        order = self._create_rental_order(product=self.kit)
        self.assertEqual(order._rental_risk_asset_values(), {"total": 6200.0, "max": 5000.0})
        order.action_confirm()
        self.assertEqual(order._rental_risk_asset_values()["total"], 6200.0)

    # ------------------------------------------------------------------
    # Pickup and return
    # ------------------------------------------------------------------

    def test_pickup_moves_the_components(self):
        order, kit_line = self._confirmed_kit_order()
        pickup = self._pickup(order)
        self.assertEqual(pickup.move_ids.product_id, self.camera | self.lens)
        lots = kit_line.rental_kit_component_ids.rental_lot_ids
        self.assertEqual(pickup.move_line_ids.lot_id, lots)
        self._validate(pickup)
        self.assertEqual(set(lots.mapped("rental_state")), {"out"})
        self.assertEqual(kit_line.rental_qty_picked_up, 1)
        self.assertEqual(kit_line.qty_delivered, 1)
        ret = self._return(order)
        self.assertEqual(ret.move_line_ids.lot_id, lots)

    def test_kit_with_missing_component_opens_a_claim(self):
        """The kit comes back without its lens: a claim for the lens, at its value."""
        order, kit_line = self._confirmed_kit_order()
        self._validate(self._pickup(order))
        lots = kit_line.rental_kit_component_ids.rental_lot_ids
        camera_lot = lots.filtered(lambda lot: lot.product_id == self.camera)
        lens_lot = lots - camera_lot
        self._validate(self._return(order), lots=camera_lot, backorder=False)
        self.assertEqual(camera_lot.rental_state, "inspection")
        self.assertEqual(lens_lot.rental_state, "out")
        self.assertEqual(kit_line.rental_qty_returned, 0)
        claims = self.env["rental.damage.claim"].search([("order_id", "=", order.id)])
        self.assertEqual(claims.lot_id, lens_lot)
        self.assertEqual(claims.claim_type, "accessories")
        self.assertEqual(claims.partner_id, self.customer)
        self.assertGreater(claims.assessed_amount, 0)
        self.assertEqual(claims.assessed_amount, lens_lot._rental_loss_value())
        self.assertIn(lens_lot.name, claims.description)

    def test_kit_returned_whole_opens_no_claim(self):
        order, kit_line = self._confirmed_kit_order()
        self._validate(self._pickup(order))
        self._validate(self._return(order))
        lots = kit_line.rental_kit_component_ids.rental_lot_ids
        self.assertEqual(set(lots.mapped("rental_state")), {"inspection"})
        self.assertEqual(kit_line.rental_qty_returned, 1)
        self.assertFalse(self.env["rental.damage.claim"].search([("order_id", "=", order.id)]))

    def test_partial_return_with_backorder_waits_for_the_component(self):
        """A backorder still expects the lens: no claim yet."""
        order, kit_line = self._confirmed_kit_order()
        self._validate(self._pickup(order))
        camera_lot = kit_line.rental_kit_component_ids.rental_lot_ids.filtered(
            lambda lot: lot.product_id == self.camera
        )
        self._validate(self._return(order), lots=camera_lot, backorder=True)
        self.assertFalse(self.env["rental.damage.claim"].search([("order_id", "=", order.id)]))

    # ------------------------------------------------------------------
    # Changes
    # ------------------------------------------------------------------

    def test_kit_added_to_confirmed_order_is_booked_and_picked_up(self):
        order = self._create_rental_order()
        order.action_confirm()
        order.order_line = [
            Command.create(
                {
                    "product_id": self.kit.id,
                    "product_uom_qty": 1,
                    "rental_start": self.start,
                    "rental_end": self.end,
                }
            )
        ]
        kit_line = order.order_line.filtered(lambda line: line.product_id == self.kit)
        components = kit_line.rental_kit_component_ids
        self.assertEqual(len(components.rental_booking_ids), 2)
        self.assertEqual(self._pickup(order).move_ids.sale_line_id, order.order_line - kit_line)

    def test_extend_kit_moves_its_components(self):
        order, kit_line = self._confirmed_kit_order()
        price = kit_line.price_unit
        new_end = self.end + timedelta(days=2)
        kit_line._rental_extend(new_end)
        components = kit_line.rental_kit_component_ids
        self.assertEqual(set(components.mapped("rental_end")), {new_end})
        self.assertEqual(set(components.rental_booking_ids.mapped("date_end")), {new_end})
        self.assertGreater(kit_line.price_unit, price)
        self.assertEqual(set(components.mapped("price_unit")), {0.0})
        with self.assertRaisesRegex(UserError, "extend or end the kit line instead"):
            components[0]._rental_extend(new_end + timedelta(days=1))

    def test_copied_order_copies_the_kit_alone(self):
        order, kit_line = self._confirmed_kit_order()
        copy = order.copy()
        self.assertEqual(copy.order_line.product_id, self.kit)
        copy.order_line.write(
            {
                "rental_start": self.start + timedelta(days=30),
                "rental_end": self.end + timedelta(days=30),
            }
        )
        copy.action_confirm()
        self.assertEqual(len(copy.order_line.rental_kit_component_ids), 2)
        self.assertEqual(len(copy.order_line.filtered("is_rental")), 3)

    def test_reconfirmed_kit_follows_its_new_composition(self):
        """Cancelled, then confirmed again once the lens left the kit: only the camera."""
        order, kit_line = self._confirmed_kit_order()
        order._action_cancel()
        order.action_draft()
        self.kit.rental_kit_line_ids.filtered(lambda kl: kl.product_id == self.lens).unlink()
        order.action_confirm()
        live = kit_line.rental_kit_component_ids.rental_booking_ids.filtered(
            lambda b: b.state == "reserved"
        )
        self.assertEqual(live.lot_id.product_id, self.camera)
        pickup = order._rental_get_pickings("pickup").filtered(lambda p: p.state != "cancel")
        self.assertEqual(pickup.move_ids.product_id, self.camera)

    def test_deposit_counts_components(self):
        order = self._create_rental_order(product=self.kit)
        self.assertEqual(sorted(order._rental_get_deposit_values()), [1200.0, 5000.0])
        order.action_confirm()
        self.assertEqual(sorted(order._rental_get_deposit_values()), [1200.0, 5000.0])

    def test_nobody_makes_a_line_a_component_by_hand(self):
        """A component line is priced 0 and never invoiced: a raw write or create that would
        make one (and hide a rental from the invoice) is refused, administrator included."""
        order, kit_line = self._confirmed_kit_order()
        plain = self._create_rental_order(product=self.camera, lots=self.lot_3).order_line
        component = kit_line.rental_kit_component_ids[:1]
        for user in (self.salesman, self.rental_user, self.env.ref("base.user_admin")):
            for vals in (
                {"rental_kit_parent_id": kit_line.id},
                {"rental_kit_line_id": component.rental_kit_line_id.id},
                {"rental_kit_qty": 2.0},
            ):
                with self.assertRaisesRegex(UserError, "confirming the kit's order"):
                    plain.with_user(user).sudo().write(vals)
        with self.assertRaisesRegex(UserError, "confirming the kit's order"):
            component.sudo().write({"rental_kit_parent_id": False})
        with self.assertRaisesRegex(UserError, "confirming the kit's order"):
            self.env["sale.order.line"].create(
                {
                    "order_id": plain.order_id.id,
                    "product_id": self.lens.id,
                    "rental_kit_parent_id": kit_line.id,
                }
            )
        self.assertFalse(plain.rental_kit_parent_id)
        self.assertEqual(component.rental_kit_parent_id, kit_line)
