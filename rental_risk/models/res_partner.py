import ast
import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, get_lang, split_every

from odoo.addons.base.models.res_lang import intersperse

from ..engine.identity import (
    normalize_address,
    normalize_email,
    normalize_id_number,
    normalize_phone,
    normalize_vat,
)
from ..engine.scoring import (
    GRADES,
    CustomerFacts,
    ScoringConfig,
    format_points,
    grade_drop,
    score_customer,
)
from .rental_blacklist_entry import BLACKLIST_CATEGORIES
from .rental_score_history import GRADE_SELECTION

_logger = logging.getLogger(__name__)

USER_GROUP = "rental_risk.rental_risk_group_user"
OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
MANAGER_GROUP = "rental_risk.rental_risk_group_manager"

#: Payments made within this many days count as "recent" for the payment trend factor.
RECENT_PAYMENT_DAYS = 180
#: Partners scored per batch by the scheduled rescoring (one set of queries per batch).
RESCORE_BATCH_SIZE = 2000
#: Risk inputs only Risk Managers may change (the KYC flag needs a Risk Officer).
RISK_MANAGER_FIELDS = (
    "rental_credit_limit",
    "rental_credit_limit_manual",
    "rental_blacklisted",
    "rental_grade_override",
    "rental_grade_override_reason",
    "rental_grade_override_until",
    "rental_grade_override_user_id",
)
#: Identity document types checked by KYC.
KYC_ID_TYPES = [
    ("passport", "Passport"),
    ("national_id", "National ID Card"),
    ("driving_licence", "Driving Licence"),
    ("company_registration", "Company Registration"),
]
#: Fields whose change re-runs the blacklist identity matching.
IDENTITY_FIELDS = ("phone", "mobile", "email", "vat", "rental_kyc_id_number", "country_id")
#: Matched only where the company asks for it (see _rental_risk_identity_changed).
ADDRESS_FIELDS = ("street", "street2", "zip", "city")
#: Blacklist details set only through the blacklist wizard (Risk Managers).
BLACKLIST_FIELDS = (
    "rental_blacklist_category",
    "rental_blacklist_reason",
    "rental_blacklist_attachment_ids",
    "rental_blacklisted_by_id",
    "rental_blacklisted_on",
    "rental_blacklist_match_id",
    "rental_blacklist_match_ignore_ids",
)
#: Columns the rescoring writes with SQL; their cache is invalidated afterwards.
SCORED_FIELDS = [
    "rental_score",
    "rental_grade_computed",
    "rental_grade",
    "rental_score_explanation",
    "rental_scored_at",
    "rental_credit_limit",
    "rental_exposure_at_scoring",
    "rental_available_credit_at_scoring",
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # Risk lives on the commercial partner (the company, or a person without company); its
    # contacts show the commercial partner's values through the rental_commercial_* fields.

    rental_score = fields.Integer(
        string="Risk Score",
        readonly=True,
        copy=False,
        aggregator="avg",
        groups=USER_GROUP,
        help="0 (worst) to 100 (best), from payment behaviour, rentals and identity checks.",
    )
    rental_grade_computed = fields.Selection(
        GRADE_SELECTION,
        string="Computed Grade",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
        help="Grade given by the score, before any manual override.",
    )
    rental_grade = fields.Selection(
        GRADE_SELECTION,
        string="Risk Grade",
        compute="_compute_rental_grade",
        store=True,
        index=True,
        copy=False,
        groups=USER_GROUP,
        help="Grade in force: the override while it lasts, otherwise the computed grade.",
    )
    rental_grade_override = fields.Selection(
        GRADE_SELECTION,
        string="Overridden Grade",
        readonly=True,
        copy=False,
        tracking=True,
        groups=USER_GROUP,
    )
    rental_grade_override_reason = fields.Char(
        string="Override Reason", readonly=True, copy=False, tracking=True, groups=OFFICER_GROUP
    )
    rental_grade_override_until = fields.Date(
        string="Override Until",
        readonly=True,
        copy=False,
        tracking=True,
        groups=OFFICER_GROUP,
        help="Last day the override applies; the daily rescoring ends it afterwards.",
    )
    rental_grade_override_user_id = fields.Many2one(
        "res.users", string="Overridden By", readonly=True, copy=False, groups=OFFICER_GROUP
    )
    rental_score_explanation = fields.Text(
        string="Score Explanation", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_scored_at = fields.Datetime(
        string="Last Scored", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_score_history_ids = fields.One2many(
        "rental.score.history", "partner_id", string="Score History", groups=USER_GROUP
    )
    rental_currency_id = fields.Many2one(
        "res.currency", string="Risk Currency", compute="_compute_rental_currency_id"
    )
    rental_credit_limit = fields.Monetary(
        currency_field="rental_currency_id",
        compute="_compute_rental_credit_limit",
        store=True,
        readonly=False,
        copy=False,
        groups=USER_GROUP,
        help="Follows the grade table of the company unless set by hand.",
    )
    rental_credit_limit_manual = fields.Boolean(
        string="Limit Set by Hand",
        copy=False,
        groups=USER_GROUP,
        help="Keep this limit when the grade changes instead of following the grade table.",
    )
    rental_exposure = fields.Monetary(
        string="Exposure",
        currency_field="rental_currency_id",
        compute="_compute_rental_exposure",
        groups=USER_GROUP,
        help="Open receivables + confirmed orders not yet invoiced + replacement value of the "
        "assets out with the customer - deposits held, in company currency.",
    )
    rental_available_credit = fields.Monetary(
        string="Available Credit",
        currency_field="rental_currency_id",
        compute="_compute_rental_exposure",
        groups=USER_GROUP,
    )
    # Snapshots refreshed by every rescoring, so lists and graphs can sort, filter and sum them.
    rental_exposure_at_scoring = fields.Monetary(
        string="Exposure (Last Scoring)",
        currency_field="rental_currency_id",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_available_credit_at_scoring = fields.Monetary(
        string="Available Credit (Last Scoring)",
        currency_field="rental_currency_id",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    # Minimal identity inputs of the scoring; the blacklist issue extends them with its models.
    rental_kyc_verified = fields.Boolean(
        string="Identity Verified (KYC)", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_blacklisted = fields.Boolean(
        string="Blacklisted", copy=False, tracking=True, groups=USER_GROUP
    )
    # Blacklist and identity (issue 5). The blacklist decision of the moment lives here; every
    # decision, lifted ones included, stays in rental.blacklist.entry and the risk events.
    rental_blacklist_category = fields.Selection(
        BLACKLIST_CATEGORIES,
        string="Blacklist Reason",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklist_reason = fields.Text(
        string="Blacklist Details", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_blacklist_attachment_ids = fields.Many2many(
        "ir.attachment",
        "res_partner_rental_blacklist_attachment_rel",
        "partner_id",
        "attachment_id",
        string="Blacklist Evidence",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
    )
    rental_blacklisted_by_id = fields.Many2one(
        "res.users", string="Blacklisted By", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_blacklisted_on = fields.Datetime(
        string="Blacklisted On", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_blacklist_entry_ids = fields.One2many(
        "rental.blacklist.entry", "partner_id", string="Blacklist History", groups=USER_GROUP
    )
    rental_blacklist_match_id = fields.Many2one(
        "res.partner",
        string="Possible Blacklist Match",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=USER_GROUP,
        help="A blacklisted customer sharing a phone, e-mail, tax id or identity document "
        "number with this one.",
    )
    rental_blacklist_match_reason = fields.Char(
        string="Matched On", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_blacklist_match_ignore_ids = fields.Many2many(
        "res.partner",
        "res_partner_rental_blacklist_ignore_rel",
        "partner_id",
        "ignored_id",
        string="Dismissed Matches",
        readonly=True,
        copy=False,
        groups=USER_GROUP,
        help="Blacklisted customers a Risk Officer checked and found to be someone else.",
    )
    rental_kyc_id_type = fields.Selection(
        KYC_ID_TYPES, string="ID Document", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_kyc_id_number = fields.Char(
        string="ID Document Number", copy=False, tracking=True, groups=USER_GROUP
    )
    rental_kyc_verified_by_id = fields.Many2one(
        "res.users", string="Identity Verified By", readonly=True, copy=False, groups=USER_GROUP
    )
    rental_kyc_verified_on = fields.Datetime(
        string="Identity Verified On", readonly=True, copy=False, groups=USER_GROUP
    )
    # Normalised identifiers, stored and indexed so that matching is one indexed search.
    rental_phone_norm = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_mobile_norm = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_email_norm = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_vat_norm = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_id_number_norm = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_address_norm = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_risk_locked_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="Written by every order confirmation check, so that two transactions confirming "
        "orders of one customer at once cannot both pass the credit limit check.",
    )
    rental_commercial_grade = fields.Selection(
        related="commercial_partner_id.rental_grade", string="Company Risk Grade"
    )
    rental_commercial_score = fields.Integer(
        related="commercial_partner_id.rental_score", string="Company Risk Score"
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_grade_computed", "rental_grade_override")
    def _compute_rental_grade(self):
        for partner in self:
            partner.rental_grade = partner.rental_grade_override or partner.rental_grade_computed

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_rental_currency_id(self):
        for partner in self:
            partner.rental_currency_id = partner._rental_risk_company().currency_id

    @api.depends("rental_grade", "rental_credit_limit_manual", "company_id")
    def _compute_rental_credit_limit(self):
        companies = self.env["res.company"].browse(
            {partner._rental_risk_company().id for partner in self}
        )
        limits = self.env["rental.grade.limit"]._get_limits(companies)
        for partner in self:
            if partner.rental_credit_limit_manual:
                partner.rental_credit_limit = partner.rental_credit_limit
            elif partner.rental_grade:
                company = partner._rental_risk_company()
                partner.rental_credit_limit = limits[company.id][partner.rental_grade]
            else:
                partner.rental_credit_limit = 0.0

    @api.depends(*IDENTITY_FIELDS, *ADDRESS_FIELDS)
    def _compute_rental_identity_norm(self):
        gmail_dots = (
            self.env["ir.config_parameter"].sudo().get_param("rental_risk.match_gmail_dots") == "1"
        )
        for partner in self:
            country = (
                partner.country_id or partner.company_id.country_id or self.env.company.country_id
            )
            partner.rental_phone_norm = normalize_phone(partner.phone, country.phone_code) or False
            partner.rental_mobile_norm = (
                normalize_phone(partner.mobile, country.phone_code) or False
            )
            partner.rental_email_norm = normalize_email(partner.email, gmail_dots) or False
            partner.rental_vat_norm = normalize_vat(partner.vat, country.code) or False
            partner.rental_id_number_norm = (
                normalize_id_number(partner.sudo().rental_kyc_id_number) or False
            )
            partner.rental_address_norm = (
                normalize_address(
                    partner.street, partner.street2, partner.zip, partner.city, country.code
                )
                or False
            )

    @api.depends_context("company")
    def _compute_rental_exposure(self):
        commercial = self.commercial_partner_id.filtered("id")
        exposures = self._rental_risk_get_exposure(commercial.ids)
        for partner in self:
            partner_commercial = partner.commercial_partner_id
            exposure = exposures.get(partner_commercial.id, {}).get("total", 0.0)
            partner.rental_exposure = exposure
            partner.rental_available_credit = partner.rental_currency_id.round(
                partner_commercial.rental_credit_limit - exposure
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if partners._rental_risk_identity_changed({fname for vals in vals_list for fname in vals}):
            partners._rental_risk_match_blacklist()
        return partners

    def write(self, vals):
        self._rental_risk_check_write(vals)
        # A verified identity stays verified only for the document that was checked.
        unverify = self.env["res.partner"]
        if "rental_kyc_id_number" in vals and not vals.get("rental_kyc_verified"):
            unverify = self.sudo().filtered(
                lambda p: p.rental_kyc_verified
                and normalize_id_number(p.rental_kyc_id_number)
                != normalize_id_number(vals["rental_kyc_id_number"])
            )
        direct = self.env["res.partner"]
        if "rental_blacklisted" in vals and not self.env.context.get("rental_blacklist_decision"):
            direct = self.sudo().filtered(
                lambda p: p.rental_blacklisted != vals["rental_blacklisted"]
            )
        res = super().write(vals)
        if direct:
            # Kept in the history even when set without the blacklist wizard (imports, RPC).
            self._rental_risk_record_blacklist_decision(
                direct,
                "set" if vals["rental_blacklisted"] else "lift",
                "other" if vals["rental_blacklisted"] else False,
                self.env._("Changed directly on the customer, without the blacklist wizard."),
            )
        if unverify:
            unverify.sudo().write(
                {
                    "rental_kyc_verified": False,
                    "rental_kyc_verified_by_id": False,
                    "rental_kyc_verified_on": False,
                }
            )
        if self._rental_risk_identity_changed(vals):
            self._rental_risk_match_blacklist()
        return res

    def _rental_risk_identity_changed(self, fnames):
        """Whether writing ``fnames`` on ``self`` may change a blacklist match: an identifier,
        or an address where the company matches on addresses (most address edits then cost
        no matching query)."""
        if any(fname in fnames for fname in IDENTITY_FIELDS):
            return True
        return any(fname in fnames for fname in ADDRESS_FIELDS) and any(
            partner._rental_risk_company().rental_risk_match_address
            for partner in self.sudo().commercial_partner_id
        )

    def _rental_risk_check_write(self, vals):
        """Refuse risk inputs to users below the group that owns them (the ORM is reachable by
        RPC, so hiding the fields in the view is not enough). Values sent unchanged, as a form
        does after an onchange, are let through."""
        if self.env.su:
            return
        changed = self._rental_risk_changed_fields(vals)
        # Blacklist details are readonly in every view: any value sent for them is a change.
        changed |= set(vals) & set(BLACKLIST_FIELDS)
        manager_fields = {*RISK_MANAGER_FIELDS, *BLACKLIST_FIELDS}
        if (
            "rental_kyc_verified_by_id" in vals or "rental_kyc_verified_on" in vals
        ) and not self.env.user.has_group(OFFICER_GROUP):
            changed.add("rental_kyc_verified")
        if changed & manager_fields and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Manager can change a customer's credit limit, blacklist or "
                    "grade override; ask one to do it."
                )
            )
        if "rental_kyc_verified" in changed and not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Officer can mark a customer's identity as verified; ask one to "
                    "check the documents."
                )
            )

    def _rental_risk_changed_fields(self, vals):
        """Names of the guarded risk fields ``vals`` would actually change on ``self``."""
        changed = set()
        for fname in (*RISK_MANAGER_FIELDS, "rental_kyc_verified"):
            if fname not in vals:
                continue
            field = self._fields[fname]
            for partner in self.sudo():
                new = field.convert_to_record(field.convert_to_cache(vals[fname], partner), partner)
                if new != partner[fname]:
                    changed.add(fname)
                    break
        return changed

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_rescore(self):
        """Rescore the customer now (button on the Risk tab)."""
        self._rental_risk_rescore()
        return True

    def action_rental_risk_override(self):
        """Open the override wizard (Risk Managers only, checked again by the wizard)."""
        self.ensure_one()
        self._rental_risk_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Risk Grade"),
            "res_model": "res.partner.risk.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_rental_risk_end_override(self):
        """End the override now and go back to the computed grade."""
        self._rental_risk_check_manager()
        self._rental_risk_end_override(
            self.env._("Grade override ended by %(user)s.", user=self.env.user.name)
        )
        return True

    def action_rental_risk_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "rental_risk.rental_score_history_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Business methods: overrides
    # ------------------------------------------------------------------

    def _rental_risk_check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Manager can override a customer's risk grade; ask one to do it."
                )
            )

    def _rental_risk_set_override(self, grade, reason, until):
        """Force ``grade`` until ``until`` (inclusive) on the commercial partners, with a note."""
        self._rental_risk_check_manager()
        if grade not in GRADES:
            raise UserError(self.env._("Choose a grade from A to E for the override."))
        if not reason or not until:
            raise UserError(
                self.env._(
                    "Give a reason and an end date: an override must say why and when it ends."
                )
            )
        if until < fields.Date.context_today(self):
            raise UserError(
                self.env._("The override end date is in the past; choose a later date.")
            )
        partners = self.commercial_partner_id
        old_grades = {partner.id: partner.rental_grade for partner in partners}
        partners.write(
            {
                "rental_grade_override": grade,
                "rental_grade_override_reason": reason,
                "rental_grade_override_until": until,
                "rental_grade_override_user_id": self.env.user.id,
            }
        )
        for partner in partners:
            partner.message_post(
                body=self.env._(
                    "Risk grade overridden from %(old)s to %(new)s until %(until)s by %(user)s: "
                    "%(reason)s",
                    old=old_grades[partner.id] or "-",
                    new=grade,
                    until=fields.Date.to_string(until),
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _rental_risk_end_override(self, message):
        partners = self.commercial_partner_id.filtered("rental_grade_override")
        if not partners:
            return
        partners.sudo().write(
            {
                "rental_grade_override": False,
                "rental_grade_override_reason": False,
                "rental_grade_override_until": False,
                "rental_grade_override_user_id": False,
            }
        )
        for partner in partners:
            partner.message_post(body=message, subtype_xmlid="mail.mt_note")

    @api.model
    def _rental_risk_end_expired_overrides(self):
        """End the overrides whose last day has passed; the grade goes back to the computed one."""
        today = fields.Date.context_today(self)
        expired = self.sudo().search(
            [("rental_grade_override", "!=", False), ("rental_grade_override_until", "<", today)]
        )
        expired._rental_risk_end_override(
            self.env._("Grade override expired; the computed grade applies again.")
        )
        return expired

    # ------------------------------------------------------------------
    # Business methods: scheduled and event rescoring
    # ------------------------------------------------------------------

    @api.model
    def _cron_rescore_partners(self, batch_size=RESCORE_BATCH_SIZE):
        """Rescore every customer once a day, in batches that report progress.

        Under the scheduler (``ir_cron_progress_id`` in the context) one batch is scored per
        call: the scheduler commits it, sees the remaining count and calls again (Odoo 18's
        ``_notify_progress`` protocol), so no commit happens here. Called directly (server
        action, tests, bench) every batch runs in the caller's transaction.

        Partners not scored since the start of the day are taken in id order, so a run that is
        stopped (timeout, restart) resumes where it stopped and a second run the same day does
        nothing. Each batch costs the same handful of set-based queries whatever its size.
        Returns the number of customers scored.
        """
        self._rental_risk_end_expired_overrides()
        cutoff = datetime.combine(fields.Date.today(), time.min)
        partner_ids = self._rental_risk_pending_ids(cutoff)
        batches = list(split_every(batch_size, partner_ids, list))
        if self.env.context.get("ir_cron_progress_id"):
            batches = batches[:1]
        done = 0
        for batch in batches:
            self._rental_risk_rescore_ids(batch)
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(partner_ids) - done)
            _logger.info(
                "Rental risk: rescored %s customers, %s to go", done, len(partner_ids) - done
            )
        return done

    @api.model
    def _rental_risk_pending_ids(self, cutoff):
        """Ids of the customers (commercial partners with invoices or confirmed orders) not
        scored since ``cutoff``, in id order."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM res_partner p
                 WHERE p.active
                   AND p.id = p.commercial_partner_id
                   AND (p.rental_scored_at IS NULL OR p.rental_scored_at < %(cutoff)s)
                   AND (p.customer_rank > 0 OR EXISTS (
                        SELECT 1
                          FROM sale_order so
                          JOIN res_partner sp ON sp.id = so.partner_id
                         WHERE so.state = 'sale' AND sp.commercial_partner_id = p.id))
                 ORDER BY p.id
                """,
                cutoff=cutoff,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _rental_risk_rescore(self):
        """Rescore the commercial partners of ``self`` now (events: invoice posted, payment
        reconciled, late return, lost asset, order confirmed). Set-based for the whole set."""
        partner_ids = sorted(set(self.commercial_partner_id.ids))
        for batch in split_every(RESCORE_BATCH_SIZE, partner_ids, list):
            self._rental_risk_rescore_ids(batch)

    @api.model
    def _rental_risk_rescore_ids(self, partner_ids):
        """Score ``partner_ids`` (commercial partners) and store the results: a constant number
        of queries for the whole batch. Returns the number of partners scored."""
        if not partner_ids:
            return 0
        self.env.flush_all()
        states = self._rental_risk_read_states(partner_ids)
        facts, exposures = self._rental_risk_collect_facts(partner_ids, states=states)
        self._rental_risk_apply_results(partner_ids, states, facts, exposures)
        return len(partner_ids)

    @api.model
    def _rental_risk_read_states(self, partner_ids):
        """Current risk columns of ``partner_ids`` in one query, keyed by id.

        ``company_id`` is the company whose settings score the partner: its own, else the
        current company.
        """
        self.env.cr.execute(
            SQL(
                """
                SELECT id, COALESCE(company_id, %(company)s), rental_score, rental_grade_computed,
                       rental_grade, rental_grade_override, rental_credit_limit,
                       rental_credit_limit_manual, rental_kyc_verified, rental_blacklisted,
                       user_id
                  FROM res_partner
                 WHERE id = ANY(%(ids)s)
                """,
                company=self.env.company.id,
                ids=list(partner_ids),
            )
        )
        keys = (
            "company_id",
            "score",
            "grade_computed",
            "grade",
            "override",
            "credit_limit",
            "credit_limit_manual",
            "kyc_verified",
            "blacklisted",
            "user_id",
        )
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in self.env.cr.fetchall()}

    @api.model
    def _rental_risk_scoring_config(self, company):
        """Engine settings of ``company`` (hook: add settings a sub-module stores)."""
        return ScoringConfig.from_dict(
            {
                "overdue_min_amount": company.rental_risk_overdue_min_amount,
                "paid_volume_full": company.rental_risk_paid_volume_full or None,
            }
        )

    # ------------------------------------------------------------------
    # Business methods: facts (set-based)
    # ------------------------------------------------------------------

    @api.model
    def _rental_risk_collect_facts(self, partner_ids, states=None):
        """Facts of every partner of ``partner_ids`` (commercial partners) for the engine.

        Returns ``({id: CustomerFacts}, {id: exposure dict})``. A fixed number of aggregate
        queries covers the whole list, whatever its length: never a query per partner.
        """
        today = fields.Date.context_today(self)
        if states is None:
            states = self._rental_risk_read_states(partner_ids)
        invoices = self._rental_risk_invoice_facts(partner_ids, today)
        payments = self._rental_risk_payment_facts(partner_ids, today)
        orders = self._rental_risk_order_facts(partner_ids)
        rentals = self._rental_risk_rental_facts(partner_ids)
        damages = self._rental_risk_damage_facts(partner_ids)
        exposures = self._rental_risk_get_exposure(
            partner_ids, invoices=invoices, orders=orders, rentals=rentals
        )
        facts = {}
        empty = {}
        for partner_id in partner_ids:
            inv = invoices.get(partner_id, empty)
            pay = payments.get(partner_id, empty)
            order = orders.get(partner_id, empty)
            rent = rentals.get(partner_id, empty)
            dmg = damages.get(partner_id, empty)
            state = states.get(partner_id, empty)
            first_dates = [
                d
                for d in (inv.get("first_date"), order.get("first_date"), rent.get("first_date"))
                if d
            ]
            overdue = max(0.0, inv.get("overdue", 0.0))
            overdue_30 = min(overdue, max(0.0, inv.get("overdue_30", 0.0)))
            overdue_60 = min(overdue_30, max(0.0, inv.get("overdue_60", 0.0)))
            overdue_90 = min(overdue_60, max(0.0, inv.get("overdue_90", 0.0)))
            facts[partner_id] = CustomerFacts(
                invoiced_amount=max(0.0, inv.get("invoiced", 0.0)),
                weighted_days_late=pay.get("days_late", 0.0),
                open_balance=max(0.0, inv.get("open_balance", 0.0)),
                overdue_balance=overdue,
                overdue_30=overdue_30,
                overdue_60=overdue_60,
                overdue_90=overdue_90,
                recent_days_late=pay.get("recent_days_late"),
                older_days_late=pay.get("older_days_late"),
                late_returns=int(order.get("late_returns", 0)),
                avg_late_days=order.get("avg_late_days", 0.0),
                damage_count=int(dmg.get("damage_count", 0)),
                damage_amount=dmg.get("damage_amount", 0.0),
                lost_assets=int(rent.get("lost_assets", 0)),
                tenure_days=float(max(0, (today - min(first_dates)).days)) if first_dates else 0.0,
                completed_rentals=int(rent.get("completed_rentals", 0)),
                paid_volume=max(0.0, pay.get("paid", 0.0)),
                kyc_verified=bool(state.get("kyc_verified")),
                blacklisted=bool(state.get("blacklisted")),
            )
        return facts, exposures

    @api.model
    def _rental_risk_invoice_facts(self, partner_ids, today):
        """Posted customer invoices and credit notes per commercial partner, company currency.

        Overdue buckets use the invoice due date and the invoice's residual (credit notes
        reduce the open balance, not the overdue buckets).
        """
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id,
                       SUM(am.amount_total_signed)::float8,
                       SUM(am.amount_residual_signed)::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d0)s)
                       )::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d30)s)
                       )::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d60)s)
                       )::float8,
                       (SUM(am.amount_residual_signed) FILTER (
                           WHERE am.move_type = 'out_invoice' AND am.invoice_date_due < %(d90)s)
                       )::float8,
                       MIN(am.invoice_date)
                  FROM account_move am
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                 GROUP BY am.commercial_partner_id
                """,
                ids=list(partner_ids),
                d0=today,
                d30=today - timedelta(days=30),
                d60=today - timedelta(days=60),
                d90=today - timedelta(days=90),
            )
        )
        return {
            partner_id: {
                "invoiced": invoiced or 0.0,
                "open_balance": open_balance or 0.0,
                "overdue": overdue or 0.0,
                "overdue_30": overdue_30 or 0.0,
                "overdue_60": overdue_60 or 0.0,
                "overdue_90": overdue_90 or 0.0,
                "first_date": first_date,
            }
            for (
                partner_id,
                invoiced,
                open_balance,
                overdue,
                overdue_30,
                overdue_60,
                overdue_90,
                first_date,
            ) in self.env.cr.fetchall()
        }

    @api.model
    def _rental_risk_payment_facts(self, partner_ids, today):
        """Amount-weighted days between due date and payment, from the reconciliations.

        A payment is a partial reconciliation of a customer invoice's receivable line with a
        line outside the sales journals: credit notes (sales journals) cancel the debt, they do
        not pay it. Its date is the later of the two lines (``max_date``), its weight the
        amount matched.
        """
        self.env["account.partial.reconcile"].flush_model()
        recent_from = today - timedelta(days=RECENT_PAYMENT_DAYS)
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id,
                       SUM(apr.amount)::float8,
                       SUM(apr.amount * (apr.max_date - inv_line.date_maturity))::float8,
                       (SUM(apr.amount) FILTER (WHERE apr.max_date >= %(recent)s))::float8,
                       (SUM(apr.amount * (apr.max_date - inv_line.date_maturity))
                           FILTER (WHERE apr.max_date >= %(recent)s))::float8
                  FROM account_partial_reconcile apr
                  JOIN account_move_line inv_line ON inv_line.id = apr.debit_move_id
                  JOIN account_move am ON am.id = inv_line.move_id
                  JOIN account_move_line pay_line ON pay_line.id = apr.credit_move_id
                  JOIN account_journal pay_journal ON pay_journal.id = pay_line.journal_id
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.state = 'posted'
                   AND am.move_type = 'out_invoice'
                   AND pay_journal.type != 'sale'
                 GROUP BY am.commercial_partner_id
                """,
                ids=list(partner_ids),
                recent=recent_from,
            )
        )
        result = {}
        for partner_id, paid, weighted, recent_paid, recent_weighted in self.env.cr.fetchall():
            paid, weighted = float(paid or 0.0), float(weighted or 0.0)
            recent_paid, recent_weighted = float(recent_paid or 0.0), float(recent_weighted or 0.0)
            older_paid, older_weighted = paid - recent_paid, weighted - recent_weighted
            both = recent_paid > 0 and older_paid > 0
            result[partner_id] = {
                "paid": paid,
                "days_late": weighted / paid if paid else 0.0,
                "recent_days_late": recent_weighted / recent_paid if both else None,
                "older_days_late": older_weighted / older_paid if both else None,
            }
        return result

    @api.model
    def _rental_risk_order_facts(self, partner_ids):
        """Order lines per commercial partner, in one pass: the first confirmed order date, the
        amount ordered but not invoiced yet (confirmed orders, taxes included, company
        currency) and the late returns (lines flagged late at least once, whatever the order's
        state now: ``rental_late_hours`` stays on the line after the return, it is the lateness
        history).

        Returns {partner_id: {first_date, to_invoice, late_returns, avg_late_days}}.
        """
        self.env["sale.order"].flush_model()
        self.env["sale.order.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id,
                       (MIN(so.date_order) FILTER (WHERE so.state = 'sale'))::date,
                       (SUM(%(to_invoice)s) FILTER (WHERE so.state = 'sale'))::float8,
                       COUNT(*) FILTER (WHERE sol.rental_late_hours > 0),
                       (AVG(sol.rental_late_hours) FILTER (WHERE sol.rental_late_hours > 0)
                       )::float8 / 24
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN sale_order_line sol ON sol.order_id = so.id
                 WHERE p.commercial_partner_id = ANY(%(ids)s)
                   AND (so.state = 'sale' OR sol.rental_late_hours > 0)
                 GROUP BY p.commercial_partner_id
                """,
                ids=list(partner_ids),
                to_invoice=self._rental_risk_line_to_invoice_sql(),
            )
        )
        return {
            row[0]: {
                "first_date": row[1],
                "to_invoice": float(row[2] or 0.0),
                "late_returns": row[3],
                "avg_late_days": float(row[4] or 0.0),
            }
            for row in self.env.cr.fetchall()
        }

    @api.model
    def _rental_risk_line_to_invoice_sql(self, line="sol", order="so"):
        """SQL expression: what an order line still has to invoice, taxes included, in company
        currency. Stored columns only (the ORM's amount_to_invoice is not stored): the untaxed
        part not yet invoiced by posted invoices, scaled by the line's tax ratio and converted
        at the order's rate; over-invoiced lines count as nothing, and so do deposit lines (a
        deposit lowers the risk; it is not credit given to the customer)."""
        return SQL(
            """
            CASE WHEN %(line)s.display_type IS NULL
                      AND NOT COALESCE(%(line)s.is_downpayment, FALSE)
                      AND NOT COALESCE(%(line)s.is_rental_deposit, FALSE)
                      AND %(line)s.price_subtotal > 0
                 THEN GREATEST(%(line)s.price_subtotal
                               - COALESCE(%(line)s.untaxed_amount_invoiced, 0), 0)
                      * %(line)s.price_total / %(line)s.price_subtotal
                      / COALESCE(NULLIF(%(order)s.currency_rate, 0), 1)
                 ELSE 0 END
            """,
            line=SQL.identifier(line),
            order=SQL.identifier(order),
        )

    @api.model
    def _rental_risk_rental_facts(self, partner_ids):
        """Rental behaviour per commercial partner: completed rentals (returned bookings), lost
        assets, value of the assets out and the first rental (late returns come with the order
        facts, read in the same pass over the order lines).

        Hook: returns {partner_id: {completed_rentals, lost_assets, first_date, assets_out}}; a
        key a sub-module cannot provide is simply left out.
        """
        result = defaultdict(dict)
        ids = list(partner_ids)
        env = self.env
        if "rental.booking" in env:
            env["rental.booking"].flush_model()
            env.cr.execute(
                SQL(
                    """
                    SELECT p.commercial_partner_id,
                           COUNT(*) FILTER (WHERE rb.state = 'returned'),
                           MIN(rb.date_start)::date
                      FROM rental_booking rb
                      JOIN res_partner p ON p.id = rb.partner_id
                     WHERE p.commercial_partner_id = ANY(%(ids)s) AND rb.state != 'cancelled'
                     GROUP BY p.commercial_partner_id
                    """,
                    ids=ids,
                )
            )
            for partner_id, completed, first_date in env.cr.fetchall():
                result[partner_id].update(completed_rentals=completed, first_date=first_date)
        if "rental_state" in env["stock.lot"]._fields:
            env["stock.lot"].flush_model()
            env.cr.execute(
                SQL(
                    """
                    SELECT p.commercial_partner_id,
                           COUNT(*) FILTER (WHERE lot.rental_state = 'lost'),
                           (SUM(COALESCE(lot.rental_replacement_value, 0))
                               FILTER (WHERE lot.rental_state = 'out'))::float8
                      FROM stock_lot lot
                      JOIN res_partner p ON p.id = lot.rental_partner_id
                     WHERE p.commercial_partner_id = ANY(%(ids)s)
                       AND lot.rental_state IN ('lost', 'out')
                     GROUP BY p.commercial_partner_id
                    """,
                    ids=ids,
                )
            )
            for partner_id, lost, out_value in env.cr.fetchall():
                result[partner_id].update(lost_assets=lost, assets_out=float(out_value or 0.0))
        return result

    @api.model
    def _rental_risk_deposits_held(self, partner_ids):
        """Hook: deposits paid and not settled yet, per commercial partner, in company currency
        ({partner_id: amount}); the exposure subtracts them.

        Paid = each posted deposit invoice line in proportion to what its invoice has been
        paid; a settled order holds nothing any more (the settlement applies or refunds it all).
        """
        res = {}
        if not partner_ids:
            return res
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["sale.order.line"].flush_model()
        self.env["rental.deposit.settlement"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id,
                       SUM(-aml.balance * CASE WHEN am.amount_total_signed = 0 THEN 0
                               ELSE 1 - am.amount_residual_signed / am.amount_total_signed END)
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
                  JOIN sale_order_line sol ON sol.id = rel.order_line_id
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND sol.is_rental_deposit
                   AND NOT EXISTS (
                        SELECT 1 FROM rental_deposit_settlement s WHERE s.order_id = sol.order_id)
                 GROUP BY am.commercial_partner_id
                """,
                ids=list(partner_ids),
            )
        )
        for partner_id, held in self.env.cr.fetchall():
            res[partner_id] = res.get(partner_id, 0.0) + round(float(held or 0.0), 2)
        return res

    @api.model
    def _rental_risk_damage_facts(self, partner_ids):
        """Hook: damage and missing-accessory claims not waived nor withdrawn, per commercial
        partner: {damage_count, damage_amount (assessed, company currency)}. Loss claims are
        left out: lost assets are scored on their own."""
        res = {}
        if not partner_ids:
            return res
        self.env["rental.damage.claim"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, COUNT(*), SUM(c.assessed_amount)
                  FROM rental_damage_claim c
                  JOIN res_partner p ON p.id = c.partner_id
                 WHERE p.commercial_partner_id = ANY(%(ids)s)
                   AND c.state NOT IN ('waived', 'cancelled')
                   AND c.claim_type != 'loss'
                 GROUP BY p.commercial_partner_id
                """,
                ids=list(partner_ids),
            )
        )
        for partner_id, count, amount in self.env.cr.fetchall():
            facts = dict(res.get(partner_id, {}))
            facts["damage_count"] = facts.get("damage_count", 0) + count
            facts["damage_amount"] = facts.get("damage_amount", 0.0) + float(amount or 0.0)
            res[partner_id] = facts
        return res

    @api.model
    def _rental_risk_get_exposure(self, partner_ids, invoices=None, orders=None, rentals=None):
        """Exposure of commercial partners, set-based: {id: {receivable, to_invoice,
        assets_out, deposits, total}} in company currency. Aggregates already computed by the
        rescoring may be passed in to avoid running them twice."""
        if not partner_ids:
            return {}
        today = fields.Date.context_today(self)
        if invoices is None:
            invoices = self._rental_risk_invoice_facts(partner_ids, today)
        if orders is None:
            orders = self._rental_risk_order_facts(partner_ids)
        if rentals is None:
            rentals = self._rental_risk_rental_facts(partner_ids)
        deposits = self._rental_risk_deposits_held(partner_ids)
        exposures = {}
        empty = {}
        for partner_id in partner_ids:
            receivable = invoices.get(partner_id, empty).get("open_balance", 0.0)
            to_invoice = orders.get(partner_id, empty).get("to_invoice", 0.0)
            assets_out = rentals.get(partner_id, empty).get("assets_out", 0.0)
            held = deposits.get(partner_id, 0.0)
            exposures[partner_id] = {
                "receivable": receivable,
                "to_invoice": to_invoice,
                "assets_out": assets_out,
                "deposits": held,
                "total": round(receivable + to_invoice + assets_out - held, 2),
            }
        return exposures

    # ------------------------------------------------------------------
    # Business methods: storing results and alerts
    # ------------------------------------------------------------------

    def _rental_risk_company(self):
        """Company whose settings and currency apply to this partner's risk."""
        return self.company_id or self.env.company

    @api.model
    def _rental_risk_amount_formatter(self, currency):
        """A function formatting amounts exactly like ``tools.format_amount`` in ``currency``,
        with the language data looked up once: the rescoring formats hundreds of thousands of
        amounts and the per-call lookups of ``format_amount`` would dominate its time."""
        lang = self.env["res.lang"]._get_data(code=get_lang(self.env).code)
        grouping = ast.literal_eval(lang.grouping)
        thousands_sep, decimal_point = lang.thousands_sep or "", lang.decimal_point
        pattern = f"%.{currency.decimal_places}f"
        symbol = currency.symbol or ""
        before = currency.position == "before"
        # The engine hands over amounts already rounded to 2 decimals: rounding them again to
        # the currency's precision changes something only for currencies with fewer decimals.
        round_amount = currency.round if currency.decimal_places < 2 else float

        def format_value(value):
            integer, _dot, decimals = (pattern % round_amount(value)).partition(".")
            number = intersperse(integer, grouping, thousands_sep)[0]
            if decimals:
                number = f"{number}{decimal_point}{decimals}"
            number = number.replace(" ", "\N{NO-BREAK SPACE}").replace(
                "-", "-\N{ZERO WIDTH NO-BREAK SPACE}"
            )
            if before:
                return f"{symbol}\N{NO-BREAK SPACE}{number}"
            return f"{number}\N{NO-BREAK SPACE}{symbol}"

        return format_value

    @api.model
    def _rental_risk_explanation(self, result, currency, cache):
        """Translated reasons, one line per factor that moved the score ("pays 23 days late on
        average: -18"), amounts in ``currency``. ``cache`` memoises template translations and
        amount formatters across a batch."""
        formatter = cache.get(currency)
        if formatter is None:
            formatter = cache[currency] = self._rental_risk_amount_formatter(currency)
        lines = []
        for contribution in result.contributions:
            if not contribution.points:
                continue
            template = cache.get(contribution.message)
            if template is None:
                template = cache[contribution.message] = self.env._(contribution.message)
            params = {
                key: formatter(value) if isinstance(value, float) else value
                for key, value in contribution.params.items()
            }
            lines.append(f"{template % params}: {format_points(contribution.points)}")
        if result.new_customer:
            lines.insert(
                0, self.env._("New customer: no history yet, so the neutral grade applies.")
            )
        elif not lines:
            lines.append(self.env._("Nothing moved the score from the neutral base."))
        return "\n".join(lines)

    @api.model
    def _rental_risk_apply_results(self, partner_ids, states, facts, exposures):
        """Score each partner of a batch from its ``facts``, then store scores, grades, limits
        and exposure snapshots in one UPDATE, add a history row where score or grade changed
        (one INSERT) and raise the alerts.

        Each customer is scored and reduced to the plain values stored (numbers and the
        explanation text) before the next one: keeping a batch of engine results alive, a
        dozen small objects per customer, made Python's garbage collector sweep the whole
        server's heap again and again, which cost more than the scoring itself.
        """
        now = fields.Datetime.now()
        companies = self.env["res.company"].browse({s["company_id"] for s in states.values()})
        configs = {company.id: self._rental_risk_scoring_config(company) for company in companies}
        limits = self.env["rental.grade.limit"]._get_limits(companies)
        steps = {company.id: max(1, company.rental_risk_alert_step or 1) for company in companies}
        currencies = {company.id: company.currency_id for company in companies}
        translations = {}
        rows = defaultdict(list)
        drops = []
        for partner_id in partner_ids:
            state = states[partner_id]
            company_id = state["company_id"]
            result = score_customer(facts[partner_id], configs[company_id])
            grade = state["override"] or result.grade
            limit = state["credit_limit"] or 0.0
            if not state["credit_limit_manual"]:
                limit = limits[company_id][grade]
            exposure = exposures[partner_id]["total"]
            explanation = self._rental_risk_explanation(
                result, currencies[company_id], translations
            )
            rows["id"].append(partner_id)
            rows["company_id"].append(company_id)
            rows["score"].append(result.score)
            rows["grade_computed"].append(result.grade)
            rows["grade"].append(grade)
            rows["explanation"].append(explanation)
            rows["limit"].append(limit)
            rows["exposure"].append(exposure)
            rows["available"].append(round(limit - exposure, 2))
            rows["previous_score"].append(state["score"])
            rows["previous_grade"].append(state["grade"] or None)
            rows["changed"].append(state["score"] != result.score or state["grade"] != grade)
            if grade_drop(state["grade"], grade) >= steps[company_id]:
                drops.append((partner_id, state["grade"], grade, explanation))
        # One statement stores the batch and writes the history rows of what changed: the
        # explanations travel to the server once.
        self.env.cr.execute(
            SQL(
                """
                WITH v AS (
                    SELECT unnest(%(ids)s::int[]) AS id,
                           unnest(%(company_ids)s::int[]) AS company_id,
                           unnest(%(scores)s::int[]) AS score,
                           unnest(%(grades_computed)s::varchar[]) AS grade_computed,
                           unnest(%(grades)s::varchar[]) AS grade,
                           unnest(%(explanations)s::text[]) AS explanation,
                           unnest(%(limits)s::numeric[]) AS credit_limit,
                           unnest(%(exposures)s::numeric[]) AS exposure,
                           unnest(%(availables)s::numeric[]) AS available,
                           unnest(%(previous_scores)s::int[]) AS previous_score,
                           unnest(%(previous_grades)s::varchar[]) AS previous_grade,
                           unnest(%(changed)s::bool[]) AS changed
                ), scored AS (
                    UPDATE res_partner p
                       SET rental_score = v.score,
                           rental_grade_computed = v.grade_computed,
                           rental_grade = v.grade,
                           rental_score_explanation = v.explanation,
                           rental_scored_at = %(now)s,
                           rental_credit_limit = v.credit_limit,
                           rental_exposure_at_scoring = v.exposure,
                           rental_available_credit_at_scoring = v.available
                      FROM v
                     WHERE p.id = v.id
                )
                INSERT INTO rental_score_history (
                    partner_id, company_id, date, score, grade, previous_score, previous_grade,
                    score_change, explanation)
                SELECT v.id, v.company_id, %(now)s, v.score, v.grade, v.previous_score,
                       v.previous_grade, COALESCE(v.score - v.previous_score, 0), v.explanation
                  FROM v
                 WHERE v.changed
                """,
                now=now,
                ids=rows["id"],
                company_ids=rows["company_id"],
                scores=rows["score"],
                grades_computed=rows["grade_computed"],
                grades=rows["grade"],
                explanations=rows["explanation"],
                limits=rows["limit"],
                exposures=rows["exposure"],
                availables=rows["available"],
                previous_scores=rows["previous_score"],
                previous_grades=rows["previous_grade"],
                changed=rows["changed"],
            )
        )
        if any(rows["changed"]):
            self.env["rental.score.history"].invalidate_model()
        self.env["res.partner"].invalidate_model(SCORED_FIELDS, flush=False)
        if drops:
            self._rental_risk_alert_drops(drops)

    @api.model
    def _rental_risk_alert_recipients(self, partner):
        """Users told about a grade drop: the salesperson and the company's Risk Officers."""
        officers = (
            self.env.ref(OFFICER_GROUP)
            .sudo()
            .users.filtered(
                lambda user: not user.share
                and user.active
                and partner._rental_risk_company() in user.company_ids
            )
        )
        return (partner.user_id | officers).filtered(lambda user: user.active and not user.share)

    @api.model
    def _rental_risk_alert_drops(self, drops):
        """For each (partner_id, old grade, new grade, explanation): a To-Do activity per
        recipient and a note in the partner's chatter."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        activity_vals = []
        partners = self.browse([drop[0] for drop in drops]).sudo()
        for partner, (_partner_id, old, new, explanation) in zip(partners, drops, strict=True):
            summary = self.env._("Risk grade dropped from %(old)s to %(new)s", old=old, new=new)
            note = Markup("<p>%s</p><ul>%s</ul>") % (
                summary,
                Markup().join(Markup("<li>%s</li>") % line for line in explanation.splitlines()),
            )
            for user in self._rental_risk_alert_recipients(partner):
                activity_vals.append(
                    {
                        "activity_type_id": activity_type.id,
                        "res_model_id": model_id,
                        "res_id": partner.id,
                        "user_id": user.id,
                        "summary": summary,
                        "note": note,
                        "date_deadline": fields.Date.context_today(self),
                    }
                )
            partner.message_post(body=note, subtype_xmlid="mail.mt_note")
        self.env["mail.activity"].sudo().create(activity_vals)

    # ------------------------------------------------------------------
    # Business methods: blacklist, identity matching, KYC (issue 5)
    # ------------------------------------------------------------------

    def _rental_risk_check_blacklist_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Manager can blacklist a customer or lift a blacklist; ask one to "
                    "do it."
                )
            )

    def _rental_risk_set_blacklist(self, category, reason, attachments=None, automatic=False):
        """Blacklist the commercial partners of ``self`` with a reason and evidence; returns the
        partners newly blacklisted. ``automatic`` marks a decision of a scheduled trigger."""
        self._rental_risk_check_blacklist_manager()
        if not category or not (reason or "").strip():
            raise UserError(
                self.env._("Give a reason category and a text: a blacklist must say why.")
            )
        partners = self.commercial_partner_id.sudo().filtered(lambda p: not p.rental_blacklisted)
        if not partners:
            return partners
        attachments = attachments or self.env["ir.attachment"]
        now = fields.Datetime.now()
        partners.with_context(rental_blacklist_decision=True).write(
            {
                "rental_blacklisted": True,
                "rental_blacklist_category": category,
                "rental_blacklist_reason": reason,
                "rental_blacklist_attachment_ids": [Command.set(attachments.ids)],
                "rental_blacklisted_by_id": self.env.user.id,
                "rental_blacklisted_on": now,
            }
        )
        self._rental_risk_record_blacklist_decision(
            partners, "set", category, reason, attachments, automatic
        )
        partners._rental_risk_flag_lookalikes()
        partners._rental_risk_rescore()
        return partners

    def _rental_risk_lift_blacklist(self, reason):
        """Take the commercial partners of ``self`` off the blacklist; a reason is required and
        the decision is kept in the history."""
        self._rental_risk_check_blacklist_manager()
        if not (reason or "").strip():
            raise UserError(
                self.env._("Say why the blacklist is lifted: the reason is kept in the history.")
            )
        partners = self.commercial_partner_id.sudo().filtered("rental_blacklisted")
        if not partners:
            return partners
        partners.with_context(rental_blacklist_decision=True).write(
            {
                "rental_blacklisted": False,
                "rental_blacklist_category": False,
                "rental_blacklist_reason": False,
                "rental_blacklist_attachment_ids": [Command.clear()],
                "rental_blacklisted_by_id": False,
                "rental_blacklisted_on": False,
            }
        )
        self._rental_risk_record_blacklist_decision(partners, "lift", False, reason)
        # Customers flagged only because they looked like this one are cleared too.
        self.sudo().search([("rental_blacklist_match_id", "in", partners.ids)]).write(
            {"rental_blacklist_match_id": False, "rental_blacklist_match_reason": False}
        )
        partners._rental_risk_rescore()
        return partners

    @api.model
    def _rental_risk_record_blacklist_decision(
        self, partners, decision, category, reason, attachments=None, automatic=False
    ):
        """History entry, audit event and chatter note of a blacklist decision."""
        attachments = attachments or self.env["ir.attachment"]
        Entry = self.env["rental.blacklist.entry"].sudo()
        event_type = {
            "set": "blacklist",
            "lift": "blacklist_lift",
            "proposal": "blacklist_proposal",
        }
        labels = dict(BLACKLIST_CATEGORIES)
        for partner in partners:
            company = partner._rental_risk_company()
            Entry.create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "decision": decision,
                    "category": category,
                    "reason": reason,
                    "attachment_ids": [Command.set(attachments.ids)],
                    "automatic": automatic,
                    "user_id": self.env.user.id,
                }
            )
            details = f"{labels.get(category, '')}: {reason}" if category else reason
            self.env["rental.risk.event"]._log(
                event_type[decision], partner=partner, details=details, company=company
            )
            if decision == "set":
                body = self.env._(
                    "Blacklisted by %(user)s (%(category)s): %(reason)s",
                    user=self.env.user.name,
                    category=labels.get(category, ""),
                    reason=reason,
                )
            elif decision == "lift":
                body = self.env._(
                    "Blacklist lifted by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            else:
                body = self.env._("Blacklist proposed: %(reason)s", reason=reason)
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _rental_risk_identifiers(self):
        """Normalised identifiers of ``self``: {kind: set of values}. Addresses count only
        where the partner's company matches on addresses (off by default: families, flat
        shares and office buildings share one)."""
        ids = {"phone": set(), "email": set(), "vat": set(), "id_number": set(), "address": set()}
        for partner in self.sudo():
            for kind, fnames in (
                ("phone", ("rental_phone_norm", "rental_mobile_norm")),
                ("email", ("rental_email_norm",)),
                ("vat", ("rental_vat_norm",)),
                ("id_number", ("rental_id_number_norm",)),
            ):
                ids[kind].update(partner[fname] for fname in fnames if partner[fname])
            company = partner.commercial_partner_id._rental_risk_company()
            if partner.rental_address_norm and company.rental_risk_match_address:
                ids["address"].add(partner.rental_address_norm)
        return ids

    @api.model
    def _rental_risk_identity_search(self, identifiers, exclude_commercial_ids, blacklisted):
        """Rows (id, commercial id, phone, mobile, email, vat, id number, address) of the
        partners that share one of ``identifiers``, outside ``exclude_commercial_ids``; only
        blacklisted customers if ``blacklisted`` is True, only the others if False. One indexed
        query."""
        phones = sorted(identifiers["phone"])
        if not any(identifiers.values()):
            return []
        self.env["res.partner"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.commercial_partner_id, p.rental_phone_norm, p.rental_mobile_norm,
                       p.rental_email_norm, p.rental_vat_norm, p.rental_id_number_norm,
                       p.rental_address_norm
                  FROM res_partner p
                  JOIN res_partner c ON c.id = p.commercial_partner_id
                 WHERE (p.rental_phone_norm = ANY(%(phones)s)
                        OR p.rental_mobile_norm = ANY(%(phones)s)
                        OR p.rental_email_norm = ANY(%(emails)s)
                        OR p.rental_vat_norm = ANY(%(vats)s)
                        OR p.rental_id_number_norm = ANY(%(numbers)s)
                        OR p.rental_address_norm = ANY(%(addresses)s))
                   AND p.commercial_partner_id != ALL(%(exclude)s)
                   AND COALESCE(c.rental_blacklisted, FALSE) = %(blacklisted)s
                 ORDER BY p.commercial_partner_id, p.id
                """,
                phones=phones,
                emails=sorted(identifiers["email"]),
                vats=sorted(identifiers["vat"]),
                numbers=sorted(identifiers["id_number"]),
                addresses=sorted(identifiers["address"]),
                exclude=list(exclude_commercial_ids),
                blacklisted=blacklisted,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _rental_risk_overlap_label(self, identifiers, row):
        """Plain words for what ``row`` shares with ``identifiers`` ("phone 8613800138000")."""
        labels = []
        partner_id, _commercial, phone, mobile, email, vat, number, address = row
        if {phone, mobile} & identifiers["phone"]:
            labels.append(
                self.env._(
                    "phone %(value)s", value=next(iter({phone, mobile} & identifiers["phone"]))
                )
            )
        if email and email in identifiers["email"]:
            labels.append(self.env._("e-mail %(value)s", value=email))
        if vat and vat in identifiers["vat"]:
            labels.append(self.env._("tax id %(value)s", value=vat))
        if number and number in identifiers["id_number"]:
            labels.append(self.env._("identity document %(value)s", value=number))
        if address and address in identifiers["address"]:
            partner = self.browse(partner_id).sudo()
            shown = ", ".join(
                part
                for part in (partner.street, partner.street2, partner.zip, partner.city)
                if part
            )
            labels.append(self.env._("address %(value)s", value=shown))
        return ", ".join(labels)

    def _rental_risk_match_blacklist(self):
        """Match ``self`` (and their commercial partners) against the blacklisted customers;
        flag each commercial partner that matches as a possible blacklist match. Returns the
        partners newly flagged. Called on creation/edit of identity data and on confirmation."""
        flagged = self.env["res.partner"]
        Event = self.env["rental.risk.event"]
        for commercial in self.sudo().commercial_partner_id.filtered(
            lambda p: not p.rental_blacklisted
        ):
            members = (self.sudo() | commercial).filtered(
                lambda p, c=commercial: p.commercial_partner_id == c
            )
            identifiers = members._rental_risk_identifiers()
            rows = self._rental_risk_identity_search(identifiers, commercial.ids, True)
            ignored = set(commercial.rental_blacklist_match_ignore_ids.ids)
            rows = [row for row in rows if row[1] not in ignored]
            current = commercial.rental_blacklist_match_id
            if not rows:
                if current and not current.rental_blacklisted:
                    commercial.write(
                        {"rental_blacklist_match_id": False, "rental_blacklist_match_reason": False}
                    )
                continue
            if current and current.id in {row[1] for row in rows}:
                continue
            reason = self._rental_risk_overlap_label(identifiers, rows[0])
            commercial.write(
                {"rental_blacklist_match_id": rows[0][1], "rental_blacklist_match_reason": reason}
            )
            Event._log(
                "blacklist_match",
                partner=commercial,
                details=self.env._(
                    "Looks like the blacklisted customer %(match)s: same %(reason)s.",
                    match=self.browse(rows[0][1]).display_name,
                    reason=reason,
                ),
            )
            flagged |= commercial
        return flagged

    def _rental_risk_flag_lookalikes(self):
        """Flag the customers sharing an identifier with the blacklisted ``self``."""
        for partner in self.sudo():
            identifiers = (partner | partner.child_ids)._rental_risk_identifiers()
            rows = self._rental_risk_identity_search(identifiers, partner.ids, False)
            others = self.browse(sorted({row[1] for row in rows}))
            others._rental_risk_match_blacklist()

    def action_rental_risk_blacklist(self):
        """Open the blacklist wizard (Risk Managers only, checked again by the wizard)."""
        self.ensure_one()
        self._rental_risk_check_blacklist_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Blacklist Customer"),
            "res_model": "res.partner.blacklist",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_decision": "lift"
                if self.commercial_partner_id.rental_blacklisted
                else "set",
            },
        }

    def action_rental_kyc_verify(self):
        """Record that a Risk Officer checked the identity document now."""
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Risk Officer can mark a customer's identity as verified; ask one to "
                    "check the documents."
                )
            )
        for partner in self:
            if not partner.rental_kyc_id_type or not partner.rental_kyc_id_number:
                raise UserError(
                    self.env._(
                        "Enter the identity document type and number of %(partner)s before "
                        "verifying it.",
                        partner=partner.display_name,
                    )
                )
        # Risk Officers may not edit contacts in general: the group was checked above.
        self.sudo().write(
            {
                "rental_kyc_verified": True,
                "rental_kyc_verified_by_id": self.env.user.id,
                "rental_kyc_verified_on": fields.Datetime.now(),
            }
        )
        for partner in self:
            self.env["rental.risk.event"]._log(
                "kyc",
                partner=partner,
                details=self.env._(
                    "%(type)s %(number)s checked.",
                    type=dict(KYC_ID_TYPES)[partner.rental_kyc_id_type],
                    number=partner.rental_kyc_id_number,
                ),
            )
        self._rental_risk_rescore()
        return True

    def action_rental_risk_dismiss_match(self):
        """A Risk Officer checked the possible match: it is someone else; stop flagging it."""
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._("Only a Risk Officer can dismiss a possible blacklist match.")
            )
        for partner in self.commercial_partner_id.sudo().filtered("rental_blacklist_match_id"):
            match = partner.rental_blacklist_match_id
            partner.write(
                {
                    "rental_blacklist_match_ignore_ids": [Command.link(match.id)],
                    "rental_blacklist_match_id": False,
                    "rental_blacklist_match_reason": False,
                }
            )
            self.env["rental.risk.event"]._log(
                "override",
                partner=partner,
                details=self.env._(
                    "Possible match with %(match)s dismissed: not the same customer.",
                    match=match.display_name,
                ),
            )
        return True

    # ------------------------------------------------------------------
    # Business methods: automatic blacklist triggers (scheduled)
    # ------------------------------------------------------------------

    @api.model
    def _cron_rental_risk_blacklist_triggers(self):
        """Blacklist, or propose to blacklist, the customers caught by the triggers each company
        switched on: assets not returned N days after their end, invoices (claims included,
        they are invoiced) unpaid N days after their due date. Running twice changes nothing:
        blacklisted customers are skipped, and so are customers with an open proposal."""
        companies = (
            self.env["res.company"]
            .sudo()
            .search(
                [
                    "|",
                    ("rental_risk_trigger_late_asset", "=", True),
                    ("rental_risk_trigger_unpaid", "=", True),
                ]
            )
        )
        done = self.env["res.partner"]
        for company in companies:
            for trigger, partner_ids in self._rental_risk_trigger_candidates(company).items():
                partners = (
                    self.sudo().browse(partner_ids).filtered(lambda p: not p.rental_blacklisted)
                )
                if not partners:
                    continue
                mode = company[f"rental_risk_trigger_{trigger}_mode"]
                category = "not_returned" if trigger == "late_asset" else "unpaid"
                days = company[f"rental_risk_trigger_{trigger}_days"]
                if trigger == "late_asset":
                    reason = self.env._(
                        "Automatic: an asset is still not returned %(days)s days after the end of "
                        "its rental.",
                        days=days,
                    )
                else:
                    reason = self.env._(
                        "Automatic: an invoice is still unpaid %(days)s days after its due date.",
                        days=days,
                    )
                if mode == "blacklist":
                    done |= partners._rental_risk_set_blacklist(category, reason, automatic=True)
                else:
                    done |= partners._rental_risk_propose_blacklist(company, reason)
        return done

    @api.model
    def _rental_risk_trigger_candidates(self, company):
        """{trigger: [commercial partner ids]} caught today by the triggers of ``company``."""
        result = {}
        now = fields.Datetime.now()
        if company.rental_risk_trigger_late_asset and "rental.booking" in self.env:
            self.env["rental.booking"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT p.commercial_partner_id
                      FROM rental_booking rb
                      JOIN res_partner p ON p.id = rb.partner_id
                     WHERE rb.state = 'out' AND rb.company_id = %(company)s
                       AND rb.date_end < %(cutoff)s
                    """,
                    company=company.id,
                    cutoff=now - timedelta(days=company.rental_risk_trigger_late_asset_days),
                )
            )
            result["late_asset"] = [row[0] for row in self.env.cr.fetchall()]
        if company.rental_risk_trigger_unpaid:
            self.env["account.move"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT am.commercial_partner_id
                      FROM account_move am
                     WHERE am.state = 'posted' AND am.move_type = 'out_invoice'
                       AND am.company_id = %(company)s
                       AND am.amount_residual_signed <> 0
                       AND am.payment_state IN ('not_paid', 'partial')
                       AND am.invoice_date_due < %(cutoff)s
                    """,
                    company=company.id,
                    cutoff=fields.Date.context_today(self)
                    - timedelta(days=company.rental_risk_trigger_unpaid_days),
                )
            )
            result["unpaid"] = [row[0] for row in self.env.cr.fetchall()]
        return result

    def _rental_risk_propose_blacklist(self, company, reason):
        """Give the company's Risk Managers an activity proposing to blacklist each partner
        of ``self`` that has no open proposal yet; returns the partners proposed."""
        activity_type = self.env.ref("rental_risk.mail_activity_type_blacklist_proposal")
        open_ids = set(
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        partners = self.filtered(lambda p: p.id not in open_ids)
        managers = (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and company in u.company_ids)
        )
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = [
            {
                "activity_type_id": activity_type.id,
                "res_model_id": model_id,
                "res_id": partner.id,
                "user_id": user.id,
                "summary": self.env._("Blacklist proposed"),
                "note": reason,
                "date_deadline": fields.Date.context_today(self),
            }
            for partner in partners
            for user in managers
        ]
        self.env["mail.activity"].sudo().create(vals_list)
        self._rental_risk_record_blacklist_decision(
            partners, "proposal", False, reason, automatic=True
        )
        return partners

    # ------------------------------------------------------------------
    # Business methods: facts of the confirmation check (cheap, set-based)
    # ------------------------------------------------------------------

    @api.model
    def _rental_risk_current_facts(self, partner_ids, overdue_days=()):
        """Exposure and overdue receivables of ``partner_ids`` now, for the order check and the
        delivery lock: {id: {"exposure": {...}, "overdue": {days: amount}}}.

        Unlike the scoring facts, which aggregate the whole history, this reads open invoices
        only (a partial index covers them) and the assets out, so its cost does not grow with
        the number of invoices a customer has paid over the years.
        """
        ids = list(partner_ids)
        if not ids:
            return {}
        today = fields.Date.context_today(self)
        days = sorted({int(d) for d in overdue_days})
        self.env["account.move"].flush_model()
        overdue_sql = [
            SQL(
                "(SUM(am.amount_residual_signed) FILTER (WHERE am.move_type = 'out_invoice' "
                "AND am.invoice_date_due < %s))::float8",
                today - timedelta(days=d),
            )
            for d in days
        ]
        self.env.cr.execute(
            SQL(
                """
                SELECT am.commercial_partner_id, SUM(am.amount_residual_signed)::float8 %(overdue)s
                  FROM account_move am
                 WHERE am.commercial_partner_id = ANY(%(ids)s)
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.amount_residual_signed <> 0
                 GROUP BY am.commercial_partner_id
                """,
                ids=ids,
                overdue=SQL("").join(SQL(", %s", expr) for expr in overdue_sql),
            )
        )
        invoices, overdue = {}, {}
        for row in self.env.cr.fetchall():
            invoices[row[0]] = {"open_balance": row[1] or 0.0}
            overdue[row[0]] = {d: row[2 + i] or 0.0 for i, d in enumerate(days)}
        rentals = {}
        if "rental_state" in self.env["stock.lot"]._fields:
            self.env["stock.lot"].flush_model(["rental_state", "rental_partner_id"])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT p.commercial_partner_id,
                           SUM(COALESCE(lot.rental_replacement_value, 0))::float8
                      FROM stock_lot lot
                      JOIN res_partner p ON p.id = lot.rental_partner_id
                     WHERE p.commercial_partner_id = ANY(%(ids)s) AND lot.rental_state = 'out'
                     GROUP BY p.commercial_partner_id
                    """,
                    ids=ids,
                )
            )
            rentals = {row[0]: {"assets_out": row[1] or 0.0} for row in self.env.cr.fetchall()}
        exposures = self._rental_risk_get_exposure(ids, invoices=invoices, rentals=rentals)
        return {
            pid: {
                "exposure": exposures[pid],
                "overdue": overdue.get(pid, dict.fromkeys(days, 0.0)),
            }
            for pid in ids
        }

    def _rental_risk_effective_limit(self):
        """Credit limit of the commercial partner ``self``: a customer not scored yet gets the
        limit of the neutral grade, as the settings promise new customers."""
        self.ensure_one()
        partner = self.sudo()
        if partner.rental_grade or partner.rental_credit_limit_manual:
            return partner.rental_credit_limit
        company = partner._rental_risk_company()
        return self.env["rental.grade.limit"]._get_limits(company)[company.id]["C"]

    def _rental_risk_lock_rows(self):
        """Serialise the confirmation checks of ``self`` (commercial partners).

        The UPDATE takes the row lock, so a second transaction checking the same customer waits
        for the first to end; and since the first changed the row, PostgreSQL then refuses the
        second (REPEATABLE READ: "could not serialize access due to concurrent update"). Odoo
        retries such requests from the start, and the retry sees the first order confirmed: two
        orders can never pass the credit limit check together.
        """
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET rental_risk_locked_at = NOW() AT TIME ZONE 'UTC' "
                    "WHERE id = ANY(%s)",
                    sorted(self.ids),
                )
            )
