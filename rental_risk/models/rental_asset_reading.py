from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RentalAssetReading(models.Model):
    _name = "rental.asset.reading"
    _description = "Rental Asset Usage Reading"
    _order = "date desc, id desc"
    _check_company_auto = True
    _sql_constraints = [
        ("value_positive", "CHECK (value >= 0)", "A usage reading cannot be negative."),
    ]

    lot_id = fields.Many2one(
        "stock.lot",
        string="Asset",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('rental_ok', '=', True)]",
    )
    product_id = fields.Many2one(related="lot_id.product_id", string="Product")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    value = fields.Integer(
        string="Reading", required=True, help="Counter value: shutter count, lamp hours, ..."
    )
    note = fields.Char()
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        precompute=True,
    )

    @api.depends("lot_id.company_id")
    def _compute_company_id(self):
        for reading in self:
            reading.company_id = reading.lot_id.company_id or self.env.company

    @api.constrains("lot_id", "date", "value")
    def _check_value_not_decreasing(self):
        """A counter only goes up: a reading may not be lower than an earlier one, nor higher
        than a later one, of the same asset."""
        for reading in self:
            siblings = reading.lot_id.rental_reading_ids - reading
            earlier = siblings.filtered(lambda r, rd=reading: r.date <= rd.date)
            later = siblings.filtered(lambda r, rd=reading: r.date > rd.date)
            previous = max(earlier.mapped("value"), default=None)
            following = min(later.mapped("value"), default=None)
            if (previous is not None and reading.value < previous) or (
                following is not None and reading.value > following
            ):
                bound = previous if previous is not None and reading.value < previous else following
                raise ValidationError(
                    self.env._(
                        "The reading %(value)s of %(serial)s does not fit the counter history "
                        "(%(bound)s recorded around that date): usage counters never go down. "
                        "Check the value and the date of the reading.",
                        value=reading.value,
                        serial=reading.lot_id.display_name,
                        bound=bound,
                    )
                )

    @api.depends("lot_id", "value")
    def _compute_display_name(self):
        for reading in self:
            reading.display_name = f"{reading.lot_id.display_name or ''}: {reading.value}"
