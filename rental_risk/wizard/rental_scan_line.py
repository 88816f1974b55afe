from odoo import fields, models


class RentalScanLine(models.TransientModel):
    _name = "rental.scan.line"
    _description = "Rental Scan Log Line"
    _order = "id desc"

    scan_id = fields.Many2one("rental.scan", required=True, ondelete="cascade")
    barcode = fields.Char(string="Scanned Barcode", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Serial", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    scanned_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
