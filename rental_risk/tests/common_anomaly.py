from datetime import timedelta

from odoo import Command, fields

from .common import RentalCommon


class AnomalyCommon(RentalCommon):
    """A company of its own for the anomaly checks ("Anomaly Co", its warehouse and serials
    in stock), so that a check run on it finds what a test planted and nothing else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.co = cls.env["res.company"].create({"name": "Anomaly Co"})
        if not cls.env["stock.warehouse"].search([("company_id", "=", cls.co.id)]):
            cls.env["stock.warehouse"].create(
                {"name": "Anomaly WH", "code": "AWH", "company_id": cls.co.id}
            )
        cls.co_stock = (
            cls.env["stock.warehouse"].search([("company_id", "=", cls.co.id)], limit=1)
        ).lot_stock_id
        cls.co_lots = cls._create_lots(cls.camera, ["ACAM-01", "ACAM-02"], company=cls.co)
        cls.co_lot, cls.co_lot_2 = cls.co_lots
        cls.officer.write(
            {"company_ids": [Command.link(cls.co.id)], "email": "officer@example.com"}
        )
        cls.now = fields.Datetime.now()

    def _run(self):
        return self.env["rental.anomaly.run"]._run(self.co)

    def _open(self):
        """{(kind, model, id)} of the open anomalies of Anomaly Co."""
        return {
            (a.kind, a.res_model, a.res_id)
            for a in self.env["rental.anomaly"].search(
                [("company_id", "=", self.co.id), ("fixed_since", "=", False)]
            )
        }

    def _to_rental_location(self, lot):
        """Move ``lot``'s unit from the shelf to the Out on Rental location."""
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(lot.product_id, self.co_stock, -1, lot_id=lot)
        Quant._update_available_quantity(lot.product_id, self.co.rental_location_id, 1, lot_id=lot)

    def _co_order(self, product=None):
        """A rental order of Anomaly Co with one line (left in quotation)."""
        product = product or self.camera
        return (
            self.env["sale.order"]
            .with_company(self.co)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.co.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1.0})
                    ],
                }
            )
        )

    def _sql(self, query, params):
        self.env.flush_all()
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def _days_ago(self, days):
        return self.now - timedelta(days=days)
