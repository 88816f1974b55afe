from odoo import api, models


class SaleOrderLine(models.Model):
    # Credit scoring reactions to rental events; kept apart from sale_order_line.py (rental
    # operations) because they belong to the scoring feature.
    _inherit = "sale.order.line"

    @api.model
    def _cron_flag_late_rentals(self):
        late_lines = super()._cron_flag_late_rentals()
        # A late return lowers the score: rescore those customers now, all at once.
        if late_lines:
            late_lines.order_id.partner_id.sudo()._rental_risk_rescore()
        return late_lines
