from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _rental_process_done(self):
        res = super()._rental_process_done()
        self.filtered(lambda p: p.rental_operation == "return")._rental_kit_claim_missing()
        return res

    def _rental_kit_claim_missing(self):
        """Open a claim for each kit component these returns closed without taking it back.

        A kit comes back whole: when its return is validated without a component (no backorder
        left for it), the customer is charged the component's (depreciated) replacement value.
        """
        Claim = self.env["rental.damage.claim"].sudo()
        claims = Claim
        components = self.move_ids.sale_line_id.filtered("rental_kit_parent_id")
        for line in components.sudo():
            still_expected = line.move_ids.filtered(
                lambda m: m.rental_operation == "return" and m.state not in ("done", "cancel")
            )
            if still_expected:
                continue
            missing = line.rental_booking_ids.filtered(lambda b: b.state == "out")
            for booking in missing:
                lot = booking.lot_id
                if Claim.search_count(
                    [
                        ("lot_id", "=", lot.id),
                        ("order_id", "=", line.order_id.id),
                        ("state", "not in", ("waived", "cancelled")),
                    ],
                    limit=1,
                ):
                    continue
                with self.env["rental.risk.decision"]._open_guard():
                    claims |= Claim.create(
                        {
                            "claim_type": "accessories",
                            "lot_id": lot.id,
                            "partner_id": booking.partner_id.id,
                            "order_id": line.order_id.id,
                            "company_id": line.order_id.company_id.id,
                            "description": self.env._(
                                "Kit component %(serial)s (%(product)s) not returned with the "
                                "kit %(kit)s on %(picking)s.",
                                serial=lot.name,
                                product=lot.product_id.display_name,
                                kit=line.rental_kit_parent_id.product_id.display_name,
                                picking=", ".join(self.mapped("name")),
                            ),
                            "assessed_amount": lot._rental_loss_value(),
                        }
                    )
        return claims
