from datetime import date

from odoo import fields, models
from odoo.exceptions import UserError

from ..engine import xlsx_sheets
from ..engine.xlsx_sheets import Column


class RentalXlsxRegister(models.AbstractModel):
    """A scoring backtest as a workbook, for Risk Officers to share or chart further."""

    _inherit = "rental.xlsx.register"

    def _build_backtest_register(self, workbook, company, backtest_id=None):
        """Sheets of the backtest ``backtest_id`` of ``company``: its summary (AUC, Gini,
        capture rate, what the limits would have capped), its month-ends and its grades."""
        # Read through the ORM as the exporter: the record rules keep other companies' out.
        backtest = self.env["rental.score.backtest"].browse(backtest_id).exists()
        if not backtest or backtest.company_id != company:
            raise UserError(self.env._("Choose the scoring backtest of this company to export."))
        self._write_backtest_summary(workbook, backtest)
        self._write_backtest_months(workbook, backtest)
        self._write_backtest_grades(workbook, backtest)

    def _backtest_title(self, backtest):
        return self.env._(
            "%(register)s - %(company)s - %(name)s",
            register=self._get_register_names()["backtest"],
            company=backtest.company_id.name,
            name=backtest.name,
        )

    def _write_backtest_summary(self, workbook, backtest):
        items = [
            (self.env._("First Month-End"), "date", backtest.date_from),
            (self.env._("Last Month-End"), "date", backtest.date_to),
            (self.env._("Observed Days"), "int", backtest.horizon_days),
            (self.env._("Overdue Days Counted Bad"), "int", backtest.overdue_days),
            (self.env._("Customer-Months"), "int", backtest.observations),
            (self.env._("Bad Outcomes"), "int", backtest.bad_count),
            (self.env._("Bad Outcome Rate"), "percent", backtest.default_rate / 100),
            (self.env._("AUC"), "ratio", backtest.auc),
            (self.env._("Gini"), "ratio", backtest.gini),
            (self.env._("Caught by D-E (capture rate)"), "percent", backtest.caught_share / 100),
            (self.env._("Bad Outcome Exposure"), "money", backtest.bad_exposure),
            (self.env._("Capped by Limits"), "money", backtest.capped_amount),
            (self.env._("Capped by Limits (share)"), "percent", backtest.capped_share / 100),
            (self.env._("Customers over Limit"), "int", backtest.capped_count),
            (self.env._("Run By"), "text", backtest.user_id.name),
            (
                self.env._("Run On"),
                "datetime",
                fields.Datetime.context_timestamp(self, backtest.date).replace(tzinfo=None)
                if backtest.date
                else None,
            ),
        ]
        xlsx_sheets.write_summary(
            workbook,
            workbook.rental_formats,
            self.env._("Summary"),
            self._backtest_title(backtest),
            items,
            headers=(self.env._("Measure"), self.env._("Value")),
        )

    def _write_backtest_months(self, workbook, backtest):
        columns = [
            Column(self.env._("Month-End"), "date", 12),
            Column(self.env._("Customers"), "int", 11, True),
            Column(self.env._("Bad Outcomes"), "int", 11, True),
            Column(self.env._("Bad Outcome Rate"), "percent", 11),
            Column(self.env._("AUC"), "ratio", 9),
            Column(self.env._("Gini"), "ratio", 9),
            Column(self.env._("Caught by D-E"), "percent", 11),
            # Per month-end: a debt seen at several month-ends is in each, so no totals.
            Column(self.env._("Bad Outcome Exposure"), "money", 16),
            Column(self.env._("Capped by Limits"), "money", 16),
            Column(self.env._("Capped by Limits (share)"), "percent", 13),
            Column(self.env._("Customers over Limit"), "int", 11),
        ]
        rows = [
            (
                month.month_end,
                month.customers,
                month.bad_count,
                month.default_rate / 100,
                month.auc,
                month.gini,
                month.caught_share / 100,
                month.bad_exposure,
                month.capped_amount,
                month.capped_share / 100,
                month.capped_count,
            )
            for month in backtest.month_ids.sorted("month_end")
        ]
        self._write_sheet(
            workbook, self.env._("Months"), self._backtest_title(backtest), columns, rows
        )

    def _write_backtest_grades(self, workbook, backtest):
        columns = [
            Column(self.env._("Grade"), "text", 8),
            Column(self.env._("Month-End"), "date", 12),
            Column(self.env._("Customers"), "int", 11),
            Column(self.env._("Bad Outcomes"), "int", 11),
            Column(self.env._("Bad Outcome Rate"), "percent", 11),
        ]
        # The whole backtest first (no month-end), then each month-end, grades A to E.
        lines = backtest.line_ids.sorted(lambda line: (line.month_end or date.min, line.grade))
        rows = [
            (line.grade, line.month_end, line.customers, line.bad_count, line.default_rate / 100)
            for line in lines
        ]
        self._write_sheet(
            workbook, self.env._("Grades"), self._backtest_title(backtest), columns, rows
        )
