from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRentalTodayBoard(RiskCommon):
    """The today board puts each open rental transfer in the stage of what happens today.

    The order's period runs from 2031-03-03 09:00 to 2031-03-07 17:00 (UTC).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order(lots=cls.lot_1)
        cls.order.action_confirm()
        cls.warehouse_user.tz = "UTC"
        cls.Board = cls.env["stock.picking.report.today"].with_user(cls.warehouse_user)

    def _stages(self, at, user=None):
        """{transfer: stage} of the order's transfers on the board at ``at``."""
        board = self.Board.with_user(user) if user else self.Board
        # Each request of the web client starts with an empty cache; the stage of a row
        # read at another moment must not come from the cache.
        board.invalidate_model()
        with freeze_time(at):
            rows = board.search([("order_id", "=", self.order.id)])
            return {row.picking_id: row.stage for row in rows}

    def test_pickup_planned_today(self):
        """A pickup planned today, or before, is to pick up."""
        pickup = self._pickup(self.order)
        self.assertEqual(self._stages("2031-03-03 07:00"), {pickup: "pickup"})
        self.assertEqual(self._stages("2031-03-04 12:00"), {pickup: "pickup"})

    def test_pickup_planned_tomorrow_not_on_board(self):
        """A pickup planned after today is not on today's board."""
        self.assertEqual(self._stages("2031-03-02 12:00"), {})

    def test_return_stages(self):
        """Gear out is Out, then To Return on its due day, then Late once due."""
        self._validate(self._pickup(self.order))
        ret = self._return(self.order)
        self.assertEqual(self._stages("2031-03-05 12:00"), {ret: "out"})
        self.assertEqual(self._stages("2031-03-07 10:00"), {ret: "return"})
        self.assertEqual(self._stages("2031-03-07 18:00"), {ret: "late"})

    def test_returned_gear_leaves_the_board(self):
        """Once returned, the order has nothing left on the board."""
        self._validate(self._pickup(self.order))
        self._validate(self._return(self.order))
        self.assertEqual(self._stages("2031-03-07 10:00"), {})

    def test_today_is_the_users_day(self):
        """ "Today" ends at the user's midnight: in Tokyo, 10:00 UTC is already evening."""
        self._validate(self._pickup(self.order))
        ret = self._return(self.order)
        self.assertEqual(self._stages("2031-03-06 12:00"), {ret: "out"})
        self.warehouse_user.tz = "Asia/Tokyo"
        # 2031-03-06 12:00 UTC is 21:00 in Tokyo; the return is due 2031-03-08 02:00 there.
        self.assertEqual(self._stages("2031-03-06 12:00"), {ret: "out"})
        # 2031-03-07 06:00 UTC is 15:00 in Tokyo; due at 02:00 tomorrow there: still out.
        self.assertEqual(self._stages("2031-03-07 06:00"), {ret: "out"})
        self.warehouse_user.tz = "America/New_York"
        # 2031-03-07 06:00 UTC is 01:00 in New York; due 12:00 there today.
        self.assertEqual(self._stages("2031-03-07 06:00"), {ret: "return"})

    def test_counts_per_stage(self):
        """The board counts transfers per stage in one grouped query, every stage shown."""
        other = self._order(lots=self.lot_2)
        other.action_confirm()
        self._validate(self._pickup(other))
        self.Board.invalidate_model()
        with freeze_time("2031-03-07 10:00"):
            domain = [("order_id", "in", (self.order | other).ids)]
            groups = self.Board._read_group(domain, ["stage"], ["__count"])
            counts = dict(groups)
            self.assertEqual(counts.get("pickup"), 1)
            self.assertEqual(counts.get("return"), 1)
            web_groups = self.Board.web_read_group(domain, ["stage"], ["stage"])["groups"]
            self.assertEqual([g["stage"] for g in web_groups], ["pickup", "out", "return", "late"])

    def test_card_opens_the_scan_desk(self):
        """A card opens the scan desk on its transfer."""
        with freeze_time("2031-03-03 07:00"):
            row = self.Board.search([("order_id", "=", self.order.id)])
            action = row.action_open_scan_desk()
        self.assertEqual(action["tag"], "rental_risk.scan_desk")
        self.assertEqual(action["params"]["picking_id"], self._pickup(self.order).id)

    def test_salesperson_has_no_board(self):
        """The board is the warehouse's: a Rental User without it cannot read it."""
        with self.assertRaises(AccessError):
            self.env["stock.picking.report.today"].with_user(self.rental_user).search([])
