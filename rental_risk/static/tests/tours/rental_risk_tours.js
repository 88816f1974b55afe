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
