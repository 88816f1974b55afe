/** @odoo-module **/
/**
 * Tours of the main rental flows after the quotation, run by tests/test_ui_flow_tours.py,
 * which creates their data, opens each tour on the record it is about and checks the outcome
 * in the database. Each tour ends on a check, never on an action.
 */
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/** No error dialog on the screen (client or server error). */
const noErrorDialog = {
    content: "no error dialog",
    trigger: "body:not(:has(.o_error_dialog))",
};

/** The statusbar of the form shows ``state`` as the current one. */
function currentState(state) {
    return {
        content: `the record is ${state}`,
        trigger: `.o_form_view .o_statusbar_status button.o_arrow_button_current:contains(${state})`,
    };
}

/** Click the header button ``name`` of the form. */
function headerButton(name, content) {
    return {
        content,
        trigger: `.o_form_view .o_statusbar_buttons button[name=${name}]`,
        run: "click",
    };
}

// The warehouse clerk inspects a returned camera from its return, finds damage, and lands on
// the claim the inspection opened.
tours.add("rental_risk_flow_inspect_damage", {
    steps: () => [
        {
            content: "the return is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        headerButton("action_rental_inspect", "inspect the returned gear"),
        {
            content: "the inspection of the returned serial",
            trigger: ".modal .o_field_widget[name=lot_id] input:value(TCAM-01)",
        },
        {
            content: "condition poor",
            trigger: ".modal .o_field_widget[name=condition] select",
            run: "selectByLabel Poor",
        },
        {
            content: "damaged",
            trigger: ".modal .o_field_widget[name=damaged] input",
            run: "click",
        },
        {
            content: "the repair estimate",
            trigger: ".modal .o_field_widget[name=repair_estimate] input",
            run: "edit 400",
        },
        {
            content: "what is damaged",
            trigger: ".modal .o_field_widget[name=damage_description] textarea",
            run: "edit Cracked lens mount",
        },
        {
            content: "record the inspection",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "the dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "the claim the inspection opened is on the screen",
            trigger: ".o_form_view .o_field_widget[name=lot_id] input:value(TCAM-01)",
        },
        {
            content: "it describes the damage",
            trigger: ".o_form_view .o_field_widget[name=description] textarea:value(Cracked lens mount)",
        },
        {
            content: "it claims the estimate",
            trigger: ".o_form_view .o_field_widget[name=assessed_amount] input:value(400.00)",
        },
        currentState("Draft"),
        noErrorDialog,
    ],
});

// The salesperson opens the damage claims, assesses the claim and invoices it.
tours.add("rental_risk_flow_invoice_claim", {
    steps: () => [
        {
            content: "open the customer's claim",
            trigger: ".o_list_view .o_data_row td:contains(Test Rental Customer)",
            run: "click",
        },
        currentState("Draft"),
        headerButton("action_assess", "assess the claim"),
        currentState("Assessed"),
        headerButton("action_invoice", "invoice the claim"),
        currentState("Invoiced"),
        {
            content: "no Invoice button any more",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_invoice]))",
        },
        noErrorDialog,
    ],
});

// The salesperson invoices the deposit of a confirmed order: the posted invoice opens.
tours.add("rental_risk_flow_invoice_deposit", {
    steps: () => [
        currentState("Sales Order"),
        {
            content: "the order asks for a deposit",
            trigger: ".o_form_view .o_notebook a.nav-link[name=rental_deposit]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=rental_deposit_required]:contains(1,500.00)",
        },
        headerButton("action_rental_invoice_deposit", "invoice the deposit"),
        {
            content: "the deposit invoice opens, posted",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids]:contains(1,500.00)",
        },
        currentState("Posted"),
        noErrorDialog,
    ],
});

// The accountant registers the customer's payment of the deposit invoice.
tours.add("rental_risk_flow_pay_deposit", {
    steps: () => [
        currentState("Posted"),
        headerButton("action_register_payment", "register the payment"),
        {
            content: "the payment of the whole deposit",
            trigger: ".modal .o_field_widget[name=amount] input:value(1,500.00)",
        },
        {
            content: "create the payment",
            trigger: ".modal .modal-footer button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "the dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "the invoice is paid",
            trigger: ".o_form_view .ribbon:contains(Paid), .o_form_view .ribbon:contains(In Payment)",
        },
        noErrorDialog,
    ],
});

// Once the gear is back, a Risk Officer settles the deposit: it is refunded.
tours.add("rental_risk_flow_settle_deposit", {
    steps: () => [
        currentState("Sales Order"),
        headerButton("action_rental_settle_deposit", "settle the deposit"),
        {
            content: "the deposit held",
            trigger: ".modal .o_field_widget[name=held_amount]:contains(1,500.00)",
        },
        {
            content: "nothing to pay with it",
            trigger: ".modal .o_field_widget[name=charges_amount]:contains(0.00)",
        },
        {
            content: "settle",
            trigger: ".modal .modal-footer button[name=action_settle]",
            run: "click",
        },
        {
            content: "the dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "settled once: no Settle Deposit any more",
            trigger:
                ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_rental_settle_deposit]))",
        },
        {
            content: "open the deposit tab",
            trigger: ".o_form_view .o_notebook a.nav-link[name=rental_deposit]",
            run: "click",
        },
        {
            content: "the settlement is listed with its refund",
            trigger:
                ".o_form_view .o_field_widget[name=rental_deposit_settlement_ids] .o_data_row td[name=refund_amount]:contains(1,500.00)",
        },
        noErrorDialog,
    ],
});

// A Risk Manager overrides a customer's grade from the Risk tab of the customer.
tours.add("rental_risk_flow_override_grade", {
    steps: () => [
        {
            content: "open the Risk tab",
            trigger: ".o_form_view .o_notebook a.nav-link[name=rental_risk]",
            run: "click",
        },
        {
            content: "override the grade",
            trigger: ".o_form_view button[name=action_rental_risk_override]",
            run: "click",
        },
        {
            content: "the new grade",
            trigger: ".modal .o_field_widget[name=grade] select",
            run: "selectByLabel B",
        },
        {
            content: "why",
            trigger: ".modal .o_field_widget[name=reason] input",
            run: "edit Bank guarantee received",
        },
        {
            content: "override",
            trigger: ".modal .modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            content: "the dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "the override is shown with its reason",
            trigger: ".o_form_view .alert-warning:contains(Grade overridden to):contains(Bank guarantee received)",
        },
        {
            content: "it can be ended",
            trigger: ".o_form_view button[name=action_rental_risk_end_override]",
        },
        noErrorDialog,
    ],
});

// A Risk Manager releases the pickup the risk lock holds.
tours.add("rental_risk_flow_release_lock", {
    steps: () => [
        headerButton("action_rental_risk_release", "release the risk lock"),
        {
            content: "the lock says why",
            trigger: ".modal .o_field_widget[name=reasons]:contains(blacklisted)",
        },
        {
            content: "why it may go out anyway",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Customer paid cash at the counter.",
        },
        {
            content: "release",
            trigger: ".modal .modal-footer button[name=action_release]",
            run: "click",
        },
        {
            content: "the dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "the release is shown with its reason",
            trigger: ".o_form_view .alert-info:contains(Risk lock released by):contains(Customer paid cash)",
        },
        {
            content: "no Release button any more",
            trigger:
                ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_rental_risk_release]))",
        },
        noErrorDialog,
    ],
});

// The salesperson extends a confirmed rental by three days with Change Rental.
tours.add("rental_risk_flow_extend", {
    steps: () => [
        currentState("Sales Order"),
        {
            content: "change the rental",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Change Rental)",
            run: "click",
        },
        {
            content: "the rental line is chosen: its booked end is shown",
            trigger: ".modal .o_field_widget[name=current_end]:contains(03/07/2031)",
        },
        {
            content: "extend",
            trigger: ".modal .o_field_widget[name=mode] input[data-value=extend]:checked",
        },
        {
            content: "the new end",
            trigger: ".modal .o_field_widget[name=new_end] input",
            run: "edit 03/10/2031 17:00:00",
        },
        {
            content: "leave the date",
            trigger: ".modal .o_field_widget[name=current_end]",
            run: "click",
        },
        {
            content: "apply",
            trigger: ".modal .modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            content: "the change is confirmed",
            trigger: ".o_notification:contains(is changed)",
        },
        {
            content: "the dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "the line shows the new end",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row td[name=rental_end]:contains(03/10/2031)",
        },
        noErrorDialog,
    ],
});
