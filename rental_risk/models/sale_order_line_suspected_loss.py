from odoo import fields, models
from odoo.tools import create_index


class SaleOrderLine(models.Model):
    # Loaded after sale_order_line_rental, whose protected fields (and the mixin) it extends.
    _inherit = "sale.order.line"

    rental_suspected_loss = fields.Boolean(
        string="Suspected Loss",
        readonly=True,
        copy=False,
        help="The escalation of gear not returned reached its suspected loss step; cleared "
        "when the gear comes back or its loss is declared.",
    )

    def init(self):
        # The reminder pass reads the confirmed rentals about to start (their deposit) out of
        # a million lines, and the Suspected Loss filters a handful of lines among all.
        create_index(
            self.env.cr,
            "sale_order_line_rental_start_open_index",
            self._table,
            ["company_id", "rental_start"],
            where="is_rental AND state = 'sale'",
        )
        create_index(
            self.env.cr,
            "sale_order_line_suspected_loss_index",
            self._table,
            ["order_id"],
            where="rental_suspected_loss",
        )
        return super().init()

    def _rental_protected_fields(self):
        return {
            **super()._rental_protected_fields(),
            "rental_suspected_loss": self.env._(
                "A suspected loss is set by the escalation of gear not returned and cleared by "
                "the return of the gear or the declaration of its loss."
            ),
        }

    # ------------------------------------------------------------------
    # Business methods: suspected loss
    # ------------------------------------------------------------------

    def _rental_set_suspected_loss(self, suspected):
        """Set or clear the suspected loss of these lines (the reminders' and returns' own
        write, behind the guard)."""
        lines = self.filtered(lambda line: line.rental_suspected_loss != suspected)
        if lines:
            with self.env["rental.risk.decision"]._open_guard():
                lines.sudo().write({"rental_suspected_loss": suspected})
        return lines

    def _rental_clear_suspected_loss_if_back(self):
        """Clear the suspected loss of the lines whose gear is all back."""
        back = self.filtered(
            lambda line: line.rental_suspected_loss
            and not any(b.state == "out" for b in line.sudo().rental_booking_ids)
        )
        back._rental_set_suspected_loss(False)
        for order in back.order_id:
            order.message_post(
                body=self.env._("The gear suspected lost is back."), subtype_xmlid="mail.mt_note"
            )
        return back
