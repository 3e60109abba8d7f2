"""What the benchmarks share: the sandbox in a process of its own, clients that share the sandbox's
notion of a minute, generated jobs, a host that keeps what a cron saves, and the rate-limit bound.

Time: the sandbox runs ``time_scale`` times faster than real time for its rate windows and token
lifetimes; its latency is real seconds, so it is set to ``QBO_LATENCY / time_scale`` and every
request lasts ``QBO_LATENCY`` of QuickBooks time. The client's limiter uses a window of
``60 / time_scale`` real seconds and its back-off sleeps are scaled the same way. Figures in
"QuickBooks minutes" are real seconds times ``time_scale`` / 60. This process's own work (Python
on both sides of the wire) is not scaled: it weighs ``time_scale`` times more in QuickBooks time
than it would against Intuit, which makes every figure slightly pessimistic.
"""

import atexit
import logging
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
if "chronicle_qbo_addon" not in sys.modules:
    # The addon's __init__ imports Odoo; its service layer is plain Python and imports alone.
    _addon = types.ModuleType("chronicle_qbo_addon")
    _addon.__path__ = [os.path.join(ROOT, "chronicle_qbo_addon")]
    sys.modules["chronicle_qbo_addon"] = _addon

# pylint: disable=wrong-import-position
from chronicle_qbo_addon.services.client import QboApp, QboClient  # noqa: E402
from chronicle_qbo_addon.services.push import JOBS_PER_PUSH, JobPushRequest, push_jobs  # noqa: E402
from chronicle_qbo_addon.services.ratelimit import FileBudget, RateLimiter  # noqa: E402
from qbo_sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS  # noqa: E402
from qbo_sandbox.control import Control  # noqa: E402

# Retries are counted and printed; their log lines would drown the figures.
logging.getLogger("chronicle_qbo_addon.services.client").setLevel(logging.ERROR)

QBO_LATENCY = 0.150  # seconds of QuickBooks time per request, as Intuit answers a simple write
REQUESTS_PER_MINUTE, BATCHES_PER_MINUTE, BATCH_SIZE, MAX_CONCURRENT = 500, 40, 30, 10
CITIES = (("Asheville", "NC", "28801"), ("Roanoke", "VA", "24011"), ("Knoxville", "TN", "37902"))


class Sandbox:
    """``python -m qbo_sandbox`` in a child process on a free loopback port, with no seeded records;
    or, given ``url``, one that another process started."""

    def __init__(self, time_scale, limits=True, url=None):
        self.time_scale = time_scale
        self.process = None
        if url:
            self.url, self.control = url, Control(url)
            return
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "qbo_sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--time-scale",
            str(time_scale),
            "--latency",
            str(QBO_LATENCY / time_scale),
            "--no-seed",
        ]
        if not limits:
            command.append("--no-limits")
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
        self.url = "http://127.0.0.1:%d" % port
        self.control = Control(self.url)
        for _attempt in range(100):
            try:
                self.control.now()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("the sandbox did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def connect(self, realm_id):
        """A fresh connection to a company: the app and its first tokens."""
        app = QboApp(
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
            DEFAULT_REDIRECT_URIS[0],
            "local",
            base_url=self.url,
            timeout=30,
        )
        return app, app.exchange_code(self.control.authorize(realm_id)["code"], realm_id)

    def customers(self, realm_id):
        return self.control.state(realm_id)["realms"][realm_id]["customers"]

    def requests(self, realm_id=None):
        counters = self.control.counters()
        if realm_id:
            return counters["by_realm"].get(realm_id, {}).get("requests", 0)
        return sum(counters["requests"].values())

    def idle(self):
        """Let a whole window pass on the sandbox's clock: the next run starts from an idle company."""
        self.control.advance_clock(61)


class CountingClient(QboClient):
    """A client that counts operations (a batch request carries many) and retries."""

    def __init__(self, *args, **kwargs):
        self.operations = self.retries = 0
        super().__init__(*args, **kwargs)

    def batch(self, items, request_id=None):
        self.operations += len(items)
        return super().batch(items, request_id=request_id)

    def query(self, statement, params=None):
        self.operations += 1
        return super().query(statement, params=params)

    def create(self, entity, payload, request_id=None):  # pylint: disable=method-required-super
        self.operations += 1
        return super().create(entity, payload, request_id=request_id)

    def update(self, entity, payload, request_id=None):
        self.operations += 1
        return super().update(entity, payload, request_id=request_id)


def client(app, realm_id, tokens, time_scale, limiter_dir=None, on_tokens=None):
    """A client whose limiter and back-off follow the sandbox's clock; the limiter's budget is
    shared by the processes of this machine through a file when ``limiter_dir`` is given."""
    scaled_window = 60.0 / time_scale
    if limiter_dir:
        limiter = RateLimiter(
            window_seconds=scaled_window, shared=FileBudget(os.path.join(limiter_dir, "%s.json" % realm_id))
        )
    else:
        limiter = RateLimiter(window_seconds=scaled_window)
    qbo = CountingClient(
        app,
        realm_id,
        tokens,
        on_tokens=on_tokens,
        rate_limiter=limiter,
        sleep=lambda seconds: _count_and_sleep(qbo, seconds / time_scale),
    )
    return qbo


def _count_and_sleep(qbo, seconds):
    qbo.retries += 1
    time.sleep(seconds)


def make_jobs(count, prefix, first=0, customers=None):
    """Jobs as the host describes them, each with a customer of its own, or spread over ``customers``."""
    jobs = []
    for i in range(first, first + count):
        city, state, zip_code = CITIES[i % len(CITIES)]
        customer = (
            customers[i % len(customers)]
            if customers
            else {
                "name": "%s Owner %05d" % (prefix, i),
                "ref": "%s-C%05d" % (prefix, i),
                "is_company": False,
                "first_name": "%s Owner" % prefix,
                "last_name": "%05d" % i,
                "email": "%s.%05d@example.com" % (prefix.lower(), i),
                "phone": "(828) 555-%04d" % (i % 10000),
                "street": "%d Main St" % i,
                "city": city,
                "state_code": state,
                "zip": zip_code,
                "country_code": "US",
            }
        )
        site = {
            "street": "%d Mill Rd" % i,
            "city": city,
            "state_code": state,
            "zip": zip_code,
            "country_code": "US",
        }
        jobs.append(
            {
                "key": "%s:job:%d" % (prefix, i),
                "customer": customer,
                "job": {
                    "number": "%s-%05d" % (prefix, i),
                    "name": "Water loss, kitchen and hall",
                    "description": "Supply line burst; %d rooms." % (1 + i % 4),
                    "site": site,
                },
            }
        )
    return jobs


class Host:
    """What a host keeps per job between pushes, and its push cron (batches of JOBS_PER_PUSH)."""

    def __init__(self, jobs):
        self.jobs = {job["key"]: job for job in jobs}
        self.saved = {key: {"pending": True, "revision": 0} for key in self.jobs}

    def pending(self):
        return [key for key, saved in self.saved.items() if saved["pending"]]

    def mark_pending(self, keys):
        for key in keys:
            self.saved[key]["pending"] = True
            self.saved[key]["revision"] += 1

    def request(self, key):
        job, saved = self.jobs[key], self.saved[key]
        links = ("customer_id", "customer_sync_token", "job_id", "job_sync_token", "payload_hash")
        return JobPushRequest(
            key=key,
            customer=job["customer"],
            job=job["job"],
            revision=str(saved["revision"]),
            **{name: saved.get(name) for name in links},
        )

    def apply(self, result):
        saved = self.saved[result.key]
        saved["revision"] += 1
        if result.state == "synced":
            saved.update(
                pending=False,
                customer_id=result.customer_id,
                job_id=result.job_id,
                customer_sync_token=result.customer_sync_token,
                job_sync_token=result.job_sync_token,
                payload_hash=result.payload_hash,
                error=None,
            )
        elif result.state == "unchanged":
            saved.update(pending=False, error=None)
        else:
            saved.update(pending=bool(result.error and result.error.retryable), error=result.error)

    def run_cron(self, qbo, batch_size=JOBS_PER_PUSH, between=None):
        """One run of the push cron: every pending job, in batches; returns the jobs handled.

        :param between: called with the number of batches done, after each batch
        """
        keys = self.pending()
        for start in range(0, len(keys), batch_size):
            batch = keys[start : start + batch_size]
            for result in push_jobs(qbo, [self.request(key) for key in batch]):
                self.apply(result)
            if between:
                between(start // batch_size + 1)
        return len(keys)


def rate_limit_bound(operations, rounds, latency=QBO_LATENCY):
    """The least QuickBooks time in which Intuit's limits let ``operations`` through.

    Intuit's limits are sliding windows: in any 60 s, at most 500 requests start, 40 of them batch
    requests of up to 30 operations each. Every operation (create, update, query) can ride in a
    batch, so one window carries at most W = 40 x 30 + (500 - 40) = 1660 operations: 1200 in
    batches and 460 as single requests beside them. Starting from an idle company, k windows are
    needed, k = ceil(operations / W); the last of them opens 60 (k - 1) s after the first request,
    and its requests last ``latency`` at least. Two more floors: 10 requests in flight at most, so
    the fewest requests, ceil(operations / 30), need ceil(that / 10) latencies; and the push has
    ``rounds`` steps that depend on each other (look-ups, then customers, then their jobs).

        bound = max(60 (k - 1) + latency, ceil(ceil(operations / 30) / 10) x latency, rounds x latency)

    :return: the bound in seconds of QuickBooks time, and the steady rate (operations a minute)
    """
    per_window = BATCHES_PER_MINUTE * BATCH_SIZE + (REQUESTS_PER_MINUTE - BATCHES_PER_MINUTE)
    windows = max(1, math.ceil(operations / per_window))
    fewest_requests = math.ceil(operations / BATCH_SIZE)
    bound = max(
        60.0 * (windows - 1) + latency,
        math.ceil(fewest_requests / MAX_CONCURRENT) * latency,
        rounds * latency,
    )
    return bound, per_window


def temporary_dir():
    """A directory of this process's own, removed when it exits."""
    path = tempfile.mkdtemp(prefix="qbo-bench-")
    atexit.register(shutil.rmtree, path, True)
    return path
