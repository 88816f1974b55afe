from datetime import datetime, time, timedelta

import pytz

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common_order import RentalOrderCommon


@tagged("post_install", "-at_install")
class TestRentalOrderForm(RentalOrderCommon):
    """What a salesperson sees on a rental quotation: a default period, how the price is
    made, no stock forecast on rental lines."""

    def _tomorrow_at(self, hour, minute, tz_name):
        tz = pytz.timezone(tz_name)
        day = datetime.now(tz).date() + timedelta(days=1)
        local = tz.localize(datetime.combine(day, time(hour, minute)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def test_new_rental_line_gets_the_default_period(self):
        self.rental_user.tz = "Asia/Shanghai"
        form = Form(self.env["sale.order"].with_user(self.rental_user))
        form.partner_id = self.customer
        with form.order_line.new() as line:
            line.product_id = self.camera
        order = form.save()
        start = self._tomorrow_at(9, 0, "Asia/Shanghai")
        self.assertEqual(
            (order.order_line.rental_start, order.order_line.rental_end),
            (start, start + timedelta(days=1)),
        )

        self.company.write({"rental_default_start_hour": 14.5, "rental_default_days": 3})
        form = Form(self.env["sale.order"].with_user(self.rental_user))
        form.partner_id = self.customer
        with form.order_line.new() as line:
            line.product_id = self.camera
        order = form.save()
        start = self._tomorrow_at(14, 30, "Asia/Shanghai")
        self.assertEqual(
            order.order_line.rental_end - order.order_line.rental_start, timedelta(days=3)
        )
        self.assertEqual(order.order_line.rental_start, start)

    def test_default_period_setting_is_checked(self):
        with self.assertRaises(ValidationError):
            self.company.rental_default_start_hour = 25.0
        with self.assertRaises(ValidationError):
            self.company.rental_default_days = 0

    def test_line_says_how_the_period_is_priced(self):
        self.camera.product_tmpl_id.rental_price_week = 500.0
        order = self._create_rental_order(end=self.start + timedelta(days=9))
        label = order.order_line.rental_period_label
        self.assertTrue(label.startswith("9 days: 1 week × "), label)
        self.assertIn("+ 2 days × ", label)
        order = self._create_rental_order(lots=self.lot_2)
        self.assertTrue(order.order_line.rental_period_label.startswith("5 days: 5 days × "))

    def test_no_stock_forecast_on_rental_lines(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.camera.id,
                            "rental_start": self.start,
                            "rental_end": self.end,
                        }
                    ),
                    Command.create({"product_id": self.plain_product.id, "product_uom_qty": 5}),
                ],
            }
        )
        rental, plain = order.order_line
        self.assertFalse(rental.display_qty_widget)
        self.assertTrue(plain.display_qty_widget)

    def test_customer_not_scored_yet_is_checked_with_the_new_customer_limit(self):
        """Never 'limit 0, over the limit' next to 'no rule applies': a customer not scored
        yet shows so, with the limit the rules use (grade C's)."""
        customer = self.env["res.partner"].create({"name": "Brand New Customer"})
        order = self._create_rental_order(partner_id=customer.id)
        order = order.sudo()
        limit_c = self.env["rental.grade.limit"]._get_limits(self.company)[self.company.id]["C"]
        self.assertTrue(order.rental_risk_not_scored)
        self.assertFalse(order.rental_risk_grade)
        self.assertEqual(order.rental_risk_credit_limit, limit_c)
        self.assertEqual(order.rental_risk_over_limit, order.amount_total > limit_c)
        self._override_grade(customer, "B")
        order.invalidate_recordset()
        self.assertFalse(order.rental_risk_not_scored)
        self.assertEqual(order.rental_risk_grade, "B")
