/** @odoo-module **/
/**
 * Credit control reviews a dunning run and sends its first-level e-mails, run by
 * tests/test_dunning_tour.py, which creates the overdue invoices and the empty run, opens the
 * tour on the run and checks afterwards that the e-mails are queued.
 */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rental_risk_dunning_review_send", {
    steps: () => [
        {
            content: "propose the run's lines",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_propose]:contains(Propose)",
            run: "click",
        },
        {
            content: "the overdue customer is proposed the reminder",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Dunning Tour Customer):contains(Reminder)",
        },
        {
            content: "the line waits for review",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Dunning Tour Customer) .o_field_badge:contains(To Review)",
        },
        {
            content: "send every line",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_send_all]",
            run: "click",
        },
        {
            content: "confirm the sending",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "the line is sent",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Dunning Tour Customer) .o_field_badge:contains(Sent)",
        },
        {
            content: "no error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
