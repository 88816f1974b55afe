from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalLate(RentalOrderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.late_fee_product = cls.env.ref("rental_risk.product_late_fee")
        cls.order = cls._create_rental_order(qty=2)
        cls.order.action_confirm()
        cls.line = cls.order.order_line
        cls.lots = cls.line.rental_lot_ids

    def _activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", self.order.id)]
        )

    def _fee_lines(self):
        return self.order.order_line.filtered(lambda sol: sol.product_id == self.late_fee_product)

    def test_cron_flags_late_line_with_hours(self):
        """The cron flags a line whose end is past with gear out, with the hours late."""
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 8, 5, 0)):  # end 7 March 17:00 -> 12 hours late
            self.env["sale.order.line"]._cron_flag_late_rentals()
        self.assertTrue(self.line.rental_is_late)
        self.assertAlmostEqual(self.line.rental_late_hours, 12.0)

    def test_cron_ignores_line_not_due(self):
        """A line still within its period is not late."""
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 5, 9, 0)):
            self.env["sale.order.line"]._cron_flag_late_rentals()
        self.assertFalse(self.line.rental_is_late)

    def test_cron_one_activity_no_duplicate(self):
        """One To-Do activity per late line; a second run updates it instead of adding one."""
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 8, 5, 0)):
            self.env["sale.order.line"]._cron_flag_late_rentals()
        activity = self._activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity, self.line.rental_late_activity_id)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("Test Cinema Camera", activity.summary)
        self.assertIn("TCAM-01", activity.summary)
        with freeze_time(datetime(2031, 3, 9, 5, 0)):
            self.env["sale.order.line"]._cron_flag_late_rentals()
        self.assertEqual(self._activities(), activity)
        self.assertAlmostEqual(self.line.rental_late_hours, 36.0)
        self.assertIn("36.0", activity.summary)

    def test_cron_unflags_after_return(self):
        """Once the gear is back the line is no longer late and its activity is closed."""
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 8, 5, 0)):
            self.env["sale.order.line"]._cron_flag_late_rentals()
            self._validate(self._return(self.order))
        self.assertFalse(self.line.rental_is_late)
        self.assertFalse(self._activities())

    def test_late_return_counts_in_the_customer_score(self):
        """A line flagged late is a late return in the customer's score facts at once, and
        stays one after the gear is back (the lateness is the line's history)."""
        partner = self.order.partner_id.commercial_partner_id
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 8, 5, 0)):  # 12 hours late
            self.env["sale.order.line"]._cron_flag_late_rentals()
            facts = self.env["rental.credit.facts"]._collect_facts(partner.ids)[0]
            self.assertEqual(facts[partner.id].late_returns, 1)
            self.assertAlmostEqual(facts[partner.id].avg_late_days, 0.5)
            self.assertIn("returned 1 rental late", partner.rental_score_explanation)
            self._validate(self._return(self.order))
            facts = self.env["rental.credit.facts"]._collect_facts(partner.ids)[0]
        self.assertEqual(facts[partner.id].late_returns, 1, "still counted after the return")
        self.assertEqual(facts[partner.id].completed_rentals, 2, "two serials came back")

    def test_late_fee_added_on_late_return(self):
        """A return after the grace period adds a late fee line per serial and started day."""
        self._validate(self._pickup(self.order))
        # End 7 March 17:00 + 2 h grace -> returned 9 March 10:00 is 1 day 15 h late: 2 days.
        with freeze_time(datetime(2031, 3, 9, 10, 0)):
            self._validate(self._return(self.order))
        fees = self._fee_lines()
        self.assertEqual(len(fees), 2)
        self.assertEqual(fees.mapped("product_uom_qty"), [2.0, 2.0])
        self.assertAlmostEqual(sum(fees.mapped("price_subtotal")), 2 * 2 * 100.0)
        self.assertIn("TCAM-01", " ".join(fees.mapped("name")))
        self.assertEqual(fees[0].qty_to_invoice, 2.0)

    def test_no_late_fee_within_grace(self):
        """A return within the grace period adds no fee."""
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 7, 18, 30)):
            self._validate(self._return(self.order))
        self.assertFalse(self._fee_lines())

    def test_no_late_fee_on_time(self):
        """A return before the end adds no fee."""
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 6, 12, 0)):
            self._validate(self._return(self.order))
        self.assertFalse(self._fee_lines())

    def test_late_line_menu_action(self):
        """The Late Returns action lists late rental lines."""
        self._validate(self._pickup(self.order))
        with freeze_time(datetime(2031, 3, 8, 5, 0)):
            self.env["sale.order.line"]._cron_flag_late_rentals()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.sale_order_line_action_rental_late"
        )
        domain = safe_eval(action["domain"])
        late = self.env["sale.order.line"].search(domain)
        # Demo orders may be late too: this order's late line is listed, and only late lines.
        self.assertEqual(late & self.order.order_line, self.line)
        self.assertTrue(all(late.mapped("rental_is_late")))
