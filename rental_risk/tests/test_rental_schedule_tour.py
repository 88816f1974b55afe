from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRentalScheduleTour(HttpCase):
    """Rentals > Schedule in the browser: a booking is shown, a free day starts a quotation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="rr_schedule_tour",
            groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
            tz="UTC",
        )
        product = cls.env["product.product"].create(
            {
                "name": "Tour Schedule Camera",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "rental_ok": True,
                "rental_price_day": 80.0,
                "rental_padding_hours": 12.0,
            }
        )
        lots = cls.env["stock.lot"].create(
            [
                {"name": name, "product_id": product.id, "company_id": cls.env.company.id}
                for name in ("TOUR-SCHED-01", "TOUR-SCHED-02")
            ]
        )
        customer = cls.env["res.partner"].create({"name": "Tour Schedule Customer"})
        today = fields.Date.context_today(cls.env["res.users"].with_user(cls.user))
        start = datetime.combine(today + timedelta(days=1), time(9, 0))
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1.0,
                            "rental_start": start,
                            "rental_end": start + timedelta(days=3),
                            "rental_lot_ids": [Command.set(lots[:1].ids)],
                        }
                    )
                ],
            }
        )
        cls.env["rental.booking"].create(
            {
                "lot_id": lots[0].id,
                "order_line_id": cls.order.order_line.id,
                "date_start": start,
                "date_end": start + timedelta(days=3),
            }
        )

    def test_schedule_tour(self):
        """The tour sees the order's booking and lands on a prefilled quotation."""
        orders_before = self.env["sale.order"].search_count([])
        self.start_tour("/odoo", "rental_risk_schedule", login=self.user.login)
        # The tour leaves the new quotation unsaved: nothing is created behind the user's back.
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
