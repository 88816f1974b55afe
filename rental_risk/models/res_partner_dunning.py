from odoo import api, fields, models
from odoo.tools import SQL

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
USER_GROUP = "rental_risk.rental_risk_group_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    rental_dunning_policy_id = fields.Many2one(
        "rental.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        groups=OFFICER_GROUP,
        help="How overdue rent of this customer is chased; empty: the policy of its grade, "
        "else the company's default policy.",
    )
    rental_dunning_line_ids = fields.One2many(
        "rental.dunning.line",
        "partner_id",
        string="Dunning History",
        groups=USER_GROUP,
        domain=[("state", "=", "sent")],
    )
    rental_dunning_promise_ids = fields.One2many(
        "rental.dunning.promise", "partner_id", string="Promises to Pay", groups=USER_GROUP
    )
    rental_dunning_level_id = fields.Many2one(
        "rental.dunning.level",
        string="Dunning Level",
        compute="_compute_rental_dunning",
        groups=USER_GROUP,
        help="Highest level sent in the current episode of overdue debt.",
    )
    rental_dunning_hold_orders = fields.Boolean(
        string="Orders Held by Dunning", compute="_compute_rental_dunning", groups=USER_GROUP
    )
    rental_dunning_hold_pickups = fields.Boolean(
        string="Pickups Held by Dunning", compute="_compute_rental_dunning", groups=USER_GROUP
    )

    rental_avg_days_to_pay = fields.Float(
        string="Average Days to Pay",
        compute="_compute_rental_collection_kpis",
        digits=(16, 1),
        groups=USER_GROUP,
        help="Days from invoice to payment, weighted by the amounts paid.",
    )
    rental_overdue_30_share = fields.Float(
        string="Overdue > 30 Days (%)",
        compute="_compute_rental_collection_kpis",
        digits=(16, 1),
        groups=USER_GROUP,
        help="Share of the open invoices' amount more than 30 days past due.",
    )
    rental_promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        compute="_compute_rental_collection_kpis",
        digits=(16, 1),
        groups=USER_GROUP,
        help="Share of the promises to pay whose date has passed that were kept.",
    )

    @api.depends_context("company")
    def _compute_rental_collection_kpis(self):
        kpis = self._rental_collection_kpis(self.commercial_partner_id.ids, self.env.company)
        for partner in self:
            days, share, kept = kpis.get(partner.commercial_partner_id.id, (0.0, 0.0, 0.0))
            partner.rental_avg_days_to_pay = days
            partner.rental_overdue_30_share = share
            partner.rental_promise_kept_rate = kept

    @api.model
    def _rental_collection_kpis(self, partner_ids, company):
        """{commercial partner id: (average days to pay, % of the open amount overdue by more
        than 30 days, % of the promises to pay kept)}, three aggregates for all partners;
        ``partner_ids`` None: the company's figures over all its customers, under the key 0
        (the Risk dashboard's)."""
        if partner_ids is not None and not partner_ids:
            return {}
        for model in ("account.move", "account.partial.reconcile", "rental.dunning.promise"):
            self.env[model].flush_model()
        today = fields.Date.context_today(self)
        if partner_ids is None:
            # One group for the whole company: the same aggregates, weighted the same way.
            move_key, promise_key = SQL("0"), SQL("0")
            move_filter, promise_filter = SQL("TRUE"), SQL("TRUE")
            keys = SQL("SELECT 0 AS id")
        else:
            move_key, promise_key = SQL("am.commercial_partner_id"), SQL("pr.partner_id")
            move_filter = SQL("am.commercial_partner_id = ANY(%s)", list(partner_ids))
            promise_filter = SQL("pr.partner_id = ANY(%s)", list(partner_ids))
            keys = SQL("SELECT unnest(%s) AS id", list(partner_ids))
        self.env.cr.execute(
            SQL(
                """
                WITH paid AS (
                    SELECT %(move_key)s AS partner_id,
                           SUM(apr.amount * (apr.max_date - am.invoice_date))
                               / NULLIF(SUM(apr.amount), 0) AS days
                      FROM account_partial_reconcile apr
                      JOIN account_move_line inv_line ON inv_line.id = apr.debit_move_id
                      JOIN account_move am ON am.id = inv_line.move_id
                      JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                      JOIN account_journal pay_journal ON pay_journal.id = pay_line.journal_id
                     WHERE %(move_filter)s
                       AND am.company_id = %(company)s
                       AND am.state = 'posted'
                       AND am.move_type = 'out_invoice'
                       AND pay_journal.type != 'sale'
                     GROUP BY 1
                ), open AS (
                    SELECT %(move_key)s AS partner_id,
                           100.0 * SUM(am.amount_residual_signed)
                               FILTER (WHERE am.invoice_date_due < %(today)s::date - 30)
                               / NULLIF(SUM(am.amount_residual_signed), 0) AS share
                      FROM account_move am
                     WHERE %(move_filter)s
                       AND am.company_id = %(company)s
                       AND am.state = 'posted'
                       AND am.move_type = 'out_invoice'
                       AND am.amount_residual_signed <> 0
                     GROUP BY 1
                ), promised AS (
                    SELECT %(promise_key)s AS partner_id,
                           100.0 * COUNT(*) FILTER (WHERE NOT EXISTS (
                               SELECT 1 FROM account_move am
                                WHERE am.commercial_partner_id = pr.partner_id
                                  AND am.company_id = pr.company_id
                                  AND am.state = 'posted'
                                  AND am.move_type = 'out_invoice'
                                  AND am.amount_residual_signed > 0
                                  AND am.invoice_date_due < pr.date_promised))
                               / COUNT(*) AS kept
                      FROM rental_dunning_promise pr
                     WHERE %(promise_filter)s
                       AND pr.company_id = %(company)s
                       AND pr.active
                       AND pr.date_promised < %(today)s
                     GROUP BY 1
                )
                SELECT p.id, COALESCE(paid.days, 0)::float8, COALESCE(open.share, 0)::float8,
                       COALESCE(promised.kept, 0)::float8
                  FROM (%(keys)s) AS p
                  LEFT JOIN paid ON paid.partner_id = p.id
                  LEFT JOIN open ON open.partner_id = p.id
                  LEFT JOIN promised ON promised.partner_id = p.id
                """,
                move_key=move_key,
                promise_key=promise_key,
                move_filter=move_filter,
                promise_filter=promise_filter,
                keys=keys,
                company=company.id,
                today=today,
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @api.depends_context("company")
    def _compute_rental_dunning(self):
        current = (
            self.env["rental.dunning.line"]
            .sudo()
            ._current_levels(self.commercial_partner_id.ids, self.env.company)
        )
        levels = self.env["rental.dunning.level"]
        for partner in self:
            level_id, hold_orders, hold_pickups = current.get(
                partner.commercial_partner_id.id, (False, False, False)
            )
            partner.rental_dunning_level_id = levels.browse(level_id)
            partner.rental_dunning_hold_orders = hold_orders
            partner.rental_dunning_hold_pickups = hold_pickups
