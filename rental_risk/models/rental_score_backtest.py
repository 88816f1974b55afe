import calendar
import logging
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from ..engine.backtest import auc, capped_losses, caught_share, gini, grade_table
from ..engine.scoring import GRADES, score_and_grade

_logger = logging.getLogger(__name__)

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
#: Customers scored per batch of the backtest: one set of fact queries per batch reads every
#: month-end at once (invoices, payments and the overdue trend grouped by date), so a batch
#: holds its readers' rows for all the dates, about 12 x 5,000 of each at 12 months. Larger
#: batches save little (the queries go through the customers' index) and cost memory: 607 MB
#: peak for the 12-month backtest of 100,000 customers with 5,000 (155 s, bench/run backtest).
BACKTEST_BATCH_SIZE = 5000


def month_ends(today, months, horizon_days):
    """The last ``months`` month-ends whose following ``horizon_days`` have all passed by
    ``today``, oldest first: a later month-end could not be judged yet."""
    last = today - timedelta(days=horizon_days)
    year, month = last.year, last.month
    if last.day != calendar.monthrange(year, month)[1]:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    ends = []
    for _index in range(months):
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ends[::-1]


class RentalScoreBacktest(models.Model):
    """How well the grades predicted trouble: every customer scored as of past month-ends
    with the facts known then, against what happened in the following days (more than 60
    days overdue, an asset declared lost, blacklisted). A measurement, kept as it was made:
    its figures are never edited, a new backtest is run instead."""

    _name = "rental.score.backtest"
    _inherit = ["rental.score.backtest.record"]
    _description = "Credit Scoring Backtest"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    date = fields.Datetime(string="Run On", readonly=True)
    months = fields.Integer(string="Month-Ends Scored", readonly=True)
    horizon_days = fields.Integer(string="Observed Days", readonly=True)
    overdue_days = fields.Integer(string="Overdue Days Counted Bad", readonly=True)
    date_from = fields.Date(string="First Month-End", readonly=True)
    date_to = fields.Date(string="Last Month-End", readonly=True)
    observations = fields.Integer(string="Customer-Months", readonly=True)
    bad_count = fields.Integer(string="Bad Outcomes", readonly=True)
    default_rate = fields.Float(string="Bad Outcome Rate (%)", readonly=True, digits=(16, 2))
    auc = fields.Float(
        string="AUC",
        readonly=True,
        digits=(16, 3),
        help="Probability that a customer who ran into trouble scored lower than one who did "
        "not: 1 is a perfect ranking, 0.5 a score that knows nothing.",
    )
    gini = fields.Float(readonly=True, digits=(16, 3), help="2 x AUC - 1.")
    caught_share = fields.Float(
        string="Caught by D-E (%)",
        readonly=True,
        digits=(16, 1),
        help="Share of the bad outcomes whose customer was graded D or E beforehand.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    bad_exposure = fields.Monetary(
        string="Bad Outcome Exposure",
        readonly=True,
        help="Still owed on the invoices that went overdue past the bad-outcome line during "
        "the backtest, by the customers with a bad outcome; each invoice counted once.",
    )
    capped_amount = fields.Monetary(
        string="Capped by Limits",
        readonly=True,
        help="Part of that exposure above the credit limit each customer's grade gave at the "
        "first month-end that saw the trouble coming (the company's grade table as it is "
        "today): what the limits would have blocked.",
    )
    capped_share = fields.Float(
        string="Capped by Limits (%)",
        readonly=True,
        digits=(16, 1),
        help="Share of the bad outcome exposure the limits would have capped.",
    )
    capped_count = fields.Integer(
        string="Customers over Limit",
        readonly=True,
        help="Customers with a bad outcome whose exposure went past their grade's limit.",
    )
    month_ids = fields.One2many("rental.score.backtest.month", "backtest_id", string="Months")
    line_ids = fields.One2many("rental.score.backtest.line", "backtest_id", string="Grades")
    overall_line_ids = fields.One2many(
        "rental.score.backtest.line",
        "backtest_id",
        string="Grades Overall",
        domain=[("overall", "=", True)],
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_grades(self):
        """Default rate per grade as a chart."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_score_backtest_line_action"
        )
        action["domain"] = [("backtest_id", "=", self.id)]
        return action

    def action_view_months(self):
        """AUC per month-end as a line chart (and the months as a table)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_score_backtest_month_action"
        )
        action["domain"] = [("backtest_id", "=", self.id)]
        return action

    def action_export_xlsx(self):
        """Download the backtest as an Excel workbook: summary, months and grades."""
        self.ensure_one()
        # The register checks the exporter's groups and company again when it builds.
        self.env["rental.xlsx.register"]._check_register_access("backtest", self.company_id)
        wizard = self.env["rental.xlsx.export"].create(
            {"register": "backtest", "backtest_id": self.id, "company_id": self.company_id.id}
        )
        return wizard.action_export()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _run(self, months=12, company=None, horizon_days=90, overdue_days=60):
        """Run a backtest of ``company`` over ``months`` month-ends (Risk Officer) and store
        it; returns the record."""
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(self.env._("Only a Risk Officer can run a scoring backtest."))
        if not 1 <= months <= 60:
            raise UserError(self.env._("Run a backtest over 1 to 60 months."))
        company = company or self.env.company
        today = fields.Date.context_today(self)
        ends = month_ends(today, months, horizon_days)
        observations = self._observations(ends, company, horizon_days, overdue_days)
        bad_ids = sorted({partner_id for _e, partner_id, _s, _g, is_bad in observations if is_bad})
        exposures = self._bad_exposures(bad_ids, ends, company, horizon_days, overdue_days)
        vals = self._prepare_backtest_vals(observations, ends, company, exposures)
        vals.update(
            months=months,
            horizon_days=horizon_days,
            overdue_days=overdue_days,
            user_id=self.env.uid,
            date=fields.Datetime.now(),
        )
        with self.env["rental.risk.decision"]._open_guard():
            backtest = self.sudo().create(vals).sudo(False)
        _logger.info(
            "Rental risk: %s, %s customer-months, %s bad outcomes, AUC %.3f, caught by D-E %.1f%%",
            backtest.name,
            backtest.observations,
            backtest.bad_count,
            backtest.auc,
            backtest.caught_share,
        )
        self.env["rental.risk.event"]._log(
            "backtest",
            company=company,
            details=self.env._(
                "%(name)s: AUC %(auc)s over %(count)s customer-months",
                name=backtest.name,
                auc=f"{backtest.auc:.3f}",
                count=backtest.observations,
            ),
        )
        return backtest

    @api.model
    def _customer_ids(self, company):
        """Commercial partners the backtest scores: the company's customers."""
        return self.env["rental.credit.rescoring"]._pending_ids(datetime.max, company)

    @api.model
    def _observations(self, ends, company, horizon_days=90, overdue_days=60):
        """[(month-end, partner id, score, grade, bad)] for every customer known at each
        month-end of ``ends``: scored with the facts of that day, bad when trouble followed
        within ``horizon_days``. Set-based: one set of fact queries per batch for every
        date (the documents read once, grouped by date), one query for all the outcomes."""
        partner_ids = self._customer_ids(company)
        # Peer medians are computed once per date for all the batches of the run.
        Facts = self.env["rental.credit.facts"].with_context(rental_risk_peer_run=uuid.uuid4().hex)
        config = self.env["rental.credit.rescoring"]._scoring_config(company)
        bad = self._bad_outcomes(partner_ids, ends, company, horizon_days, overdue_days)
        by_end = {end: [] for end in ends}
        for batch in split_every(BACKTEST_BATCH_SIZE, partner_ids, list):
            # JIT off for the batch: see _without_jit (compiling these aggregates anew for
            # every batch cost more than running them)
            with Facts._without_jit():
                for end, facts in Facts._collect_facts_over(batch, ends, company=company):
                    observed = by_end[end]
                    for partner_id in batch:
                        fact = facts[partner_id]
                        # A customer not known yet at that date has no score to judge.
                        if not fact.has_history and not fact.tenure_days:
                            continue
                        score, grade = score_and_grade(fact, config)
                        observed.append((end, partner_id, score, grade, (end, partner_id) in bad))
        observations = [row for end in ends for row in by_end[end]]
        return observations

    @api.model
    def _bad_outcomes(self, partner_ids, ends, company, horizon_days=90, overdue_days=60):
        """{(month-end, partner id)} where, in the ``horizon_days`` after the month-end, the
        customer went more than ``overdue_days`` overdue on an invoice (still not settled
        above the overdue tolerance that day), had an asset declared lost, or was
        blacklisted. One query for every month-end."""
        if not partner_ids or not ends:
            return set()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH ends AS (SELECT unnest(%(ends)s::date[]) AS month_end),
                events AS (
                    SELECT partner_id, day FROM (%(invoices)s) invoices
                    UNION ALL
                    SELECT p.commercial_partner_id, c.date
                      FROM rental_damage_claim c
                      JOIN res_partner p ON p.id = c.partner_id
                     WHERE p.commercial_partner_id = ANY(%(ids)s)
                       AND c.company_id = %(company)s
                       AND c.claim_type = 'loss' AND c.state != 'cancelled'
                       AND c.date > %(first)s AND c.date <= %(last)s
                    UNION ALL
                    SELECT d.partner_id, d.date::date
                      FROM rental_risk_decision d
                     WHERE d.partner_id = ANY(%(ids)s)
                       AND d.kind = 'blacklist'
                       AND d.date::date > %(first)s AND d.date::date <= %(last)s
                )
                SELECT DISTINCT ends.month_end, events.partner_id
                  FROM events
                  JOIN ends ON events.day > ends.month_end
                           AND events.day <= ends.month_end + %(horizon)s
                """,
                ends=list(ends),
                ids=list(partner_ids),
                company=company.id,
                horizon=horizon_days,
                first=min(ends),
                last=max(ends) + timedelta(days=horizon_days),
                invoices=self._overdue_invoices_sql(
                    partner_ids,
                    company,
                    overdue_days,
                    min(ends),
                    max(ends) + timedelta(days=horizon_days),
                ),
            )
        )
        return set(self.env.cr.fetchall())

    @api.model
    def _overdue_invoices_sql(self, partner_ids, company, overdue_days, first, last):
        """Query of the invoices of ``partner_ids`` in ``company`` that went more than
        ``overdue_days`` overdue on a day in (``first``, ``last``] still owing more than the
        overdue tolerance that day: columns partner_id, day, amount (what was still owed that
        day, company currency; payments and credit notes matched later do not count)."""
        return SQL(
            """
            SELECT am.commercial_partner_id AS partner_id,
                   am.invoice_date_due + %(overdue)s AS day,
                   (am.amount_total_signed - COALESCE(paid.amount, 0))::float8 AS amount
              FROM account_move am
              LEFT JOIN LATERAL (
                    SELECT SUM(apr.amount) AS amount
                      FROM account_move_line l
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                     WHERE l.move_id = am.id
                       AND apr.max_date <= am.invoice_date_due + %(overdue)s) paid ON TRUE
             WHERE am.commercial_partner_id = ANY(%(ids)s)
               AND am.company_id = %(company)s
               AND am.state = 'posted'
               AND am.move_type = 'out_invoice'
               AND am.invoice_date_due + %(overdue)s > %(first)s
               AND am.invoice_date_due + %(overdue)s <= %(last)s
               AND am.amount_total_signed - %(tolerance)s > COALESCE(paid.amount, 0)
            """,
            ids=list(partner_ids),
            company=company.id,
            overdue=overdue_days,
            first=first,
            last=last,
            tolerance=company.rental_risk_overdue_min_amount,
        )

    @api.model
    def _bad_exposures(self, partner_ids, ends, company, horizon_days=90, overdue_days=60):
        """What the customers' bad outcomes put at stake: ``({(month-end, partner id):
        amount}, {partner id: amount})``, the amount still owed on the invoices that went more
        than ``overdue_days`` overdue in the ``horizon_days`` after each month-end, and per
        customer over the whole backtest (each invoice once). One query."""
        if not partner_ids or not ends:
            return {}, {}
        self.env.flush_all()
        last = max(ends) + timedelta(days=horizon_days)
        self.env.cr.execute(
            SQL(
                """
                WITH ends AS (SELECT unnest(%(ends)s::date[]) AS month_end),
                invoices AS (%(invoices)s)
                SELECT ends.month_end, i.partner_id, SUM(i.amount)
                  FROM invoices i
                  JOIN ends ON i.day > ends.month_end
                           AND i.day <= ends.month_end + %(horizon)s
                 GROUP BY ends.month_end, i.partner_id
                UNION ALL
                SELECT NULL, i.partner_id, SUM(i.amount)
                  FROM invoices i
                 WHERE EXISTS (SELECT 1
                                 FROM ends
                                WHERE i.day > ends.month_end
                                  AND i.day <= ends.month_end + %(horizon)s)
                 GROUP BY i.partner_id
                """,
                ends=list(ends),
                horizon=horizon_days,
                invoices=self._overdue_invoices_sql(
                    partner_ids, company, overdue_days, min(ends), last
                ),
            )
        )
        by_month, overall = {}, {}
        for end, partner_id, amount in self.env.cr.fetchall():
            if end is None:
                overall[partner_id] = amount
            else:
                by_month[end, partner_id] = amount
        return by_month, overall

    @api.model
    def _prepare_backtest_vals(self, observations, ends, company, exposures=None):
        """Figures per month, per grade and overall from the observations; with
        ``exposures`` (see ``_bad_exposures``), what the limits in force would have capped."""
        by_month_exposure, overall_exposure = exposures or ({}, {})
        limits = self._get_grade_limits(company)
        by_month = defaultdict(list)
        at_stake = defaultdict(list)
        first_bad = {}
        for end, partner_id, score, grade, is_bad in observations:
            by_month[end].append((score, grade, is_bad))
            amount = by_month_exposure.get((end, partner_id)) if is_bad else None
            if amount:
                at_stake[end].append((amount, limits[grade]))
                if partner_id not in first_bad or end < first_bad[partner_id][0]:
                    first_bad[partner_id] = (end, grade)
        month_vals = []
        line_vals = []
        for end in ends:
            rows = by_month.get(end, [])
            month_vals.append(
                {
                    **self._prepare_period_vals(rows, end),
                    **self._prepare_capped_vals(at_stake[end]),
                }
            )
            line_vals += self._prepare_grade_lines(rows, end)
        everything = [(score, grade, is_bad) for _e, _p, score, grade, is_bad in observations]
        overall = self._prepare_period_vals(everything, False)
        line_vals += self._prepare_grade_lines(everything, False)
        # Over the whole backtest each unpaid invoice counts once, against the limit of the
        # customer's grade at the first month-end that saw trouble coming: summing the months
        # would count a debt again at every month-end whose horizon it fell in.
        capped = self._prepare_capped_vals(
            (overall_exposure.get(partner_id, 0.0), limits[grade])
            for partner_id, (_end, grade) in first_bad.items()
        )
        return {
            "name": self.env._("Backtest %(first)s to %(last)s", first=ends[0], last=ends[-1]),
            "company_id": company.id,
            "date_from": ends[0],
            "date_to": ends[-1],
            "observations": overall["customers"],
            "bad_count": overall["bad_count"],
            "default_rate": overall["default_rate"],
            "auc": overall["auc"],
            "gini": overall["gini"],
            "caught_share": overall["caught_share"],
            **capped,
            "month_ids": [fields.Command.create(vals) for vals in month_vals],
            "line_ids": [fields.Command.create(vals) for vals in line_vals],
        }

    @api.model
    def _get_grade_limits(self, company):
        """Hook: {grade: credit limit} the grades gave at the month-ends; the company's grade
        table (it keeps no history, so today's table stands for the past)."""
        return self.env["rental.grade.limit"]._get_limits(company)[company.id]

    @api.model
    def _prepare_capped_vals(self, rows):
        """Capped-loss figures of (exposure, limit in force) pairs."""
        result = capped_losses(rows)
        return {
            "bad_exposure": result.exposure,
            "capped_amount": result.capped,
            "capped_share": 100.0 * (result.share or 0.0),
            "capped_count": result.over_limit,
        }

    @api.model
    def _prepare_period_vals(self, rows, end):
        area = auc([score for score, _g, _b in rows], [is_bad for _s, _g, is_bad in rows])
        caught = caught_share((grade, is_bad) for _s, grade, is_bad in rows)
        bads = sum(1 for _s, _g, is_bad in rows if is_bad)
        return {
            "month_end": end,
            "customers": len(rows),
            "bad_count": bads,
            "default_rate": 100.0 * bads / len(rows) if rows else 0.0,
            "auc": area or 0.0,
            "gini": gini(area) or 0.0,
            "caught_share": 100.0 * (caught or 0.0),
        }

    @api.model
    def _prepare_grade_lines(self, rows, end):
        table = grade_table((grade, is_bad) for _s, grade, is_bad in rows)
        return [
            {
                "month_end": end,
                "grade": grade,
                "customers": table[grade][0],
                "bad_count": table[grade][1],
                "default_rate": 100.0 * table[grade][1] / table[grade][0]
                if table[grade][0]
                else 0.0,
            }
            for grade in GRADES
        ]
