from . import (
    rental_damage_claim_waive,
    rental_handover_sign,
    rental_xlsx_export,
    res_partner_blacklist,
    res_partner_credit_limit,
    res_partner_risk_override,
    sale_order_rental_change,
    sale_order_risk_review,
    sale_order_settle,
    stock_lot_inspect,
    stock_lot_inspect_line,
    stock_picking_risk_release,
)
