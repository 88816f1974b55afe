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
