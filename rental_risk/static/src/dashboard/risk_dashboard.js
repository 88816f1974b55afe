/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatMonetary } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

export const OVERDUE_LABELS = {
    "1_30": _t("1-30 days"),
    "31_60": _t("31-60 days"),
    "61_90": _t("61-90 days"),
    "90_plus": _t("Over 90 days"),
};

/** The management reports linked from the dashboard's header (window actions). */
export const REPORTS = [
    { xmlid: "rental_risk.rental_risk_report_action_distribution", name: _t("Risk Distribution") },
    { xmlid: "rental_risk.rental_risk_report_action_utilization", name: _t("Limit Utilization") },
    { xmlid: "rental_risk.rental_risk_report_action_segment", name: _t("Industry and Region") },
    { xmlid: "rental_risk.rental_overdue_report_action", name: _t("Overdue Detail") },
    { xmlid: "rental_risk.rental_score_history_action_trend", name: _t("Score Trend") },
];

/**
 * Rental > Reporting > Risk Dashboard: the current company's risk on one screen. Every figure
 * comes from one call (rental.risk.dashboard.get_dashboard_data); clicking a tile asks the
 * server for the window action listing the records it counts (action_open_tile).
 */
export class RiskDashboard extends Component {
    static template = "rental_risk.RiskDashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.companyService = useService("company");
        this.state = useState({ data: null });
        this.overdueLabels = OVERDUE_LABELS;
        this.reports = REPORTS;
        onWillStart(() => this.load());
    }

    get companyId() {
        return this.companyService.currentCompany.id;
    }

    async load() {
        this.state.data = await this.orm.call("rental.risk.dashboard", "get_dashboard_data", [
            this.companyId,
        ]);
    }

    async openTile(tile, key = false) {
        const action = await this.orm.call("rental.risk.dashboard", "action_open_tile", [
            tile,
            key,
            this.companyId,
        ]);
        return this.actionService.doAction(action);
    }

    openReport(xmlid) {
        return this.actionService.doAction(xmlid);
    }

    openPartner(partnerId) {
        return this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: partnerId,
            views: [[false, "form"]],
        });
    }

    money(amount) {
        return formatMonetary(amount, { currencyId: this.state.data.currency.id });
    }

    // ------------------------------------------------------------------
    // Rendering helpers
    // ------------------------------------------------------------------

    get gradeTotal() {
        return this.state.data.grades.reduce((total, row) => total + row.count, 0);
    }

    get exposureTotal() {
        return this.state.data.grades.reduce((total, row) => total + row.exposure, 0);
    }

    get overdueTotal() {
        return this.state.data.overdue.reduce((total, row) => total + row.amount, 0);
    }

    barWidth(value, max) {
        return `width: ${max ? Math.max(2, (100 * value) / max) : 0}%;`;
    }

    get maxGradeCount() {
        return Math.max(0, ...this.state.data.grades.map((row) => row.count));
    }

    get maxExposure() {
        return Math.max(0, ...this.state.data.grades.map((row) => row.exposure));
    }

    get maxOverdue() {
        return Math.max(0, ...this.state.data.overdue.map((row) => row.amount));
    }

    /** One stacked column per month: the share of each grade among the graded customers. */
    get trendColumns() {
        const { months, series } = this.state.data.trend;
        return months.map((month, index) => {
            const total = Object.values(series).reduce((sum, values) => sum + values[index], 0);
            return {
                key: month,
                label: DateTime.fromISO(month).toFormat("LLL"),
                total,
                parts: Object.entries(series).map(([grade, values]) => ({
                    grade,
                    count: values[index],
                    style: `height: ${total ? (100 * values[index]) / total : 0}%;`,
                })),
            };
        });
    }
}

registry.category("actions").add("rental_risk.dashboard", RiskDashboard);
