from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from .rental_alert_route import ALERT_KINDS, KIND_SEVERITY, SEVERITIES

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"


class RentalRiskAlert(models.Model):
    """A risk alert raised once for an event and where it went: who was told, by which
    channel. Alerts are written by ``_dispatch`` only (behind the decision guard), so nobody
    can forge one or hide where it went; the unique key makes an event alert once, however
    many times the scheduled action that sees it runs."""

    _name = "rental.risk.alert"
    _description = "Risk Alert"
    _order = "date desc, id desc"
    _rec_name = "kind"
    _sql_constraints = [
        (
            "event_uniq",
            "unique (company_id, kind, key)",
            "This event has already raised its alert.",
        ),
    ]

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="restrict"
    )
    kind = fields.Selection(ALERT_KINDS, string="Alert", required=True, readonly=True, index=True)
    severity = fields.Selection(SEVERITIES, required=True, readonly=True)
    key = fields.Char(string="Event", required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index="btree_not_null", ondelete="set null"
    )
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", readonly=True)
    body = fields.Text(string="Message", readonly=True)
    route_ids = fields.Many2many("rental.alert.route", string="Routes", readonly=True)
    message_user_ids = fields.Many2many(
        "res.users",
        "rental_risk_alert_message_user_rel",
        string="Told by System Message",
        readonly=True,
    )
    email_user_ids = fields.Many2many(
        "res.users", "rental_risk_alert_email_user_rel", string="Told by E-mail", readonly=True
    )
    sms_user_ids = fields.Many2many(
        "res.users", "rental_risk_alert_sms_user_rel", string="Told by SMS", readonly=True
    )
    mail_id = fields.Many2one(
        "mail.mail", string="E-mail", readonly=True, ondelete="set null", groups="base.group_system"
    )
    sms_ids = fields.Many2many(
        "sms.sms", string="Text Messages", readonly=True, groups="base.group_system"
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(self.env._("Risk alerts are raised by the addon's checks only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(self.env._("A risk alert is history; it cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A risk alert is history; it cannot be deleted."))

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _dispatch(
        self,
        company,
        kind,
        body,
        record,
        partner=None,
        severity=None,
        salesperson=None,
        key=None,
        thread=None,
    ):
        """Raise the alert ``kind`` about ``record`` (and its customer ``partner``) once:
        route it by the company's table, post ``body`` as a note on ``thread`` (``record`` if
        it has a chatter, else the customer) notifying the people routed by system message,
        queue the e-mail and the text messages of the others. ``key`` names the event (default:
        the record); a second call for the same event does nothing. Routes exist for the kind
        but none for this severity: nobody is told. No route for the kind at all: the Risk
        Officers get the system message. Returns the alert, or an empty recordset if the event
        already raised it."""
        company.ensure_one()
        Alert = self.sudo()
        severity = severity or KIND_SEVERITY[kind]
        key = key or f"{record._name},{record.id}"
        if Alert.search_count(
            [("company_id", "=", company.id), ("kind", "=", kind), ("key", "=", key)], limit=1
        ):
            return Alert
        partner = (partner or self.env["res.partner"]).sudo()
        routes = (
            self.env["rental.alert.route"]
            .sudo()
            .search([("company_id", "=", company.id), ("kind", "=", kind)])
        )
        if routes:
            routes = routes._matches(severity)
            recipients = routes._recipients(
                self._salesperson(company, record, partner, salesperson)
            )
        else:
            recipients = {
                "channel_message": company._rental_risk_group_users(OFFICER_GROUP),
                "channel_email": self.env["res.users"],
                "channel_sms": self.env["res.users"],
            }
        text = html2plaintext(body) if isinstance(body, Markup) else body
        with self.env["rental.risk.decision"]._open_guard():
            alert = Alert.create(
                {
                    "company_id": company.id,
                    "kind": kind,
                    "severity": severity,
                    "key": key,
                    "partner_id": partner.id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "body": text,
                    "route_ids": [Command.set(routes.ids)],
                    "message_user_ids": [Command.set(recipients["channel_message"].ids)],
                }
            )
            alert._post(body, thread or record, partner, recipients["channel_message"])
            alert._queue_email(recipients["channel_email"])
            alert._queue_sms(recipients["channel_sms"])
        return alert

    @api.model
    def _salesperson(self, company, record, partner, salesperson):
        """The alert's salesperson: given, else the record's, else the customer's; only an
        active internal user of the company."""
        user = salesperson
        if (
            not user
            and "user_id" in record._fields
            and record._fields["user_id"].comodel_name == ("res.users")
        ):
            user = record.sudo().user_id
        user = (user or partner.user_id).sudo()
        return user.filtered(lambda u: u.active and not u.share and company in u.company_ids)

    def _post(self, body, thread, partner, users):
        """The note on the record's chatter (its history, whoever is told), notifying
        ``users`` in their inbox (or by e-mail, as each user chose)."""
        self.ensure_one()
        if not isinstance(thread, models.BaseModel) or "message_ids" not in thread._fields:
            thread = partner
        if not thread:
            # Nothing with a chatter (a company-wide alert such as the anomaly report): the
            # routed users are notified all the same, the alert being the message's document.
            if users:
                self.env["mail.thread"].sudo().with_context(
                    mail_notify_force_send=False
                ).message_notify(
                    body=body,
                    subject=self.env._("Risk alert: %(kind)s", kind=self._kind_label()),
                    model=self._name,
                    res_id=self.id,
                    partner_ids=users.partner_id.ids,
                )
            return
        # Users notified by e-mail get it queued, not sent in this transaction: alerts are
        # raised by scheduled actions too, and a mail server that is down must lose nothing.
        thread.sudo().with_context(mail_notify_force_send=False).message_post(
            body=body, partner_ids=users.partner_id.ids, subtype_xmlid="mail.mt_note"
        )

    def _queue_email(self, users):
        """Queue one e-mail to the routed users with an address; the mail queue sends it."""
        self.ensure_one()
        users = users.filtered("email")
        if not users:
            return
        template = self.env.ref("rental_risk.mail_template_risk_alert").sudo()
        mail_id = template.send_mail(
            self.id,
            force_send=False,
            email_values={"recipient_ids": [Command.link(p.id) for p in users.partner_id]},
            email_layout_xmlid="mail.mail_notification_light",
        )
        self.write({"mail_id": mail_id, "email_user_ids": [Command.set(users.ids)]})

    def _queue_sms(self, users):
        """Queue one text message per routed user with a mobile (or phone) number; the SMS
        queue sends them, never this transaction."""
        self.ensure_one()
        vals_list = []
        told = self.env["res.users"]
        for user in users:
            partner = user.partner_id
            number = partner.mobile or partner.phone
            if not number:
                continue
            vals_list.append(
                {
                    "number": partner._phone_format(number=number) or number,
                    "partner_id": partner.id,
                    "body": self._sms_body(),
                    "state": "outgoing",
                }
            )
            told |= user
        if vals_list:
            sms = self.env["sms.sms"].sudo().create(vals_list)
            self.write({"sms_ids": [Command.set(sms.ids)], "sms_user_ids": [Command.set(told.ids)]})

    def _kind_label(self):
        self.ensure_one()
        return dict(self._fields["kind"]._description_selection(self.env))[self.kind]

    def _sms_body(self):
        self.ensure_one()
        return self.env._(
            "%(company)s risk alert (%(severity)s): %(body)s",
            company=self.company_id.name,
            severity=dict(self._fields["severity"]._description_selection(self.env))[self.severity],
            body=self.body or "",
        )
