from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import drop_index, make_index_name

from .rental_credit_rescoring import SCORED_FIELDS

#: Company-dependent snapshots the Risk app's customer lists filter and sort on.
FILTERED_FIELDS = (
    "rental_grade",
    "rental_score",
    "rental_exposure_at_scoring",
    "rental_available_credit_at_scoring",
    "rental_overdue_at_scoring",
)
BLACKLIST_INDEX = "res_partner_rental_blacklisted_idx"
#: Columns the record rules and the archive filter of res.partner read on every search.
RULE_COLUMNS = ("active", "company_id", "partner_share")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The scoring snapshots are company-dependent: one jsonb column holds every company's
    # value, and the ORM filters on ``((column->'<company id>')->>0)::<type>``. No index
    # serves that expression, so each filter of the Customers by Grade list (grade, over
    # limit, overdue) and each sort (exposure, available credit, score) read every customer:
    # ~100 ms at 100,000 customers. One expression index per field and company, built from
    # the very expression the ORM writes (``_field_to_sql``), lets PostgreSQL fetch the few
    # rows asked for (bench/run filters). The pager counts up to 10,001 matching customers:
    # the indexes carry the columns the archive filter and the record rules read (and the
    # jsonb column itself, which PostgreSQL wants before it answers from an expression index
    # alone), so that count is an index-only scan instead of thousands of table reads.

    def init(self):
        res = super().init()
        # A handful of companies at most.
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        self._rental_risk_filter_indexes(companies)
        # The scoring columns say index=False (res_partner_scoring): a database installed
        # before still has Odoo's default index of each, which Odoo keeps; drop them.
        for fname in SCORED_FIELDS:
            drop_index(self.env.cr, make_index_name("res_partner", fname), "res_partner")
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON res_partner (id) INCLUDE (%s)"
                " WHERE rental_blacklisted",
                SQL.identifier(BLACKLIST_INDEX),
                SQL(", ").join(map(SQL.identifier, RULE_COLUMNS)),
            )
        )
        return res

    @api.model
    def _rental_risk_filter_index_name(self, fname, company):
        return f"res_partner_rr_{fname.removeprefix('rental_')}_c{company.id}_idx"

    @api.model
    def _rental_risk_filter_index_names(self):
        """Names of the indexes behind the customer filters (for the benchmark's baseline)."""
        names = [BLACKLIST_INDEX]
        # A handful of companies at most.
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            names += [self._rental_risk_filter_index_name(f, company) for f in FILTERED_FIELDS]
        return names

    @api.model
    def _rental_risk_filter_indexes(self, companies):
        """Create the expression indexes of ``companies`` (idempotent)."""
        for company in companies:
            partners = self.with_company(company).sudo()
            for fname in FILTERED_FIELDS:
                self.env.cr.execute(
                    SQL(
                        "CREATE INDEX IF NOT EXISTS %s ON res_partner ((%s)) INCLUDE (%s)",
                        SQL.identifier(self._rental_risk_filter_index_name(fname, company)),
                        partners._field_to_sql("res_partner", fname),
                        SQL(", ").join(map(SQL.identifier, (fname, *RULE_COLUMNS))),
                    )
                )
