import contextlib
import os
import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..engine import xlsx_sheets
from ..engine.xlsx_sheets import Column

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
USER_GROUP = "rental_risk.rental_risk_group_user"
ACCOUNTANT_GROUP = "account.group_account_invoice"

#: Rows fetched from the database at a time: the workbook is streamed to a file row by row,
#: so memory stays flat whatever the number of customers or serials.
FETCH_SIZE = 2000


class RentalXlsxRegister(models.AbstractModel):
    """Excel registers for Risk Officers, accountants and the rental desk: the risk register,
    the receivables aging, the asset register and the claims report.

    One method per register, fed by set-based SQL (one query per sheet, whatever the number
    of customers or serials, fetched in batches); the sheets are written by
    ``engine.xlsx_sheets``, streamed to a temporary file, so a register of 100,000 customers
    never sits in memory. The queries bypass record rules, so every register checks the
    caller's groups and company first.
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
            "dunning": finance,
            "backtest": (OFFICER_GROUP,),
        }

    @api.model
    def _get_register_names(self):
        """Hook: {register: title}, the titles of the sheets and of the files."""
        return {
            "risk": self.env._("Risk Register"),
            "aging": self.env._("Receivables Aging"),
            "assets": self.env._("Asset Register"),
            "claims": self.env._("Claims and Losses"),
            "dunning": self.env._("Dunning History"),
            "backtest": self.env._("Scoring Backtest"),
        }

    @api.model
    def _check_register_access(self, register, company):
        """Refuse ``register`` of ``company`` to a user outside its groups or that company."""
        if self.env.su:
            return
        groups = self._get_register_groups()[register]
        if not any(self.env.user.has_group(group) for group in groups):
            name = self._get_register_names()[register]
            if register == "assets":
                message = self.env._(
                    "You may not export the %(register)s: it is for Rental Users; ask your "
                    "administrator for that right.",
                    register=name,
                )
            elif register == "backtest":
                message = self.env._(
                    "You may not export the %(register)s: it is for Risk Officers; ask a Risk "
                    "Manager for it, or to be given that right.",
                    register=name,
                )
            else:
                message = self.env._(
                    "You may not export the %(register)s: ask a Risk Officer or an accountant "
                    "for it, or to be given their rights.",
                    register=name,
                )
            raise AccessError(message)
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
    def _get_register_builders(self):
        """Hook: {register: name of the method that writes its sheets into a workbook}; the
        asset register, the claims report, the dunning history and the scoring backtest live
        in ``rental_xlsx_register_<register>.py``."""
        return {
            "risk": "_build_risk_register",
            "aging": "_build_aging_register",
            "assets": "_build_asset_register",
            "claims": "_build_claims_register",
            "dunning": "_build_dunning_register",
            "backtest": "_build_backtest_register",
        }

    @api.model
    def _export(self, register, company, **options):
        """Build ``register`` of ``company`` with ``options`` (those of its method); return
        ``(file name, xlsx content)``."""
        method = getattr(self, self._get_register_builders()[register])
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
        """A workbook streamed to a temporary file, with the formats of the company's
        currency: yields ``(workbook, path)``; the caller removes the file."""
        with xlsx_sheets.open_workbook(prefix="rental_register_") as (workbook, path):
            workbook.rental_formats = xlsx_sheets.make_formats(
                workbook, self.env.company.currency_id.decimal_places
            )
            yield workbook, path

    def _write_sheet(self, workbook, name, title, columns, rows, convert=None, on_row=None):
        """Write a sheet of ``columns`` (see ``engine.xlsx_sheets.write_sheet``) with
        ``rows``, an SQL query (fetched in batches) or a list of tuples; returns the number of
        data rows."""
        try:
            return xlsx_sheets.write_sheet(
                workbook,
                workbook.rental_formats,
                name,
                title,
                columns,
                self._iter_rows(rows),
                total_label=self.env._("Total"),
                convert=convert,
                on_row=on_row,
            )
        except xlsx_sheets.TooManyRows as error:
            raise UserError(
                self.env._(
                    "The %(sheet)s sheet would have more rows than Excel holds (%(limit)s): "
                    "choose filters that list fewer records.",
                    sheet=error.sheet,
                    limit=error.limit,
                )
            ) from None

    def _iter_rows(self, rows):
        """Rows of an SQL query, fetched ``FETCH_SIZE`` at a time, or of a list."""
        if not isinstance(rows, SQL):
            yield from rows
            return
        cr = self.env.cr
        cr.execute(rows)
        while batch := cr.fetchmany(FETCH_SIZE):
            yield from batch
