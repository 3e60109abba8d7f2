"""Odoo's own server, as ``python -m odoo``, with the bridge's client on the sandbox's faster clock.

    python bench/odoo_scaled.py TIME_SCALE [odoo server options...]
    python bench/odoo_scaled.py 4 -d DB --http-port=8070 --max-cron-threads=1 --data-dir=DIR

The sandbox counts Intuit's minute in 60 / TIME_SCALE real seconds (``common.py``); the bridge's
request budget (the database row of ``qbo.rate.limit``, shared by every server) must count the
same minute, and its back-off sleeps likewise, as ``odoo_child.py`` arranges inside a bench
process. Nothing else changes: the server, its HTTP workers, its cron threads, the budget in the
database and its clock are Odoo's and the addon's own. The change is made as the addon is loaded,
in the process's copy of the service layer: the window every ``RateLimiter.for_realm`` gets unless
told otherwise, and ``QboClient._backoff`` divided by TIME_SCALE.
"""

import sys


def scale_the_client(time_scale):
    # pylint: disable=import-outside-toplevel
    from odoo.addons.chronicle_qbo_addon.services.client import QboClient
    from odoo.addons.chronicle_qbo_addon.services.ratelimit import WINDOW_SECONDS, RateLimiter

    for_realm = RateLimiter.for_realm.__func__

    def scaled_for_realm(cls, realm_id, scope="", shared=None, **options):
        options.setdefault("window_seconds", WINDOW_SECONDS / time_scale)
        return for_realm(cls, realm_id, scope=scope, shared=shared, **options)

    backoff = QboClient._backoff

    def scaled_backoff(client, attempt, error):
        return backoff(client, attempt, error) / time_scale

    RateLimiter.for_realm = classmethod(scaled_for_realm)
    QboClient._backoff = scaled_backoff


def main():
    time_scale = float(sys.argv[1])
    del sys.path[0]  # this script's folder: the benchmarks' modules are no concern of the server
    from odoo.modules import loading  # pylint: disable=import-outside-toplevel

    load = loading.load_openerp_module

    def load_and_scale(module_name):
        fresh = "odoo.addons.%s" % module_name not in sys.modules
        load(module_name)
        if fresh and module_name == "chronicle_qbo_addon":
            scale_the_client(time_scale)

    loading.load_openerp_module = load_and_scale
    sys.argv = [sys.argv[0]] + sys.argv[2:]
    from odoo.cli.command import main as odoo_main  # pylint: disable=import-outside-toplevel

    odoo_main()


if __name__ == "__main__":
    main()
