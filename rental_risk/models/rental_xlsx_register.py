import contextlib
import os
import re
import tempfile
from collections import namedtuple
from datetime import datetime, time, timedelta

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
USER_GROUP = "rental_risk.rental_risk_group_user"
ACCOUNTANT_GROUP = "account.group_account_invoice"

#: Rows fetched from the database at a time: the workbook is streamed to a file row by row,
#: so memory stays flat whatever the number of customers or serials.
FETCH_SIZE = 2000

#: A column of a register: its title, its kind (text, int, float, money, percent, date,
#: datetime, bool), its width in characters and whether the totals row sums it.
Column = namedtuple("Column", "title kind width total", defaults=(14, False))


class RentalXlsxRegister(models.AbstractModel):
    """Excel registers for Risk Officers, accountants and the rental desk: the risk register,
    the receivables aging, the asset register and the claims report.

    One method per register, fed by set-based SQL (one query per sheet, whatever the number
    of customers or serials); the workbook is streamed to a temporary file with xlsxwriter's
    constant memory mode, so a register of 100,000 customers never sits in memory. The queries
    bypass record rules, so every register checks the caller's groups and company first.
    """

    _name = "rental.xlsx.register"
    _description = "Rental Excel Registers"

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    @api.model
    def _get_register_groups(self):
        """Hook: {register: groups (xml ids) any of which may export it}."""
        finance = (OFFICER_GROUP, ACCOUNTANT_GROUP)
        return {
            "risk": finance,
            "aging": finance,
            "assets": (USER_GROUP,),
            "claims": finance,
        }

    @api.model
    def _get_register_names(self):
        """Hook: {register: title}, the titles of the sheets and of the files."""
        return {
            "risk": self.env._("Risk Register"),
            "aging": self.env._("Receivables Aging"),
            "assets": self.env._("Asset Register"),
            "claims": self.env._("Claims and Losses"),
        }

    @api.model
    def _check_register_access(self, register, company):
        """Refuse ``register`` of ``company`` to a user outside its groups or that company."""
        if self.env.su:
            return
        groups = self._get_register_groups()[register]
        if not any(self.env.user.has_group(group) for group in groups):
            raise AccessError(
                self.env._(
                    "You may not export the %(register)s: ask a Risk Officer or an accountant "
                    "for it, or to be given their rights.",
                    register=self._get_register_names()[register],
                )
                if register != "assets"
                else self.env._(
                    "You may not export the %(register)s: it is for Rental Users; ask your "
                    "administrator for that right.",
                    register=self._get_register_names()[register],
                )
            )
        if company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You may not export the registers of %(company)s: you do not work for it.",
                    company=company.name,
                )
            )

    # ------------------------------------------------------------------
    # Registers
    # ------------------------------------------------------------------

    @api.model
    def _export(self, register, company, **options):
        """Build ``register`` of ``company`` with ``options`` (those of its method); return
        ``(file name, xlsx content)``."""
        method = {
            "risk": self._build_risk_register,
            "aging": self._build_aging_register,
            "assets": self._build_asset_register,
            "claims": self._build_claims_register,
        }[register]
        self._check_register_access(register, company)
        self.env.flush_all()
        with self._open_workbook() as (workbook, path):
            method(workbook, company, **options)
        try:
            with open(path, "rb") as xlsx:
                content = xlsx.read()
        finally:
            os.unlink(path)
        stamp = fields.Date.to_string(
            options.get("as_of") or options.get("date_to") or fields.Date.context_today(self)
        )
        name = re.sub(
            r"[^\w.-]+", "_", f"{self._get_register_names()[register]} {company.name} {stamp}"
        )
        return f"{name}.xlsx", content

    def _build_risk_register(
        self, workbook, company, as_of=None, partner_ids=None, grade=None, blacklisted_only=False
    ):
        """Customers of ``company`` with their score, grade, limit, exposure, receivables by
        age (as of ``as_of``), blacklist flag and last change of their risk (score history or
        audit trail); limited to the commercial partners ``partner_ids`` when given."""
        as_of = as_of or fields.Date.context_today(self)
        columns = [
            Column(self.env._("Customer"), "text", 36),
            Column(self.env._("Reference"), "text", 12),
            Column(self.env._("Tax ID"), "text", 16),
            Column(self.env._("Score"), "int", 8),
            Column(self.env._("Grade"), "text", 8),
            # A cap per customer: a total of caps means nothing.
            Column(self.env._("Credit Limit"), "money", 14),
            Column(self.env._("Exposure (Last Scoring)"), "money", 16, True),
            *self._aging_columns(),
            Column(self.env._("Blacklisted"), "bool", 11),
            Column(self.env._("Last Risk Change"), "datetime", 18),
        ]
        cid = str(company.id)
        query = SQL(
            """
            WITH aging AS (%(aging)s)
            SELECT COALESCE(p.complete_name, p.name), p.ref, p.vat,
                   (p.rental_score -> %(cid)s ->> 0)::int,
                   p.rental_grade -> %(cid)s ->> 0,
                   (p.rental_credit_limit -> %(cid)s ->> 0)::float8,
                   (p.rental_exposure_at_scoring -> %(cid)s ->> 0)::float8,
                   a.total, a.not_due, a.d30, a.d60, a.d90, a.older,
                   COALESCE(p.rental_blacklisted, FALSE),
                   %(last_change)s
              FROM res_partner p
              LEFT JOIN aging a ON a.partner_id = p.id
              LEFT JOIN (SELECT h.partner_id, MAX(h.date) AS date
                           FROM rental_score_history h
                          WHERE h.company_id = %(company)s OR h.company_id IS NULL
                          GROUP BY h.partner_id) h ON h.partner_id = p.id
              LEFT JOIN (SELECT e.partner_id, MAX(e.date) AS date
                           FROM rental_risk_event e
                          WHERE e.company_id = %(company)s AND e.partner_id IS NOT NULL
                          GROUP BY e.partner_id) e ON e.partner_id = p.id
             WHERE %(where)s
               AND (a.partner_id IS NOT NULL OR p.customer_rank > 0
                    OR p.rental_grade -> %(cid)s IS NOT NULL OR p.id = ANY(%(ids)s))
             ORDER BY 1, p.id
            """,
            aging=self._aging_sql(company, as_of, partner_ids),
            cid=cid,
            company=company.id,
            last_change=self._local_datetime_sql(SQL("GREATEST(h.date, e.date)")),
            where=self._customer_where(company, partner_ids, grade, blacklisted_only),
            ids=list(partner_ids or []),
        )
        title = self.env._(
            "%(register)s - %(company)s - receivables as of %(date)s",
            register=self._get_register_names()["risk"],
            company=company.name,
            date=fields.Date.to_string(as_of),
        )
        self._write_sheet(workbook, self.env._("Risk Register"), title, columns, query)

    def _build_aging_register(
        self, workbook, company, as_of=None, partner_ids=None, grade=None, blacklisted_only=False
    ):
        """Open receivables of ``company`` as of ``as_of`` by customer and by age, in company
        currency: what was open at the end of that day (payments and credit notes matched
        later do not count)."""
        as_of = as_of or fields.Date.context_today(self)
        columns = [
            Column(self.env._("Customer"), "text", 36),
            Column(self.env._("Reference"), "text", 12),
            *self._aging_columns(),
        ]
        query = SQL(
            """
            WITH aging AS (%(aging)s)
            SELECT COALESCE(p.complete_name, p.name), p.ref,
                   a.total, a.not_due, a.d30, a.d60, a.d90, a.older
              FROM aging a
              JOIN res_partner p ON p.id = a.partner_id
             WHERE %(where)s AND a.total IS NOT NULL
             ORDER BY 1, p.id
            """,
            aging=self._aging_sql(company, as_of, partner_ids),
            where=self._customer_where(company, partner_ids, grade, blacklisted_only),
        )
        title = self.env._(
            "%(register)s - %(company)s - as of %(date)s (%(currency)s)",
            register=self._get_register_names()["aging"],
            company=company.name,
            date=fields.Date.to_string(as_of),
            currency=company.currency_id.name,
        )
        self._write_sheet(workbook, self.env._("Aging"), title, columns, query)

    def _build_asset_register(
        self, workbook, company, date_from=None, date_to=None, lot_ids=None, categ_id=None
    ):
        """Rental serials of ``company`` (and their products) over the period: days owned,
        days out with customers, utilization, rentals, claims, damage rate, idle days since
        the last return and repair cost (assessed amount of the damage claims)."""
        date_to = date_to or fields.Date.context_today(self)
        date_from = date_from or date_to - timedelta(days=364)
        if date_from > date_to:
            raise UserError(self.env._("The period of the asset register ends before it starts."))
        start = datetime.combine(date_from, time.min)
        stop = min(datetime.combine(date_to + timedelta(days=1), time.min), fields.Datetime.now())
        serials = self._asset_serials_sql(company, start, stop, lot_ids, categ_id)
        serial_columns = [
            Column(self.env._("Serial"), "text", 18),
            Column(self.env._("Product"), "text", 28),
            Column(self.env._("Category"), "text", 22),
            Column(self.env._("Status"), "text", 12),
            Column(self.env._("Replacement Value"), "money", 14, True),
            Column(self.env._("Days Owned"), "float", 11, True),
            Column(self.env._("Days Out"), "float", 10, True),
            Column(self.env._("Utilization"), "percent", 11),
            Column(self.env._("Rentals"), "int", 9, True),
            Column(self.env._("Claims"), "int", 8, True),
            Column(self.env._("Damage Rate"), "percent", 11),
            Column(self.env._("Last Return"), "date", 12),
            Column(self.env._("Idle Days"), "int", 9),
            Column(self.env._("Repair Cost"), "money", 13, True),
        ]
        states = dict(
            self.env["stock.lot"]._fields["rental_state"]._description_selection(self.env)
        )
        title = self.env._(
            "%(register)s - %(company)s - %(date_from)s to %(date_to)s",
            register=self._get_register_names()["assets"],
            company=company.name,
            date_from=fields.Date.to_string(date_from),
            date_to=fields.Date.to_string(date_to),
        )
        self._write_sheet(
            workbook,
            self.env._("Serials"),
            title,
            serial_columns,
            SQL(
                """
                WITH serials AS (%(serials)s)
                SELECT s.name, s.product, s.category, s.state, s.replacement_value,
                       s.days_owned, s.days_out,
                       s.days_out / NULLIF(s.days_owned, 0),
                       s.rentals, s.claims, s.claims::float8 / NULLIF(s.rentals, 0),
                       s.last_return, s.idle_days, s.repair_cost
                  FROM serials s
                 ORDER BY s.product, s.name, s.id
                """,
                serials=serials,
            ),
            convert={3: lambda state: states.get(state, state)},
        )
        product_columns = [
            Column(self.env._("Product"), "text", 28),
            Column(self.env._("Category"), "text", 22),
            Column(self.env._("Serials"), "int", 9, True),
            Column(self.env._("Replacement Value"), "money", 14, True),
            Column(self.env._("Days Owned"), "float", 11, True),
            Column(self.env._("Days Out"), "float", 10, True),
            Column(self.env._("Utilization"), "percent", 11),
            Column(self.env._("Rentals"), "int", 9, True),
            Column(self.env._("Claims"), "int", 8, True),
            Column(self.env._("Damage Rate"), "percent", 11),
            Column(self.env._("Average Idle Days"), "float", 12),
            Column(self.env._("Repair Cost"), "money", 13, True),
        ]
        self._write_sheet(
            workbook,
            self.env._("Products"),
            title,
            product_columns,
            SQL(
                """
                WITH serials AS (%(serials)s)
                SELECT s.product, s.category, COUNT(*), SUM(s.replacement_value),
                       SUM(s.days_owned), SUM(s.days_out),
                       SUM(s.days_out) / NULLIF(SUM(s.days_owned), 0),
                       SUM(s.rentals), SUM(s.claims),
                       SUM(s.claims)::float8 / NULLIF(SUM(s.rentals), 0),
                       AVG(s.idle_days)::float8, SUM(s.repair_cost)
                  FROM serials s
                 GROUP BY s.product_id, s.product, s.category
                 ORDER BY s.product, s.product_id
                """,
                serials=serials,
            ),
        )

    def _build_claims_register(
        self, workbook, company, date_from=None, date_to=None, claim_ids=None
    ):
        """Damage, missing-accessory and loss claims of ``company`` dated in the period (or
        the claims ``claim_ids``), for finance: amounts assessed, covered by insurance, the
        deductible, the customer's charge, its invoice, what the deposit paid of it, what is
        still open, what a credit note gave back (a lost asset found again) and whether the
        order's deposit is settled; then a summary by type."""
        claim_model = self.env["rental.damage.claim"]
        move_model = self.env["account.move"]
        labels = {
            (model._name, name): dict(model._fields[name]._description_selection(self.env))
            for model, name in (
                (claim_model, "claim_type"),
                (claim_model, "state"),
                (move_model, "state"),
                (move_model, "payment_state"),
            )
        }
        claim_types = labels["rental.damage.claim", "claim_type"]
        columns = [
            Column(self.env._("Reference"), "text", 14),
            Column(self.env._("Date"), "date", 11),
            Column(self.env._("Type"), "text", 18),
            Column(self.env._("Status"), "text", 11),
            Column(self.env._("Customer"), "text", 28),
            Column(self.env._("Order"), "text", 11),
            Column(self.env._("Serial"), "text", 16),
            Column(self.env._("Product"), "text", 24),
            Column(self.env._("Replacement Value"), "money", 14, True),
            Column(self.env._("Assessed"), "money", 13, True),
            Column(self.env._("Insurance Cover"), "money", 13, True),
            Column(self.env._("Deductible"), "money", 12, True),
            Column(self.env._("Customer Charge"), "money", 13, True),
            Column(self.env._("Invoice"), "text", 16),
            Column(self.env._("Invoice Status"), "text", 12),
            Column(self.env._("Payment"), "text", 12),
            Column(self.env._("Invoiced"), "money", 13, True),
            Column(self.env._("Paid by Deposit"), "money", 13, True),
            Column(self.env._("Open"), "money", 12, True),
            Column(self.env._("Credited"), "money", 12, True),
            Column(self.env._("Deposit Settled"), "bool", 10),
            Column(self.env._("Waived"), "bool", 8),
        ]
        date_to = date_to or fields.Date.context_today(self)
        date_from = date_from or date_to.replace(month=1, day=1)
        where = [SQL("c.company_id = %s", company.id)]
        if claim_ids:
            where.append(SQL("c.id = ANY(%s)", list(claim_ids)))
        else:
            where.append(SQL("c.date BETWEEN %s AND %s", date_from, date_to))
        query = SQL(
            """
            SELECT c.name, c.date, c.claim_type, c.state,
                   COALESCE(partner.complete_name, partner.name), so.name, lot.name,
                   COALESCE(pt.name ->> %(lang)s, pt.name ->> 'en_US'),
                   lot.rental_replacement_value, c.assessed_amount, c.insurance_cover,
                   c.deductible, c.charge_amount,
                   inv.name, inv.state, inv.payment_state,
                   inv.amount_total_signed, deposit.amount,
                   CASE WHEN inv.state = 'posted' THEN inv.amount_residual_signed END,
                   CASE WHEN credit.state = 'posted' THEN -credit.amount_total_signed END,
                   EXISTS (SELECT 1 FROM rental_deposit_settlement s
                            WHERE s.order_id = c.order_id),
                   c.waive_decision_id IS NOT NULL
              FROM rental_damage_claim c
              JOIN res_partner partner ON partner.id = c.partner_id
              JOIN stock_lot lot ON lot.id = c.lot_id
              JOIN product_product pp ON pp.id = lot.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN sale_order so ON so.id = c.order_id
              LEFT JOIN account_move inv ON inv.id = c.invoice_id
              LEFT JOIN account_move credit ON credit.id = c.credit_note_id
              LEFT JOIN LATERAL (
                    -- The deposit pays a claim through the settlement's journal entry, matched
                    -- with the receivable line of the claim's invoice.
                    SELECT SUM(apr.amount)::float8 AS amount
                      FROM account_move_line inv_line
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = inv_line.id
                      JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                      JOIN rental_deposit_settlement s ON s.applied_move_id = pay_line.move_id
                     WHERE inv_line.move_id = c.invoice_id) deposit ON TRUE
             WHERE %(where)s
             ORDER BY c.date, c.name, c.id
            """,
            lang=self.env.lang or "en_US",
            where=SQL(" AND ").join(where),
        )
        by_type = {}

        def summarize(row):
            kind = by_type.setdefault(row[2], [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
            for index, value in enumerate((1, row[9], row[10], row[12], row[16], row[17], row[18])):
                kind[index] += float(value or 0)

        if claim_ids:
            title = self.env._(
                "%(register)s - %(company)s - selected claims",
                register=self._get_register_names()["claims"],
                company=company.name,
            )
        else:
            title = self.env._(
                "%(register)s - %(company)s - %(date_from)s to %(date_to)s",
                register=self._get_register_names()["claims"],
                company=company.name,
                date_from=fields.Date.to_string(date_from),
                date_to=fields.Date.to_string(date_to),
            )
        self._write_sheet(
            workbook,
            self.env._("Claims"),
            title,
            columns,
            query,
            convert={
                2: lambda value: claim_types.get(value, value),
                3: lambda value: labels["rental.damage.claim", "state"].get(value, value),
                14: lambda value: value and labels["account.move", "state"].get(value, value),
                15: lambda value: value
                and labels["account.move", "payment_state"].get(value, value),
            },
            on_row=summarize,
        )
        summary_columns = [
            Column(self.env._("Type"), "text", 20),
            Column(self.env._("Claims"), "int", 8, True),
            Column(self.env._("Assessed"), "money", 13, True),
            Column(self.env._("Insurance Cover"), "money", 13, True),
            Column(self.env._("Customer Charge"), "money", 13, True),
            Column(self.env._("Invoiced"), "money", 13, True),
            Column(self.env._("Paid by Deposit"), "money", 13, True),
            Column(self.env._("Open"), "money", 12, True),
        ]
        rows = [
            (claim_types.get(kind, kind), *figures) for kind, figures in sorted(by_type.items())
        ]
        self._write_sheet(workbook, self.env._("By Type"), title, summary_columns, rows)

    # ------------------------------------------------------------------
    # SQL building blocks
    # ------------------------------------------------------------------

    @api.model
    def _aging_columns(self):
        return [
            Column(self.env._("Receivable"), "money", 14, True),
            Column(self.env._("Not Due"), "money", 13, True),
            Column(self.env._("1-30 Days"), "money", 13, True),
            Column(self.env._("31-60 Days"), "money", 13, True),
            Column(self.env._("61-90 Days"), "money", 13, True),
            Column(self.env._("Over 90 Days"), "money", 13, True),
        ]

    @api.model
    def _aging_sql(self, company, as_of, partner_ids=None):
        """Query of the receivables of ``company`` open at the end of ``as_of``, per
        commercial partner and age (days past the line's due date): columns partner_id,
        total, not_due, d30, d60, d90, older; company currency.

        From the receivable journal items: their residual today when ``as_of`` is today or
        later, otherwise their balance less the matches made by then. Unmatched payments and
        credit notes count as negative amounts in their own bucket, as in Odoo's aged balance.
        """
        today = fields.Date.context_today(self)
        where = [
            SQL("aml.company_id = %s", company.id),
            SQL("aml.parent_state = 'posted'"),
            SQL("acc.account_type = 'asset_receivable'"),
            SQL("aml.partner_id IS NOT NULL"),
        ]
        if partner_ids:
            where.append(SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids)))
        if as_of >= today:
            residual = SQL("aml.amount_residual")
            where += [SQL("NOT aml.reconciled"), SQL("aml.amount_residual <> 0")]
            matched = SQL("")
        else:
            residual = SQL("aml.balance - COALESCE(dr.amount, 0) + COALESCE(cr.amount, 0)")
            where.append(SQL("aml.date <= %s", as_of))
            matched = SQL(
                """
                LEFT JOIN LATERAL (SELECT SUM(apr.amount) AS amount
                                     FROM account_partial_reconcile apr
                                    WHERE apr.debit_move_id = aml.id AND apr.max_date <= %(as_of)s
                                  ) dr ON TRUE
                LEFT JOIN LATERAL (SELECT SUM(apr.amount) AS amount
                                     FROM account_partial_reconcile apr
                                    WHERE apr.credit_move_id = aml.id AND apr.max_date <= %(as_of)s
                                  ) cr ON TRUE
                """,
                as_of=as_of,
            )
        return SQL(
            """
            SELECT r.partner_id,
                   SUM(r.residual)::float8 AS total,
                   (SUM(r.residual) FILTER (WHERE r.days <= 0))::float8 AS not_due,
                   (SUM(r.residual) FILTER (WHERE r.days BETWEEN 1 AND 30))::float8 AS d30,
                   (SUM(r.residual) FILTER (WHERE r.days BETWEEN 31 AND 60))::float8 AS d60,
                   (SUM(r.residual) FILTER (WHERE r.days BETWEEN 61 AND 90))::float8 AS d90,
                   (SUM(r.residual) FILTER (WHERE r.days > 90))::float8 AS older
              FROM (SELECT p.commercial_partner_id AS partner_id,
                           %(residual)s AS residual,
                           %(as_of)s::date - COALESCE(aml.date_maturity, aml.date) AS days
                      FROM account_move_line aml
                      JOIN account_account acc ON acc.id = aml.account_id
                      JOIN res_partner p ON p.id = aml.partner_id
                      %(matched)s
                     WHERE %(where)s) r
             WHERE r.residual <> 0
             GROUP BY r.partner_id
            """,
            residual=residual,
            as_of=as_of,
            matched=matched,
            where=SQL(" AND ").join(where),
        )

    @api.model
    def _customer_where(self, company, partner_ids=None, grade=None, blacklisted_only=False):
        """Condition on the commercial partners (alias ``p``) a register of ``company`` lists."""
        where = [
            SQL("p.id = p.commercial_partner_id"),
            SQL("(p.company_id IS NULL OR p.company_id = %s)", company.id),
        ]
        if partner_ids:
            where.append(SQL("p.id = ANY(%s)", list(partner_ids)))
        else:
            where.append(SQL("p.active"))
        if grade:
            where.append(SQL("p.rental_grade -> %s ->> 0 = %s", str(company.id), grade))
        if blacklisted_only:
            where.append(SQL("p.rental_blacklisted"))
        return SQL(" AND ").join(where)

    @api.model
    def _asset_serials_sql(self, company, start, stop, lot_ids=None, categ_id=None):
        """Query of the rental serials of ``company`` over [``start``, ``stop``) (UTC): id,
        name, product_id, product, category, state, replacement_value, days_owned, days_out,
        rentals, claims, last_return, idle_days, repair_cost.

        A serial is owned from its acquisition date (its creation otherwise); it is out while
        a customer booking (one with an order) has it out or returned it since; maintenance
        blocks and cancelled bookings do not count. A rental is a customer booking over the
        period, a claim any claim dated in it but cancelled ones, the repair cost the assessed
        amount of its damage and missing-accessory claims.
        """
        where = [
            SQL("lot.rental_ok"),
            SQL("COALESCE(lot.company_id, %s) = %s", company.id, company.id),
        ]
        if lot_ids:
            where.append(SQL("lot.id = ANY(%s)", list(lot_ids)))
        if categ_id:
            where.append(
                SQL(
                    "categ.parent_path LIKE %s",
                    f"{self.env['product.category'].browse(categ_id).sudo().parent_path}%",
                )
            )
        return SQL(
            """
            WITH lots AS (
                SELECT lot.id, lot.name, lot.product_id, lot.rental_state AS state,
                       COALESCE(lot.rental_replacement_value, 0)::float8 AS replacement_value,
                       COALESCE(lot.rental_acquisition_date::timestamp, lot.create_date)
                           AS acquired,
                       TRIM(COALESCE(pt.name ->> %(lang)s, pt.name ->> 'en_US')
                            || COALESCE(' [' || pp.default_code || ']', '')) AS product,
                       categ.complete_name AS category
                  FROM stock_lot lot
                  JOIN product_product pp ON pp.id = lot.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN product_category categ ON categ.id = pt.categ_id
                 WHERE %(where)s
            ), bookings AS (
                SELECT b.lot_id,
                       SUM(EXTRACT(EPOCH FROM
                               LEAST(b.date_end, %(stop)s) - GREATEST(b.date_start, %(start)s)))
                           FILTER (WHERE b.date_start < %(stop)s AND b.date_end > %(start)s)
                           AS seconds_out,
                       COUNT(*) FILTER (WHERE b.date_start < %(stop)s AND b.date_end > %(start)s)
                           AS rentals,
                       MAX(b.date_end) FILTER (WHERE b.state = 'returned'
                                                 AND b.date_end <= %(stop)s) AS last_return
                  FROM rental_booking b
                  JOIN lots ON lots.id = b.lot_id
                 WHERE b.order_line_id IS NOT NULL AND b.state IN ('out', 'returned')
                 GROUP BY b.lot_id
            ), claims AS (
                SELECT c.lot_id, COUNT(*) AS claims,
                       (SUM(c.assessed_amount) FILTER (WHERE c.claim_type != 'loss'))::float8
                           AS repair_cost
                  FROM rental_damage_claim c
                  JOIN lots ON lots.id = c.lot_id
                 WHERE c.state != 'cancelled'
                   AND c.date >= %(start)s::date AND c.date < %(stop)s::date + 1
                 GROUP BY c.lot_id
            )
            SELECT lots.id, lots.name, lots.product_id, lots.product, lots.category, lots.state,
                   lots.replacement_value,
                   ROUND((GREATEST(EXTRACT(EPOCH FROM
                              %(stop)s - GREATEST(lots.acquired, %(start)s)), 0) / 86400
                         )::numeric, 1)::float8 AS days_owned,
                   ROUND((COALESCE(b.seconds_out, 0) / 86400)::numeric, 1)::float8 AS days_out,
                   COALESCE(b.rentals, 0) AS rentals,
                   COALESCE(c.claims, 0) AS claims,
                   %(last_return)s AS last_return,
                   CASE WHEN lots.state = 'out' THEN 0
                        ELSE GREATEST(%(stop)s::date
                                      - COALESCE(b.last_return, lots.acquired)::date, 0)
                   END AS idle_days,
                   COALESCE(c.repair_cost, 0) AS repair_cost
              FROM lots
              LEFT JOIN bookings b ON b.lot_id = lots.id
              LEFT JOIN claims c ON c.lot_id = lots.id
            """,
            lang=self.env.lang or "en_US",
            where=SQL(" AND ").join(where),
            start=start,
            stop=stop,
            last_return=self._local_datetime_sql(SQL("b.last_return"), as_date=True),
        )

    @api.model
    def _local_datetime_sql(self, expression, as_date=False):
        """SQL of the UTC timestamp ``expression`` in the user's time zone (a date if
        ``as_date``): registers show the dates users see in Odoo."""
        local = SQL(
            "((%s) AT TIME ZONE 'UTC' AT TIME ZONE %s)", expression, self.env.user.tz or "UTC"
        )
        return SQL("%s::date", local) if as_date else local

    # ------------------------------------------------------------------
    # Workbook
    # ------------------------------------------------------------------

    @contextlib.contextmanager
    def _open_workbook(self):
        """A workbook streamed to a temporary file (yields the workbook and the file's path;
        the caller removes the file): constant memory mode writes each row out as soon as the
        next one starts."""
        handle, path = tempfile.mkstemp(prefix="rental_register_", suffix=".xlsx")
        os.close(handle)
        workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "in_memory": False,
                "tmpdir": tempfile.gettempdir(),
                # Customer names are data: never turn "=..." into a formula or text into links.
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        try:
            yield workbook, path
            workbook.close()
        except BaseException:
            with contextlib.suppress(Exception):
                workbook.close()
            os.unlink(path)
            raise

    @api.model
    def _get_formats(self, workbook):
        """Cell formats of ``workbook``, made once per workbook: {kind: format}."""
        cache = getattr(workbook, "rental_formats", None)
        if cache:
            return cache
        digits = self.env.company.currency_id.decimal_places or 2
        money = f"#,##0.{'0' * digits};-#,##0.{'0' * digits}"
        formats = {
            "title": workbook.add_format({"bold": True, "font_size": 13}),
            "header": workbook.add_format(
                {
                    "bold": True,
                    "bg_color": "#D9E1F2",
                    "bottom": 1,
                    "text_wrap": True,
                    "valign": "top",
                }
            ),
            "text": None,
            "int": workbook.add_format({"num_format": "#,##0"}),
            "float": workbook.add_format({"num_format": "#,##0.0"}),
            "money": workbook.add_format({"num_format": money}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "bool": None,
            "total": workbook.add_format({"bold": True, "top": 1}),
            "total_money": workbook.add_format({"bold": True, "top": 1, "num_format": money}),
            "total_number": workbook.add_format({"bold": True, "top": 1, "num_format": "#,##0.0"}),
            "total_int": workbook.add_format({"bold": True, "top": 1, "num_format": "#,##0"}),
        }
        workbook.rental_formats = formats
        return formats

    @api.model
    def _write_sheet(self, workbook, name, title, columns, rows, convert=None, on_row=None):
        """Write a sheet: ``title`` on the first row, the header of ``columns`` (frozen, with
        an autofilter), ``rows`` (an SQL query, fetched in batches, or a list of tuples) and
        a totals row for the columns that sum. ``convert`` maps a column index to a function
        of its value (labels of selections); ``on_row`` sees every row as written.
        Returns the number of data rows."""
        formats = self._get_formats(workbook)
        sheet = workbook.add_worksheet(name[:31])
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        sheet.write_string(0, 0, title, formats["title"])
        header_row = 2
        sheet.set_row(header_row, 30)
        for index, column in enumerate(columns):
            sheet.write_string(header_row, index, column.title, formats["header"])
        sheet.freeze_panes(header_row + 1, 1)
        convert = convert or {}
        totals = [0.0 if column.total else None for column in columns]
        writers = [self._cell_writer(sheet, column.kind, formats) for column in columns]
        row_index = header_row
        for row in self._iter_rows(rows):
            row_index += 1
            if row_index >= sheet.xls_rowmax - 1:
                # xlsxwriter drops rows past the limit without a word.
                raise UserError(
                    self.env._(
                        "The %(sheet)s sheet would have more rows than Excel holds "
                        "(%(limit)s): choose filters that list fewer records.",
                        sheet=name,
                        limit=sheet.xls_rowmax,
                    )
                )
            if on_row:
                on_row(row)
            for index, value in enumerate(row):
                if index in convert:
                    value = convert[index](value)
                if value is None or (value is False and columns[index].kind != "bool"):
                    continue
                writers[index](row_index, index, value)
                if totals[index] is not None:
                    totals[index] += float(value)
        count = row_index - header_row
        sheet.autofilter(header_row, 0, max(row_index, header_row + 1), len(columns) - 1)
        if any(total is not None for total in totals):
            row_index += 1
            sheet.write_string(row_index, 0, self.env._("Total"), formats["total"])
            for index, (column, total) in enumerate(zip(columns, totals, strict=True)):
                if index == 0:
                    continue
                if total is None:
                    sheet.write_blank(row_index, index, None, formats["total"])
                else:
                    style = {"money": "total_money", "int": "total_int"}.get(
                        column.kind, "total_number"
                    )
                    sheet.write_number(row_index, index, total, formats[style])
        return count

    @api.model
    def _cell_writer(self, sheet, kind, formats):
        """The typed write of a cell of ``kind`` (xlsxwriter wants one per type)."""
        cell_format = formats[kind]
        if kind == "text":
            return lambda row, col, value: sheet.write_string(row, col, str(value))
        if kind == "bool":
            return lambda row, col, value: sheet.write_boolean(row, col, bool(value))
        if kind in ("date", "datetime"):
            return lambda row, col, value: sheet.write_datetime(row, col, value, cell_format)
        return lambda row, col, value: sheet.write_number(row, col, float(value), cell_format)

    def _iter_rows(self, rows):
        """Rows of an SQL query, fetched ``FETCH_SIZE`` at a time, or of a list."""
        if not isinstance(rows, SQL):
            yield from rows
            return
        cr = self.env.cr
        cr.execute(rows)
        while batch := cr.fetchmany(FETCH_SIZE):
            yield from batch
