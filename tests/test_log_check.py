"""Unit tests of scripts/odoo_log_check.py, the judge of the Odoo logs written by scripts/test."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "odoo_log_check.py"
_spec = importlib.util.spec_from_file_location("odoo_log_check", SCRIPT)
log_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(log_check)

PREFIX = "2026-11-25 16:41:48,357 6416 {level} rr_test_1 {logger}: {message}"
REPORT_OK = "0 failed, 0 error(s) of 7 tests when loading database 'rr_test_1'"


def line(level, logger, message):
    return PREFIX.format(level=level, logger=logger, message=message)


def test_clean_log_counts_tests():
    """A clean log reports the tests Odoo ran and no problem."""
    result = log_check.judge([line("INFO", "odoo.tests.result", REPORT_OK)], "rental_risk")
    assert result["report_found"]
    assert (result["tests_run"], result["tests_failed"]) == (7, 0)
    assert not result["errors"] and not result["warnings"]


def test_failures_and_errors_are_counted():
    """Failed and erroring tests both count as failed."""
    report = "1 failed, 2 error(s) of 9 tests when loading database 'rr_test_1'"
    result = log_check.judge([line("ERROR", "odoo.tests.result", report)], "rental_risk")
    assert (result["tests_run"], result["tests_failed"]) == (9, 3)


def test_warning_from_the_module_is_caught():
    """A WARNING logged by rental_risk's own loggers fails the log."""
    lines = [line("WARNING", "odoo.addons.rental_risk.models.stock_lot", "something odd")]
    assert log_check.judge(lines, "rental_risk")["warnings"]


def test_warning_while_module_loads_is_caught():
    """A WARNING logged by Odoo while rental_risk is being loaded concerns the module."""
    lines = [
        line("INFO", "odoo.modules.loading", "Loading module rental_risk (57/57)"),
        line("WARNING", "odoo.fields", "Field product.template.x: unknown parameter 'foo'"),
        line("INFO", "odoo.modules.loading", "57 modules loaded in 3.21s, 0 queries"),
        line("WARNING", "odoo.addons.stock.models.x", "unrelated"),
    ]
    warnings = log_check.judge(lines, "rental_risk")["warnings"]
    assert len(warnings) == 1 and "unknown parameter" in warnings[0]


def test_strict_mode_catches_every_warning():
    """In strict mode (the install log) any WARNING at all fails the log."""
    lines = [line("WARNING", "odoo.modules.module", "python external dependency on 'barcode'")]
    assert not log_check.judge(lines, "rental_risk")["warnings"]
    assert log_check.judge(lines, "rental_risk", strict=True)["warnings"]


def test_error_line_fails(tmp_path):
    """An ERROR line makes the judge exit non-zero even when every test passed."""
    log = tmp_path / "odoo.log"
    log.write_text(
        "\n".join(
            [
                line("ERROR", "odoo.sql_db", "bad query"),
                line("INFO", "odoo.tests.result", REPORT_OK),
            ]
        )
    )
    assert log_check.main([str(log)]) == 1


def test_missing_report_fails(tmp_path):
    """A log without Odoo's test report (a crash before the tests) is not clean."""
    log = tmp_path / "odoo.log"
    log.write_text(line("INFO", "odoo.modules.loading", "Loading module base (1/57)"))
    assert log_check.main([str(log)]) == 1


def test_browser_test_skipped_for_want_of_chrome_fails():
    """A tour Odoo skipped because Chromium is missing counts as a failed test."""
    skip = (
        "skipped test_tour (odoo.addons.sale.tests.test_ui.TestUi.test_tour)"
        " : Chrome executable not found"
    )
    lines = [
        line("INFO", "odoo.addons.sale.tests.test_ui", skip),
        line("INFO", "odoo.tests.result", REPORT_OK),
    ]
    result = log_check.judge(lines, "rental_risk")
    assert result["skipped"] and result["tests_failed"] == 1


def test_missing_websocket_client_fails():
    """Odoo's warning that websocket-client is missing fails the log, strict or not."""
    lines = [
        line(
            "WARNING",
            "odoo.addons.rental_risk.tests.test_ui",
            "websocket-client module is not installed",
        )
    ]
    assert log_check.judge(lines, "stock")["errors"]


def test_skipped_test_of_the_module_fails():
    """Any skipped test of the addon counts as failed: a test that does not run cannot fail."""
    skip = "skipped test_x (odoo.addons.rental_risk.tests.test_x.TestX.test_x) : not ready"
    result = log_check.judge(
        [line("INFO", "odoo.addons.rental_risk.tests.test_x", skip)], "rental_risk"
    )
    assert result["tests_failed"] == 1
    other = "skipped test_y (odoo.addons.sale_stock.tests.test_y.TestY.test_y) : needs mrp"
    assert not log_check.judge(
        [line("INFO", "odoo.addons.sale_stock.tests.test_y", other)], "rental_risk"
    )["skipped"]


def test_tours_that_succeeded_are_counted():
    """Each browser success signal counts as one tour run; each page opened as one session."""
    lines = [
        line(
            "INFO",
            "odoo.addons.rental_risk.tests.test_ui",
            'Open "http://127.0.0.1:8069/odoo" in browser ',
        ),
        line("INFO", "odoo.addons.rental_risk.tests.test_ui.browser", "tour succeeded"),
        line("INFO", "odoo.addons.rental_risk.tests.test_ui.browser", "clickbot test succeeded"),
        line("INFO", "odoo.addons.rental_risk.tests.test_ui.browser", "test successful"),
        line("INFO", "odoo.addons.rental_risk.tests.test_ui", "test successful"),
    ]
    result = log_check.judge(lines, "rental_risk")
    assert (result["tours_run"], result["browser_sessions"]) == (3, 1)
