from odoo import Command, fields

from .common_order import RentalOrderCommon


class RiskCommon(RentalOrderCommon):
    """Rental orders with the risk rules replaced by the ones a test asks for.

    The salesperson of the orders is ``rental_user``; approvals are given by ``officer`` or
    ``manager``. Nothing relies on the default rules: each test switches them off and creates
    its own.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["rental.risk.rule"]
        cls.Event = cls.env["rental.risk.event"]
        cls.Rule.search([("company_id", "=", cls.company.id)]).active = False
        cls.officer_group = cls.env.ref("rental_risk.rental_risk_group_officer")
        cls.manager_group = cls.env.ref("rental_risk.rental_risk_group_manager")
        cls.customer.write({"user_id": cls.rental_user.id, "country_id": cls.env.ref("base.cn").id})

    @classmethod
    def _rule(cls, condition, action, **vals):
        return cls.Rule.create(
            {
                "name": f"{condition} {action}",
                "condition": condition,
                "action": action,
                "company_id": cls.company.id,
                **vals,
            }
        )

    @classmethod
    def _order(cls, lots=None, **vals):
        """A rental order of one camera sold by ``rental_user``."""
        return cls._create_rental_order(lots=lots, user_id=cls.rental_user.id, **vals)

    def _events(self, event_type, order=None, partner=None):
        domain = [("event_type", "=", event_type)]
        if order:
            domain.append(("order_id", "=", order.id))
        if partner:
            domain.append(("partner_id", "=", partner.commercial_partner_id.id))
        return self.Event.sudo().search(domain)

    def _post_invoice(self, amount, due, partner=None):
        """A posted customer invoice of ``amount`` due on ``due`` (no taxes)."""
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.customer).id,
                "invoice_date": fields.Date.to_date(due),
                "invoice_date_due": fields.Date.to_date(due),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Rental", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _blacklist(self, partner=None, reason="Fraud with a stolen card"):
        (partner or self.customer).with_user(self.manager)._rental_risk_set_blacklist(
            "fraud", reason
        )
