from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import risk_rules

USER_GROUP = "rental_risk.rental_risk_group_user"
OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
#: Order fields the customer's grade imposes on its rental orders (same name on the grade line).
GRADE_ORDER_FIELDS = ("payment_term_id", "pricelist_id")


class SaleOrder(models.Model):
    """What the customer's grade imposes on its orders: payment terms and pricelist, product
    categories it may not rent, and a payment in advance before the pickup."""

    _inherit = "sale.order"

    rental_risk_prepaid_amount = fields.Monetary(
        string="Prepaid",
        compute="_compute_rental_risk_prepayment",
        compute_sudo=True,
        groups=USER_GROUP,
        help="Paid on this order so far: paid invoices of the order (down payments included) "
        "and online payments not yet set against one of them.",
    )
    rental_risk_prepayment_due = fields.Monetary(
        string="Still to Prepay",
        compute="_compute_rental_risk_prepayment",
        compute_sudo=True,
        groups=USER_GROUP,
        help="What the customer must still pay before the gear of this order is picked up.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_payment_term_id(self):
        # The grade's terms replace the customer's own as soon as the customer is chosen, so
        # the salesperson quotes them; on rental orders they are enforced (see write).
        res = super()._compute_payment_term_id()
        self._rental_grade_set_defaults(self, "payment_term_id")
        return res

    def _compute_pricelist_id(self):
        res = super()._compute_pricelist_id()
        # Odoo leaves the pricelist of a confirmed order alone; so does the grade.
        self._rental_grade_set_defaults(self.filtered(lambda o: o.state == "draft"), "pricelist_id")
        return res

    @api.depends(
        "amount_total",
        "rental_risk_prepayment_required",
        "invoice_ids.state",
        "invoice_ids.amount_residual",
        "transaction_ids.state",
    )
    def _compute_rental_risk_prepayment(self):
        required = self.filtered(lambda o: o.id and o.rental_risk_prepayment_required)
        paid = required._origin._rental_risk_prepaid_amounts() if required else {}
        for order in self:
            prepaid = paid.get(order._origin.id, 0.0)
            order.rental_risk_prepaid_amount = prepaid
            order.rental_risk_prepayment_due = (
                max(order.currency_id.round(order.amount_total - prepaid), 0.0)
                if order in required
                else 0.0
            )

    def _compute_rental_risk_panel(self):
        # Rented categories the grade forbids block the confirmation: shown first, in red.
        res = super()._compute_rental_risk_panel()
        drafts = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id and o.id)
        forbidden = drafts._rental_grade_forbidden_messages() if drafts else {}
        for order in drafts:
            messages = forbidden.get(order.id)
            if not messages:
                continue
            alerts = Markup().join(
                Markup('<div class="alert alert-danger mb-1" role="alert">%s</div>') % message
                for message in messages
            )
            order.rental_risk_panel = alerts + Markup(order.rental_risk_panel or "")
            order.rental_risk_has_block = True
        return res

    # ------------------------------------------------------------------
    # CRUD: on a rental order, only a Risk Officer departs from the grade's terms
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        for order, vals in zip(orders, vals_list, strict=True):
            fnames = [fname for fname in GRADE_ORDER_FIELDS if fname in vals]
            if fnames:
                order._rental_grade_check_terms(fnames)
        return orders

    def write(self, vals):
        fnames = [fname for fname in GRADE_ORDER_FIELDS if fname in vals]
        before = {order.id: [order[fname] for fname in fnames] for order in self} if fnames else {}
        res = super().write(vals)
        if fnames:
            changed = self.filtered(lambda o: [o[fname] for fname in fnames] != before[o.id])
            changed._rental_grade_check_terms(fnames)
        return res

    def copy_data(self, default=None):
        # A copy takes the grade's terms of today, not an exception granted to the original.
        vals_list = super().copy_data(default=default)
        grade_lines = self._rental_grade_lines()
        for order, vals in zip(self, vals_list, strict=True):
            line = grade_lines[order.id]
            for fname in GRADE_ORDER_FIELDS:
                if line[fname] and not (default and fname in default):
                    vals[fname] = line[fname].id
        return vals_list

    # ------------------------------------------------------------------
    # Business methods: the grade of the customer
    # ------------------------------------------------------------------

    def _rental_grade_lines(self):
        """{order id: grade line (superuser) of its customer's grade in its company, or an
        empty record}. A customer not scored yet has the neutral grade, as in the rules."""
        empty = self.env["rental.grade.limit"].sudo()
        companies = self.company_id or self.env.company
        rows = self.env["rental.grade.limit"]._get_grade_rows(companies)
        result = {}
        for order in self:
            company = order.company_id or self.env.company
            customer = order.partner_id.commercial_partner_id.sudo().with_company(company)
            grade = (customer.rental_grade or risk_rules.NEUTRAL_GRADE) if customer else ""
            result[order.id] = rows.get((company.id, grade), empty)
        return result

    @api.model
    def _rental_grade_set_defaults(self, orders, fname):
        """Set the grade's value of ``fname`` (payment terms, pricelist) on ``orders`` whose
        customer's grade has one."""
        orders = orders.filtered("partner_id")
        if not orders:
            return
        grade_lines = orders._rental_grade_lines()
        for order in orders:
            value = grade_lines[order.id][fname]
            if value:
                order[fname] = value.sudo(False)

    def _rental_grade_check_terms(self, fnames):
        """Refuse payment terms or a pricelist other than the grade's on rental orders, unless
        the user is a Risk Officer (the exception is then in the audit trail)."""
        orders = self.filtered("is_rental_order")
        if not orders:
            return
        grade_lines = orders._rental_grade_lines()
        officer = self.env.su or self.env.user.has_group(OFFICER_GROUP)
        for order in orders:
            line = grade_lines[order.id]
            differing = [fname for fname in fnames if line[fname] and order[fname] != line[fname]]
            if not differing:
                continue
            labels = ", ".join(
                order._fields[fname]._description_string(self.env) for fname in differing
            )
            if not officer:
                raise UserError(
                    self.env._(
                        "Customers of grade %(grade)s rent with the grade's %(fields)s; only a "
                        "Risk Officer may choose others on %(order)s.",
                        grade=line.grade,
                        fields=labels,
                        order=order.display_name,
                    )
                )
            if not self.env.su:
                self.env["rental.risk.event"]._log(
                    "grade_terms_override",
                    partner=order.partner_id,
                    order=order,
                    details=self.env._(
                        "%(fields)s of %(order)s set apart from grade %(grade)s: %(values)s",
                        fields=labels,
                        order=order.display_name,
                        grade=line.grade,
                        values=", ".join(order[fname].display_name for fname in differing),
                    ),
                )

    def _rental_grade_apply_terms(self):
        """At confirmation: put the grade's payment terms and pricelist on rental orders that
        do not have them (prices follow the pricelist), unless a Risk Officer chose others."""
        orders = self.filtered("is_rental_order")
        if not orders:
            return
        excepted = set(
            self.env["rental.risk.event"]
            .sudo()
            .search([("order_id", "in", orders.ids), ("event_type", "=", "grade_terms_override")])
            .order_id.ids
        )
        grade_lines = orders._rental_grade_lines()
        for order in orders.filtered(lambda o: o.id not in excepted):
            line = grade_lines[order.id]
            vals = {
                fname: line[fname].id
                for fname in GRADE_ORDER_FIELDS
                if line[fname] and order[fname] != line[fname]
            }
            if not vals:
                continue
            order.sudo().write(vals)
            if "pricelist_id" in vals:
                order.sudo()._recompute_prices()
            order.sudo().message_post(
                body=self.env._(
                    "Terms of grade %(grade)s applied: %(values)s",
                    grade=line.grade,
                    values=", ".join(line[fname].display_name for fname in vals),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _rental_grade_forbidden_messages(self):
        """{order id: [why each rental line of a category the customer's grade may not rent
        is refused]} (orders without such a line are left out)."""
        grade_lines = self._rental_grade_lines()
        result = {}
        for order in self:
            line = grade_lines[order.id]
            forbidden = line.forbidden_categ_ids
            if not forbidden:
                continue
            customer = order.partner_id.commercial_partner_id.sudo()
            for order_line in order.order_line.sudo().filtered("is_rental"):
                category = order_line.product_id.categ_id
                # A category forbids its subcategories too: its id is on their parent path.
                ancestors = {int(part) for part in (category.parent_path or "").split("/") if part}
                hit = forbidden.filtered(lambda c, ids=ancestors: c.id in ids)[:1]
                if not hit:
                    continue
                result.setdefault(order.id, []).append(
                    self.env._(
                        "%(product)s (category %(category)s) cannot be rented to %(customer)s: "
                        "customers of grade %(grade)s may not rent %(forbidden)s.",
                        product=order_line.product_id.display_name,
                        category=category.display_name,
                        customer=customer.display_name,
                        grade=line.grade,
                        forbidden=hit.display_name,
                    )
                )
        return result

    def _rental_grade_check_categories(self):
        """Refuse orders renting a category the customer's grade may not rent."""
        forbidden = self._rental_grade_forbidden_messages()
        if not forbidden:
            return
        lines = []
        for order in self.filtered(lambda o: o.id in forbidden):
            self.env["rental.risk.event"]._log_autonomous(
                "block",
                partner=order.partner_id,
                order=order,
                details="\n".join(forbidden[order.id]),
            )
            lines += [f"{order.name}:", *(f"- {message}" for message in forbidden[order.id])]
        raise UserError(
            self.env._(
                "The customer's risk grade forbids renting this gear:\n%(reasons)s\nRemove "
                "these lines, or have a Risk Manager change the grade's categories.",
                reasons="\n".join(lines),
            )
        )

    # ------------------------------------------------------------------
    # Business methods: hooks of the risk gate
    # ------------------------------------------------------------------

    def _rental_risk_check_confirmation(self):
        orders = self.filtered(lambda o: o.state in ("draft", "sent"))
        orders._rental_grade_apply_terms()
        orders._rental_grade_check_categories()
        return super()._rental_risk_check_confirmation()

    def _rental_risk_check_before_confirm(self):
        unchecked = self.filtered(lambda o: o.id not in self._rental_risk_checked_ids())
        unchecked._rental_grade_apply_terms()
        unchecked._rental_grade_check_categories()
        return super()._rental_risk_check_before_confirm()

    def _rental_risk_check_change(self):
        self.filtered(lambda o: o.state == "sale")._rental_grade_check_categories()
        return super()._rental_risk_check_change()

    def _rental_risk_order_facts(self, customer, customer_facts, added, first_rental):
        facts = super()._rental_risk_order_facts(customer, customer_facts, added, first_rental)
        if self.is_rental_order:
            grades = self.env["rental.grade.limit"]._get_prepayment_grades(self.company_id)
            facts.grade_prepayment = (facts.grade or risk_rules.NEUTRAL_GRADE) in grades
        return facts

    def _rental_risk_render_panel(self, outcome):
        panel = super()._rental_risk_render_panel(outcome)
        if not outcome.grade_prepayment:
            return panel
        note = Markup('<div class="alert alert-info mb-1" role="alert">%s</div>') % (
            self.env._(
                "Customers of grade %(grade)s pay in advance: the pickup waits until the order "
                "is paid (paid invoice or online payment).",
                grade=self.rental_risk_grade or risk_rules.NEUTRAL_GRADE,
            )
        )
        # Without a rule hit the panel only says that none applies: the note replaces it.
        return panel + note if outcome.hits else note

    # ------------------------------------------------------------------
    # Business methods: what is paid in advance
    # ------------------------------------------------------------------

    def _rental_risk_prepaid_amounts(self):
        """Hook: {order id: amount paid in advance, order currency}: what is paid of the
        order's posted invoices (down payments or full, refunds deducted, an invoice shared
        with other orders in proportion of this order's lines) plus the done online payments
        (payment link, portal) not yet set against one of those invoices."""
        result = {}
        today = fields.Date.context_today(self)
        for order in self.sudo():
            currency = order.currency_id
            invoices = order.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type in ("out_invoice", "out_refund")
            )
            paid = 0.0
            for move in invoices:
                settled = move.amount_total - move.amount_residual
                if move.currency_id.is_zero(settled) or move.currency_id.is_zero(move.amount_total):
                    continue
                ours = sum(
                    line.price_total
                    for line in move.invoice_line_ids
                    if line.sale_line_ids.order_id == order
                )
                share = min(max(ours / move.amount_total, 0.0), 1.0)
                amount = move.currency_id._convert(
                    settled * share, currency, order.company_id, move.invoice_date or today
                )
                paid += -amount if move.move_type == "out_refund" else amount
            for tx in order.transaction_ids.filtered(lambda t: t.state == "done"):
                if tx.invoice_ids & invoices or (
                    tx.payment_id and tx.payment_id.reconciled_invoice_ids & invoices
                ):
                    continue
                paid += tx.currency_id._convert(tx.amount, currency, order.company_id, today)
            result[order.id] = currency.round(paid)
        return result
