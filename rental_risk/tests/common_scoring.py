from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.base.tests.common import new_test_user

from .common import RiskHelpers


class CreditScoringCommon(RiskHelpers, AccountTestInvoicingCommon):
    """A company with accounts, a second currency (EUR at 2 per USD), risk users and a customer.

    Invoices carry no taxes so amounts are checked to the cent without tax arithmetic.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.eur = cls.setup_other_currency("EUR")
        # The invoicing user of the test runs everything; it is also Risk Manager.
        cls.env.user.groups_id |= cls.env.ref("rental_risk.rental_risk_group_manager")
        cls.salesman = new_test_user(
            cls.env,
            login="rr_salesman",
            groups="sales_team.group_sale_salesman,rental_risk.rental_risk_group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.rental_user = new_test_user(
            cls.env,
            login="rr_rental_user",
            groups="rental_risk.rental_risk_group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.officer = new_test_user(
            cls.env,
            login="rr_officer",
            groups="rental_risk.rental_risk_group_officer",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Acme Rentals",
                "is_company": True,
                "user_id": cls.salesman.id,
                # Due on the invoice date, so days late are counted from the invoice date.
                "property_payment_term_id": cls.pay_terms_a.id,
            }
        )
        cls.service = cls._create_product(
            name="Rental service",
            type="service",
            invoice_policy="order",
            lst_price=100.0,
            taxes_id=[Command.clear()],
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def invoice(self, amount, date, partner=None, currency=None, move_type="out_invoice"):
        """Post a customer invoice (or credit note) of ``amount`` due on ``date``."""
        return self.init_invoice(
            move_type,
            partner=partner or self.customer,
            invoice_date=fields.Date.to_date(date),
            amounts=[amount],
            taxes=[],
            post=True,
            currency=currency,
        )

    def pay(self, invoices, amount, date):
        """Register a payment of ``amount`` on ``invoices`` dated ``date``."""
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"payment_date": fields.Date.to_date(date), "amount": amount})
            ._create_payments()
        )

    def history(self, partner):
        return self.env["rental.score.history"].search([("partner_id", "=", partner.id)])
