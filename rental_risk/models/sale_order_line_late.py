from odoo import api, fields, models
from odoo.tools import format_datetime

from ..engine.rental_pricing import late_hours


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    rental_is_late = fields.Boolean(
        string="Late Return",
        readonly=True,
        copy=False,
        index=True,
        help="Set by the late returns scheduled action: the end is past and gear is still out.",
    )
    rental_late_hours = fields.Float(
        string="Hours Late",
        readonly=True,
        copy=False,
        help="How late the return was at the last check of the late returns scheduled action.",
    )
    rental_late_activity_id = fields.Many2one(
        "mail.activity",
        string="Late Return Activity",
        readonly=True,
        copy=False,
        ondelete="set null",
    )

    # ------------------------------------------------------------------
    # Business methods: late returns
    # ------------------------------------------------------------------

    @api.model
    def _rental_get_late_domain(self, now):
        """Rental lines due back before ``now`` with gear still out (override hook)."""
        return [
            ("is_rental", "=", True),
            ("state", "=", "sale"),
            ("rental_end", "<", now),
            ("rental_booking_ids.state", "=", "out"),
        ]

    @api.model
    def _cron_flag_late_rentals(self):
        """Flag overdue rental lines and give their salesperson one To-Do activity per line.

        One search finds every late line; running again updates the lateness and the existing
        activity instead of adding one. Lines back in time (or returned since) are unflagged.
        """
        now = fields.Datetime.now()
        late_lines = self.search(self._rental_get_late_domain(now))
        settled = self.search([("rental_is_late", "=", True), ("id", "not in", late_lines.ids)])
        settled._rental_clear_late()

        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("sale.order")
        new_activity_vals = []
        lines_needing_activity = self.browse()
        for line in late_lines:
            hours = round(late_hours(line.rental_end, now), 1)
            line._rental_write_late({"rental_is_late": True, "rental_late_hours": hours})
            summary, note = line._rental_late_activity_texts(hours)
            if line.rental_late_activity_id:
                line.rental_late_activity_id.write({"summary": summary, "note": note})
                continue
            lines_needing_activity |= line
            new_activity_vals.append(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": line.order_id.id,
                    "user_id": (line.order_id.user_id or self.env.user).id,
                    "summary": summary,
                    "note": note,
                    "date_deadline": fields.Date.context_today(self),
                }
            )
        activities = self.env["mail.activity"].create(new_activity_vals)
        for line, activity in zip(lines_needing_activity, activities, strict=True):
            line._rental_write_late({"rental_late_activity_id": activity.id})
        # A late return lowers the credit score: rescore those customers now, all at once.
        if late_lines:
            for company in late_lines.order_id.company_id:
                late_lines.order_id.filtered(
                    lambda o, c=company: o.company_id == c
                ).partner_id.sudo()._rental_risk_rescore(company=company)
        late_lines._rental_propose_loss()
        return late_lines

    def _rental_late_activity_texts(self, hours):
        self.ensure_one()
        out_lots = self.sudo().rental_booking_ids.filtered(lambda b: b.state == "out").lot_id
        summary = self.env._(
            "Late return: %(product)s (%(serials)s), %(hours)s h late",
            product=self.product_id.display_name,
            serials=", ".join(out_lots.mapped("name")),
            hours=hours,
        )
        note = self.env._(
            "%(product)s (%(serials)s) was due back on %(end)s and is %(hours)s hours late. "
            "Contact the customer to arrange the return.",
            product=self.product_id.display_name,
            serials=", ".join(out_lots.mapped("name")),
            end=format_datetime(self.env, self.rental_end),
            hours=hours,
        )
        return summary, note

    def _rental_clear_late(self):
        """Unflag lines no longer late and close their late-return activity."""
        if not self:
            return
        activities = self.rental_late_activity_id
        self._rental_write_late({"rental_is_late": False, "rental_late_activity_id": False})
        if activities:
            activities.action_feedback(feedback=self.env._("Gear returned."))

    def _rental_prepare_late_fee_vals(self, lot, days, fee_per_day):
        """Order line values charging ``days`` late days for ``lot`` of this line."""
        self.ensure_one()
        order = self.order_id
        product = self.env.ref("rental_risk.product_late_fee")
        amount = self.product_id.product_tmpl_id.currency_id._convert(
            fee_per_day, order.currency_id, order.company_id, fields.Date.today()
        )
        return {
            "order_id": order.id,
            "product_id": product.id,
            "name": self.env._(
                "Late Return Fee: %(product)s %(serial)s returned %(days)s day(s) late",
                product=self.product_id.display_name,
                serial=lot.name,
                days=days,
            ),
            "product_uom_qty": days,
            "product_uom": product.uom_id.id,
            "price_unit": amount,
            "sequence": (self.sequence or 0) + 1,
        }

    def _rental_write_late(self, vals):
        """Flag or unflag late lines: the lateness feeds the score, the scheduled action alone
        writes it."""
        with self.env["rental.risk.decision"]._open_guard():
            return self.write(vals)
