from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..engine.deposits import NEUTRAL_GRADE, required_deposit

#: Who may invoice a deposit: the people who sell, and the accountants.
DEPOSIT_INVOICERS = ("sales_team.group_sale_salesman", "account.group_account_invoice")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rental_deposit_shown = fields.Boolean(
        string="Show the Deposit",
        compute="_compute_rental_deposit_shown",
        help="The company asks deposits, or the order already has a deposit line: the deposit "
        "tab and buttons are shown.",
    )
    rental_deposit_required = fields.Monetary(
        string="Required Deposit",
        compute="_compute_rental_deposit_required",
        help="Replacement value of the rented assets x the customer's grade rate (raised by a "
        "risk rule), at least the company's minimum.",
    )
    rental_deposit_invoiced = fields.Monetary(
        string="Deposit Invoiced", compute="_compute_rental_deposit_ledger"
    )
    rental_deposit_paid = fields.Monetary(
        string="Deposit Paid", compute="_compute_rental_deposit_ledger"
    )
    rental_deposit_applied = fields.Monetary(
        string="Deposit Applied",
        compute="_compute_rental_deposit_ledger",
        help="Part of the deposit used to pay the order's claims, late fees and retention.",
    )
    rental_deposit_refunded = fields.Monetary(
        string="Deposit Refunded", compute="_compute_rental_deposit_ledger"
    )
    rental_deposit_held = fields.Monetary(
        string="Deposit Held",
        compute="_compute_rental_deposit_ledger",
        help="Deposit paid and not yet applied or refunded: the money held for the customer.",
    )
    rental_deposit_settlement_ids = fields.One2many(
        "rental.deposit.settlement",
        "order_id",
        string="Deposit Settlements",
        groups="rental_risk.rental_risk_group_user,rental_risk.rental_risk_group_warehouse",
    )
    rental_deposit_settled = fields.Boolean(
        string="Deposit Settled", compute="_compute_rental_deposit_settled", store=True
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "is_rental_order", "company_id.rental_deposit_enabled", "order_line.is_rental_deposit"
    )
    def _compute_rental_deposit_shown(self):
        for order in self:
            company = order.company_id or self.env.company
            order.rental_deposit_shown = order.is_rental_order and (
                company.rental_deposit_enabled or any(order.order_line.mapped("is_rental_deposit"))
            )

    @api.depends(
        "order_line.is_rental",
        "order_line.product_uom_qty",
        "order_line.rental_lot_ids",
        "partner_id",
        "company_id.rental_deposit_enabled",
    )
    def _compute_rental_deposit_required(self):
        for order in self:
            order.rental_deposit_required = order._rental_compute_required_deposit()

    def _compute_rental_deposit_ledger(self):
        ledgers = self._rental_deposit_ledgers()
        for order in self:
            ledger = ledgers[order.id]
            order.rental_deposit_invoiced = ledger["invoiced"]
            order.rental_deposit_paid = ledger["paid"]
            order.rental_deposit_applied = ledger["applied"]
            order.rental_deposit_refunded = ledger["refunded"]
            order.rental_deposit_held = ledger["held"]

    @api.depends("rental_deposit_settlement_ids")
    def _compute_rental_deposit_settled(self):
        for order in self:
            order.rental_deposit_settled = bool(order.rental_deposit_settlement_ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_update_deposit(self):
        """Add or update the deposit line of quotations to the required deposit."""
        self.filtered(lambda o: o.state in ("draft", "sent"))._rental_sync_deposit_line()
        return True

    def action_rental_invoice_deposit(self):
        """Invoice the deposit line alone, so the customer can pay it before the pickup.

        The people who sell invoice it, as they ask it: salespeople (who may change the order)
        and accountants. The invoice is created and posted by the system on their behalf, as
        sale's own invoicing does for salespeople."""
        self._rental_ensure_one()
        if not any(self.env.user.has_group(group) for group in DEPOSIT_INVOICERS):
            raise AccessError(
                self.env._(
                    "Only salespeople and accountants can invoice the deposit of %(order)s.",
                    order=self.name,
                )
            )
        self.check_access("write")
        lines = self.order_line.filtered(
            lambda line: line.is_rental_deposit and line.qty_to_invoice
        )
        if not lines:
            raise UserError(
                self.env._("The order %(order)s has no deposit left to invoice.", order=self.name)
            )
        invoices = self._rental_invoice_lines(lines)
        return self.action_view_invoice(invoices)

    def action_rental_settle_deposit(self):
        """Open the settlement wizard (retention and its reason)."""
        self._rental_ensure_one()
        self._rental_check_settleable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settle Deposit"),
            "res_model": "sale.order.settle",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    # ------------------------------------------------------------------
    # Business methods: required deposit and deposit line
    # ------------------------------------------------------------------

    def _rental_get_deposit_rate(self):
        """(grade rate, rule rate) in percent for this order's customer."""
        self.ensure_one()
        company = self.company_id or self.env.company
        customer = self.partner_id.commercial_partner_id.sudo().with_company(company)
        grade = customer.rental_grade or NEUTRAL_GRADE
        rates = self.env["rental.grade.limit"]._get_deposit_rates(company)
        rule_rate = getattr(self, "rental_risk_deposit_percent", 0.0) or 0.0
        return rates[company.id].get(grade, 0.0), rule_rate

    def _rental_get_deposit_values(self):
        """Replacement values (order currency) of the units rented on the order: the booked
        serials' values, or the product's value for units not assigned a serial yet."""
        self.ensure_one()
        values = []
        for line in self.order_line.filtered(lambda sol: sol.is_rental and not sol.display_type):
            lots = line.rental_lot_ids
            qty = max(int(round(line.product_uom_qty)), len(lots))
            template = line.product_id.product_tmpl_id
            unit_values = lots.mapped("rental_replacement_value")
            unit_values += [template.rental_replacement_value] * (qty - len(lots))
            company = self.company_id or self.env.company
            values += [
                company.currency_id._convert(
                    value, self.currency_id or company.currency_id, company, fields.Date.today()
                )
                for value in unit_values
            ]
        return values

    def _rental_compute_required_deposit(self):
        self.ensure_one()
        if not (self.company_id or self.env.company).rental_deposit_enabled:
            return 0.0
        values = self._rental_get_deposit_values()
        if not values:
            return 0.0
        grade_rate, rule_rate = self._rental_get_deposit_rate()
        company = self.company_id or self.env.company
        minimum = company.currency_id._convert(
            company.rental_deposit_min_amount,
            self.currency_id or company.currency_id,
            company,
            fields.Date.today(),
        )
        return required_deposit(
            values,
            grade_rate,
            minimum=minimum,
            rule_rate=rule_rate,
            digits=(self.currency_id or company.currency_id).decimal_places,
        )

    def _rental_sync_deposit_line(self):
        """Create, update or remove the deposit line of the orders to match the required
        deposit; a deposit line already invoiced is left alone."""
        product = self.env.ref("rental_risk.product_rental_deposit")
        for order in self:
            line = order.order_line.filtered("is_rental_deposit")[:1]
            if line.invoice_lines:
                continue
            amount = order._rental_compute_required_deposit()
            if not amount:
                line.unlink()
                continue
            if line:
                line.write({"price_unit": amount, "product_uom_qty": 1})
                continue
            # The deposit line is the deposit feature's own: marked as such under the guard.
            with self.env["rental.risk.decision"]._open_guard():
                self.env["sale.order.line"].create(
                    {
                        "order_id": order.id,
                        "product_id": product.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_id": [Command.clear()],
                        "is_rental_deposit": True,
                        "sequence": max(order.order_line.mapped("sequence") or [0]) + 1,
                    }
                )

    def _get_invoiceable_lines(self, final=False):
        lines = super()._get_invoiceable_lines(final=final)
        only = self.env.context.get("rental_invoice_line_ids")
        if only is not None:
            lines = lines.filtered(lambda line: line.id in only)
        return lines

    def _rental_invoice_lines(self, lines):
        """Invoice and post only ``lines`` of the order (deposit alone, late fees alone)."""
        self.ensure_one()
        invoices = self.with_context(rental_invoice_line_ids=lines.ids)._create_invoices()
        invoices.sudo().action_post()
        return invoices.with_env(self.env)

    # ------------------------------------------------------------------
    # Business methods: ledger (set-based)
    # ------------------------------------------------------------------

    def _rental_deposit_ledgers(self):
        """{order id: {invoiced, paid, applied, refunded, held}} in order currency.

        Invoiced and paid come from the posted invoice lines of the deposit lines (paid in
        proportion to what each invoice has been paid); applied and refunded from the
        settlement credit notes.
        """
        ledgers = defaultdict(
            lambda: {"invoiced": 0.0, "paid": 0.0, "applied": 0.0, "refunded": 0.0, "held": 0.0}
        )
        orders = self.filtered("id")
        if not orders:
            return ledgers
        inv_lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("sale_line_ids.order_id", "in", orders.ids),
                    ("sale_line_ids.is_rental_deposit", "=", True),
                    ("move_id.state", "=", "posted"),
                    ("move_id.move_type", "in", ("out_invoice", "out_refund")),
                ]
            )
        )
        for aml in inv_lines:
            move = aml.move_id
            order = aml.sale_line_ids.order_id[:1]
            amount = aml.price_total * (-1 if move.move_type == "out_refund" else 1)
            paid_ratio = 1 - move.amount_residual / move.amount_total if move.amount_total else 0.0
            ledgers[order.id]["invoiced"] += amount
            ledgers[order.id]["paid"] += amount * paid_ratio
        for settlement in orders.sudo().rental_deposit_settlement_ids:
            ledgers[settlement.order_id.id]["applied"] += settlement.applied_amount
            ledgers[settlement.order_id.id]["refunded"] += settlement.refund_amount
            # The deposit invoiced but never paid was cancelled by the refund credit note: that
            # reconciliation is not a payment.
            ledgers[settlement.order_id.id]["paid"] -= settlement.unpaid_cancelled_amount
        for order in orders:
            ledger = ledgers[order.id]
            currency = order.currency_id
            for key in ("invoiced", "paid", "applied", "refunded"):
                ledger[key] = currency.round(ledger[key])
            ledger["held"] = currency.round(ledger["paid"] - ledger["applied"] - ledger["refunded"])
        return ledgers
