from . import rental_scan
from . import rental_scan_line
from . import res_partner_risk_override
