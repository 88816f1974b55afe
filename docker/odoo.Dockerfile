# The official Odoo 18 image, plus the one Python dependency of rental_risk it does not ship
# (xlsxwriter and num2words come with the image's Debian packages).
FROM odoo:18.0
USER root
RUN pip3 install --no-cache-dir --break-system-packages "python-barcode>=0.15"
USER odoo
