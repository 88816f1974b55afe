from odoo import api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..engine.identity import (
    is_international,
    national_number,
    normalize_address,
    normalize_email,
    normalize_id_number,
    normalize_phone,
    normalize_vat,
)

USER_GROUP = "rental_risk.rental_risk_group_user"
OFFICER_GROUP = "rental_risk.rental_risk_group_officer"
#: Fields whose change re-runs the blacklist identity matching.
IDENTITY_FIELDS = ("phone", "mobile", "email", "vat", "rental_kyc_id_number", "country_id")
#: Matched only where the company asks for it (see _rental_risk_identity_changed).
ADDRESS_FIELDS = ("street", "street2", "zip", "city")


class ResPartner(models.Model):
    _inherit = "res.partner"

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
        string="Dismissed Matches",
        compute="_compute_rental_blacklist_match_ignore_ids",
        groups=USER_GROUP,
        help="Blacklisted customers a Risk Officer checked and found to be someone else (the "
        "look-alike dismissals among the risk decisions).",
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
    # A national number typed without the partner's country ("13800138000") is matched both
    # ways: as the company's country would read it (rental_phone_norm), and by its national
    # digits against the national digits of every other number, whatever its country
    # ("+86 138-0013-8000"). *_national: national digits of every number; *_loose: the same,
    # only for the numbers whose country is not known.
    rental_phone_national = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_mobile_national = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_phone_loose = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )
    rental_mobile_loose = fields.Char(
        compute="_compute_rental_identity_norm", store=True, index="btree_not_null", copy=False
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("rental_risk_decision_ids")
    def _compute_rental_blacklist_match_ignore_ids(self):
        dismissed = (
            self.env["rental.risk.decision"]
            .sudo()
            .search([("partner_id", "in", self._origin.ids), ("kind", "=", "match_dismiss")])
        )
        for partner in self:
            partner.rental_blacklist_match_ignore_ids = dismissed.filtered(
                lambda d, p=partner: d.partner_id == p._origin
            ).match_partner_id

    @api.depends(*IDENTITY_FIELDS, *ADDRESS_FIELDS)
    def _compute_rental_identity_norm(self):
        gmail_dots = (
            self.env["ir.config_parameter"].sudo().get_param("rental_risk.match_gmail_dots") == "1"
        )
        calling_codes = self._rental_calling_codes()
        for partner in self:
            country = (
                partner.country_id or partner.company_id.country_id or self.env.company.country_id
            )
            partner.rental_phone_norm = normalize_phone(partner.phone, country.phone_code) or False
            partner.rental_mobile_norm = (
                normalize_phone(partner.mobile, country.phone_code) or False
            )
            own_code = partner.country_id.phone_code
            for number, prefix in (
                (partner.phone, "rental_phone"),
                (partner.mobile, "rental_mobile"),
            ):
                national = national_number(number, own_code, calling_codes) or False
                partner[f"{prefix}_national"] = national
                loose = national and not own_code and not is_international(number)
                partner[f"{prefix}_loose"] = national if loose else False
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
        res = super().write(vals)
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

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_rental_risk_dismiss_match(self):
        """A Risk Officer checked the possible match: it is someone else; stop flagging it."""
        if not self.env.user.has_group(OFFICER_GROUP):
            raise AccessError(
                self.env._("Only a Risk Officer can dismiss a possible blacklist match.")
            )
        for partner in self.commercial_partner_id.sudo().filtered("rental_blacklist_match_id"):
            match = partner.rental_blacklist_match_id
            self.env["rental.risk.decision"]._record(
                "match_dismiss",
                self.env._(
                    "Possible match with %(match)s dismissed: not the same customer.",
                    match=match.display_name,
                ),
                partner=partner,
                match_partner_id=match.id,
            )
            partner._rental_risk_set_match(False, False)
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _rental_risk_identifiers(self):
        """Normalised identifiers of ``self``: {kind: set of values}. Addresses count only
        where the partner's company matches on addresses (off by default: families, flat
        shares and office buildings share one)."""
        ids = {
            "phone": set(),
            "phone_national": set(),
            "phone_loose": set(),
            "email": set(),
            "vat": set(),
            "id_number": set(),
            "address": set(),
        }
        for partner in self.sudo():
            for kind, fnames in (
                ("phone", ("rental_phone_norm", "rental_mobile_norm")),
                ("phone_national", ("rental_phone_national", "rental_mobile_national")),
                ("phone_loose", ("rental_phone_loose", "rental_mobile_loose")),
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
                       p.rental_address_norm, p.rental_phone_national, p.rental_mobile_national
                  FROM res_partner p
                  JOIN res_partner c ON c.id = p.commercial_partner_id
                 WHERE (p.rental_phone_norm = ANY(%(phones)s)
                        OR p.rental_mobile_norm = ANY(%(phones)s)
                        OR p.rental_phone_national = ANY(%(loose)s)
                        OR p.rental_mobile_national = ANY(%(loose)s)
                        OR p.rental_phone_loose = ANY(%(national)s)
                        OR p.rental_mobile_loose = ANY(%(national)s)
                        OR p.rental_email_norm = ANY(%(emails)s)
                        OR p.rental_vat_norm = ANY(%(vats)s)
                        OR p.rental_id_number_norm = ANY(%(numbers)s)
                        OR p.rental_address_norm = ANY(%(addresses)s))
                   AND p.commercial_partner_id != ALL(%(exclude)s)
                   AND COALESCE(c.rental_blacklisted, FALSE) = %(blacklisted)s
                 ORDER BY p.commercial_partner_id, p.id
                """,
                phones=phones,
                loose=sorted(identifiers["phone_loose"]),
                national=sorted(identifiers["phone_national"]),
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
        partner_id, _commercial, phone, mobile, email, vat, number, address = row[:8]
        phone_national, mobile_national = row[8:10]
        if {phone, mobile} & identifiers["phone"]:
            labels.append(
                self.env._(
                    "phone %(value)s", value=next(iter({phone, mobile} & identifiers["phone"]))
                )
            )
        elif {phone_national, mobile_national} & (
            identifiers["phone_loose"] | identifiers["phone_national"]
        ):
            shared = {phone_national, mobile_national} & (
                identifiers["phone_loose"] | identifiers["phone_national"]
            )
            labels.append(
                self.env._(
                    "phone number %(value)s (one of the two written without its country)",
                    value=next(iter(shared)),
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
                    commercial._rental_risk_set_match(False, False)
                continue
            if current and current.id in {row[1] for row in rows}:
                continue
            reason = self._rental_risk_overlap_label(identifiers, rows[0])
            commercial._rental_risk_set_match(rows[0][1], reason)
            details = self.env._(
                "Looks like the blacklisted customer %(match)s: same %(reason)s.",
                match=self.browse(rows[0][1]).display_name,
                reason=reason,
            )
            Event._log("blacklist_match", partner=commercial, details=details)
            commercial._rental_risk_company()._rental_risk_alert(
                "blacklist_hit",
                "warning",
                commercial,
                commercial,
                details,
                key=f"blacklist_match:{commercial.id}:{rows[0][1]}",
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

    def _rental_risk_set_match(self, match_id, reason):
        """Store what the matching found on ``self``: the matching alone writes these fields."""
        with self.env["rental.risk.decision"]._open_guard():
            self.sudo().write(
                {"rental_blacklist_match_id": match_id, "rental_blacklist_match_reason": reason}
            )

    @api.model
    @tools.ormcache()
    def _rental_calling_codes(self):
        """Calling codes of all countries, to read the national digits of an international
        number whatever its country."""
        codes = (
            self.env["res.country"].sudo().search_read([("phone_code", "!=", 0)], ["phone_code"])
        )
        return frozenset(str(row["phone_code"]) for row in codes)
