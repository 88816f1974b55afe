from . import rental_asset_report, stock_picking_report_today
