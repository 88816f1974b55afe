from odoo import api, fields, models


class SaleOrderRentalChange(models.TransientModel):
    """Extend a confirmed rental, end it early or swap a booked serial: the line's own
    methods do it, through the booking's checks and the risk gate."""

    _name = "sale.order.rental.change"
    _description = "Change a Confirmed Rental"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    line_id = fields.Many2one(
        "sale.order.line",
        string="Rental Line",
        required=True,
        domain="[('order_id', '=', order_id), ('is_rental', '=', True)]",
    )
    mode = fields.Selection(
        [("extend", "Extend"), ("end_early", "End Early"), ("swap", "Swap a Serial")],
        required=True,
        default="extend",
    )
    current_end = fields.Datetime(related="line_id.rental_end", string="Booked End")
    new_end = fields.Datetime()
    product_id = fields.Many2one(related="line_id.product_id")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial to Replace",
        domain="[('id', 'in', booked_lot_ids)]",
    )
    booked_lot_ids = fields.Many2many("stock.lot", compute="_compute_booked_lot_ids")
    new_lot_id = fields.Many2one(
        "stock.lot",
        string="New Serial",
        domain="[('product_id', '=', product_id), ('id', 'not in', booked_lot_ids)]",
    )

    @api.depends("line_id")
    def _compute_booked_lot_ids(self):
        for change in self:
            line = change.line_id
            change.booked_lot_ids = (
                line.sudo().rental_booking_ids.filtered(lambda b: b.state == "reserved").lot_id
                if line
                else False
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["sale.order"].browse(values.get("order_id"))
        lines = order.order_line.filtered("is_rental")
        if "line_id" in fields_list and len(lines) == 1:
            values["line_id"] = lines.id
        return values

    def action_apply(self):
        self.ensure_one()
        line = self.line_id
        if self.mode == "swap":
            line._rental_swap_lot(self.lot_id, self.new_lot_id)
        elif self.mode == "extend":
            line._rental_extend(self.new_end)
        else:
            line._rental_end_early(self.new_end)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The rental of %(product)s is changed.", product=line.product_id.display_name
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
