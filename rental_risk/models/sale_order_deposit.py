from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..engine.deposits import NEUTRAL_GRADE, required_deposit, settle_deposit


class SaleOrder(models.Model):
    # Deposits, claims and settlement (issue 6); kept apart from sale_order.py while issues 5
    # and 6 were built in parallel; merge later.
    _inherit = "sale.order"

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
        "rental.deposit.settlement", "order_id", string="Deposit Settlements"
    )
    rental_deposit_settled = fields.Boolean(
        string="Deposit Settled", compute="_compute_rental_deposit_settled", store=True
    )
    rental_claim_ids = fields.One2many("rental.damage.claim", "order_id", string="Claims")
    rental_claim_count = fields.Integer(
        string="Claims Count", compute="_compute_rental_claim_count"
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

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

    def _compute_rental_claim_count(self):
        counts = dict(
            self.env["rental.damage.claim"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.rental_claim_count = counts.get(order._origin, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_update_deposit(self):
        """Add or update the deposit line of quotations to the required deposit."""
        self.filtered(lambda o: o.state in ("draft", "sent"))._rental_sync_deposit_line()
        return True

    def action_rental_invoice_deposit(self):
        """Invoice the deposit line alone, so the customer can pay it before the pickup."""
        self.ensure_one()
        lines = self.order_line.filtered(
            lambda line: line.is_rental_deposit and line.qty_to_invoice
        )
        if not lines:
            raise UserError(
                self.env._("The order %(order)s has no deposit left to invoice.", order=self.name)
            )
        invoices = self._rental_invoice_lines(lines)
        return self.action_view_invoice(invoices)

    def action_rental_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_damage_claim_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    def action_rental_settle_deposit(self):
        """Open the settlement wizard (retention and its reason)."""
        self.ensure_one()
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
        grade = self.partner_id.commercial_partner_id.sudo().rental_grade or NEUTRAL_GRADE
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

    def _action_confirm(self):
        # The deposit line is fixed at confirmation, with the grade and rules of that moment.
        self.filtered("is_rental_order")._rental_sync_deposit_line()
        return super()._action_confirm()

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
        invoices.action_post()
        return invoices

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

    # ------------------------------------------------------------------
    # Business methods: settlement
    # ------------------------------------------------------------------

    def _rental_check_settleable(self):
        """Refuse a settlement that cannot happen now, before anything is written."""
        self.ensure_one()
        if self.sudo().rental_deposit_settlement_ids:
            raise UserError(
                self.env._(
                    "The deposit of %(order)s is already settled; a deposit is settled once.",
                    order=self.name,
                )
            )
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "Only a confirmed order's deposit can be settled (%(order)s).", order=self.name
                )
            )
        still_out = self.order_line.sudo().rental_booking_ids.filtered(
            lambda b: b.state in ("reserved", "out") and b.lot_id.rental_state != "lost"
        )
        if still_out:
            raise UserError(
                self.env._(
                    "%(serials)s of %(order)s are not returned yet: settle the deposit once all "
                    "the gear is back (or declared lost).",
                    serials=", ".join(still_out.lot_id.mapped("name")),
                    order=self.name,
                )
            )
        pending = self.sudo().rental_claim_ids.filtered(
            lambda c: c.state in ("draft", "assessed", "disputed")
        )
        if pending:
            raise UserError(
                self.env._(
                    "Claims %(claims)s of %(order)s are not decided yet: invoice or waive them "
                    "before settling the deposit.",
                    claims=", ".join(pending.mapped("name")),
                    order=self.name,
                )
            )

    def _rental_get_settlement_charges(self):
        """Open receivable lines the deposit pays, in order: claim invoices, then late fees.

        Returns [(receivable move line, open amount)], amounts in order currency.
        """
        self.ensure_one()
        claim_moves = self.sudo().rental_claim_ids.invoice_id
        late_fee = self.env.ref("rental_risk.product_late_fee")
        fee_moves = self.sudo().invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and late_fee in m.invoice_line_ids.product_id
        )
        charges = []
        for move in (claim_moves | fee_moves).sorted(lambda m: (m not in claim_moves, m.id)):
            if move.state != "posted" or move.payment_state in ("paid", "in_payment", "reversed"):
                continue
            for line in move.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable" and not aml.reconciled
            ):
                charges.append((line, line.amount_residual_currency))
        return charges

    def _rental_settle_deposit(self, retention=0.0, reason=None, refund_journal=None):
        """Settle the held deposit of the order, once: pay its claims and late fees with it,
        keep ``retention`` (with ``reason``), refund the rest with a credit note (and a refund
        payment through ``refund_journal`` when given). Returns the settlement record."""
        self.ensure_one()
        self._rental_check_settleable()
        if retention and retention < 0:
            raise UserError(self.env._("The retained amount cannot be negative."))
        if retention and not reason:
            raise UserError(self.env._("Give the reason why part of the deposit is retained."))
        # Late fees charged on return but not invoiced yet are invoiced now, so the deposit
        # can pay them.
        fee_lines = self.order_line.filtered(
            lambda line: line.product_id == self.env.ref("rental_risk.product_late_fee")
            and line.qty_to_invoice > 0
        )
        ledger = self._rental_deposit_ledgers()[self.id]
        held = ledger["held"]
        unpaid = self.currency_id.round(ledger["invoiced"] - ledger["paid"])
        if fee_lines:
            self.sudo()._rental_invoice_lines(fee_lines)
        charges = self._rental_get_settlement_charges()
        try:
            split = settle_deposit(
                held,
                [(index, amount) for index, (_line, amount) in enumerate(charges)],
                retention=retention or 0.0,
                digits=self.currency_id.decimal_places,
            )
        except ValueError as error:
            raise UserError(
                self.env._(
                    "Only %(left)s of the deposit is left after the claims and late fees: "
                    "retain less.",
                    left=self.currency_id.round(held - sum(min(a, held) for _l, a in charges)),
                )
            ) from error
        Move = self.env["account.move"].sudo()
        retention_move = Move
        to_pay = [(charges[index][0], amount) for index, amount in split.applied.items()]
        if split.retained:
            retention_move = Move.create(
                self._rental_prepare_retention_vals(split.retained, reason)
            )
            retention_move.action_post()
            to_pay.append(
                (
                    retention_move.line_ids.filtered(
                        lambda aml: aml.account_id.account_type == "asset_receivable"
                    ),
                    split.retained,
                )
            )
        applied_total = self.currency_id.round(split.applied_total + split.retained)
        applied_move = Move
        if applied_total:
            applied_move = Move.create(self._rental_prepare_deposit_application_vals(to_pay))
            applied_move.action_post()
            credit_lines = applied_move.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable"
            ).sorted("sequence")
            # One pair at a time, in the engine's order: each charge gets exactly its part.
            for credit_line, (charge_line, _amount) in zip(credit_lines, to_pay, strict=True):
                (credit_line | charge_line).reconcile()
        refund_move = Move
        payment = self.env["account.payment"]
        if split.refund or unpaid > 0:
            refund_move = Move.create(
                self._rental_prepare_deposit_credit_vals(
                    split.refund + max(unpaid, 0.0), self.env._("Deposit refund")
                )
            )
            refund_move.action_post()
            if unpaid > 0:
                # The deposit invoiced but never paid is cancelled by the same credit note.
                self._rental_reconcile_unpaid_deposit(refund_move)
            if split.refund and refund_journal:
                payment = self._rental_register_refund_payment(refund_move, refund_journal)
        settlement = (
            self.env["rental.deposit.settlement"]
            .sudo()
            .create(
                {
                    "order_id": self.id,
                    "held_amount": held,
                    "applied_amount": applied_total,
                    "retained_amount": split.retained,
                    "retention_reason": reason or False,
                    "refund_amount": split.refund,
                    "unpaid_cancelled_amount": max(unpaid, 0.0),
                    "applied_move_id": applied_move.id,
                    "refund_move_id": refund_move.id,
                    "retention_move_id": retention_move.id,
                    "payment_id": payment.id,
                }
            )
        )
        # Risk Officers settle orders of any salesperson: the note is posted as them, by sudo.
        self.sudo().message_post(
            body=self.env._(
                "Deposit settled: %(held)s held, %(applied)s applied to claims and fees "
                "(%(retained)s retained), %(refund)s refunded.",
                held=held,
                applied=applied_total,
                retained=split.retained,
                refund=split.refund,
            )
        )
        if "rental.risk.event" in self.env:
            self.env["rental.risk.event"].sudo()._log(
                "deposit_settled",
                partner=self.partner_id,
                order=self,
                details=self.env._(
                    "Deposit settled: %(applied)s applied, %(refund)s refunded.",
                    applied=applied_total,
                    refund=split.refund,
                ),
            )
        self.partner_id.commercial_partner_id.sudo()._rental_risk_rescore()
        return settlement

    def _rental_prepare_deposit_application_vals(self, to_pay):
        """Journal entry paying charges with the held deposit: debit the deposit liability,
        credit the customer's receivable once per charge (``[(receivable line, amount)]``).

        A journal entry rather than a credit note: the claims and fees are paid with the
        customer's money, not cancelled, and Odoo shows an invoice settled by a credit note
        as "reversed" instead of "paid".
        """
        self.ensure_one()
        company = self.company_id
        date = fields.Date.context_today(self)
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "general")],
            limit=1,
        )
        label = self.env._("Deposit of %(order)s applied", order=self.name)
        partner = self.partner_invoice_id.commercial_partner_id
        line_vals = []
        for sequence, (charge_line, amount) in enumerate(to_pay, start=1):
            balance = self.currency_id._convert(amount, company.currency_id, company, date)
            line_vals.append(
                {
                    "sequence": sequence,
                    "name": self.env._(
                        "%(label)s to %(document)s", label=label, document=charge_line.move_id.name
                    ),
                    "account_id": charge_line.account_id.id,
                    "partner_id": partner.id,
                    "currency_id": self.currency_id.id,
                    "amount_currency": -amount,
                    "balance": -balance,
                }
            )
        line_vals.append(
            {
                "sequence": len(to_pay) + 1,
                "name": label,
                "account_id": company._rental_get_deposit_account().id,
                "partner_id": partner.id,
                "currency_id": self.currency_id.id,
                "amount_currency": sum(amount for _line, amount in to_pay),
                "balance": -sum(vals["balance"] for vals in line_vals),
            }
        )
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": date,
            "ref": label,
            "line_ids": [Command.create(vals) for vals in line_vals],
        }

    def _rental_prepare_deposit_credit_vals(self, amount, label):
        """Credit note debiting the deposit liability: the deposit leaves the company's debt to
        the customer and becomes a credit on the customer's receivable."""
        self.ensure_one()
        product = self.env.ref("rental_risk.product_rental_deposit")
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_invoice_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_origin": self.name,
            "ref": self.env._("%(label)s - %(order)s", label=label, order=self.name),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._("%(label)s (%(order)s)", label=label, order=self.name),
                        "quantity": 1,
                        "price_unit": amount,
                        "account_id": self.company_id._rental_get_deposit_account().id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _rental_prepare_retention_vals(self, amount, reason):
        """Invoice of the retained part of the deposit (income), paid by the deposit."""
        self.ensure_one()
        product = self.env.ref("rental_risk.product_damage_charge")
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_invoice_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "Deposit retained on %(order)s: %(reason)s",
                            order=self.name,
                            reason=reason,
                        ),
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _rental_reconcile_unpaid_deposit(self, credit_move):
        deposit_moves = (
            self.order_line.filtered("is_rental_deposit")
            .invoice_lines.move_id.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            .sudo()
        )
        credit_line = credit_move.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        for line in deposit_moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable" and not aml.reconciled
        ):
            (credit_line | line).reconcile()

    def _rental_register_refund_payment(self, refund_move, journal):
        """Pay the customer's remaining credit back (an outbound payment reconciled with the
        refund credit note)."""
        return (
            self.env["account.payment.register"]
            .sudo()
            .with_context(active_model="account.move", active_ids=refund_move.ids)
            .create({"journal_id": journal.id, "amount": refund_move.amount_residual})
            ._create_payments()
        )
