from datetime import timedelta

from odoo import Command, api, fields, models


class RentalDemoStory(models.AbstractModel):
    """The demo rental house's story, played through the real business methods: customer
    invoices paid on time, late or not at all; rental orders quoted, held, confirmed, picked
    up, late, returned, inspected, claimed and settled; one blacklisted customer and a
    look-alike. Called once from demo/rental_story_demo.xml; never used outside demo data."""

    _name = "rental.demo.story"
    _description = "Rental Demo Story"

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------

    @api.model
    def _rental_demo_story(self):
        company = self.env.ref("base.main_company")
        company.rental_deposit_enabled = True
        story = self.with_company(company).with_context(tracking_disable=True)
        return story._rental_demo_play()

    @api.model
    def _rental_demo_play(self):
        ref = self.env.ref
        customers = {
            key: ref(f"rental_risk.partner_{key}_demo")
            for key in "northlight quickshot bluehabour jane kestrel castlerock "
            "castlerock_lookalike".split()
        }
        lots = {
            key: ref(f"rental_risk.lot_{key}_demo")
            for key in "fx6_0001 fx6_0003 r5_1003 r5_1004 sg2470_501 sg2470_502 sg2470_503 "
            "rf70200_31 rf70200_32".split()
        }
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        day = timedelta(days=1)

        # Identity checked for the long-standing customers.
        for key, number in (("northlight", "GB-CRN-04418812"), ("jane", "P-533187204")):
            customers[key].write({"rental_kyc_id_type": "passport", "rental_kyc_id_number": number})
            customers[key].action_rental_kyc_verify()

        # Orders played while nobody is graded yet (a rental company's past).
        inspected = self._rental_demo_order(
            customers["northlight"], lots["sg2470_502"], now - 12 * day, now - 9 * day
        )
        self._rental_demo_pickup(inspected)
        self._rental_demo_return(inspected)
        self._rental_demo_inspect(lots["sg2470_502"], counter_reading=0)

        settled = self._rental_demo_order(
            customers["jane"], lots["sg2470_503"], now - 8 * day, now - 6 * day
        )
        settled.action_rental_invoice_deposit()
        self._rental_demo_pay(settled.invoice_ids, settled.date_order.date())
        self._rental_demo_pickup(settled)
        self._rental_demo_return(settled)
        self._rental_demo_inspect(lots["sg2470_503"])
        settled._rental_settle_deposit(refund_journal=self._rental_demo_bank())

        claimed = self._rental_demo_order(
            customers["quickshot"], lots["rf70200_31"], now - 7 * day, now - 4 * day
        )
        self._rental_demo_pickup(claimed)
        self._rental_demo_return(claimed)
        claim = self._rental_demo_inspect(
            lots["rf70200_31"],
            condition="poor",
            damaged=True,
            repair_estimate=420.0,
            damage_description="Cracked front element; autofocus motor grinding.",
        ).claim_ids
        claim.action_assess()
        claim.action_invoice()

        returned = self._rental_demo_order(
            customers["northlight"], lots["rf70200_32"], now - 5 * day, now - 1 * day
        )
        self._rental_demo_pickup(returned)
        self._rental_demo_return(returned)

        late = self._rental_demo_order(
            customers["kestrel"], lots["r5_1004"], now - 10 * day, now - 3 * day
        )
        self._rental_demo_pickup(late)
        self.env["sale.order.line"]._cron_flag_late_rentals()

        out = self._rental_demo_order(
            customers["jane"], lots["r5_1003"], now - 2 * day, now + timedelta(hours=4)
        )
        self._rental_demo_pickup(out)

        confirmed = self._rental_demo_order(
            customers["northlight"],
            lots["fx6_0001"] | lots["fx6_0003"],
            now,  # this hour: on today's board as "to pick up", whatever the time of install
            now + 4 * day,
        )

        # Years of invoices and payments: the facts the scoring reads.
        self._rental_demo_invoice_history(customers, now.date())
        customers["castlerock"]._rental_risk_set_blacklist(
            "unpaid", "Left 6,400.00 unpaid and kept a lens; debt passed to collection."
        )
        self.env["res.partner"].browse([c.id for c in customers.values()])._rental_risk_rescore()

        # Today's quotations: one waits for the credit department, one is still a draft.
        held = self._rental_demo_order(
            customers["quickshot"], lots["sg2470_501"], now + 5 * day, now + 7 * day, confirm=False
        )
        held.action_confirm()
        self._rental_demo_order(
            customers["bluehabour"], lots["fx6_0001"], now + 7 * day, now + 10 * day, confirm=False
        )

        # A book of customers paying for most of a year, some of them slipping, and the
        # scoring backtest the Risk Manager ran on it.
        self._rental_demo_backtest(ref("rental_risk.user_risk_manager_demo"))
        return confirmed

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _rental_demo_bank(self):
        return self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.env.company.id)], limit=1
        )

    def _rental_demo_order(self, partner, lots, start, end, confirm=True):
        lines = [
            Command.create(
                {
                    "product_id": product.id,
                    "product_uom_qty": len(
                        lots.filtered(lambda lot, p=product: lot.product_id == p)
                    ),
                    "rental_start": start,
                    "rental_end": end,
                    "rental_lot_ids": [
                        Command.set(lots.filtered(lambda lot, p=product: lot.product_id == p).ids)
                    ],
                }
            )
            for product in lots.product_id
        ]
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "date_order": min(start, fields.Datetime.now()),
                "order_line": lines,
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def _rental_demo_pickup(self, order):
        for picking in order._rental_get_pickings("pickup").filtered(lambda p: p.state != "done"):
            picking.button_validate()

    def _rental_demo_return(self, order):
        for picking in order._rental_get_pickings("return").filtered(lambda p: p.state != "done"):
            picking.button_validate()

    def _rental_demo_inspect(self, lot, **values):
        wizard = self.env["stock.lot.inspect"].create({"lot_id": lot.id, **values})
        wizard.action_confirm()
        return self.env["rental.inspection"].search([("lot_id", "=", lot.id)], limit=1)

    def _rental_demo_pay(self, invoices, date):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"journal_id": self._rental_demo_bank().id, "payment_date": date})
            ._create_payments()
        )

    def _rental_demo_draft_invoice(self, partner, date, amount, label="Rental", due_days=None):
        """A draft customer invoice of ``date``: one line of ``amount``, no tax; due
        ``due_days`` later (by default as the partner's payment terms say)."""
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": date,
            "invoice_line_ids": [
                Command.create({"name": label, "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }
        if due_days is not None:
            vals["invoice_date_due"] = date + timedelta(days=due_days)
        return self.env["account.move"].create(vals)

    def _rental_demo_invoice(self, partner, date, amount, label, pay_days=None, due_days=30):
        """A posted invoice of ``date``, due ``due_days`` later, paid ``pay_days`` after its due
        date (negative: early; None: not paid)."""
        invoice = self._rental_demo_draft_invoice(partner, date, amount, label, due_days)
        invoice.action_post()
        if pay_days is not None:
            self._rental_demo_pay(invoice, date + timedelta(days=due_days + pay_days))
        return invoice

    def _rental_demo_invoice_history(self, customers, today):
        # (customer, days ago, amount, days paid after the due date or None if unpaid)
        history = [
            ("northlight", 1100, 12000.0, -3),
            ("northlight", 720, 14500.0, -1),
            ("northlight", 400, 11800.0, 0),
            ("northlight", 180, 9600.0, -2),
            ("northlight", 50, 4200.0, 1),
            ("jane", 520, 1850.0, 0),
            ("jane", 260, 2400.0, 2),
            ("jane", 95, 1650.0, -4),
            ("quickshot", 700, 3900.0, 12),
            ("quickshot", 430, 2750.0, 18),
            ("quickshot", 160, 3300.0, 15),
            ("quickshot", 75, 1980.0, 22),
            ("quickshot", 48, 1240.0, None),
            ("kestrel", 400, 2600.0, 40),
            ("kestrel", 150, 5400.0, None),
            ("kestrel", 110, 2100.0, None),
        ]
        for key, days_ago, amount, pay_days in history:
            self._rental_demo_invoice(
                customers[key],
                today - timedelta(days=days_ago),
                amount,
                "Camera and lighting rental",
                pay_days=pay_days,
            )
