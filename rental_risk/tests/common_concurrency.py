import threading
import time

from odoo.sql_db import db_connect
from odoo.tests import BaseCase
from odoo.tests.common import get_db_name


class RealTransactionCase(BaseCase):
    """Base of the tests that need transactions of their own, as two users would have.

    In test mode ``registry.cursor()`` returns a cursor sharing the test transaction, which
    cannot show what another transaction sees or waits for; these tests open real connections
    instead (``db_connect(...).cursor()``), commit their fixture, and delete it at the end to
    leave the database as they found it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()

    def _new_cursor(self):
        """A cursor on a new connection, in its own transaction (not closed automatically)."""
        return db_connect(self.dbname).cursor()

    def _cursor(self):
        """A cursor on a new connection, closed when the test ends."""
        cr = self._new_cursor()
        self.addCleanup(cr.close)
        return cr

    def _wait_until_blocked(self, blocked_cr, timeout=10.0):
        """Return once ``blocked_cr``'s backend waits for a lock (its statement is stuck)."""
        pid = blocked_cr._cnx.get_backend_pid()
        deadline = time.monotonic() + timeout
        with self._new_cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cr.fetchone()
                if row and row[0] == "Lock":
                    return True
                cr.rollback()
                time.sleep(0.05)
        return False

    def _race(self, cr1, cr2, run_transaction_2, timeout=60):
        """Run ``run_transaction_2`` (working on ``cr2``) in a thread until it waits on a lock
        held by ``cr1``'s uncommitted work, then commit ``cr1`` and let transaction 2 end;
        ``cr2`` is rolled back afterwards."""
        thread = threading.Thread(target=run_transaction_2)
        thread.start()
        try:
            self.assertTrue(self._wait_until_blocked(cr2), "transaction 2 never waited")
            cr1.commit()
        finally:
            thread.join(timeout=timeout)
        self.assertFalse(thread.is_alive())
        cr2.rollback()
