from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

MANAGER_GROUP = "rental_risk.rental_risk_group_manager"


class RentalBlacklistTrigger(models.AbstractModel):
    """The automatic blacklist triggers each company switches on, run by a scheduled action:
    customers with gear not returned, or invoices unpaid, N days late are blacklisted at once
    or proposed to the Risk Managers."""

    _name = "rental.blacklist.trigger"
    _description = "Automatic Blacklist Triggers"

    @api.model
    def _cron_apply_triggers(self):
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
            for trigger, partner_ids in self._candidates(company).items():
                partners = (
                    self.env["res.partner"]
                    .sudo()
                    .browse(partner_ids)
                    .filtered(lambda p: not p.rental_blacklisted)
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
                    done |= self._propose(partners, company, reason)
        return done

    @api.model
    def _candidates(self, company):
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

    @api.model
    def _propose(self, partners, company, reason):
        """Give the company's Risk Managers an activity proposing to blacklist each partner
        of ``partners`` that has no open proposal yet; returns the partners proposed."""
        activity_type = self.env.ref("rental_risk.mail_activity_type_blacklist_proposal")
        open_ids = set(
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        partners = partners.filtered(lambda p: p.id not in open_ids)
        managers = company._rental_risk_group_users(MANAGER_GROUP)
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
        self.env["res.partner"]._rental_risk_record_blacklist_decision(
            partners, "blacklist_proposal", False, reason, automatic=True
        )
        return partners
