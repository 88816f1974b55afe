from psycopg2 import OperationalError

from odoo import api
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_concurrency import RealTransactionCase

ADMIN_ID = 2


@tagged("post_install", "-at_install")
class TestRiskConcurrency(RealTransactionCase):
    """Two transactions confirm two orders of one customer at the same time; together they
    would pass the credit limit. One is confirmed, the other blocked.

    Real connections (``db_connect(...).cursor()``), as in test_booking_concurrency: the
    fixture is committed and deleted at the end.
    """

    def setUp(self):
        super().setUp()
        with self._new_cursor() as cr:
            env = api.Environment(cr, ADMIN_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent Customer"})
            partner._rental_risk_set_credit_limit(1000.0, "Limit of the concurrency test")
            # Its own rule, for all sales orders: the orders hold a service line, which keeps
            # the test free of serials and bookings.
            rule = env["rental.risk.rule"].create(
                {
                    "name": "Concurrency test: over the limit",
                    "sequence": 1,
                    "condition": "over_limit",
                    "action": "block",
                    "applies_to": "all",
                }
            )
            product = env["product.product"].create(
                {"name": "Concurrency Service", "type": "service", "list_price": 700.0}
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            (0, 0, {"product_id": product.id, "price_unit": 700.0, "tax_id": []})
                        ],
                    }
                    for _i in range(2)
                ]
            )
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
            self.partner_id, self.product_id, self.rule_id = partner.id, product.id, rule.id
            self.order_ids = orders.ids
        self.addCleanup(self._delete_fixture)

    def _delete_fixture(self):
        with self._new_cursor() as cr:
            ids = self.order_ids
            cr.execute("DELETE FROM rental_risk_decision WHERE partner_id = %s", [self.partner_id])
            cr.execute(
                "DELETE FROM rental_risk_event WHERE partner_id = %s OR rule_id = %s",
                [self.partner_id, self.rule_id],
            )
            cr.execute("DELETE FROM rental_risk_rule WHERE id = %s", [self.rule_id])
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'sale.order' AND res_id = ANY(%s)", [ids]
            )
            cr.execute("DELETE FROM sale_order WHERE id = ANY(%s)", [ids])
            env = api.Environment(cr, ADMIN_ID, {})
            env["res.partner"].sudo().browse(self.partner_id).unlink()
            product = env["product.product"].browse(self.product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.exists().unlink()
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_two_orders_cannot_jointly_breach_the_limit(self):
        """Order A confirms; order B, confirmed at the same time, is blocked after Odoo's
        retry sees A."""
        cr1, cr2 = self._cursor(), self._cursor()
        env1 = api.Environment(cr1, ADMIN_ID, {})
        env2 = api.Environment(cr2, ADMIN_ID, {})
        order_a, order_b = self.order_ids
        # Transaction 2 starts (its snapshot is taken) before transaction 1 commits.
        env2["sale.order"].browse(order_b).read(["state", "amount_total"])
        env1["sale.order"].browse(order_a).action_confirm()
        outcome = {}

        def confirm_b():
            env2["sale.order"].browse(order_b).action_confirm()

        def run_transaction_2():
            # What odoo.service.model.retrying does for every RPC, without its registry reset
            # (the test runner holds the registry lock): roll back and run again on a
            # serialization failure.
            outcome["tries"] = 0
            while outcome["tries"] < 5:
                outcome["tries"] += 1
                try:
                    confirm_b()
                    outcome["result"] = "confirmed"
                    return
                except OperationalError as error:
                    if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                        outcome["result"] = error
                        return
                    cr2.rollback()
                    env2.transaction.clear()
                except Exception as error:  # reported by the main thread
                    outcome["result"] = error
                    return

        self._race(cr1, cr2, run_transaction_2, timeout=60)
        error = outcome.get("result")
        self.assertIsInstance(error, UserError, f"transaction 2 ended with {error!r}")
        self.assertIn("over the credit limit", str(error))
        # The first try met the concurrent update; the retry saw order A and was blocked.
        self.assertEqual(outcome["tries"], 2)
        with self._new_cursor() as cr:
            cr.execute(
                "SELECT id, state FROM sale_order WHERE id = ANY(%s) ORDER BY id", [self.order_ids]
            )
            self.assertEqual(dict(cr.fetchall()), {order_a: "sale", order_b: "draft"})
