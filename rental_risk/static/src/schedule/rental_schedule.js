/** @odoo-module **/

import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

export const WINDOW_SIZES = [7, 14, 30];
const PAGE_SIZE = 80;

/**
 * Rentals > Schedule: rental serials (rows) x days (columns). Each row shows the bookings of the
 * serial (customer and order, coloured by state), their turnaround time, maintenance blocks and
 * serials out of the fleet (repair, lost, retired). A booking opens its order; a free day starts
 * a new rental quotation of that serial. All data comes from rental.booking.get_schedule_data.
 */
export class RentalSchedule extends Component {
    static template = "rental_risk.RentalSchedule";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.companyService = useService("company");
        const saved = this.props.state || {};
        this.state = useState({
            dateFrom: saved.dateFrom || DateTime.local().toISODate(),
            days: saved.days || 30,
            productId: saved.productId || 0,
            categId: saved.categId || 0,
            companyId: saved.companyId || 0,
            search: saved.search || "",
            offset: saved.offset || 0,
            data: null,
            loading: false,
        });
        this.windowSizes = WINDOW_SIZES;
        this.options = { products: [], categories: [], companies: [] };
        onWillStart(async () => {
            await Promise.all([this.loadOptions(), this.load()]);
        });
    }

    async loadOptions() {
        const [products, categories] = await Promise.all([
            this.orm.searchRead("product.product", [["rental_ok", "=", true]], ["display_name"], {
                order: "default_code, name, id",
                limit: 500,
            }),
            this.orm.searchRead("product.category", [], ["display_name"], {
                order: "complete_name",
                limit: 500,
            }),
        ]);
        this.options.products = products;
        this.options.categories = categories;
        this.options.companies = this.companyService.activeCompanyIds.map((id) =>
            this.companyService.getCompany(id)
        );
    }

    get filters() {
        const filters = {};
        if (this.state.productId) {
            filters.product_id = this.state.productId;
        }
        if (this.state.categId) {
            filters.categ_id = this.state.categId;
        }
        if (this.state.companyId) {
            filters.company_id = this.state.companyId;
        }
        if (this.state.search.trim()) {
            filters.search = this.state.search.trim();
        }
        return filters;
    }

    async load() {
        this.state.loading = true;
        try {
            this.state.data = await this.orm.call("rental.booking", "get_schedule_data", [], {
                date_from: this.state.dateFrom,
                days: this.state.days,
                filters: this.filters,
                limit: PAGE_SIZE,
                offset: this.state.offset,
            });
        } finally {
            this.state.loading = false;
        }
        if (this.props.updateActionState) {
            const { dateFrom, days, productId, categId, companyId, search, offset } = this.state;
            this.props.updateActionState({
                dateFrom, days, productId, categId, companyId, search, offset,
            });
        }
    }

    // ------------------------------------------------------------------
    // Window and filters
    // ------------------------------------------------------------------

    shiftWindow(direction) {
        this.state.dateFrom = DateTime.fromISO(this.state.dateFrom)
            .plus({ days: direction * this.state.days })
            .toISODate();
        this.load();
    }

    goToday() {
        this.state.dateFrom = DateTime.local().toISODate();
        this.load();
    }

    setDays(ev) {
        this.state.days = parseInt(ev.target.value, 10);
        this.load();
    }

    setFilter(key, ev) {
        this.state[key] = parseInt(ev.target.value, 10) || 0;
        this.state.offset = 0;
        this.load();
    }

    onSearchKeydown(ev) {
        if (ev.key === "Enter") {
            this.state.search = ev.target.value;
            this.state.offset = 0;
            this.load();
        }
    }

    changePage(direction) {
        const total = this.state.data.total;
        const offset = this.state.offset + direction * PAGE_SIZE;
        if (offset < 0 || offset >= total) {
            return;
        }
        this.state.offset = offset;
        this.load();
    }

    get pagerText() {
        const { total } = this.state.data;
        if (!total) {
            return "0";
        }
        const first = this.state.offset + 1;
        const last = Math.min(this.state.offset + PAGE_SIZE, total);
        return `${first}-${last} / ${total}`;
    }

    // ------------------------------------------------------------------
    // Rendering helpers
    // ------------------------------------------------------------------

    get dayColumns() {
        const today = this.state.data.today;
        return this.state.data.days.map((day) => {
            const date = DateTime.fromISO(day);
            return {
                iso: day,
                weekday: date.toFormat("ccc"),
                label: date.toFormat("d"),
                month: date.day === 1 || day === this.state.data.date_from ? date.toFormat("LLL") : "",
                isToday: day === today,
                isWeekend: date.weekday >= 6,
                isPast: day < today,
            };
        });
    }

    get gridStyle() {
        return `--o-rs-days: ${this.state.data.days.length};`;
    }

    /** Bars of one item: the booking (or block) itself and its turnaround time. */
    barsOf(item) {
        const bars = [];
        const style = (from, to) => `left: calc(${from} * var(--o-rs-day)); width: calc(${to - from} * var(--o-rs-day));`;
        if (item.kind === "booking") {
            if (item.end > item.start) {
                bars.push({
                    key: `${item.id}-b`,
                    cls: `o_rs_booking o_rs_state_${item.state}`,
                    style: style(item.start, item.end),
                    text: [item.partner_name, item.order_name].filter(Boolean).join(" · "),
                    title: this.itemTitle(item),
                    item,
                });
            }
            if (item.block_end > item.end) {
                bars.push({
                    key: `${item.id}-t`,
                    cls: `o_rs_turnaround o_rs_state_${item.state}`,
                    style: style(item.end, item.block_end),
                    text: "",
                    title: _t("Turnaround until %s", item.date_block_end),
                    item,
                });
            }
        } else if (item.block_end > item.start) {
            bars.push({
                key: `${item.kind}-${item.id}`,
                cls: `o_rs_block o_rs_block_${item.kind}`,
                style: style(item.start, item.block_end),
                text: item.label || _t("Blocked"),
                title: item.id ? this.itemTitle(item) : item.label,
                item,
            });
        }
        return bars;
    }

    itemTitle(item) {
        const who = [item.partner_name, item.order_name, item.label].filter(Boolean).join(" · ");
        return `${who}\n${item.date_start} → ${item.date_end} (${item.state})`;
    }

    // ------------------------------------------------------------------
    // Clicks
    // ------------------------------------------------------------------

    openItem(item) {
        if (item.order_id) {
            return this.actionService.doAction({
                type: "ir.actions.act_window",
                res_model: "sale.order",
                res_id: item.order_id,
                views: [[false, "form"]],
            });
        }
        if (item.id) {
            return this.actionService.doAction({
                type: "ir.actions.act_window",
                res_model: "rental.booking",
                res_id: item.id,
                views: [[false, "form"]],
            });
        }
    }

    async onFreeCellClick(row, day) {
        if (!this.state.data.can_quote || day.isPast) {
            return;
        }
        const action = await this.orm.call("rental.booking", "action_schedule_new_quotation", [
            row.id,
            day.iso,
        ]);
        return this.actionService.doAction(action);
    }
}

registry.category("actions").add("rental_risk.schedule", RentalSchedule);
