from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.bounds import MAX_AMOUNT, MAX_DAYS, in_range, is_amount


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        ondelete="restrict",
        help="Internal location, outside any warehouse, holding the gear out with customers: it "
        "stays the company's asset (no cost of goods sold is booked on pickup).",
    )
    rental_default_start_hour = fields.Float(
        string="Default Pickup Time",
        default=9.0,
        help="New rental quotations start tomorrow at this time (the salesperson's time zone).",
    )
    rental_default_days = fields.Integer(
        string="Default Rental Days", default=1, help="Length of the default rental period."
    )
    rental_early_return_policy = fields.Selection(
        [
            ("booked", "Charge the booked period"),
            ("used", "Charge the period used"),
        ],
        string="Early Return Pricing",
        default="booked",
        required=True,
        help="When a rental is ended before its booked end: keep the price of the booked "
        "period, or price it again for the days actually used.",
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("rental_default_start_hour", "rental_default_days")
    def _check_rental_default_period(self):
        for company in self:
            if not (
                in_range(company.rental_default_start_hour, 0.0, 23.99)
                and in_range(company.rental_default_days, 1, MAX_DAYS)
            ):
                raise ValidationError(
                    self.env._(
                        "The default rental period of %(company)s starts at a time of the day "
                        "(0:00 to 23:59) and lasts 1 to %(days)s days.",
                        company=company.name,
                        days=MAX_DAYS,
                    )
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_default_period(self):
        """(start, end) of a new rental, in UTC: tomorrow at the default pickup time in the
        user's time zone, for the default number of days."""
        self.ensure_one()
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        tomorrow = datetime.now(tz).date() + timedelta(days=1)
        minutes = round((self.rental_default_start_hour or 0.0) * 60)
        local = tz.localize(datetime.combine(tomorrow, time(minutes // 60, minutes % 60)))
        start = local.astimezone(pytz.utc).replace(tzinfo=None)
        return start, start + timedelta(days=max(self.rental_default_days or 1, 1))

    def _create_per_company_locations(self):
        res = super()._create_per_company_locations()
        self._rental_create_location()
        return res

    def _rental_create_location(self):
        """Create the rental location of companies that have none; return all their locations."""
        parent = self.env.ref("stock.stock_location_locations", raise_if_not_found=False)
        for company in self.filtered(lambda c: not c.rental_location_id):
            company.sudo().rental_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Out on Rental"),
                        "usage": "internal",
                        "location_id": parent.id if parent else False,
                        "company_id": company.id,
                    }
                )
            )
        return self.rental_location_id

    @api.model
    def _rental_create_missing_locations(self):
        """Give every existing company its rental location (run at module install)."""
        self.search([("rental_location_id", "=", False)])._rental_create_location()

    def _rental_check_ranges(self, amounts=(), days=()):
        """Refuse settings out of their sane range: ``amounts`` from 0 to the largest amount,
        ``days`` from 0 to ten years."""
        for company in self:
            if all(is_amount(company[fname]) for fname in amounts) and all(
                in_range(company[fname], 0, MAX_DAYS) for fname in days
            ):
                continue
            labels = company.fields_get([*amounts, *days], ["string"])
            raise ValidationError(
                self.env._(
                    "Rental settings of %(company)s: %(fields)s must be between 0 and %(max)s "
                    "(numbers of days up to %(days)s).",
                    company=company.name,
                    fields=", ".join(labels[fname]["string"] for fname in [*amounts, *days]),
                    max=f"{MAX_AMOUNT:,.0f}",
                    days=MAX_DAYS,
                )
            )
