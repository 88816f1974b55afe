"""Read an Odoo server log written with --test-enable and judge it.

Prints one JSON object: tests run / failed (from Odoo's own test report line), every ERROR or
CRITICAL line, and every WARNING that concerns rental_risk (logged by the addon, naming it or
one of its models, or logged while the addon's module was being loaded); with --strict, every
WARNING at all (the install log of rental_risk must carry none). Exit status 0 when the
log is clean, 1 otherwise.

A skipped test is a failed test when it is one of the addon's, or when it was skipped because
the browser could not run (Odoo only logs "skipped ... : Chrome executable not found" at INFO
level and reports the run as green): those lines are listed under "skipped" and counted in
"tests_failed". "tours_run" counts the browser tests that ran to their success signal in
Chromium (tours, the click-everywhere crawler, browser_js tests), "browser_sessions" the pages
opened.

Usage: python odoo_log_check.py LOGFILE [--module rental_risk] [--strict]
"""

import argparse
import json
import re
import sys

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): "
    r"(?P<message>.*)$"
)
REPORT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests"
    r" when loading database"
)
LOADING = re.compile(r"Loading module (?P<module>\w+) \(\d+/\d+\)")
LOAD_DONE = re.compile(r"Modules loaded\.|\d+ modules loaded in|Starting post tests")
SKIPPED = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*)$")
# What odoo/tests/common.py says (as a SkipTest reason or a WARNING) when the browser cannot run.
BROWSER_MISSING = re.compile(
    r"websocket-client module is not installed|Chrome executable not found|chrom\S* not found"
    r"|Failed to detect chrome devtools port|Error during Chrome( headless)? connection"
    r"|Cannot connect to chrome dev tools|Chrome crashed at startup",
    re.IGNORECASE,
)
# Success signals of HttpCase.start_tour, of the click-everywhere crawler and of browser_js.
TOUR_SUCCESS = {"tour succeeded", "clickbot test succeeded", "test successful"}
BROWSER_OPEN = re.compile(r'^Open ".*" in browser$')


def judge(lines, module, strict=False):
    result = {
        "tests_run": 0,
        "tests_failed": 0,
        "report_found": False,
        "errors": [],
        "warnings": [],
        "skipped": [],
        "tours_run": 0,
        "browser_sessions": 0,
    }
    loading = None
    for raw in lines:
        match = LINE.match(raw.rstrip("\n"))
        if not match:
            continue
        level, logger, message = match["level"], match["logger"], match["message"]
        if logger == "odoo.modules.loading":
            loaded = LOADING.search(message)
            if loaded:
                loading = loaded["module"]
            elif LOAD_DONE.search(message):
                loading = None
        if logger.endswith(".browser") and message.strip() in TOUR_SUCCESS:
            result["tours_run"] += 1
        elif BROWSER_OPEN.match(message.strip()):
            result["browser_sessions"] += 1
        skipped = SKIPPED.match(message)
        if skipped and (
            logger.startswith(f"odoo.addons.{module}.") or BROWSER_MISSING.search(skipped["reason"])
        ):
            result["skipped"].append(raw.strip())
            continue
        if level == "WARNING" and BROWSER_MISSING.search(message):
            result["errors"].append(raw.strip())
            continue
        report = REPORT.search(message)
        if report and logger == "odoo.tests.result":
            result["report_found"] = True
            result["tests_run"] += int(report["run"])
            result["tests_failed"] += int(report["failed"]) + int(report["errors"])
            if level in ("ERROR", "CRITICAL"):
                continue  # the failures themselves were already logged as ERROR lines
        if level in ("ERROR", "CRITICAL"):
            result["errors"].append(raw.strip())
        elif level == "WARNING" and (
            strict
            or module in logger
            or module in message
            or "rental." in message
            or loading == module
        ):
            result["warnings"].append(raw.strip())
    result["tests_failed"] += len(result["skipped"])
    return result


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("logfile")
    parser.add_argument("--module", default="rental_risk")
    parser.add_argument("--strict", action="store_true", help="any WARNING at all fails the log")
    args = parser.parse_args(argv)
    with open(args.logfile, encoding="utf-8", errors="replace") as handle:
        result = judge(handle, args.module, args.strict)
    print(json.dumps(result))
    clean = (
        result["report_found"]
        and not result["errors"]
        and not result["warnings"]
        and not result["skipped"]
    )
    return 0 if clean and not result["tests_failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
