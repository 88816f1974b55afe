import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: Due (plan, serial) pairs handled per scheduler call; the scheduler calls again while some
#: remain (Odoo's ``_notify_progress`` protocol).
PLAN_BATCH_SIZE = 200


class RentalMaintenancePlan(models.Model):
    """Preventive maintenance of rental assets: every N units of usage (the counter of the
    asset's readings: hours, prints, km) and/or every N days, for every serial of a product
    or for one serial. When a plan falls due on a serial, the scheduler opens one maintenance
    request and blocks the serial for the repair window with a booking, so that no rental can
    be booked over the work."""

    _name = "rental.maintenance.plan"
    _description = "Rental Preventive Maintenance Plan"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True
    _sql_constraints = [
        (
            "target_check",
            "CHECK ((product_tmpl_id IS NULL) != (lot_id IS NULL))",
            "A maintenance plan applies either to a product or to one serial, not to both.",
        ),
        (
            "interval_check",
            "CHECK (COALESCE(counter_interval, 0) >= 0 AND COALESCE(day_interval, 0) >= 0 "
            "AND (COALESCE(counter_interval, 0) > 0 OR COALESCE(day_interval, 0) > 0))",
            "A maintenance plan needs a usage interval, a calendar interval or both, and none "
            "may be negative.",
        ),
        (
            "duration_check",
            "CHECK (duration_hours > 0)",
            "The repair window of a maintenance plan must last more than zero hours.",
        ),
    ]

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Product",
        index="btree_not_null",
        check_company=True,
        domain="[('rental_ok', '=', True)]",
        tracking=True,
        help="Every serial of this rental product follows the plan.",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial",
        index="btree_not_null",
        check_company=True,
        domain="[('rental_ok', '=', True)]",
        tracking=True,
        help="Only this serial follows the plan.",
    )
    counter_interval = fields.Integer(
        string="Every (Usage)",
        default=0,
        tracking=True,
        help="Usage between two maintenances, in the unit of the asset's counter readings "
        "(hours, prints, km). 0: no usage interval.",
    )
    counter_unit = fields.Char(help="e.g. hours, prints, km")
    day_interval = fields.Integer(
        string="Every (Days)",
        default=0,
        tracking=True,
        help="Days between two maintenances. 0: no calendar interval.",
    )
    duration_hours = fields.Float(
        string="Repair Window (Hours)",
        default=24.0,
        required=True,
        help="How long the serial is blocked for the maintenance; no rental can be booked "
        "over it.",
    )
    maintenance_team_id = fields.Many2one("maintenance.team", check_company=True)
    technician_user_id = fields.Many2one("res.users", string="Technician")
    instructions = fields.Html()
    request_ids = fields.One2many("maintenance.request", "rental_plan_id", string="Requests")
    request_count = fields.Integer(compute="_compute_request_count", string="Requests Count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_request_count(self):
        counts = dict(
            self.env["maintenance.request"]
            .sudo()
            ._read_group([("rental_plan_id", "in", self.ids)], ["rental_plan_id"], ["__count"])
        )
        for plan in self:
            plan.request_count = counts.get(plan._origin, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("product_tmpl_id", "lot_id")
    def _check_rental_target(self):
        for plan in self:
            target = plan.product_tmpl_id or plan.lot_id.product_id.product_tmpl_id
            if target and not target.rental_ok:
                raise ValidationError(
                    self.env._(
                        "The maintenance plan %(plan)s must apply to a rental product or "
                        "serial; %(product)s is not marked 'Can be Rented'.",
                        plan=plan.name,
                        product=target.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_requests(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Requests of %(plan)s", plan=self.name),
            "res_model": "maintenance.request",
            "view_mode": "list,form",
            "domain": [("rental_plan_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Scheduled run
    # ------------------------------------------------------------------

    @api.model
    def _cron_open_due_requests(self, batch_size=PLAN_BATCH_SIZE):
        """Open the maintenance requests of the plans due, then take the serials whose
        maintenance window has started out of the rentable fleet.

        Idempotent: a (plan, serial) pair with an open request is never due again, so a second
        run opens nothing. The due pairs come from one query; under the scheduler one batch is
        handled per call and the scheduler calls again while pairs remain.
        """
        due = self._get_due_pairs()
        if self.env.context.get("ir_cron_progress_id"):
            batch, remaining = due[:batch_size], len(due) - min(len(due), batch_size)
        else:
            batch, remaining = due, 0
        requests = self._open_requests(batch)
        self.env["maintenance.request"]._rental_start_due_windows()
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        if requests:
            _logger.info("Rental maintenance: %s preventive requests opened", len(requests))
        return requests

    @api.model
    def _get_due_pairs(self):
        """[(plan id, serial id, counter)] of the plans due on a serial, in one query.

        A plan is due on a serial (of its product, or its own serial) when no request of the
        plan is open on it, and the counter has grown by ``counter_interval`` since the last
        request of the plan (since 0 before the first one), or ``day_interval`` days have
        passed since that request (since the serial was acquired, else since the plan was
        made). Lost and retired serials need no maintenance.
        """
        self.env.flush_all()
        today = fields.Date.context_today(self)
        self.env.cr.execute(
            SQL(
                """
                WITH pairs AS (
                    SELECT plan.id AS plan_id, lot.id AS lot_id,
                           plan.counter_interval, plan.day_interval,
                           COALESCE(lot.rental_usage_counter, 0) AS counter,
                           COALESCE(lot.rental_acquisition_date, plan.create_date::date) AS since
                      FROM rental_maintenance_plan plan
                      JOIN stock_lot lot
                        ON lot.id = plan.lot_id
                        OR lot.product_id IN (
                               SELECT pp.id FROM product_product pp
                                WHERE pp.product_tmpl_id = plan.product_tmpl_id)
                     WHERE plan.active
                       AND lot.rental_ok
                       AND lot.rental_state NOT IN ('lost', 'retired')
                       AND COALESCE(lot.company_id, plan.company_id) = plan.company_id
                ),
                last AS (
                    SELECT DISTINCT ON (req.rental_plan_id, req.rental_lot_id)
                           req.rental_plan_id, req.rental_lot_id, req.rental_counter_at,
                           COALESCE(req.schedule_date, req.create_date)::date AS done_on,
                           (COALESCE(stage.done, FALSE) OR req.archive) AS closed
                      FROM maintenance_request req
                 LEFT JOIN maintenance_stage stage ON stage.id = req.stage_id
                     WHERE req.rental_plan_id IN (SELECT plan_id FROM pairs)
                  ORDER BY req.rental_plan_id, req.rental_lot_id, req.id DESC
                )
                SELECT pairs.plan_id, pairs.lot_id, pairs.counter
                  FROM pairs
             LEFT JOIN last
                    ON last.rental_plan_id = pairs.plan_id AND last.rental_lot_id = pairs.lot_id
                 WHERE COALESCE(last.closed, TRUE)
                   AND ((pairs.counter_interval > 0
                         AND pairs.counter - COALESCE(last.rental_counter_at, 0)
                             >= pairs.counter_interval)
                        OR (pairs.day_interval > 0
                            AND %(today)s - COALESCE(last.done_on, pairs.since)
                                >= pairs.day_interval))
              ORDER BY pairs.plan_id, pairs.lot_id
                """,
                today=today,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _open_requests(self, pairs):
        """One preventive maintenance request per (plan id, serial id, counter) of ``pairs``,
        each with the booking that blocks its serial for the repair window."""
        if not pairs:
            return self.env["maintenance.request"]
        plans = self.browse({plan_id for plan_id, _lot, _counter in pairs}).sudo()
        lots = self.env["stock.lot"].browse({lot_id for _plan, lot_id, _counter in pairs}).sudo()
        lots._rental_ensure_equipment()
        now = fields.Datetime.now().replace(microsecond=0)
        Request = self.env["maintenance.request"].sudo()
        vals_list = []
        windows = []
        planned = {}  # serial id: end of the window just planned, when two plans fall due
        for plan_id, lot_id, counter in pairs:
            plan = plans.browse(plan_id)
            lot = lots.browse(lot_id)
            start = lot._rental_first_free_slot(planned.get(lot_id, now), plan.duration_hours)
            planned[lot_id] = start + timedelta(hours=plan.duration_hours)
            windows.append((start, planned[lot_id]))
            vals_list.append(plan._prepare_request_vals(lot, counter, start))
        with self.env["rental.risk.decision"]._open_guard():
            requests = Request.create(vals_list)
            bookings = (
                self.env["rental.booking"]
                .sudo()
                .create(
                    [
                        {
                            "lot_id": request.rental_lot_id.id,
                            "company_id": request.company_id.id,
                            "date_start": start,
                            "date_end": end,
                            "maintenance_request_id": request.id,
                            "note": self.env._("Maintenance: %(request)s", request=request.name),
                        }
                        for request, (start, end) in zip(requests, windows, strict=True)
                    ]
                )
            )
            for request, booking in zip(requests, bookings, strict=True):
                request.rental_booking_id = booking
        requests._rental_let_technician_see_equipment()
        return requests

    def _prepare_request_vals(self, lot, counter, start):
        self.ensure_one()
        vals = {
            "name": self.env._("%(plan)s: %(serial)s", plan=self.name, serial=lot.display_name),
            "company_id": (lot.company_id or self.company_id).id,
            "equipment_id": lot.rental_equipment_id.id,
            "maintenance_type": "preventive",
            "schedule_date": start,
            "duration": self.duration_hours,
            "description": self.instructions,
            "rental_lot_id": lot.id,
            "rental_plan_id": self.id,
            "rental_counter_at": counter,
            # The request is the system's, not the scheduler's user: nobody "created" it.
            "owner_user_id": False,
        }
        if self.maintenance_team_id:
            vals["maintenance_team_id"] = self.maintenance_team_id.id
        if self.technician_user_id:
            vals["user_id"] = self.technician_user_id.id
        return vals
