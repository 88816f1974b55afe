/** @odoo-module **/
/**
 * Opens every action of a list in every one of its view types, in the running web client, and
 * fails (console.error, which fails HttpCase.browser_js) on the first error: a client error
 * (an exception, an unknown widget, a view that cannot render), an RPC error, or an error dialog.
 * Driven by tests/test_ui_smoke.py, which gives the actions a role reaches from the menus.
 */
import { browser } from "@web/core/browser/browser";
import { rpcBus } from "@web/core/network/rpc";

const pending = new Set();
let rpcError = null;

rpcBus.addEventListener("RPC:REQUEST", ({ detail }) => pending.add(detail.data.id));
rpcBus.addEventListener("RPC:RESPONSE", ({ detail }) => {
    pending.delete(detail.data.id);
    if (detail.error) {
        rpcError = detail.error;
    }
});

async function settle(what) {
    // Quiet means: no RPC in flight and nothing new to render, twice in a row.
    let quiet = 0;
    for (let waited = 0; quiet < 2; waited += 50) {
        if (waited > 30000) {
            throw new Error(`${what}: still loading after 30 s`);
        }
        await new Promise((resolve) => browser.setTimeout(resolve, 50));
        await new Promise((resolve) => requestAnimationFrame(resolve));
        quiet = pending.size ? 0 : quiet + 1;
    }
    const dialog = document.querySelector(".o_error_dialog, .o_dialog .modal-body .o_error_detail");
    if (rpcError || dialog) {
        const detail = rpcError ? JSON.stringify(rpcError.data || rpcError.message) : "";
        throw new Error(`${what}: error ${detail} ${dialog ? dialog.innerText : ""}`);
    }
}

/**
 * @param {Array<{id: number, name: string, target: string, view_types: string[], res_id: number|false}>} actions
 *     view_types of a client action: ["client"]
 */
export async function rentalRiskMenuSmoke(actions) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    // A view the client only half understands (e.g. "Missing widget: ...") still renders, with a
    // console warning: in this run a warning is a failure too.
    const warnings = [];
    const warn = browser.console.warn.bind(browser.console);
    browser.console.warn = (...args) => {
        warnings.push(args.map(String).join(" "));
        warn(...args);
    };
    let opened = 0;
    for (const action of actions) {
        for (const viewType of action.view_types) {
            const what = `${action.name} (${viewType})`;
            browser.console.log(`opening ${what}`);
            const options = { clearBreadcrumbs: true };
            if (viewType !== "client") {
                options.viewType = viewType;
                options.props = viewType === "form" && action.res_id ? { resId: action.res_id } : {};
            }
            try {
                await env.services.action.doAction(action.id, options);
                await settle(what);
            } catch (error) {
                browser.console.error(`${what} failed: ${error && (error.stack || error.message || error)}`);
                return;
            }
            // Actions with target "new" (wizards, the scan screen) open in a dialog.
            const where = action.target === "new" ? ".modal" : ".o_action_manager";
            const selector = viewType === "client" ? ".o_action" : `.o_${viewType}_view`;
            const shown = document.querySelector(`${where} ${selector}`);
            if (!shown) {
                browser.console.error(`${what}: no ${viewType} view on the screen`);
                return;
            }
            if (action.target === "new") {
                await env.services.action.doAction({ type: "ir.actions.act_window_close" });
                await settle(`${what}, closing`);
            }
            if (warnings.length) {
                browser.console.error(`${what}: ${warnings.join("; ")}`);
                return;
            }
            opened++;
        }
    }
    browser.console.log(`opened ${opened} views`);
    browser.console.log("test successful");
}

window.rentalRiskMenuSmoke = rentalRiskMenuSmoke;
