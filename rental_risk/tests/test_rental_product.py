from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import RentalCommon


@tagged("post_install", "-at_install")
class TestRentalProduct(RentalCommon):
    def test_rental_requires_serial_tracking(self):
        """A product tracked by lots (not serials) cannot be rented."""
        with self.assertRaisesRegex(ValidationError, "unique serial number"):
            self.env["product.template"].create(
                {
                    "name": "Batteries",
                    "type": "consu",
                    "is_storable": True,
                    "tracking": "lot",
                    "rental_ok": True,
                }
            )

    def test_rental_requires_storable(self):
        """A product not tracked in inventory cannot be rented."""
        with self.assertRaises(ValidationError):
            self.env["product.template"].create(
                {"name": "Gaffer Tape", "type": "consu", "rental_ok": True}
            )

    def test_untracking_rental_product_refused(self):
        """A rental product cannot lose its serial tracking."""
        with self.assertRaises(ValidationError):
            self.camera.product_tmpl_id.tracking = "none"

    def test_variant_reaches_rental_fields(self):
        """The variant exposes the template's rental terms."""
        self.assertTrue(self.camera.rental_ok)
        self.assertEqual(self.camera.rental_padding_hours, 4.0)
        self.assertEqual(self.camera.rental_price_day, 100.0)
        self.assertIn(self.camera, self.env["product.product"].search([("rental_ok", "=", True)]))

    def test_negative_rental_price_refused(self):
        """Rental prices and durations cannot be negative."""
        with self.assertRaises(ValidationError):
            self.camera.rental_padding_hours = -1.0
