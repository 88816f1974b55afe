# The shared access check first: the document reports below inherit it.
from . import report_rental_document  # isort: skip
from . import (
    rental_asset_report,
    rental_overdue_report,
    rental_risk_report,
    report_rental_contract,
    report_rental_customer_statement,
    report_rental_damage_claim,
    report_rental_deposit_settlement,
    report_rental_dunning_letter,
    report_rental_handover,
    report_stock_lot_label,
    stock_picking_report_today,
)
