from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.rental_score_history import GRADE_SELECTION
from .rental_risk_report import overdue_receivables_sql

#: Days overdue: bucket, label (the Risk dashboard's buckets).
OVERDUE_BUCKETS = [
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("90_plus", "Over 90 Days"),
]


class RentalOverdueReport(models.Model):
    """Overdue detail: one row per open instalment of a posted customer invoice past its due
    date, with the customer's grade in the invoice's company, the days overdue and their
    bucket. The same lines as the Risk dashboard's overdue tile; "today" is the database's
    date, so every user reads the same figures whatever their time zone."""

    _name = "rental.overdue.report"
    _description = "Overdue Detail"
    _auto = False
    _order = "days_overdue desc, id"
    _rec_name = "move_id"

    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    industry_id = fields.Many2one("res.partner.industry", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    grade = fields.Selection(GRADE_SELECTION, string="Risk Grade", readonly=True)
    invoice_date = fields.Date(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(OVERDUE_BUCKETS, string="Overdue", readonly=True)
    amount_residual = fields.Monetary(
        string="Amount Due", readonly=True, help="Open amount, in the company's currency."
    )

    @api.model
    def _query(self):
        """The report's SELECT; hook for sub-modules."""
        return SQL(
            """
            SELECT o.id, o.id AS move_line_id, o.move_id, o.partner_id, o.company_id,
                   co.currency_id, o.invoice_user_id AS user_id,
                   p.industry_id, p.country_id,
                   p.rental_grade ->> o.company_id::text AS grade,
                   o.invoice_date, o.date_maturity, o.days_overdue,
                   CASE WHEN o.days_overdue <= 30 THEN '1_30'
                        WHEN o.days_overdue <= 60 THEN '31_60'
                        WHEN o.days_overdue <= 90 THEN '61_90'
                        ELSE '90_plus' END AS bucket,
                   o.amount_residual
              FROM (%(overdue)s) o
              JOIN res_company co ON co.id = o.company_id
              LEFT JOIN res_partner p ON p.id = o.partner_id
            """,
            overdue=overdue_receivables_sql(),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
