"""What ``servers_bench.py`` needs around real Odoo servers: a copy of the database, servers
started and stopped, what their logs say the scheduler did, the database watched from outside,
and the sandbox's clock beside this machine's."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime

import psycopg2
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "servers_child.py")
LAUNCHER = os.path.join(HERE, "odoo_scaled.py")
# Odoo's log: "2025-12-01 10:00:00,123 4242 INFO db odoo.addons.base.models.ir_cron: Job 'name' (7) starting"
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \d+ (\w+) \S+ ([\w.]+): (.*)$")
CRON_START = re.compile(r"^Job '(.*)' \((\d+)\) starting$")
CRON_END = re.compile(
    r"^Job '(.*)' \((\d+)\) (fully done|partially done|failed) \(#loop (\d+);.*duration ([\d.]+)s\)$")


def child(options, *arguments):
    """Run a step of servers_child.py; its last line of output is JSON."""
    command = [sys.executable, CHILD, arguments[0], "--db", options.copy,
               "--addons-path", options.addons_path, *arguments[1:]]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


class DatabaseCopy:
    """``createdb -T template``, dropped when the block ends."""

    def __init__(self, template, name):
        self.template, self.name = template, name

    def __enter__(self):
        subprocess.run(["dropdb", "--if-exists", "--force", self.name], check=True)
        subprocess.run(["createdb", "-T", self.template, self.name], check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(["dropdb", "--if-exists", "--force", self.name], check=True)


class OdooServer:
    """``odoo_scaled.py`` (Odoo's server) with a port, cron threads and a data directory of its own."""

    def __init__(self, options, name, cron_threads, port):
        self.name, self.port, self.cron_threads = name, port, cron_threads
        self.directory = os.path.join(options.work_dir, name)
        os.makedirs(self.directory, exist_ok=True)
        self.log = os.path.join(self.directory, "odoo.log")
        command = [
            sys.executable, LAUNCHER, str(options.time_scale), "-d", options.copy,
            "--db-filter", "^%s$" % re.escape(options.copy), "--no-database-list",
            "--addons-path", options.addons_path, "--data-dir", self.directory, "--logfile", self.log,
            "--http-interface", "127.0.0.1", "--http-port", str(port),
            "--max-cron-threads", str(cron_threads),
            "--log-level", "info",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout=180):
        """Until the registry is loaded (the login page answers); the cron threads start right
        after it, and listen for the scheduler's NOTIFY a moment later."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError("Odoo server %s exited (%s); see %s" % (
                    self.name, self.process.returncode, self.log))
            try:
                if requests.get("http://127.0.0.1:%d/web/login" % self.port, timeout=5).status_code == 200:
                    time.sleep(1.0)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("Odoo server %s did not answer within %d s" % (self.name, timeout))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def cpu_seconds(self):
        return cpu_seconds(self.process.pid)

    def lines(self):
        """(real time, level, logger, message) of each line of the log."""
        with open(self.log, encoding="utf-8", errors="replace") as log:
            for line in log:
                match = LOG_LINE.match(line.rstrip())
                if match:
                    stamp, level, logger, message = match.groups()
                    at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
                    yield at, level, logger, message

    def cron_runs(self):
        """Each run of a scheduled action by this server: cron id, name, start, end, status, loops."""
        runs, open_runs = [], {}
        for at, _level, logger, message in self.lines():
            if not logger.endswith("ir_cron"):
                continue
            started, ended = CRON_START.match(message), CRON_END.match(message)
            if started:
                open_runs[int(started.group(2))] = dict(cron=int(started.group(2)), name=started.group(1),
                                                        start=at, server=self.name)
            elif ended and int(ended.group(2)) in open_runs:
                run = open_runs.pop(int(ended.group(2)))
                run.update(end=at, status=ended.group(3), loops=int(ended.group(4)))
                runs.append(run)
        return runs + [dict(run, end=None, status="running", loops=0) for run in open_runs.values()]

    def problems(self):
        """Lines at WARNING or above: what went wrong in this server, if anything."""
        return ["%s %s: %s" % (level, logger, message) for _at, level, logger, message in self.lines()
                if level in ("WARNING", "ERROR", "CRITICAL")]


class Servers:
    """Servers started together and stopped together."""

    def __init__(self, options, cron_threads, ports=None):
        ports = ports or [free_port() for _ in cron_threads]
        self.all = [OdooServer(options, "%s-%d" % (options.run_name, number + 1), threads, port)
                    for number, (threads, port) in enumerate(zip(cron_threads, ports))]

    def __enter__(self):
        try:
            for server in self.all:
                server.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for server in self.all:
            server.stop()

    def cpu_seconds(self):
        return sum(server.cpu_seconds() for server in self.all)

    def cron_runs(self):
        runs = [run for server in self.all for run in server.cron_runs()]
        return sorted(runs, key=lambda run: run["start"])

    def problems(self):
        return [problem for server in self.all for problem in server.problems()]


def cpu_seconds(pid):
    """The processor time a process has used so far, all its threads, user and system."""
    with open("/proc/%d/stat" % pid, encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy():
    """(busy, total) processor time of the whole machine so far (``/proc/stat``), every process's."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and waiting for I/O
    return sum(ticks) - idle, sum(ticks)


def free_port():
    import socket  # pylint: disable=import-outside-toplevel

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Watch:
    """The database as seen from outside the servers: autocommit reads, nothing written."""

    def __init__(self, dbname):
        self.connection = psycopg2.connect(dbname=dbname)
        self.connection.autocommit = True

    def close(self):
        self.connection.close()

    def rows(self, query, *params):
        with self.connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def syncs(self, company_ids):
        """{company id: {state: count}} of the companies' job sync states."""
        counts = {company: {} for company in company_ids}
        for company, state, count in self.rows(
            "SELECT qbo_company_id, state, count(*) FROM qbo_job_sync WHERE qbo_company_id = ANY(%s) "
            "GROUP BY 1, 2", list(company_ids)):
            counts[company][state] = count
        return counts

    def wait_pushed(self, company_ids, started, timeout, poll=0.05):
        """Until no job of the companies is pending: {company id: seconds after ``started``}."""
        done, end = {}, time.monotonic() + timeout
        while len(done) < len(company_ids) and time.monotonic() < end:
            for company, states in self.syncs(company_ids).items():
                if company not in done and not states.get("pending"):
                    done[company] = time.time() - started
            time.sleep(poll)
        return done

    def cost_lines(self, company_id, doc_ids):
        return self.rows("SELECT count(*) FROM qbo_job_cost_line WHERE qbo_company_id = %s "
                         "AND qbo_entity = 'Bill' AND qbo_doc_id = ANY(%s)", company_id, list(doc_ids))[0][0]

    def runs(self, company_id):
        """The company's bridge runs, oldest first: (id, state, mode, read requests)."""
        return self.rows("SELECT id, state, mode, read_requests FROM qbo_bridge_run "
                         "WHERE qbo_company_id = %s ORDER BY id", company_id)

    def backends_cpu(self):
        """{pid: processor seconds so far} of the database's PostgreSQL backends."""
        pids = [pid for (pid,) in self.rows("SELECT pid FROM pg_stat_activity "
                                            "WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        used = {}
        for pid in pids:
            try:
                used[pid] = cpu_seconds(pid)
            except OSError:  # gone meanwhile
                pass
        return used

    def triggers(self, cron_id):
        """Triggers waiting for a scheduled action (a run in progress shows in the servers' logs:
        probing its row lock would make a cron worker skip it)."""
        return self.rows("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", cron_id)[0][0]


class SandboxTime:
    """The sandbox's clock beside this machine's, read once: the sandbox runs ``time_scale`` times
    faster and nothing moves it during a measurement."""

    def __init__(self, control, time_scale):
        before = time.time()
        now = control.now()["now"]
        self.real, self.sandbox, self.scale = (before + time.time()) / 2, now, time_scale

    def at(self, real):
        return self.sandbox + (real - self.real) * self.scale


def sandbox_epoch(iso):
    """The sandbox's log times (``2025-12-01T10:00:00.123+00:00``) as epoch seconds."""
    return datetime.fromisoformat(iso).timestamp()


def fmt(value, digits=1):
    return "-" if value is None else "%.*f" % (digits, value)
