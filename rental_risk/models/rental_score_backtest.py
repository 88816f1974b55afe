import calendar
import logging
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from ..engine.backtest import auc, caught_share, gini, grade_table
from ..engine.scoring import GRADES, score_customer
from .rental_score_history import GRADE_SELECTION

_logger = logging.getLogger(__name__)

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
#: Customers scored per batch of the backtest (one set of fact queries per batch and date).
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
    month_ids = fields.One2many("rental.score.backtest.month", "backtest_id", string="Months")
    line_ids = fields.One2many("rental.score.backtest.line", "backtest_id", string="Grades")
    overall_line_ids = fields.One2many(
        "rental.score.backtest.line",
        "backtest_id",
        string="Grades Overall",
        domain=[("overall", "=", True)],
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._("A backtest is made by running it: use Run Scoring Backtest.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("A backtest records a measurement: run a new one instead of editing it.")
            )
        return super().write(vals)

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
        vals = self._prepare_backtest_vals(observations, ends, company)
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
        within ``horizon_days``. Set-based: one set of fact queries per batch and date, one
        query for all the outcomes."""
        partner_ids = self._customer_ids(company)
        # Peer medians are computed once per date for all the batches of the run.
        Facts = self.env["rental.credit.facts"].with_context(rental_risk_peer_run=uuid.uuid4().hex)
        config = self.env["rental.credit.rescoring"]._scoring_config(company)
        bad = self._bad_outcomes(partner_ids, ends, company, horizon_days, overdue_days)
        observations = []
        for end in ends:
            for batch in split_every(BACKTEST_BATCH_SIZE, partner_ids, list):
                facts, _exposures = Facts._collect_facts(batch, company=company, as_of=end)
                for partner_id in batch:
                    fact = facts[partner_id]
                    # A customer not known yet at that date has no score to judge.
                    if not fact.has_history and not fact.tenure_days:
                        continue
                    result = score_customer(fact, config)
                    observations.append(
                        (
                            end,
                            partner_id,
                            result.score,
                            result.grade,
                            (end, partner_id) in bad,
                        )
                    )
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
                    SELECT am.commercial_partner_id AS partner_id,
                           am.invoice_date_due + %(overdue)s AS day
                      FROM account_move am
                     WHERE am.commercial_partner_id = ANY(%(ids)s)
                       AND am.company_id = %(company)s
                       AND am.state = 'posted'
                       AND am.move_type = 'out_invoice'
                       AND am.invoice_date_due + %(overdue)s > %(first)s
                       AND am.invoice_date_due + %(overdue)s <= %(last)s
                       AND am.amount_total_signed - %(tolerance)s > COALESCE((
                            SELECT SUM(apr.amount)
                              FROM account_move_line l
                              JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                             WHERE l.move_id = am.id
                               AND apr.max_date <= am.invoice_date_due + %(overdue)s), 0)
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
                overdue=overdue_days,
                horizon=horizon_days,
                first=min(ends),
                last=max(ends) + timedelta(days=horizon_days),
                tolerance=company.rental_risk_overdue_min_amount,
            )
        )
        return set(self.env.cr.fetchall())

    @api.model
    def _prepare_backtest_vals(self, observations, ends, company):
        """Figures per month, per grade and overall from the observations."""
        by_month = defaultdict(list)
        for end, _partner_id, score, grade, is_bad in observations:
            by_month[end].append((score, grade, is_bad))
        month_vals = []
        line_vals = []
        for end in ends:
            rows = by_month.get(end, [])
            month_vals.append(self._prepare_period_vals(rows, end))
            line_vals += self._prepare_grade_lines(rows, end)
        everything = [(score, grade, is_bad) for _e, _p, score, grade, is_bad in observations]
        overall = self._prepare_period_vals(everything, False)
        line_vals += self._prepare_grade_lines(everything, False)
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
            "month_ids": [fields.Command.create(vals) for vals in month_vals],
            "line_ids": [fields.Command.create(vals) for vals in line_vals],
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


class RentalScoreBacktestMonth(models.Model):
    """One month-end of a backtest: how the scores of that day ranked what followed."""

    _name = "rental.score.backtest.month"
    _description = "Credit Scoring Backtest Month"
    _order = "backtest_id desc, month_end"

    backtest_id = fields.Many2one(
        "rental.score.backtest", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="backtest_id.company_id", store=True)
    month_end = fields.Date(string="Month-End", readonly=True)
    customers = fields.Integer(readonly=True)
    bad_count = fields.Integer(string="Bad Outcomes", readonly=True)
    default_rate = fields.Float(string="Bad Outcome Rate (%)", readonly=True, digits=(16, 2))
    auc = fields.Float(string="AUC", readonly=True, digits=(16, 3))
    gini = fields.Float(readonly=True, digits=(16, 3))
    caught_share = fields.Float(string="Caught by D-E (%)", readonly=True, digits=(16, 1))

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("A backtest records a measurement: run a new one instead of editing it.")
            )
        return super().write(vals)


class RentalScoreBacktestLine(models.Model):
    """Customers and bad outcomes of one grade at one month-end of a backtest (or over the
    whole backtest when the month-end is empty)."""

    _name = "rental.score.backtest.line"
    _description = "Credit Scoring Backtest Grade"
    _order = "backtest_id desc, month_end, grade"

    backtest_id = fields.Many2one(
        "rental.score.backtest", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="backtest_id.company_id", store=True)
    month_end = fields.Date(
        string="Month-End", readonly=True, help="Empty on the lines of the whole backtest."
    )
    overall = fields.Boolean(compute="_compute_overall", store=True)
    grade = fields.Selection(GRADE_SELECTION, readonly=True)
    customers = fields.Integer(readonly=True)
    bad_count = fields.Integer(string="Bad Outcomes", readonly=True)
    default_rate = fields.Float(
        string="Bad Outcome Rate (%)", readonly=True, digits=(16, 2), aggregator="avg"
    )

    @api.depends("month_end")
    def _compute_overall(self):
        for line in self:
            line.overall = not line.month_end

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("A backtest records a measurement: run a new one instead of editing it.")
            )
        return super().write(vals)
