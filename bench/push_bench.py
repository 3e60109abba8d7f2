"""Bulk push against the naive strategy, at Intuit's rate limits, in the local sandbox.

    python3 bench/push_bench.py [--jobs 1000] [--reuse 100] [--naive-jobs 120] [--time-scale 4]

Pushes ``--jobs`` new jobs, each with a new customer, plus ``--reuse`` jobs of customers that
already exist in QuickBooks (two jobs each), to a company of a sandbox with Intuit's limits on and
150 ms per request (see ``common`` for the time scale):

- naive: what the common connectors do, one request at a time: look the customer up, create it,
  look the job up, create it. It is latency-bound (4 x 150 ms a job, under the 500 requests a
  minute), so its cost per job does not depend on the job count: it runs on a sample of
  ``--naive-jobs`` jobs with the same mix and its totals are that sample's times the job count;
- ours: :func:`push_jobs` as the host's cron calls it, in batches of ``JOBS_PER_PUSH`` jobs, on a
  second company of the same sandbox.

Then it pushes every job again with nothing changed (no write may happen), and again after editing
one job in ten. The bound it prints is :func:`common.rate_limit_bound` of the operations ours sent.
Nothing here is a test: it prints figures and exits.
"""

import argparse
import time

from common import (
    BATCH_SIZE,
    QBO_LATENCY,
    Host,
    Sandbox,
    client,
    make_jobs,
    rate_limit_bound,
    temporary_dir,
)

from chronicle_qbo_addon.services.mapping import customer_payload, job_payload, payload_hash
from chronicle_qbo_addon.services.reads import name_query
from qbo_sandbox import REALM_BLUE_RIDGE, REALM_SUMMIT


def naive_push(qbo, job):
    """One job the way the common connectors push it: two look-ups, two creates, one at a time."""
    customer = customer_payload(job["customer"])
    rows = qbo.query(name_query("Customer", customer["DisplayName"]))
    parent = rows[0] if rows else qbo.create("Customer", customer)
    payload = job_payload(job["job"], parent["Id"], job["customer"])
    if not qbo.query(name_query("Customer", payload["DisplayName"])):
        qbo.create("Customer", payload)


def existing_customers(sandbox, realm_id, count, prefix):
    """Customers QuickBooks already has before the run (made with the throttles off, not counted)."""
    customers = [job["customer"] for job in make_jobs(count, prefix)]
    app, tokens = sandbox.connect(realm_id)
    sandbox.control.set_limits(enabled=False)
    setup = client(app, realm_id, tokens, sandbox.time_scale)
    setup.batch(
        [
            {"entity": "Customer", "operation": "create", "payload": customer_payload(customer)}
            for customer in customers
        ]
    )
    sandbox.control.set_limits(enabled=True)
    return customers


def workload(sandbox, realm_id, jobs, reuse, prefix):
    customers = existing_customers(sandbox, realm_id, max(1, reuse // 2), prefix + "X")
    return make_jobs(jobs, prefix) + make_jobs(reuse, prefix + "R", first=jobs, customers=customers)


def measure_ours(sandbox, host, app, tokens):
    """One run of the host's cron from an idle company (sandbox and client-side windows empty)."""
    sandbox.idle()
    sandbox.control.reset_counters()
    qbo = client(app, REALM_BLUE_RIDGE, tokens, sandbox.time_scale, temporary_dir())
    start = time.monotonic()
    jobs = host.run_cron(qbo)
    seconds = time.monotonic() - start
    counters = sandbox.control.counters()
    return {
        "jobs": jobs,
        "seconds": seconds,
        "qbo_minutes": seconds * sandbox.time_scale / 60,
        "requests": counters["by_realm"].get(REALM_BLUE_RIDGE, {}).get("requests", 0),
        "writes": counters["writes"],
        "rejected": counters["rejected"],
        "operations": qbo.operations,
        "batches": counters["requests"].get("POST batch", 0),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000, help="new jobs, each with a new customer")
    parser.add_argument("--reuse", type=int, default=100, help="jobs of customers QuickBooks already has")
    parser.add_argument("--naive-jobs", type=int, default=120, help="jobs of the naive strategy's sample")
    parser.add_argument("--time-scale", type=float, default=4.0, help="sandbox seconds per real second")
    args = parser.parse_args()
    total = args.jobs + args.reuse
    sandbox = Sandbox(args.time_scale)
    try:
        # Naive, on its own company: a sample with the same share of existing customers.
        share = args.reuse / total
        naive_jobs = workload(
            sandbox, REALM_SUMMIT, round(args.naive_jobs * (1 - share)), round(args.naive_jobs * share), "N"
        )
        app, tokens = sandbox.connect(REALM_SUMMIT)
        qbo = client(app, REALM_SUMMIT, tokens, args.time_scale)
        sandbox.control.reset_counters()
        start = time.monotonic()
        for job in naive_jobs:
            naive_push(qbo, job)
        naive_seconds = time.monotonic() - start
        naive_requests = sandbox.requests(REALM_SUMMIT)
        naive = {
            "per_job": naive_requests / len(naive_jobs),
            "qbo_minutes": naive_seconds * args.time_scale / 60 * total / len(naive_jobs),
            "seconds": naive_seconds * total / len(naive_jobs),
        }

        jobs = workload(sandbox, REALM_BLUE_RIDGE, args.jobs, args.reuse, "B")
        start = time.perf_counter()
        for job in jobs:
            customer = customer_payload(job["customer"])
            payload_hash({"Customer": customer, "Job": job_payload(job["job"], "1", job["customer"])})
        mapping_us = (time.perf_counter() - start) / len(jobs) * 1e6
        host = Host(jobs)
        app, tokens = sandbox.connect(REALM_BLUE_RIDGE)
        ours = measure_ours(sandbox, host, app, tokens)
        unsynced = len(host.pending()) + sum(1 for saved in host.saved.values() if saved.get("error"))

        host.mark_pending(list(host.jobs))
        rerun = measure_ours(sandbox, host, app, tokens)
        edited = list(host.jobs)[::10]
        for key in edited:
            host.jobs[key]["job"] = dict(host.jobs[key]["job"], name="Water loss, kitchen, hall and bath")
        host.mark_pending(edited)
        edit = measure_ours(sandbox, host, app, tokens)
    finally:
        sandbox.stop()

    bound, per_window = rate_limit_bound(ours["operations"], rounds=3)
    ours_per_job = ours["requests"] / total
    print(
        "Bulk push benchmark: %d new jobs with new customers + %d jobs of %d existing customers, "
        "%d ms a request, time scale %g"
        % (args.jobs, args.reuse, max(1, args.reuse // 2), 1000 * QBO_LATENCY, args.time_scale)
    )
    print("%-38s %16s %16s" % ("", "naive", "ours"))
    print("%-38s %16.3f %16.3f" % ("API requests per job", naive["per_job"], ours_per_job))
    print(
        "%-38s %16.1f %16.1f"
        % (
            "wall time, s (naive: sample x %d/%d)" % (total, len(naive_jobs)),
            naive["seconds"],
            ours["seconds"],
        )
    )
    print("%-38s %16.2f %16.2f" % ("QuickBooks minutes", naive["qbo_minutes"], ours["qbo_minutes"]))
    print(
        "%-38s %16.0f %16.0f"
        % ("jobs per QuickBooks minute", total / naive["qbo_minutes"], total / ours["qbo_minutes"])
    )
    print(
        "ratio naive/ours: %.1fx the requests, %.1fx the time"
        % (naive["per_job"] / ours_per_job, naive["qbo_minutes"] / ours["qbo_minutes"])
    )
    print(
        "ours: %d requests (%d batch requests), %d operations, %d writes, %d refused by the throttles, "
        "%d jobs not synced"
        % (ours["requests"], ours["batches"], ours["operations"], ours["writes"], ours["rejected"], unsynced)
    )
    print(
        "rate-limit bound: %.2f QuickBooks minutes for these %d operations from an idle company; "
        "ours = %.2fx the bound" % (bound / 60, ours["operations"], ours["qbo_minutes"] * 60 / bound)
    )
    print(
        "steady state (pushes of many minutes): the limits carry %d operations a minute; ours puts its "
        "work in batch requests, %d operations a minute (%.2fx), and leaves the other %d requests a "
        "minute to people and other apps"
        % (per_window, BATCH_SIZE * 40, BATCH_SIZE * 40 / per_window, 500 - 40)
    )
    print(
        "re-run, nothing changed: %d writes, %d requests (%.2f per 100 jobs), %.1f s"
        % (rerun["writes"], rerun["requests"], 100 * rerun["requests"] / total, rerun["seconds"])
    )
    print(
        "re-run, %d jobs edited (10%%): %d writes, %d requests (%.3f per edited job), %.2f QuickBooks "
        "minutes"
        % (len(edited), edit["writes"], edit["requests"], edit["requests"] / len(edited), edit["qbo_minutes"])
    )
    print("mapping (payloads and fingerprint, no I/O): %.0f us per job" % mapping_us)


if __name__ == "__main__":
    main()
