import json
import xmlrpc.client

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRentalScanDesk(RiskCommon):
    """The scan desk's server methods, as the Rental Warehouse clerk calls them over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order(lots=cls.lot_1 | cls.lot_2, qty=2)
        cls.order.action_confirm()
        cls.other_order = cls._order(lots=cls.lot_3)
        cls.other_order.action_confirm()
        cls.Desk = cls.env["rental.scan.desk"].with_user(cls.warehouse_user)

    def assertRpcSafe(self, result):
        """``result`` is a dict that XML-RPC (no None allowed) and JSON can carry."""
        self.assertIsInstance(result, dict)
        xmlrpc.client.dumps((result,), allow_none=False)
        json.dumps(result)

    def _scan(self, barcode, picking=None):
        result = self.Desk.scan_barcode(barcode, picking_id=picking.id if picking else False)
        self.assertRpcSafe(result)
        return result

    def _done_serials(self, result):
        return [line["serial"] for line in result["transfer"]["lines"] if line["done"]]

    def test_serial_finds_order_and_pickup(self):
        """With nothing chosen, a booked serial opens its order's pickup and is marked picked."""
        pickup = self._pickup(self.order)
        result = self._scan("TCAM-01")
        self.assertTrue(result["ok"], result["error"])
        self.assertEqual(result["transfer"]["id"], pickup.id)
        self.assertEqual(result["transfer"]["operation"], "pickup")
        self.assertEqual(result["transfer"]["order"], self.order.name)
        self.assertEqual(self._done_serials(result), ["TCAM-01"])
        self.assertEqual(
            [line["serial"] for line in result["transfer"]["lines"]], ["TCAM-01", "TCAM-02"]
        )
        move_line = pickup.move_line_ids.filtered(lambda ml: ml.lot_id == self.lot_1)
        self.assertTrue(move_line.picked)
        self.assertEqual(move_line.quantity, 1)

    def test_serial_out_finds_return(self):
        """With nothing chosen, a serial out with the customer opens the order's return."""
        self._validate(self._pickup(self.order))
        result = self._scan("TCAM-02")
        self.assertTrue(result["ok"], result["error"])
        self.assertEqual(result["transfer"]["id"], self._return(self.order).id)
        self.assertEqual(result["transfer"]["operation"], "return")
        self.assertEqual(self._done_serials(result), ["TCAM-02"])

    def test_transfer_name_opens_it(self):
        """Scanning a transfer's name opens it without marking anything."""
        pickup = self._pickup(self.order)
        result = self._scan(pickup.name)
        self.assertTrue(result["ok"], result["error"])
        self.assertEqual(result["transfer"]["id"], pickup.id)
        self.assertEqual(result["transfer"]["done_count"], 0)
        self.assertEqual(result["transfer"]["total_count"], 2)

    def test_serial_by_rental_barcode(self):
        """A serial is found by its rental barcode label too."""
        self.lot_1.rental_barcode = "LBL-0001"
        result = self._scan("LBL-0001")
        self.assertTrue(result["ok"], result["error"])
        self.assertEqual(self._done_serials(result), ["TCAM-01"])

    def test_unknown_barcode_inline_error(self):
        """An unknown barcode answers with an inline error and keeps the open transfer."""
        pickup = self._pickup(self.order)
        result = self._scan("NOPE-404", pickup)
        self.assertFalse(result["ok"])
        self.assertIn("Unknown barcode NOPE-404", result["error"])
        self.assertEqual(result["transfer"]["id"], pickup.id)
        self.assertFalse(pickup.move_line_ids.filtered("picked"))

    def test_unknown_barcode_with_nothing_open(self):
        """An unknown first scan answers with an error and no transfer."""
        result = self._scan("NOPE-404")
        self.assertFalse(result["ok"])
        self.assertEqual(result["transfer"], {})

    def test_empty_scan(self):
        """An empty or non-text scan is an inline error, not a crash."""
        for barcode in ("", "   ", None, 42):
            result = self._scan(barcode)
            self.assertFalse(result["ok"])
            self.assertIn("Nothing was scanned", result["error"])

    def test_serial_of_another_operation(self):
        """A serial of another order's pickup is refused and its transfer is pointed at."""
        pickup = self._pickup(self.order)
        other = self._pickup(self.other_order)
        result = self._scan("TCAM-03", pickup)
        self.assertFalse(result["ok"])
        self.assertIn(other.name, result["error"])
        self.assertEqual(result["switch_picking_id"], other.id)
        self.assertEqual(result["transfer"]["id"], pickup.id)
        self.assertFalse((pickup | other).move_line_ids.filtered("picked"))

    def test_serial_out_scanned_on_pickup(self):
        """A serial already handed out, scanned on the pickup, points at the return."""
        self._validate(self._pickup(self.order), lots=self.lot_1)
        pickup = self._pickup(self.order)
        result = self._scan("TCAM-01", pickup)
        self.assertFalse(result["ok"])
        self.assertEqual(result["switch_picking_id"], self._return(self.order).id)

    def test_serial_held_by_an_earlier_pickup(self):
        """A serial of this order still reserved by an earlier order's pickup keeps its own
        reason: it is not pointed at the other transfer as if it belonged there."""
        later = self._order(
            lots=self.lot_3,
            start=self.end.replace(day=20),
            end=self.end.replace(day=24),
        )
        later.action_confirm()
        pickup = self._pickup(later)
        self.assertFalse(pickup.move_line_ids.filtered(lambda ml: ml.lot_id == self.lot_3))
        result = self._scan("TCAM-03", pickup)
        self.assertFalse(result["ok"])
        self.assertIn("TCAM-03 is not available", result["error"])
        self.assertFalse(result["switch_picking_id"])

    def test_scan_twice_refused(self):
        """Scanning the same serial twice is refused the second time."""
        pickup = self._pickup(self.order)
        self._scan("TCAM-01", pickup)
        result = self._scan("TCAM-01", pickup)
        self.assertFalse(result["ok"])
        self.assertIn("already been scanned", result["error"])
        self.assertEqual(self._done_serials(result), ["TCAM-01"])

    def test_checkin_already_returned(self):
        """Checking in a serial already returned is refused."""
        self._validate(self._pickup(self.order))
        self._validate(self._return(self.order), lots=self.lot_1)
        result = self._scan("TCAM-01", self._return(self.order))
        self.assertFalse(result["ok"])
        self.assertIn("already been returned", result["error"])

    def test_checkin_not_picked_up(self):
        """Checking in a serial still to pick up is refused and its pickup pointed at."""
        self._validate(self._pickup(self.order), lots=self.lot_1)
        result = self._scan("TCAM-02", self._return(self.order))
        self.assertFalse(result["ok"])
        self.assertIn("belongs to", result["error"])
        self.assertEqual(result["switch_picking_id"], self._pickup(self.order).id)

    def test_checkin_never_picked_up(self):
        """Checking in a serial whose pickup was given up is refused."""
        self._validate(self._pickup(self.order), lots=self.lot_1, backorder=False)
        result = self._scan("TCAM-02", self._return(self.order))
        self.assertFalse(result["ok"])
        self.assertIn("TCAM-02 is not on the order", result["error"])
        self.assertFalse(result["switch_picking_id"])

    def test_validate_returns_summary(self):
        """Validating after one scan hands it out, leaves a backorder, and sums it up."""
        pickup = self._pickup(self.order)
        self._scan("TCAM-01", pickup)
        result = self.Desk.validate_transfer(pickup.id)
        self.assertRpcSafe(result)
        self.assertTrue(result["ok"], result["error"])
        summary = result["summary"]
        self.assertEqual(summary["serials"], ["TCAM-01"])
        self.assertEqual(summary["count"], 1)
        self.assertEqual(summary["operation"], "pickup")
        backorder = self._pickup(self.order)
        self.assertEqual(summary["backorder"], backorder.name)
        self.assertEqual(summary["left"], ["TCAM-02"])
        self.assertIn("handed out", result["message"])
        self.assertEqual(pickup.state, "done")
        self.assertEqual(self.lot_1.rental_state, "out")
        self.assertEqual(backorder.move_line_ids.lot_id, self.lot_2)

    def test_checkin_validates_for_inspection(self):
        """Check-in of every serial returns them for inspection."""
        self._validate(self._pickup(self.order))
        self._scan("TCAM-01")
        result = self._scan("TCAM-02", self._return(self.order))
        result = self.Desk.validate_transfer(result["transfer"]["id"])
        self.assertTrue(result["ok"], result["error"])
        self.assertEqual(result["summary"]["backorder"], "")
        self.assertEqual((self.lot_1 | self.lot_2).mapped("rental_state"), ["inspection"] * 2)

    def test_validate_nothing_scanned(self):
        """Validating before any scan is an inline error; nothing moves."""
        pickup = self._pickup(self.order)
        result = self.Desk.validate_transfer(pickup.id)
        self.assertRpcSafe(result)
        self.assertFalse(result["ok"])
        self.assertIn("has been scanned yet", result["error"])
        self.assertNotEqual(pickup.state, "done")

    def test_risk_lock_refusal_inline(self):
        """The risk delivery lock refuses the pickup; the desk shows its sentence inline."""
        pickup = self._pickup(self.order)
        self._scan("TCAM-01")
        self._blacklist()
        state_before = self.lot_1.rental_state
        result = self.Desk.validate_transfer(pickup.id)
        self.assertRpcSafe(result)
        self.assertFalse(result["ok"])
        self.assertIn("cannot be handed out", result["error"])
        self.assertIn("is blacklisted", result["error"])
        self.assertEqual(result["transfer"]["id"], pickup.id)
        self.assertNotEqual(pickup.state, "done")
        self.assertEqual(self.lot_1.rental_state, state_before)
        self.assertTrue(pickup.move_line_ids.filtered(lambda ml: ml.lot_id == self.lot_1).picked)

    def test_closed_transfer(self):
        """A validated transfer is not open on the desk any more."""
        pickup = self._pickup(self.order)
        self._validate(pickup)
        result = self.Desk.read_transfer(pickup.id)
        self.assertRpcSafe(result)
        self.assertFalse(result["ok"])
        self.assertEqual(result["transfer"], {})
        result = self._scan(pickup.name)
        self.assertFalse(result["ok"])
        self.assertIn("not open any more", result["error"])

    def test_read_transfer_bad_ids(self):
        """Ids of the wrong type or of other transfers answer with an error, not a crash."""
        for value in (False, None, "1", [1], 0, -5):
            result = self.Desk.read_transfer(value)
            self.assertRpcSafe(result)
            self.assertFalse(result["ok"])

    def test_salesperson_cannot_use_desk(self):
        """A Rental User without Rental Warehouse can neither scan nor validate."""
        pickup = self._pickup(self.order)
        desk = self.env["rental.scan.desk"].with_user(self.rental_user)
        with self.assertRaises(AccessError):
            desk.scan_barcode("TCAM-01")
        with self.assertRaises(AccessError):
            desk.validate_transfer(pickup.id)
        self.assertFalse(pickup.move_line_ids.filtered("picked"))

    def test_order_buttons_open_desk(self):
        """Check Out / Check In on the order open the desk on the open pickup or return."""
        order = self.order.with_user(self.warehouse_user)
        action = order.action_rental_scan_checkout()
        self.assertEqual(action["tag"], "rental_risk.scan_desk")
        self.assertEqual(action["params"]["picking_id"], self._pickup(self.order).id)
        self._validate(self._pickup(self.order))
        action = order.action_rental_scan_checkin()
        self.assertEqual(action["params"]["picking_id"], self._return(self.order).id)


@tagged("post_install", "-at_install")
class TestRentalScanDeskAccess(RiskCommon):
    """Who reaches the desk and the orders it works on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order(lots=cls.lot_1)
        cls.order.action_confirm()

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_clerk_sees_scan_and_rental_orders_menus(self):
        """Rental Warehouse sees Rentals > Scan and Rentals > Rental Orders."""
        menus = self._visible_menus(self.warehouse_user)
        self.assertIn(self.env.ref("rental_risk.rental_scan_desk_menu").id, menus)
        self.assertIn(self.env.ref("rental_risk.sale_order_menu_rental").id, menus)

    def test_salesperson_does_not_see_scan_menu(self):
        """A Rental User without Rental Warehouse has no Scan menu."""
        menus = self._visible_menus(self.rental_user)
        self.assertNotIn(self.env.ref("rental_risk.rental_scan_desk_menu").id, menus)

    def test_clerk_who_sells_reads_every_rental_order(self):
        """A clerk who also sells reads the orders others sold (not only their own)."""
        clerk = new_test_user(
            self.env,
            login="rr_clerk_seller",
            groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
        )
        self.assertNotEqual(self.order.user_id, clerk)
        orders = self.env["sale.order"].with_user(clerk).search([("is_rental_order", "=", True)])
        self.assertIn(self.order, orders)
        self.assertTrue(self.order.with_user(clerk).order_line.read(["name"]))
        seller = new_test_user(
            self.env, login="rr_other_seller", groups="rental_risk.rental_risk_group_user"
        )
        self.assertNotIn(
            self.order,
            self.env["sale.order"].with_user(seller).search([("is_rental_order", "=", True)]),
        )

    def test_clerk_opens_the_order_form(self):
        """Everything the order form shows can be read by the clerk."""
        Order = self.env["sale.order"].with_user(self.warehouse_user)
        arch = etree.fromstring(Order.get_views([(False, "form")])["views"]["form"]["arch"])
        # The order's own fields, not those of the line and settlement sub-views.
        names = {
            node.get("name")
            for node in arch.iter("field")
            if next(node.iterancestors("field"), None) is None
        }
        self.assertIn("rental_has_open_pickup", names)
        spec = {name: {} for name in names}
        values = Order.browse(self.order.id).web_read(spec)
        self.assertEqual(values[0]["id"], self.order.id)

    def test_administrator_holds_the_rental_groups(self):
        """The administrator can sell, hand out and decide out of the box."""
        admin = self.env.ref("base.user_admin")
        for group in ("warehouse", "manager", "officer", "user"):
            self.assertTrue(admin.has_group(f"rental_risk.rental_risk_group_{group}"), group)

    def test_demo_clerk(self):
        """With demo data, the clerk rental_clerk works the warehouse and nothing else."""
        clerk = self.env.ref("rental_risk.user_rental_clerk_demo", raise_if_not_found=False)
        if not clerk:
            self.skipTest("installed without demo data")
        self.assertEqual(clerk.login, "rental_clerk")
        self.assertTrue(clerk.has_group("rental_risk.rental_risk_group_warehouse"))
        self.assertFalse(clerk.has_group("rental_risk.rental_risk_group_user"))
        board = self.env.ref("rental_risk.stock_picking_report_today_action")
        self.assertEqual(clerk.action_id.id, board.id)
        demo = self.env.ref("base.user_demo")
        self.assertTrue(demo.has_group("rental_risk.rental_risk_group_warehouse"))
        self.assertTrue(demo.has_group("rental_risk.rental_risk_group_user"))
