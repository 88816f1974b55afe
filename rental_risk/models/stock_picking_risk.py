from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "rental.risk.protected.mixin"]

    # Release of the risk delivery lock for this transfer only, computed from the Risk
    # Manager's release decision (rental.risk.decision).
    rental_risk_decision_ids = fields.One2many(
        "rental.risk.decision",
        "picking_id",
        string="Risk Decisions",
        groups="rental_risk.rental_risk_group_user",
    )
    rental_risk_release_id = fields.Many2one(
        "rental.risk.decision",
        string="Risk Lock Release",
        compute="_compute_rental_risk_release",
        store=True,
        copy=False,
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_risk_released_by_id = fields.Many2one(
        "res.users", string="Risk Lock Released By", related="rental_risk_release_id.user_id"
    )
    rental_risk_released_on = fields.Datetime(
        string="Risk Lock Released On", related="rental_risk_release_id.date"
    )
    rental_risk_release_reason = fields.Text(
        string="Release Reason", related="rental_risk_release_id.reason"
    )

    def init(self):
        res = super().init()
        # PostgreSQL takes ten times longer to plan the lock's pre-filter than to run it, and
        # it runs at every validation of every delivery: kept in a PL/pgSQL function, its
        # plan is made once per database connection. Parameters: the transfers, the time now
        # (UTC, Python's clock), the time zone of the context (may be NULL) and the user whose
        # time zone applies then: "today" is that day where the user is, as
        # fields.Date.context_today says, without loading the user to learn it.
        self.env.cr.execute(
            """
            DROP FUNCTION IF EXISTS rental_risk_lock_suspects(integer[], date);
            CREATE OR REPLACE FUNCTION rental_risk_lock_suspects(
                picking_ids integer[], now_utc timestamp, tz text, uid integer)
            RETURNS SETOF integer LANGUAGE plpgsql STABLE
            SET plan_cache_mode = force_generic_plan AS $$
            DECLARE
                zone text := COALESCE(
                    NULLIF(tz, ''),
                    (SELECT NULLIF(p.tz, '') FROM res_users u
                       JOIN res_partner p ON p.id = u.partner_id WHERE u.id = uid),
                    'UTC');
                today date;
            BEGIN
            BEGIN
                today := timezone(zone, timezone('UTC', now_utc))::date;
            EXCEPTION WHEN invalid_parameter_value THEN
                -- a zone name Python knows and this PostgreSQL does not: UTC, as Odoo does
                today := now_utc::date;
            END;
            RETURN QUERY
                SELECT sp.id
                  FROM stock_picking sp
                  JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                  JOIN res_company co ON co.id = sp.company_id
                  LEFT JOIN sale_order so ON so.id = sp.sale_id
                  JOIN res_partner pa ON pa.id = COALESCE(so.partner_id, sp.partner_id)
                  JOIN res_partner cu ON cu.id = pa.commercial_partner_id
                  CROSS JOIN LATERAL (
                        SELECT spt.rental_operation = 'pickup' OR EXISTS (
                                   SELECT 1
                                     FROM stock_move m
                                     JOIN product_product pp ON pp.id = m.product_id
                                     JOIN product_template pt ON pt.id = pp.product_tmpl_id
                                    WHERE m.picking_id = sp.id AND pt.rental_ok) AS gear
                  ) g
                 WHERE sp.id = ANY(picking_ids)
                   AND sp.state NOT IN ('done', 'cancel')
                   AND (spt.rental_operation = 'pickup' OR spt.code = 'outgoing')
                   AND NOT EXISTS (
                        SELECT 1 FROM rental_risk_decision d
                         WHERE d.picking_id = sp.id AND d.kind = 'release')
                   AND ((cu.rental_blacklisted AND (g.gear OR co.rental_risk_lock_all_deliveries))
                        OR (g.gear AND (
                            (so.state = 'sale'
                             AND (so.rental_risk_approval_state IN ('waiting', 'approved')
                                  OR so.rental_risk_insurance_required
                                  OR so.rental_risk_prepayment_required
                                  OR COALESCE(so.rental_risk_deposit_percent, 0) > 0
                                  OR co.rental_deposit_required_before_pickup))
                            OR (co.rental_risk_lock_overdue AND COALESCE((
                                SELECT SUM(am.amount_residual_signed)
                                  FROM account_move am
                                 WHERE am.commercial_partner_id = cu.id
                                   AND am.company_id = sp.company_id
                                   AND am.state = 'posted'
                                   AND am.move_type = 'out_invoice'
                                   AND am.amount_residual_signed <> 0
                                   AND am.invoice_date_due
                                       < today - COALESCE(co.rental_risk_lock_overdue_days, 0)
                            ), 0) > COALESCE(co.rental_risk_overdue_min_amount, 0))
                            -- a dunning level sent to the customer holds its pickups
                            OR EXISTS (
                                SELECT 1
                                  FROM rental_dunning_line dl
                                  JOIN rental_dunning_level lv ON lv.id = dl.level_id
                                 WHERE dl.partner_id = cu.id
                                   AND dl.company_id = sp.company_id
                                   AND dl.state = 'sent'
                                   AND lv.hold_pickups))));
            END
            $$
            """
        )
        return res

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_risk_decision_ids")
    def _compute_rental_risk_release(self):
        latest = self.env["rental.risk.decision"]._latest(self._origin, "picking_id", ("release",))
        for picking in self:
            picking.rental_risk_release_id = latest.get(
                picking._origin.id, self.env["rental.risk.decision"]
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _rental_protected_fields(self):
        release = self.env._("A Risk Manager releases a locked transfer with Release.")
        return dict.fromkeys(
            (
                "rental_risk_decision_ids",
                "rental_risk_release_id",
                "rental_risk_released_by_id",
                "rental_risk_released_on",
                "rental_risk_release_reason",
            ),
            release,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_release(self):
        """Open the release wizard (Risk Managers only, checked again by the wizard)."""
        self._rental_ensure_one()
        self._rental_risk_check_release_rights()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release Pickup"),
            "res_model": "stock.picking.risk.release",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_id": self.id},
        }

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        # A sender without an e-mail never blocks the action that posts (see base.py).
        author_id, email_from = super()._message_compute_author(
            author_id=author_id, email_from=email_from, raise_on_email=False
        )
        return self._rental_message_author(author_id, email_from)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_lock_scope(self):
        """What the delivery lock guards on this transfer: "rental" when it hands rental gear
        out (a rental pickup, or any outgoing transfer with a rental product), "delivery" for
        another delivery to a customer, False otherwise."""
        self.ensure_one()
        if self.rental_operation == "pickup":
            return "rental"
        if self.picking_type_code != "outgoing":
            return False
        # One query rather than the moves, products and templates through the ORM: every
        # delivery of the company passes here.
        self.env["stock.move"].flush_model(["picking_id", "product_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT 1
                  FROM stock_move m
                  JOIN product_product pp ON pp.id = m.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE m.picking_id = %s AND pt.rental_ok
                 LIMIT 1
                """,
                self.id,
            )
        )
        return "rental" if self.env.cr.fetchone() else "delivery"

    def _rental_risk_check_delivery_lock(self):
        """Refuse to let goods out when the risk delivery lock holds at this moment, whenever
        the order was confirmed; a Risk Manager's release of the transfer lifts it."""
        suspects = self._rental_risk_lock_suspects()
        for picking in self.filtered(lambda p: p.id in suspects):
            if not picking._rental_risk_lock_scope():
                continue
            reasons = picking._rental_risk_delivery_lock_reasons()
            if not reasons:
                continue
            details = "\n".join(f"- {reason}" for reason in reasons)
            self.env["rental.risk.event"]._log_autonomous(
                "delivery_lock",
                partner=picking.partner_id,
                order=picking.sale_id,
                picking=picking,
                details=details,
            )
            raise UserError(
                self.env._(
                    "%(picking)s cannot be handed out:\n%(reasons)s\nCure the problem, or ask a "
                    "Risk Manager to release this transfer.",
                    picking=picking.name,
                    reasons=details,
                )
            )

    def _rental_risk_lock_suspects(self):
        """Ids of the transfers of ``self`` the lock may hold, from one query: open, not
        released, going out to a customer who is blacklisted, or (for rental gear) overdue
        beyond the tolerance, or on an order that waits for an approval or must meet a rule's
        requirement. Every transfer of the company passes here; the clean ones, nearly all,
        leave after this query, and the others get the full check with its reasons."""
        if not self.ids:
            return set()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT rental_risk_lock_suspects(%s, %s, %s, %s)",
                self.ids,
                fields.Datetime.now(),
                self.env.context.get("tz") or None,
                self.env.uid,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _rental_risk_delivery_lock_reasons(self):
        """Plain-language reasons why this transfer may not be validated now (empty list: not
        locked). Rental gear: blacklist, overdue receivables, a pending approval and what the
        rules require (deposit, insurance, prepayment). Other deliveries: the blacklist, where
        the company locks them too."""
        self.ensure_one()
        scope = self._rental_risk_lock_scope()
        order = self.sale_id.sudo()
        customer = (order.partner_id or self.partner_id).commercial_partner_id.sudo()
        if not scope or not customer:
            return []
        company = self.company_id
        reasons = []
        if customer.rental_blacklisted and (
            scope == "rental" or company.rental_risk_lock_all_deliveries
        ):
            reasons.append(
                self.env._("%(customer)s is blacklisted.", customer=customer.display_name)
            )
        if scope != "rental":
            return reasons
        reasons += self._rental_risk_overdue_lock_reasons(customer)
        if order and order.state == "sale":
            reasons += order._rental_risk_pickup_requirements()
        # The deposit and collections rooms' own reasons (deposit not paid before pickup, a
        # dunning level holding pickups) join the same lock.
        return reasons + self._rental_deposit_lock_reasons() + self._rental_dunning_lock_reasons()

    def _rental_risk_overdue_lock_reasons(self, customer):
        """The customer's overdue receivables beyond the company's tolerance lock rental gear."""
        company = self.company_id
        if not company.rental_risk_lock_overdue:
            return []
        days = max(company.rental_risk_lock_overdue_days, 0)
        overdue = self.env["rental.credit.facts"]._overdue_amounts(customer.ids, days, company)
        overdue = overdue.get(customer.id, 0.0)
        tolerance = company.rental_risk_overdue_min_amount
        if overdue <= tolerance:
            return []
        return [
            self.env._(
                "%(customer)s has %(overdue)s of invoices overdue by more than %(days)s days "
                "(tolerance %(tolerance)s): collect the payment first.",
                customer=customer.display_name,
                overdue=format_amount(self.env, overdue, company.currency_id),
                days=days,
                tolerance=format_amount(self.env, tolerance, company.currency_id),
            )
        ]

    def _rental_risk_check_release_rights(self):
        """Risk Managers release locked transfers, but not those of their own orders."""
        if not self.env.user.has_group("rental_risk.rental_risk_group_manager"):
            raise AccessError(
                self.env._("Only a Risk Manager can release a locked pickup; ask one to do it.")
            )
        own = self.sudo().filtered(lambda p: p.sale_id.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "You are the salesperson of %(orders)s: another Risk Manager must release "
                    "its pickup.",
                    orders=", ".join(own.sale_id.mapped("name")),
                )
            )

    def _rental_risk_release(self, reason):
        """Release this one transfer from the risk lock (Risk Manager): it can then be
        validated whatever the lock says. The release is a decision kept for good."""
        self.ensure_one()
        self._rental_risk_check_release_rights()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the pickup is released: it is kept in the audit."))
        picking = self.sudo()
        if picking.state in ("done", "cancel") or (
            picking.picking_type_code != "outgoing" and (picking.rental_operation != "pickup")
        ):
            raise UserError(
                self.env._(
                    "Only an open pickup or delivery can be released; %(picking)s is not one.",
                    picking=picking.name,
                )
            )
        order = picking.sale_id
        self.env["rental.risk.decision"]._record(
            "release",
            reason,
            partner=picking.partner_id or order.partner_id,
            order=order or None,
            picking=picking,
            fingerprint=order._rental_risk_fingerprint() if order else False,
        )
        picking.message_post(
            body=self.env._(
                "Risk lock released by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True
