from datetime import datetime
from urllib.parse import urlencode

import pytz

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class RentalCustomerPortal(CustomerPortal):
    """The customer's side of a rental in the portal: Odoo's order page shows the serials,
    the deposit and the claims (see sale_order_portal.py); here the customer asks for an
    extension."""

    @http.route(
        "/my/orders/<int:order_id>/rental/extend",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def rental_request_extension(self, order_id, access_token=None, end=None, note=None, **kw):
        try:
            order_sudo = self._document_check_access(
                "sale.order", order_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        partner = None if request.env.user._is_public() else request.env.user.partner_id
        try:
            asked = order_sudo._rental_request_extension(
                self._rental_parse_local_datetime(end, order_sudo), note=note, partner=partner
            )
            message = "sent" if asked else "pending"
        except UserError:
            message = "invalid"
        return request.redirect(
            order_sudo.get_portal_url(
                query_string=f"&{urlencode({'rental_extension': message})}", anchor="rental"
            )
        )

    def _rental_parse_local_datetime(self, value, order):
        """The UTC datetime of a datetime-local form value typed in the customer's time zone
        (else the salesperson's), or None when it is not a date."""
        try:
            local = datetime.fromisoformat(value or "")
        except ValueError:
            return None
        tz_name = request.env.user.tz or order.user_id.tz or "UTC"
        try:
            tz = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc
        return tz.localize(local.replace(tzinfo=None)).astimezone(pytz.utc).replace(tzinfo=None)
