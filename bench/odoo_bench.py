"""The benchmarks through Odoo: the push cron with the ORM, against the local sandbox.

Once, a database with the addon (no demo data):

    dropdb --if-exists qbo_bench; createdb -T qbo_base qbo_bench
    python3 -m odoo -d qbo_bench --addons-path=.odoo/src/addons,$PWD -i chronicle_qbo_addon \\
        --stop-after-init --http-interface=127.0.0.1

Then (``--addons-path`` as above; each mode prints its figures):

    python3 bench/odoo_bench.py -d qbo_bench --addons-path=... push [--jobs 1000]
    python3 bench/odoo_bench.py -d qbo_bench --addons-path=... memory [--sizes 1000 10000]
    python3 bench/odoo_bench.py -d qbo_bench --addons-path=... soak [--jobs 500] [--seeds 1 2 3]

- push: ``push_bench``'s workload (new jobs with new customers, one in ten under customers QuickBooks
  has) pushed by the cron's own method, then again with nothing changed, then after editing one
  job in ten; Intuit's limits on, 150 ms a request, time scale 4.
- memory: the first push of N jobs, throttles off (memory does not depend on them), for each size.
- soak: ``soak``'s faults, token expiry and refresh-token rotation, with the cron's method run until
  no job is pending; then QuickBooks is checked against the jobs' sync states.

"ORM ms per job" is the cron's wall time minus the time spent inside the service layer's
``push_jobs``, per job: reading jobs and customers, building requests, writing sync states and
the accounting log, committing. Every measurement runs on a copy of the database, dropped after,
and in processes of its own: one creates the jobs, a fresh one pushes them, so the memory figure is
the push's peak resident memory over the pushing process's own baseline.
"""

import argparse
import json
import os
import subprocess
import sys

from common import Sandbox

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "odoo_child.py")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True, help="a database with the addon installed")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("mode", choices=("push", "memory", "soak"))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    if args.mode == "push":
        jobs = args.jobs or 1000
        figures = measure(args, "push", jobs, jobs // 10, 4.0, limits=True)
        report_push(figures)
    elif args.mode == "memory":
        print("%8s %14s %16s %18s" % ("jobs", "ORM ms/job", "push wall s", "memory growth MB"))
        for size in args.sizes:
            figures = measure(args, "memory", size, 0, 60.0, limits=False)
            first = figures["initial"]
            print("%8d %14.2f %16.1f %18.1f" % (size, first["orm_ms"], first["seconds"], first["rss_mb"]))
    else:
        print(
            "%5s %6s %7s %9s %10s %5s %8s %9s %5s %7s %7s"
            % (
                "seed",
                "jobs",
                "synced",
                "dup name",
                "dup parent",
                "lost",
                "retries",
                "injected",
                "runs",
                "token",
                "wall s",
            )
        )
        for seed in args.seeds:
            r = measure(args, "soak", args.jobs or 1000, 0, 20.0, limits=True, seed=seed)
            print(
                "%5d %6d %7d %9d %10d %5d %8d %9d %5d %7s %7.1f"
                % (
                    seed,
                    r["jobs"],
                    r["synced"],
                    r["by_name"],
                    r["by_parent"],
                    r["lost"],
                    r["retries"],
                    r["injected"],
                    r["runs"],
                    "kept" if r["refresh_token_kept"] else "LOST",
                    r["seconds"],
                )
            )


def measure(args, workload, jobs, reuse, time_scale, limits, seed=0):
    """Copy the database, start a sandbox, create the jobs in one process and push in another."""
    copy = "%s_run" % args.database
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", "-T", args.database, copy], check=True)
    sandbox = Sandbox(time_scale, limits=limits)
    try:
        common = [
            "--db",
            copy,
            "--addons-path",
            args.addons_path,
            "--url",
            sandbox.url,
            "--workload",
            workload,
            "--time-scale",
            str(time_scale),
            "--jobs",
            str(jobs),
            "--reuse",
            str(reuse),
            "--seed",
            str(seed),
        ]
        child(["setup"] + common)
        return child(["soak" if workload == "soak" else "push"] + common)
    finally:
        sandbox.stop()
        subprocess.run(["dropdb", "--if-exists", copy], check=True)


def child(arguments):
    output = subprocess.run(
        [sys.executable, CHILD] + arguments, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def report_push(figures):
    first, rerun, edit = figures["initial"], figures["rerun"], figures["edit"]
    jobs = first["jobs"]
    print(
        "Through Odoo: %d jobs (%d with new customers), Intuit's limits on, 150 ms a request"
        % (jobs, figures["new"])
    )
    print(
        "initial push: %.3f requests per job, %.1f s wall, %.2f QuickBooks minutes, %.0f jobs per "
        "QuickBooks minute, ORM %.2f ms per job, memory growth %.1f MB"
        % (
            first["requests"] / jobs,
            first["seconds"],
            first["qbo_minutes"],
            jobs / first["qbo_minutes"],
            first["orm_ms"],
            first["rss_mb"],
        )
    )
    print(
        "re-run, nothing changed: %d writes, %d requests (%.2f per 100 jobs), ORM %.2f ms per job"
        % (rerun["writes"], rerun["requests"], 100 * rerun["requests"] / jobs, rerun["orm_ms"])
    )
    print(
        "re-run, %d jobs edited: %d writes, %d requests, ORM %.2f ms per edited job"
        % (edit["jobs"], edit["writes"], edit["requests"], edit["orm_ms"])
    )


if __name__ == "__main__":
    main()
