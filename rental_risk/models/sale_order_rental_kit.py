from odoo import fields, models


class SaleOrder(models.Model):
    """Rental kits count at the value of their components in the risk figures and deposits."""

    _inherit = "sale.order"

    def _get_copiable_order_lines(self):
        # Component lines are made again when the copy is confirmed: copy the kit line alone.
        return (
            super()._get_copiable_order_lines().filtered(lambda line: not line.rental_kit_parent_id)
        )

    def _rental_risk_asset_values(self):
        values = super()._rental_risk_asset_values()
        for _kit, kit_values, component_values in self._rental_kit_value_corrections():
            values["total"] += sum(component_values) - sum(kit_values)
            values["max"] = max([values["max"], *component_values])
        return values

    def _rental_get_deposit_values(self):
        values = super()._rental_get_deposit_values()
        company = self.company_id or self.env.company
        currency = self.currency_id or company.currency_id
        for _kit, kit_values, component_values in self._rental_kit_value_corrections():
            for value in kit_values:
                converted = company.currency_id._convert(
                    value, currency, company, fields.Date.today()
                )
                if converted in values:
                    values.remove(converted)
            values += [
                company.currency_id._convert(value, currency, company, fields.Date.today())
                for value in component_values
            ]
        return values

    def _rental_kit_value_corrections(self):
        """[(kit line, values the kit line was counted at, values to count instead)].

        A kit line has no serial: the generic figures count it at the kit product's value. Once
        confirmed its component lines count with their booked serials, so the kit counts for
        nothing; before, it counts at the value of its components' products.
        """
        self.ensure_one()
        corrections = []
        for kit in self.order_line.sudo().filtered(lambda sol: sol.is_rental and sol.rental_is_kit):
            qty = max(int(kit.product_uom_qty), 1 if kit.product_uom_qty else 0)
            kit_values = [kit.product_id.product_tmpl_id.rental_replacement_value] * qty
            component_values = []
            if not kit.rental_kit_component_ids:
                for kit_line in kit.product_id.rental_kit_line_ids:
                    component_values += [kit_line.product_id.rental_replacement_value] * (
                        qty * kit_line.quantity
                    )
            corrections.append((kit, kit_values, component_values))
        return corrections
