from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    rental_risk_lock_overdue = fields.Boolean(
        string="Lock Pickups When Overdue",
        default=True,
        help="Refuse to hand rental gear out to a customer whose overdue receivables exceed "
        "the overdue tolerance at the moment of the pickup, unless a Risk Manager releases it.",
    )
    rental_risk_lock_overdue_days = fields.Integer(
        string="Overdue Days Before the Lock",
        default=0,
        help="Invoices overdue by more than this many days count for the pickup lock (0: any "
        "overdue invoice).",
    )
    rental_risk_lock_all_deliveries = fields.Boolean(
        string="Lock All Deliveries to Blacklisted Customers",
        default=True,
        help="Also refuse ordinary (non-rental) deliveries to a blacklisted customer unless a "
        "Risk Manager releases them. Rental gear is always locked.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["rental.risk.rule"]._create_default_rules(companies)
        return companies

    def write(self, vals):
        # Settings that open or close the risk gate are part of the audit trail.
        watched = sorted(
            fname for fname in vals if fname.startswith("rental_") and fname in self._fields
        )
        before = {company.id: {f: company[f] for f in watched} for company in self}
        res = super().write(vals)
        if watched:
            labels = self.fields_get(watched, ["string"])
            for company in self:
                changes = [
                    f"{labels[f]['string']}: {before[company.id][f]} -> {company[f]}"
                    for f in watched
                    if before[company.id][f] != company[f]
                ]
                if changes:
                    self.env["rental.risk.event"]._log(
                        "settings_change",
                        company=company,
                        details=self.env._(
                            "Settings changed: %(changes)s", changes="; ".join(changes)
                        ),
                    )
        return res

    @api.constrains("rental_risk_lock_overdue_days")
    def _check_risk_settings(self):
        self._rental_check_ranges(days=("rental_risk_lock_overdue_days",))

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_group_users(self, group_xmlid):
        """Active internal users of the group ``group_xmlid`` who work for this company: the
        people alerts, tasks and notices of the company go to."""
        self.ensure_one()
        return (
            self.env.ref(group_xmlid)
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and self in u.company_ids)
        )
