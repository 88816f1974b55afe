from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL


class StockPickingReportToday(models.Model):
    """The warehouse's today board: one row per open rental pickup or return, in the stage of
    what happens to it today.

    The stage depends on the clock and on the user's time zone, so it is not stored: the rows
    come from one query evaluated at each read, with "now" and the end of the user's day as
    parameters. Grouping, counting and filtering by stage are plain SQL on that query.
    """

    _name = "stock.picking.report.today"
    _description = "Rental Today Board"
    _auto = False
    _order = "scheduled_date, id"
    _rec_name = "name"
    _depends = {
        "stock.picking": [
            "name",
            "state",
            "scheduled_date",
            "sale_id",
            "partner_id",
            "company_id",
            "picking_type_id",
        ],
        "stock.picking.type": ["rental_operation"],
        "stock.move": ["picking_id", "product_uom_qty", "state"],
    }

    name = fields.Char(string="Transfer", readonly=True)
    picking_id = fields.Many2one("stock.picking", string="Transfer Record", readonly=True)
    order_id = fields.Many2one("sale.order", string="Rental Order", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    operation = fields.Selection([("pickup", "Pickup"), ("return", "Return")], readonly=True)
    stage = fields.Selection(
        [
            ("pickup", "To Pick Up"),
            ("out", "Out"),
            ("return", "To Return"),
            ("late", "Late"),
        ],
        readonly=True,
        group_expand=True,  # the board shows every stage, empty ones included
        help="To Pick Up: a pickup planned today or before. Out: gear with the customer, due "
        "after today. To Return: due back today. Late: due back before now.",
    )
    scheduled_date = fields.Datetime(string="Planned", readonly=True)
    quantity = fields.Float(string="Units", readonly=True, digits="Product Unit of Measure")

    @property
    def _table_query(self):
        now = fields.Datetime.now()
        return SQL(
            """
            SELECT p.id AS id,
                   p.id AS picking_id,
                   p.name AS name,
                   p.sale_id AS order_id,
                   p.partner_id AS partner_id,
                   p.company_id AS company_id,
                   t.rental_operation AS operation,
                   CASE
                       WHEN t.rental_operation = 'pickup' THEN 'pickup'
                       WHEN p.scheduled_date < %(now)s THEN 'late'
                       WHEN p.scheduled_date < %(day_end)s THEN 'return'
                       ELSE 'out'
                   END AS stage,
                   p.scheduled_date AS scheduled_date,
                   COALESCE(moves.quantity, 0) AS quantity
              FROM stock_picking p
              JOIN stock_picking_type t ON t.id = p.picking_type_id
         LEFT JOIN LATERAL (
                       SELECT SUM(m.product_uom_qty) AS quantity
                         FROM stock_move m
                        WHERE m.picking_id = p.id
                          AND m.state NOT IN ('done', 'cancel')
                   ) moves ON TRUE
             WHERE t.rental_operation IS NOT NULL
               AND p.state NOT IN ('draft', 'done', 'cancel')
               AND (t.rental_operation = 'return' OR p.scheduled_date < %(day_end)s)
            """,
            now=now,
            day_end=self._get_day_end(now),
        )

    @api.model
    def _get_day_end(self, now):
        """The end of the user's day, as a naive UTC datetime like the stored ones."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local_today = pytz.utc.localize(now).astimezone(tz).date()
        local_end = tz.localize(datetime.combine(local_today + timedelta(days=1), time.min))
        return local_end.astimezone(pytz.utc).replace(tzinfo=None)

    def action_open_scan_desk(self):
        """Open the scan desk on this transfer."""
        self._rental_ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("rental_risk.rental_scan_desk_action")
        action["params"] = {"picking_id": self.picking_id.id}
        return action
