/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Rentals > Schedule: the booking of the test order is on its serial's row; a free day of the
// other serial opens a quotation prefilled with that serial.
registry.category("web_tour.tours").add("rental_risk_schedule", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Rental app",
            trigger: ".o_app[data-menu-xmlid='rental_risk.rental_menu_root']",
            run: "click",
        },
        {
            content: "Open the Rentals menu",
            trigger: ".o_main_navbar [data-menu-xmlid='rental_risk.rental_menu_operations']",
            run: "click",
        },
        {
            content: "Open the schedule",
            trigger: ".o-dropdown--menu [data-menu-xmlid='rental_risk.rental_schedule_menu']",
            run: "click",
        },
        {
            content: "Search the test serials",
            trigger: ".o_rental_schedule .o_rs_search",
            run: "edit TOUR-SCHED",
        },
        {
            content: "Apply the search",
            trigger: ".o_rental_schedule .o_rs_search",
            run: "press Enter",
        },
        {
            content: "The booking of the test order is on the first serial",
            trigger:
                ".o_rs_row[data-serial='TOUR-SCHED-01'] .o_rs_booking.o_rs_state_reserved:contains(Tour Schedule Customer)",
        },
        {
            content: "Its turnaround follows it",
            trigger: ".o_rs_row[data-serial='TOUR-SCHED-01'] .o_rs_turnaround",
        },
        {
            content: "Only the test serials are listed",
            trigger: ".o_rs_pager:contains(1-2 / 2)",
        },
        {
            content: "Click a free day of the second serial",
            trigger: ".o_rs_row[data-serial='TOUR-SCHED-02'] .o_rs_cell.o_rs_free:eq(3)",
            run: "click",
        },
        {
            content: "A new quotation opens with the serial on its rental line",
            trigger:
                ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains(Tour Schedule Camera):contains(TOUR-SCHED-02)",
        },
        {
            content: "The quotation is new",
            trigger: ".o_form_view .o_breadcrumb:contains(New)",
        },
    ],
});
