"""Client-side throttle that keeps one QuickBooks company under Intuit's limits.

Intuit throttles per company (realm): at most 10 concurrent requests, 500 requests a minute and
40 batch requests a minute. Staying under them here costs a short wait; going over costs a 429
and a back-off of up to a minute, so every request to a realm passes through its limiter.

The limits hold for the realm, not for one process: Odoo's prefork workers and its cron workers
are separate processes that may push to the same company at once. Given a ``state_file``, the
limiter keeps its state in that file under an ``fcntl`` lock, so every process and thread of the
machine that uses the same file shares one budget.

A request counts in the per-minute windows from the moment it starts until one window after it
ends. Intuit counts it when it arrives, somewhere in between; counting from the end can only
overestimate Intuit's count, whatever the network delay, so the windows need no safety margin.
"""
import fcntl
import json
import os
import threading
import time
import uuid
from collections import deque
from contextlib import contextmanager
from hashlib import sha256

WINDOW_SECONDS = 60.0
# A lease older than this belongs to a request that cannot still be running (timeouts are far
# shorter): the process that held it died without releasing it.
LEASE_SECONDS = 600.0
# How often a waiter looks again when only another process can free a slot.
POLL_SECONDS = 0.05


class _State:
    """What the limiter knows: requests in flight (leases) and the end times of finished ones."""

    def __init__(self):
        self.leases = {}  # lease id -> (pid, start, is batch)
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
            state.leases = {lease: (pid, start, batch) for lease, pid, start, batch in data["leases"]}
            state.ended = deque(data["ended"])
            state.batches_ended = deque(data["batches_ended"])
        except (ValueError, KeyError, TypeError):
            # A file cut short by a crash: forgetting the past costs at worst one 429.
            return cls()
        return state


class RateLimiter:
    """Per-realm gate: a concurrency cap plus sliding windows for requests and batch requests.

    Thread-safe, and process-safe with a ``state_file``. ``clock`` returns seconds (monotonic,
    which Linux shares between processes); tests inject a fake one and call :meth:`reserve`,
    which never blocks.
    """

    _realms = {}
    _realms_lock = threading.Lock()

    def __init__(self, max_concurrent=10, per_minute=500, batch_per_minute=40, clock=time.monotonic,
                 window_seconds=WINDOW_SECONDS, state_file=None):
        """
        :param max_concurrent: requests allowed in flight at once
        :param per_minute: requests (batches included) counted in any window
        :param batch_per_minute: batch requests counted in any window
        :param clock: a function returning monotonic seconds
        :param window_seconds: the window's length: Intuit's minute, or less against a sandbox
            whose clock runs faster
        :param state_file: file shared by every process throttling the same realm; None keeps
            the state in this process
        """
        self.max_concurrent = max_concurrent
        self.per_minute = per_minute
        self.batch_per_minute = batch_per_minute
        self.window_seconds = window_seconds
        self.state_file = state_file
        self._clock = clock
        self._condition = threading.Condition()
        self._memory = _State()
        self._local = threading.local()
        self._pid = os.getpid()

    @classmethod
    def for_realm(cls, realm_id, directory=None, scope="", **options):
        """Return the limiter shared by every client of this realm (in this process, or on this
        machine when ``directory`` is given).

        :param realm_id: the QuickBooks company id
        :param directory: where the state files of shared limiters live (created if missing)
        :param scope: what else tells realms apart, e.g. the API's base URL (sandbox realm ids are
            not production ones)
        :param options: passed to the constructor when the limiter is created
        :return: a :class:`RateLimiter` with Intuit's limits unless ``options`` say otherwise
        """
        key = (directory, scope, str(realm_id))
        with cls._realms_lock:
            limiter = cls._realms.get(key)
            if limiter is None:
                state_file = None
                if directory:
                    os.makedirs(directory, exist_ok=True)
                    name = sha256(("%s|%s" % (scope, realm_id)).encode()).hexdigest()[:24]
                    state_file = os.path.join(directory, name + ".json")
                limiter = cls._realms[key] = cls(state_file=state_file, **options)
            return limiter

    def reserve(self, batch=False):
        """Take a slot now if the limits allow it, without waiting.

        :param batch: whether the request is a batch request
        :return: 0.0 when the slot is taken (call :meth:`release` afterwards); otherwise the seconds
            to wait before trying again, or None when only requests in flight block it (wait for
            a release)
        """
        with self._condition, self._state() as state:
            now = self._clock()
            self._forget(state, now)
            waits = []
            windows = [(state.ended, self.per_minute, len(state.leases))]
            if batch:
                in_flight_batches = sum(1 for _pid, _start, is_batch in state.leases.values() if is_batch)
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
            state.leases[lease] = (self._pid, now, bool(batch))
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
                if wait is None and self.state_file:
                    wait = POLL_SECONDS
                self._condition.wait(wait)

    def release(self):
        """Give back the slot this thread took last with :meth:`reserve` or :meth:`acquire`."""
        leases = self._leases()
        if not leases:
            return
        lease = leases.pop()
        with self._condition:
            with self._state() as state:
                info = state.leases.pop(lease, None)
                if info is not None:
                    self._end(state, info[2], self._clock())
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
        if not self.state_file:
            yield self._memory
            return
        fd = os.open(self.state_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), "r+", encoding="utf-8") as handle:
                state = _State.from_json(handle.read() or "{}")
                yield state
                handle.seek(0)
                handle.write(state.to_json())
                handle.truncate()
        finally:
            os.close(fd)  # closing the last descriptor of the file releases the lock

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
        if self.state_file:
            for lease, (pid, start, batch) in list(state.leases.items()):
                if now - start > LEASE_SECONDS or start > now or not _alive(pid):
                    del state.leases[lease]
                    self._end(state, batch, now)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
