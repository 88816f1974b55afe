from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RentalDunningLevel(models.Model):
    """One step of a dunning policy: what is done to a customer whose oldest unpaid invoice
    is ``days_overdue`` days late. Each level is sent once per episode of overdue debt."""

    _name = "rental.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, days_overdue, id"
    _sql_constraints = [
        (
            "policy_days_uniq",
            "unique (policy_id, days_overdue)",
            "Two levels of a dunning policy start on the same day overdue; give each level its "
            "own number of days.",
        ),
        (
            "days_positive",
            "CHECK (days_overdue >= 1 AND days_overdue <= 3650)",
            "A dunning level starts between 1 and 3,650 days after the due date.",
        ),
    ]

    policy_id = fields.Many2one(
        "rental.dunning.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    name = fields.Char(required=True, translate=True)
    days_overdue = fields.Integer(
        required=True,
        default=7,
        help="The level applies once the customer's oldest unpaid invoice is this many days "
        "past its due date.",
    )
    channel_email = fields.Boolean(string="E-mail", default=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'rental.dunning.line')]",
    )
    channel_sms = fields.Boolean(
        string="SMS", help="Queue a text message to the customer's mobile (or phone) number."
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'rental.dunning.line')]",
    )
    channel_letter = fields.Boolean(
        string="Letter (PDF)",
        help="Render the dunning letter (the overdue invoices, their total and the level's "
        "text) as a PDF, attached to the dunning line and posted in the customer's chatter, "
        "to print and post.",
    )
    letter_text = fields.Html(
        translate=True,
        help="The body of the letter, above the list of overdue invoices; a plain reminder "
        "when empty.",
    )
    channel_activity = fields.Boolean(
        string="Collector Task", help="Schedule a call for a collector (an activity)."
    )
    activity_user_id = fields.Many2one(
        "res.users",
        string="Collector",
        help="Who gets the task; the customer's salesperson when empty.",
    )
    hold_orders = fields.Boolean(
        string="Hold New Orders",
        help="New orders of the customer wait for a Risk Officer's approval while the debt "
        "at this level is unpaid.",
    )
    hold_pickups = fields.Boolean(
        help="Rental gear is not handed over to the customer while the debt at this level is "
        "unpaid, unless a Risk Manager releases the pickup.",
    )
    legal = fields.Boolean(
        string="Hand to Legal",
        help="Schedule a task for the Risk Managers to hand the debt to legal, with its "
        "document pack attached: the letter, the overdue invoices and the rental contracts of "
        "the gear still out.",
    )
    auto_send = fields.Boolean(
        string="Send Automatically",
        help="The scheduled run sends this level without a review by credit control.",
    )

    @api.constrains("channel_email", "mail_template_id")
    def _check_template(self):
        for level in self:
            if level.channel_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "The dunning level %(level)s sends an e-mail: choose its e-mail template.",
                        level=level.name,
                    )
                )

    @api.constrains("channel_sms", "sms_template_id")
    def _check_sms_template(self):
        for level in self:
            if level.channel_sms and not level.sms_template_id:
                raise ValidationError(
                    self.env._(
                        "The dunning level %(level)s sends an SMS: choose its SMS template.",
                        level=level.name,
                    )
                )

    @api.depends("name", "days_overdue")
    def _compute_display_name(self):
        for level in self:
            level.display_name = self.env._(
                "%(name)s (%(days)s days)", name=level.name, days=level.days_overdue
            )
