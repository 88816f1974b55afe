/** @odoo-module **/
/**
 * Tours of rental_risk, run by tests/test_ui_tours.py (which creates their data) and
 * tests/test_ui_smoke.py (landing page). Each ends on a check, never on an action.
 */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");

/** No error dialog on the screen (client or server error). */
const noErrorDialog = {
    content: "no error dialog",
    trigger: "body:not(:has(.o_error_dialog))",
};

/** Fill the customer of a new order and pick it from the autocomplete. */
function pickCustomer(name) {
    return [
        {
            content: `customer ${name}`,
            trigger: ".o_field_widget[name=partner_id] input",
            run: `edit ${name}`,
        },
        {
            trigger: `.ui-menu-item a:contains(${name})`,
            run: "click",
        },
    ];
}

/**
 * Add a rental line: product, period (typed in the user's format), and serials. The serials
 * offered depend on the period: they are typed once the line shows the amount of the period
 * (``amount``), i.e. once the server has answered the period's onchange.
 */
function addRentalLine(product, start, end, amount, serials) {
    const row = ".o_field_widget[name=order_line] .o_selected_row";
    const steps = [
        {
            content: "add a product line",
            trigger: ".o_field_widget[name=order_line] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: `product ${product}`,
            trigger: `${row} .o_field_widget[name=product_template_id] input`,
            run: `edit ${product}`,
        },
        {
            trigger: `.ui-menu-item a:contains(${product})`,
            run: "click",
        },
        {
            content: "rental start",
            trigger: `${row} .o_field_widget[name=rental_start] input`,
            run: `edit ${start}`,
        },
        {
            content: "rental end",
            trigger: `${row} .o_field_widget[name=rental_end] input`,
            run: `edit ${end}`,
        },
        {
            content: "leave the period: its onchange runs",
            trigger: `${row} td[name=product_uom_qty]`,
            run: "click",
        },
        {
            content: `the line costs ${amount} for the period`,
            trigger: `${row} td[name=price_subtotal]:contains(${amount})`,
        },
    ];
    for (const serial of serials) {
        steps.push(
            {
                content: `serial ${serial}`,
                trigger: `${row} .o_field_widget[name=rental_lot_ids] input`,
                run: `edit ${serial}`,
            },
            {
                trigger: `.ui-menu-item a:contains(${serial})`,
                run: "click",
            },
            {
                trigger: `${row} .o_field_widget[name=rental_lot_ids] .o_tag:contains(${serial})`,
            }
        );
    }
    return steps;
}

// Each role opens the Rental app from the apps menu: its landing page loads without an error.
tours.add("rental_risk_landing", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "open the Rental app",
            trigger: '.o_app[data-menu-xmlid="rental_risk.rental_menu_root"]',
            run: "click",
        },
        {
            content: "the Rental app is open",
            trigger: ".o_main_navbar .o_menu_brand:contains(Rental)",
        },
        {
            content: "its default action is on the screen",
            trigger: ".o_action_manager .o_view_controller, .o_action_manager .o_action",
        },
        noErrorDialog,
    ],
});

// A salesperson quotes a rental with a period and a serial, and confirms it.
tours.add("rental_risk_quote_and_confirm", {
    steps: () => [
        {
            content: "new rental quotation",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        ...pickCustomer("Tour Film Crew"),
        ...addRentalLine(
            "Test Cinema Camera",
            "03/03/2031 09:00:00",
            "03/07/2031 17:00:00",
            "500.00",
            ["TCAM-02"]
        ),
        ...stepUtils.saveForm(),
        {
            content: "the risk panel finds nothing",
            trigger: ".o_field_widget[name=rental_risk_panel]:contains(No risk rule applies)",
        },
        {
            content: "confirm",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the order is confirmed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        noErrorDialog,
    ],
});

// Choosing a blacklisted customer warns at once; confirming the order is refused.
tours.add("rental_risk_blacklisted_customer", {
    steps: () => [
        {
            content: "new rental quotation",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        ...pickCustomer("Tour Blacklisted Customer"),
        {
            content: "warned before anything is saved",
            trigger: ".modal .modal-title:contains(Blacklisted customer)",
        },
        {
            trigger: ".modal .modal-body:contains(is blacklisted)",
        },
        {
            content: "close the warning",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        ...addRentalLine(
            "Test Cinema Camera",
            "03/03/2031 09:00:00",
            "03/07/2031 17:00:00",
            "500.00",
            []
        ),
        ...stepUtils.saveForm(),
        {
            content: "the risk panel shows the block",
            trigger: ".o_field_widget[name=rental_risk_panel] .alert-danger:contains(blacklisted)",
        },
        {
            content: "try to confirm",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the confirmation is refused, in plain words",
            trigger: ".modal:contains(blacklisted)",
        },
        {
            content: "close the refusal",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "still a quotation",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Quotation)",
        },
    ],
});

// A Risk Manager approves an order held over the credit limit; it is confirmed.
tours.add("rental_risk_approve_held_order", {
    steps: () => [
        {
            content: "open the held order",
            trigger: ".o_list_view .o_data_row td:contains(Tour Held Customer)",
            run: "click",
        },
        {
            content: "the approval owns the header: no Confirm",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_confirm]))",
        },
        {
            content: "a readable ribbon",
            trigger: ".o_form_view .ribbon:contains(Risk Hold)",
        },
        {
            content: "the reason, once",
            trigger: ".o_form_view .alert-warning:contains(Waiting for risk approval)",
        },
        {
            content: "decide",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_rental_risk_review]",
            run: "click",
        },
        {
            content: "say why",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Long-standing customer, paid every invoice.",
        },
        {
            content: "approve",
            trigger: ".modal button[name=action_approve]",
            run: "click",
        },
        {
            content: "the order is confirmed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "no ribbon any more",
            trigger: ".o_form_view:not(:has(.ribbon:contains(Risk Hold)))",
        },
        noErrorDialog,
    ],
});
