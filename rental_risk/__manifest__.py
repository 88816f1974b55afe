{
    "name": "Rental Risk",
    "summary": "Serialized rental assets, customer credit scoring, blacklist, deposits "
    "and risk approvals for equipment-rental companies",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/rental-risk/rental_risk",
    "author": "rental_risk developers",
    "maintainers": ["rental-risk"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": [
        "sale_stock",
        "barcodes",
    ],
    "external_dependencies": {
        "python": ["xlsxwriter", "python-barcode", "num2words"],
    },
    "data": [
        "security/rental_risk_groups.xml",
        "security/ir.model.access.csv",
        "views/rental_risk_menus.xml",
    ],
    "demo": [
        "demo/rental_demo.xml",
    ],
    "application": True,
}
