from odoo import models
from odoo.exceptions import AccessError

from ..engine.amount_words import amount_in_words

USER_GROUP = "rental_risk.rental_risk_group_user"
EMAIL_LAYOUT = "mail.mail_notification_layout_with_responsible_signature"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_print_contract(self):
        """Print the rental contract of the orders (PDF)."""
        self._rental_check_contract_access()
        return self.env.ref("rental_risk.action_report_rental_contract").report_action(self)

    def action_rental_send_contract(self):
        """Open the mail composer with the contract template, the PDF attached."""
        self.ensure_one()
        self._rental_check_contract_access()
        template = self.env.ref(
            "rental_risk.mail_template_rental_contract", raise_if_not_found=False
        )
        lang = self.env.context.get("lang")
        if template and template.lang:
            lang = template._render_lang(self.ids)[self.id]
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "sale.order",
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": EMAIL_LAYOUT,
                "force_email": True,
                "model_description": self.env._("Rental Contract"),
                "lang": lang,
            },
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_check_contract_access(self):
        """Contracts are printed and sent by Rental Users (and above), on orders they may read."""
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("Only Rental Users print or send rental contracts."))
        self.check_access("read")

    def _rental_contract_lang(self):
        """Language the contract is printed in: the customer's, else the user's."""
        self.ensure_one()
        return self.partner_id.lang or self.env.lang or "en_US"

    def _rental_contract_amount_words(self):
        """The order total in words in the customer's language (Chinese uppercase for Chinese
        customers), as printed on the contract."""
        self.ensure_one()
        return amount_in_words(
            self.amount_total,
            self._rental_contract_lang(),
            self.currency_id.name,
            self.currency_id.decimal_places,
        )

    def _rental_contract_lines(self):
        """The rental lines of the contract, kit components folded into their kit line: one
        dict per line with its serials (and each one's replacement value), the accessories
        that go with them and the kit's contents."""
        self.ensure_one()
        result = []
        for line in self.order_line.filtered(
            lambda ln: ln.is_rental and not ln.rental_kit_parent_id and not ln.display_type
        ):
            components = line.rental_kit_component_ids
            lots = (line.rental_lot_ids | components.rental_lot_ids).sorted("name")
            templates = line.product_id.product_tmpl_id | components.product_id.product_tmpl_id
            result.append(
                {
                    "line": line,
                    "lots": lots,
                    "replacement_total": sum(lots.mapped("rental_replacement_value")),
                    "accessories": templates.rental_accessory_ids,
                    "components": components,
                }
            )
        return result

    def _rental_contract_insurance_lines(self):
        """Lines selling rental insurance."""
        self.ensure_one()
        return self.order_line.filtered(lambda ln: ln.product_id.rental_insurance_ok)

    def _rental_contract_deposit(self):
        """The deposit the contract states: the one invoiced on the order, else the one asked."""
        self.ensure_one()
        deposit_lines = self.order_line.filtered("is_rental_deposit")
        if deposit_lines:
            return sum(deposit_lines.mapped("price_total"))
        return self.rental_deposit_required if self.rental_deposit_shown else 0.0

    def _rental_contract_signature(self):
        """The customer's drawn signature to print: the one taken at the pickup, else the
        one given online on the quotation (base64 image, or False)."""
        self.ensure_one()
        handover = (
            self.env["rental.handover"]
            .sudo()
            .search(
                [
                    ("order_id", "=", self.id),
                    ("operation", "=", "pickup"),
                    ("signed_on", "!=", False),
                ],
                order="signed_on",
                limit=1,
            )
        )
        if handover:
            return {
                "image": handover.signature,
                "name": handover.signed_by,
                "date": handover.signed_on,
            }
        if self.signature:
            return {"image": self.signature, "name": self.signed_by, "date": self.signed_on}
        return {}
