import statistics

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine.pg_arrays import array_literal

#: Key of the medians kept on the cursor during a run (see ``_peer_rows_of_run``).
PEER_CACHE = "rental_risk_peer_medians"
GROUP_KINDS = ("industry", "state", "country")


class RentalCreditFacts(models.AbstractModel):
    _inherit = "rental.credit.facts"

    # ------------------------------------------------------------------
    # Peer facts
    # ------------------------------------------------------------------

    @api.model
    def _peer_facts(self, partner_ids, company=None, as_of=None):
        """Medians the peer comparison measures ``partner_ids`` (commercial partners) against:
        {id: {industry_name, industry_median, industry_count, region_name, region_median,
        region_count}} for the partners that have an industry or a region.

        Industry: the partner's ``industry_id``. Region: its state, or its country when it has
        no state (then every customer of that country is a peer, states included). A median is
        taken over the paying customers of ``company`` in the group, the partner included: each
        one's amount-weighted days between due date and payment, counted like the payment
        delay factor does (early payers as 0). ``as_of``: payments reconciled by then; the
        industry and the address are today's (they are not kept day by day).

        One query for the whole list, whatever its length: the medians of every industry,
        state and country the list touches come out of one pass over their customers'
        payments (``GROUPING SETS``), never a query per partner or per group. Within a run
        over many batches (``rental_risk_peer_run`` in the context: the nightly rescoring,
        the backtest) each group's median is computed once, see ``_peer_rows_of_run``.
        """
        return self._peer_facts_at(partner_ids, company, [as_of]).get(as_of, {})

    @api.model
    def _peer_facts_at(self, partner_ids, company, as_ofs):
        """``_peer_facts`` at each date of ``as_ofs`` (``None``: today), in one query for all
        of them: ``{as_of: {partner id: medians}}``."""
        if not partner_ids:
            return {}
        company = company or self.env.company
        self.env["res.partner"].flush_model(
            ["industry_id", "state_id", "country_id", "commercial_partner_id"]
        )
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        run = self.env.context.get("rental_risk_peer_run")
        if run:
            rows_at = self._peer_rows_of_run(partner_ids, company, as_ofs, run)
        else:
            rows_at = self._peer_rows(partner_ids, company, as_ofs)
        all_rows = [row for rows in rows_at.values() for row in rows]
        # Names of reference data, for the explanation in the user's language: read as
        # superuser since the rescoring may run on behalf of anyone (a portal payment).
        industries = self._peer_names("res.partner.industry", {row[1] for row in all_rows})
        states = self._peer_names("res.country.state", {row[4] for row in all_rows})
        countries = self._peer_names("res.country", {row[5] for row in all_rows})
        return {
            as_of: {
                partner_id: {
                    "industry_name": industries.get(industry_id),
                    "industry_median": industry_median,
                    "industry_count": industry_count or 0,
                    "region_name": states.get(state_id) or countries.get(country_id),
                    "region_median": region_median,
                    "region_count": region_count or 0,
                }
                for (
                    partner_id,
                    industry_id,
                    industry_count,
                    industry_median,
                    state_id,
                    country_id,
                    region_count,
                    region_median,
                ) in rows
            }
            for as_of, rows in rows_at.items()
        }

    @api.model
    def _peer_medians_sql(self, company, as_ofs, industries, states, countries):
        """SQL query of the medians of the groups ``industries``, ``states`` and ``countries``
        (int arrays, as values or SQL) at each date of ``as_ofs`` (``None``: today): rows
        (as_of, by_industry, by_state, by_country, industry_id, state_id, country_id, peers,
        median), one per date and group of one grouping set. The payments are read once
        for all the dates. Groups of a set that were not asked for may come out incomplete:
        callers keep the ones asked."""
        dates = [as_of for as_of in as_ofs if as_of is not None]
        return SQL(
            """
            WITH points AS (
                SELECT unnest(%(as_ofs)s::date[]) AS as_of
            ), peer AS (
                SELECT p.id, p.industry_id, p.state_id, p.country_id
                  FROM res_partner p
                 WHERE p.id = p.commercial_partner_id
                   AND (p.industry_id = ANY(%(industries)s::int[])
                        OR p.state_id = ANY(%(states)s::int[])
                        OR p.country_id = ANY(%(countries)s::int[]))
            ), paid AS (
                SELECT peer.id, peer.industry_id, peer.state_id, peer.country_id,
                       apr.max_date, apr.amount,
                       apr.amount * (apr.max_date - inv_line.date_maturity) AS weighted
                  FROM peer
                  JOIN account_move am ON am.commercial_partner_id = peer.id
                  JOIN account_move_line inv_line ON inv_line.move_id = am.id
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = inv_line.id
                  JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                  JOIN account_journal pay_journal ON pay_journal.id = pay_line.journal_id
                 WHERE am.company_id = %(company)s
                   AND am.state = 'posted'
                   AND am.move_type = 'out_invoice'
                   AND pay_journal.type != 'sale'
                   AND (%(last)s::date IS NULL OR apr.max_date <= %(last)s::date)
            ), late AS (
                -- the payment facts' days late, customer by customer (early payers as 0)
                SELECT pt.as_of, paid.industry_id, paid.state_id, paid.country_id,
                       GREATEST(SUM(paid.weighted) / SUM(paid.amount), 0)::float8 AS days
                  FROM points pt
                  JOIN paid ON pt.as_of IS NULL OR paid.max_date <= pt.as_of
                 GROUP BY pt.as_of, paid.id, paid.industry_id, paid.state_id, paid.country_id
                HAVING SUM(paid.amount) > 0
            )
            SELECT as_of,
                   GROUPING(industry_id) = 0 AS by_industry,
                   GROUPING(state_id) = 0 AS by_state,
                   GROUPING(country_id) = 0 AS by_country,
                   industry_id, state_id, country_id,
                   COUNT(*) AS peers,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median
              FROM late
             GROUP BY GROUPING SETS ((as_of, industry_id), (as_of, state_id),
                                     (as_of, country_id))
            """,
            as_ofs=list(as_ofs),
            industries=industries,
            states=states,
            countries=countries,
            company=company.id,
            last=max(dates, default=None),
        )

    @api.model
    def _peer_rows(self, partner_ids, company, as_ofs):
        """{as_of: [(partner id, industry id, its peers, its median, state id, country id
        (without a state), region peers, region median)]} of the partners with an industry
        or a region, at each date of ``as_ofs``, in one query."""
        self.env.cr.execute(
            SQL(
                """
                WITH mine AS (
                    SELECT p.id, p.industry_id, p.state_id,
                           CASE WHEN p.state_id IS NULL THEN p.country_id END AS country_id
                      FROM res_partner p
                     WHERE p.id = ANY(%(ids)s::int[])
                       AND (p.industry_id IS NOT NULL OR p.country_id IS NOT NULL
                            OR p.state_id IS NOT NULL)
                ), medians AS (%(medians)s)
                SELECT pt.as_of, m.id, m.industry_id, ind.peers, ind.median,
                       m.state_id, m.country_id, reg.peers, reg.median
                  FROM mine m
                 CROSS JOIN unnest(%(as_ofs)s::date[]) AS pt(as_of)
                  LEFT JOIN medians ind
                         ON ind.by_industry AND ind.industry_id = m.industry_id
                        AND ind.as_of IS NOT DISTINCT FROM pt.as_of
                  LEFT JOIN medians reg
                         ON ((reg.by_state AND reg.state_id = m.state_id)
                             OR (reg.by_country AND reg.country_id = m.country_id))
                        AND reg.as_of IS NOT DISTINCT FROM pt.as_of
                """,
                ids=array_literal(partner_ids),
                as_ofs=list(as_ofs),
                medians=self._peer_medians_sql(
                    company,
                    as_ofs,
                    SQL("ARRAY(SELECT industry_id FROM mine WHERE industry_id IS NOT NULL)"),
                    SQL("ARRAY(SELECT state_id FROM mine WHERE state_id IS NOT NULL)"),
                    SQL("ARRAY(SELECT country_id FROM mine WHERE country_id IS NOT NULL)"),
                ),
            )
        )
        rows_at = {as_of: [] for as_of in as_ofs}
        for as_of, *row in self.env.cr.fetchall():
            rows_at[as_of].append(tuple(row))
        return rows_at

    @api.model
    def _peer_rows_of_run(self, partner_ids, company, as_ofs, run):
        """``_peer_rows`` for one batch of a run over many batches (the nightly rescoring,
        the backtest): the medians of a group at a date are computed once per run and kept
        on the cursor, so the batches after the first read their partners' groups (one
        query) and compute only the groups not met yet, at every date that needs them (one
        more query). A run is short and reads a closed day: a payment arriving meanwhile
        counts from the next run."""
        today = fields.Date.context_today(self)
        key = (run, company.id)
        stored = self.env.cr.cache.get(PEER_CACHE)
        if not stored or stored[0] != key:
            stored = self.env.cr.cache[PEER_CACHE] = (key, {})
        medians = stored[1]
        self.env.cr.execute(
            SQL(
                """
                SELECT id, industry_id, state_id,
                       CASE WHEN state_id IS NULL THEN country_id END
                  FROM res_partner
                 WHERE id = ANY(%(ids)s::int[])
                   AND (industry_id IS NOT NULL OR country_id IS NOT NULL OR state_id IS NOT NULL)
                """,
                ids=array_literal(partner_ids),
            )
        )
        partners = self.env.cr.fetchall()
        groups_met = {
            (kind, group_id)
            for _id, industry_id, state_id, country_id in partners
            for kind, group_id in (
                ("industry", industry_id),
                ("state", state_id),
                ("country", country_id),
            )
            if group_id
        }
        wanted = {
            (as_of, kind, group_id)
            for as_of in as_ofs
            for kind, group_id in groups_met
            if (as_of or today, kind, group_id) not in medians
        }
        if (
            wanted
            and as_ofs == [None]
            and (
                (today, "every group") in medians
                or self.env.context.get("rental_risk_run_payments")
            )
        ):
            # Today's large run: the medians come out of every customer's payment facts, read
            # once for the run, which the batches then take their own from instead of reading
            # them again (bench/run scoring: one pass over the payments instead of two).
            if (today, "every group") not in medians:
                medians.update(self._run_peer_medians(company, run, today))
                medians[today, "every group"] = None
            for _as_of, kind, group_id in wanted:  # no paying customer in the group
                medians.setdefault((today, kind, group_id), (0, None))
            wanted = set()
        if wanted:
            groups = {kind: sorted({g for _d, k, g in wanted if k == kind}) for kind in GROUP_KINDS}
            dates = sorted({as_of for as_of, _k, _g in wanted}, key=lambda day: day or today)
            self.env.cr.execute(
                self._peer_medians_sql(
                    company, dates, groups["industry"], groups["state"], groups["country"]
                )
            )
            found = {}
            for (
                as_of,
                by_industry,
                by_state,
                _by_country,
                industry_id,
                state_id,
                country_id,
                peers,
                median,
            ) in self.env.cr.fetchall():
                if by_industry:
                    found[as_of, "industry", industry_id] = (peers, median)
                elif by_state:
                    found[as_of, "state", state_id] = (peers, median)
                else:
                    found[as_of, "country", country_id] = (peers, median)
            for as_of, kind, group_id in wanted:
                medians[as_of or today, kind, group_id] = found.get(
                    (as_of, kind, group_id), (0, None)
                )
        rows_at = {}
        for as_of in as_ofs:
            day = as_of or today
            rows = rows_at[as_of] = []
            for partner_id, industry_id, state_id, country_id in partners:
                industry = medians.get((day, "industry", industry_id), (None, None))
                region = medians.get(
                    (day, "state", state_id) if state_id else (day, "country", country_id),
                    (None, None),
                )
                rows.append((partner_id, industry_id, *industry, state_id, country_id, *region))
        return rows_at

    @api.model
    def _run_peer_medians(self, company, run, today):
        """Medians of every industry, state and country of ``company``'s customers today,
        from the run's payment facts (``_run_payment_facts``): {(today, kind, group id):
        (peers, median)}, counted as ``_peer_medians_sql`` counts them (paying customers,
        early payers as 0; a country counts the customers of its states too)."""
        payments = self._run_payment_facts(company, run)
        self.env.cr.execute(
            SQL(
                """
                SELECT id, industry_id, state_id, country_id
                  FROM res_partner
                 WHERE id = ANY(%(ids)s::int[])
                   AND id = commercial_partner_id
                   AND (industry_id IS NOT NULL OR state_id IS NOT NULL
                        OR country_id IS NOT NULL)
                """,
                ids=array_literal(
                    [partner_id for partner_id, row in payments.items() if row["paid"] > 0]
                ),
            )
        )
        days = {}
        for partner_id, *group_ids in self.env.cr.fetchall():
            late = max(payments[partner_id]["days_late"], 0.0)
            for kind, group_id in zip(GROUP_KINDS, group_ids, strict=True):
                if group_id:
                    days.setdefault((today, kind, group_id), []).append(late)
        return {key: (len(values), statistics.median(values)) for key, values in days.items()}

    @api.model
    def _peer_names(self, model, ids):
        """{id: name} of the records ``ids`` of ``model`` (one read)."""
        records = self.env[model].sudo().browse(sorted(i for i in ids if i))
        return {record.id: record.name for record in records}
