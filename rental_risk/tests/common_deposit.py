from odoo import fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common_order import RentalOrderCommon


class DepositCommon(RentalOrderCommon, AccountTestInvoicingCommon):
    """Rental assets and orders (RentalOrderCommon) in a company with a chart of accounts
    (AccountTestInvoicingCommon), so deposits and claims post real journal entries.

    The test user is a Risk Manager and an accountant; the rental users come from RentalCommon.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("rental_risk.rental_risk_group_manager")
        cls.env.user.groups_id |= cls.env.ref("rental_risk.rental_risk_group_warehouse")
        cls.company.rental_deposit_enabled = True
        # Claims are settled against the deposit here: their invoices are posted at once.
        cls.company.rental_claim_invoice_post = True
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.deposit_product = cls.env.ref("rental_risk.product_rental_deposit")
        cls.damage_product = cls.env.ref("rental_risk.product_damage_charge")
        cls.receivable = cls.customer.with_company(cls.company).property_account_receivable_id

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def _set_grade(cls, partner, grade):
        cls._override_grade(partner, grade)

    def _pay(self, moves, amount=None):
        vals = {"journal_id": self.bank_journal.id}
        if amount is not None:
            vals["amount"] = amount
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(vals)
            ._create_payments()
        )

    def _confirmed_order(self, **kwargs):
        order = self._create_rental_order(**kwargs)
        order.action_confirm()
        return order

    def _balance(self, account, partner=None):
        domain = [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        if partner:
            domain.append(("partner_id", "=", partner.commercial_partner_id.id))
        lines = self.env["account.move.line"].search(domain)
        return self.company.currency_id.round(sum(lines.mapped("balance")))

    def _today(self):
        return fields.Date.context_today(self.env.user)
