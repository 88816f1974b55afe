from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

ADVICE_KINDS = [("retire", "Retire the serial"), ("buy", "Buy more")]
ADVICE_STATES = [
    ("proposed", "To Decide"),
    ("done", "Done"),
    ("dismissed", "Dismissed"),
    ("expired", "No Longer Applies"),
]
#: A dismissed advice is not proposed again for that long, unless it is still found then.
DISMISS_DAYS = 90
#: Damage claims behind the repair cost of a serial or product.
REPAIR_COST_DAYS = 365


class RentalAssetAdvice(models.Model):
    """A retire-or-buy proposal of the daily advice, with the figures behind it, that a Risk
    Manager acts on: retire the serial through its life cycle, mark the purchase done, or
    dismiss it. The figures come from the asset analytics (utilization, idle days, damage
    rate), the serials' status history (repairs) and their damage claims (repair cost)."""

    _name = "rental.asset.advice"
    _description = "Retire-or-Buy Advice"
    _inherit = ["rental.risk.protected.mixin"]
    _order = "state, kind, utilization desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(ADVICE_KINDS, required=True, readonly=True, index=True)
    state = fields.Selection(
        ADVICE_STATES, default="proposed", required=True, readonly=True, index=True
    )
    name = fields.Char(string="Advice", compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one("product.product", required=True, readonly=True, index=True)
    lot_id = fields.Many2one("stock.lot", string="Serial", readonly=True, index="btree_not_null")
    lot_state = fields.Selection(related="lot_id.rental_state", string="Serial Status")
    utilization = fields.Float(
        string="Utilization (%)",
        readonly=True,
        digits=(16, 1),
        help="Booked days / serial-days of the asset analytics over the months of the window.",
    )
    idle_days = fields.Integer(readonly=True, help="Days since last out (longest of the product).")
    damage_rate = fields.Float(
        string="Damage Rate (%)", readonly=True, digits=(16, 1), help="Claims / rentals."
    )
    repair_count = fields.Integer(
        string="Repairs", readonly=True, help="Times sent to repair within the repair window."
    )
    repair_cost = fields.Monetary(
        readonly=True, help="Assessed amounts of the damage claims of the last year."
    )
    age_days = fields.Integer(string="Age (Days)", readonly=True)
    refused_count = fields.Integer(
        string="Refused Requests",
        readonly=True,
        help="Rental quotations of the window, not confirmed or cancelled, whose period had not "
        "enough free serials for the quantity asked.",
    )
    first_seen = fields.Date(readonly=True)
    last_seen = fields.Date(readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("kind", "product_id", "lot_id", "repair_count", "utilization", "refused_count")
    def _compute_name(self):
        for advice in self:
            if advice.kind == "retire":
                advice.name = self.env._(
                    "Retire %(serial)s: %(repairs)s repairs, %(years)s years old",
                    serial=advice.lot_id.display_name,
                    repairs=advice.repair_count,
                    years=round(advice.age_days / 365.25, 1),
                )
            else:
                advice.name = self.env._(
                    "Buy more %(product)s: %(utilization)s%% booked, %(refused)s requests "
                    "refused",
                    product=advice.product_id.display_name,
                    utilization=round(advice.utilization, 1),
                    refused=advice.refused_count,
                )

    def _rental_protected_fields(self):
        sentence = self.env._(
            "Advice is computed by the daily retire-or-buy advice and changes only through its "
            "Retire, Done and Dismiss buttons."
        )
        return dict.fromkeys(
            [fname for fname, field in self._fields.items() if field.store and not field.automatic],
            sentence,
        )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(
                self.env._("Advice is proposed by the daily retire-or-buy advice only.")
            )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(self.env._("Advice is history and cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_retire(self):
        """Retire the serials of these retirement advices through their life cycle."""
        self._check_manager()
        for advice in self:
            if advice.kind != "retire" or advice.state != "proposed":
                raise UserError(
                    self.env._("Only a retirement advice still to decide retires a serial.")
                )
            advice.lot_id.action_rental_retire()
        self._decide("done")
        return True

    def action_mark_done(self):
        """The Risk Manager acted on the advice (e.g. ordered more units)."""
        self._check_manager()
        self._decide("done")
        return True

    def action_dismiss(self):
        self._check_manager()
        self._decide("dismissed")
        return True

    def action_refresh(self):
        """Compute the advice of the current company now (Risk Manager)."""
        self._check_manager()
        self.sudo()._refresh(self.env.company)
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _check_manager(self):
        if self.env.su or self.env.user.has_group("rental_risk.rental_risk_group_manager"):
            return
        raise UserError(self.env._("Only Risk Managers act on retire-or-buy advice."))

    def _decide(self, state):
        todo = self.filtered(lambda a: a.state == "proposed")
        with self.env["rental.risk.decision"]._open_guard():
            todo.sudo().write(
                {
                    "state": state,
                    "decided_by_id": self.env.user.id,
                    "decided_on": fields.Datetime.now(),
                }
            )

    @api.model
    def _cron_refresh_advice(self):
        """Daily: the advice of every company with rental assets (a few queries each)."""
        companies = self.env["res.company"].search([("rental_location_id", "!=", False)])
        for company in companies:
            self._refresh(company)
        self.env["ir.cron"]._notify_progress(done=len(companies), remaining=0)

    @api.model
    def _refresh(self, company, today=None):
        """Propose the advice of ``company`` found today, update the figures of the advice
        still found, and close as no longer applying the proposals not found any more. Run
        again, it proposes nothing twice; a dismissed advice stays dismissed for a while."""
        today = today or fields.Date.context_today(self)
        found = {}
        for vals in self._find_retire(company, today) + self._find_buy(company, today):
            found[(vals["kind"], vals["product_id"], vals.get("lot_id") or False)] = vals
        Advice = self.sudo().with_context(active_test=False)
        existing = Advice.search(
            [
                ("company_id", "=", company.id),
                "|",
                ("state", "=", "proposed"),
                "&",
                ("state", "=", "dismissed"),
                ("decided_on", ">=", today - timedelta(days=DISMISS_DAYS)),
            ]
        )
        by_key = {(a.kind, a.product_id.id, a.lot_id.id or False): a for a in existing}
        to_create = []
        with self.env["rental.risk.decision"]._open_guard():
            for key, vals in found.items():
                advice = by_key.get(key)
                if advice and advice.state == "dismissed":
                    continue
                if advice:
                    advice.write({**vals, "last_seen": today})
                else:
                    to_create.append(
                        {**vals, "company_id": company.id, "first_seen": today, "last_seen": today}
                    )
            Advice.create(to_create)
            gone = existing.filtered(
                lambda a: a.state == "proposed"
                and (a.kind, a.product_id.id, a.lot_id.id or False) not in found
            )
            gone.write({"state": "expired"})
        return True

    @api.model
    def _report_figures(self, company, since, groupby, domain=()):
        """{id: (utilization, idle days, damage rate)} of the asset analytics rows of
        ``company`` from the month of ``since``, grouped by ``groupby`` (lot_id or
        product_id): the report's own ratios, computed on each group."""
        rows = (
            self.env["rental.asset.report"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("month", ">=", since.replace(day=1)),
                    *domain,
                ],
                [groupby],
                ["utilization:sum", "idle_days:max", "damage_rate:sum"],
            )
        )
        return {
            record.id: (utilization or 0.0, idle or 0, damage or 0.0)
            for record, utilization, idle, damage in rows
        }

    @api.model
    def _repair_costs(self, company, today, groupby, ids):
        rows = (
            self.env["rental.damage.claim"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    (groupby, "in", ids),
                    ("state", "!=", "cancelled"),
                    ("date", ">=", today - timedelta(days=REPAIR_COST_DAYS)),
                ],
                [groupby],
                ["assessed_amount:sum"],
            )
        )
        return {record.id: amount for record, amount in rows}

    @api.model
    def _find_retire(self, company, today):
        """Serials sent to repair at least N times within the last D days and acquired more
        than Y years ago (company rules). A repair is a change of the serial's status to "In
        repair" in its tracked history, read in every language the label was tracked in."""
        field = self.env["ir.model.fields"]._get("stock.lot", "rental_state")
        window_start = today - timedelta(days=company.rental_retire_repair_days)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH labels AS (
                    SELECT v.value
                      FROM ir_model_fields_selection s, jsonb_each_text(s.name) v
                     WHERE s.field_id = %(field)s AND s.value = 'repair'
                ), repairs AS (
                    SELECT msg.res_id AS lot_id, COUNT(*) AS repairs
                      FROM mail_tracking_value tv
                      JOIN mail_message msg ON msg.id = tv.mail_message_id
                     WHERE msg.model = 'stock.lot' AND tv.field_id = %(field)s
                       AND tv.new_value_char IN (SELECT value FROM labels)
                       AND msg.date >= %(window_start)s
                     GROUP BY msg.res_id
                )
                SELECT lot.id, lot.product_id, r.repairs,
                       %(today)s - COALESCE(lot.rental_acquisition_date, lot.create_date::date)
                  FROM repairs r
                  JOIN stock_lot lot ON lot.id = r.lot_id
                 WHERE lot.company_id = %(company)s AND lot.rental_ok
                   AND lot.rental_state NOT IN ('retired', 'lost')
                   AND r.repairs >= %(count)s
                   AND COALESCE(lot.rental_acquisition_date, lot.create_date::date)
                       < %(acquired_before)s
                """,
                field=field.id,
                window_start=window_start,
                today=today,
                company=company.id,
                count=company.rental_retire_repair_count,
                acquired_before=today - relativedelta(years=company.rental_retire_age_years),
            )
        )
        rows = cr.fetchall()
        if not rows:
            return []
        lot_ids = [row[0] for row in rows]
        since = today - timedelta(days=company.rental_buy_days)
        figures = self._report_figures(company, since, "lot_id", [("lot_id", "in", lot_ids)])
        costs = self._repair_costs(company, today, "lot_id", lot_ids)
        return [
            {
                "kind": "retire",
                "lot_id": lot_id,
                "product_id": product_id,
                "repair_count": repairs,
                "age_days": age,
                "utilization": figures.get(lot_id, (0.0, 0, 0.0))[0],
                "idle_days": figures.get(lot_id, (0.0, 0, 0.0))[1],
                "damage_rate": figures.get(lot_id, (0.0, 0, 0.0))[2],
                "repair_cost": costs.get(lot_id, 0.0),
            }
            for lot_id, product_id, repairs, age in rows
        ]

    @api.model
    def _refused_requests(self, company, since):
        """{product id: rental quotation lines whose period started since ``since`` (and is
        past), never confirmed or cancelled, for which the product had fewer free serials than
        the quantity asked: the demand the fleet turned away}."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.product_id, COUNT(*)
                  FROM sale_order_line l
                  JOIN sale_order so ON so.id = l.order_id
                 WHERE l.is_rental AND so.company_id = %(company)s
                   AND so.state IN ('draft', 'sent', 'cancel')
                   AND l.rental_start >= %(since)s AND l.rental_start < %(now)s
                   AND l.rental_end > l.rental_start
                   AND (SELECT COUNT(DISTINCT b.lot_id) FROM rental_booking b
                         WHERE b.product_id = l.product_id AND b.company_id = %(company)s
                           AND b.state != 'cancelled'
                           AND b.date_start < l.rental_end AND b.date_block_end > l.rental_start)
                       + l.product_uom_qty
                       > (SELECT COUNT(*) FROM stock_lot lot
                           WHERE lot.product_id = l.product_id AND lot.company_id = %(company)s
                             AND lot.rental_ok
                             AND lot.rental_state NOT IN ('lost', 'retired'))
                 GROUP BY l.product_id
                """,
                company=company.id,
                since=since,
                now=fields.Datetime.now(),
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _find_buy(self, company, today):
        """Products booked at least X% of their serial-days over the window and for which
        requests were turned away (company rules)."""
        since = today - timedelta(days=company.rental_buy_days)
        refused = self._refused_requests(company, since)
        if not refused:
            return []
        figures = self._report_figures(
            company, since, "product_id", [("product_id", "in", list(refused))]
        )
        costs = self._repair_costs(company, today, "product_id", list(refused))
        return [
            {
                "kind": "buy",
                "product_id": product_id,
                "lot_id": False,
                "refused_count": count,
                "utilization": figures.get(product_id, (0.0, 0, 0.0))[0],
                "idle_days": figures.get(product_id, (0.0, 0, 0.0))[1],
                "damage_rate": figures.get(product_id, (0.0, 0, 0.0))[2],
                "repair_cost": costs.get(product_id, 0.0),
            }
            for product_id, count in refused.items()
            if figures.get(product_id, (0.0, 0, 0.0))[0] >= company.rental_buy_utilization
        ]
