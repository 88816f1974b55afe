from datetime import date, datetime

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

#: An override end far enough for any test.
FAR_FUTURE = date(2099, 12, 31)


class RiskHelpers:
    """Set a customer's risk the way the addon does: decisions through their methods, and
    computed figures as the rescoring stores them (which nobody may write directly)."""

    @classmethod
    def _as_rescoring(cls, partner, **vals):
        """Store scoring results on ``partner`` as the rescoring does (behind the guard)."""
        with cls.env["rental.risk.decision"]._open_guard():
            partner.sudo().write(vals)

    @classmethod
    def _as_life_cycle(cls, lots, **vals):
        """Move serials in their life cycle as pickups, returns and inspections do."""
        lots.sudo()._rental_write_life_cycle(vals)

    @classmethod
    def _override_grade(cls, partner, grade, manager=None, until=FAR_FUTURE):
        """Override ``partner``'s grade as a Risk Manager would."""
        manager = manager or cls._risk_manager()
        partner.with_user(manager)._rental_risk_set_override(grade, "Set by the test", until)

    @classmethod
    def _set_limit(cls, partner, amount, manager=None):
        """Set ``partner``'s credit limit by hand (``None``: follow the grade again)."""
        manager = manager or cls._risk_manager()
        partner.with_user(manager)._rental_risk_set_credit_limit(amount, "Set by the test")

    @classmethod
    def _verify_identity(cls, partner, officer=None, number="X1234567"):
        """Enter an identity document and have a Risk Officer verify it."""
        partner.sudo().write({"rental_kyc_id_type": "passport", "rental_kyc_id_number": number})
        partner.with_user(officer or cls._risk_manager()).action_rental_kyc_verify()

    @classmethod
    def _risk_manager(cls):
        manager = getattr(cls, "risk_manager", None) or getattr(cls, "manager", None)
        if manager is None:
            manager = new_test_user(
                cls.env,
                login="rr_helper_manager",
                groups="rental_risk.rental_risk_group_manager",
                company_id=cls.env.company.id,
                company_ids=[Command.set(cls.env.user.company_ids.ids)],
            )
            cls.risk_manager = manager
        return manager


class RentalCommon(RiskHelpers, TransactionCase):
    """Rental products with serials on hand, a customer and one user per rental role.

    Built from scratch in the current company; nothing here relies on demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # The demo company asks deposits: tests start without, and switch them on when needed.
        cls.company.rental_deposit_enabled = False
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer = cls.env["res.partner"].create(
            {"name": "Test Rental Customer", "email": "customer@example.com"}
        )
        cls.camera = cls._create_rental_product(
            "Test Cinema Camera", code="TCAM", day=100.0, padding=4.0, replacement=5000.0
        )
        cls.lens = cls._create_rental_product(
            "Test Zoom Lens", code="TLENS", day=30.0, padding=0.0, replacement=1200.0
        )
        cls.camera_lots = cls._create_lots(cls.camera, ["TCAM-01", "TCAM-02", "TCAM-03"])
        cls.lens_lots = cls._create_lots(cls.lens, ["TLENS-01", "TLENS-02"])
        cls.lot_1, cls.lot_2, cls.lot_3 = cls.camera_lots
        cls.plain_product = cls.env["product.product"].create(
            {
                "name": "Test Tripod (sold, not rented)",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
            }
        )
        cls.plain_lot = cls.env["stock.lot"].create(
            {"name": "TRIPOD-01", "product_id": cls.plain_product.id, "company_id": cls.company.id}
        )
        cls.rental_user = new_test_user(
            cls.env, login="rr_rental_user", groups="rental_risk.rental_risk_group_user"
        )
        cls.warehouse_user = new_test_user(
            cls.env, login="rr_warehouse_user", groups="rental_risk.rental_risk_group_warehouse"
        )
        cls.officer = new_test_user(
            cls.env, login="rr_officer", groups="rental_risk.rental_risk_group_officer"
        )
        cls.manager = new_test_user(
            cls.env,
            login="rr_manager",
            groups="rental_risk.rental_risk_group_manager",
        )
        cls.salesman = new_test_user(
            cls.env, login="rr_salesman", groups="sales_team.group_sale_salesman"
        )
        # A week in the future, far from "now" so that tests do not depend on the clock.
        cls.start = datetime(2031, 3, 3, 9, 0)
        cls.end = datetime(2031, 3, 7, 17, 0)

    @classmethod
    def _create_rental_product(cls, name, code, day, padding=0.0, replacement=0.0):
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "rental_ok": True,
                "list_price": day,
                "rental_price_day": day,
                "rental_price_week": day * 5,
                "rental_replacement_value": replacement,
                "rental_late_fee_day": day,
                "rental_grace_hours": 2.0,
                "rental_padding_hours": padding,
            }
        )

    @classmethod
    def _create_lots(cls, product, names, company=None, with_stock=True):
        company = company or cls.company
        lots = cls.env["stock.lot"].create(
            [{"name": name, "product_id": product.id, "company_id": company.id} for name in names]
        )
        if with_stock:
            location = (
                cls.env["stock.warehouse"]
                .search([("company_id", "=", company.id)], limit=1)
                .lot_stock_id
            )
            for lot in lots:
                cls.env["stock.quant"]._update_available_quantity(product, location, 1, lot_id=lot)
        return lots

    @classmethod
    def _create_sale_order(cls, product=None, qty=1.0, partner=None):
        """A draft sale order with one line; rental fields of the line are left to callers."""
        product = product or cls.camera
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "price_unit": product.list_price,
                        }
                    )
                ],
            }
        )

    def _book(self, lot, start=None, end=None, **vals):
        """Book ``lot`` directly (no order), from ``start`` to ``end``."""
        return self.env["rental.booking"].create(
            {
                "lot_id": lot.id,
                "date_start": start or self.start,
                "date_end": end or self.end,
                **vals,
            }
        )
