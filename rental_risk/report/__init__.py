from . import stock_picking_report_today
