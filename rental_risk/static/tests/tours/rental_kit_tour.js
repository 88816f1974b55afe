import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function typeSerial(serial) {
    return [
        {
            content: `Type the serial ${serial}`,
            trigger: ".o_rental_scan_input",
            run: `edit ${serial}`,
        },
        {
            content: "Send it",
            trigger: ".o_rental_scan_submit",
            run: "click",
        },
        {
            content: `${serial} is done`,
            trigger: `.o_rental_scan_line_done[data-serial="${serial}"]`,
        },
    ];
}

registry.category("web_tour.tours").add("rental_risk_kit_pickup", {
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
            content: "Open Rental Orders",
            trigger: '.dropdown-item[data-menu-xmlid="rental_risk.sale_order_menu_rental"]',
            run: "click",
        },
        {
            content: "Open the kit order",
            trigger: ".o_data_row td.o_data_cell:contains(Kit Tour Customer)",
            run: "click",
        },
        {
            content: "The order shows the kit line",
            trigger: ".o_field_one2many[name=order_line] .o_data_row:contains(Tour Camera Kit)",
        },
        {
            content: "and its components",
            trigger: ".o_field_one2many[name=order_line] .o_data_row:contains(Tour Kit Lens)",
        },
        {
            content: "Check Out from the order",
            trigger: "button[name=action_rental_scan_checkout]",
            run: "click",
        },
        {
            content: "The desk opens on the pickup of the components",
            trigger: '.o_rental_scan_line:not(.o_rental_scan_line_done)[data-serial="TKB-01"]',
        },
        {
            content: "The lens is to scan too",
            trigger: '.o_rental_scan_line:not(.o_rental_scan_line_done)[data-serial="TKL-01"]',
        },
        ...typeSerial("TKB-01"),
        ...typeSerial("TKL-01"),
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
            content: "The summary lists the components' serials",
            trigger: ".o_rental_scan_summary:contains(TKB-01, TKL-01)",
        },
    ],
});
