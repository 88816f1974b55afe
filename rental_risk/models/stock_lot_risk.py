from odoo import models


class StockLot(models.Model):
    # Credit scoring reaction to a lost asset; kept apart from stock_lot.py (asset management).
    _inherit = "stock.lot"

    def action_rental_mark_lost(self):
        res = super().action_rental_mark_lost()
        customers = self.sudo().rental_partner_id
        if customers:
            customers._rental_risk_rescore()
        return res
