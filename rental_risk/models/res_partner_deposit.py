from odoo import api, models
from odoo.tools import SQL


class ResPartner(models.Model):
    # Deposit and claim hooks of the scoring (issue 6); kept apart while issues 5 and 6 were
    # built in parallel; merge later.
    _inherit = "res.partner"

    @api.model
    def _rental_risk_deposits_held(self, partner_ids):
        """Deposits paid and not settled yet, per commercial partner, in company currency.

        Paid = each posted deposit invoice line in proportion to what its invoice has been
        paid; a settled order holds nothing any more (the settlement applies or refunds it all).
        """
        res = super()._rental_risk_deposits_held(partner_ids)
        if not partner_ids:
            return res
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["sale.order.line"].flush_model()
        self.env["rental.deposit.settlement"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id,
                       SUM(-aml.balance * CASE WHEN am.amount_total_signed = 0 THEN 0
                               ELSE 1 - am.amount_residual_signed / am.amount_total_signed END)
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
                  JOIN sale_order_line sol ON sol.id = rel.order_line_id
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND sol.is_rental_deposit
                   AND NOT EXISTS (
                        SELECT 1 FROM rental_deposit_settlement s WHERE s.order_id = sol.order_id)
                 GROUP BY am.commercial_partner_id
                """,
                ids=list(partner_ids),
            )
        )
        for partner_id, held in self.env.cr.fetchall():
            res[partner_id] = res.get(partner_id, 0.0) + round(float(held or 0.0), 2)
        return res

    @api.model
    def _rental_risk_damage_facts(self, partner_ids):
        """Damage and missing-accessory claims not waived nor withdrawn, per commercial partner:
        {damage_count, damage_amount (assessed, company currency)}. Loss claims are left out:
        lost assets are scored on their own."""
        res = super()._rental_risk_damage_facts(partner_ids)
        if not partner_ids:
            return res
        self.env["rental.damage.claim"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, COUNT(*), SUM(c.assessed_amount)
                  FROM rental_damage_claim c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE p.commercial_partner_id = ANY(%(ids)s)
                   AND c.state NOT IN ('waived', 'cancelled')
                   AND c.claim_type != 'loss'
                 GROUP BY p.commercial_partner_id
                """,
                ids=list(partner_ids),
            )
        )
        for partner_id, count, amount in self.env.cr.fetchall():
            facts = dict(res.get(partner_id, {}))
            facts["damage_count"] = facts.get("damage_count", 0) + count
            facts["damage_amount"] = facts.get("damage_amount", 0.0) + float(amount or 0.0)
            res[partner_id] = facts
        return res
