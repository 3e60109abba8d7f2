"""What ``odoo_bench.py`` runs inside Odoo, one process per step: ``setup`` creates the company and
the jobs, ``push`` and ``soak`` measure the cron's method. Each prints one JSON line of figures.

    python3 bench/odoo_child.py setup|push|soak --db DB --addons-path PATH --url SANDBOX_URL \
        --workload push|memory|soak --time-scale S --jobs N [--reuse N] [--seed N]
"""

import argparse
import gc
import json
import logging
import os
import sys
import threading
import time
from collections import Counter

from common import Sandbox, make_jobs, temporary_dir
from soak import CRON_BATCH, FAULTS, MAX_RUNS, soak_jobs

from qbo_sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, REALM_BLUE_RIDGE

PAGE = os.sysconf("SC_PAGE_SIZE")
# A directory of the run's own, whose name tells its request budget apart from the others' (a new
# one starts a run with empty windows), and the retries the clients made.
_LIMITS = {"directory": None, "retries": 0}


def odoo_env(options, context):
    import odoo  # pylint: disable=import-outside-toplevel
    from odoo.modules.registry import Registry  # pylint: disable=import-outside-toplevel
    from odoo.tools import config  # pylint: disable=import-outside-toplevel

    config.parse_config(
        [
            "-d",
            options.db,
            "--addons-path",
            options.addons_path,
            "--log-level",
            "warn",
            "--http-interface",
            "127.0.0.1",
        ]
    )
    cr = Registry(options.db).cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, context)


def connect_company(env, url, sandbox):
    """The bridge turned on with the sandbox's app, and a company connected to its Blue Ridge."""
    from odoo.addons.chronicle_qbo_addon import const  # pylint: disable=import-outside-toplevel

    params = env["ir.config_parameter"]
    for key, value in (
        (const.PARAM_ENABLED, "True"),
        (const.PARAM_CLIENT_ID, DEFAULT_CLIENT_ID),
        (const.PARAM_CLIENT_SECRET, DEFAULT_CLIENT_SECRET),
    ):
        params.set_param(key, value)
    redirect = env["qbo.company"]._qbo_redirect_uri()
    sandbox.control.add_app(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, [redirect])
    company = env["qbo.company"].create(
        {"name": "Bench", "qb_version": "plus", "environment": "local", "local_base_url": url}
    )
    code = sandbox.control.authorize(REALM_BLUE_RIDGE, redirect_uri=redirect)["code"]
    company._qbo_mark_connected(
        *env["qbo.company"]._qbo_authorize(company._qbo_app(), code, REALM_BLUE_RIDGE), REALM_BLUE_RIDGE
    )
    return company


def setup(env, options, sandbox):
    """A company connected to the sandbox, a production department, and the jobs, committed."""
    from odoo.addons.chronicle_qbo_addon.services.mapping import (  # pylint: disable=import-outside-toplevel
        customer_payload,
    )

    company = connect_company(env, options.url, sandbox)
    department = env["hr.department"].create({"name": "Water Damage", "is_production": True})
    env["qbo.department.mapping"].create({"qbo_company_id": company.id, "department_id": department.id})
    if options.workload == "soak":
        jobs = soak_jobs(options.jobs, "O%d" % options.seed)
    else:
        jobs = make_jobs(options.jobs, "O")
    if options.reuse:
        existing = [job["customer"] for job in make_jobs(max(1, options.reuse // 2), "OX")]
        sandbox.control.set_limits(enabled=False)
        company._qbo_client().batch(
            [
                {"entity": "Customer", "operation": "create", "payload": customer_payload(customer)}
                for customer in existing
            ]
        )
        sandbox.control.set_limits(enabled=True)
        jobs += make_jobs(options.reuse, "OR", first=options.jobs, customers=existing)
    # Jobs are created 500 at a time: each create marks its jobs pending in one go.
    partners = {}
    for start in range(0, len(jobs), 500):
        chunk = jobs[start : start + 500]
        customers = {
            job["customer"]["ref"]: job["customer"] for job in chunk if job["customer"]["ref"] not in partners
        }
        created = env["res.partner"].create(
            [
                {
                    "name": customer["name"],
                    "ref": ref,
                    "email": customer.get("email"),
                    "phone": customer.get("phone"),
                    "street": customer.get("street"),
                    "city": customer.get("city"),
                    "zip": customer.get("zip"),
                }
                for ref, customer in customers.items()
            ]
        )
        partners.update(zip(customers, created.ids))
        env["project.project"].create(
            [
                {
                    "name": job["job"]["name"],
                    "job_number": job["job"]["number"],
                    "description": job["job"]["description"],
                    "partner_id": partners[job["customer"]["ref"]],
                    "department_ids": [(6, 0, department.ids)],
                }
                for job in chunk
            ]
        )
        env.cr.commit()
    return {"company": company.id}


class Meter:
    """Wall time, time inside the service layer, and peak resident memory over a baseline."""

    def __init__(self, module):
        self.module, self.inside, self.peak = module, 0.0, 0
        real = module.push_jobs

        def timed(*args, **kwargs):
            start = time.monotonic()
            try:
                return real(*args, **kwargs)
            finally:
                self.inside += time.monotonic() - start

        module.push_jobs = timed

    def run(self, function):
        gc.collect()
        self.inside, baseline = 0.0, _rss()
        self.peak, done = baseline, threading.Event()

        def sample():
            while not done.wait(0.02):
                self.peak = max(self.peak, _rss())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.monotonic()
        function()
        seconds = time.monotonic() - start
        done.set()
        sampler.join()
        return {
            "seconds": seconds,
            "inside": self.inside,
            "rss_mb": (max(self.peak, _rss()) - baseline) / 2**20,
        }


def _rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def push_phase(env, options, sandbox):
    from odoo.addons.chronicle_qbo_addon.models import qbo_job_sync  # pylint: disable=import-outside-toplevel

    meter = Meter(qbo_job_sync)
    syncs, companies = env["qbo.job.sync"], env["qbo.company"].search([])
    figures = {"new": options.jobs}

    def run(name, jobs):
        sandbox.idle()
        _LIMITS["directory"] = temporary_dir()
        sandbox.control.reset_counters()
        measured = meter.run(lambda: syncs._qbo_run("cron_push", companies))
        counters = sandbox.control.counters()
        measured.update(
            jobs=jobs,
            requests=sum(counters["requests"].values()),
            writes=counters["writes"],
            qbo_minutes=measured["seconds"] * options.time_scale / 60,
            orm_ms=1000 * (measured["seconds"] - measured["inside"]) / jobs,
        )
        figures[name] = measured

    total = options.jobs + options.reuse
    run("initial", total)
    if options.workload == "push":
        syncs.search([]).write({"state": "pending"})
        env.cr.commit()
        run("rerun", total)
        edited = env["project.project"].search([("job_number", "!=", False)], order="id")[::10]
        for job in edited:
            job.name = job.name + " and bath"
        env.cr.commit()
        run("edit", len(edited))
    return figures


def soak_phase(env, options, sandbox):
    from odoo.addons.chronicle_qbo_addon.models import qbo_job_sync  # pylint: disable=import-outside-toplevel

    company_class = type(env["qbo.company"])
    real_client, real_push = company_class._qbo_client, qbo_job_sync.push_jobs
    calls = []

    def client(company):
        # As soak.py: two retries, a 1 s timeout that the slow answers overrun.
        qbo = real_client(company)
        qbo.max_retries, qbo.timeout = 2, 1.0
        return qbo

    def push_jobs(qbo, requests, **options):
        results = real_push(qbo, requests, **options)
        calls.append(len(requests))
        if len(calls) == 1:
            sandbox.control.inject_fault("expire_access_token", times=1)
        elif len(calls) == 2:
            sandbox.control.advance_clock(25 * 3600)
        return results

    company_class._qbo_client, qbo_job_sync.push_jobs = client, push_jobs
    for number, (kind, rate) in enumerate(FAULTS):
        sandbox.control.inject_fault(
            kind, rate=rate, seed=options.seed * 100 + number, seconds=1.5 if kind == "slow" else None
        )
    syncs, companies = env["qbo.job.sync"], env["qbo.company"].search([])
    start, runs = time.monotonic(), 0
    while syncs.search_count([("state", "=", "pending")]) and runs < MAX_RUNS:
        # Each loop is a later cron run, past the back-off delay of the jobs that failed.
        syncs.search([("next_retry_at", "!=", False)]).write({"next_retry_at": False})
        syncs._qbo_push_pending(companies, batch_size=CRON_BATCH)
        runs += 1
    seconds = time.monotonic() - start
    sandbox.control.clear_faults()
    company_class._qbo_client = real_client
    kept = companies._qbo_refresh()
    return dict(
        audit_syncs(env, sandbox),
        runs=runs,
        seconds=seconds,
        refresh_token_kept=kept,
        retries=_LIMITS["retries"],
        injected=sandbox.control.counters()["injected"],
    )


def audit_syncs(env, sandbox):
    """Duplicates and lost jobs, from QuickBooks' records and the jobs' sync states."""
    rows = sandbox.customers(REALM_BLUE_RIDGE)
    by_name = sum(count - 1 for count in Counter(row["DisplayName"].casefold() for row in rows).values())
    per_number = Counter(row["DisplayName"].split(" - ")[0] for row in rows if row.get("ParentRef"))
    per_ref = Counter(row["DisplayName"].rsplit(" - ", 1)[-1] for row in rows if not row.get("ParentRef"))
    by_parent = sum(count - 1 for count in list(per_number.values()) + list(per_ref.values()))
    by_id = {row["Id"]: row for row in rows}
    syncs = env["qbo.job.sync"].search([])
    lost = 0
    for sync in syncs:
        record = by_id.get(sync.qbo_job_id)
        if (
            sync.state != "synced"
            or record is None
            or record["ParentRef"]["value"] != sync.qbo_customer_id
            or (not record["DisplayName"].startswith(sync.project_id.job_number + " - "))
        ):
            lost += 1
    return {
        "jobs": len(syncs),
        "synced": len(syncs.filtered(lambda s: s.state == "synced")),
        "by_name": by_name,
        "by_parent": by_parent,
        "lost": lost,
    }


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=("setup", "push", "soak"))
    for name in ("--db", "--addons-path", "--url"):
        parser.add_argument(name, required=True)
    parser.add_argument("--time-scale", type=float, required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--workload", choices=("push", "memory", "soak"), required=True)
    parser.add_argument("--reuse", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    sandbox = Sandbox(options.time_scale, url=options.url)
    # Creating the jobs may skip the chatter's bookkeeping; the push runs as the cron does.
    quiet = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    env = odoo_env(options, quiet if options.phase == "setup" else {})
    logging.getLogger("odoo.addons.chronicle_qbo_addon.services.client").setLevel(logging.ERROR)
    scale_the_clients(env, options.time_scale)
    try:
        phase = {"setup": setup, "push": push_phase, "soak": soak_phase}[options.phase]
        result = phase(env, options, sandbox)
        env.cr.commit()
    finally:
        env.cr.close()
    print(json.dumps(result))


def scale_the_clients(env, time_scale):
    """The limiter's window and the back-off follow the sandbox's faster minute. The budget is the
    addon's own, a row of ``qbo.rate.limit`` with the database's clock; its scope adds the run's
    directory to the addon's, so that each run starts from a budget of its own."""
    from odoo.addons.chronicle_qbo_addon.services.client import QboClient  # pylint: disable=import-outside-toplevel
    from odoo.addons.chronicle_qbo_addon.services.ratelimit import (  # pylint: disable=import-outside-toplevel
        RateLimiter,
    )

    _LIMITS["directory"] = temporary_dir()
    real_backoff = QboClient._backoff
    type(env["qbo.company"])._qbo_rate_limiter = lambda company, app: RateLimiter.for_realm(
        company.realm_id,
        scope="%s %s %s" % (company.env.cr.dbname, app.api_url_v3, _LIMITS["directory"]),
        shared=company.env["qbo.rate.limit"]._qbo_budget,
        window_seconds=60.0 / time_scale,
    )

    def backoff(client, attempt, error):
        _LIMITS["retries"] += 1  # the client asks for a delay once per retry
        return real_backoff(client, attempt, error) / time_scale

    QboClient._backoff = backoff


if __name__ == "__main__":
    main(sys.argv[1:])
