from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import format_amount

from odoo.addons.rental_risk.engine.pg_arrays import array_literal
from odoo.addons.rental_risk.engine.scoring import CustomerFacts, score_customer

from .common_scoring import CreditScoringCommon

TODAY = "2025-06-30"


@tagged("post_install", "-at_install")
class TestCreditScoring(CreditScoringCommon):
    """Score, grade, limit, exposure and available credit from real invoices and payments."""

    def _book_history(self):
        """Paid late, partially paid, unpaid, a credit note and an invoice in EUR."""
        late = self.invoice(1000.0, "2025-01-10")
        self.pay(late, 1000.0, "2025-02-09")  # 30 days late
        partial = self.invoice(2000.0, "2025-03-01")
        self.pay(partial, 500.0, "2025-03-11")  # 10 days late, 1,500.00 left > 90 days overdue
        self.invoice(800.0, "2025-06-10")  # unpaid, 20 days overdue
        self.invoice(300.0, "2025-06-15", move_type="out_refund")  # open credit
        self.invoice(400.0, "2025-06-20", currency=self.eur)  # 200.00 USD at 2 EUR per USD

    @freeze_time(TODAY)
    def test_facts_from_invoices_and_payments(self):
        """Facts are aggregated from posted invoices, credit notes and payments, in USD."""
        self._book_history()
        facts, exposures = self.env["rental.credit.facts"]._collect_facts(self.customer.ids)
        got = facts[self.customer.id]
        self.assertAlmostEqual(got.invoiced_amount, 3700.0, places=2)
        self.assertAlmostEqual(got.open_balance, 2200.0, places=2)
        self.assertAlmostEqual(got.overdue_balance, 2500.0, places=2)
        self.assertAlmostEqual(got.overdue_30, 1500.0, places=2)
        self.assertAlmostEqual(got.overdue_60, 1500.0, places=2)
        self.assertAlmostEqual(got.overdue_90, 1500.0, places=2)
        self.assertAlmostEqual(got.paid_volume, 1500.0, places=2)
        # (1,000.00 x 30 days + 500.00 x 10 days) / 1,500.00
        self.assertAlmostEqual(got.weighted_days_late, 35000.0 / 1500.0, places=6)
        self.assertIsNone(got.recent_days_late, "all payments are recent: no trend yet")
        self.assertEqual(got.tenure_days, 171.0)
        self.assertEqual(exposures[self.customer.id]["total"], 2200.0)

    @freeze_time(TODAY)
    def test_score_grade_limit_and_credit_to_the_cent(self):
        """The stored score and grade are the engine's for the facts; limit from the table."""
        self._book_history()
        expected = score_customer(
            CustomerFacts(
                invoiced_amount=3700.0,
                weighted_days_late=35000.0 / 1500.0,
                open_balance=2200.0,
                overdue_balance=2500.0,
                overdue_30=1500.0,
                overdue_60=1500.0,
                overdue_90=1500.0,
                tenure_days=171.0,
                paid_volume=1500.0,
            )
        )
        customer = self.customer
        # Posting and paying rescored the customer already, no cron needed.
        self.assertEqual(customer.rental_score, expected.score)
        self.assertEqual(customer.rental_score, 17)
        self.assertEqual(customer.rental_grade, "E")
        self.assertEqual(customer.rental_grade_computed, "E")
        limit_e = self.env["rental.grade.limit"].search(
            [("company_id", "=", self.company.id), ("grade", "=", "E")]
        )
        limit_e.credit_limit = 1000.0
        customer._rental_risk_rescore()
        self.assertEqual(customer.rental_credit_limit, 1000.0)
        self.assertEqual(customer.rental_exposure, 2200.0)
        self.assertEqual(customer.rental_available_credit, -1200.0)
        self.assertEqual(customer.rental_exposure_at_scoring, 2200.0)
        self.assertEqual(customer.rental_available_credit_at_scoring, -1200.0)
        self.assertIn("pays 23 days late on average: -11", customer.rental_score_explanation)
        self.assertIn(
            "$\xa01,500.00 overdue for more than 90 days", customer.rental_score_explanation
        )

    @freeze_time(TODAY)
    def test_new_customer_is_neutral_c_with_c_limit(self):
        """A first invoice not yet due leaves the customer at the neutral grade C."""
        self.invoice(500.0, TODAY)
        self.assertEqual(self.customer.rental_score, 55)
        self.assertEqual(self.customer.rental_grade, "C")
        self.assertEqual(self.customer.rental_credit_limit, 10000.0)
        self.assertEqual(self.customer.rental_available_credit, 9500.0)

    @freeze_time(TODAY)
    def test_confirmed_order_not_invoiced_counts_in_exposure(self):
        """A confirmed order adds its un-invoiced amount; a draft order shows 'with this order'."""
        self.invoice(500.0, TODAY)
        confirmed = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.service.id, "product_uom_qty": 3, "price_unit": 411.52}
                    )
                ],
            }
        )
        confirmed.action_confirm()
        self.assertEqual(self.customer.rental_exposure, 500.0 + 1234.56)
        self.assertEqual(self.customer.rental_exposure_at_scoring, 1734.56)
        draft = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.service.id, "product_uom_qty": 1, "price_unit": 100.0}
                    )
                ],
            }
        )
        self.assertEqual(draft.rental_risk_partner_exposure, 1734.56)
        self.assertEqual(draft.rental_risk_order_amount, 100.0)
        self.assertEqual(draft.rental_risk_exposure_with_order, 1834.56)
        self.assertEqual(draft.rental_risk_credit_limit, 10000.0)
        self.assertEqual(draft.rental_risk_available_credit, 8165.44)
        self.assertFalse(draft.rental_risk_over_limit)
        self.assertEqual(confirmed.rental_risk_order_amount, 0.0, "already in the exposure")
        # Invoicing the order moves the amount from "to invoice" to receivables: no double count.
        invoice = confirmed._create_invoices()
        invoice.action_post()
        self.assertEqual(self.customer.rental_exposure, 1734.56)

    @freeze_time(TODAY)
    def test_assets_out_count_in_exposure(self):
        """The replacement value of serials out with the customer is part of the exposure."""
        self.invoice(500.0, TODAY)
        product = self.env["product.product"].create(
            {
                "name": "Cinema camera",
                "is_storable": True,
                "tracking": "serial",
                "rental_ok": True,
                "rental_replacement_value": 750.25,
            }
        )
        lot = self.env["stock.lot"].create(
            {"name": "CAM-001", "product_id": product.id, "company_id": self.company.id}
        )
        lot.rental_replacement_value = 750.25
        self._as_life_cycle(lot, rental_state="out", rental_partner_id=self.customer.id)
        self.assertEqual(self.customer.rental_exposure, 1250.25)
        self.assertEqual(self.customer.rental_available_credit, 8749.75)

    @freeze_time(TODAY)
    def test_contact_reads_commercial_partner_risk(self):
        """An invoice to a contact counts for its company, which holds the risk profile."""
        contact = self.env["res.partner"].create(
            {"name": "Jane Buyer", "parent_id": self.customer.id}
        )
        self.invoice(500.0, TODAY, partner=contact)
        self.assertEqual(self.customer.rental_exposure, 500.0)
        self.assertEqual(contact.rental_exposure, 500.0)
        self.assertEqual(contact.rental_commercial_grade, "C")
        self.assertFalse(contact.rental_grade, "contacts carry no grade of their own")

    @freeze_time(TODAY)
    def test_limit_follows_grade_unless_set_by_hand(self):
        """Blacklisting drops the grade to E and the limit with it, unless set by hand."""
        self.invoice(500.0, TODAY)
        self.assertEqual(self.customer.rental_credit_limit, 10000.0)
        self.customer._rental_risk_set_blacklist("fraud", "Stolen card")
        self.assertEqual(self.customer.rental_grade, "E")
        self.assertEqual(self.customer.rental_credit_limit, 0.0)
        self._set_limit(self.customer, 5000.0)
        self.customer._rental_risk_lift_blacklist("Card owner found")
        self.assertEqual(self.customer.rental_grade, "C")
        self.assertEqual(self.customer.rental_credit_limit, 5000.0)
        self._set_limit(self.customer, None)
        self.assertEqual(self.customer.rental_credit_limit, 10000.0, "follows the grade again")

    @freeze_time(TODAY)
    def test_history_row_per_change(self):
        """History gets a row when score or grade changes, none when nothing changed."""
        self.invoice(500.0, TODAY)
        self.assertEqual(len(self.history(self.customer)), 1)
        self.customer._rental_risk_rescore()
        self.assertEqual(len(self.history(self.customer)), 1)
        self._verify_identity(self.customer, officer=self.officer)
        rows = self.history(self.customer)
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0].score, 60)
        self.assertEqual(rows[0].previous_score, 55)
        self.assertEqual(rows[0].score_change, 5)

    def test_explanation_amounts_are_formatted_like_format_amount(self):
        """The rescoring's own amount formatter writes what ``tools.format_amount`` writes,
        in languages grouping by three (with either separator) or otherwise, and in
        currencies with the symbol before or after and with 0 or 2 decimals."""
        langs = self.env["res.lang"]
        for code in ("en_US", "de_DE", "fr_FR", "en_IN"):  # en_IN groups 3, then 2 by 2
            langs |= langs._activate_lang(code)
        self.assertEqual(
            sorted(set(langs.mapped("grouping"))), ["[3,0]", "[3,2,0]"], "both paths are run"
        )
        jpy = self.env.ref("base.JPY")
        jpy.active = True
        eur = self.env.ref("base.EUR")
        values = (0.0, 0.5, 7.25, 999.99, 1000.0, 1234.5, 12345678.91, -1234.5, -0.5)
        for lang in langs:
            env = self.env(context=dict(self.env.context, lang=lang.code))
            for currency in (self.company.currency_id, eur, jpy):
                formatter = env["rental.credit.rescoring"]._amount_formatter(currency)
                for value in values:
                    with self.subTest(lang=lang.code, currency=currency.name, value=value):
                        self.assertEqual(formatter(value), format_amount(env, value, currency))

    def test_array_literals_round_trip_through_postgresql(self):
        """What the rescoring sends as array literals comes back from PostgreSQL unchanged:
        texts a customer can type (quotes, backslashes, braces, commas, the word NULL, new
        lines, other scripts) stay one harmless element each, and numbers keep their value."""
        texts = [
            'O\'Brien "Gear" {Rentals}, Ltd\\',
            "NULL",
            "",
            "two\nlines",
            "租赁公司'); DROP TABLE res_partner; --",
        ]
        self.env.cr.execute(
            "SELECT %s::text[], %s::int[], %s::numeric[]::float8[], %s::bool[], %s::varchar[]",
            [
                array_literal(texts),
                array_literal([1, -2, 2_000_000_000]),
                array_literal([0.1, -1234.56, 1e16, None]),
                array_literal([True, False, None]),
                array_literal(["A", None]),
            ],
        )
        self.assertEqual(
            self.env.cr.fetchone(),
            (
                texts,
                [1, -2, 2_000_000_000],
                [0.1, -1234.56, 1e16, None],
                [True, False, None],
                ["A", None],
            ),
        )
