from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..engine.deposits import DEFAULT_DEPOSIT_RATES
from ..engine.scoring import GRADES

# Credit limit a grade gets when a company has not set its own table (company currency).
DEFAULT_GRADE_LIMITS = {"A": 50000.0, "B": 20000.0, "C": 10000.0, "D": 2000.0, "E": 0.0}
#: What a grade imposes on its customers' rental orders besides its limit and deposit.
GRADE_TERM_FIELDS = (
    "payment_term_id",
    "pricelist_id",
    "prepayment_required",
    "forbidden_categ_ids",
)


class RentalGradeLimit(models.Model):
    _name = "rental.grade.limit"
    _description = "Credit Limit per Risk Grade"
    _order = "company_id, grade"
    _check_company_auto = True
    _sql_constraints = [
        (
            "company_grade_uniq",
            "unique (company_id, grade)",
            "Each grade has one credit limit per company; edit the existing line instead.",
        ),
        (
            "credit_limit_positive",
            "CHECK (credit_limit >= 0)",
            "A credit limit cannot be negative; use 0 to allow no credit.",
        ),
    ]

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    grade = fields.Selection([(grade, grade) for grade in GRADES], required=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    credit_limit = fields.Monetary(
        currency_field="currency_id",
        aggregator=None,
        help="Credit limit given to customers of this grade, unless set by hand on the customer.",
    )
    deposit_rate = fields.Float(
        string="Deposit Rate (%)",
        aggregator=None,
        compute="_compute_deposit_rate",
        store=True,
        readonly=False,
        help="Share of the rented assets' replacement value held as deposit from customers of "
        "this grade (a risk rule may ask more).",
    )

    warning_percent = fields.Float(
        string="Warning Line (%)",
        default=80.0,
        aggregator=None,
        help="Share of the credit limit above which an order of a customer of this grade warns "
        "the salesperson and the Risk Officers, before the limit itself holds it.",
    )

    # Terms a grade imposes on its customers' orders (empty: the customer's own, as in Odoo).
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
        help="Payment terms of the orders of customers of this grade, instead of the customer's "
        "own; on a rental order only a Risk Officer may choose others.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist of the orders of customers of this grade, instead of the customer's "
        "own; on a rental order only a Risk Officer may choose another.",
    )
    prepayment_required = fields.Boolean(
        help="Rental orders of customers of this grade must be paid in advance (paid invoice "
        "or online payment) before their gear is picked up.",
    )
    forbidden_categ_ids = fields.Many2many(
        "product.category",
        "rental_grade_limit_forbidden_categ_rel",
        "grade_limit_id",
        "categ_id",
        string="Categories Not Rented",
        help="Product categories (with their subcategories) customers of this grade may not "
        "rent: an order renting one of them cannot be confirmed.",
    )

    @api.depends("grade")
    def _compute_deposit_rate(self):
        # Stored compute: rows created before the deposits existed get their grade's default.
        for line in self:
            if not line.deposit_rate:
                line.deposit_rate = DEFAULT_DEPOSIT_RATES.get(line.grade, 0.0)

    @api.constrains("deposit_rate", "warning_percent")
    def _check_deposit_rate(self):
        for line in self:
            if not 0 <= line.warning_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The warning line of grade %(grade)s must be between 0 and 100 %% of "
                        "the credit limit (0: no warning).",
                        grade=line.grade,
                    )
                )
            if not 0 <= line.deposit_rate <= 100:
                raise ValidationError(
                    self.env._(
                        "The deposit rate of grade %(grade)s must be between 0 and 100 %%.",
                        grade=line.grade,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if "prepayment_required" in vals:
            self.env.registry.clear_cache()
        terms = vals.keys() & set(GRADE_TERM_FIELDS)
        terms_before = {line.id: line._rental_terms_audit() for line in self} if terms else {}
        before = {
            line.id: (line.credit_limit, line.deposit_rate, line.warning_percent) for line in self
        }
        res = super().write(vals)
        for line in self:
            if before[line.id] != (line.credit_limit, line.deposit_rate, line.warning_percent):
                self.env["rental.risk.event"]._log(
                    "grade_limit_change",
                    company=line.company_id,
                    details=self.env._(
                        "Grade %(grade)s: credit limit %(old_limit)s -> %(limit)s, deposit rate "
                        "%(old_rate)s%% -> %(rate)s%%, warning line %(old_line)s%% -> "
                        "%(line)s%%",
                        grade=line.grade,
                        old_limit=before[line.id][0],
                        limit=line.credit_limit,
                        old_rate=before[line.id][1],
                        rate=line.deposit_rate,
                        old_line=before[line.id][2],
                        line=line.warning_percent,
                    ),
                )
            if terms and terms_before[line.id] != line._rental_terms_audit():
                self.env["rental.risk.event"]._log(
                    "grade_limit_change",
                    company=line.company_id,
                    details=self.env._(
                        "Grade %(grade)s: terms %(old)s -> %(new)s",
                        grade=line.grade,
                        old=terms_before[line.id],
                        new=line._rental_terms_audit(),
                    ),
                )
        return res

    def _rental_terms_audit(self):
        """The grade's terms as one line of text, for the audit trail."""
        self.ensure_one()
        return "; ".join(
            f"{self._fields[fname]._description_string(self.env)}: "
            + (
                ", ".join(self[fname].mapped("display_name")) or "-"
                if isinstance(self[fname], models.BaseModel)
                else str(self[fname])
            )
            for fname in GRADE_TERM_FIELDS
        )

    @api.model
    def _get_prepayment_grades(self, company):
        """Grades of ``company`` whose rental orders must be paid before the pickup, cached:
        every rule check reads them, and they change seldom (a change clears the cache)."""
        return self._prepayment_grades_cached(company.id)

    @api.model
    @tools.ormcache("company_id")
    def _prepayment_grades_cached(self, company_id):
        return frozenset(
            self.sudo()
            .search([("company_id", "=", company_id), ("prepayment_required", "=", True)])
            .mapped("grade")
        )

    @api.model
    def _get_grade_rows(self, companies):
        """{(company id, grade): grade line (superuser)} of ``companies``: one query."""
        return {
            (line.company_id.id, line.grade): line
            for line in self.sudo().search([("company_id", "in", companies.ids)])
        }

    @api.model
    def _create_missing_rows(self, companies=None):
        """Give every company (or ``companies``) a line per grade with the default limits."""
        if companies is None:
            # A database holds a handful of companies: reading them all is cheap.
            companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        existing = {
            (company.id, grade)
            for company, grade in self.sudo()._read_group(
                [("company_id", "in", companies.ids)], ["company_id", "grade"]
            )
        }
        self.sudo().create(
            [
                {"company_id": company.id, "grade": grade, "credit_limit": limit}
                for company in companies
                for grade, limit in DEFAULT_GRADE_LIMITS.items()
                if (company.id, grade) not in existing
            ]
        )

    @api.model
    def _get_limits(self, companies):
        """{company_id: {grade: limit}} for ``companies``, defaults where a line is missing."""
        limits = {company.id: dict(DEFAULT_GRADE_LIMITS) for company in companies}
        for line in self.sudo().search([("company_id", "in", companies.ids)]):
            limits[line.company_id.id][line.grade] = line.credit_limit
        return limits

    @api.model
    def _get_warning_percents(self, companies):
        """{company_id: {grade: warning line in percent of the limit}}, 80 where missing."""
        percents = {company.id: dict.fromkeys(GRADES, 80.0) for company in companies}
        for line in self.sudo().search([("company_id", "in", companies.ids)]):
            percents[line.company_id.id][line.grade] = line.warning_percent
        return percents

    @api.model
    def _get_deposit_rates(self, companies):
        """{company_id: {grade: deposit rate in percent}}, defaults where a line is missing."""
        rates = {company.id: dict(DEFAULT_DEPOSIT_RATES) for company in companies}
        for line in self.sudo().search([("company_id", "in", companies.ids)]):
            rates[line.company_id.id][line.grade] = line.deposit_rate
        return rates
