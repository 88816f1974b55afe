from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..engine.deposits import customer_charge

MANAGER_GROUP = "rental_risk.rental_risk_group_manager"


class RentalDamageClaim(models.Model):
    _name = "rental.damage.claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "rental.risk.protected.mixin"]
    _description = "Rental Damage Claim"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(default=fields.Date.context_today, required=True, tracking=True)
    claim_type = fields.Selection(
        [
            ("damage", "Damage"),
            ("accessories", "Missing Accessories"),
            ("loss", "Loss"),
        ],
        string="Type",
        required=True,
        default="damage",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("assessed", "Assessed"),
            ("invoiced", "Invoiced"),
            ("paid", "Paid"),
            ("waived", "Waived"),
            ("disputed", "Disputed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        help="Paid follows the payment of the claim's invoice. Cancelled: a lost asset came "
        "back and its loss claim was credited.",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Asset",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('rental_ok', '=', True)]",
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    order_id = fields.Many2one(
        "sale.order", index="btree_not_null", tracking=True, check_company=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True
    )
    inspection_id = fields.Many2one("rental.inspection", readonly=True, index="btree_not_null")
    description = fields.Text(required=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "rental_damage_claim_attachment_rel",
        "claim_id",
        "attachment_id",
        string="Photos",
    )
    replacement_value = fields.Monetary(
        related="lot_id.rental_replacement_value", string="Replacement Value"
    )
    assessed_amount = fields.Monetary(
        tracking=True,
        help="Repair estimate, or the (depreciated) replacement value for a loss.",
    )
    insurance_cover = fields.Monetary(
        tracking=True, help="Part of the assessed amount the customer's insurance pays."
    )
    deductible = fields.Monetary(
        tracking=True, help="The customer's own share of a covered claim, whatever the cover."
    )
    charge_amount = fields.Monetary(
        string="Customer Charge",
        compute="_compute_charge_amount",
        store=True,
        help="Assessed amount less the insurance cover, but at least the deductible.",
    )
    invoice_id = fields.Many2one("account.move", readonly=True, copy=False, index="btree_not_null")
    credit_note_id = fields.Many2one("account.move", readonly=True, copy=False)
    payment_state = fields.Selection(related="invoice_id.payment_state", string="Payment")
    rental_risk_decision_ids = fields.One2many(
        "rental.risk.decision", "claim_id", string="Risk Decisions"
    )
    waive_decision_id = fields.Many2one(
        "rental.risk.decision",
        string="Waiver",
        compute="_compute_waive_decision_id",
        store=True,
        copy=False,
    )
    waive_reason = fields.Text(related="waive_decision_id.reason", string="Waive Reason")
    waived_by_id = fields.Many2one(
        "res.users", related="waive_decision_id.user_id", string="Waived By"
    )
    loss_move_id = fields.Many2one(
        "stock.move", string="Loss Stock Move", readonly=True, copy=False
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_risk_decision_ids")
    def _compute_waive_decision_id(self):
        latest = self.env["rental.risk.decision"]._latest(self._origin, "claim_id", ("waive",))
        for claim in self:
            claim.waive_decision_id = latest.get(claim._origin.id, self.env["rental.risk.decision"])

    @api.depends("assessed_amount", "insurance_cover", "deductible")
    def _compute_charge_amount(self):
        for claim in self:
            claim.charge_amount = customer_charge(
                max(claim.assessed_amount, 0.0),
                max(claim.insurance_cover, 0.0),
                max(claim.deductible, 0.0),
                digits=claim.currency_id.decimal_places or 2,
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("assessed_amount", "insurance_cover", "deductible")
    def _check_amounts(self):
        for claim in self:
            if min(claim.assessed_amount, claim.insurance_cover, claim.deductible) < 0:
                raise ValidationError(
                    self.env._(
                        "The amounts of claim %(claim)s cannot be negative; enter 0 or a "
                        "positive amount.",
                        claim=claim.name,
                    )
                )

    @api.constrains("lot_id", "partner_id", "order_id")
    def _check_customer_rented_asset(self):
        """A customer can only be charged for an asset they rented (picked up at least once)."""
        for claim in self:
            if not self._rental_customer_rented(claim.lot_id, claim.partner_id, claim.order_id):
                raise ValidationError(
                    self.env._(
                        "%(customer)s never rented the asset %(serial)s%(order)s: a claim can "
                        "only charge a customer for gear they picked up. Check the serial and "
                        "the customer.",
                        customer=claim.partner_id.display_name,
                        serial=claim.lot_id.display_name,
                        order=self.env._(" on %(order)s", order=claim.order_id.name)
                        if claim.order_id
                        else "",
                    )
                )

    @api.model
    def _rental_customer_rented(self, lot, partner, order=None):
        """Whether ``partner`` (or its company) picked ``lot`` up, on ``order`` when given."""
        domain = [
            ("lot_id", "=", lot.id),
            ("state", "in", ("out", "returned")),
            ("partner_id", "child_of", partner.commercial_partner_id.id),
        ]
        if order:
            domain.append(("order_id", "=", order.id))
        return bool(self.env["rental.booking"].sudo().search_count(domain, limit=1))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("rental.damage.claim")
                    or "/"
                )
        claims = super().create(vals_list)
        claims._check_amount_rights()
        claims._rental_rescore()
        return claims

    def write(self, vals):
        res = super().write(vals)
        if {"assessed_amount", "lot_id"} & set(vals):
            self._check_amount_rights()
        return res

    def _rental_protected_fields(self):
        """{field: what to do instead} of the claim fields nobody writes directly."""
        state = self.env._(
            "The claim moves with its buttons: Assess, Invoice, Dispute, Waive (Risk Managers); "
            "its invoice's payment makes it paid."
        )
        return {
            "state": state,
            "invoice_id": state,
            "credit_note_id": state,
            "loss_move_id": state,
            "inspection_id": self.env._("Claims are linked to the inspection that opened them."),
            "rental_risk_decision_ids": state,
            "waive_decision_id": state,
            "waive_reason": state,
            "waived_by_id": state,
        }

    def _rental_write_system(self, vals):
        """Write the claim's state and accounting links: its own methods alone do this."""
        with self.env["rental.risk.decision"]._open_guard():
            return self.write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_assess(self):
        """Confirm the assessed amount (a Risk Manager above the replacement value)."""
        self._check_state(("draft", "disputed"), self.env._("assess it"))
        self._check_amount_rights()
        self.filtered(lambda c: not c.invoice_id)._rental_write_system({"state": "assessed"})
        self.filtered("invoice_id")._rental_write_system({"state": "invoiced"})
        return True

    def action_invoice(self):
        """Invoice the customer charge with the damage-charge product: a draft invoice for an
        accountant to review, posted at once where the company chooses so."""
        self._check_state(("assessed",), self.env._("invoice it"))
        self._check_amount_rights()
        for claim in self:
            if claim.charge_amount <= 0:
                raise UserError(
                    self.env._(
                        "The claim %(claim)s charges the customer nothing; waive it instead of "
                        "invoicing it.",
                        claim=claim.name,
                    )
                )
        moves = (
            self.env["account.move"]
            .sudo()
            .create([claim._prepare_invoice_vals() for claim in self])
        )
        for claim, move in zip(self, moves, strict=True):
            claim._rental_write_system({"invoice_id": move.id, "state": "invoiced"})
            claim.message_post(
                body=self.env._("Invoiced: %(invoice)s", invoice=move._get_html_link()),
            )
        moves.filtered(lambda move: move.company_id.rental_claim_invoice_post).action_post()
        return True

    def action_dispute(self):
        """The customer contests the claim: keep it aside until it is assessed again."""
        self._check_state(("draft", "assessed", "invoiced"), self.env._("dispute it"))
        self._rental_write_system({"state": "disputed"})
        return True

    def action_waive(self, reason=None):
        """Give the claim up (Risk Manager): an unpaid invoice is credited in full. The waiver
        is a decision kept for good, and the claim's state follows from it."""
        self._check_manager(self.env._("waive a claim"))
        self._check_state(("draft", "assessed", "invoiced", "disputed"), self.env._("waive it"))
        reason = reason or self.env.context.get("rental_waive_reason")
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason why the claim is waived."))
        own = self.sudo().filtered(lambda c: c.order_id.user_id == self.env.user)
        if own:
            raise AccessError(
                self.env._(
                    "You are the salesperson of the order of %(claims)s: another Risk Manager "
                    "must waive it.",
                    claims=", ".join(own.mapped("name")),
                )
            )
        for claim in self.sudo():
            if claim.invoice_id.payment_state in ("paid", "in_payment", "partial"):
                raise UserError(
                    self.env._(
                        "The invoice of claim %(claim)s is already (partly) paid; refund the "
                        "customer with a credit note instead of waiving the claim.",
                        claim=claim.name,
                    )
                )
        self._credit_invoices()
        for claim in self.sudo():
            self.env["rental.risk.decision"]._record(
                "waive",
                reason,
                partner=claim.partner_id,
                order=claim.order_id or None,
                claim=claim,
                amount=claim.charge_amount,
                currency_id=claim.currency_id.id,
                details=self.env._(
                    "Claim %(claim)s waived: %(reason)s", claim=claim.name, reason=reason
                ),
            )
        self._rental_write_system({"state": "waived"})
        self._rental_rescore()
        return True

    def action_open_waive(self):
        """Ask the reason of the waiver (Risk Manager)."""
        self._check_manager(self.env._("waive a claim"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Waive Claim"),
            "res_model": "rental.damage.claim.waive",
            "view_mode": "form",
            "target": "new",
            "context": {"default_claim_ids": self.ids},
        }

    def action_view_invoice(self):
        self._rental_ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "form",
            "res_id": self.invoice_id.id,
        }

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        # A sender without an e-mail never blocks the action that posts (see base.py).
        author_id, email_from = super()._message_compute_author(
            author_id=author_id, email_from=email_from, raise_on_email=False
        )
        return self._rental_message_author(author_id, email_from)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_sync_payment_state(self):
        """Invoiced claims follow their invoice: paid once it is paid, invoiced again if the
        payment is undone. Called after reconciliations (account.move.line)."""
        for claim in self.sudo().filtered(lambda c: c.state in ("invoiced", "paid")):
            paid = claim.invoice_id.payment_state in ("paid", "in_payment")
            state = "paid" if paid else "invoiced"
            if claim.state != state:
                claim._rental_write_system({"state": state})

    def _check_state(self, allowed, what):
        states = dict(self._fields["state"]._description_selection(self.env))
        for claim in self:
            if claim.state not in allowed:
                raise UserError(
                    self.env._(
                        "You cannot %(what)s: the claim %(claim)s is %(state)s.",
                        what=what,
                        claim=claim.name,
                        state=states[claim.state],
                    )
                )

    def _check_manager(self, what):
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        raise AccessError(
            self.env._("Only a Risk Manager can %(what)s; ask one to do it.", what=what)
        )

    def _check_amount_rights(self):
        """A claim above the asset's replacement value needs a Risk Manager (checked in Python:
        the ORM is reachable by RPC, a hidden button is not enough)."""
        currency_cmp = self.env.company.currency_id.compare_amounts
        over = self.filtered(
            lambda c: currency_cmp(c.assessed_amount, c.lot_id.rental_replacement_value) > 0
        )
        if over:
            over._check_manager(self.env._("charge more than the asset's replacement value"))

    def _prepare_invoice_vals(self):
        """Customer invoice of the claim: one line of the damage-charge product."""
        self.ensure_one()
        product = self.env.ref("rental_risk.product_damage_charge")
        partner = self.order_id.partner_invoice_id or self.partner_id
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_origin": self.order_id.name or self.name,
            "ref": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "%(claim)s: %(type)s of %(serial)s - %(description)s",
                            claim=self.name,
                            type=dict(self._fields["claim_type"]._description_selection(self.env))[
                                self.claim_type
                            ],
                            serial=self.lot_id.display_name,
                            description=self.description,
                        ),
                        "quantity": 1,
                        "price_unit": self.charge_amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _credit_invoices(self):
        """Credit the posted invoices of the claims in full and reconcile them."""
        # Claim handlers need no accounting rights: the rights were checked by the caller.
        claims = self.sudo()
        invoices = claims.invoice_id.filtered(lambda m: m.state == "posted")
        for claim in claims.filtered(lambda c: c.invoice_id in invoices):
            # An unpaid invoice is cancelled by its credit note (reconciled); a paid one leaves
            # the customer a credit to refund.
            reversal = claim.invoice_id.sudo()._reverse_moves(
                [{"ref": self.env._("Credit of %(claim)s", claim=claim.name)}],
                cancel=claim.invoice_id.payment_state == "not_paid",
            )
            reversal.filtered(lambda m: m.state == "draft").action_post()
            claim._rental_write_system({"credit_note_id": reversal.id})
        claims.invoice_id.filtered(lambda m: m.state == "draft").button_cancel()

    def _rental_cancel(self, message):
        """Withdraw the claims (e.g. the lost asset came back): credit what was invoiced."""
        self._credit_invoices()
        self._rental_write_system({"state": "cancelled"})
        for claim in self:
            claim.message_post(body=message)
        self._rental_rescore()

    def _rental_rescore(self):
        for company in self.company_id:
            claims = self.filtered(lambda c, company=company: c.company_id == company)
            claims.partner_id.commercial_partner_id.sudo()._rental_risk_rescore(company=company)
