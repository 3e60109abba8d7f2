"""Several Odoo servers on one database, against one sandbox with Intuit's limits on.

Once, a database with the addon and no demo data (the template every measurement copies):

    createdb qbo_servers
    .venv/bin/python -m odoo -d qbo_servers --addons-path=.odoo/src/addons,$PWD -i chronicle_qbo_addon \\
        --stop-after-init --http-interface=127.0.0.1

Then (about eight minutes; ``--jobs 200 --companies 2 --burst 20`` for a quick run; ``--only
two-servers|four-companies|webhook`` for some; ``--logs DIR`` keeps the servers' logs):

    .venv/bin/python bench/servers_bench.py -d qbo_servers --addons-path=.odoo/src/addons,$PWD

Every measurement copies the template (dropped after), adds fresh companies to the one sandbox
(``POST /_sandbox/companies``: each starts empty, with Intuit's throttles of its own), creates the
jobs in a process of its own (``servers_child.py setup``), then starts real Odoo servers
(``odoo_scaled.py``: Odoo's server as ``python -m odoo``, with ``-d``, ``--http-port``,
``--max-cron-threads`` and ``--data-dir`` of its own, its QuickBooks client on the sandbox's
faster minute) and wakes the scheduled actions it measures (``servers_child.py wake``: their
triggers committed, the NOTIFY the cron threads listen to). Nothing else is due on the copy:
the triggers the job creation left are removed and the other scheduled actions put off a day.
Times run from that commit. Sandbox: time scale 4, 150 ms a request in QuickBooks time (37.5 ms
real), 500 requests and 40 batch requests a minute, 10 in flight, per company.

1. Two servers, one company file. The company's lane is one scheduled action, which Odoo runs in
   one cron worker at a time, whichever server's: two servers can never push one company through
   it at once. What can is another entry point of the push on another server (Export job in a web
   worker, or any second scheduled action). So: company 1 with N pending jobs; a second scheduled
   action making the very call of the lane (``qbo.job.sync._qbo_run('cron_push', company)``);
   two servers, one cron worker each, both actions woken by one commit. Each server's cron worker
   takes one (``FOR NO KEY UPDATE SKIP LOCKED`` on ``ir_cron``; the logs show which), and the two
   pushes split the jobs by locking their rows (``SKIP LOCKED`` on ``qbo_job_sync``) and take their
   requests from the one budget in the database. Against the lane alone on one server with the
   same jobs (a fresh copy and a fresh company file). Targets: 0 requests refused by the sandbox's
   throttles (its ``rejected`` counter), its peak rate within Intuit's limits (the sandbox's
   ``peak_requests_per_minute`` / ``peak_batches_per_minute``: the most its sliding minute held),
   wall time at most 1.1 x the single server's; every job synced and each customer and job created
   once in QuickBooks.
2. Four companies of N jobs each, pushed by their lanes: one server with one cron worker (one after
   the other), then two cron workers (``--parallel servers``: two servers with one each, the
   default; ``threads``: one server with ``--max-cron-threads=2``). Target: at most 0.6 x the
   one-after-the-other wall time.
3. Webhooks. One server with HTTP; the sandbox's webhook for the app points at
   ``http://127.0.0.1:<port>/qbo/webhook`` with a verifier, the same in Settings
   (``chronicle_qbo.webhook_verifier``); ``web.base.url`` and the local sandbox URL as
   ``bin/demo_setup.py`` sets them. A job is pushed and pulled once (its lane, woken for the whole
   bridge); then a bill on it is entered through the API: the time until its line is in
   ``qbo_job_cost_line`` (sandbox and wall seconds) and the read requests the sandbox metered
   meanwhile (target: within 60 s of sandbox time, 1 read, a change-data one); then a burst of B
   bills entered at once (10 in flight): at most 2 reads. The timeline comes from the sandbox's
   delivery log and the server's log: the webhook's arrival, then the lane's start (how fast the
   cron threads react to the trigger's NOTIFY), then the line.

Beside the times, each push shows the processor time the Odoo servers, the sandbox and the
database's backends used, and how busy the machine's processors were (every process's, from
``/proc/stat``): on a machine shared with other work, two cron workers gain only what the
processors leave them. A push of N new jobs is bound by Intuit's 40 batch requests a minute
(about 36 batch requests per 500 jobs): most of a 1,000-job push waits for the second minute.

Prints a table, PASS/FAIL per target, exits 1 on a FAIL, and ends with one ``SUMMARY`` line.
Measurement 3 is in ``servers_webhook.py``; servers, logs and the database watched from outside in
``servers_run.py``.
"""

import argparse
import math
import os
import sys
import time

from common import (BATCHES_PER_MINUTE, MAX_CONCURRENT, QBO_LATENCY, REQUESTS_PER_MINUTE, Sandbox,
                    temporary_dir)
from servers_run import DatabaseCopy, Servers, Watch, child, cpu_seconds, fmt, machine_busy
from servers_webhook import print_webhook, webhook_checks, webhook_run

TWO_SERVERS_FACTOR, FOUR_COMPANIES_FACTOR = 1.1, 0.6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True,
                        help="template: a database with the addon, no demo data")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--jobs", type=int, default=1000, help="pending jobs per company (1 and 2)")
    parser.add_argument("--companies", type=int, default=4, help="companies of measurement 2")
    parser.add_argument("--burst", type=int, default=100, help="bills entered at once (3)")
    parser.add_argument("--time-scale", type=float, default=4.0)
    parser.add_argument("--parallel", choices=("servers", "threads"), default="servers",
                        help="two cron workers of measurement 2: two servers, or one with two threads")
    parser.add_argument("--only", nargs="+", choices=("two-servers", "four-companies", "webhook"))
    parser.add_argument("--logs", metavar="DIR", help="keep the servers' logs and data directories there")
    options = parser.parse_args()
    options.copy = "%s_servers_run" % options.database
    options.work_dir = options.logs or temporary_dir()
    os.makedirs(options.work_dir, exist_ok=True)
    wanted = set(options.only or ("two-servers", "four-companies", "webhook"))
    options.load = [os.getloadavg()[0]]
    sandbox = Sandbox(options.time_scale)
    results = {}
    try:
        if "two-servers" in wanted:
            results["single"] = push_run(options, sandbox, "one-server", 1, [1])
            results["two"] = push_run(options, sandbox, "two-servers", 1, [1, 1], second=True)
        if "four-companies" in wanted:
            results["sequential"] = push_run(options, sandbox, "four-one-worker", options.companies, [1])
            parallel = [1, 1] if options.parallel == "servers" else [2]
            results["parallel"] = push_run(options, sandbox, "four-two-workers", options.companies, parallel)
        if "webhook" in wanted:
            results["webhook"] = webhook_run(options, sandbox)
    finally:
        sandbox.stop()
    options.load.append(os.getloadavg()[0])
    sys.exit(report(options, results))


# === PUSHES === #

def push_run(options, sandbox, label, companies, cron_threads, second=False):
    """Fresh companies of N pending jobs each; servers with these cron threads; the lanes (and the
    second push) woken; until no job is pending."""
    options.run_name = label
    realms = [sandbox.control.add_company("%s %d" % (label, n + 1))["realm_id"] for n in range(companies)]
    with DatabaseCopy(options.database, options.copy):
        setup = child(options, "setup", "--url", sandbox.url, "--realms", *realms,
                      "--jobs", str(options.jobs), *(["--second-push"] if second else []))
        ids = [company["id"] for company in setup["companies"]]
        crons = [company["lane"] for company in setup["companies"]]
        crons += [setup["second_push"]] if second else []
        with Servers(options, cron_threads) as servers:
            watch = Watch(options.copy)
            sandbox.control.reset_counters()
            cpu = (servers.cpu_seconds(), cpu_seconds(sandbox.process.pid), watch.backends_cpu(),
                   machine_busy())
            woken = child(options, "wake", "--crons", *map(str, crons))["at"]
            timeout = 120 + 0.1 * companies * options.jobs * 4 / options.time_scale
            done = watch.wait_pushed(ids, woken, timeout)
            runs = settled(servers, woken)
            busy, backends = machine_busy(), watch.backends_cpu()
            cpu = (servers.cpu_seconds() - cpu[0], cpu_seconds(sandbox.process.pid) - cpu[1],
                   sum(used - cpu[2].get(pid, 0.0) for pid, used in backends.items()),
                   (busy[0] - cpu[3][0]) / max(1, busy[1] - cpu[3][1]))
            states = watch.syncs(ids)
            watch.close()
            counters = sandbox.control.counters()
        problems = servers.problems()
    by_realm = [counters["by_realm"].get(realm, {}) for realm in realms]
    created = [sandbox.control.state(realm)["realms"][realm]["counts"]["Customer"] for realm in realms]
    return {
        "label": label, "servers": len(cron_threads), "threads": cron_threads, "companies": companies,
        "seconds": max(done.values()) if len(done) == len(ids) else None, "per_company": done,
        "setup_seconds": setup["seconds"], "runs": [run for run in runs if run["cron"] in crons],
        "others": [run for run in runs if run["cron"] not in crons], "crons": crons,
        "synced": sum(states[c].get("synced", 0) for c in ids),
        "errors": sum(states[c].get("error", 0) for c in ids),
        "pending": sum(states[c].get("pending", 0) for c in ids), "created": sum(created),
        "requests": sum(r.get("requests", 0) for r in by_realm),
        "batches": counters["requests"].get("POST batch", 0), "rejected": counters["rejected"],
        "peak_rpm": max(r.get("peak_requests_per_minute", 0) for r in by_realm),
        "peak_bpm": max(r.get("peak_batches_per_minute", 0) for r in by_realm), "problems": problems,
        "odoo_cpu": cpu[0], "sandbox_cpu": cpu[1], "pg_cpu": cpu[2], "busy": cpu[3],
    }


def settled(servers, since, timeout=15):
    """The servers' cron runs since ``since``, once none of them is still going."""
    end = time.monotonic() + timeout
    while True:
        runs = [run for run in servers.cron_runs() if run["start"] >= since - 1]
        if all(run["end"] for run in runs) or time.monotonic() > end:
            return runs
        time.sleep(0.1)


# === REPORT === #

PUSHES = (("single", "company 1, its lane, one server"), ("two", "company 1, two servers at once"),
          ("sequential", "%d companies, one cron worker"), ("parallel", "%d companies, two cron workers"))


def report(options, results):
    print("Several Odoo servers on one database: %d jobs a company, Intuit's limits on (%d requests and %d "
          "batch requests a minute, %d in flight), %d ms a request, time scale %g" % (
              options.jobs, REQUESTS_PER_MINUTE, BATCHES_PER_MINUTE, MAX_CONCURRENT, QBO_LATENCY * 1000,
              options.time_scale))
    print("%d cores; load average (1 min) %.2f at the start, %.2f at the end" % (
        os.cpu_count(), options.load[0], options.load[-1]))
    figures, checks = {}, []
    if any(key in results for key, _name in PUSHES):
        print_pushes(options, results)
    if "single" in results and "two" in results:
        two_servers_checks(options, results["single"], results["two"], figures, checks)
    if "sequential" in results and "parallel" in results:
        four_companies_checks(options, results["sequential"], results["parallel"], figures, checks)
    if "webhook" in results:
        print_webhook(results["webhook"])
        webhook_checks(results["webhook"], figures, checks)
    problems = sorted({p for run in results.values() for p in run["problems"]})
    if problems:
        print("\nWarnings and errors in the servers' logs (%d distinct):" % len(problems))
        for problem in problems[:20]:
            print("  " + problem[:300])
    print()
    for name, passed in checks:
        print("%s  %s" % ("PASS" if passed else "FAIL", name))
    print("SUMMARY " + " ".join("%s=%s" % item for item in figures.items()))
    return 0 if all(passed for _name, passed in checks) else 1


def print_pushes(options, results):
    print()
    header = ("push", "servers", "cron", "wall s", "QBO min", "synced", "errors", "created", "requests",
              "batches", "peak/min", "batch/min", "rejected", "CPU s: Odoo", "sandbox", "PG", "busy")
    print("%-32s %7s %4s %6s %7s %6s %6s %7s %8s %7s %8s %9s %8s %11s %7s %5s %5s" % header)
    for key, name in PUSHES:
        run = results.get(key)
        if run:
            seconds = run["seconds"]
            print("%-32s %7d %4s %6s %7s %6d %6d %7d %8d %7d %8d %9d %8d %11.1f %7.1f %5.1f %4.0f%%" % (
                name.replace("%d", str(options.companies)), run["servers"],
                "+".join(map(str, run["threads"])),
                fmt(seconds), fmt(seconds and seconds * options.time_scale / 60, 2), run["synced"],
                run["errors"], run["created"], run["requests"], run["batches"], run["peak_rpm"],
                run["peak_bpm"], run["rejected"], run["odoo_cpu"], run["sandbox_cpu"], run["pg_cpu"],
                100 * run["busy"]))
    single = results.get("single") or results.get("sequential")
    windows = math.ceil(single["batches"] / single["companies"] / BATCHES_PER_MINUTE)
    print("\n".join((
        "wall s: from the wake's commit until no job is pending; created: customers and jobs in QuickBooks;",
        "peak/min, batch/min: the most requests and batch requests one sliding minute of the sandbox",
        "held for one company; CPU s: processor time of the Odoo servers, the sandbox and the database's",
        "PostgreSQL backends during the push; busy: the machine's processors busy then, every process's.")))
    print("A company's %d batch requests need %d windows of %d: at least %.1f s (%d QuickBooks s) of waiting "
          "for\nthe batch limit alone." % (
              single["batches"] // single["companies"], windows, BATCHES_PER_MINUTE,
              60 * (windows - 1) / options.time_scale, 60 * (windows - 1)))
    for key, _name in PUSHES:
        if key in results:
            print_runs(results[key])


def two_servers_checks(options, single, two, figures, checks):
    ratio = two["seconds"] / single["seconds"] if two["seconds"] and single["seconds"] else None
    servers, overlap = {run["server"] for run in two["runs"]}, overlapping(two["runs"])
    figures.update(single_seconds=fmt(single["seconds"]), two_servers_seconds=fmt(two["seconds"]),
                   two_servers_ratio=fmt(ratio, 3), two_servers_rejected=two["rejected"],
                   two_servers_peak_per_minute=two["peak_rpm"], two_servers_peak_batches=two["peak_bpm"])
    checks += [
        ("two servers: 0 requests refused by the sandbox's throttles", two["rejected"] == 0),
        ("two servers: peak %d requests / %d batch requests a minute within %d / %d" % (
            two["peak_rpm"], two["peak_bpm"], REQUESTS_PER_MINUTE, BATCHES_PER_MINUTE),
         two["peak_rpm"] <= REQUESTS_PER_MINUTE and two["peak_bpm"] <= BATCHES_PER_MINUTE),
        ("two servers: wall %s s <= %.1f x one server's %s s" % (
            fmt(two["seconds"]), TWO_SERVERS_FACTOR, fmt(single["seconds"])),
         ratio is not None and ratio <= TWO_SERVERS_FACTOR),
        ("two servers: both pushed at once (%d servers ran the 2 actions, together for %s s)" % (
            len(servers), fmt(overlap)), len(servers) == 2 and overlap > 0),
        ("one and two servers: every job synced, each customer and job created once",
         all(r["synced"] == options.jobs and r["created"] == 2 * options.jobs for r in (single, two))),
    ]


def four_companies_checks(options, sequential, parallel, figures, checks):
    ratio = None
    if parallel["seconds"] and sequential["seconds"]:
        ratio = parallel["seconds"] / sequential["seconds"]
    figures.update(four_sequential_seconds=fmt(sequential["seconds"]),
                   four_parallel_seconds=fmt(parallel["seconds"]), four_companies_ratio=fmt(ratio, 3),
                   four_companies_rejected=sequential["rejected"] + parallel["rejected"])
    checks += [
        ("%d companies: two cron workers %s s <= %.1f x one worker's %s s" % (
            options.companies, fmt(parallel["seconds"]), FOUR_COMPANIES_FACTOR, fmt(sequential["seconds"])),
         ratio is not None and ratio <= FOUR_COMPANIES_FACTOR),
        ("%d companies: every job synced, 0 refused" % options.companies,
         all(r["synced"] == options.companies * options.jobs and not r["rejected"]
             for r in (sequential, parallel))),
    ]


def print_runs(run):
    """Which server's cron worker ran which scheduled action, and when (seconds after the first start)."""
    start = min((r["start"] for r in run["runs"]), default=0)
    cells = ["%s #%d %s-%s s (%s, %d loops)" % (r["server"], r["cron"], fmt(r["start"] - start),
                                                fmt(r["end"] and r["end"] - start), r["status"], r["loops"])
             for r in run["runs"]]
    print("  %s: %s" % (run["label"], "; ".join(cells)))
    if run["others"]:
        print("    other scheduled actions ran: %s" % ", ".join(sorted({r["name"] for r in run["others"]})))


def overlapping(runs):
    if len(runs) < 2:
        return 0.0
    return max(0.0, min(r["end"] or r["start"] for r in runs) - max(r["start"] for r in runs))


if __name__ == "__main__":
    main()
