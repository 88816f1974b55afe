from odoo import fields, models
from odoo.tools import SQL

from ..engine.xlsx_sheets import Column


class RentalXlsxRegister(models.AbstractModel):
    """The dunning history for finance and credit control."""

    _inherit = "rental.xlsx.register"

    def _build_dunning_register(
        self, workbook, company, date_from=None, date_to=None, line_ids=None
    ):
        """Dunning levels sent to the customers of ``company`` in the period (or the lines
        ``line_ids``): when, which level, how much was overdue and how late, what was done,
        by whom."""
        date_to = date_to or fields.Date.context_today(self)
        date_from = date_from or date_to.replace(month=1, day=1)
        columns = [
            Column(self.env._("Sent On"), "date", 11),
            Column(self.env._("Customer"), "text", 30),
            Column(self.env._("Policy"), "text", 22),
            Column(self.env._("Level"), "text", 24),
            Column(self.env._("Days Overdue"), "int", 10),
            Column(self.env._("Oldest Due Date"), "date", 12),
            Column(self.env._("Overdue Amount"), "money", 14, True),
            Column(self.env._("Done"), "text", 40),
            Column(self.env._("Sent By"), "text", 20),
        ]
        lang = self.env.lang or "en_US"
        query = SQL(
            """
            SELECT l.sent_date::date, COALESCE(p.complete_name, p.name),
                   COALESCE(pol.name ->> %(lang)s, pol.name ->> 'en_US'),
                   COALESCE(lvl.name ->> %(lang)s, lvl.name ->> 'en_US'),
                   l.days_overdue, l.oldest_due_date, l.amount_overdue, l.channels_done,
                   up.name
              FROM rental_dunning_line l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN rental_dunning_level lvl ON lvl.id = l.level_id
              LEFT JOIN rental_dunning_policy pol ON pol.id = l.policy_id
              LEFT JOIN res_users u ON u.id = l.sent_by_id
              LEFT JOIN res_partner up ON up.id = u.partner_id
             WHERE l.company_id = %(company)s
               AND l.state = 'sent'
               AND %(scope)s
             ORDER BY l.sent_date, l.id
            """,
            lang=lang,
            company=company.id,
            scope=SQL("l.id = ANY(%s)", list(line_ids))
            if line_ids
            else SQL("l.sent_date::date BETWEEN %s AND %s", date_from, date_to),
        )
        title = self.env._(
            "%(register)s - %(company)s - %(date_from)s to %(date_to)s",
            register=self._get_register_names()["dunning"],
            company=company.name,
            date_from=fields.Date.to_string(date_from),
            date_to=fields.Date.to_string(date_to),
        )
        self._write_sheet(workbook, self.env._("Dunning"), title, columns, query)
