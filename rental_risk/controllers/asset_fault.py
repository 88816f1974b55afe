from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.stock_lot_fault import FAULT_PHOTO_MAX_BYTES, FAULT_PHOTOS_MAX


class RentalAssetFault(http.Controller):
    """The public page of a rental asset, opened by the QR code of its label.

    It shows the product and the serial number and nothing else (no customer, no order, no
    other asset); anyone holding the asset can report a fault there and confirm its fix. The
    token is the only key: an unknown one is a plain 404, the same as a page that never
    existed."""

    def _get_lot(self, token):
        lot = request.env["stock.lot"]._rental_find_by_fault_token(token)
        if not lot:
            raise NotFound()
        return lot

    def _render(self, lot, **values):
        return request.render(
            "rental_risk.rental_asset_fault_page",
            {
                "token": lot.rental_fault_token,
                "product_name": lot.product_id.display_name,
                "serial": lot.name,
                "fixed_requests": [
                    {"id": req.id, "date": req.request_date} for req in lot._rental_fixed_requests()
                ],
                **values,
            },
        )

    @http.route(
        "/rental/asset/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def rental_asset_page(self, token, **kwargs):
        return self._render(self._get_lot(token))

    @http.route(
        "/rental/asset/<string:token>/report",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def rental_asset_report(self, token, description=None, **kwargs):
        lot = self._get_lot(token)
        uploads = request.httprequest.files.getlist("photos")[:FAULT_PHOTOS_MAX]
        photos = [
            (upload.filename or "photo", upload.mimetype, upload.read(FAULT_PHOTO_MAX_BYTES + 1))
            for upload in uploads
        ]
        try:
            lot._rental_report_fault(description, photos, ip=request.httprequest.remote_addr)
        except UserError as error:
            return self._render(lot, error=str(error), description=description or "")
        return self._render(lot, reported=True)

    @http.route(
        "/rental/asset/<string:token>/confirm/<int:request_id>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def rental_asset_confirm(self, token, request_id, **kwargs):
        lot = self._get_lot(token)
        if not lot._rental_confirm_fixed(request_id):
            raise NotFound()
        return self._render(lot, confirmed=True)
