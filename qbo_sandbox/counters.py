"""What the sandbox saw: requests per endpoint, metered reads, writes, refusals, faults and
replays, overall and per company, and each company's peak rate as Intuit's throttles count
it (``peak_requests_per_minute``, ``peak_batches_per_minute``: the most requests, and batch
requests, one sliding minute of the sandbox clock held; with the throttles on). Read through
the control API by tests and benchmarks.

``reads`` counts what Intuit meters as CorePlus calls (data out): entity reads, queries
(each query of a batch too), change data capture, company info and preferences. ``writes``
counts creates, updates, deletes and voids, which are not metered. A document page of the
web app (``GET /app/<page>``) is no Accounting API call: it counts as a request only."""

import threading
from collections import Counter, defaultdict


class Counters:
    def __init__(self):
        self._lock = threading.Lock()
        self._requests = Counter()
        self._totals = Counter()
        self._by_realm = defaultdict(Counter)

    def reset(self):
        with self._lock:
            self._requests.clear()
            self._totals.clear()
            self._by_realm.clear()

    def request(self, endpoint, realm_id=None):
        with self._lock:
            self._requests[endpoint] += 1
            if realm_id:
                self._by_realm[realm_id]["requests"] += 1

    def _bump(self, what, realm_id, amount=1):
        with self._lock:
            self._totals[what] += amount
            if realm_id:
                self._by_realm[realm_id][what] += amount

    def read(self, realm_id):
        self._bump("reads", realm_id)

    def write(self, realm_id):
        self._bump("writes", realm_id)

    def rejected(self, realm_id):
        """A request refused by the throttles (429)."""
        self._bump("rejected", realm_id)

    def window(self, realm_id, requests, batches=None):
        """How many requests (and batch requests) the throttle's one-minute windows of the
        company hold after admitting one: the most they ever held is kept, per company."""
        with self._lock:
            counts = self._by_realm[realm_id]
            counts["peak_requests_per_minute"] = max(counts["peak_requests_per_minute"], requests)
            if batches is not None:
                counts["peak_batches_per_minute"] = max(counts["peak_batches_per_minute"], batches)

    def injected(self, realm_id):
        self._bump("injected", realm_id)

    def fault(self, realm_id):
        """An Accounting API answer that carried a Fault (validation, not found, stale...)."""
        self._bump("faults", realm_id)

    def replayed(self, realm_id):
        self._bump("replays", realm_id)

    def snapshot(self):
        with self._lock:
            snap = {"requests": dict(self._requests)}
            for what in ("reads", "writes", "rejected", "injected", "faults", "replays"):
                snap[what] = self._totals[what]
            snap["by_realm"] = {realm: dict(counts) for realm, counts in self._by_realm.items()}
            return snap
