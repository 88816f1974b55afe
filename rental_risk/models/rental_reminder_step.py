from odoo import fields, models

REMINDER_KINDS = [
    ("return_due", "Return due (days before the end)"),
    ("lease_end", "Long lease ending (days before the end)"),
    ("overdue_gear", "Gear not back (days after the end)"),
    ("deposit_unpaid", "Deposit unpaid (days before the pickup)"),
]
REMINDER_ACTIONS = [
    ("email", "E-mail the customer"),
    ("salesperson", "Task for the salesperson"),
    ("manager", "Task for a Risk Manager"),
    ("suspected_loss", "Suspected loss: propose declaring the gear lost"),
]


class RentalReminderStep(models.Model):
    """One reminder or escalation step of a company, sent once per rental line when its day
    comes: before a return or the end of a long lease, after gear failed to come back, or
    before the pickup of a rental whose deposit is not paid."""

    _name = "rental.reminder.step"
    _description = "Rental Reminder Step"
    _order = "company_id, kind, days, id"
    _check_company_auto = True
    _sql_constraints = [
        (
            "days_range",
            "CHECK (days >= 0 AND days <= 3650)",
            "A reminder step comes 0 to 3,650 days before or after the end of the rental.",
        ),
        (
            "min_rental_days_range",
            "CHECK (min_rental_days >= 0 AND min_rental_days <= 36500)",
            "The minimum length of a long lease is 0 to 36,500 days.",
        ),
    ]

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    kind = fields.Selection(REMINDER_KINDS, required=True, default="return_due")
    days = fields.Integer(required=True, default=2)
    min_rental_days = fields.Integer(
        string="Rentals Of At Least (days)",
        default=0,
        help="Only rentals at least this long get this step (long leases: e.g. 60).",
    )
    action = fields.Selection(REMINDER_ACTIONS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'sale.order.line')]",
    )
