from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.base.tests.common import new_test_user
from odoo.addons.rental_risk.engine.scoring import score_customer

from .common_scoring import CreditScoringCommon

TODAY = "2025-06-30"


class ScoringFactorsCommon(CreditScoringCommon):
    """Helpers to read a customer's facts and the contribution of one factor."""

    def facts(self, partner=None, as_of=None):
        partner = partner or self.customer
        Facts = self.env["rental.credit.facts"]
        return Facts._collect_facts(partner.ids, as_of=as_of)[0][partner.id]

    def explanation(self, partner=None):
        partner = partner or self.customer
        partner._rental_risk_rescore()
        return partner.rental_score_explanation

    def paid_invoice(self, amount, invoice_date, paid_on, partner=None):
        """An invoice due on ``invoice_date`` paid in full on ``paid_on``."""
        invoice = self.invoice(amount, invoice_date, partner=partner)
        self.pay(invoice, amount, paid_on)
        return invoice

    def confirmed_order(self, amount, on):
        """A sale order of ``amount`` confirmed on ``on``."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.service.id, "product_uom_qty": 1, "price_unit": amount}
                    )
                ],
            }
        )
        with freeze_time(on):
            order.action_confirm()
        return order


@tagged("post_install", "-at_install")
class TestScoringFactors(ScoringFactorsCommon):
    """The trend, credit note, order volume and related party factors on real records."""

    def _slowing_payer(self):
        """Paid on time the year before, 30 days late in the last 90 days."""
        self.paid_invoice(1000.0, "2024-10-01", "2024-10-01")
        self.paid_invoice(1000.0, "2024-12-02", "2024-12-02")
        self.paid_invoice(1000.0, "2025-04-10", "2025-05-10")

    @freeze_time(TODAY)
    def test_days_to_pay_trend_compares_last_90_days_with_the_year_before(self):
        """Days late of the last 90 days' payments against those of the 12 months before."""
        self._slowing_payer()
        facts = self.facts()
        self.assertEqual(facts.recent_days_late, 30.0)
        self.assertEqual(facts.older_days_late, 0.0)
        self.assertIn("pays 30 days later recently than before: -", self.explanation())

    @freeze_time(TODAY)
    def test_overdue_trend_counts_invoices_gone_late(self):
        """1 of 1 invoice due lately went late against none of 2 the year before."""
        self._slowing_payer()
        facts = self.facts()
        self.assertEqual((facts.recent_due_count, facts.recent_late_count), (1, 1))
        self.assertEqual((facts.older_due_count, facts.older_late_count), (2, 0))
        self.assertEqual(facts.recent_late_amount, 1000.0)
        self.assertIn(
            "overdue trend up: 1 of 1 invoices due in the last 90 days went late, 100% of the "
            "amount against 0% in the year before: -10",
            self.explanation(),
        )

    @freeze_time(TODAY)
    def test_trend_weights_come_from_the_company(self):
        """Zero weights in the company settings switch both trend factors off."""
        self._slowing_payer()
        before = self.customer.rental_score
        self.company.sudo().write(
            {"rental_risk_trend_weight": 0, "rental_risk_overdue_trend_weight": 0}
        )
        explanation = self.explanation()
        self.assertNotIn("overdue trend up", explanation)
        self.assertNotIn("later recently", explanation)
        self.assertEqual(self.customer.rental_score, before + 20)

    @freeze_time(TODAY)
    def test_order_volume_drop(self):
        """Orders stopped for the last 90 days after a year of orders: the factor says so."""
        self.paid_invoice(500.0, "2024-09-02", "2024-09-02")
        self.confirmed_order(4000.0, "2024-09-01 10:00:00")
        self.confirmed_order(200.0, "2025-05-01 10:00:00")
        facts = self.facts()
        self.assertEqual(facts.older_order_amount, 4000.0)
        self.assertEqual(facts.recent_order_amount, 200.0)
        self.assertIn(
            "orders down 80% in the last 90 days against the usual quarter: -", self.explanation()
        )

    @freeze_time(TODAY)
    def test_credit_note_rate(self):
        """Credit notes of 500.00 against 1,000.00 invoiced are half of the gross."""
        self.paid_invoice(1000.0, "2025-06-01", "2025-06-01")
        self.invoice(500.0, "2025-06-10", move_type="out_refund")
        facts = self.facts()
        self.assertEqual(facts.credit_note_amount, 500.0)
        self.assertIn("credit notes are 50% of the amount invoiced: -8", self.explanation())

    @freeze_time(TODAY)
    def test_related_party_sharing_a_registry_number_pulls_the_score(self):
        """A blacklisted company with the same registry number pulls the customer down."""
        self.paid_invoice(1000.0, "2025-06-01", "2025-06-01")
        alone = self.customer.rental_score
        sister = self.env["res.partner"].create(
            {"name": "Sister Co", "is_company": True, "company_registry": "REG-42"}
        )
        sister._rental_risk_set_blacklist("fraud", "Fake documents")
        self.assertEqual(sister.rental_score, 34)
        self.customer.company_registry = "REG-42"
        explanation = self.explanation()
        self.assertIn("related party Sister Co is graded E (score 34): -", explanation)
        self.assertAlmostEqual(
            self.customer.rental_score, alone - 0.25 * (alone - 34), delta=1, msg="a quarter"
        )

    @freeze_time(TODAY)
    def test_declared_related_company_pulls_both_ways_and_only_officers_declare(self):
        """An officer declares a related company; a salesperson cannot; the link is symmetric."""
        self.paid_invoice(1000.0, "2025-06-01", "2025-06-01")
        weak = self.env["res.partner"].create({"name": "Weak Guarantor", "is_company": True})
        weak._rental_risk_set_blacklist("unpaid", "Debts")
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write(
                {"rental_related_partner_ids": [Command.link(weak.id)]}
            )
        weak.with_user(self.officer).write(
            {"rental_related_partner_ids": [Command.link(self.customer.id)]}
        )
        self.assertIn("related party Weak Guarantor is graded E", self.explanation())
        event = self.env["rental.risk.event"].search(
            [("partner_id", "=", weak.id), ("event_type", "=", "related_parties")]
        )
        self.assertEqual(len(event), 1)

    @freeze_time(TODAY)
    def test_same_group_company_with_better_score_does_not_lift(self):
        """A better-scored sister under the same parent leaves the score where it was."""
        parent = self.env["res.partner"].create({"name": "Holding", "is_company": True})
        self.paid_invoice(1000.0, "2025-06-01", "2025-06-01")
        alone = self.customer.rental_score
        sister = self.env["res.partner"].create(
            {"name": "Good Sister", "is_company": True, "parent_id": parent.id}
        )
        self._verify_identity(sister, officer=self.officer)
        self.customer.parent_id = parent
        self.customer._rental_risk_rescore()
        self.assertEqual(self.customer.rental_score, alone)


@tagged("post_install", "-at_install")
class TestRiskSignals(ScoringFactorsCommon):
    """Officer signals: recorded by Risk Officers only, never edited, counted until expiry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = new_test_user(
            cls.env,
            login="rr_sig_warehouse",
            groups="rental_risk.rental_risk_group_warehouse",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.accountant = new_test_user(
            cls.env,
            login="rr_sig_accountant",
            groups="account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.admin = cls.env.ref("base.user_admin")

    def signal_vals(self, **vals):
        return {
            "partner_id": self.customer.id,
            "kind": "legal_case",
            "severity": "high",
            "source": "Commercial court register",
            "date_expiry": "2025-09-30",
            **vals,
        }

    @freeze_time(TODAY)
    def test_signal_lowers_the_score_until_it_expires(self):
        """A high legal case takes 15 points, named in the explanation, until its expiry."""
        self.paid_invoice(1000.0, "2025-06-01", "2025-06-01")
        before = self.customer.rental_score
        Signal = self.env["rental.risk.signal"].with_user(self.officer)
        signal = Signal.create(self.signal_vals())
        self.assertEqual(self.customer.rental_score, before - 15, "rescored when recorded")
        self.assertIn("officer signal: legal case: -15", self.customer.rental_score_explanation)
        self.assertEqual(signal.user_id, self.officer)
        self.assertEqual(signal.state, "active")
        self.assertEqual(Signal.search([("state", "=", "active")]), signal)
        with freeze_time("2025-10-01"):
            self.assertEqual(Signal.search([("state", "in", ["expired", "withdrawn"])]), signal)
            self.customer._rental_risk_rescore()
            self.assertNotIn("officer signal", self.customer.rental_score_explanation)
            self.assertGreaterEqual(self.customer.rental_score, before)
            signal.invalidate_recordset(["state"])
            self.assertEqual(signal.state, "expired")

    @freeze_time(TODAY)
    def test_withdrawn_signal_stops_counting(self):
        """Withdrawing a mistaken signal restores the score and keeps the record."""
        self.paid_invoice(1000.0, "2025-06-01", "2025-06-01")
        before = self.customer.rental_score
        signal = self.env["rental.risk.signal"].with_user(self.officer).create(self.signal_vals())
        signal.with_user(self.officer).action_withdraw()
        self.assertEqual(self.customer.rental_score, before)
        self.assertEqual(signal.with_context(active_test=False).state, "withdrawn")
        kinds = (
            self.env["rental.risk.event"]
            .search([("partner_id", "=", self.customer.id)])
            .mapped("event_type")
        )
        self.assertIn("risk_signal", kinds)
        self.assertIn("risk_signal_withdrawn", kinds)

    @freeze_time(TODAY)
    def test_only_officers_record_signals(self):
        """Salesperson, warehouse and accountant cannot record a signal, even by RPC."""
        for user in (self.salesman, self.rental_user, self.warehouse, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["rental.risk.signal"].with_user(user).create(self.signal_vals())
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["rental.risk.signal"].with_user(user).sudo().create(self.signal_vals())

    @freeze_time(TODAY)
    def test_signal_fields_are_refused_on_raw_write_for_everyone(self):
        """Officer, manager and administrator cannot change a recorded signal by RPC."""
        signal = self.env["rental.risk.signal"].with_user(self.officer).create(self.signal_vals())
        for user in (self.officer, self.env.user, self.admin):
            for vals in (
                {"severity": "low"},
                {"date_expiry": "2025-07-01"},
                {"source": "rumour"},
                {"active": False},
                {"user_id": user.id},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(UserError):
                    signal.with_user(user).sudo().write(vals)
        with self.assertRaises(UserError):
            signal.sudo().unlink()
        self.assertEqual(signal.severity, "high")

    @freeze_time(TODAY)
    def test_signal_needs_a_source_and_a_known_date(self):
        """No source, or a date in the future, is refused in plain words."""
        Signal = self.env["rental.risk.signal"].with_user(self.officer)
        with self.assertRaises(UserError):
            Signal.create(self.signal_vals(source="  "))
        with self.assertRaises(UserError):
            Signal.create(self.signal_vals(date="2025-07-05"))


@tagged("post_install", "-at_install")
class TestScoringPointInTime(ScoringFactorsCommon):
    """Facts as of a past date count only what was known at the end of that day."""

    @freeze_time(TODAY)
    def test_late_payment_after_the_date_is_unknown_as_of_the_date(self):
        """A customer paying late after D scores, as of D, like its twin that never had it."""
        twin = self.env["res.partner"].create(
            {
                "name": "Acme Twin",
                "is_company": True,
                "property_payment_term_id": self.pay_terms_a.id,
            }
        )
        for partner in (self.customer, twin):
            self.paid_invoice(1000.0, "2025-01-10", "2025-01-10", partner=partner)
        # After D: an invoice of the customer only, paid 50 days late.
        self.paid_invoice(2000.0, "2025-05-05", "2025-06-24", partner=self.customer)
        as_of = date(2025, 4, 30)
        then, twin_then = self.facts(as_of=as_of), self.facts(twin, as_of=as_of)
        self.assertEqual(then, twin_then)
        self.assertEqual(then.weighted_days_late, 0.0)
        self.assertGreater(self.facts().weighted_days_late, 10.0, "today's facts know it")
        engine = self.env["rental.credit.rescoring"]._scoring_config(self.company)
        self.assertEqual(
            score_customer(then, engine).score, score_customer(twin_then, engine).score
        )

    @freeze_time(TODAY)
    def test_payment_after_the_date_leaves_the_invoice_open_as_of_the_date(self):
        """Paid on 15 May, the invoice of 1 March was 45 days overdue as of 15 April."""
        self.paid_invoice(1000.0, "2025-03-01", "2025-05-15")
        then = self.facts(as_of=date(2025, 4, 15))
        self.assertEqual(then.open_balance, 1000.0)
        self.assertEqual(then.overdue_30, 1000.0)
        self.assertEqual(then.overdue_60, 0.0)
        self.assertEqual(then.paid_volume, 0.0)
        self.assertEqual(then.tenure_days, 45.0)
        now = self.facts()
        self.assertEqual((now.open_balance, now.paid_volume), (0.0, 1000.0))

    @freeze_time(TODAY)
    def test_documents_after_the_date_do_not_exist_as_of_the_date(self):
        """Invoices, credit notes, orders, signals and blacklisting after D are not counted."""
        self.paid_invoice(1000.0, "2025-03-03", "2025-03-03")
        self.invoice(400.0, "2025-06-02", move_type="out_refund")
        self.confirmed_order(900.0, "2025-06-03 09:00:00")
        self.env["rental.risk.signal"].with_user(self.officer).create(
            {
                "partner_id": self.customer.id,
                "kind": "negative_news",
                "severity": "medium",
                "source": "Newspaper",
                "date_expiry": "2025-12-31",
            }
        )
        self.customer._rental_risk_set_blacklist("fraud", "Stolen card")
        then = self.facts(as_of=date(2025, 5, 31))
        self.assertEqual(then.invoiced_amount, 1000.0)
        self.assertEqual(then.credit_note_amount, 0.0)
        self.assertEqual(then.recent_order_amount, 0.0)
        self.assertEqual(then.signal_count, 0)
        self.assertFalse(then.blacklisted)
        now = self.facts()
        self.assertEqual(now.credit_note_amount, 400.0)
        self.assertEqual(now.signal_count, 1)
        self.assertTrue(now.blacklisted)
        self.assertEqual(self.facts(as_of=fields.Date.to_date(TODAY)).signal_count, 1)
