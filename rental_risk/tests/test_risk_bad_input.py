from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestRiskBadInput(RiskCommon):
    """Bad input is refused in the model (so on every path: form, import, RPC) with a sentence
    saying what to enter, and nothing is half-written."""

    def _line_vals(self, **vals):
        return {
            "product_id": self.camera.id,
            "product_uom_qty": 1,
            "rental_start": self.start,
            "rental_end": self.end,
            **vals,
        }

    def test_rental_line_quantity_and_price_ranges(self):
        """Negative quantity, negative price, 1e300 or NaN on a rental line: refused."""
        for vals in (
            {"product_uom_qty": -1},
            {"price_unit": -5.0},
            {"price_unit": 1e300},
            {"price_unit": float("nan")},
            {"discount": 150.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.env["sale.order"].create(
                    {
                        "partner_id": self.customer.id,
                        "order_line": [Command.create(self._line_vals(**vals))],
                    }
                )
        self.assertFalse(self.env["sale.order"].search([("partner_id", "=", self.customer.id)]))

    def test_replacement_value_of_a_serial(self):
        """A negative or absurd replacement value on a serial is refused."""
        for value in (-1.0, 1e300):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.lot_1.rental_replacement_value = value
        self.assertEqual(self.lot_1.rental_replacement_value, 5000.0)

    def test_settings_ranges(self):
        """Negative minimum deposit, negative days, absurd tolerance: refused."""
        for vals in (
            {"rental_deposit_min_amount": -10.0},
            {"rental_risk_trigger_unpaid_days": -1},
            {"rental_loss_proposal_days": 100000},
            {"rental_risk_overdue_min_amount": 1e300},
            {"rental_risk_lock_overdue_days": -3},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.company.write(vals)

    def test_rule_and_grade_table_ranges(self):
        """Rules and the grade table refuse negative or absurd figures."""
        with self.assertRaises(ValidationError):
            self._rule("asset_value", "warn", amount=-1.0)
        with self.assertRaises(ValidationError):
            self._rule("first_rental_value", "deposit", amount=10.0, deposit_percent=150.0)
        line = self.env["rental.grade.limit"].search(
            [("company_id", "=", self.company.id), ("grade", "=", "C")]
        )
        with self.assertRaises(ValidationError):
            line.deposit_rate = 120.0

    def test_wrong_value_types_give_a_sentence(self):
        """A string where a date is expected, a word where a number is: a sentence, not a
        Python error."""
        with self.assertRaises(ValidationError) as error:
            self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create(self._line_vals(rental_start="next tuesday"))],
                }
            )
        self.assertIn("must be a date and time", str(error.exception))
        with self.assertRaises(ValidationError) as error:
            self._book(self.lot_1, start="soon")
        self.assertIn("must be a date and time", str(error.exception))
        with self.assertRaises(ValidationError) as error:
            self.lot_1.rental_replacement_value = "a lot"
        self.assertIn("must be a finite number", str(error.exception))

    def test_one_record_actions_refuse_several(self):
        """Buttons made for one record answer a list of records with a sentence."""
        with self.assertRaises(UserError) as error:
            self.camera_lots.action_rental_open_bookings()
        self.assertIn("one", str(error.exception))
        self.assertNotIn("Expected singleton", str(error.exception))

    def test_waive_reason_must_be_text(self):
        """A reason that is not text (a list sent over RPC) is refused with a sentence."""
        claim = self.env["rental.damage.claim"]
        with self.assertRaises(UserError):
            claim.with_user(self.manager).action_waive(reason=["not", "text"])

    def test_company_with_audit_trail_cannot_be_deleted(self):
        """Events and decisions keep their company: the database refuses to delete it."""
        self.env.cr.execute(
            """
            SELECT cl.relname, con.confdeltype
              FROM pg_constraint con
              JOIN pg_class cl ON cl.oid = con.conrelid
              JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
             WHERE con.contype = 'f' AND att.attname = 'company_id'
               AND cl.relname IN ('rental_risk_event', 'rental_risk_decision')
            """
        )
        self.assertEqual(
            dict(self.env.cr.fetchall()),
            {"rental_risk_event": "r", "rental_risk_decision": "r"},
            "ON DELETE RESTRICT",
        )
