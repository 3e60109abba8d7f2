"""Fault soak: push jobs while the sandbox misbehaves, run the cron until nothing is pending, then
count in QuickBooks what was duplicated or lost.

    python3 bench/soak.py [--jobs 1500] [--seeds 1 2 3] [--time-scale 20]

For each seed, a fresh sandbox (Intuit's limits on) and ``--jobs`` jobs, one in four sharing its
customer with the job before, pushed by a cron that takes 100 jobs a batch. Faults, drawn per
Accounting API request from the seed: 429 ThrottleExceeded 8%, 500 SystemFault 5%, 503 gateway
page 5%, slow answers 4% (1.5 real seconds, past the client's 1 s timeout: the client gives up and
sends again while the first attempt still writes), connections dropped after the write was applied
8%. After the first batch the access token expires; after the second the sandbox's clock jumps 25
hours, so the next refresh rotates the refresh token (the old value dies) and the host must keep
what the client hands back, as Odoo does. The client retries twice (not four times) so that some
jobs are left for the next run. Each cron run builds its client from the host's saved tokens, as
Odoo's cron does.

Prints per seed: jobs pushed, duplicates in QuickBooks by name and by ParentRef, jobs lost (not
synced, or not in QuickBooks under their customer), retries, cron runs, wall time.
"""

import argparse
import time
from collections import Counter

from common import Host, Sandbox, client, make_jobs, temporary_dir

from qbo_sandbox import REALM_BLUE_RIDGE

FAULTS = (("429", 0.08), ("500", 0.05), ("503", 0.05), ("slow", 0.04), ("drop_after_write", 0.08))
MAX_RUNS = 20
CRON_BATCH = 100


def soak_jobs(count, prefix):
    jobs = make_jobs(count, prefix)
    for i in range(1, count, 4):
        jobs[i]["customer"] = jobs[i - 1]["customer"]
    return jobs


def audit(sandbox, host, prefix):
    """Duplicates and lost jobs, read from QuickBooks' own records."""
    rows = sandbox.customers(REALM_BLUE_RIDGE)
    names = Counter(row["DisplayName"].casefold() for row in rows)
    by_name = sum(count - 1 for count in names.values() if count > 1)
    jobs = [row for row in rows if row.get("ParentRef")]
    # The host's job number leads a job's name; its customer's reference ends the customer's name.
    per_number = Counter(row["DisplayName"].split(" - ")[0] for row in jobs)
    customers = Counter(
        row["DisplayName"].rsplit(" - ", 1)[-1]
        for row in rows
        if not row.get("ParentRef") and row["DisplayName"].startswith(prefix)
    )
    expected = Counter(job["customer"]["ref"] for job in host.jobs.values())
    under = Counter(row["ParentRef"]["value"] for row in jobs)
    wanted = Counter(saved.get("customer_id") for saved in host.saved.values())
    by_parent = (
        sum(count - 1 for count in per_number.values() if count > 1)
        + sum(count - 1 for count in customers.values() if count > 1)
        + sum(max(0, count - wanted[parent]) for parent, count in under.items())
    )
    by_id = {row["Id"]: row for row in rows}
    lost = 0
    for key, saved in host.saved.items():
        record = by_id.get(saved.get("job_id"))
        if (
            saved["pending"]
            or saved.get("error")
            or record is None
            or (
                record["ParentRef"]["value"] != saved["customer_id"]
                or not record["DisplayName"].startswith(host.jobs[key]["job"]["number"] + " - ")
            )
        ):
            lost += 1
    return {
        "by_name": by_name,
        "by_parent": by_parent,
        "lost": lost,
        "customers": sum(customers.values()),
        "customers_expected": len(expected),
    }


def soak(seed, count, time_scale):
    prefix = "S%d" % seed
    sandbox = Sandbox(time_scale)
    try:
        host = Host(soak_jobs(count, prefix))
        app, tokens = sandbox.connect(REALM_BLUE_RIDGE)
        app.timeout = 1.0
        saved = {"tokens": tokens, "refreshes": 0}

        def keep(new_tokens):
            saved["tokens"] = new_tokens
            saved["refreshes"] += 1

        for number, (kind, rate) in enumerate(FAULTS):
            sandbox.control.inject_fault(
                kind, rate=rate, seed=seed * 100 + number, seconds=1.5 if kind == "slow" else None
            )

        def mid_run(batches_done):
            # An access token expires, then a day passes and the refresh token rotates.
            if (runs, batches_done) == (0, 1):
                sandbox.control.inject_fault("expire_access_token", times=1)
            elif (runs, batches_done) == (0, 2):
                sandbox.control.advance_clock(25 * 3600)

        limiter_dir = temporary_dir()
        start = time.monotonic()
        runs = retries = 0
        while host.pending() and runs < MAX_RUNS:
            qbo = client(app, REALM_BLUE_RIDGE, saved["tokens"], time_scale, limiter_dir, on_tokens=keep)
            qbo.max_retries = 2
            host.run_cron(qbo, CRON_BATCH, mid_run)
            runs += 1
            retries += qbo.retries
        seconds = time.monotonic() - start
        sandbox.control.clear_faults()
        # The refresh token the host kept must still work.
        refreshed = app.refresh(saved["tokens"].refresh_token) is not None
        counters = sandbox.control.counters()
        outcome = audit(sandbox, host, prefix)
    finally:
        sandbox.stop()
    synced = sum(1 for state in host.saved.values() if not state["pending"] and not state.get("error"))
    return dict(
        outcome,
        seed=seed,
        jobs=count,
        synced=synced,
        runs=runs,
        retries=retries,
        seconds=seconds,
        injected=counters["injected"],
        replays=counters["replays"],
        refreshes=saved["refreshes"],
        refresh_token_kept=refreshed,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--time-scale", type=float, default=20.0, help="sandbox seconds per real second")
    args = parser.parse_args()
    print(
        "%5s %6s %7s %9s %10s %5s %8s %5s %9s %8s %8s %7s %6s"
        % (
            "seed",
            "jobs",
            "synced",
            "dup name",
            "dup parent",
            "lost",
            "retries",
            "runs",
            "injected",
            "replays",
            "refresh",
            "token",
            "wall s",
        )
    )
    for seed in args.seeds:
        r = soak(seed, args.jobs, args.time_scale)
        print(
            "%5d %6d %7d %9d %10d %5d %8d %5d %9d %8d %8d %7s %6.1f"
            % (
                r["seed"],
                r["jobs"],
                r["synced"],
                r["by_name"],
                r["by_parent"],
                r["lost"],
                r["retries"],
                r["runs"],
                r["injected"],
                r["replays"],
                r["refreshes"],
                "kept" if r["refresh_token_kept"] else "LOST",
                r["seconds"],
            )
        )
        if r["customers"] != r["customers_expected"]:
            print(
                "      customers in QuickBooks: %d, expected %d" % (r["customers"], r["customers_expected"])
            )


if __name__ == "__main__":
    main()
