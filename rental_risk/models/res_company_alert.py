from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["rental.alert.route"]._create_default_routes(companies)
        return companies

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_alert(
        self, kind, severity, record, partner, body, salesperson=None, key=None, thread=None
    ):
        """Raise a risk alert of this company: the one door every alert of the addon goes
        through (see ``rental.risk.alert._dispatch``). ``severity`` None: the kind's default."""
        self.ensure_one()
        return self.env["rental.risk.alert"]._dispatch(
            self,
            kind,
            body,
            record,
            partner=partner,
            severity=severity,
            salesperson=salesperson,
            key=key,
            thread=thread,
        )
