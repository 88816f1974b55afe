from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_order import RentalOrderCommon

# A 1x1 transparent PNG, as the signature widget sends it (base64).
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@tagged("post_install", "-at_install")
class TestRentalHandover(RentalOrderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_rental_order(lots=cls.lot_1)
        cls.order.action_confirm()

    def _picked_up(self):
        self._validate(self._pickup(self.order))
        return self.env["rental.handover"].search([("order_id", "=", self.order.id)])

    def _sign(self, handover, user=None, name="Jane Doe"):
        form = Form(
            self.env["rental.handover.sign"]
            .with_user(user or self.warehouse_user)
            .with_context(default_handover_id=handover.id)
        )
        form.signed_by = name
        form.signature = SIGNATURE
        return form.save().action_sign()

    def test_pickup_and_return_leave_a_handover_each(self):
        handover = self._picked_up()
        self.assertEqual(len(handover), 1)
        self.assertEqual(
            (handover.operation, handover.partner_id, handover.site_id, handover.user_id),
            ("pickup", self.customer, self.order.partner_shipping_id, self.warehouse_user),
        )
        self.assertEqual(handover.line_ids.lot_id, self.lot_1)
        self.assertEqual(handover.line_ids.condition, self.lot_1.rental_condition)
        self.assertEqual(self.lot_1.rental_handover_id, handover)
        self.assertEqual(self.lot_1.rental_site_id, self.order.partner_shipping_id)
        self.assertEqual(self.lot_1.rental_custodian, self.customer.name)
        # The return goes through the scan desk, which keeps nothing of its own: the
        # handover is the lasting record.
        desk = self.env["rental.scan.desk"].with_user(self.warehouse_user)
        reply = desk.scan_barcode(self.lot_1.name)
        self.assertFalse(reply.get("error"), reply)
        reply = desk.validate_transfer(self._return(self.order).id)
        self.assertFalse(reply.get("error"), reply)
        handovers = self.env["rental.handover"].search([("order_id", "=", self.order.id)])
        self.assertEqual(handovers.mapped("operation"), ["return", "pickup"])
        self.assertFalse(self.lot_1.rental_custodian)
        self.assertFalse(self.lot_1.rental_site_id)

    def test_customer_signs_once_then_it_is_frozen(self):
        handover = self._picked_up()
        handover.with_user(self.warehouse_user).write(
            {"received_by": "Jane Doe", "note": "Bag, 2 batteries"}
        )
        self._sign(handover)
        self.assertEqual(handover.signed_by, "Jane Doe")
        self.assertTrue(handover.signed_on and handover.signature)
        self.assertEqual(self.lot_1.rental_custodian, "Jane Doe")
        with self.assertRaisesRegex(UserError, "is signed"):
            handover.with_user(self.warehouse_user).write({"note": "changed"})
        with self.assertRaisesRegex(UserError, "is signed"):
            handover.sudo().write({"received_by": "Someone else"})
        with self.assertRaisesRegex(UserError, "already signed"):
            self._sign(handover, name="Other")
        self.assertEqual((handover.signed_by, handover.note), ("Jane Doe", "Bag, 2 batteries"))

    def test_nobody_rewrites_or_deletes_a_handover(self):
        handover = self._picked_up()
        with self.assertRaisesRegex(UserError, "Sign, once"):
            handover.with_user(self.warehouse_user).write({"signature": SIGNATURE})
        with self.assertRaisesRegex(UserError, "written when its transfer is validated"):
            handover.sudo().write({"date": "2020-01-01 00:00:00"})
        with self.assertRaisesRegex(UserError, "written when its transfer is validated"):
            self.env["rental.handover"].sudo().create(
                {
                    "name": "FAKE",
                    "picking_id": handover.picking_id.id,
                    "operation": "pickup",
                    "company_id": self.company.id,
                    "date": "2020-01-01 00:00:00",
                    "user_id": self.env.uid,
                }
            )
        with self.assertRaises(AccessError):
            handover.line_ids.with_user(self.warehouse_user).write({"counter_reading": 1})
        with self.assertRaises(UserError):
            handover.sudo().unlink()
        with self.assertRaises(UserError):
            self._sign(handover, user=self.rental_user)
        self.assertFalse(handover.signed_on)
