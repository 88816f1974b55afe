"""What every benchmark script needs: its command line and an Odoo registry on its database.

``bench/run`` passes ``-d``, ``--odoo-path`` and ``--addons-path``; each script adds its own
sizes. Odoo is imported only here, once ``--odoo-path`` is on ``sys.path``.
"""

import argparse
import statistics
import sys
import time


def bench_parser(doc):
    """Argument parser with the options ``bench/run`` passes; ``doc`` is the script's
    docstring (its first paragraph becomes the description)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--odoo-path", default="/opt/odoo")
    parser.add_argument("--addons-path", required=True)
    return parser


def open_registry(args):
    """The Odoo registry of ``args.database``, with Odoo imported from ``args.odoo_path``."""
    sys.path.insert(0, args.odoo_path)
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-d", args.database, f"--addons-path={args.addons_path}"])
    return Registry(args.database)


def median_ms(samples):
    """Median of ``samples`` (seconds), in milliseconds."""
    return statistics.median(samples) * 1000.0


def timed(func, runs):
    """Median time of ``runs`` calls of ``func``, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return median_ms(samples)


def vacuum_analyze(dbname, tables):
    """VACUUM ANALYZE ``tables``, as after any bulk load (and as autovacuum would soon do on a
    live database): rows just inserted still lack their hint bits and visibility map, so
    whoever reads them first pays for writing those back, and index-only scans read the
    table anyway. Without it the measures would be taken on a state no production database is
    in. VACUUM cannot run in a
    transaction: an autocommit connection of its own does it."""
    # Odoo (and its psycopg2) is importable only once open_registry() has put its path on
    # sys.path.
    import psycopg2

    from odoo.sql_db import connection_info_for

    _name, info = connection_info_for(dbname)
    connection = psycopg2.connect(**info)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
    finally:
        connection.close()
