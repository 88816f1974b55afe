from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_risk import RiskCommon


@tagged("post_install", "-at_install")
class TestAlertRouting(RiskCommon):
    """Risk alerts routed by a company's table: to the right people, by each channel, once per
    event; only a Risk Manager sets the table, and nobody writes an alert by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Route = cls.env["rental.alert.route"]
        cls.Alert = cls.env["rental.risk.alert"]
        # Each test sets the routes it needs: the shipped ones are archived (and tested apart).
        cls.Route.search([("company_id", "=", cls.company.id)]).active = False
        cls.officer.partner_id.mobile = "+32 470 11 22 33"
        cls.manager.partner_id.mobile = "+32 470 44 55 66"
        # The salesperson has a mobile too: only a route to the salesperson may text them.
        cls.rental_user.partner_id.mobile = "+32 470 77 88 99"
        cls.accountant = new_test_user(
            cls.env,
            login="rr_alert_accountant",
            groups="account.group_account_manager",
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.officers = cls.company._rental_risk_group_users("rental_risk.rental_risk_group_officer")
        cls.managers = cls.company._rental_risk_group_users("rental_risk.rental_risk_group_manager")

    def _route(self, kind, min_severity="warning", **flags):
        return self.Route.with_user(self.manager).create(
            {"company_id": self.company.id, "kind": kind, "min_severity": min_severity, **flags}
        )

    def _alerts(self, kind, record=None):
        domain = [("kind", "=", kind), ("company_id", "=", self.company.id)]
        if record is not None:
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        return self.Alert.sudo().search(domain)

    def _sms_to(self, users):
        return self.env["sms.sms"].sudo().search([("partner_id", "in", users.partner_id.ids)])

    def _cross_warning_line(self):
        """A confirmed order between the grade's warning line (80%) and the credit limit."""
        self._rule("warning_line", "warn")
        order = self._order()
        self._set_limit(self.customer, round(order.amount_total / 0.9, 2))
        grade = self.customer.with_company(self.company).sudo().rental_grade
        self.env["rental.grade.limit"].search(
            [("company_id", "=", self.company.id), ("grade", "=", grade)]
        ).warning_percent = 80.0
        order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------

    def test_warning_line_routed_by_each_channel(self):
        """Credit control by message, e-mail and SMS, the salesperson by message only: each
        gets exactly what its route says, once, however often the order is checked again."""
        self._route(
            "warning_line",
            to_credit_control=True,
            channel_message=True,
            channel_email=True,
            channel_sms=True,
        )
        self._route("warning_line", to_salesperson=True, channel_message=True)
        sms_before = self._sms_to(self.officers | self.rental_user)
        order = self._cross_warning_line()
        alert = self._alerts("warning_line", order)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.severity, "warning")
        self.assertEqual(alert.partner_id, self.customer)
        # System message: a note on the order notifying the officers and the salesperson.
        self.assertEqual(alert.message_user_ids, self.officers | self.rental_user)
        notice = order.message_ids.filtered(lambda m: "warning line" in (m.body or ""))
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.partner_ids, (self.officers | self.rental_user).partner_id)
        self.assertEqual(notice.subtype_id, self.env.ref("mail.mt_note"))
        # E-mail: one queued mail to the officers, not to the salesperson.
        mail = alert.sudo().mail_id
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.officers.filtered("email").partner_id)
        self.assertIn(self.officer.partner_id, mail.recipient_ids)
        self.assertNotIn(self.rental_user.partner_id, mail.recipient_ids)
        self.assertIn("warning line", mail.body_html)
        # SMS: queued for the officers with a mobile, never sent in the transaction.
        sms = self._sms_to(self.officers | self.rental_user) - sms_before
        self.assertIn(self.officer.partner_id, sms.partner_id)
        self.assertNotIn(self.rental_user.partner_id, sms.partner_id)
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertEqual(sms, alert.sudo().sms_ids)
        officer_sms = sms.filtered(lambda s: s.partner_id == self.officer.partner_id)
        self.assertIn(officer_sms.number, ("+32470112233", "+32 470 11 22 33"))
        self.assertIn("warning line", officer_sms.body)
        # Checked again: the event already alerted, nothing is sent twice.
        outcome = order._rental_risk_evaluate()[order.id]
        order._rental_risk_alert_hits(outcome.hits)
        again = self.company._rental_risk_alert(
            "warning_line", None, order, self.customer, "The warning line again"
        )
        self.assertFalse(again)
        self.assertEqual(self._alerts("warning_line", order), alert)
        self.assertEqual(self._sms_to(self.officers | self.rental_user) - sms_before, sms)
        self.assertEqual(
            len(order.message_ids.filtered(lambda m: "warning line" in (m.body or ""))), 1
        )

    def test_severity_below_minimum_routes_nothing(self):
        """A warning-line crossing is a warning: a route from "critical" sends nothing, and the
        kind having a route, the officers' fallback does not apply either."""
        self._route(
            "warning_line",
            min_severity="critical",
            to_credit_control=True,
            channel_message=True,
            channel_email=True,
            channel_sms=True,
        )
        sms_before = self._sms_to(self.officers)
        order = self._cross_warning_line()
        alert = self._alerts("warning_line", order)
        self.assertEqual(len(alert), 1, "the alert is recorded, routed to nobody")
        self.assertFalse(alert.route_ids)
        self.assertFalse(alert.message_user_ids | alert.email_user_ids | alert.sms_user_ids)
        self.assertFalse(alert.sudo().mail_id)
        self.assertEqual(self._sms_to(self.officers), sms_before)
        notice = order.message_ids.filtered(lambda m: "warning line" in (m.body or ""))
        self.assertEqual(len(notice), 1, "the order's chatter keeps the warning")
        self.assertFalse(notice.partner_ids)

    def test_no_route_falls_back_to_risk_officers(self):
        """A kind without any route still reaches the Risk Officers by system message."""
        order = self._cross_warning_line()
        alert = self._alerts("warning_line", order)
        self.assertEqual(alert.message_user_ids, self.officers)
        self.assertFalse(alert.email_user_ids | alert.sms_user_ids)
        notice = order.message_ids.filtered(lambda m: "warning line" in (m.body or ""))
        self.assertEqual(notice.partner_ids, self.officers.partner_id)

    def test_grade_drop_routed_to_executives(self):
        """A drop to E is critical: the route to executives from "critical" tells the Risk
        Managers, and only them; the drop's To-Do activities are still scheduled."""
        self._route("grade_drop", min_severity="critical", to_executives=True, channel_email=True)
        self._route("blacklist_hit", to_credit_control=True)
        self.customer._rental_risk_rescore(company=self.company)
        grade = self.customer.with_company(self.company).sudo().rental_grade
        self.assertNotEqual(grade, "E")
        self._blacklist()
        alert = self._alerts("grade_drop", self.customer)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.severity, "critical")
        self.assertEqual(alert.message_user_ids, self.managers)
        self.assertNotIn(self.officer, alert.message_user_ids)
        self.assertEqual(alert.email_user_ids, self.managers.filtered("email"))
        self.assertIn(self.manager.partner_id, alert.sudo().mail_id.recipient_ids)
        self.assertNotIn(self.officer.partner_id, alert.sudo().mail_id.recipient_ids)
        note = self.customer.message_ids.filtered(
            lambda m: f"Risk grade dropped from {grade} to E" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertEqual(note.partner_ids, self.managers.partner_id)
        # Rescoring again the same day: no new drop, no new alert.
        self.customer._rental_risk_rescore(company=self.company)
        self.assertEqual(self._alerts("grade_drop", self.customer), alert)

    def test_blacklist_hit_routed_to_credit_control(self):
        """A customer matching a blacklisted one and a blacklisting each alert credit control,
        once: matching again raises nothing new."""
        self._route("blacklist_hit", to_credit_control=True, channel_sms=True)
        fraudster = self.env["res.partner"].create(
            {"name": "Old Fraudster", "phone": "+86 138 0013 8000"}
        )
        self._blacklist(fraudster)
        hit = self._alerts("blacklist_hit", fraudster)
        self.assertEqual(len(hit), 1)
        self.assertEqual(hit.severity, "critical")
        self.assertEqual(hit.message_user_ids, self.officers)
        sms_before = self._sms_to(self.officers)
        self.customer.phone = "138-0013-8000"
        self.assertEqual(self.customer.rental_blacklist_match_id, fraudster)
        match = self._alerts("blacklist_hit", self.customer)
        self.assertEqual(len(match), 1)
        self.assertEqual(match.severity, "warning")
        self.assertEqual(match.message_user_ids, self.officers)
        self.assertNotIn(self.rental_user, match.message_user_ids)
        self.assertIn("Old Fraudster", match.body)
        new_sms = self._sms_to(self.officers) - sms_before
        self.assertIn(self.officer.partner_id, new_sms.partner_id)
        # Matched again (on confirmation, on the next edit): no second alert, no second SMS.
        (self.customer | fraudster)._rental_risk_match_blacklist()
        self.customer.write({"phone": "+86 138 0013 8000"})
        self.assertEqual(self._alerts("blacklist_hit", self.customer), match)
        self.assertEqual(self._sms_to(self.officers) - sms_before, new_sms)

    def test_shipped_routes(self):
        """A fresh install routes every alert kind to someone, by text message only what is
        critical."""
        route = self.env.ref("rental_risk.rental_alert_route_warning_line")
        self.assertTrue(route.to_credit_control and route.to_salesperson and route.channel_message)
        shipped = self.env["ir.model.data"].search(
            [("module", "=", "rental_risk"), ("model", "=", "rental.alert.route")]
        )
        routes = self.Route.with_context(active_test=False).browse(shipped.mapped("res_id"))
        self.assertEqual(set(routes.filtered("channel_sms").mapped("min_severity")), {"critical"})
        kinds = set(routes.mapped("kind"))
        self.assertEqual(kinds, {code for code, _label in self.Route._fields["kind"].selection})

    def test_over_limit_hold_alerts_once(self):
        """An order held because it goes over the limit alerts credit control, once."""
        self._route("over_limit", to_credit_control=True, to_salesperson=True)
        self._rule("over_limit", "approval", approval_group_id=self.officer_group.id)
        self._set_limit(self.customer, 100.0)
        order = self._order()
        order.with_user(self.rental_user).action_confirm()
        self.assertEqual(order.rental_risk_approval_state, "waiting")
        alert = self._alerts("over_limit", order)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.severity, "critical")
        self.assertEqual(alert.message_user_ids, self.officers | self.rental_user)
        order._rental_risk_alert_hits(order._rental_risk_evaluate()[order.id].hits)
        self.assertEqual(self._alerts("over_limit", order), alert)

    def test_new_company_gets_the_shipped_routes(self):
        """A company created later starts with the same table (archived rows stay archived)."""
        company = self.env["res.company"].create({"name": "Rental Branch"})
        routes = self.Route.with_context(active_test=False).search(
            [("company_id", "=", company.id)]
        )
        shipped = self.Route.with_context(active_test=False).search(
            [("company_id", "=", self.company.id), ("active", "=", False)]
        )
        self.assertTrue(routes)
        self.assertEqual(sorted(routes.mapped("kind")), sorted(shipped.mapped("kind")))

    def test_overdue_gear_step_routed_once(self):
        """The ladder's steps keep their tasks and add their alert; a suspected loss is
        critical and reaches the executives by SMS, the milder steps do not; once per step."""
        self._route("overdue_step", min_severity="critical", to_executives=True, channel_sms=True)
        self.env["rental.reminder.step"].search([]).company_id = self.company
        Run = self.env["rental.reminder.run"]
        order = self._order()
        order.action_confirm()
        self._validate(self._pickup(order))
        line = order.order_line.filtered("is_rental")
        end = line.rental_end
        first = Run._record_due_steps(end + timedelta(days=3)).filtered(
            lambda log: log.order_line_id == line
        )
        first._do_steps()
        mild = self._alerts("overdue_step").filtered(lambda a: a.res_id in first.ids)
        self.assertEqual(len(mild), len(first))
        self.assertFalse(mild.message_user_ids | mild.sms_user_ids)
        self.assertTrue(order.activity_ids.filtered(lambda a: a.user_id == self.rental_user))
        sms_before = self._sms_to(self.managers)
        loss = Run._record_due_steps(end + timedelta(days=10)).filtered(
            lambda log: log.order_line_id == line and log.step_id.action == "suspected_loss"
        )
        self.assertEqual(len(loss), 1)
        loss._do_steps()
        alert = self._alerts("overdue_step", loss)
        self.assertEqual(alert.severity, "critical")
        self.assertEqual(alert.message_user_ids, self.managers)
        self.assertIn(
            self.manager.partner_id, (self._sms_to(self.managers) - sms_before).partner_id
        )
        self.assertTrue(
            any("Suspected loss" in summary for summary in order.activity_ids.mapped("summary"))
        )
        loss._do_steps()
        self.assertEqual(self._alerts("overdue_step", loss), alert)
        self.assertFalse(
            Run._record_due_steps(end + timedelta(days=30)).filtered(
                lambda log: log.order_line_id == line
            )
        )

    def test_dunning_sms_once_and_level_routed_to_finance(self):
        """The formal notice texts the customer once however often the run is sent, and its
        sending alerts finance by e-mail as routed."""
        self._route("dunning_sent", min_severity="info", to_finance=True, channel_email=True)
        self.env.ref("rental_risk.rental_dunning_policy_default").company_id = self.company
        formal = self.env.ref("rental_risk.rental_dunning_level_formal")
        self.assertTrue(formal.channel_sms and formal.sms_template_id)
        self.customer.write(
            {"email": "accounts@customer.example.com", "mobile": "+86 139 0000 1111"}
        )
        today = fields.Date.context_today(self.env.user.with_user(self.officer))
        self._post_invoice(300.0, today - timedelta(days=25))
        run = (
            self.env["rental.dunning.run"]
            .with_user(self.officer)
            .create({"company_id": self.company.id, "date": today})
        )
        run.action_propose()
        line = run.line_ids.filtered(lambda dl: dl.partner_id == self.customer)
        self.assertEqual(line.level_id, formal)
        for _send in range(2):
            run.with_user(self.officer).action_send_all()
            line.with_user(self.officer).action_send()
        self.env["rental.dunning.run"]._cron_dunning()
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(line.sudo().sms_id, sms)
        self.assertIn("overdue (25 days)", sms.body)
        self.assertIn("SMS queued", line.channels_done)
        alert = self._alerts("dunning_sent", line)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.severity, "info")
        self.assertIn(self.accountant, alert.email_user_ids)
        self.assertNotIn(self.officer, alert.email_user_ids)
        self.assertIn(self.accountant.partner_id, alert.sudo().mail_id.recipient_ids)
        # The line's SMS is protected like the rest of the line.
        with self.assertRaises(UserError):
            line.sudo().write({"sms_id": False})

    def test_dunning_sms_without_mobile(self):
        """No mobile nor phone: nothing queued, and the line says so."""
        self.env.ref("rental_risk.rental_dunning_policy_default").company_id = self.company
        self.customer.write({"mobile": False, "phone": False})
        today = fields.Date.context_today(self.env.user.with_user(self.officer))
        self._post_invoice(300.0, today - timedelta(days=25))
        run = (
            self.env["rental.dunning.run"]
            .with_user(self.officer)
            .create({"company_id": self.company.id, "date": today})
        )
        run.action_propose()
        run.with_user(self.officer).action_send_all()
        line = run.line_ids.filtered(lambda dl: dl.partner_id == self.customer)
        self.assertEqual(line.state, "sent")
        self.assertIn("no mobile number", line.channels_done)
        self.assertFalse(line.sudo().sms_id)

    # ------------------------------------------------------------------
    # Who may do what
    # ------------------------------------------------------------------

    def test_only_risk_managers_set_routes(self):
        """Raw create and write of a route: refused to a rental user, an officer and an
        accountant, allowed to a Risk Manager; an officer reads the table."""
        route = self._route("over_limit", to_credit_control=True)
        vals = {"company_id": self.company.id, "kind": "over_limit", "to_finance": True}
        for user in (self.rental_user, self.officer, self.accountant, self.salesman):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.Route.with_user(user).create(vals)
                with self.assertRaises(AccessError):
                    route.with_user(user).write({"to_executives": True, "channel_sms": True})
                with self.assertRaises(AccessError):
                    route.with_user(user).unlink()
        self.assertFalse(route.to_executives)
        self.assertEqual(route.with_user(self.officer).kind, "over_limit")
        route.with_user(self.manager).write({"to_executives": True, "min_severity": "critical"})
        self.assertTrue(route.to_executives)
        self.assertTrue(self.Route.with_user(self.manager).create(vals))

    def test_alerts_cannot_be_forged(self):
        """Nobody creates, changes or deletes an alert by hand, superuser included."""
        order = self._cross_warning_line()
        alert = self._alerts("warning_line", order)
        vals = {
            "company_id": self.company.id,
            "kind": "blacklist_hit",
            "severity": "critical",
            "key": "forged",
        }
        for env in (
            self.Alert.with_user(self.officer),
            self.Alert.with_user(self.manager),
            self.Alert.sudo(),
        ):
            with self.subTest(user=env.env.user.login, su=env.env.su):
                with self.assertRaises(UserError):
                    env.create(vals)
                with self.assertRaises(UserError):
                    alert.with_env(env.env).write({"severity": "info"})
                with self.assertRaises(UserError):
                    alert.with_env(env.env).unlink()
        self.assertEqual(alert.severity, "warning")
        self.assertFalse(self.Alert.sudo().search([("key", "=", "forged")]))

    def test_route_needs_a_recipient_and_a_channel(self):
        with self.assertRaises(UserError):
            self._route("anomaly", channel_message=True)
        with self.assertRaises(UserError):
            self._route("anomaly", to_executives=True, channel_message=False)
