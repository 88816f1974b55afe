/** @odoo-module **/
/**
 * A customer scans the QR code of a rented asset, reports a fault, and later confirms the fix
 * on the same page. Run by tests/test_asset_fault_tour.py, which opens the asset's page (no
 * login), closes the request as the technician between the two tours and checks the records.
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rental_risk_asset_fault_report", {
    steps: () => [
        {
            content: "the page names the asset",
            trigger: ".o_rental_asset_fault h1:contains(Test Cinema Camera)",
        },
        {
            content: "describe the fault",
            trigger: "textarea[name=description]",
            run: "edit The zoom ring is stuck at 35 mm.",
        },
        {
            content: "send the report",
            trigger: "button.o_rental_fault_submit",
            run: "click",
        },
        {
            content: "the report is acknowledged",
            trigger: ".o_rental_fault_reported",
        },
    ],
});

registry.category("web_tour.tours").add("rental_risk_asset_fault_confirm", {
    steps: () => [
        {
            content: "the repaired fault asks for a confirmation",
            trigger: "button.o_rental_confirm_fixed",
            run: "click",
        },
        {
            content: "the confirmation is recorded",
            trigger: ".o_rental_fix_confirmed",
        },
        {
            content: "nothing left to confirm",
            trigger: "body:not(:has(button.o_rental_confirm_fixed))",
        },
    ],
});
