import ast
import logging
import uuid
from collections import defaultdict
from datetime import datetime, time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, get_lang, split_every

from odoo.addons.base.models.res_lang import intersperse

from ..engine.pg_arrays import array_literal
from ..engine.scoring import ScoringConfig, format_points, grade_drop, moving_reasons

_logger = logging.getLogger(__name__)

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
#: Partners scored per batch by the scheduled rescoring (one set of queries per batch).
RESCORE_BATCH_SIZE = 2000
#: Columns the rescoring writes with SQL; their cache is invalidated afterwards.
SCORED_FIELDS = [
    "rental_score",
    "rental_grade_computed",
    "rental_grade",
    "rental_score_explanation",
    "rental_scored_at",
    "rental_credit_limit",
    "rental_exposure_at_scoring",
    "rental_available_credit_at_scoring",
    "rental_overdue_at_scoring",
]


class RentalCreditRescoring(models.AbstractModel):
    """The nightly (and event-driven) rescoring of customers: reads their facts set-based
    through ``rental.credit.facts``, scores them with the pure engine and stores scores,
    grades, limits, snapshots and history rows in a constant number of statements per batch."""

    _name = "rental.credit.rescoring"
    _description = "Customer Credit Rescoring"

    # ------------------------------------------------------------------
    # Scheduled and event rescoring
    # ------------------------------------------------------------------

    @api.model
    def _cron_rescore_partners(self, batch_size=RESCORE_BATCH_SIZE):
        """Rescore every customer once a day in each company, in batches that report progress.

        Under the scheduler (``ir_cron_progress_id`` in the context) one batch is scored per
        call: the scheduler commits it, sees the remaining count and calls again (Odoo 18's
        ``_notify_progress`` protocol), so no commit happens here. Called directly (server
        action, tests, bench) every batch runs in the caller's transaction.

        Partners not scored in a company since the start of the day are taken in id order, so a
        run that is stopped (timeout, restart) resumes where it stopped and a second run the
        same day does nothing. Each batch costs the same handful of set-based queries whatever
        its size. Returns the number of scorings done.
        """
        self.env["res.partner"]._rental_risk_end_expired_overrides()
        cutoff = datetime.combine(fields.Date.today(), time.min)
        # A handful of companies at most: each scores its own customers and the shared ones.
        companies = self.env["res.company"].sudo().search([], order="id")  # pylint: disable=no-search-all
        pending = [(company, self._pending_ids(cutoff, company)) for company in companies]
        total = sum(len(ids) for _company, ids in pending)
        batches = [
            (company, batch)
            for company, ids in pending
            for batch in split_every(batch_size, ids, list)
        ]
        if self.env.context.get("ir_cron_progress_id"):
            batches = batches[:1]
        # The peer medians of a group are computed once for all the batches of the run: the
        # scheduler's consecutive calls of one job share its cursor and its cron context.
        context = self.env.context
        run = (
            f"cron-{context['cron_id']}-{context.get('lastcall')}"
            if context.get("cron_id")
            else uuid.uuid4().hex
        )
        # More than one batch to go: every customer's payments are read once for the run
        # (the medians need them all anyway) rather than once more batch by batch; a small
        # run keeps reading only its own customers' payments.
        rescoring = self.with_context(
            rental_risk_peer_run=run, rental_risk_run_payments=total > batch_size
        )
        done = 0
        for company, batch in batches:
            rescoring._rescore_ids(batch, company)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
            _logger.info("Rental risk: rescored %s customers, %s to go", done, total - done)
        return done

    @api.model
    def _pending_ids(self, cutoff, company=None):
        """Ids of the customers of ``company`` not scored there since ``cutoff``, in id order:
        commercial partners of the company, or shared ones, that are customers (or have
        invoices or confirmed orders in it). A shared customer is scored once per company."""
        company = company or self.env.company
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM res_partner p
                 WHERE p.active
                   AND p.id = p.commercial_partner_id
                   AND COALESCE(p.company_id, %(company)s) = %(company)s
                   AND (p.rental_scored_at -> %(cid)s IS NULL
                        OR (p.rental_scored_at -> %(cid)s ->> 0)::timestamp < %(cutoff)s)
                   AND (p.customer_rank > 0
                        OR EXISTS (
                            SELECT 1
                              FROM account_move am
                             WHERE am.commercial_partner_id = p.id
                               AND am.company_id = %(company)s AND am.state = 'posted'
                               AND am.move_type IN ('out_invoice', 'out_refund'))
                        OR EXISTS (
                            SELECT 1
                              FROM sale_order so
                              JOIN res_partner sp ON sp.id = so.partner_id
                             WHERE so.state = 'sale' AND so.company_id = %(company)s
                               AND sp.commercial_partner_id = p.id))
                 ORDER BY p.id
                """,
                cutoff=cutoff,
                company=company.id,
                cid=str(company.id),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _rescore(self, partner_ids, company=None):
        """Rescore ``partner_ids`` (commercial partners) now, in batches, set-based whatever
        their number: each in its own company, a shared one in ``company`` (by default the
        current company and every company that scored it already)."""
        partner_ids = sorted(set(partner_ids))
        if not partner_ids:
            return
        self.env["res.partner"].flush_model(["company_id", "rental_scored_at"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.company_id,
                       ARRAY(SELECT jsonb_object_keys(COALESCE(p.rental_scored_at, '{}')))
                  FROM res_partner p
                 WHERE p.id = ANY(%(ids)s::int[])
                """,
                ids=array_literal(partner_ids),
            )
        )
        by_company = defaultdict(list)
        for partner_id, own_company, scored_in in self.env.cr.fetchall():
            if own_company:
                targets = {own_company}
            elif company:
                targets = {company.id}
            else:
                targets = {self.env.company.id, *map(int, scored_in)}
            for company_id in targets:
                by_company[company_id].append(partner_id)
        for company_id, ids in sorted(by_company.items()):
            target = self.env["res.company"].browse(company_id)
            for batch in split_every(RESCORE_BATCH_SIZE, ids, list):
                self._rescore_ids(batch, target)

    @api.model
    def _rescore_ids(self, partner_ids, company=None):
        """Score ``partner_ids`` (commercial partners) in ``company`` (the current one by
        default) and store the results: a constant number of queries for the whole batch.
        Returns the number of partners scored."""
        if not partner_ids:
            return 0
        company = company or self.env.company
        self.env.flush_all()
        Facts = self.env["rental.credit.facts"]
        with Facts._without_jit():
            states = Facts._read_states(partner_ids, company)
            facts, exposures = Facts._collect_facts(partner_ids, states=states, company=company)
            self._apply_results(partner_ids, states, facts, exposures)
        return len(partner_ids)

    @api.model
    def _scoring_config(self, company):
        """Engine settings of ``company`` (hook: add settings a sub-module stores)."""
        return ScoringConfig.from_dict(
            {
                "overdue_min_amount": company.rental_risk_overdue_min_amount,
                "paid_volume_full": company.rental_risk_paid_volume_full or None,
                **company._rental_scoring_settings(),
            }
        )

    # ------------------------------------------------------------------
    # Storing results
    # ------------------------------------------------------------------

    @api.model
    def _amount_formatter(self, currency):
        """A function formatting amounts exactly like ``tools.format_amount`` in ``currency``,
        with the language data looked up once: the rescoring formats hundreds of thousands of
        amounts and the per-call lookups of ``format_amount`` would dominate its time."""
        lang = self.env["res.lang"]._get_data(code=get_lang(self.env).code)
        grouping = ast.literal_eval(lang.grouping)
        thousands_sep, decimal_point = lang.thousands_sep or "", lang.decimal_point
        pattern = f"%.{currency.decimal_places}f"
        symbol = currency.symbol or ""
        before = currency.position == "before"
        # The engine hands over amounts already rounded to 2 decimals: rounding them again to
        # the currency's precision changes something only for currencies with fewer decimals.
        round_amount = currency.round if currency.decimal_places < 2 else float

        if grouping == [3, 0]:
            # Groups of three all the way, as in most languages: Python's own grouping, with
            # the language's separators swapped in (one pass, so "." and "," may trade places).
            spec = f",.{currency.decimal_places}f"
            separators = str.maketrans({",": thousands_sep, ".": decimal_point})

            def format_number(value):
                return format(round_amount(value), spec).translate(separators)

        else:

            def format_number(value):
                integer, _dot, decimals = (pattern % round_amount(value)).partition(".")
                number = intersperse(integer, grouping, thousands_sep)[0]
                return f"{number}{decimal_point}{decimals}" if decimals else number

        def format_value(value):
            number = (
                format_number(value)
                .replace(" ", "\N{NO-BREAK SPACE}")
                .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
            )
            if before:
                return f"{symbol}\N{NO-BREAK SPACE}{number}"
            return f"{number}\N{NO-BREAK SPACE}{symbol}"

        return format_value

    @api.model
    def _explanation(self, reasons, new_customer, currency, cache):
        """Translated reasons, one line per factor that moved the score ("pays 23 days late on
        average: -18"), amounts in ``currency``. ``reasons``: the ``(points, message, params)``
        of the engine's ``moving_reasons``; ``new_customer``: no history yet. ``cache``
        memoises template translations and amount formatters across a batch."""
        formatter = cache.get(currency)
        if formatter is None:
            formatter = cache[currency] = self._amount_formatter(currency)
        lines = []
        for points, message, params in reasons:
            template = cache.get(message)
            if template is None:
                template = cache[message] = self.env._(message)
            if params:
                params = {
                    key: formatter(value) if isinstance(value, float) else value
                    for key, value in params.items()
                }
                if "kind" in params:  # an engine label (the kind of an officer signal)
                    kind = params["kind"]
                    if kind not in cache:
                        cache[kind] = self.env._(kind)  # pylint: disable=translation-not-lazy
                    params["kind"] = cache[kind]
            lines.append(f"{template % params}: {format_points(points)}")
        if new_customer:
            lines.insert(
                0, self.env._("New customer: no history yet, so the neutral grade applies.")
            )
        elif not lines:
            lines.append(self.env._("Nothing moved the score from the neutral base."))
        return "\n".join(lines)

    @api.model
    def _apply_results(self, partner_ids, states, facts, exposures):
        """Score each partner of a batch from its ``facts``, then store scores, grades, limits
        and exposure snapshots in one UPDATE, add a history row where score or grade changed
        (one INSERT) and raise the alerts.

        Each customer is scored and reduced to the plain values stored (numbers and the
        explanation text) before the next one: keeping a batch of engine results alive, a
        dozen small objects per customer, made Python's garbage collector sweep the whole
        server's heap again and again, which cost more than the scoring itself.
        """
        now = fields.Datetime.now()
        companies = self.env["res.company"].browse({s["company_id"] for s in states.values()})
        configs = {company.id: self._scoring_config(company) for company in companies}
        limits = self.env["rental.grade.limit"]._get_limits(companies)
        steps = {company.id: max(1, company.rental_risk_alert_step or 1) for company in companies}
        currencies = {company.id: company.currency_id for company in companies}
        translations = {}
        rows = defaultdict(list)
        drops = []
        for partner_id in partner_ids:
            state = states[partner_id]
            company_id = state["company_id"]
            customer = facts[partner_id]
            score, grade_computed, reasons = moving_reasons(customer, configs[company_id])
            grade = state["override"] or grade_computed
            if state["credit_limit_manual"]:
                limit = state["manual_limit"] or 0.0
            else:
                limit = limits[company_id][grade]
            exposure = exposures[partner_id]["total"]
            explanation = self._explanation(
                reasons, not customer.has_history, currencies[company_id], translations
            )
            rows["id"].append(partner_id)
            rows["company_id"].append(company_id)
            rows["score"].append(score)
            rows["grade_computed"].append(grade_computed)
            rows["grade"].append(grade)
            rows["explanation"].append(explanation)
            rows["limit"].append(limit)
            rows["exposure"].append(exposure)
            rows["available"].append(round(limit - exposure, 2))
            rows["overdue"].append(customer.overdue_balance)
            rows["previous_score"].append(state["score"])
            rows["previous_grade"].append(state["grade"] or None)
            rows["changed"].append(state["score"] != score or state["grade"] != grade)
            if grade_drop(state["grade"], grade) >= steps[company_id]:
                drops.append((partner_id, state["grade"], grade, explanation, company_id))
        self._store_batch(rows, now)
        if drops:
            self._alert_drops(drops, now)

    @api.model
    def _scored_columns_sql(self, now):
        """SET clause storing a scored row ``v`` in its company's slot of each company-dependent
        column (the value of the other companies is kept)."""
        values = {
            "rental_score": SQL("to_jsonb(v.score)"),
            "rental_grade_computed": SQL("to_jsonb(v.grade_computed)"),
            "rental_grade": SQL("to_jsonb(v.grade)"),
            "rental_score_explanation": SQL("to_jsonb(v.explanation)"),
            "rental_scored_at": SQL(
                "to_jsonb(to_char(%s::timestamp, 'YYYY-MM-DD HH24:MI:SS'))", now
            ),
            "rental_credit_limit": SQL("to_jsonb(v.credit_limit::float8)"),
            "rental_exposure_at_scoring": SQL("to_jsonb(v.exposure::float8)"),
            "rental_available_credit_at_scoring": SQL("to_jsonb(v.available::float8)"),
            "rental_overdue_at_scoring": SQL("to_jsonb(v.overdue::float8)"),
        }
        return SQL(", ").join(
            SQL(
                "%(column)s = COALESCE(p.%(column)s, '{}'::jsonb)"
                " || jsonb_build_object(v.company_id::text, %(value)s)",
                column=SQL.identifier(column),
                value=value,
            )
            for column, value in values.items()
        )

    @api.model
    def _store_batch(self, rows, now):
        """Store a scored batch (``rows``: column name -> list of values, one per partner):
        one statement updates the partners and writes the history rows of what changed, so
        the explanations travel to the server once, each column as one array literal."""
        self.env.cr.execute(
            SQL(
                """
                WITH v AS (
                    SELECT unnest(%(ids)s::int[]) AS id,
                           unnest(%(company_ids)s::int[]) AS company_id,
                           unnest(%(scores)s::int[]) AS score,
                           unnest(%(grades_computed)s::varchar[]) AS grade_computed,
                           unnest(%(grades)s::varchar[]) AS grade,
                           unnest(%(explanations)s::text[]) AS explanation,
                           unnest(%(limits)s::numeric[]) AS credit_limit,
                           unnest(%(exposures)s::numeric[]) AS exposure,
                           unnest(%(availables)s::numeric[]) AS available,
                           unnest(%(overdues)s::numeric[]) AS overdue,
                           unnest(%(previous_scores)s::int[]) AS previous_score,
                           unnest(%(previous_grades)s::varchar[]) AS previous_grade,
                           unnest(%(changed)s::bool[]) AS changed
                ), scored AS (
                    UPDATE res_partner p
                       SET %(assignments)s
                      FROM v
                     WHERE p.id = v.id
                )
                INSERT INTO rental_score_history (
                    partner_id, company_id, date, score, grade, previous_score, previous_grade,
                    score_change, explanation)
                SELECT v.id, v.company_id, %(now)s, v.score, v.grade, v.previous_score,
                       v.previous_grade, COALESCE(v.score - v.previous_score, 0), v.explanation
                  FROM v
                 WHERE v.changed
                """,
                now=now,
                assignments=self._scored_columns_sql(now),
                ids=array_literal(rows["id"]),
                company_ids=array_literal(rows["company_id"]),
                scores=array_literal(rows["score"]),
                grades_computed=array_literal(rows["grade_computed"]),
                grades=array_literal(rows["grade"]),
                explanations=array_literal(rows["explanation"]),
                limits=array_literal(rows["limit"]),
                exposures=array_literal(rows["exposure"]),
                availables=array_literal(rows["available"]),
                overdues=array_literal(rows["overdue"]),
                previous_scores=array_literal(rows["previous_score"]),
                previous_grades=array_literal(rows["previous_grade"]),
                changed=array_literal(rows["changed"]),
            )
        )
        if any(rows["changed"]):
            self.env["rental.score.history"].invalidate_model()
        self.env["res.partner"].invalidate_model(SCORED_FIELDS, flush=False)

    # ------------------------------------------------------------------
    # Alerts
    # ------------------------------------------------------------------

    @api.model
    def _alert_recipients(self, partner):
        """Users told about a grade drop: the salesperson and the company's Risk Officers."""
        officers = partner._rental_risk_company()._rental_risk_group_users(OFFICER_GROUP)
        return (partner.user_id | officers).filtered(lambda user: user.active and not user.share)

    @api.model
    def _alert_drops(self, drops, now=None):
        """For each (partner_id, old grade, new grade, explanation, company_id): a To-Do
        activity per recipient, and the routed grade drop alert (its note in the partner's
        chatter); a drop to E is critical. One alert per drop: the key holds the scoring time."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        activity_vals = []
        partners = self.env["res.partner"].browse([drop[0] for drop in drops]).sudo()
        companies = self.env["res.company"].browse([drop[4] for drop in drops]).sudo()
        stamp = fields.Datetime.to_string(now or fields.Datetime.now())
        for partner, company, (_partner_id, old, new, explanation, _company_id) in zip(
            partners, companies, drops, strict=True
        ):
            summary = self.env._("Risk grade dropped from %(old)s to %(new)s", old=old, new=new)
            note = Markup("<p>%s</p><ul>%s</ul>") % (
                summary,
                Markup().join(Markup("<li>%s</li>") % line for line in explanation.splitlines()),
            )
            for user in self._alert_recipients(partner):
                activity_vals.append(
                    {
                        "activity_type_id": activity_type.id,
                        "res_model_id": model_id,
                        "res_id": partner.id,
                        "user_id": user.id,
                        "summary": summary,
                        "note": note,
                        "date_deadline": fields.Date.context_today(self),
                    }
                )
            company._rental_risk_alert(
                "grade_drop",
                "critical" if new == "E" else "warning",
                partner,
                partner,
                note,
                key=f"res.partner,{partner.id}:{old}>{new}@{stamp}",
            )
        self.env["mail.activity"].sudo().create(activity_vals)
