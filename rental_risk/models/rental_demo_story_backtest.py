from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

#: Customers of the demo's payment book: most pay within days ...
STEADY_NAMES = (
    "Aperture Works",
    "Bright Frame Studio",
    "Cinetech Hire",
    "Dollyshot Productions",
    "Echo Valley Films",
    "Fieldlight Media",
    "Gaffer & Grip Ltd",
    "Harbour Light Pictures",
    "Iris Motion",
    "Juniper Reels",
    "Keyframe Collective",
    "Lumen Event Services",
)
#: ... a few stretch their payments month after month, then stop paying.
SLIPPING_NAMES = (
    "Mosaic Live Events",
    "Northgate Promotions",
    "Orbit Stage Hire",
    "Pinnacle Roadshows",
)
#: Months of invoices in the book, the last one two months before today.
BOOK_MONTHS = 10


class RentalDemoStory(models.AbstractModel):
    _inherit = "rental.demo.story"

    @api.model
    def _rental_demo_backtest(self, officer):
        """The demo's payment book and a 6-month scoring backtest run by ``officer`` on it
        (Reporting > Scoring Backtests): the slipping customers are graded D or E months
        before they default, which is what the backtest measures."""
        today = fields.Date.context_today(self)
        self._rental_demo_payment_book(today, STEADY_NAMES, SLIPPING_NAMES)
        return self.env["rental.score.backtest"].with_user(officer)._run(6)

    @api.model
    def _rental_demo_payment_book(self, today, steady_names, slipping_names, payment_term=None):
        """Customers invoiced about 1,000.00 on the 5th of each of the ``BOOK_MONTHS`` months
        ending two months before ``today``, due at once (``payment_term``: immediate payment
        by default). The steady ones pay within 0-3 days (every fifth one 8 days late now and
        then); a slipping one pays on time, then 15, 30 and 45 days late from its fourth to
        seventh month, then stops paying. Invoices are posted and paid through the payment
        wizard, one per payment date. Returns ``(steady, slipping)`` partners."""
        term = payment_term or self.env.ref("account.account_payment_term_immediate")
        payments = defaultdict(lambda: self.env["account.move"])
        steady = self._rental_demo_book_customers(today, steady_names, False, term, payments)
        slipping = self._rental_demo_book_customers(today, slipping_names, True, term, payments)
        self.env["account.move"].search(
            [("partner_id", "in", (steady | slipping).ids), ("state", "=", "draft")]
        ).action_post()
        # One payment wizard per payment date (a payment per invoice): a few dozen
        # rescorings instead of one per payment.
        for paid_on, invoices in sorted(payments.items()):
            (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoices.ids)
                .create({"payment_date": paid_on, "group_payment": False})
                ._create_payments()
            )
        return steady, slipping

    @api.model
    def _rental_demo_book_customers(self, today, names, slipping, term, payments):
        """Customers ``names`` and their draft invoices; ``payments`` collects {payment date:
        invoices paid that day} (only days up to ``today``)."""
        customers = self.env["res.partner"]
        first = today.replace(day=1) - relativedelta(months=BOOK_MONTHS + 1)
        for index, name in enumerate(names):
            customer = self.env["res.partner"].create(
                {
                    "name": name,
                    "is_company": True,
                    "customer_rank": 1,
                    "property_payment_term_id": term.id,
                }
            )
            customers |= customer
            start = 3 + index % 4  # month of the book the slide begins
            for month in range(BOOK_MONTHS):
                day = first + relativedelta(months=month, day=5)
                invoice = self._rental_demo_draft_invoice(customer, day, 1000.0 + 10 * index)
                if slipping and month >= start:
                    late = 15 * (month - start + 1)
                    if late > 45:
                        continue  # defaulted: never paid
                else:
                    late = index % 4 + (8 if index % 5 == 0 and month % 3 == 0 else 0)
                paid_on = day + timedelta(days=late)
                if paid_on <= today:
                    payments[paid_on] |= invoice
        return customers
