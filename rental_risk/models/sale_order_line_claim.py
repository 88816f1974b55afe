from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    rental_loss_activity_id = fields.Many2one(
        "mail.activity", string="Loss Proposal", readonly=True, copy=False, ondelete="set null"
    )

    # ------------------------------------------------------------------
    # Business methods: loss proposals
    # ------------------------------------------------------------------

    def _rental_propose_loss(self):
        """Ask the salesperson "Declare lost?" once per line late more than the company's days."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("sale.order")
        todo = self.filtered(
            lambda line: not line.rental_loss_activity_id
            and line.company_id.rental_loss_proposal_days
            and line.rental_late_hours >= line.company_id.rental_loss_proposal_days * 24
        )
        for line in todo:
            serials = ", ".join(
                line.sudo()
                .rental_booking_ids.filtered(lambda b: b.state == "out")
                .lot_id.mapped("name")
            )
            activity = self.env["mail.activity"].create(
                {
                    "activity_type_id": activity_type.id,
                    "res_model_id": model_id,
                    "res_id": line.order_id.id,
                    "user_id": (line.order_id.user_id or self.env.user).id,
                    "summary": self.env._(
                        "Declare lost? %(product)s (%(serials)s)",
                        product=line.product_id.display_name,
                        serials=serials,
                    ),
                    "note": self.env._(
                        "%(serials)s is more than %(days)s days late. If the customer cannot "
                        "return it, ask a Risk Manager to declare it lost from the asset: a "
                        "claim at its replacement value is created.",
                        serials=serials,
                        days=line.company_id.rental_loss_proposal_days,
                    ),
                    "date_deadline": fields.Date.context_today(self),
                }
            )
            # The proposal link is the scheduled action's own, like the lateness flags.
            line._rental_write_late({"rental_loss_activity_id": activity.id})
        return todo
