import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

#: Fault reports accepted per asset token, and per IP address, in an hour, unless the system
#: parameter ``rental_risk.fault_report_hourly_limit`` says otherwise.
FAULT_REPORTS_PER_HOUR = 3
#: Photos kept per report, and the size of each (bytes): a phone picture, not a video.
FAULT_PHOTOS_MAX = 5
FAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024


class StockLot(models.Model):
    """The public page of a rental serial, reached from the QR code of its label: a customer
    reports a fault there without logging in, and confirms the fix.

    The page is found by an unguessable token (256 random bits) and by nothing else: serial
    numbers and ids are easy to guess, the token is not, and a Risk Manager can replace it
    when a label leaks."""

    _inherit = "stock.lot"
    _sql_constraints = [
        (
            "rental_fault_token_uniq",
            "unique (rental_fault_token)",
            "Two assets cannot share the token of their public page; regenerate it.",
        ),
    ]

    rental_fault_token = fields.Char(
        string="Public Page Token",
        copy=False,
        readonly=True,
        groups="base.group_user",
        help="Secret part of the address the label's QR code opens.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        lots = super().create(vals_list)
        lots.filtered("rental_ok")._rental_set_fault_tokens()
        return lots

    def _rental_protected_fields(self):
        return {
            **super()._rental_protected_fields(),
            "rental_fault_token": self.env._(
                "The token of an asset's public page is drawn at random; a Risk Manager "
                "replaces it with the button Regenerate QR Token."
            ),
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_regenerate_fault_token(self):
        """Draw a new token (Risk Manager): the old QR codes stop working, print new labels."""
        self._rental_check_group("rental_risk.rental_risk_group_manager")
        self._rental_set_fault_tokens()
        Event = self.env["rental.risk.event"]
        # Posted as superuser: a Risk Manager need not have the Inventory rights on serials.
        for lot in self.sudo():
            Event._log(
                "qr_token",
                company=lot.company_id or self.env.company,
                details=self.env._(
                    "QR token of %(serial)s replaced; its old labels no longer open its page.",
                    serial=lot.display_name,
                ),
            )
            lot.message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._(
                    "New QR token drawn: the old labels of this asset no longer open its page; "
                    "print a new label."
                ),
            )
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_set_fault_tokens(self):
        with self.env["rental.risk.decision"]._open_guard():
            for lot in self.sudo():
                lot.rental_fault_token = secrets.token_urlsafe(32)

    def _rental_fault_token_get(self):
        """The token of the serial's public page, drawn on first use for older serials."""
        self.ensure_one()
        if not self.sudo().rental_fault_token:
            self._rental_set_fault_tokens()
        return self.sudo().rental_fault_token

    def _rental_fault_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/rental/asset/{self._rental_fault_token_get()}"

    @api.model
    def _rental_find_by_fault_token(self, token):
        """The rental serial whose public page token is ``token``, or an empty recordset."""
        if not token or not isinstance(token, str) or len(token) < 32:
            return self.browse()
        lot = self.sudo().search(
            [("rental_fault_token", "=", token), ("rental_ok", "=", True)], limit=1
        )
        if not lot or not secrets.compare_digest(lot.rental_fault_token, token):
            return self.browse()
        return lot

    @api.model
    def _rental_fault_hourly_limit(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("rental_risk.fault_report_hourly_limit")
        )
        try:
            return max(int(value), 1) if value else FAULT_REPORTS_PER_HOUR
        except ValueError:
            return FAULT_REPORTS_PER_HOUR

    def _rental_fault_rate_limited(self, ip):
        """Whether one more report on this serial, or from ``ip``, would exceed the hourly
        limit (one count over the requests of the last hour)."""
        self.ensure_one()
        limit = self._rental_fault_hourly_limit()
        since = fields.Datetime.now() - timedelta(hours=1)
        Request = self.env["maintenance.request"].sudo().with_context(active_test=False)
        base = [("rental_via_qr", "=", True), ("create_date", ">=", since)]
        if Request.search_count([*base, ("rental_lot_id", "=", self.id)], limit=limit) >= limit:
            return True
        return bool(ip) and (
            Request.search_count([*base, ("rental_reporter_ip", "=", ip)], limit=limit) >= limit
        )

    def _rental_fault_technician(self):
        """Who the fault goes to: the equipment's technician, else its category's, else a
        member of its maintenance team, else a Rental Warehouse user of the company."""
        self.ensure_one()
        equipment = self.sudo().rental_equipment_id
        company = self.company_id or self.env.company
        return (
            equipment.technician_user_id
            or equipment.category_id.technician_user_id
            or equipment.maintenance_team_id.member_ids[:1]
            or company._rental_risk_group_users("rental_risk.rental_risk_group_warehouse")[:1]
        )

    def _rental_report_fault(self, description, photos=(), ip=None):
        """Record a fault reported from the serial's public page: a maintenance request on the
        serial and its current rental, dispatched with an activity to a technician.

        :param photos: [(file name, mimetype, bytes)]
        :raise UserError: no description, or too many reports in the last hour
        """
        self.ensure_one()
        lot = self.sudo()
        description = (description or "").strip()
        if not description:
            raise UserError(self.env._("Describe the fault before sending the report."))
        if lot._rental_fault_rate_limited(ip):
            raise UserError(
                self.env._(
                    "Thank you, we have already received several reports about this asset in "
                    "the last hour. Please try again later, or call us."
                )
            )
        lot._rental_ensure_equipment()
        technician = lot._rental_fault_technician()
        now = fields.Datetime.now()
        with self.env["rental.risk.decision"]._open_guard():
            request = (
                self.env["maintenance.request"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Fault reported on %(serial)s", serial=lot.display_name),
                        "description": plaintext2html(description[:5000]),
                        "company_id": (lot.company_id or self.env.company).id,
                        "equipment_id": lot.rental_equipment_id.id,
                        "maintenance_type": "corrective",
                        "priority": "2",
                        "schedule_date": now,
                        "owner_user_id": lot.rental_order_id.user_id.id or False,
                        "user_id": technician.id or False,
                        "rental_lot_id": lot.id,
                        "rental_order_id": lot.rental_order_id.id or False,
                        "rental_via_qr": True,
                        "rental_reporter_ip": ip or False,
                    }
                )
            )
        request._rental_let_technician_see_equipment()
        attachments = [
            {
                "name": name or "photo",
                "raw": content,
                "mimetype": mimetype,
                "res_model": "maintenance.request",
                "res_id": request.id,
            }
            for name, mimetype, content in photos[:FAULT_PHOTOS_MAX]
            if content
            and len(content) <= FAULT_PHOTO_MAX_BYTES
            and (mimetype or "").startswith("image/")
        ]
        if attachments:
            created = self.env["ir.attachment"].sudo().create(attachments)
            request.message_post(
                body=self.env._("Photos sent with the report."), attachment_ids=created.ids
            )
        return request

    def _rental_fixed_requests(self):
        """Requests reported from this serial's page, finished by the technician and not yet
        confirmed by the customer."""
        self.ensure_one()
        return (
            self.env["maintenance.request"]
            .sudo()
            .search(
                [
                    ("rental_lot_id", "=", self.id),
                    ("rental_via_qr", "=", True),
                    ("stage_id.done", "=", True),
                    ("rental_fix_confirmed_on", "=", False),
                    ("archive", "=", False),
                ],
                order="id desc",
                limit=10,
            )
        )

    def _rental_confirm_fixed(self, request_id):
        """Record the customer's confirmation that the fault ``request_id`` of this serial is
        fixed. Only once, and only for a finished request of this very serial.

        :return: whether the confirmation was recorded
        """
        self.ensure_one()
        request = self._rental_fixed_requests().filtered(lambda r: r.id == request_id)
        if not request:
            return False
        with self.env["rental.risk.decision"]._open_guard():
            request.rental_fix_confirmed_on = fields.Datetime.now()
        request.message_post(body=self.env._("The customer confirmed that the fault is fixed."))
        return True
