from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class RentalAnomalyRun(models.Model):
    """One run of the daily anomaly report for a company: what it found, what was new, what
    was fixed since the run before. The lines live on as ``rental.anomaly`` records."""

    _name = "rental.anomaly.run"
    _description = "Rental Anomaly Report"
    _order = "date desc, id desc"
    _rec_name = "date"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    found_count = fields.Integer(string="Found", readonly=True)
    new_count = fields.Integer(string="New", readonly=True)
    fixed_count = fields.Integer(string="Fixed", readonly=True)
    anomaly_ids = fields.One2many(
        "rental.anomaly",
        "run_id",
        string="Anomalies Seen",
        help="The anomalies the run found: the company's open anomalies after it.",
    )
    new_anomaly_ids = fields.One2many("rental.anomaly", "first_run_id", string="New Anomalies")
    fixed_anomaly_ids = fields.One2many("rental.anomaly", "fixed_run_id", string="Fixed Anomalies")
    mailed = fields.Boolean(readonly=True, help="The digest of this run was mailed.")

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self.env["rental.anomaly"]._check_written_by_report()
        return super().create(vals_list)

    def write(self, vals):
        self.env["rental.anomaly"]._check_written_by_report()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if not self.env["rental.risk.decision"]._guard_open():
            raise UserError(self.env._("Anomaly reports are history and cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def action_run_now(self):
        """Run the report now for the current company (Risk Officer)."""
        if not self.env.user.has_group("rental_risk.rental_risk_group_officer"):
            raise UserError(self.env._("Only Risk Officers run the anomaly report."))
        run = self.sudo()._run(self.env.company)
        action = self.env["ir.actions.act_window"]._for_xml_id("rental_risk.rental_anomaly_action")
        action["context"] = {"search_default_open": 1}
        action["domain"] = [("company_id", "=", run.company_id.id)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_anomalies(self):
        """Daily: run every check for one company with rental assets not checked yet today
        and mail its digest. The scheduler commits and calls again while companies remain
        (``_notify_progress``), so a run stopped midway resumes with the next company; running
        again finds the same anomalies, not new copies of them."""
        companies = self._companies_to_check()
        if companies:
            run = self._run(companies[0])
            run._rental_anomaly_notify()
        self.env["ir.cron"]._notify_progress(
            done=min(len(companies), 1), remaining=max(len(companies) - 1, 0)
        )

    @api.model
    def _companies_to_check(self):
        """Companies with a rental location and no anomaly report since midnight (UTC)."""
        checked = self.search(
            [("date", ">=", fields.Datetime.start_of(fields.Datetime.now(), "day"))]
        ).company_id
        return self.env["res.company"].search(
            [("rental_location_id", "!=", False), ("id", "not in", checked.ids)], order="id"
        )

    @api.model
    def _run(self, company):
        """Run the checks of ``company``: insert the anomalies not open yet, see the open ones
        again, and mark fixed the open ones no longer found. Three statements, whatever the
        number of assets and bookings."""
        now = fields.Datetime.now()
        with self.env["rental.risk.decision"]._open_guard():
            run = self.sudo().create({"company_id": company.id, "date": now})
        self.env.flush_all()
        cr = self.env.cr
        uid = self.env.uid
        cr.execute(
            SQL(
                """
                WITH found AS (%(checks)s)
                INSERT INTO rental_anomaly (kind, res_model, res_id, lot_id, order_id, user_id,
                                            company_id, first_seen, last_seen, run_id,
                                            first_run_id, create_uid, write_uid, create_date,
                                            write_date)
                SELECT DISTINCT ON (f.kind, f.res_model, f.res_id)
                       f.kind, f.res_model, f.res_id, f.lot_id, f.order_id, f.user_id,
                       %(company)s, %(now)s, %(now)s, %(run)s, %(run)s, %(uid)s, %(uid)s,
                       %(now)s, %(now)s
                  FROM found f
                ON CONFLICT (company_id, kind, res_model, res_id) WHERE fixed_since IS NULL
                DO UPDATE SET last_seen = EXCLUDED.last_seen, run_id = EXCLUDED.run_id,
                              user_id = EXCLUDED.user_id, write_uid = EXCLUDED.write_uid,
                              write_date = EXCLUDED.write_date
                RETURNING xmax = 0
                """,
                checks=self.env["rental.anomaly.check"]._query(company, now),
                company=company.id,
                now=now,
                run=run.id,
                uid=uid,
            )
        )
        inserted = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL(
                """
                UPDATE rental_anomaly
                   SET fixed_since = %(now)s, fixed_run_id = %(run)s,
                       write_uid = %(uid)s, write_date = %(now)s
                 WHERE company_id = %(company)s AND fixed_since IS NULL
                   AND run_id IS DISTINCT FROM %(run)s
                """,
                company=company.id,
                now=now,
                run=run.id,
                uid=uid,
            )
        )
        fixed = cr.rowcount
        self.env["rental.anomaly"].invalidate_model()
        run.invalidate_recordset()  # its lines were written by SQL
        with self.env["rental.risk.decision"]._open_guard():
            run.write(
                {
                    "found_count": len(inserted),
                    "new_count": sum(inserted),
                    "fixed_count": fixed,
                }
            )
        return run

    def _rental_anomaly_notify(self):
        """Mail the digest of each run to its company's Risk Officers; hook for routing.

        The digest goes once a day per company: a second run of the day mails only when it
        found new anomalies."""
        template = self.env.ref("rental_risk.mail_template_rental_anomaly_digest")
        for run in self:
            if not run.found_count and not run.fixed_count:
                continue
            already = self.search_count(
                [
                    ("company_id", "=", run.company_id.id),
                    ("mailed", "=", True),
                    ("date", ">=", fields.Datetime.start_of(run.date, "day")),
                    ("id", "!=", run.id),
                ]
            )
            if already and not run.new_count:
                continue
            officers = run.company_id._rental_risk_group_users(
                "rental_risk.rental_risk_group_officer"
            ).filtered("email")
            if not officers:
                continue
            template.send_mail(
                run.id,
                email_values={"recipient_ids": [(6, 0, officers.partner_id.ids)]},
                email_layout_xmlid="mail.mail_notification_light",
            )
            with self.env["rental.risk.decision"]._open_guard():
                run.write({"mailed": True})
            # The digest is the Risk Officers'; the routing table may tell others (by message,
            # e-mail or SMS) that the day's report has new anomalies.
            if run.new_count:
                run.company_id._rental_risk_alert(
                    "anomaly",
                    None,
                    run,
                    None,
                    self.env._(
                        "Anomaly report of %(date)s: %(new)s new, %(found)s open.",
                        date=fields.Datetime.to_string(run.date),
                        new=run.new_count,
                        found=run.found_count,
                    ),
                )
