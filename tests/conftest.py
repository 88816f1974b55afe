"""Plain pytest setup for the Odoo-free engine.

``rental_risk/__init__.py`` imports odoo, so the addon package itself cannot be imported here;
putting the addon directory on the path lets tests import ``engine`` as a top-level package.
"""

import sys
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parents[1] / "rental_risk"
if str(ADDON_DIR) not in sys.path:
    sys.path.insert(0, str(ADDON_DIR))
