from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.bounds import in_range


class ResCompany(models.Model):
    _inherit = "res.company"

    # Daily anomaly report
    rental_anomaly_deposit_days = fields.Integer(
        string="Deposit Settlement Delay",
        default=7,
        help="Days after the last return of a rental order within which its deposit should be "
        "settled; later, the anomaly report lists it.",
    )
    rental_anomaly_late_days = fields.Integer(
        string="Late Rental Follow-up Delay",
        default=3,
        help="A late rental with no reminder, message or new activity for this many days is "
        "listed by the anomaly report.",
    )
    # Retire-or-buy advice
    rental_retire_repair_count = fields.Integer(
        string="Repairs Before Retiring",
        default=2,
        help="Propose retiring a serial sent to repair at least this many times in the repair "
        "window, once it is older than the retirement age.",
    )
    rental_retire_repair_days = fields.Integer(
        string="Repair Window (Days)",
        default=60,
        help="Repairs counted for the retirement advice: the ones sent within these last days.",
    )
    rental_retire_age_years = fields.Integer(
        string="Retirement Age (Years)",
        default=2,
        help="Only serials acquired more than this many years ago are proposed for retirement.",
    )
    rental_buy_utilization = fields.Float(
        string="Utilization to Buy More (%)",
        default=85.0,
        help="Propose buying more of a product booked at least this share of its serial-days "
        "in the utilization window, when requests for it could not be booked.",
    )
    rental_buy_days = fields.Integer(
        string="Utilization Window (Days)",
        default=90,
        help="Days of history behind the utilization and the refused requests of the buy "
        "advice.",
    )

    @api.constrains(
        "rental_anomaly_deposit_days",
        "rental_anomaly_late_days",
        "rental_retire_repair_days",
        "rental_buy_days",
    )
    def _check_asset_care_days(self):
        self._rental_check_ranges(
            days=(
                "rental_anomaly_deposit_days",
                "rental_anomaly_late_days",
                "rental_retire_repair_days",
                "rental_buy_days",
            )
        )

    @api.constrains(
        "rental_retire_repair_count", "rental_retire_age_years", "rental_buy_utilization"
    )
    def _check_asset_care_rules(self):
        for company in self:
            if not (
                in_range(company.rental_retire_repair_count, 1, 1000)
                and in_range(company.rental_retire_age_years, 0, 100)
                and in_range(company.rental_buy_utilization, 0.0, 100.0)
            ):
                raise ValidationError(
                    self.env._(
                        "Retire-or-buy rules of %(company)s: at least 1 repair, an age of 0 to "
                        "100 years and a utilization of 0 to 100%%.",
                        company=company.name,
                    )
                )
