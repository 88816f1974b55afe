from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..engine.deposits import settle_deposit


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Business methods
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
        unposted = (
            self.sudo()
            .rental_claim_ids.filtered(lambda c: c.state == "invoiced")
            .invoice_id.filtered(lambda move: move.state == "draft")
        )
        if unposted:
            raise UserError(
                self.env._(
                    "The claim invoices %(invoices)s of %(order)s are drafts: post them (or "
                    "cancel them) before settling the deposit.",
                    invoices=", ".join(unposted.mapped("display_name")),
                    order=self.name,
                )
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
        split = self._rental_split_deposit(held, charges, retention)
        applied_move, retention_move = self._rental_apply_deposit(split, charges, reason)
        refund_move, payment = self._rental_refund_deposit(split.refund, unpaid, refund_journal)
        applied_total = self.currency_id.round(split.applied_total + split.retained)
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
        self._rental_log_settlement(held, applied_total, split)
        self.partner_id.commercial_partner_id.sudo()._rental_risk_rescore(company=self.company_id)
        return settlement

    def _rental_split_deposit(self, held, charges, retention):
        """The engine's split of the ``held`` deposit between ``charges`` (in order), the
        ``retention`` and the refund; a retention larger than what is left is refused."""
        try:
            return settle_deposit(
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

    def _rental_apply_deposit(self, split, charges, reason):
        """Pay the charges (and the retention, invoiced now) with the held deposit, each
        exactly its part of ``split``. Returns (application entry, retention invoice)."""
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
        applied_move = Move
        if self.currency_id.round(split.applied_total + split.retained):
            applied_move = Move.create(self._rental_prepare_deposit_application_vals(to_pay))
            applied_move.action_post()
            credit_lines = applied_move.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable"
            ).sorted("sequence")
            # One pair at a time, in the engine's order: each charge gets exactly its part.
            for credit_line, (charge_line, _amount) in zip(credit_lines, to_pay, strict=True):
                (credit_line | charge_line).reconcile()
        return applied_move, retention_move

    def _rental_refund_deposit(self, refund, unpaid, refund_journal):
        """Credit note of the ``refund`` (and of the deposit invoiced but never paid, which it
        cancels), with a refund payment through ``refund_journal`` when given. Returns
        (credit note, payment)."""
        refund_move = self.env["account.move"].sudo()
        payment = self.env["account.payment"]
        if refund or unpaid > 0:
            refund_move = refund_move.create(
                self._rental_prepare_deposit_credit_vals(
                    refund + max(unpaid, 0.0), self.env._("Deposit refund")
                )
            )
            refund_move.action_post()
            if unpaid > 0:
                # The deposit invoiced but never paid is cancelled by the same credit note.
                self._rental_reconcile_unpaid_deposit(refund_move)
            if refund and refund_journal:
                payment = self._rental_register_refund_payment(refund_move, refund_journal)
        return refund_move, payment

    def _rental_log_settlement(self, held, applied_total, split):
        """Chatter note and audit event of a settlement."""
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
