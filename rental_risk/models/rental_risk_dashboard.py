from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..engine.scoring import GRADES

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"

#: Overdue buckets: key, first and last day overdue (None: no end).
OVERDUE_BUCKETS = (
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("90_plus", 91, None),
)
TREND_MONTHS = 6
TOP_CUSTOMERS = 10
TOP_PRODUCTS = 5


class RentalRiskDashboard(models.AbstractModel):
    """The Risk dashboard's server side: every tile of one company computed set-based (one
    aggregate query per tile, none per record), and for each tile the window action listing
    the records it counts. The domains are built by small hooks that both the figures' tests
    and sub-modules can reuse."""

    _name = "rental.risk.dashboard"
    _description = "Rental Risk Dashboard"

    def init(self):
        # The indexes the tiles' queries need, found with EXPLAIN ANALYZE at 100,000 customers
        # and 1,000,000 invoices (bench/bench_dashboard.py):
        # - the overdue receivables are read from this partial index alone (index-only scan),
        #   in due-date order, instead of visiting a third of the journal items' table;
        # - the trend reads the last six months of the score history, which only grows.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS account_move_line_rental_risk_overdue_idx
                ON account_move_line (company_id, date_maturity)
                INCLUDE (account_id, amount_residual)
                WHERE display_type = 'payment_term' AND parent_state = 'posted'
                  AND (reconciled IS NULL OR reconciled = FALSE) AND amount_residual > 0;
            CREATE INDEX IF NOT EXISTS rental_score_history_company_date_idx
                ON rental_score_history (company_id, date) INCLUDE (grade, previous_grade);
            """
        )

    # ------------------------------------------------------------------
    # Public entry points (called by the client action)
    # ------------------------------------------------------------------

    @api.model
    def get_dashboard_data(self, company_id=None):
        """Every tile of the dashboard for ``company_id`` (the current company by default),
        amounts in that company's currency."""
        company = self._dashboard_company(company_id)
        # The scoring columns are company-dependent: read the company's own values.
        return self.with_company(company)._get_dashboard_data(company)

    @api.model
    def _get_dashboard_data(self, company):
        self.env.flush_all()
        today = fields.Date.context_today(self)
        currency = company.currency_id
        grades = self._tile_grades(company)
        return {
            "company": {"id": company.id, "name": company.name},
            "currency": {
                "id": currency.id,
                "symbol": currency.symbol,
                "position": currency.position,
                "digits": currency.decimal_places,
            },
            "today": fields.Date.to_string(today),
            "grades": grades,
            "trend": self._tile_trend(company, today, grades),
            "overdue": self._tile_overdue(company, today),
            "top_customers": self._tile_top_customers(company),
            "gear_out": self._tile_gear_out(company),
            "claims": self._tile_claims(company, today),
            "approvals": self._tile_approvals(company),
            "locks": self._tile_locks(company, today),
            "collections": self._tile_collections(company),
        }

    @api.model
    def action_open_tile(self, tile, key=None, company_id=None):
        """Window action listing the records behind ``tile`` (and its ``key``: a grade, an
        overdue bucket, a product), for the company of the dashboard."""
        company = self._dashboard_company(company_id)
        return self.with_company(company)._get_tile_action(tile, key, company)

    @api.model
    def _get_tile_action(self, tile, key, company):
        today = fields.Date.context_today(self)
        specs = {
            "grades": ("res.partner", self.env._("Customers of Grade %(grade)s", grade=key)),
            "exposure": ("res.partner", self.env._("Exposure of Grade %(grade)s", grade=key)),
            "trend": ("rental.score.history", self.env._("Grade Changes (Last 6 Months)")),
            "overdue": ("account.move.line", self.env._("Overdue Receivables")),
            "top_customers": ("res.partner", self.env._("Riskiest Customers")),
            "gear_out": ("stock.lot", self.env._("Gear Out on Rental")),
            "claims": ("rental.damage.claim", self.env._("Claims This Month")),
            "approvals": ("sale.order", self.env._("Orders Waiting for Risk Approval")),
            "locks": ("stock.picking", self.env._("Pickups Locked by the Risk Rules")),
        }
        if tile not in specs:
            raise UserError(self.env._("The dashboard has no tile %(tile)s.", tile=tile))
        model, name = specs[tile]
        domain = self._get_tile_domain(tile, key, company, today)
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "domain": domain,
            "views": [[False, "list"], [False, "form"]],
            "target": "current",
            # Archived customers keep their grade and exposure: they are counted too.
            "context": {"create": False, "active_test": False},
        }
        if model == "account.move.line":
            action["views"] = [
                [self.env.ref("account.view_move_line_tree").id, "list"],
                [False, "form"],
            ]
        return action

    # ------------------------------------------------------------------
    # Access and company
    # ------------------------------------------------------------------

    @api.model
    def _dashboard_company(self, company_id):
        """The company shown: one of the user's allowed companies; only Risk Officers and
        Managers see the dashboard."""
        if not self.env.su and not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._(
                    "The risk dashboard is for Risk Officers and Risk Managers; ask one of them "
                    "for the figures."
                )
            )
        if not company_id:
            return self.env.company
        company = self.env["res.company"].browse(int(company_id)).exists()
        if company not in self.env.companies:
            raise AccessError(
                self.env._("You cannot see the risk dashboard of a company you do not work in.")
            )
        return company

    # ------------------------------------------------------------------
    # Domains of the tiles (what each tile counts, as the ORM searches it)
    # ------------------------------------------------------------------

    @api.model
    def _get_tile_domain(self, tile, key, company, today):
        """Domain of the records behind ``tile``; hook for sub-modules."""
        method = getattr(self, f"_get_{tile}_domain")
        return method(key, company, today)

    @api.model
    def _get_grades_domain(self, grade, company, today):
        domain = [("rental_grade", "!=", False)]
        if grade:
            domain = [("rental_grade", "=", grade)]
        return domain

    @api.model
    def _get_exposure_domain(self, grade, company, today):
        return [
            *self._get_grades_domain(grade, company, today),
            ("rental_exposure_at_scoring", "!=", 0),
        ]

    @api.model
    def _get_trend_domain(self, key, company, today):
        return [
            ("company_id", "=", company.id),
            ("date", ">=", fields.Datetime.to_string(self._trend_start(today))),
        ]

    @api.model
    def _get_overdue_domain(self, bucket, company, today):
        domain = [
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("display_type", "=", "payment_term"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("amount_residual", ">", 0),
            ("date_maturity", "<", today),
        ]
        for key, first, last in OVERDUE_BUCKETS:
            if key == bucket:
                domain.append(("date_maturity", "<=", today - timedelta(days=first)))
                if last:
                    domain.append(("date_maturity", ">=", today - timedelta(days=last)))
        return domain

    @api.model
    def _get_top_customers_domain(self, key, company, today):
        return [("id", "in", [row["id"] for row in self._tile_top_customers(company)])]

    @api.model
    def _get_gear_out_domain(self, product_id, company, today):
        domain = [
            ("company_id", "=", company.id),
            ("rental_ok", "=", True),
            ("rental_state", "=", "out"),
        ]
        if product_id:
            domain.append(("product_id", "=", int(product_id)))
        return domain

    @api.model
    def _get_claims_domain(self, key, company, today):
        start = today.replace(day=1)
        return [
            ("company_id", "=", company.id),
            ("state", "!=", "cancelled"),
            ("date", ">=", start),
            ("date", "<", start + relativedelta(months=1)),
        ]

    @api.model
    def _get_approvals_domain(self, key, company, today):
        return [
            ("company_id", "=", company.id),
            ("rental_risk_approval_state", "=", "waiting"),
            ("state", "!=", "cancel"),
        ]

    @api.model
    def _get_locks_domain(self, key, company, today):
        """Open rental pickups the risk lock holds, not released: the customer is blacklisted,
        the order waits for a risk approval, or (when the company locks on overdue invoices)
        the customer owes more than the tolerance beyond the allowed days."""
        customer = "sale_id.partner_id.commercial_partner_id"
        holds = [
            [(f"{customer}.rental_blacklisted", "=", True)],
            [("sale_id.rental_risk_approval_state", "=", "waiting")],
        ]
        overdue = self._overdue_customer_ids(company, today)
        if overdue:
            holds.append([(customer, "in", overdue)])
        reasons = ["|"] * (len(holds) - 1) + [term for hold in holds for term in hold]
        return [
            ("company_id", "=", company.id),
            ("picking_type_id.rental_operation", "=", "pickup"),
            ("state", "not in", ("done", "cancel")),
            ("sale_id", "!=", False),
            ("rental_risk_release_id", "=", False),
            *reasons,
        ]

    # ------------------------------------------------------------------
    # Tiles (one aggregate query each)
    # ------------------------------------------------------------------

    @api.model
    def _tile_grades(self, company):
        """Customers and exposure (last scoring) per grade in force: [{grade, count,
        exposure}] from A to E."""
        self.env.cr.execute(
            SQL(
                """
                SELECT p.rental_grade ->> %(company)s AS grade, COUNT(*),
                       COALESCE(SUM((p.rental_exposure_at_scoring ->> %(company)s)::float8), 0)
                  FROM res_partner p
                 WHERE p.rental_grade ->> %(company)s IS NOT NULL
                 GROUP BY 1
                """,
                company=str(company.id),
            )
        )
        rows = {grade: (count, exposure) for grade, count, exposure in self.env.cr.fetchall()}
        return [
            {
                "grade": grade,
                "count": rows.get(grade, (0, 0.0))[0],
                "exposure": company.currency_id.round(rows.get(grade, (0, 0.0))[1]),
            }
            for grade in GRADES
        ]

    @api.model
    def _trend_start(self, today):
        """First moment of the trend: the start of the month five months before this one."""
        start = today.replace(day=1) - relativedelta(months=TREND_MONTHS - 1)
        return fields.Datetime.to_datetime(start)

    @api.model
    def _tile_trend(self, company, today, grades):
        """Customers per grade at the end of each of the last six months (the current one as
        of now). The history keeps one row per change (grade before and after): the grades of
        a month's end are today's minus the changes made since, which reads only the last six
        months of history, whatever its length."""
        start = self._trend_start(today)
        self.env.cr.execute(
            SQL(
                """
                SELECT date_trunc('month', h.date)::date, h.grade, h.previous_grade, COUNT(*)
                  FROM rental_score_history h
                 WHERE h.company_id = %(company)s AND h.date >= %(start)s
                 GROUP BY 1, 2, 3
                """,
                company=company.id,
                start=start,
            )
        )
        months = [start.date() + relativedelta(months=i) for i in range(TREND_MONTHS)]
        # changes[i][grade]: customers who entered (+) or left (-) the grade during month i
        changes = defaultdict(lambda: defaultdict(int))
        total_changes = 0
        for month, grade, previous, count in self.env.cr.fetchall():
            index = months.index(month) if month in months else TREND_MONTHS - 1
            if grade:
                changes[index][grade] += count
            if previous:
                changes[index][previous] -= count
            total_changes += count
        current = {row["grade"]: row["count"] for row in grades}
        series = {grade: [0] * TREND_MONTHS for grade in GRADES}
        for grade in GRADES:
            value = current[grade]
            for index in range(TREND_MONTHS - 1, -1, -1):
                series[grade][index] = value
                value -= changes[index][grade]
        return {
            "months": [fields.Date.to_string(month) for month in months],
            "series": series,
            "changes": total_changes,
        }

    @api.model
    def _tile_overdue(self, company, today):
        """Open receivables of posted customer invoices past due, per bucket of days overdue:
        [{bucket, count, amount}]. Summed per due date by the database (in the order of its
        index), then per bucket here."""
        self.env.cr.execute(
            SQL(
                """
                SELECT %(today)s - aml.date_maturity, COUNT(*), SUM(aml.amount_residual)::float8
                  FROM account_move_line aml
                 WHERE aml.company_id = %(company)s
                   AND aml.account_id = ANY(%(accounts)s)
                   AND aml.parent_state = 'posted'
                   AND aml.display_type = 'payment_term'
                   AND (aml.reconciled IS NULL OR aml.reconciled = FALSE)
                   AND aml.amount_residual > 0
                   AND aml.date_maturity < %(today)s
                 GROUP BY aml.date_maturity
                """,
                today=today,
                company=company.id,
                accounts=self._receivable_account_ids(company),
            )
        )
        totals = {key: [0, 0.0] for key, _first, _last in OVERDUE_BUCKETS}
        for days, count, amount in self.env.cr.fetchall():
            key = next(
                key
                for key, first, last in OVERDUE_BUCKETS
                if days >= first and (not last or days <= last)
            )
            totals[key][0] += count
            totals[key][1] += amount
        return [
            {"bucket": key, "count": count, "amount": company.currency_id.round(amount)}
            for key, (count, amount) in totals.items()
        ]

    @api.model
    def _receivable_account_ids(self, company):
        return (
            self.env["account.account"]
            .sudo()
            .with_context(active_test=False)
            .search([("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)])
            .ids
        )

    @api.model
    def _tile_top_customers(self, company):
        """The customers most at risk: lowest score first, then the largest exposure, among
        those with money at stake at the last scoring."""
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.name, p.rental_grade ->> %(company)s,
                       COALESCE((p.rental_score ->> %(company)s)::int, 0) AS score,
                       (p.rental_exposure_at_scoring ->> %(company)s)::float8 AS exposure
                  FROM res_partner p
                 WHERE p.rental_grade ->> %(company)s IS NOT NULL
                   AND (p.rental_exposure_at_scoring ->> %(company)s)::float8 > 0
                 ORDER BY score, exposure DESC, p.id
                 LIMIT %(limit)s
                """,
                company=str(company.id),
                limit=TOP_CUSTOMERS,
            )
        )
        return [
            {
                "id": partner_id,
                "name": name,
                "grade": grade,
                "score": score,
                "exposure": company.currency_id.round(exposure),
            }
            for partner_id, name, grade, score, exposure in self.env.cr.fetchall()
        ]

    @api.model
    def _tile_gear_out(self, company):
        """Serials out on rental and their replacement value, in total and for the products
        with the most value out."""
        self.env.cr.execute(
            SQL(
                """
                SELECT lot.product_id, COUNT(*),
                       COALESCE(SUM(lot.rental_replacement_value), 0)::float8 AS value
                  FROM stock_lot lot
                 WHERE lot.company_id = %(company)s AND lot.rental_ok
                   AND lot.rental_state = 'out'
                 GROUP BY lot.product_id
                 ORDER BY value DESC, lot.product_id
                """,
                company=company.id,
            )
        )
        rows = self.env.cr.fetchall()
        products = dict(
            self.env["product.product"]
            .browse([row[0] for row in rows[:TOP_PRODUCTS]])
            .sudo()
            .mapped(lambda p: (p.id, p.display_name))
        )
        round_ = company.currency_id.round
        return {
            "count": sum(row[1] for row in rows),
            "value": round_(sum(row[2] for row in rows)),
            "products": [
                {"id": pid, "name": products[pid], "count": count, "value": round_(value)}
                for pid, count, value in rows[:TOP_PRODUCTS]
            ],
        }

    @api.model
    def _tile_claims(self, company, today):
        """Claims dated this month (cancelled ones left out): how many and their assessed
        amount (claims are in the company's currency)."""
        start = today.replace(day=1)
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*), COALESCE(SUM(c.assessed_amount), 0)::float8
                  FROM rental_damage_claim c
                 WHERE c.company_id = %(company)s AND c.state != 'cancelled'
                   AND c.date >= %(start)s AND c.date < %(end)s
                """,
                company=company.id,
                start=start,
                end=start + relativedelta(months=1),
            )
        )
        count, amount = self.env.cr.fetchone()
        return {"count": count, "amount": company.currency_id.round(amount)}

    @api.model
    def _tile_collections(self, company):
        """The company's collection figures: average days to pay (weighted by the amounts
        paid), share of the open receivable overdue by more than 30 days, share of the
        promises to pay kept; the same aggregates as on each customer, over all of them."""
        days, share, kept = (
            self.env["res.partner"]._rental_collection_kpis(None, company).get(0, (0.0, 0.0, 0.0))
        )
        return {
            "avg_days_to_pay": round(days, 1),
            "overdue_30_share": round(share, 1),
            "promise_kept_rate": round(kept, 1),
        }

    @api.model
    def _tile_approvals(self, company):
        """Orders held for a risk approval and their total in the company's currency."""
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*),
                       COALESCE(SUM(so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1)),
                                0)::float8
                  FROM sale_order so
                 WHERE so.company_id = %(company)s
                   AND so.rental_risk_approval_state = 'waiting'
                   AND so.state != 'cancel'
                """,
                company=company.id,
            )
        )
        count, amount = self.env.cr.fetchone()
        return {"count": count, "amount": company.currency_id.round(amount)}

    @api.model
    def _overdue_customer_ids(self, company, today):
        """Customers with an open rental pickup whose invoices are overdue beyond the company's
        tolerance (empty when the company does not lock on overdue invoices)."""
        return self._locked_pickups(company, today)["overdue_ids"]

    @api.model
    def _locked_pickups(self, company, today):
        """Open rental pickups the risk lock holds (not released): how many, how many for each
        reason, and the customers held for overdue invoices. One query: the open pickups and
        their customers once, the overdue sums (as the delivery lock computes them) only for
        those customers."""
        self.env.cr.execute(
            SQL(
                """
                WITH pickup AS MATERIALIZED (
                    SELECT sp.id, sp.rental_risk_release_id IS NULL AS unreleased,
                           so.rental_risk_approval_state = 'waiting' AS waiting,
                           cu.id AS customer, cu.rental_blacklisted AS blacklisted
                      FROM stock_picking sp
                      JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                      JOIN sale_order so ON so.id = sp.sale_id
                      JOIN res_partner p ON p.id = so.partner_id
                      JOIN res_partner cu ON cu.id = p.commercial_partner_id
                     WHERE sp.company_id = %(company)s
                       AND spt.rental_operation = 'pickup'
                       AND sp.state NOT IN ('done', 'cancel')
                ), overdue AS (
                    SELECT c.customer
                      FROM (SELECT DISTINCT customer FROM pickup) c
                     WHERE %(lock_overdue)s
                       AND (SELECT COALESCE(SUM(am.amount_residual_signed), 0)
                              FROM account_move am
                             WHERE am.commercial_partner_id = c.customer
                               AND am.company_id = %(company)s
                               AND am.state = 'posted'
                               AND am.move_type IN ('out_invoice', 'out_refund')
                               AND am.amount_residual_signed <> 0
                               AND am.move_type = 'out_invoice'
                               AND am.invoice_date_due < %(due)s) > %(tolerance)s
                )
                SELECT COUNT(*) FILTER (WHERE pk.blacklisted OR pk.waiting
                                        OR od.customer IS NOT NULL),
                       COUNT(*) FILTER (WHERE pk.blacklisted),
                       COUNT(*) FILTER (WHERE pk.waiting),
                       COUNT(*) FILTER (WHERE od.customer IS NOT NULL),
                       (SELECT COALESCE(array_agg(customer), '{}') FROM overdue)
                  FROM pickup pk
                  LEFT JOIN overdue od ON od.customer = pk.customer
                 WHERE pk.unreleased
                """,
                company=company.id,
                lock_overdue=bool(company.rental_risk_lock_overdue),
                due=today - timedelta(days=max(company.rental_risk_lock_overdue_days, 0)),
                tolerance=company.rental_risk_overdue_min_amount or 0.0,
            )
        )
        count, blacklisted, waiting, overdue, overdue_ids = self.env.cr.fetchone()
        return {
            "count": count,
            "blacklisted": blacklisted,
            "waiting": waiting,
            "overdue": overdue,
            "overdue_ids": sorted(overdue_ids),
        }

    @api.model
    def _tile_locks(self, company, today):
        """Open rental pickups held by the risk lock, and how many for each reason."""
        locks = self._locked_pickups(company, today)
        del locks["overdue_ids"]
        return locks
