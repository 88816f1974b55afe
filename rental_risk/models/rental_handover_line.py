from odoo import fields, models


class RentalHandoverLine(models.Model):
    _name = "rental.handover.line"
    _description = "Rental Handover Serial"

    handover_id = fields.Many2one("rental.handover", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="handover_id.company_id", store=True)
    lot_id = fields.Many2one("stock.lot", string="Serial", required=True, readonly=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    condition = fields.Selection(
        [("new", "New"), ("good", "Good"), ("fair", "Fair"), ("poor", "Poor")], readonly=True
    )
    counter_reading = fields.Integer(string="Counter", readonly=True)
