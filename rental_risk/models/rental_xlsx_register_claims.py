from odoo import fields, models
from odoo.tools import SQL

from ..engine.xlsx_sheets import Column


class RentalXlsxRegister(models.AbstractModel):
    """The claims, losses and insurance report for finance."""

    _inherit = "rental.xlsx.register"

    # ------------------------------------------------------------------
    # Registers
    # ------------------------------------------------------------------

    def _build_claims_register(
        self, workbook, company, date_from=None, date_to=None, claim_ids=None
    ):
        """Damage, missing-accessory and loss claims of ``company`` dated in the period (or
        the claims ``claim_ids``), for finance: amounts assessed, covered by insurance, the
        deductible, the customer's charge, its invoice, what the deposit paid of it, what is
        still open, what a credit note gave back (a lost asset found again) and whether the
        order's deposit is settled; then a summary by type."""
        claim_model = self.env["rental.damage.claim"]
        move_model = self.env["account.move"]
        labels = {
            (model._name, name): dict(model._fields[name]._description_selection(self.env))
            for model, name in (
                (claim_model, "claim_type"),
                (claim_model, "state"),
                (move_model, "state"),
                (move_model, "payment_state"),
            )
        }
        claim_types = labels["rental.damage.claim", "claim_type"]
        columns = [
            Column(self.env._("Reference"), "text", 14),
            Column(self.env._("Date"), "date", 11),
            Column(self.env._("Type"), "text", 18),
            Column(self.env._("Status"), "text", 11),
            Column(self.env._("Customer"), "text", 28),
            Column(self.env._("Order"), "text", 11),
            Column(self.env._("Serial"), "text", 16),
            Column(self.env._("Product"), "text", 24),
            Column(self.env._("Replacement Value"), "money", 14, True),
            Column(self.env._("Assessed"), "money", 13, True),
            Column(self.env._("Insurance Cover"), "money", 13, True),
            Column(self.env._("Deductible"), "money", 12, True),
            Column(self.env._("Customer Charge"), "money", 13, True),
            Column(self.env._("Invoice"), "text", 16),
            Column(self.env._("Invoice Status"), "text", 12),
            Column(self.env._("Payment"), "text", 12),
            Column(self.env._("Invoiced"), "money", 13, True),
            Column(self.env._("Paid by Deposit"), "money", 13, True),
            Column(self.env._("Open"), "money", 12, True),
            Column(self.env._("Credited"), "money", 12, True),
            Column(self.env._("Deposit Settled"), "bool", 10),
            Column(self.env._("Waived"), "bool", 8),
        ]
        date_to = date_to or fields.Date.context_today(self)
        date_from = date_from or date_to.replace(month=1, day=1)
        where = [SQL("c.company_id = %s", company.id)]
        if claim_ids:
            where.append(SQL("c.id = ANY(%s)", list(claim_ids)))
        else:
            where.append(SQL("c.date BETWEEN %s AND %s", date_from, date_to))
        query = SQL(
            """
            SELECT c.name, c.date, c.claim_type, c.state,
                   COALESCE(partner.complete_name, partner.name), so.name, lot.name,
                   COALESCE(pt.name ->> %(lang)s, pt.name ->> 'en_US'),
                   lot.rental_replacement_value, c.assessed_amount, c.insurance_cover,
                   c.deductible, c.charge_amount,
                   inv.name, inv.state, inv.payment_state,
                   inv.amount_total_signed, deposit.amount,
                   CASE WHEN inv.state = 'posted' THEN inv.amount_residual_signed END,
                   CASE WHEN credit.state = 'posted' THEN -credit.amount_total_signed END,
                   EXISTS (SELECT 1 FROM rental_deposit_settlement s
                            WHERE s.order_id = c.order_id),
                   c.waive_decision_id IS NOT NULL
              FROM rental_damage_claim c
              JOIN res_partner partner ON partner.id = c.partner_id
              JOIN stock_lot lot ON lot.id = c.lot_id
              JOIN product_product pp ON pp.id = lot.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN sale_order so ON so.id = c.order_id
              LEFT JOIN account_move inv ON inv.id = c.invoice_id
              LEFT JOIN account_move credit ON credit.id = c.credit_note_id
              LEFT JOIN LATERAL (
                    -- The deposit pays a claim through the settlement's journal entry, matched
                    -- with the receivable line of the claim's invoice.
                    SELECT SUM(apr.amount)::float8 AS amount
                      FROM account_move_line inv_line
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = inv_line.id
                      JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                      JOIN rental_deposit_settlement s ON s.applied_move_id = pay_line.move_id
                     WHERE inv_line.move_id = c.invoice_id) deposit ON TRUE
             WHERE %(where)s
             ORDER BY c.date, c.name, c.id
            """,
            lang=self.env.lang or "en_US",
            where=SQL(" AND ").join(where),
        )
        by_type = {}

        def summarize(row):
            kind = by_type.setdefault(row[2], [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
            for index, value in enumerate((1, row[9], row[10], row[12], row[16], row[17], row[18])):
                kind[index] += float(value or 0)

        if claim_ids:
            title = self.env._(
                "%(register)s - %(company)s - selected claims",
                register=self._get_register_names()["claims"],
                company=company.name,
            )
        else:
            title = self.env._(
                "%(register)s - %(company)s - %(date_from)s to %(date_to)s",
                register=self._get_register_names()["claims"],
                company=company.name,
                date_from=fields.Date.to_string(date_from),
                date_to=fields.Date.to_string(date_to),
            )
        self._write_sheet(
            workbook,
            self.env._("Claims"),
            title,
            columns,
            query,
            convert={
                2: lambda value: claim_types.get(value, value),
                3: lambda value: labels["rental.damage.claim", "state"].get(value, value),
                14: lambda value: value and labels["account.move", "state"].get(value, value),
                15: lambda value: value
                and labels["account.move", "payment_state"].get(value, value),
            },
            on_row=summarize,
        )
        summary_columns = [
            Column(self.env._("Type"), "text", 20),
            Column(self.env._("Claims"), "int", 8, True),
            Column(self.env._("Assessed"), "money", 13, True),
            Column(self.env._("Insurance Cover"), "money", 13, True),
            Column(self.env._("Customer Charge"), "money", 13, True),
            Column(self.env._("Invoiced"), "money", 13, True),
            Column(self.env._("Paid by Deposit"), "money", 13, True),
            Column(self.env._("Open"), "money", 12, True),
        ]
        rows = [
            (claim_types.get(kind, kind), *figures) for kind, figures in sorted(by_type.items())
        ]
        self._write_sheet(workbook, self.env._("By Type"), title, summary_columns, rows)
