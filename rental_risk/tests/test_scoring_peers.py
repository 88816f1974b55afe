from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_scoring_factors import ScoringFactorsCommon

TODAY = "2025-06-30"


def spy(model_class, name):
    """``patch.object`` counting the calls of the method ``name``, which still runs."""
    return patch.object(model_class, name, autospec=True, side_effect=getattr(model_class, name))


@tagged("post_install", "-at_install")
class TestScoringPeers(ScoringFactorsCommon):
    """The peer comparison: a customer's days late against the median of its industry and of
    its region, computed over the company's paying customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.construction = cls.env["res.partner.industry"].create({"name": "Construction"})
        cls.belgium = cls.env.ref("base.be")

    def peers(self, count, **vals):
        """``count`` companies sharing ``vals`` (industry, address), due on the invoice date."""
        return self.env["res.partner"].create(
            [
                {
                    "name": f"Peer {i}",
                    "is_company": True,
                    "property_payment_term_id": self.pay_terms_a.id,
                    **vals,
                }
                for i in range(count)
            ]
        )

    def pay_on_time(self, partners):
        for partner in partners:
            self.paid_invoice(1000.0, "2025-05-02", "2025-05-02", partner=partner)

    @freeze_time(TODAY)
    def test_late_payer_is_compared_with_its_industry(self):
        """Four builders pay on time, the fifth 30 days late: it loses the full peer weight and
        the explanation names the industry and its median."""
        self.customer.industry_id = self.construction
        self.pay_on_time(self.peers(4, industry_id=self.construction.id))
        self.paid_invoice(1000.0, "2025-05-02", "2025-06-01")
        facts = self.facts()
        self.assertEqual(facts.industry_name, "Construction")
        self.assertEqual(facts.industry_peer_count, 5)
        self.assertEqual(facts.industry_median_days_late, 0.0)
        self.assertIsNone(facts.region_name)
        self.assertIn(
            "pays 30 days later than the median of Construction (0 days): -8", self.explanation()
        )

    @freeze_time(TODAY)
    def test_on_time_payer_among_late_peers_is_not_penalised(self):
        """Paying like the rest of its industry costs nothing, even when the others are late."""
        self.customer.industry_id = self.construction
        late = self.peers(4, industry_id=self.construction.id)
        for partner in late:
            self.paid_invoice(1000.0, "2025-05-02", "2025-05-22", partner=partner)
        self.paid_invoice(1000.0, "2025-05-02", "2025-05-02")
        self.assertEqual(self.facts().industry_median_days_late, 20.0)
        self.assertNotIn("median of", self.explanation())
        late[0]._rental_risk_rescore()
        self.assertNotIn("median of", late[0].rental_score_explanation, "20 is their median")

    @freeze_time(TODAY)
    def test_too_few_peers_means_no_comparison(self):
        """Three on-time builders and the late one are four: not enough to say what is usual."""
        self.customer.industry_id = self.construction
        self.pay_on_time(self.peers(3, industry_id=self.construction.id))
        self.paid_invoice(1000.0, "2025-05-02", "2025-06-01")
        self.assertEqual(self.facts().industry_peer_count, 4)
        explanation = self.explanation()
        self.assertNotIn("median of", explanation)
        self.assertIn("pays 30 days late on average", explanation)
        self.company.sudo().rental_risk_peer_min_count = 4
        self.assertIn("pays 30 days later than the median of Construction", self.explanation())

    @freeze_time(TODAY)
    def test_region_is_the_country_when_there_is_no_state(self):
        """Without a state the region is the country, and a zero weight turns the factor off."""
        self.customer.country_id = self.belgium
        self.pay_on_time(self.peers(4, country_id=self.belgium.id))
        self.paid_invoice(1000.0, "2025-05-02", "2025-05-22")
        self.assertIn(
            "pays 20 days later than the median of Belgium (0 days): -", self.explanation()
        )
        before = self.customer.rental_score
        self.company.sudo().rental_risk_peer_weight = 0
        self.assertNotIn("median of Belgium", self.explanation())
        self.assertGreater(self.customer.rental_score, before)

    @freeze_time(TODAY)
    def test_peers_of_another_company_do_not_count(self):
        """Medians are per company: the same customers paying another company are not peers."""
        other = self.setup_other_company(name="Other Rentals")["company"]
        self.customer.industry_id = self.construction
        peers = self.peers(4, industry_id=self.construction.id)
        self.pay_on_time(peers)
        facts = self.env["rental.credit.facts"]._collect_facts(self.customer.ids, company=other)
        self.assertEqual(facts[0][self.customer.id].industry_peer_count, 0)
        self.assertEqual(self.facts().industry_peer_count, 4)

    @freeze_time(TODAY)
    def test_peer_medians_as_of_a_date_count_the_payments_known_then(self):
        """As of a past date, payments reconciled later are not in the medians."""
        self.customer.industry_id = self.construction
        peers = self.peers(4, industry_id=self.construction.id)
        self.pay_on_time(peers[:2])
        for partner in peers[2:]:
            self.paid_invoice(1000.0, "2025-05-02", "2025-06-20", partner=partner)
        self.paid_invoice(1000.0, "2025-03-03", "2025-03-03")
        then = self.facts(as_of=date(2025, 5, 31))
        self.assertEqual((then.industry_peer_count, then.industry_median_days_late), (3, 0.0))
        now = self.facts()
        self.assertEqual((now.industry_peer_count, now.industry_median_days_late), (5, 0.0))

    @freeze_time(TODAY)
    def test_peer_facts_cost_one_query_whatever_the_number_of_partners(self):
        """Medians of every industry and region in the list come from one aggregate query."""
        flanders = self.env["res.country.state"].create(
            {"name": "Flanders", "code": "VLG", "country_id": self.belgium.id}
        )
        builders = self.peers(
            6,
            industry_id=self.construction.id,
            state_id=flanders.id,
            country_id=self.belgium.id,
        )
        belgians = self.peers(6, country_id=self.belgium.id)
        self.pay_on_time(builders | belgians)
        Facts = self.env["rental.credit.facts"]

        def count_queries(ids):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            result = Facts._peer_facts(ids, self.company)
            return self.env.cr.sql_log_count - before, result

        count_queries((builders | belgians).ids)  # warm the caches
        small, _result = count_queries(builders[:1].ids + belgians[:1].ids)
        large, result = count_queries((builders | belgians).ids)
        self.assertEqual(small, large)
        first = result[builders[0].id]
        self.assertEqual((first["industry_name"], first["industry_count"]), ("Construction", 6))
        self.assertEqual((first["region_name"], first["region_count"]), ("Flanders", 6))
        # Belgium counts every paying Belgian customer, those of Flanders included.
        self.assertEqual(result[belgians[0].id]["region_count"], 12)

    @freeze_time(TODAY)
    def test_batches_of_a_run_share_the_medians(self):
        """In a run the medians of a group are computed once: a later batch of the same groups
        only reads its partners, and every batch gets what a lone call would."""
        builders = self.peers(6, industry_id=self.construction.id, country_id=self.belgium.id)
        self.pay_on_time(builders)
        Facts = self.env["rental.credit.facts"]
        alone = Facts._peer_facts(builders.ids, self.company)
        Run = Facts.with_context(rental_risk_peer_run="test-run", rental_risk_run_payments=True)
        Model = type(Facts)
        with (
            spy(Model, "_run_peer_medians") as medians,
            spy(Model, "_payment_facts_at") as payments,
        ):
            first = Run._peer_facts(builders[:3].ids, self.company)
            self.assertEqual((medians.call_count, payments.call_count), (1, 1))
            second = Run._peer_facts(builders[3:].ids, self.company)
            self.assertEqual(medians.call_count, 1, "the second batch computes no median")
            # The batches' payment facts come from the payments the medians were made of.
            Run._collect_facts(builders[:3].ids, company=self.company)
            self.assertEqual(payments.call_count, 1, "the batches read no payment again")
        self.assertEqual({**first, **second}, alone)
        self.assertEqual(
            Run._collect_facts(builders.ids, company=self.company)[0],
            Facts._collect_facts(builders.ids, company=self.company)[0],
        )
        # A past date (the backtest) computes its medians in SQL, once per run as well.
        with spy(Model, "_peer_medians_sql") as past_medians:
            past = date(2025, 6, 29)
            Run._peer_facts(builders[:3].ids, self.company, as_of=past)
            Run._peer_facts(builders[3:].ids, self.company, as_of=past)
            self.assertEqual(past_medians.call_count, 1)
        # A run of one batch reads its own customers' payments, not the whole company's.
        Small = Facts.with_context(rental_risk_peer_run="small-run")
        with (
            spy(Model, "_run_payment_facts") as every,
            spy(Model, "_peer_medians_sql") as small_medians,
        ):
            small = Small._collect_facts(builders.ids, company=self.company)[0]
            self.assertEqual((every.call_count, small_medians.call_count), (0, 1))
        self.assertEqual(small, Facts._collect_facts(builders.ids, company=self.company)[0])
        self.assertEqual(alone[builders[0].id]["region_name"], "Belgium")
        self.assertEqual(alone[builders[0].id]["region_count"], 6)

    @freeze_time(TODAY)
    def test_nightly_rescoring_compares_with_the_peers(self):
        """The scheduled rescoring, batch after batch, names the industry of the late payer."""
        self.customer.industry_id = self.construction
        self.pay_on_time(self.peers(4, industry_id=self.construction.id))
        self.paid_invoice(1000.0, "2025-05-02", "2025-06-01")
        Model = type(self.env["rental.credit.facts"])
        with (
            freeze_time("2025-07-01"),  # the next night: everybody is due again
            spy(Model, "_run_payment_facts") as every,
        ):
            done = self.env["rental.credit.rescoring"]._cron_rescore_partners(batch_size=2)
        self.assertGreaterEqual(done, 5)
        self.assertTrue(every.called, "a run of many batches reads the payments once for all")
        self.assertIn(
            "pays 30 days later than the median of Construction (0 days): -8",
            self.customer.rental_score_explanation,
        )

    def test_peer_settings_out_of_range_are_refused(self):
        """A weight above 100 points or fewer than one peer is refused in a sentence."""
        for vals in ({"rental_risk_peer_weight": 150.0}, {"rental_risk_peer_min_count": 0}):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.company.sudo().write(vals)
        self.assertEqual(self.company._rental_scoring_settings()["peer_min_count"], 5)
        self.assertEqual(self.company._rental_scoring_settings()["peer_weight"], 8.0)
