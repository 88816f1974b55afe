from odoo import api, fields, models
from odoo.tools import create_index

OFFICER_GROUP = "rental_risk.rental_risk_group_officer"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Declared by Risk Officers (field groups refuse anyone else, on screen and over RPC);
    # the same group (parent company) and shared VAT or registry numbers are found without
    # being declared. The weakest related party pulls the customer's score.
    rental_related_partner_ids = fields.Many2many(
        "res.partner",
        "rental_risk_related_partner_rel",
        "partner_id",
        "related_id",
        string="Related Companies",
        groups=OFFICER_GROUP,
        copy=False,
        domain="[('is_company', '=', True), ('id', '!=', id)]",
        help="Companies tied to this customer (common owners, guarantors, sister companies). "
        "The lowest-scored of them, and of the companies of the same group or sharing its VAT "
        "or registry number, pulls this customer's score down.",
    )
    rental_signal_ids = fields.One2many(
        "rental.risk.signal", "partner_id", string="Officer Signals", groups=OFFICER_GROUP
    )
    rental_signal_count = fields.Integer(
        compute="_compute_rental_signal_count", groups=OFFICER_GROUP
    )

    def init(self):
        res = super().init()
        # The rescoring looks for each batch's related parties by company registry number as
        # well; core does not index it, and without it every batch of 2,000 customers sorted
        # the whole partner table (55 ms a batch at 100,000 customers).
        create_index(
            self.env.cr,
            indexname="res_partner_rental_risk_registry_idx",
            tablename="res_partner",
            expressions=["company_registry"],
            where="company_registry IS NOT NULL",
        )
        return res

    @api.depends("rental_signal_ids")
    def _compute_rental_signal_count(self):
        counts = dict(
            self.env["rental.risk.signal"]._read_group(
                [("partner_id", "in", self.ids), ("state", "=", "active")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.rental_signal_count = counts.get(partner, 0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        if "rental_related_partner_ids" not in vals:
            return super().write(vals)
        before = {partner: partner.rental_related_partner_ids for partner in self}
        res = super().write(vals)
        touched = self.env["res.partner"]
        for partner, old in before.items():
            new = partner.rental_related_partner_ids
            if old == new:
                continue
            touched |= partner | old | new
            self.env["rental.risk.event"]._log(
                "related_parties",
                partner=partner,
                details=", ".join(new.mapped("display_name")) or "-",
            )
        if touched:
            touched._rental_risk_rescore()
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_signals(self):
        """Open the customer's officer signals, ready to record a new one."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_risk_signal_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "active_test": False,
        }
        return action
