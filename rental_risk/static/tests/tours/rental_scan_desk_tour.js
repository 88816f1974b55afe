import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** Type ``barcode`` the way a hardware scanner does: fast keydowns on the page, then Enter. */
function scanWithScanner(barcode) {
    for (const key of [...barcode, "Enter"]) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
}

function scan(barcode) {
    return {
        content: `Scan ${barcode} with the barcode scanner`,
        trigger: ".o_rental_scan_desk",
        run: () => scanWithScanner(barcode),
    };
}

const noDialog = {
    content: "Nothing opened a dialog",
    trigger: "body:not(:has(.modal))",
};

registry.category("web_tour.tours").add("rental_risk_scan_desk_checkout", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Rental app",
            trigger: '.o_app[data-menu-xmlid="rental_risk.rental_menu_root"]',
            run: "click",
        },
        {
            content: "Open the Rentals menu",
            trigger: '.dropdown-toggle[data-menu-xmlid="rental_risk.rental_menu_operations"]',
            run: "click",
        },
        {
            content: "Open Scan",
            trigger: '.dropdown-item[data-menu-xmlid="rental_risk.rental_scan_desk_menu"]',
            run: "click",
        },
        {
            content: "The desk waits for a first scan",
            trigger: ".o_rental_scan_empty",
        },
        scan("TDESK-01"),
        {
            content: "The serial found its order's pickup and is done",
            trigger: '.o_rental_scan_line_done[data-serial="TDESK-01"]',
        },
        {
            content: "It is a check-out",
            trigger: ".o_rental_scan_operation:contains(Check Out)",
        },
        {
            content: "The other serial is still to scan",
            trigger: '.o_rental_scan_line:not(.o_rental_scan_line_done)[data-serial="TDESK-02"]',
        },
        {
            content: "Type the second serial",
            trigger: ".o_rental_scan_input",
            run: "edit TDESK-02",
        },
        {
            content: "Send it",
            trigger: ".o_rental_scan_submit",
            run: "click",
        },
        {
            content: "Both serials are done",
            trigger: '.o_rental_scan_line_done[data-serial="TDESK-02"]',
        },
        {
            content: "Validate",
            trigger: ".o_rental_scan_validate",
            run: "click",
        },
        {
            content: "A success notification",
            trigger: ".o_notification:contains(handed out)",
        },
        {
            content: "The summary lists the serials",
            trigger: ".o_rental_scan_summary:contains(TDESK-01, TDESK-02)",
        },
        noDialog,
    ],
});

registry.category("web_tour.tours").add("rental_risk_scan_desk_errors", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Rental app",
            trigger: '.o_app[data-menu-xmlid="rental_risk.rental_menu_root"]',
            run: "click",
        },
        {
            content: "Open the Rentals menu",
            trigger: '.dropdown-toggle[data-menu-xmlid="rental_risk.rental_menu_operations"]',
            run: "click",
        },
        {
            content: "The clerk has the Rental Orders menu",
            trigger: '.dropdown-item[data-menu-xmlid="rental_risk.sale_order_menu_rental"]',
            run: "click",
        },
        {
            content: "Open the rental order",
            trigger: ".o_data_row td.o_data_cell:contains(Test Rental Customer)",
            run: "click",
        },
        {
            content: "Check Out from the order",
            trigger: "button[name=action_rental_scan_checkout]",
            run: "click",
        },
        {
            content: "The desk opens on the order's pickup",
            trigger: ".o_rental_scan_transfer .o_rental_scan_operation:contains(Check Out)",
        },
        scan("NOPE-404"),
        {
            content: "The wrong scan is shown inline",
            trigger: ".o_rental_scan_error:contains(Unknown barcode NOPE-404)",
        },
        noDialog,
        {
            content: "The pickup is still open on the desk",
            trigger: ".o_rental_scan_transfer",
        },
        scan("TDESK-01"),
        {
            content: "The serial is done and the error gone",
            trigger: '.o_rental_scan_desk:not(:has(.o_rental_scan_error)) .o_rental_scan_line_done[data-serial="TDESK-01"]',
        },
        {
            content: "Validate",
            trigger: ".o_rental_scan_validate",
            run: "click",
        },
        {
            content: "The risk lock refuses, inline",
            trigger: ".o_rental_scan_error:contains(cannot be handed out)",
        },
        noDialog,
    ],
});

registry.category("web_tour.tours").add("rental_risk_today_board", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Rental app",
            trigger: '.o_app[data-menu-xmlid="rental_risk.rental_menu_root"]',
            run: "click",
        },
        {
            content: "Open the Rentals menu",
            trigger: '.dropdown-toggle[data-menu-xmlid="rental_risk.rental_menu_operations"]',
            run: "click",
        },
        {
            content: "Open Today",
            trigger: '.dropdown-item[data-menu-xmlid="rental_risk.stock_picking_report_today_menu"]',
            run: "click",
        },
        {
            content: "Every stage is a column",
            trigger: ".o_kanban_group .o_column_title:contains(Late)",
        },
        {
            content: "The pickup planned today is to pick up; open it",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(To Pick Up)) .o_kanban_record:contains(Test Rental Customer)",
            run: "click",
        },
        {
            content: "The scan desk opens on that pickup",
            trigger: ".o_rental_scan_transfer .o_rental_scan_operation:contains(Check Out)",
        },
        scan("TDESK-02"),
        {
            content: "Its serial is scanned",
            trigger: '.o_rental_scan_line_done[data-serial="TDESK-02"]',
        },
    ],
});
