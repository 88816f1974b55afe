from . import stock_picking_report_today
from . import rental_asset_report
