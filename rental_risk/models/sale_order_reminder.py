from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "rental_risk.rental_risk_group_manager"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rental_suspected_loss = fields.Boolean(
        string="Suspected Loss",
        compute="_compute_rental_suspected_loss",
        help="Gear of this order is so late that its loss is suspected.",
    )
    rental_lease_renewable = fields.Boolean(
        string="Lease Ending",
        compute="_compute_rental_lease_renewable",
        help="A lease of this order was reminded of its end: it can be renewed.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("order_line.rental_suspected_loss")
    def _compute_rental_suspected_loss(self):
        for order in self:
            order.rental_suspected_loss = any(order.order_line.mapped("rental_suspected_loss"))

    @api.depends("state", "order_line.rental_end")
    def _compute_rental_lease_renewable(self):
        renewable = self._rental_lease_lines().order_id
        for order in self:
            order.rental_lease_renewable = order in renewable

    def _rental_protected_fields(self):
        computed = self.env._("It follows the order lines and their reminders.")
        return {
            **super()._rental_protected_fields(),
            "rental_suspected_loss": computed,
            "rental_lease_renewable": computed,
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_renew_lease(self):
        """Open the Change Rental wizard on the lease reminded of its end, as an extension
        ending one more lease length later (the user can change the date): the extension's
        own checks (serials free, new price, risk rules) decide."""
        self.ensure_one()
        line = self._rental_lease_lines().sorted("rental_end")[:1]
        if not line:
            raise UserError(
                self.env._(
                    "%(order)s has no lease near its end to renew; use Change Rental to extend "
                    "a rental.",
                    order=self.name,
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.sale_order_rental_change_action"
        )
        action["name"] = self.env._("Renew Lease")
        action["context"] = {
            "default_order_id": self.id,
            "default_line_id": line.id,
            "default_mode": "extend",
            "default_new_end": fields.Datetime.to_string(
                line.rental_end + (line.rental_end - line.rental_start)
            ),
        }
        return action

    def action_rental_declare_loss(self):
        """Declare lost the serials still out on the lines suspected lost (Risk Manager): the
        serials' own loss path takes them out of stock and raises the loss claims."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only Risk Managers declare rented gear lost."))
        # The Risk Manager decides (checked above), whoever sold the order: the rest runs as
        # superuser past the salespeople's own-documents rules, still in the manager's name.
        order = self.sudo()
        lines = order.order_line.filtered("rental_suspected_loss")
        lots = lines.rental_booking_ids.filtered(lambda b: b.state == "out").lot_id.filtered(
            lambda lot: lot.rental_state != "lost"
        )
        if not lots:
            raise UserError(
                self.env._("%(order)s has no gear suspected lost to declare.", order=self.name)
            )
        lots.action_rental_mark_lost()
        lines._rental_set_suspected_loss(False)
        order.message_post(
            body=self.env._(
                "%(serials)s declared lost by %(user)s.",
                serials=", ".join(lots.mapped("name")),
                user=self.env.user.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_lease_lines(self):
        """Rental lines of these confirmed orders, still booked, that got a lease end
        reminder."""
        orders = self.filtered(lambda o: o.id and o.state == "sale")
        if not orders:
            return self.env["sale.order.line"]
        logs = (
            self.env["rental.reminder.log"]
            .sudo()
            .search([("order_id", "in", orders.ids), ("kind", "=", "lease_end")])
        )
        return logs.order_line_id.filtered(
            lambda line: line.state == "sale"
            and any(b.state in ("reserved", "out") for b in line.sudo().rental_booking_ids)
        ).with_env(self.env)
