from . import asset_fault, rental_portal
