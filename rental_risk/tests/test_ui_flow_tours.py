from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .common_deposit import DepositCommon
from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestUiFlowTours(RiskCommon, DepositCommon, HttpCase):
    """The flows after the quotation, clicked through in Chromium by the people who do them:
    return inspection and claim, deposit, risk decisions, extension. Each tour opens on the
    record it is about; what it did is checked in the database afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="rr_flow_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        for user in (
            cls.rental_user,
            cls.warehouse_user,
            cls.officer,
            cls.manager,
            cls.accountant,
        ):
            user.tour_enabled = False

    def _confirmed(self, **vals):
        order = self._order(lots=self.lot_1, **vals)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _out_and_back(self, order):
        """The order's gear handed out and taken back: its serial awaits inspection."""
        self._validate(self._pickup(order))
        returned = self._return(order)
        self._validate(returned)
        self.assertEqual(self.lot_1.rental_state, "inspection")
        return returned

    def test_inspection_damage_claim_invoice(self):
        """The clerk inspects a returned camera and lands on the damage claim; the salesperson
        assesses and invoices it: a draft invoice for the accountant."""
        self.company.rental_claim_invoice_post = False
        order = self._confirmed()
        returned = self._out_and_back(order)
        self.start_tour(
            f"/odoo/stock.picking/{returned.id}",
            "rental_risk_flow_inspect_damage",
            login=self.warehouse_user.login,
        )
        self.assertEqual(self.lot_1.rental_state, "repair")
        self.assertEqual(self.lot_1.rental_condition, "poor")
        claim = self.env["rental.damage.claim"].search([("lot_id", "=", self.lot_1.id)])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.state, "draft")
        self.assertEqual(claim.assessed_amount, 400.0)
        self.assertEqual(claim.order_id, order)
        self.assertEqual(claim.inspection_id.outcome, "damaged")

        self.start_tour(
            "/odoo/action-rental_risk.rental_damage_claim_action",
            "rental_risk_flow_invoice_claim",
            login=self.rental_user.login,
        )
        self.assertEqual(claim.state, "invoiced")
        invoice = claim.invoice_id
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "draft", "the accountant reviews it before posting")
        self.assertEqual(invoice.amount_total, 400.0)
        self.assertEqual(invoice.partner_id, self.customer)

    def test_deposit_invoiced_paid_settled(self):
        """The salesperson invoices the deposit, the accountant registers its payment, and once
        the gear is back a Risk Officer settles it: the whole deposit is refunded."""
        self._set_grade(self.customer, "C")
        order = self._confirmed()
        self.assertEqual(order.rental_deposit_required, 1500.0)

        self.start_tour(
            f"/odoo/sale.order/{order.id}",
            "rental_risk_flow_invoice_deposit",
            login=self.rental_user.login,
        )
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 1500.0))
        self.assertTrue(invoice.invoice_line_ids.sale_line_ids.is_rental_deposit)

        self.start_tour(
            f"/odoo/account.move/{invoice.id}",
            "rental_risk_flow_pay_deposit",
            login=self.accountant.login,
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.rental_deposit_paid, 1500.0)
        self.assertEqual(order.rental_deposit_held, 1500.0)

        self._out_and_back(order)
        self._inspect(self.lot_1, condition="good")
        self.start_tour(
            f"/odoo/sale.order/{order.id}",
            "rental_risk_flow_settle_deposit",
            login=self.officer.login,
        )
        settlement = order.rental_deposit_settlement_ids
        self.assertEqual(len(settlement), 1)
        self.assertEqual(settlement.user_id, self.officer)
        self.assertEqual(
            (settlement.held_amount, settlement.applied_amount, settlement.refund_amount),
            (1500.0, 0.0, 1500.0),
        )
        refund = settlement.refund_move_id
        self.assertEqual((refund.move_type, refund.state), ("out_refund", "posted"))
        self.assertEqual(refund.amount_total, 1500.0)
        self.assertTrue(order.rental_deposit_settled)
        self.assertEqual(order.rental_deposit_held, 0.0)

    def test_risk_manager_overrides_grade_and_releases_lock(self):
        """A Risk Manager overrides a grade from the customer's Risk tab and releases a pickup
        the risk lock holds: both decisions are records that name the manager."""
        Decision = self.env["rental.risk.decision"]
        self.start_tour(
            f"/odoo/res.partner/{self.customer.id}",
            "rental_risk_flow_override_grade",
            login=self.manager.login,
        )
        override = Decision.search(
            [("kind", "=", "grade_override"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(override), 1)
        self.assertEqual(override.user_id, self.manager)
        self.assertEqual((override.grade, override.reason), ("B", "Bank guarantee received"))
        self.assertEqual(self.customer.rental_grade_override, "B")
        self.assertEqual(self.customer.rental_grade, "B")

        locked = self.env["res.partner"].create(
            {"name": "Tour Locked Customer", "user_id": self.rental_user.id}
        )
        order = self._confirmed(partner_id=locked.id)
        self._blacklist(locked)
        pickup = self._pickup(order)
        self.assertTrue(pickup._rental_risk_delivery_lock_reasons(), "the pickup is locked")
        self.start_tour(
            f"/odoo/stock.picking/{pickup.id}",
            "rental_risk_flow_release_lock",
            login=self.manager.login,
        )
        release = Decision.search([("kind", "=", "release"), ("picking_id", "=", pickup.id)])
        self.assertEqual(len(release), 1)
        self.assertEqual(release.user_id, self.manager)
        self.assertEqual(release.reason, "Customer paid cash at the counter.")
        self.assertEqual(pickup.rental_risk_released_by_id, self.manager)
        # The release lets this pickup out.
        self._validate(pickup)
        self.assertEqual(pickup.state, "done")

    def test_salesperson_extends_a_rental(self):
        """Change Rental on a confirmed order extends it by three days: the booking moves and
        the line is priced for the longer period."""
        order = self._confirmed()
        line = order.order_line.filtered("is_rental")
        price_before = line.price_unit
        self.start_tour(
            f"/odoo/sale.order/{order.id}",
            "rental_risk_flow_extend",
            login=self.rental_user.login,
        )
        self.assertEqual(line.rental_end.date(), date(2031, 3, 10))
        booking = line.rental_booking_ids.filtered(lambda b: b.state == "reserved")
        self.assertEqual(booking.lot_id, self.lot_1)
        self.assertEqual(booking.date_end, line.rental_end)
        self.assertGreater(line.price_unit, price_before)
        self.assertEqual(line.price_unit, line._rental_get_period_price())
