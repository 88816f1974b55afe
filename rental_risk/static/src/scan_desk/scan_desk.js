import { Component, onWillStart, useRef, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useAutofocus, useBus, useService } from "@web/core/utils/hooks";
import { url } from "@web/core/utils/urls";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const MODEL = "rental.scan.desk";

/**
 * The scan desk: check rental gear out and in by scanning serial labels.
 *
 * A hardware scanner types like a keyboard and reaches us through the barcode service; a phone
 * uses its camera through the web client's barcode dialog; the text field takes typed serials.
 * Every scan and the validation go to rental.scan.desk, which answers with plain dicts: errors
 * are shown inline (with a sound), never in a dialog.
 */
export class RentalScanDesk extends Component {
    static template = "rental_risk.ScanDesk";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.cameraSupported = isBarcodeScannerSupported();
        this.state = useState({
            input: "",
            transfer: {},
            message: "",
            error: "",
            switchPickingId: false,
            summary: {},
            busy: false,
        });
        // Scans are sent one after the other, in the order they were read.
        this.queue = Promise.resolve();
        useAutofocus({ refName: "barcode" });
        this.inputRef = useRef("barcode");
        const barcode = useService("barcode");
        useBus(barcode.bus, "barcode_scanned", (ev) => this.onBarcodeScanned(ev.detail.barcode));
        onWillStart(async () => {
            const pickingId = this.props.action.params?.picking_id;
            if (pickingId) {
                this.show(await this.orm.call(MODEL, "read_transfer", [pickingId]));
            }
        });
    }

    get transfer() {
        return this.state.transfer;
    }

    /** Show a server answer: the transfer, and its message or error inline. */
    show(result) {
        this.state.transfer = result.transfer;
        this.state.message = result.message;
        this.state.error = result.error;
        this.state.switchPickingId = result.switch_picking_id;
        if (result.error) {
            this.playError();
        }
        return result;
    }

    playError() {
        if (!this.errorSound) {
            const extension = new Audio().canPlayType("audio/ogg") ? "ogg" : "mp3";
            this.errorSound = new Audio(url(`/barcodes/static/src/audio/error.${extension}`));
        }
        this.errorSound.currentTime = 0;
        // Browsers may refuse to play before the user has interacted with the page.
        this.errorSound.play()?.catch(() => {});
        if ("vibrate" in window.navigator) {
            window.navigator.vibrate(200);
        }
    }

    onBarcodeScanned(barcode) {
        const scanned = this.queue.then(() => this.scan(barcode));
        // A failed call is reported by the web client; the next scans still go through.
        this.queue = scanned.catch(() => {});
        return scanned;
    }

    async scan(barcode) {
        this.state.summary = {};
        const result = await this.orm.call(MODEL, "scan_barcode", [barcode], {
            picking_id: this.transfer.id || false,
        });
        this.show(result);
    }

    onSubmit() {
        const barcode = this.state.input.trim();
        this.state.input = "";
        if (barcode) {
            this.onBarcodeScanned(barcode);
        }
    }

    async onClickCamera() {
        let barcode;
        try {
            barcode = await scanBarcode(this.env);
        } catch (error) {
            this.state.error = error.message || _t("The camera could not read a barcode.");
            return;
        }
        if (barcode) {
            this.onBarcodeScanned(barcode);
            if ("vibrate" in window.navigator) {
                window.navigator.vibrate(100);
            }
        }
    }

    async onClickSwitch() {
        this.show(await this.orm.call(MODEL, "read_transfer", [this.state.switchPickingId]));
    }

    async onClickValidate() {
        await this.queue;
        this.state.busy = true;
        try {
            const result = await this.orm.call(MODEL, "validate_transfer", [this.transfer.id]);
            this.show(result);
            if (result.ok) {
                this.state.summary = result.summary;
                this.notification.add(result.message, {
                    title: _t("Validated"),
                    type: "success",
                });
            }
        } finally {
            this.state.busy = false;
        }
    }

    onClickClose() {
        Object.assign(this.state, {
            transfer: {},
            message: "",
            error: "",
            switchPickingId: false,
            summary: {},
        });
        this.inputRef.el?.focus();
    }
}

registry.category("actions").add("rental_risk.scan_desk", RentalScanDesk);
