"""The benchmarks through Odoo: the push cron and the pull with the ORM, against the local sandbox.

Once, a database with the addon (no demo data):

    dropdb --if-exists qbo_bench; createdb qbo_bench
    python3 -m odoo -d qbo_bench --addons-path=.odoo/src/addons,$PWD -i chronicle_qbo_addon \\
        --stop-after-init --http-interface=127.0.0.1

Then (``--addons-path`` as above; each mode prints its figures):

    python3 bench/odoo_bench.py -d qbo_bench --addons-path=... push [--jobs 1000]
    python3 bench/odoo_bench.py -d qbo_bench --addons-path=... memory [--sizes 1000 10000]
    python3 bench/odoo_bench.py -d qbo_bench --addons-path=... soak [--jobs 500] [--seeds 1 2 3]
    python3 bench/odoo_bench.py -d qbo_bench --addons-path=... pull [--jobs 1000] [--documents 10000] \\
        [--changes 1000] [--time 5000] [--time-changes 100] [--sizes 1000 10000] [--profile DIR]

- push: ``push_bench``'s workload (new jobs with new customers, one in ten under customers QuickBooks
  has) pushed by the cron's own method, then again with nothing changed, then after editing one
  job in ten; Intuit's limits on, 150 ms a request, time scale 4.
- memory: the first push of N jobs, throttles off (memory does not depend on them), for each size.
- soak: ``soak``'s faults, token expiry and refresh-token rotation, with the cron's method run until
  no job is pending; then QuickBooks is checked against the jobs' sync states.
- pull: the bridge's pull (``qbo.bridge.run._qbo_pull``, what the bridge cron runs per company) of
  ``pull_bench``'s books: ``--jobs`` sub-customers (four a customer), ``--documents`` documents of
  the six pulled types and ``--time`` time activities of ``pull_bench``'s crew (four employees and
  a labor agency; one in ten dated before the labor start, 60 days back), written by sandbox batch
  requests with no latency and the throttles off (not measured). In Odoo, a company connected to
  the sandbox (local environment), its pull start date ``pull_bench``'s (90 days back: a few
  documents are older), a job per sub-customer whose sync state links it (``qbo_customer_id``,
  ``qbo_job_id``; one in two "synced", the others "linked"), its production department importing
  labor from the labor start (``labor_start_date`` of its ``qbo.department.mapping``), and each
  worker of the crew mapped to an Odoo employee of its own (``qbo.worker.employee_id``, made
  before the first pull as a person maps them once; 25 an hour where QuickBooks gives no cost
  rate): the time lands as timesheets on the jobs, with their labor and burden job cost lines.
  ``--time 0`` seeds no crew time and imports no labor: the pull reads no time. Then, with Intuit's
  limits on and 150 ms a request (time scale 1), each in a fresh process and a night after the one
  before on the sandbox's clock: the first pull (a full read), the pull of the next night with
  nothing changed, the one after ``--changes`` documents and ``--time-changes`` time activities
  (default one in fifty) were edited (by batch requests as ``pull_bench`` edits, at 150 ms a
  request: the edits span seconds, as a day's do), and, with crew time, the one after an activity
  dated from the labor start was deleted. Then, for each of ``--sizes`` documents (the jobs stay
  ``--jobs`` at every size; no crew time), the first pull alone with the throttles off, for its
  memory.

"ORM ms per job" is the cron's wall time minus the time spent inside the service layer's
``push_jobs``, per job: reading jobs and customers, building requests, writing sync states and
the accounting log, committing. Every measurement runs on a copy of the database, dropped after,
and in processes of its own: one creates the jobs, a fresh one pushes them, so the memory figure is
the push's peak resident memory over the pushing process's own baseline.

The pull's figures (the targets are checked, PASS/FAIL each, a FAIL exits 1; the last line is
``SUMMARY key=value ...``; pages(n) as ``pull_bench`` defines it):

- first_requests, unchanged_requests, changed_requests: the Accounting API requests the sandbox
  counted for the company during each pull (the run record's ``read_requests`` is printed beside
  them and checked equal to the sandbox's metered reads, and the client's reads by kind).
  Targets: first_requests <= 1.5 x first_minimum and at least 100 x fewer than naive_requests;
  unchanged_requests == 3 with crew time (Change Data Capture, the time changed since the
  position, the count of the time from the labor start), 1 without; changed_requests ==
  changed_expected with crew time, <= 3 without.
- first_minimum, naive_requests: as ``pull_bench`` defines them, from the rows the books hold (the
  fewest 1000-row pages of the 12 pulled types and the time, Preferences beside; a query per job
  for each document type and the time, plus the pages of the 6 lists; without crew time, neither
  counts the time): customers are the jobs and their parent customers, vendors the suppliers and
  the agency, employees the crew's four.
- first_time_pages, first_time_minimum (crew time only): the first pull's queries of the time, and
  max(1, ceil(n / 1000)) for the n activities dated from the labor start. Target: first_time_pages
  <= 1.5 x first_time_minimum.
- changed_expected (crew time only): ``pull_bench``'s changed_cdc_expected (Change Data Capture:
  1, and 1 more when the answer held 1000 objects in all) + pages(time edits) + 1 (the count).
- deleted_time_requests, deleted_time_expected (crew time only): the requests of the night after
  the deletion, and 3 (Change Data Capture, the time changed, the count, one fewer than Odoo holds)
  + pages(n) (the time read in full again, n the activities left from the labor start). Target:
  equal.
- unchanged_writes: the job cost lines and timesheets the unchanged pull wrote and removed, the
  list records it mirrored (accounts, items, classes, customers, employees, vendors), and the
  writes the sandbox counted. Target: 0.
- ms_per_line: the first pull's own time in Odoo up to its first read of crew time (the lists and
  the documents: the pull reads the time last), that part's wall time minus the time inside the
  client's reads (``query``, ``count``, ``preferences``, ``change_data_capture``: requests, waits
  of the limiter, JSON), per job cost line it landed from documents. Without crew time, the whole
  pull's (the run's own record included). The first pull's own time is printed split into the
  sink's landing (``_qbo_land``, the mirrors), the time's landing (``qbo.time.activity``: mirror,
  timesheets, labor and burden lines), its commits (flushes and recomputes included), the
  service layer's conversion of documents to lines, and the run's own record. Target: <= 2 ms.
- ms_per_activity (crew time only): the first pull's own time in Odoo from its first read of the
  time to its end (the run's own record included), less the reads, per activity held. No target.
- mem_growth_<size>_mb: the first pull's peak resident memory over the pulling process's own
  baseline (taken just before the pull, after the registry is loaded), sampled every 20 ms.
  Target, "flat": the growth at the largest size at most 1.5 x the growth at the smallest + 15 MB
  (one full page).
  A pull holds one page of 1000 rows at a time, so its memory may grow while its pages fill (at
  1,000 documents no type fills one) but not with the number of pages; what it kept from page to
  page would grow about as the documents, ten times from 1,000 to 10,000.

Also checked: each run done (the first a full read, the others changes), each row read once but
where pages overlap, every job's invoiced, collected and cost in Odoo (the documents' lines)
equal to the books after the first pull and after the edits, no request refused by the
throttles; with crew time, the time read in full again only on the night after the deletion,
and after the first pull, the edits and the deletion every activity held landed and the
timesheets' hours per job and worker equal to the books' activities dated from the labor start.
Before each pull the company's tokens are refreshed, as the token cron does every 30 minutes: the
pull starts with a fresh access token. ``--profile DIR`` writes cProfile statistics of the timed
pulls and a tracemalloc account of the memory runs (page by page) to DIR; the profilers slow the
pulls and take memory, so the figures of such a run are for diagnosis, not for the targets.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time

from common import QBO_LATENCY, Sandbox, temporary_dir

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "odoo_child.py")
PULL_CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "odoo_pull_child.py")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True, help="a database with the addon installed")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("mode", choices=("push", "memory", "soak", "pull"))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--documents", type=int, default=10000, help="pull: documents of the six types")
    parser.add_argument("--changes", type=int, default=1000,
                        help="pull: documents edited before the third pull")
    parser.add_argument("--time", type=int, default=5000,
                        help="pull: time activities of the crew (0: no labor imported, none read)")
    parser.add_argument("--time-changes", type=int, default=None,
                        help="pull: time activities edited before the third pull (default: one in fifty)")
    parser.add_argument("--profile", metavar="DIR", help="pull: cProfile statistics of the timed pulls and "
                        "tracemalloc accounts of the memory runs to DIR (the profilers slow the pulls and "
                        "take memory: for diagnosis, not for the targets)")
    args = parser.parse_args()
    if args.mode == "pull":
        sys.exit(pull_mode(args))
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


def child(arguments, script=CHILD):
    output = subprocess.run(
        [sys.executable, script] + arguments, check=True, stdout=subprocess.PIPE, text=True
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


# === PULL === #

PULL_SEED = 7  # pull_bench's default: the same books
# Memory is "flat" when the largest size grows the pulling process at most this much over the smallest:
# the slack is one full page of 1000 rows (its JSON, its lines, their ORM caches: 10 to 14 MB
# measured), which a pull of 1,000 documents, where no page is full, never holds.
FLAT_FACTOR, FLAT_SLACK_MB = 1.5, 15.0


def pull_mode(args):
    jobs = args.jobs or 1000
    changes = max(0, min(args.changes, args.documents))
    args.time = max(0, args.time)
    args.time_changes = min(args.time, args.time // 50 if args.time_changes is None else args.time_changes)
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    main_run = measure_pull(args, jobs, args.documents, changes, limits=True, label="limits_on",
                            crew_time=args.time)
    memory = [(size, measure_pull(args, jobs, size, None, limits=False, label="memory_%d" % size)["first"])
              for size in args.sizes]
    return report_pull(args, jobs, changes, main_run, memory)


def measure_pull(args, jobs, documents, changes, limits, label, crew_time=0):
    """Copy the database, start a sandbox and write the books to it (and ``crew_time`` time
    activities, with a crew mapped in Odoo and labor imported from the labor start), link the
    jobs in one process, then pull in a fresh process each time: first, then (unless ``changes``
    is None) a night later with nothing changed, a night after ``changes`` documents (and
    ``args.time_changes`` time activities) were edited, and, with crew time, a night after one
    activity was deleted."""
    # pylint: disable=import-outside-toplevel
    from pull_bench import AGENCY, DAY, EMPLOYEES, REALM, Company, unthrottled_client
    from pull_helpers import qbo_now

    from chronicle_qbo_addon.services.labor import EMPLOYEE, TIME_ENTITY, VENDOR

    copy = "%s_run" % args.database
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", "-T", args.database, copy], check=True)
    sandbox = Sandbox(1.0, limits=limits)
    try:
        sandbox.control.set_latency(0)
        sandbox.control.set_limits(enabled=False)
        setup = unthrottled_client(sandbox)
        books = Company(setup, random.Random(PULL_SEED), qbo_now(sandbox).date())
        started = time.monotonic()
        books.chart()
        books.jobs(jobs)
        books.documents(documents)
        if crew_time:
            books.crew()
            books.time(crew_time)
        seed_seconds = time.monotonic() - started
        rows = books.rows()  # before the edits move or delete any time
        customers = {row["Id"]: row for row in sandbox.customers(REALM)}
        jobs_file = os.path.join(temporary_dir(), "jobs.json")
        with open(jobs_file, "w", encoding="utf-8") as out:
            json.dump(
                [
                    {
                        "job_id": job_id,
                        "job_name": customers[job_id]["DisplayName"],
                        "customer_id": customers[job_id]["ParentRef"]["value"],
                        "customer_name": customers[customers[job_id]["ParentRef"]["value"]]["DisplayName"],
                    }
                    for job_id in books.job_ids
                ],
                out,
            )
        common = ["--db", copy, "--addons-path", args.addons_path, "--url", sandbox.url]
        setup_arguments = ["--jobs-file", jobs_file, "--start-date", books.start.isoformat()]
        if crew_time:
            crew_file = os.path.join(temporary_dir(), "crew.json")
            with open(crew_file, "w", encoding="utf-8") as out:
                json.dump([{"kind": EMPLOYEE, "qbo_id": employee, "name": "%s %s" % (given, family)}
                           for (employee, _rate), (given, family, _rate) in zip(books.employees, EMPLOYEES)]
                          + [{"kind": VENDOR, "qbo_id": books.agency, "name": AGENCY}], out)
            setup_arguments += ["--crew-file", crew_file, "--labor-start", books.labor_start.isoformat()]
        linked = child(["setup"] + common + setup_arguments, PULL_CHILD)

        def measured(name):
            sandbox.control.set_latency(QBO_LATENCY)
            sandbox.control.set_limits(enabled=limits)
            extra = ["--advance", str(DAY)]
            if args.profile and limits:  # the timed pulls: where the time goes
                extra += ["--profile", os.path.join(args.profile, "%s_%s.prof" % (label, name))]
            elif args.profile:  # the memory runs: where the memory goes
                trace = os.path.join(args.profile, "%s_%s.tracemalloc.txt" % (label, name))
                extra += ["--trace-memory", trace]
            figures = child(["pull"] + common + extra, PULL_CHILD)
            figures["books_match"] = totals_match(figures.pop("totals"), books.expected())
            figures["time_match"] = time_match(figures.pop("time"), figures, books.expected_time())
            return figures

        result = {"rows": rows, "seed_seconds": seed_seconds, "linked": linked, "first": measured("first")}
        if changes is not None:
            result["unchanged"] = measured("unchanged")
            # As in pull_bench: edited at 150 ms a request, Intuit's limits on, so that the edits
            # span seconds as a bookkeeper's do (1000 changes of one second would be one moment
            # that Change Data Capture cannot page through).
            result["edited"] = books.edit(setup, changes)
            if crew_time:
                sandbox.idle()  # a minute on: the time's edits find the throttles' windows empty
                books.edit_time(setup, args.time_changes)
            result["changed"] = measured("changed")
            if crew_time:
                books.delete_time(setup)
                result["deleted_time"] = measured("deleted_time")
                result["time_left"] = books.rows()[TIME_ENTITY]
        return result
    finally:
        sandbox.stop()
        subprocess.run(["dropdb", "--if-exists", copy], check=True)


def totals_match(totals, expected):
    """Each job's invoiced, collected and cost in Odoo equal the books the bench wrote, to the cent."""
    # pylint: disable=import-outside-toplevel
    from chronicle_qbo_addon.services.job_cost import COLLECTED, COST, INVOICED

    return all(
        abs(float(sums[kind]) - got) < 0.005
        for job, sums in expected.items()
        for kind, got in zip((INVOICED, COLLECTED, COST), totals.get(job, (0.0, 0.0, 0.0)))
    )


def time_match(hours, run, expected):
    """The timesheets the crew time landed as hold, per job and worker, the hours of the books'
    activities dated from the labor start (to the ten-thousandth of an hour), and every activity
    held landed."""
    held, expected_hours = expected
    wanted = {"%s|%s|%s" % key: float(spent) for key, spent in expected_hours.items()}
    return (run["time_held"] == run["time_landed"] == len(held)
            and set(hours) == set(wanted)
            and all(abs(hours[key] - wanted[key]) < 0.00005 * (1 + wanted[key]) for key in wanted))


def mirrored(run):
    """List records (accounts, items, classes, customers, employees, vendors) the run created or
    changed in Odoo."""
    return sum(row.get("mirrored", 0) for row in run["per_type"].values())


def size_label(size):
    return "%gk" % (size / 1000) if size >= 1000 else str(size)


def report_pull(args, jobs, changes, main_run, memory):
    # pylint: disable=import-outside-toplevel
    from pull_bench import cdc_requests, fewest_pages, first_minimum, naive_requests, pages

    from chronicle_qbo_addon.services.job_cost import DOCUMENT_ENTITIES
    from chronicle_qbo_addon.services.labor import TIME_ENTITY
    from chronicle_qbo_addon.services.pull import PAGE_OVERLAP
    from chronicle_qbo_addon.services.reads import PAGE_SIZE

    rows, first = main_run["rows"], main_run["first"]
    unchanged, changed = main_run["unchanged"], main_run["changed"]
    deleted = main_run.get("deleted_time")
    labor = TIME_ENTITY in rows
    states = main_run["linked"]["states"]
    print(
        "Pull through Odoo: %d jobs linked (%s), %d documents, %d time activities (%d workers mapped), "
        "Intuit's limits on, %d ms a request"
        % (jobs, ", ".join("%d %s" % (n, s) for s, n in sorted(states.items())), args.documents, args.time,
           main_run["linked"]["workers"], 1000 * QBO_LATENCY)
    )
    print("dated since the start date: %s%s" % (
        ", ".join("%s %d" % (e, rows[e]) for e in DOCUMENT_ENTITIES),
        "; time since the labor start: %d" % rows[TIME_ENTITY] if labor else ""))
    print("seeded in %.1f s (sandbox batch requests, no latency, throttles off; not measured)"
          % main_run["seed_seconds"])
    print()
    header = ("", "requests", "run reads", "QBO reads", "QBO writes", "written", "removed", "lists",
              "wall s", "reads s", "Odoo s")
    print("%-33s %8s %9s %9s %10s %8s %8s %6s %7s %8s %7s" % header)
    runs = [("first pull (full read)", first), ("next night, nothing changed", unchanged),
            ("after %d documents%s edited" % (changes, ", %d time" % args.time_changes if labor else ""),
             changed)]
    if deleted:
        runs.append(("after one time activity deleted", deleted))
    for name, run in runs:
        print("%-33s %8d %9d %9d %10d %8d %8d %6d %7.2f %8.2f %7.2f" % (
            name, run["requests"], run["run_reads"], run["sandbox_reads"], run["qbo_writes"],
            run["lines_written"], run["lines_removed"], mirrored(run), run["seconds"], run["reads_seconds"],
            run["odoo_seconds"]))
    print("requests: Accounting API requests the sandbox counted for the company; run reads: the run's "
          "read_requests;\nQBO reads/writes: the sandbox's metered reads and its writes; written, removed: "
          "the run's job cost lines and timesheets;\nlists: accounts, items, classes, customers, employees "
          "and vendors mirrored; reads s: inside the client's reads; Odoo s: the rest of the wall time")
    print("reads by kind:")
    for name, run in runs:
        print("  %-37s %s" % (name, ", ".join("%s %d" % item for item in sorted(run["calls"].items()))))
    lines = first["lines_held"]
    ms_per_line = 1000 * first["documents_odoo_seconds"] / max(1, lines)
    print()
    print("first pull: %d records read, %d job cost lines landed from documents, %d lines skipped" % (
        first["documents_read"], lines, first["lines_skipped"]))
    print("first pull, Odoo's own time %.2f s = landing %.2f s + the time's landing %.2f s + commits %.2f s "
          "+ the service layer's conversion %.2f s + the run's record %.2f s" % (
              first["odoo_seconds"], first["landing_seconds"], first["time_landing_seconds"],
              first["commit_seconds"], first["service_seconds"], first["run_record_seconds"]))
    print("  up to the time's first read (lists and documents): %.2f s, %.3f ms per job cost line" % (
        first["documents_odoo_seconds"], ms_per_line))
    if labor:
        print("  from there (crew time, the run's record): %.2f s, %.3f ms per time activity; %d activities "
              "held, %d landed as timesheets, %d labor and burden lines" % (
                  first["time_odoo_seconds"], 1000 * first["time_odoo_seconds"] / max(1, first["time_held"]),
                  first["time_held"], first["time_landed"], first["time_lines"]))
    minimum, naive = first_minimum(rows), naive_requests(jobs, rows)
    print("least requests 1000-row pages allow: %d; ours %.2fx that" % (minimum, first["requests"] / minimum))
    print("naive (a query per job and document type%s, plus the lists): %d requests, %.0fx ours" % (
        " and the time" if labor else "", naive, naive / max(1, first["requests"])))
    print("after the edits: %d records read back, %d lines and timesheets written, %d removed" % (
        changed["documents_read"], changed["lines_written"], changed["lines_removed"]))
    if deleted:
        print("after the deletion: the time read in full in %d pages, %d lines and timesheets removed" % (
            deleted["calls"].get("time_pages", 0), deleted["lines_removed"]))
    print()
    print("Memory: the first pull in a fresh process, throttles off, %d jobs at every size, no crew time"
          % jobs)
    print("%10s %8s %8s %14s %12s %18s" % ("documents", "lines", "wall s", "Odoo ms/line", "baseline MB",
                                           "memory growth MB"))
    for size, run in memory:
        print("%10d %8d %8.2f %14.3f %12.1f %18.1f" % (
            size, run["lines_held"], run["seconds"], 1000 * run["odoo_seconds"] / max(1, run["lines_held"]),
            run["baseline_mb"], run["rss_mb"]))
    (small, small_run), (large, large_run) = memory[0], memory[-1]
    flat_limit = FLAT_FACTOR * small_run["rss_mb"] + FLAT_SLACK_MB
    print("flat: the %s growth at most %.1f x the %s growth + %.0f MB = %.1f MB" % (
        size_label(large), FLAT_FACTOR, size_label(small), FLAT_SLACK_MB, flat_limit))
    print()

    figures = {
        "first_requests": first["requests"],
        "first_minimum": minimum,
        "naive_requests": naive,
        "unchanged_requests": unchanged["requests"],
        "unchanged_writes": unchanged["lines_written"] + unchanged["lines_removed"] + mirrored(unchanged)
        + unchanged["qbo_writes"],
        "changed_requests": changed["requests"],
        "ms_per_line": "%.3f" % ms_per_line,
    }
    cdc_expected = cdc_requests(main_run["edited"])
    if labor:
        figures.update(
            first_time_pages=first["calls"].get("time_pages", 0),
            first_time_minimum=fewest_pages(rows[TIME_ENTITY]),
            changed_expected=None if cdc_expected is None else cdc_expected + pages(args.time_changes) + 1,
            deleted_time_requests=deleted["requests"],
            deleted_time_expected=3 + pages(main_run["time_left"]),
            ms_per_activity="%.3f" % (1000 * first["time_odoo_seconds"] / max(1, first["time_held"])),
        )
    for size, run in (memory[0], memory[-1]):
        figures["mem_growth_%s_mb" % size_label(size)] = "%.1f" % run["rss_mb"]
    pulls = tuple(run for _name, run in runs)
    every_run = pulls + tuple(run for _size, run in memory)
    checks = [
        ("first_requests <= 1.5 x first_minimum", first["requests"] <= 1.5 * minimum),
        ("first_requests at least 100x fewer than naive_requests", naive >= 100 * first["requests"]),
        ("unchanged_requests == %d (one company%s)" % ((3, ": Change Data Capture, time changed, time count")
                                                       if labor else (1, "")),
         unchanged["requests"] == (3 if labor else 1)),
        ("unchanged_writes == 0", figures["unchanged_writes"] == 0),
        ("changed_requests <= 3", changed["requests"] <= 3) if not labor else
        ("changed_requests == changed_expected = Change Data Capture + %d time changes page(s) + 1 count"
         % pages(args.time_changes),
         changed["requests"] == (changed["calls"].get("change_data_capture", 0) if cdc_expected is None
                                 else cdc_expected) + pages(args.time_changes) + 1),
        ("ms_per_line <= 2 (Odoo's own time per job cost line landed from documents)", ms_per_line <= 2),
        ("memory growth flat from %s to %s documents" % (size_label(small), size_label(large)),
         large_run["rss_mb"] <= flat_limit),
        ("every run done: first full, then changes",
         [run["state"] for run in every_run] == ["done"] * len(every_run)
         and [run["mode"] for run in pulls] == ["full"] + ["changes"] * (len(pulls) - 1)),
        ("every row read by the first pull, again only where pages overlap",
         all(rows[e] <= first["per_type"].get(e, {}).get("read", 0)
             <= rows[e] + PAGE_OVERLAP * (rows[e] // PAGE_SIZE) for e in rows)),
        ("job figures after the first pull match the books", first["books_match"]),
        ("job figures after the edits match the books", changed["books_match"]),
        ("the run's read requests are the sandbox's metered reads",
         all(run["run_reads"] == run["sandbox_reads"] for run in pulls)),
        ("no request refused by the throttles", not any(run["rejected"] for run in pulls)),
    ]
    if labor:
        checks[1:1] = [("first_time_pages <= 1.5 x first_time_minimum",
                        figures["first_time_pages"] <= 1.5 * figures["first_time_minimum"])]
        checks += [
            ("deleted_time_requests == deleted_time_expected (the count differs: the time read in full)",
             figures["deleted_time_requests"] == figures["deleted_time_expected"]),
            ("the time read in full again only after the deletion",
             [run["calls"].get("time_pages", 0) > 0 for run in pulls] == [True, False, False, True]),
            ("timesheets after the first pull match the books (hours per job and worker, every activity "
             "landed)", first["time_match"]),
            ("timesheets after the edits match the books", changed["time_match"]),
            ("timesheets after the deletion match the books",
             deleted["time_match"] and deleted["books_match"]),
        ]
    for run in every_run:
        if run["error"]:
            print("run failed: %s" % run["error"])
    for name, passed in checks:
        print("%s  %s" % ("PASS" if passed else "FAIL", name))
    print("SUMMARY " + " ".join("%s=%s" % item for item in figures.items()))
    return 1 if any(not passed for _name, passed in checks) else 0

if __name__ == "__main__":
    main()
