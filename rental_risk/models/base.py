from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine.bounds import is_number


class Base(models.AbstractModel):
    _inherit = "base"

    def _rental_ensure_one(self):
        """``ensure_one`` for the addon's buttons: called over RPC with several records (or
        none), they answer with a sentence instead of Python's "Expected singleton"."""
        if len(self) != 1:
            raise UserError(
                self.env._(
                    "This action works on one %(model)s at a time (%(count)s given); choose one.",
                    model=self._description,
                    count=len(self),
                )
            )
        return self

    def _rental_notification(self, title, message, kind="info"):
        """Client action of the addon's buttons that work in place: a notification saying what
        happened, then a reload of the current view so that it shows the new figures."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _rental_message_author(self, author_id, email_from):
        """Sender of a message posted on one of the addon's documents, for
        ``_message_compute_author`` overrides: a missing sender e-mail never blocks the business
        action that posts (an approver without an e-mail could not confirm the order they
        approved). The company's e-mail stands in for the author's; without either the message
        is posted all the same and mailed from the mail server's default sender."""
        if not email_from:
            company = self.env.company
            if len(self) == 1 and "company_id" in self._fields and self.company_id:
                company = self.company_id
            email_from = company.email_formatted or False
        return author_id, email_from

    def _rental_check_value_types(self, vals_list):
        """Refuse, with a sentence, values of the wrong type for the date and number fields of
        ``vals_list`` (RPC callers send strings and lists where Odoo's conversions would
        answer with a traceback)."""
        for vals in vals_list:
            for fname, value in vals.items():
                field = self._fields.get(fname)
                if field is None or value is False or value is None:
                    continue
                try:
                    if field.type == "datetime":
                        fields.Datetime.to_datetime(value)
                    elif field.type == "date":
                        fields.Date.to_date(value)
                    elif field.type in ("float", "monetary", "integer"):
                        if isinstance(value, bool) or not is_number(float(value)):
                            raise ValueError(value)
                    else:
                        continue
                except (ValueError, TypeError, OverflowError) as error:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of %(model)s must be %(kind)s; %(value)r is not one.",
                            field=field._description_string(self.env),
                            model=self._description,
                            kind=self._rental_value_kind(field),
                            value=value,
                        )
                    ) from error

    def _rental_value_kind(self, field):
        if field.type == "datetime":
            return self.env._("a date and time such as 2031-03-03 09:00:00")
        if field.type == "date":
            return self.env._("a date such as 2031-03-03")
        return self.env._("a finite number")
