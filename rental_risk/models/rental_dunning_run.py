import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .rental_dunning_line import UNPAID_INVOICE

_logger = logging.getLogger(__name__)

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"


class RentalDunningRun(models.Model):
    """A dunning run of one company at one date: proposes, per customer with overdue invoices,
    the highest level of its policy not yet sent in the current episode of debt; credit
    control reviews the lines and sends them (in bulk). The proposal is one set-based query
    over all customers, so a run over 100,000 customers stays in seconds."""

    _name = "rental.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    line_ids = fields.One2many("rental.dunning.line", "run_id", string="Lines")
    processed = fields.Boolean(
        readonly=True, copy=False, help="The scheduled action proposed and sent this run."
    )
    line_count = fields.Integer(compute="_compute_counts")
    to_review_count = fields.Integer(string="To Review", compute="_compute_counts")
    sent_count = fields.Integer(string="Sent", compute="_compute_counts")

    @api.depends("date", "company_id")
    def _compute_name(self):
        for run in self:
            run.name = self.env._(
                "Dunning %(date)s (%(company)s)", date=run.date, company=run.company_id.name
            )

    @api.depends("line_ids.state")
    def _compute_counts(self):
        groups = self.env["rental.dunning.line"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"]
        )
        counts = {(run.id, state): count for run, state, count in groups}
        for run in self:
            run.line_count = sum(
                counts.get((run.id, s), 0) for s in ("proposed", "sent", "skipped")
            )
            run.to_review_count = counts.get((run.id, "proposed"), 0)
            run.sent_count = counts.get((run.id, "sent"), 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        if "processed" in vals and not self.env["rental.risk.decision"]._guard_open():
            raise UserError(self.env._("Only the scheduled dunning run marks a run as processed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        # The lines go with the run (ondelete cascade in the database, past their own check).
        if self.line_ids.filtered(lambda line: line.state == "sent"):
            raise UserError(
                self.env._(
                    "This dunning run sent levels to customers: it is their history and cannot "
                    "be deleted."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_propose(self):
        self._check_credit_control()
        for run in self:
            run._propose()
        return True

    def action_send_all(self):
        """Send every line still to review."""
        self._check_credit_control()
        self.line_ids.filtered(lambda line: line.state == "proposed")._send()
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "rental_risk.rental_dunning_line_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_to_review": 1}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _check_credit_control(self):
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._("Only Risk Officers (credit control) run, send or skip dunning.")
            )

    def _propose(self):
        """(Re)propose this run's lines: its unsent proposals are replaced, sent lines kept.

        Per customer with overdue invoices: the oldest unpaid due date gives the days
        overdue, its policy (own, else its grade's, else the company's default) the highest
        level reached. Nothing is proposed when that level or a higher one was already sent
        since the oldest unpaid invoice fell due (the same episode of debt: a customer who paid
        everything starts again at the first level), when an open promise to pay runs, or when
        another open run already proposes a line for the customer.

        The overdue invoices of a line are linked when it is sent (what the customer was
        actually sent), not here: linking 300,000 invoices to the proposals of every run would
        take most of the run's time."""
        self.ensure_one()
        self.env["account.move"].flush_model()
        self.env["res.partner"].flush_model()
        self.env["rental.dunning.line"].flush_model()
        self.env["rental.dunning.promise"].flush_model()
        self.env["rental.dunning.policy"].flush_model()
        self.env["rental.dunning.level"].flush_model()
        cr = self.env.cr
        cr.execute(
            "DELETE FROM rental_dunning_line WHERE run_id = %s AND state = 'proposed'", [self.id]
        )
        company = str(self.company_id.id)
        cr.execute(
            SQL(
                """
                WITH overdue AS (
                    SELECT am.commercial_partner_id AS partner_id,
                           SUM(am.amount_residual_signed) AS amount,
                           MIN(am.invoice_date_due) AS oldest_due
                      FROM account_move am
                     WHERE am.company_id = %(company)s
                       AND %(unpaid)s
                       AND am.invoice_date_due < %(date)s
                     GROUP BY am.commercial_partner_id
                ),
                grade_policy AS (
                    SELECT gl.grade, rel.rental_dunning_policy_id AS policy_id
                      FROM rental_dunning_policy_rental_grade_limit_rel rel
                      JOIN rental_grade_limit gl ON gl.id = rel.rental_grade_limit_id
                      JOIN rental_dunning_policy pol ON pol.id = rel.rental_dunning_policy_id
                     WHERE pol.active AND pol.company_id = %(company)s
                ),
                default_policy AS (
                    SELECT id FROM rental_dunning_policy
                     WHERE active AND is_default AND company_id = %(company)s
                     ORDER BY sequence, id LIMIT 1
                ),
                chosen AS (
                    SELECT o.partner_id, o.amount, o.oldest_due,
                           (%(date)s - o.oldest_due) AS days,
                           COALESCE(own.id, gp.policy_id, (SELECT id FROM default_policy))
                               AS policy_id
                      FROM overdue o
                      JOIN res_partner p ON p.id = o.partner_id
                      LEFT JOIN rental_dunning_policy own
                             ON own.id = (p.rental_dunning_policy_id ->> %(company_key)s)::int
                            AND own.active AND own.company_id = %(company)s
                      LEFT JOIN grade_policy gp ON gp.grade = p.rental_grade ->> %(company_key)s
                     WHERE o.amount > 0
                ),
                leveled AS (
                    SELECT DISTINCT ON (c.partner_id)
                           c.partner_id, c.amount, c.oldest_due, c.days, c.policy_id,
                           lvl.id AS level_id, lvl.days_overdue AS level_days
                      FROM chosen c
                      JOIN rental_dunning_level lvl
                        ON lvl.policy_id = c.policy_id AND lvl.days_overdue <= c.days
                     ORDER BY c.partner_id, lvl.days_overdue DESC
                )
                INSERT INTO rental_dunning_line (
                    run_id, company_id, partner_id, policy_id, level_id, level_days,
                    amount_overdue, days_overdue, oldest_due_date, state,
                    create_uid, write_uid, create_date, write_date)
                SELECT %(run)s, %(company)s, lv.partner_id, lv.policy_id, lv.level_id,
                       lv.level_days, lv.amount, lv.days, lv.oldest_due, 'proposed',
                       %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM leveled lv
                 WHERE NOT EXISTS (
                           SELECT 1 FROM rental_dunning_line sent
                            WHERE sent.partner_id = lv.partner_id
                              AND sent.company_id = %(company)s
                              AND sent.state = 'sent'
                              AND sent.level_days >= lv.level_days
                              AND sent.sent_date >= lv.oldest_due)
                   AND NOT EXISTS (
                           SELECT 1 FROM rental_dunning_promise pr
                            WHERE pr.partner_id = lv.partner_id
                              AND pr.company_id = %(company)s
                              AND pr.active
                              AND pr.date_promised >= %(date)s)
                   AND NOT EXISTS (
                           SELECT 1 FROM rental_dunning_line other
                            WHERE other.partner_id = lv.partner_id
                              AND other.company_id = %(company)s
                              AND other.state = 'proposed'
                              AND other.run_id != %(run)s)
                """,
                unpaid=UNPAID_INVOICE,
                company=self.company_id.id,
                company_key=company,
                date=self.date,
                run=self.id,
                uid=self.env.uid,
            )
        )
        self.env["rental.dunning.line"].invalidate_model()
        self.invalidate_recordset(["line_ids"])

    @api.model
    def _cron_dunning(self):
        """Daily: a run per company with an active policy, proposed, and the lines of the
        levels sent automatically sent. One company per call: the scheduler commits after each
        and calls again while companies remain (Odoo's ``_notify_progress``), so a run killed
        midway keeps what it sent. Running it twice sends nothing twice: the second run finds
        the levels already sent."""
        today = fields.Date.context_today(self)
        # A handful of policies per company at most.
        policies = self.env["rental.dunning.policy"].search([])  # pylint: disable=no-search-all
        companies = policies.company_id
        done_today = self.search(
            [("company_id", "in", companies.ids), ("date", "=", today), ("processed", "=", True)]
        ).company_id
        todo = companies - done_today
        if not todo:
            return
        company = todo[0]
        run = self.search(
            [("company_id", "=", company.id), ("date", "=", today)], limit=1
        ) or self.create({"company_id": company.id, "date": today})
        run = run.with_company(company)
        run._propose()
        auto = run.line_ids.filtered(
            lambda line: line.state == "proposed" and line.level_id.auto_send
        )
        auto._send()
        with self.env["rental.risk.decision"]._open_guard():
            run.processed = True
        _logger.info("dunning run %s: %s lines, %s sent", run.name, len(run.line_ids), len(auto))
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(todo) - 1)
