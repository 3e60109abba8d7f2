"""What ``odoo_bench.py pull`` runs inside Odoo, one process per step: ``setup`` connects a company
to the sandbox and links its jobs to the sub-customers the sandbox holds (and, given a crew, makes
its department import labor from the labor start and maps each QuickBooks employee and the labor
agency to an Odoo employee); ``pull`` measures one run of the addon's pull
(``qbo.bridge.run._qbo_pull``). Each prints one JSON line of figures.

    python3 bench/odoo_pull_child.py setup --db DB --addons-path PATH --url SANDBOX_URL \\
        --jobs-file JOBS.json --start-date YYYY-MM-DD [--crew-file CREW.json --labor-start YYYY-MM-DD]
    python3 bench/odoo_pull_child.py pull --db DB --addons-path PATH --url SANDBOX_URL \\
        [--advance SECONDS] [--profile FILE] [--trace-memory FILE]

The host's clock is the sandbox's (its offset to this machine's clock, read again after each
jump): the sandbox's clock jumps a night ahead before each pull. Before the measured pull the
company's tokens are refreshed and committed, as the token cron does every 30 minutes, so the
pull starts with a fresh access token.
"""

import argparse
import cProfile
import gc
import json
import logging
import sys
import threading
import time
import tracemalloc
from collections import Counter
from datetime import datetime, timezone

from common import Sandbox
from odoo_child import _rss, connect_company, odoo_env, scale_the_clients

from qbo_sandbox import REALM_BLUE_RIDGE

TIME_ENTITY = "TimeActivity"
TIME_QUERY = " FROM %s" % TIME_ENTITY
CREW_HOURLY_COST = 25.0  # what Odoo costs an hour at where QuickBooks gives no cost rate

# Sandbox time minus this machine's time, as a timedelta (see the docstring).
_CLOCK = {"offset": None}


def sandbox_time(control):
    """Follow the sandbox's clock; the offset is read once again after each jump."""
    _CLOCK["offset"] = datetime.fromisoformat(control.now()["now_utc"]).replace(tzinfo=None) - _utcnow()


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def on_sandbox_time(env):
    company_class = type(env["qbo.company"])
    real_app = company_class._qbo_app

    def app(company, *args, **kwargs):
        qbo_app = real_app(company, *args, **kwargs)
        qbo_app.now = lambda: _utcnow() + _CLOCK["offset"]
        return qbo_app

    company_class._qbo_app = app


# === SETUP === #


def setup(env, options, sandbox):
    """The company, a production department, a partner per owner and a job per sub-customer,
    each job's sync state linked (or synced, one in two) to its QuickBooks job; given a crew, the
    department imports labor from the labor start and each worker (a QuickBooks employee, or the
    agency that logs its crew's time) is mapped to an Odoo employee of its own, as a person maps
    them once; committed."""
    with open(options.jobs_file, encoding="utf-8") as handle:
        jobs = json.load(handle)
    company = connect_company(env, options.url, sandbox)
    company.write({"pull_start_date": options.start_date})
    department = env["hr.department"].create({"name": "Water Damage", "is_production": True})
    env["qbo.department.mapping"].create({"qbo_company_id": company.id, "department_id": department.id,
                                          "labor_start_date": options.labor_start or False})
    if options.crew_file:
        with open(options.crew_file, encoding="utf-8") as handle:
            crew = json.load(handle)
        employees = env["hr.employee"].create(
            [{"name": worker["name"], "hourly_cost": CREW_HOURLY_COST} for worker in crew])
        env["qbo.worker"].create([
            {"qbo_company_id": company.id, "qbo_id": worker["qbo_id"], "kind": worker["kind"],
             "name": worker["name"], "full_name": worker["name"], "employee_id": employee.id}
            for worker, employee in zip(crew, employees)])
    owners = {}
    for job in jobs:
        owners.setdefault(job["customer_id"], job["customer_name"])
    partners = env["res.partner"].create(
        [
            {"name": name.split(" - ")[0], "ref": name.rsplit(" - ", 1)[-1]}
            for name in owners.values()
        ]
    )
    partner_of = dict(zip(owners, partners.ids))
    for start in range(0, len(jobs), 500):
        chunk = jobs[start : start + 500]
        projects = env["project.project"].create(
            [
                {
                    "name": job["job_name"].split(" - ", 1)[1],
                    "job_number": job["job_name"].split(" - ", 1)[0],
                    "partner_id": partner_of[job["customer_id"]],
                    "department_ids": [(6, 0, department.ids)],
                }
                for job in chunk
            ]
        )
        syncs = {
            sync.project_id.id: sync
            for sync in env["qbo.job.sync"].search([("project_id", "in", projects.ids)])
        }
        for number, (job, project) in enumerate(zip(chunk, projects), start):
            syncs[project.id].write(
                {
                    "state": "synced" if number % 2 == 0 else "linked",
                    "qbo_customer_id": job["customer_id"],
                    "qbo_customer_name": job["customer_name"],
                    "qbo_job_id": job["job_id"],
                    "qbo_job_name": job["job_name"],
                }
            )
        env.cr.commit()
    states = Counter(env["qbo.job.sync"].search([]).mapped("state"))
    return {"company": company.id, "jobs": len(jobs), "states": dict(states),
            "workers": env["qbo.worker"].search_count([("employee_id", "!=", False)])}


# === THE MEASURED PULL === #


class PullMeter:
    """Wall time, time inside the service layer's reads, the sink's landing (lists and documents,
    crew time) and commits, the whole service-layer ``pull``, and peak resident memory over the
    process's own baseline; the reads by kind; and where the crew time's part begins (its first
    read: the pull reads the time after the documents), so that Odoo's own time splits into the
    documents' and the time's."""

    def __init__(self):
        # pylint: disable=import-outside-toplevel
        from odoo.addons.chronicle_qbo_addon.models import qbo_bridge_run
        from odoo.addons.chronicle_qbo_addon.services.client import QboClient

        self.seconds, self.calls, self.time_start = Counter(), Counter(), None
        for name in ("query", "count", "preferences", "change_data_capture"):
            self._time(QboClient, name, "reads")
        for name in ("tracking", "reference", "documents", "reconcile"):
            self._time(qbo_bridge_run.JobCostSink, name, "landing")
        for name in ("time", "time_reconcile", "time_held"):
            self._time(qbo_bridge_run.JobCostSink, name, "time_landing")
        self._time(qbo_bridge_run.JobCostSink, "checkpoint", "commits")
        self._time(qbo_bridge_run, "pull", "pull")

    def _kind(self, name, args):
        """The kind of a read: its method's name; a query of the time, by the changes or in full."""
        if name == "count":
            return "time_count"
        if name == "query" and TIME_QUERY in args[1]:
            return "time_changes" if "LastUpdatedTime" in args[1] else "time_pages"
        return name

    def _time(self, owner, name, bucket):
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            if bucket == "reads":
                kind = self._kind(name, args)
                self.calls[kind] += 1
                if kind.startswith("time_") and self.time_start is None:
                    self.time_start = (time.monotonic(), self.seconds["reads"])
            start = time.monotonic()
            try:
                return real(*args, **kwargs)
            finally:
                self.seconds[bucket] += time.monotonic() - start

        setattr(owner, name, timed)

    def run(self, function, profiler=None, tracer=None):
        gc.collect()
        self.seconds.clear()
        self.calls.clear()
        self.time_start = None
        baseline = _rss()
        peak, done = [baseline], threading.Event()

        def sample():
            while not done.wait(0.02):
                peak[0] = max(peak[0], _rss())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        if tracer:
            tracer.start()
        if profiler:
            profiler.enable()
        start = time.monotonic()
        try:
            result = function()
        finally:
            seconds = time.monotonic() - start
            if profiler:
                profiler.disable()
            done.set()
            sampler.join()
            if tracer:
                tracer.stop()
        reads, pulled = self.seconds["reads"], self.seconds["pull"]
        landing, commits = self.seconds["landing"], self.seconds["commits"]
        time_landing = self.seconds["time_landing"]
        # Up to the time's first read, and from there on (the run's own record included).
        split, reads_before = self.time_start or (start + seconds, reads)
        return result, {
            "seconds": seconds,
            "reads_seconds": reads,
            "odoo_seconds": seconds - reads,
            "documents_odoo_seconds": split - start - reads_before,
            "time_odoo_seconds": start + seconds - split - (reads - reads_before),
            "landing_seconds": landing,
            "time_landing_seconds": time_landing,
            "commit_seconds": commits,
            "service_seconds": pulled - reads - landing - time_landing - commits,
            "run_record_seconds": seconds - pulled,
            "rss_mb": (max(peak[0], _rss()) - baseline) / 2**20,
            "baseline_mb": baseline / 2**20,
            "calls": dict(self.calls),
        }


class MemoryTracer:
    """tracemalloc over the pull, step by step: for each step of the sink (a page landed, its
    commit), the memory traced after it and the peak during it; and what was held, over the
    start, after the step that held the most."""

    STEPS = ("tracking", "reference", "documents", "reconcile", "time", "time_reconcile", "checkpoint")

    def __init__(self, path):
        # pylint: disable=import-outside-toplevel
        from odoo.addons.chronicle_qbo_addon.models import qbo_bridge_run

        self.path, self.steps, self.most = path, [], None
        self.start_snapshot = None
        for name in self.STEPS:
            self._follow(qbo_bridge_run.JobCostSink, name)

    def _follow(self, owner, name):
        real = getattr(owner, name)

        def followed(*args, **kwargs):
            if not tracemalloc.is_tracing():
                return real(*args, **kwargs)
            tracemalloc.reset_peak()
            try:
                return real(*args, **kwargs)
            finally:
                current, peak = tracemalloc.get_traced_memory()
                what = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
                size = len(args[2]) if len(args) > 2 and hasattr(args[2], "__len__") else ""
                self.steps.append((name, what, size, current, peak))
                if self.most is None or current > self.most[0]:
                    self.most = (current, tracemalloc.take_snapshot(), len(self.steps))

        setattr(owner, name, followed)

    def start(self):
        tracemalloc.start(8)
        self.start_snapshot = tracemalloc.take_snapshot()

    def stop(self):
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak = max([peak] + [top for _name, _what, _size, _after, top in self.steps])
        mb = 2**20
        with open(self.path, "w", encoding="utf-8") as out:
            out.write("traced: %.1f MB over the start when the pull ended, %.1f MB at the peak\n\n"
                      % (current / mb, peak / mb))
            out.write("%4s %-11s %-13s %6s %12s %14s\n" % ("step", "sink", "type", "rows", "after MB",
                                                          "peak in it MB"))
            for number, (name, what, size, after, top) in enumerate(self.steps, 1):
                out.write("%4d %-11s %-13s %6s %12.1f %14.1f\n" % (number, name, what, size, after / mb,
                                                                    top / mb))
            if not self.most:
                return
            held, snapshot, step = self.most
            out.write("\nheld after step %d (%.1f MB), over the start, by line:\n" % (step, held / mb))
            for stat in snapshot.compare_to(self.start_snapshot, "lineno")[:20]:
                out.write("  %s\n" % stat)
            out.write("\nthe same, by call stack:\n")
            for stat in snapshot.compare_to(self.start_snapshot, "traceback")[:10]:
                out.write("\n%+.1f KB in %+d blocks\n" % (stat.size_diff / 1024, stat.count_diff))
                out.write("\n".join(stat.traceback.format(limit=14)) + "\n")


def pull_phase(env, options, sandbox):
    company = env["qbo.company"].search([("realm_id", "=", REALM_BLUE_RIDGE)], limit=1)
    meter = PullMeter()
    if options.advance:
        sandbox.control.advance_clock(options.advance)
    sandbox_time(sandbox.control)
    # The token cron's work (every 30 minutes, 35 minutes ahead of the expiry): the night's access
    # token is fresh when the pull starts.
    company._qbo_refresh()
    env.cr.commit()
    sandbox.control.reset_counters()
    profiler = cProfile.Profile() if options.profile else None
    tracer = MemoryTracer(options.trace_memory) if options.trace_memory else None
    run, figures = meter.run(lambda: env["qbo.bridge.run"]._qbo_pull(company), profiler, tracer)
    counters = sandbox.control.counters()
    if profiler:
        profiler.dump_stats(options.profile)
    env.invalidate_all()
    mine = counters["by_realm"].get(REALM_BLUE_RIDGE, {})
    lines = env["qbo.job.cost.line"]
    activities = env["qbo.time.activity"].search([("qbo_company_id", "=", company.id)])
    mine_only = ("qbo_company_id", "=", company.id)
    figures.update(
        state=run.state,
        mode=run.mode,
        error=run.error or None,
        run_reads=run.read_requests,
        requests=mine.get("requests", 0),
        sandbox_reads=mine.get("reads", 0),
        qbo_writes=counters["writes"],
        rejected=counters["rejected"],
        lines_written=run.lines_written,
        lines_removed=run.lines_removed,
        lines_skipped=run.lines_skipped,
        documents_read=run.documents_read,
        per_type={
            row.entity: {
                "read": row.documents_read,
                "mirrored": row.records_mirrored if "records_mirrored" in row._fields else 0,
                "written": row.lines_written,
                "removed": row.lines_removed,
                "skipped": row.lines_skipped,
            }
            for row in run.entity_ids
        },
        lines_held=lines.search_count([mine_only, ("qbo_entity", "!=", TIME_ENTITY)]),
        time_lines=lines.search_count([mine_only, ("qbo_entity", "=", TIME_ENTITY)]),
        time_held=len(activities),
        time_landed=len(activities.filtered(lambda activity: activity.state == "landed")),
        totals=job_totals(env, company),
        time=job_time(env, company),
    )
    return figures


def job_totals(env, company):
    """{QuickBooks job Id: [invoiced, collected, cost]} of the company's linked jobs, from the
    documents' job cost lines (the crew time's labor and burden lines apart)."""
    job_of = {
        sync.project_id.id: sync.qbo_job_id
        for sync in env["qbo.job.sync"].search([("qbo_company_id", "=", company.id)])
    }
    totals = {job_id: [0.0, 0.0, 0.0] for job_id in job_of.values()}
    for project, invoiced, collected, cost in env["qbo.job.cost.line"]._read_group(
        [("qbo_company_id", "=", company.id), ("qbo_entity", "!=", TIME_ENTITY)], ["project_id"],
        ["invoiced:sum", "collected:sum", "cost:sum"]
    ):
        totals[job_of[project.id]] = [invoiced, collected, cost]
    return totals


def job_time(env, company):
    """{"job|kind|worker": hours} of the timesheets the crew time landed as: per QuickBooks job
    and worker (Employee or Vendor, and its QuickBooks Id), through the jobs' links and the
    employee mapping."""
    job_of = {
        sync.project_id.id: sync.qbo_job_id
        for sync in env["qbo.job.sync"].search([("qbo_company_id", "=", company.id)])
    }
    worker_of = {
        worker.employee_id.id: "%s|%s" % (worker.kind, worker.qbo_id)
        for worker in env["qbo.worker"].search(
            [("qbo_company_id", "=", company.id), ("employee_id", "!=", False)])
    }
    hours = {}
    for project, employee, spent in env["account.analytic.line"]._read_group(
        [("qbo_time_activity_id.qbo_company_id", "=", company.id)], ["project_id", "employee_id"],
        ["unit_amount:sum"]
    ):
        key = "%s|%s" % (job_of.get(project.id), worker_of.get(employee.id))
        hours[key] = hours.get(key, 0.0) + spent
    return hours


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=("setup", "pull"))
    for name in ("--db", "--addons-path", "--url"):
        parser.add_argument(name, required=True)
    parser.add_argument("--jobs-file")
    parser.add_argument("--start-date")
    parser.add_argument("--crew-file", help="setup: the workers to map, [{kind, qbo_id, name}]")
    parser.add_argument("--labor-start", help="setup: the department imports labor from this day")
    parser.add_argument("--advance", type=float, default=0.0, help="sandbox seconds to jump first")
    parser.add_argument("--profile", help="write cProfile statistics of the pull to this file")
    parser.add_argument("--trace-memory", help="write tracemalloc's account of the pull to this file")
    options = parser.parse_args(argv)
    sandbox = Sandbox(1.0, url=options.url)
    quiet = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    env = odoo_env(options, quiet if options.phase == "setup" else {})
    logging.getLogger("odoo.addons.chronicle_qbo_addon.services.client").setLevel(logging.ERROR)
    scale_the_clients(env, 1.0)
    on_sandbox_time(env)
    sandbox_time(sandbox.control)
    try:
        result = {"setup": setup, "pull": pull_phase}[options.phase](env, options, sandbox)
        env.cr.commit()
    finally:
        env.cr.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
