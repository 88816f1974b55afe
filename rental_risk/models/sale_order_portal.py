from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

#: An extension asked for this many days after the planned return at most.
EXTENSION_MAX_DAYS = 366


class SaleOrder(models.Model):
    """What the customer portal shows of a rental order (serials out with their due dates,
    deposit held, claims) and the extension request a customer makes there.

    The portal renders the order as superuser (Odoo's sale portal checks the access first):
    these methods pick the few values a customer may see, and never a risk figure."""

    _inherit = "sale.order"

    def _rental_portal_values(self):
        """{serials: [...], deposit_held, currency, claims: [...]} of the order for its
        customer."""
        self.ensure_one()
        order = self.sudo()
        serials = []
        for line in order.order_line.filtered("is_rental"):
            for lot in line.rental_lot_ids:
                serials.append(
                    {
                        "product": line.product_id.display_name,
                        "serial": lot.name,
                        "start": line.rental_start,
                        "due": line.rental_end,
                        "out": lot.rental_state == "out" and lot.rental_order_id == order,
                        "fault_url": lot._rental_fault_url()
                        if lot.rental_state == "out" and lot.rental_order_id == order
                        else False,
                    }
                )
        states = dict(
            self.env["rental.damage.claim"]._fields["state"]._description_selection(self.env)
        )
        claims = [
            {
                "name": claim.name,
                "date": claim.date,
                "serial": claim.lot_id.name,
                "amount": claim.charge_amount,
                "state": states.get(claim.state, claim.state),
            }
            for claim in self.env["rental.damage.claim"]
            .sudo()
            .search([("order_id", "=", order.id), ("state", "!=", "draft")], order="date, id")
        ]
        return {
            "serials": serials,
            "deposit_held": order.rental_deposit_held,
            "currency": order.currency_id,
            "claims": claims,
            "can_extend": order.state == "sale" and any(s["out"] or s["due"] for s in serials),
        }

    def _rental_request_extension(self, new_end, note=None, partner=None):
        """Ask the salesperson, with an activity, to extend the rental until ``new_end`` (a
        UTC datetime, None when the customer typed no valid date).

        One pending request per order: asking again while one waits updates nothing.
        :return: the activity, or False when one was already pending
        """
        self.ensure_one()
        order = self.sudo()
        due = max(order.order_line.filtered("is_rental").mapped("rental_end"), default=None)
        if order.state != "sale" or not due:
            raise UserError(self.env._("Only a confirmed rental can be extended."))
        if not new_end or new_end <= due or new_end > due + timedelta(days=EXTENSION_MAX_DAYS):
            raise UserError(
                self.env._(
                    "Choose a new return date after the current one (%(due)s), within a year.",
                    due=fields.Date.to_string(due.date()),
                )
            )
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        summary = self.env._("Rental extension requested")
        pending = order.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type and a.summary == summary
        )
        if pending:
            return False
        user = (
            order.user_id
            or order.company_id._rental_risk_group_users("rental_risk.rental_risk_group_user")[:1]
        )
        activity = order.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=plaintext2html(
                self.env._(
                    "%(customer)s asks to keep the rented gear until %(end)s. %(note)s",
                    customer=(partner or order.partner_id).display_name,
                    end=fields.Datetime.to_string(new_end),
                    note=(note or "")[:1000],
                )
            ),
            user_id=user.id or self.env.ref("base.user_admin").id,
        )
        return activity
