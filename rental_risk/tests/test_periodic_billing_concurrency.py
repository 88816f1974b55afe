from datetime import date, datetime

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_concurrency import RealTransactionCase


@tagged("post_install", "-at_install")
class TestPeriodicBillingConcurrency(RealTransactionCase):
    """Two billing runs record the same period at the same time: the database keeps one."""

    def setUp(self):
        super().setUp()
        with self._new_cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            product = env["product.product"].create(
                {
                    "name": "Concurrency Test Copier",
                    "type": "consu",
                    "is_storable": True,
                    "tracking": "serial",
                    "rental_ok": True,
                    "rental_price_day": 10.0,
                }
            )
            partner = env["res.partner"].create({"name": "Concurrency Test Lessee"})
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "rental_billing_period": "month",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "rental_start": datetime(2032, 1, 31, 9),
                                "rental_end": datetime(2033, 1, 31, 9),
                            }
                        )
                    ],
                }
            )
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
            self.fixture = {"product": product.id, "partner": partner.id, "order": order.id}
            self.line_id = order.order_line.id
        self.addCleanup(self._delete_fixture)

    def _delete_fixture(self):
        with self._new_cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # The periods go with their line (ON DELETE CASCADE).
            env["sale.order"].browse(self.fixture["order"]).unlink()
            product = env["product.product"].browse(self.fixture["product"])
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()
            env["res.partner"].browse(self.fixture["partner"]).unlink()
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit

    @mute_logger("odoo.sql_db")
    def test_concurrent_runs_record_each_period_once(self):
        """Two runs record the due periods of a line at once: the second waits for the first,
        then records nothing (or fails and is retried): never two rows for a period."""
        cr1, cr2 = self._cursor(), self._cursor()
        env1 = api.Environment(cr1, SUPERUSER_ID, {})
        env2 = api.Environment(cr2, SUPERUSER_ID, {})
        day = date(2032, 3, 31)  # the first three periods are due
        first = env1["rental.billing.run"]._record_due_periods(
            env1["sale.order.line"].browse(self.line_id), day
        )
        self.assertEqual(len(first), 3)
        outcome = {}

        def record_in_transaction_2():
            try:
                periods = env2["rental.billing.run"]._record_due_periods(
                    env2["sale.order.line"].browse(self.line_id), day
                )
                outcome["result"] = len(periods)
            except Exception as error:  # reported by the main thread
                outcome["result"] = error

        self._race(cr1, cr2, record_in_transaction_2, timeout=30)
        result = outcome.get("result")
        self.assertTrue(
            result == 0 or "could not serialize" in str(result),
            f"transaction 2 ended with {result!r}",
        )
        with self._new_cursor() as cr:
            cr.execute(
                "SELECT count(*), count(DISTINCT date_start) FROM rental_billing_period"
                " WHERE order_line_id = %s",
                [self.line_id],
            )
            self.assertEqual(cr.fetchone(), (3, 3))
