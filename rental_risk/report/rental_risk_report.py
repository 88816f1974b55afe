from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.rental_score_history import GRADE_SELECTION

#: Share of its credit limit a customer's exposure takes: band, label.
UTILIZATION_BANDS = [
    ("none", "No Exposure"),
    ("0_50", "Up to 50%"),
    ("50_80", "50-80%"),
    ("80_100", "80-100%"),
    ("over", "Over the Limit"),
]


def overdue_receivables_sql():
    """SELECT of the overdue receivables, one row per open instalment of a posted customer
    invoice (its payment-term line on a receivable account) past its due date, with the days
    it is overdue as of the database's ``CURRENT_DATE``: the lines the Risk dashboard's overdue
    tile counts. Amounts in the company's currency."""
    return SQL(
        """
        SELECT aml.id, aml.move_id, aml.company_id, am.commercial_partner_id AS partner_id,
               am.invoice_user_id, am.invoice_date, aml.date_maturity,
               aml.amount_residual, CURRENT_DATE - aml.date_maturity AS days_overdue
          FROM account_move_line aml
          JOIN account_move am ON am.id = aml.move_id
          JOIN account_account acc ON acc.id = aml.account_id
         WHERE aml.parent_state = 'posted'
           AND aml.display_type = 'payment_term'
           AND acc.account_type = 'asset_receivable'
           AND (aml.reconciled IS NULL OR aml.reconciled = FALSE)
           AND aml.amount_residual > 0
           AND aml.date_maturity < CURRENT_DATE
        """
    )


class RentalRiskReport(models.Model):
    """Risk analysis: one row per customer (commercial partner) and company, for the risk
    distribution, the limit utilization and the risk by industry and region.

    Grade, score, credit limit, exposure and available credit are the snapshot of the
    customer's last scoring in that company (the company-dependent columns the rescoring
    stores), so the report reads stored columns only and agrees with the customer's Risk tab
    and the dashboard. The overdue amounts are today's, from the open receivables. A customer
    with overdue receivables in a company that never graded it has a row too, without grade.

    The utilization of a group is its total exposure over its total limit, never an average of
    the rows' ratios: see ``_read_group_select``.
    """

    _name = "rental.risk.report"
    _description = "Risk Analysis"
    _auto = False
    _order = "exposure desc, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    commercial_partner_id = fields.Many2one(
        "res.partner", string="Commercial Entity", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    state_id = fields.Many2one("res.country.state", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    grade = fields.Selection(GRADE_SELECTION, string="Risk Grade", readonly=True)
    score = fields.Integer(string="Risk Score", readonly=True, aggregator="avg")
    scored_at = fields.Datetime(string="Last Scored", readonly=True)
    blacklisted = fields.Boolean(readonly=True)
    credit_limit = fields.Monetary(readonly=True, help="Credit limit at the last scoring.")
    exposure = fields.Monetary(
        readonly=True,
        help="Open receivables + orders not invoiced + assets out - deposits held, at the last "
        "scoring.",
    )
    available_credit = fields.Monetary(
        readonly=True, help="Credit limit - exposure, at the last scoring."
    )
    limit_utilization = fields.Float(
        string="Limit Utilization (%)",
        readonly=True,
        digits=(16, 1),
        aggregator="sum",
        help="Exposure / credit limit of the rows grouped together.",
    )
    utilization_band = fields.Selection(UTILIZATION_BANDS, string="Utilization", readonly=True)
    over_limit = fields.Boolean(
        readonly=True, help="Exposure above the credit limit at the last scoring."
    )
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)
    overdue_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    overdue_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    overdue_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    overdue_90_plus = fields.Monetary(string="Over 90 Days", readonly=True)

    # ------------------------------------------------------------------
    # Ratios computed on the group, not summed over rows
    # ------------------------------------------------------------------

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec.split(":")[0] == "limit_utilization" and aggregate_spec != "__count":
            return SQL(
                "ROUND((100.0 * SUM(%s) / NULLIF(SUM(%s), 0))::numeric, 1)::float8",
                self._field_to_sql(self._table, "exposure", query),
                self._field_to_sql(self._table, "credit_limit", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    # ------------------------------------------------------------------
    # The view
    # ------------------------------------------------------------------

    @api.model
    def _query(self):
        """The report's SELECT; hook for sub-modules."""
        return SQL(
            """
            WITH scored AS (
                -- each company that graded the customer has its key in the grade column (the
                -- dashboard's grade tiles count the same keys)
                SELECT p.id AS partner_id, k.key::int AS company_id
                  FROM res_partner p,
                       jsonb_each_text(CASE WHEN jsonb_typeof(p.rental_grade) = 'object'
                                            THEN p.rental_grade
                                            ELSE '{}'::jsonb END) AS k(key, value)
                 WHERE k.value IS NOT NULL
            ), overdue AS (
                SELECT o.partner_id, o.company_id,
                       SUM(o.amount_residual) AS amount,
                       SUM(o.amount_residual) FILTER (WHERE o.days_overdue <= 30) AS d30,
                       SUM(o.amount_residual) FILTER (
                           WHERE o.days_overdue > 30 AND o.days_overdue <= 60) AS d60,
                       SUM(o.amount_residual) FILTER (
                           WHERE o.days_overdue > 60 AND o.days_overdue <= 90) AS d90,
                       SUM(o.amount_residual) FILTER (WHERE o.days_overdue > 90) AS d90_plus
                  FROM (%(overdue)s) o
                 GROUP BY o.partner_id, o.company_id
            ), customer AS (
                SELECT partner_id, company_id FROM scored
                UNION
                SELECT partner_id, company_id FROM overdue
            ), figures AS (
                SELECT c.partner_id, c.company_id,
                       p.rental_grade ->> c.company_id::text AS grade,
                       (p.rental_score ->> c.company_id::text)::int AS score,
                       (p.rental_scored_at ->> c.company_id::text)::timestamp AS scored_at,
                       COALESCE((p.rental_credit_limit ->> c.company_id::text)::numeric, 0)
                           AS credit_limit,
                       COALESCE((p.rental_exposure_at_scoring ->> c.company_id::text)::numeric, 0)
                           AS exposure,
                       COALESCE(
                           (p.rental_available_credit_at_scoring ->> c.company_id::text)::numeric,
                           0) AS available_credit
                  FROM customer c
                  JOIN res_partner p ON p.id = c.partner_id
            )
            SELECT (f.partner_id::bigint << 20) + f.company_id AS id,
                   f.partner_id, p.commercial_partner_id, f.company_id, co.currency_id,
                   p.industry_id, p.country_id, p.state_id, p.user_id,
                   f.grade, f.score, f.scored_at,
                   COALESCE(p.rental_blacklisted, FALSE) AS blacklisted,
                   f.credit_limit, f.exposure, f.available_credit,
                   CASE WHEN f.credit_limit > 0
                        THEN ROUND(100.0 * f.exposure / f.credit_limit, 1)
                        ELSE 0 END::float8 AS limit_utilization,
                   CASE WHEN f.exposure <= 0 THEN 'none'
                        WHEN f.exposure > f.credit_limit THEN 'over'
                        WHEN f.exposure > 0.8 * f.credit_limit THEN '80_100'
                        WHEN f.exposure > 0.5 * f.credit_limit THEN '50_80'
                        ELSE '0_50' END AS utilization_band,
                   f.exposure > 0 AND f.exposure > f.credit_limit AS over_limit,
                   COALESCE(o.amount, 0) AS overdue_amount,
                   COALESCE(o.d30, 0) AS overdue_1_30,
                   COALESCE(o.d60, 0) AS overdue_31_60,
                   COALESCE(o.d90, 0) AS overdue_61_90,
                   COALESCE(o.d90_plus, 0) AS overdue_90_plus
              FROM figures f
              JOIN res_partner p ON p.id = f.partner_id
              JOIN res_company co ON co.id = f.company_id
              LEFT JOIN overdue o ON o.partner_id = f.partner_id AND o.company_id = f.company_id
            """,
            overdue=overdue_receivables_sql(),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
