"""Client-side throttle that keeps one QuickBooks company under Intuit's limits.

Intuit throttles per company (realm): at most 10 concurrent requests, 500 requests a minute and
40 batch requests a minute. Staying under them here costs a short wait; going over costs a 429
and a back-off of up to a minute, so every request to a realm passes through its limiter.

The limits hold for the realm, not for one process: a host's worker processes, its cron workers
and its other servers may push to the same company at once. Given a :class:`SharedBudget`, the
limiter keeps its state there, read and written under the budget's lock, so every process that
uses the same budget shares one: the Odoo host keeps it in a row of its database
(``models/qbo_rate_limit.py``), with the database's clock; :class:`FileBudget` keeps it in a
file, for processes of one machine without a database (the benchmarks).

A request counts in the per-minute windows from the moment it starts until one window after it
ends. Intuit counts it when it arrives, somewhere in between; counting from the end can only
overestimate Intuit's count, whatever the network delay, so the windows need no safety margin.
"""
import fcntl
import json
import os
import socket
import threading
import time
import uuid
from collections import deque
from contextlib import contextmanager
from hashlib import sha256

WINDOW_SECONDS = 60.0
# A lease older than this belongs to a request that cannot still be running (Intuit ends requests
# after 120 s): the process that held it died, maybe on another server, without releasing it.
LEASE_SECONDS = 180.0
# How often a waiter looks again when only another process can free a slot.
POLL_SECONDS = 0.05
# Who holds a lease: a process of a machine (a dead one's leases are taken back at once when it was
# of this machine, after LEASE_SECONDS otherwise).
HOST = socket.gethostname()


class SharedBudget:
    """Where the limiters of several processes keep one realm's state.

    :meth:`transaction` is a context manager that takes the budget's lock and yields a
    :class:`Held`: its ``text`` is the saved state ('' at first), its ``now`` the time in seconds
    on a clock every sharing process reads alike, or None to use the limiter's own clock. The
    ``text`` the limiter leaves in it is saved when the block ends without an error.
    """

    def transaction(self):
        raise NotImplementedError


class Held:
    def __init__(self, text, now=None):
        self.text = text
        self.now = now


class FileBudget(SharedBudget):
    """A budget in a file under an ``fcntl`` lock: the processes of one machine (whose monotonic
    clock they share)."""

    def __init__(self, path):
        self.path = path

    @contextmanager
    def transaction(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), "r+", encoding="utf-8") as handle:
                held = Held(handle.read())
                yield held
                handle.seek(0)
                handle.write(held.text)
                handle.truncate()
        finally:
            os.close(fd)  # closing the last descriptor of the file releases the lock


class _State:
    """What the limiter knows: requests in flight (leases) and the end times of finished ones."""

    def __init__(self):
        self.leases = {}  # lease id -> (owner, start, is batch)
        self.ended = deque()
        self.batches_ended = deque()

    def to_json(self):
        return json.dumps({"leases": [[lease, *info] for lease, info in self.leases.items()],
                           "ended": list(self.ended), "batches_ended": list(self.batches_ended)})

    @classmethod
    def from_json(cls, text):
        state = cls()
        try:
            data = json.loads(text)
            state.leases = {lease: (owner, start, batch) for lease, owner, start, batch in data["leases"]}
            state.ended = deque(data["ended"])
            state.batches_ended = deque(data["batches_ended"])
        except (ValueError, KeyError, TypeError):
            # A file cut short by a crash: forgetting the past costs at worst one 429.
            return cls()
        return state


class RateLimiter:
    """Per-realm gate: a concurrency cap plus sliding windows for requests and batch requests.

    Thread-safe, and shared between processes with a :class:`SharedBudget`. ``clock`` returns
    seconds (monotonic), unless the budget has a clock of its own; tests inject a fake one and
    call :meth:`reserve`, which never blocks.
    """

    _realms = {}
    _realms_lock = threading.Lock()

    def __init__(self, max_concurrent=10, per_minute=500, batch_per_minute=40, clock=time.monotonic,
                 window_seconds=WINDOW_SECONDS, shared=None):
        """
        :param max_concurrent: requests allowed in flight at once
        :param per_minute: requests (batches included) counted in any window
        :param batch_per_minute: batch requests counted in any window
        :param clock: a function returning monotonic seconds
        :param window_seconds: the window's length: Intuit's minute, or less against a sandbox
            whose clock runs faster
        :param shared: the :class:`SharedBudget` of every process throttling the same realm;
            None keeps the state in this process
        """
        self.max_concurrent = max_concurrent
        self.per_minute = per_minute
        self.batch_per_minute = batch_per_minute
        self.window_seconds = window_seconds
        self.shared = shared
        self._clock = clock
        self._condition = threading.Condition()
        self._memory = _State()
        self._local = threading.local()
        self._owner = "%s:%d" % (HOST, os.getpid())

    @classmethod
    def for_realm(cls, realm_id, scope="", shared=None, **options):
        """Return the limiter of this process for a realm.

        :param realm_id: the QuickBooks company id
        :param scope: what else tells realms apart, e.g. the API's base URL (sandbox realm ids are
            not production ones)
        :param shared: a function of (scope, realm id) giving the :class:`SharedBudget` the
            limiter uses when it is created, or None for a budget of this process only
        :param options: passed to the constructor when the limiter is created
        :return: a :class:`RateLimiter` with Intuit's limits unless ``options`` say otherwise
        """
        key = (shared is not None, scope, str(realm_id))
        with cls._realms_lock:
            limiter = cls._realms.get(key)
            if limiter is None:
                budget = shared(scope, str(realm_id)) if shared else None
                limiter = cls._realms[key] = cls(shared=budget, **options)
            return limiter

    @staticmethod
    def budget_key(scope, realm_id):
        """A short key naming one realm's budget wherever budgets are kept."""
        return sha256(("%s|%s" % (scope, realm_id)).encode()).hexdigest()[:24]

    def reserve(self, batch=False):
        """Take a slot now if the limits allow it, without waiting.

        :param batch: whether the request is a batch request
        :return: 0.0 when the slot is taken (call :meth:`release` afterwards); otherwise the seconds
            to wait before trying again, or None when only requests in flight block it (wait for
            a release)
        """
        with self._condition, self._state() as (state, now):
            self._forget(state, now)
            waits = []
            windows = [(state.ended, self.per_minute, len(state.leases))]
            if batch:
                in_flight_batches = sum(1 for _owner, _start, is_batch in state.leases.values() if is_batch)
                windows.append((state.batches_ended, self.batch_per_minute, in_flight_batches))
            for ended, limit, in_flight in windows:
                excess = len(ended) + in_flight - limit
                if excess >= 0:
                    # Requests still in flight only leave the window a full window after they end.
                    waits.append(ended[excess] + self.window_seconds - now if excess < len(ended) else None)
            if waits:
                known = [wait for wait in waits if wait is not None]
                return max(*known, 0.001) if len(known) == len(waits) else None
            if len(state.leases) >= self.max_concurrent:
                return None
            lease = uuid.uuid4().hex
            state.leases[lease] = (self._owner, now, bool(batch))
            self._leases().append(lease)
            return 0.0

    def acquire(self, batch=False):
        """Block until a slot is free, then take it.

        :param batch: whether the request is a batch request
        """
        # The condition's lock is reentrant: holding it across reserve() and wait() means a
        # release() of this process between the two cannot be missed. Other processes do not
        # notify, hence the polling when a shared state file is used.
        with self._condition:
            while True:
                wait = self.reserve(batch)
                if wait == 0.0:
                    return
                if wait is None and self.shared:
                    wait = POLL_SECONDS
                self._condition.wait(wait)

    def release(self):
        """Give back the slot this thread took last with :meth:`reserve` or :meth:`acquire`."""
        leases = self._leases()
        if not leases:
            return
        lease = leases.pop()
        with self._condition:
            with self._state() as (state, now):
                info = state.leases.pop(lease, None)
                if info is not None:
                    self._end(state, info[2], now)
            self._condition.notify()

    @contextmanager
    def slot(self, batch=False):
        """Hold a slot for the duration of a ``with`` block.

        :param batch: whether the request is a batch request
        """
        self.acquire(batch)
        try:
            yield
        finally:
            self.release()

    def _leases(self):
        if not hasattr(self._local, "leases"):
            self._local.leases = []
        return self._local.leases

    @contextmanager
    def _state(self):
        if not self.shared:
            yield self._memory, self._clock()
            return
        with self.shared.transaction() as held:
            state = _State.from_json(held.text or "{}")
            yield state, self._clock() if held.now is None else held.now
            held.text = state.to_json()

    def _end(self, state, batch, when):
        state.ended.append(when)
        if batch:
            state.batches_ended.append(when)

    def _forget(self, state, now):
        horizon = now - self.window_seconds
        for ended in (state.ended, state.batches_ended):
            # Stamps from the future come from before a reboot: the monotonic clock restarted.
            while ended and (ended[0] <= horizon or ended[0] > now):
                ended.popleft()
        if self.shared:
            for lease, (owner, start, batch) in list(state.leases.items()):
                if now - start > LEASE_SECONDS or start > now or not _alive(owner):
                    del state.leases[lease]
                    self._end(state, batch, now)


def _alive(owner):
    """Whether the process holding a lease may still run: always, for another machine's."""
    host, _, pid = str(owner).rpartition(":")
    if host != HOST or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
