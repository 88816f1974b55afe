from odoo import api, models, tools


class RentalRiskProtectedMixin(models.AbstractModel):
    """Fields nobody writes directly: decisions, the states computed from them and the risk
    figures the addon computes. A model lists them in ``_rental_protected_fields``; a raw
    ``create`` or ``write`` changing one is refused for everyone, administrator and superuser
    included, with the sentence the model gives (see ``rental.risk.decision._check_protected``).
    The addon's own code writes them behind the guard of ``rental.risk.decision``."""

    _name = "rental.risk.protected.mixin"
    _description = "Rental Risk Protected Fields"

    def _rental_protected_fields(self):
        """Hook: {field name: what to do instead, as a sentence}."""
        return {}

    @api.model
    @tools.ormcache()
    def _rental_protected_names(self):
        # Every write of a partner or an order passes here: the names are known once per
        # registry, the translated sentences are built only when a write touches one.
        return frozenset(self._rental_protected_fields())

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.keys() & self._rental_protected_names() for vals in vals_list):
            self.env["rental.risk.decision"]._check_protected_create(
                self, vals_list, self._rental_protected_fields()
            )
        return super().create(vals_list)

    def write(self, vals):
        if vals.keys() & self._rental_protected_names():
            self.env["rental.risk.decision"]._check_protected(
                self, vals, self._rental_protected_fields()
            )
        return super().write(vals)
