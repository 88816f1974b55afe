/** @odoo-module **/

import { registry } from "@web/core/registry";

// Reporting > Risk Dashboard as a Risk Officer: the held order is counted on its tile, and the
// tile opens the orders it counts.
registry.category("web_tour.tours").add("rental_risk_dashboard", {
    url: "/odoo/rental-risk-dashboard",
    steps: () => [
        {
            content: "The dashboard shows the grades of the customers",
            trigger: ".o_rental_risk_dashboard [data-tile='grades'] .o_rrd_grade_row[data-grade='E']",
        },
        {
            content: "Open the orders waiting for a risk approval",
            trigger: ".o_rental_risk_dashboard [data-tile='approvals']",
            run: "click",
        },
        {
            content: "The held order of the tour customer is listed",
            trigger: ".o_list_view .o_data_row:contains(Tour Dashboard Customer)",
        },
        {
            content: "The breadcrumb names the tile",
            trigger: ".o_breadcrumb:contains(Orders Waiting for Risk Approval)",
        },
    ],
});

// The dashboard's header links to the management reports: the risk distribution opens as a
// graph of the customers per grade.
registry.category("web_tour.tours").add("rental_risk_dashboard_reports", {
    url: "/odoo/rental-risk-dashboard",
    steps: () => [
        {
            content: "Open the risk distribution from the dashboard",
            trigger:
                ".o_rental_risk_dashboard .o_rrd_reports [data-report='rental_risk.rental_risk_report_action_distribution']",
            run: "click",
        },
        {
            content: "The report opens as a graph",
            trigger: ".o_graph_view .o_graph_renderer",
        },
        {
            content: "The breadcrumb names the report",
            trigger: ".o_breadcrumb:contains(Risk Distribution)",
        },
    ],
});
