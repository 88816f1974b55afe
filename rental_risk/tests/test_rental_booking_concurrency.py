from datetime import datetime

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_concurrency import RealTransactionCase


@tagged("post_install", "-at_install")
class TestBookingConcurrency(RealTransactionCase):
    """Two transactions book the same serial at the same time: the database lets one win.

    In test mode ``registry.cursor()`` returns a cursor sharing the test transaction, so this
    test opens real connections (``db_connect(...).cursor()``), commits its fixture and deletes
    it at the end to leave the database as found.
    """

    def setUp(self):
        super().setUp()
        with self._new_cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            product = env["product.product"].create(
                {
                    "name": "Concurrency Test Camera",
                    "type": "consu",
                    "is_storable": True,
                    "tracking": "serial",
                    "rental_ok": True,
                    "rental_padding_hours": 2.0,
                }
            )
            lot = env["stock.lot"].create(
                {"name": "CONC-0001", "product_id": product.id, "company_id": env.company.id}
            )
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
            self.product_id, self.lot_id = product.id, lot.id
        self.addCleanup(self._delete_fixture)

    def _delete_fixture(self):
        with self._new_cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["rental.booking"].search([("lot_id", "=", self.lot_id)]).unlink()
            env["stock.lot"].browse(self.lot_id).unlink()
            product = env["product.product"].browse(self.product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit

    def _booking_vals(self, start, end):
        return {"lot_id": self.lot_id, "date_start": start, "date_end": end}

    @mute_logger("odoo.sql_db")
    def test_concurrent_overlapping_bookings(self):
        """Of two concurrent overlapping bookings of one serial, the second is refused."""
        cr1, cr2 = self._cursor(), self._cursor()
        env1 = api.Environment(cr1, SUPERUSER_ID, {})
        env2 = api.Environment(cr2, SUPERUSER_ID, {})
        # Transaction 1 books, flushed but not committed: invisible to transaction 2.
        env1["rental.booking"].create(
            self._booking_vals(datetime(2032, 5, 3, 9), datetime(2032, 5, 7, 17))
        )
        outcome = {}

        def book_in_transaction_2():
            try:
                env2["rental.booking"].create(
                    self._booking_vals(datetime(2032, 5, 6, 9), datetime(2032, 5, 9, 17))
                )
                outcome["result"] = "created"
            except Exception as error:  # reported by the main thread
                outcome["result"] = error

        # Transaction 2's Python pre-check sees nothing; its INSERT waits on the GiST index
        # entry of transaction 1's uncommitted row until transaction 1 commits.
        self._race(cr1, cr2, book_in_transaction_2, timeout=30)
        error = outcome.get("result")
        self.assertIsInstance(error, ValidationError, f"transaction 2 ended with {error!r}")
        self.assertIn("CONC-0001 is already booked", str(error))
        with self._new_cursor() as cr:
            cr.execute("SELECT count(*) FROM rental_booking WHERE lot_id = %s", [self.lot_id])
            self.assertEqual(cr.fetchone()[0], 1)
