import base64
from datetime import timedelta
from urllib.parse import quote

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.rental_score_history import GRADE_SELECTION

REGISTERS = [
    ("risk", "Risk Register"),
    ("aging", "Receivables Aging"),
    ("assets", "Asset Register"),
    ("claims", "Claims and Losses"),
    ("dunning", "Dunning History"),
    ("backtest", "Scoring Backtest"),
]

#: The model whose list view offers each register for the selected records.
SELECTION_MODELS = {
    "res.partner": ("risk", "partner_ids"),
    "stock.lot": ("assets", "lot_ids"),
    "rental.damage.claim": ("claims", "claim_ids"),
    "rental.dunning.line": ("dunning", "dunning_line_ids"),
}


class RentalXlsxExport(models.TransientModel):
    """Options of an Excel register, and the file once built (downloaded from the wizard)."""

    _name = "rental.xlsx.export"
    _description = "Export an Excel Register"
    _check_company_auto = True

    register = fields.Selection(REGISTERS, required=True, default="risk")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    as_of = fields.Date(
        string="As of",
        default=fields.Date.context_today,
        help="Receivables open at the end of this day, aged from their due dates.",
    )
    date_from = fields.Date(
        string="From", help="First day of the period (assets: 365 days before the end)."
    )
    date_to = fields.Date(string="To", default=fields.Date.context_today)
    grade = fields.Selection(GRADE_SELECTION, help="Only the customers of this grade.")
    blacklisted_only = fields.Boolean()
    categ_id = fields.Many2one(
        "product.category", string="Product Category", help="Its subcategories included."
    )
    partner_ids = fields.Many2many("res.partner", string="Customers")
    lot_ids = fields.Many2many("stock.lot", string="Serials")
    claim_ids = fields.Many2many("rental.damage.claim", string="Claims")
    dunning_line_ids = fields.Many2many("rental.dunning.line", string="Dunning Lines")
    backtest_id = fields.Many2one(
        "rental.score.backtest",
        string="Scoring Backtest",
        domain="[('company_id', '=', company_id)]",
        help="The backtest to export (Scoring Backtests, Export to Excel).",
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=True)
    file_name = fields.Char(readonly=True)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        """From a list's action menu: the register of that model, for the selected records."""
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        ids = self.env.context.get("active_ids")
        if model in SELECTION_MODELS and ids:
            register, field = SELECTION_MODELS[model]
            # The customers' list offers the aging too (its own action asks for it).
            if model == "res.partner" and self.env.context.get("rental_register") == "aging":
                register = "aging"
            values["register"] = register
            records = self.env[model].browse(ids)
            if model == "res.partner":
                records = records.commercial_partner_id
            values[field] = [(6, 0, records.ids)]
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_export(self):
        """Build the register and hand it to the browser as a download."""
        self.ensure_one()
        self.env["rental.xlsx.register"]._check_register_access(self.register, self.company_id)
        name, content = self.env["rental.xlsx.register"]._export(
            self.register, self.company_id, **self._get_register_options()
        )
        self.write({"file_data": base64.b64encode(content), "file_name": name})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file_data/{quote(name)}?download=true",
            "target": "download",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_register_options(self):
        """Hook: keyword options of the register's method (``rental.xlsx.register``)."""
        self.ensure_one()
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The period ends before it starts: fix its dates."))
        if self.register in ("risk", "aging"):
            return {
                "as_of": self.as_of,
                "partner_ids": self.partner_ids.commercial_partner_id.ids,
                "grade": self.grade,
                "blacklisted_only": self.blacklisted_only,
            }
        if self.register == "assets":
            date_to = self.date_to or fields.Date.context_today(self)
            return {
                "date_from": self.date_from or date_to - timedelta(days=364),
                "date_to": date_to,
                "lot_ids": self.lot_ids.ids,
                "categ_id": self.categ_id.id,
            }
        if self.register == "backtest":
            if not self.backtest_id:
                raise UserError(self.env._("Choose the scoring backtest to export."))
            return {"backtest_id": self.backtest_id.id}
        if self.register == "dunning":
            return {
                "date_from": self.date_from,
                "date_to": self.date_to,
                "line_ids": self.dunning_line_ids.ids,
            }
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "claim_ids": self.claim_ids.ids,
        }
