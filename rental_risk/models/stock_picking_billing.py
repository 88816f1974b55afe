from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _rental_process_done(self):
        res = super()._rental_process_done()
        # A rental billed per period gets its first invoice when its gear is handed out.
        lines = self.filtered(lambda p: p.rental_operation == "pickup").move_ids.sale_line_id
        if lines:
            Run = self.env["rental.billing.run"].sudo()
            today = fields.Date.context_today(self)
            Run._bill_lines(Run._get_due_lines(today, lines=lines), today)
        return res
