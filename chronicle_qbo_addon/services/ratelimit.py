"""Client-side throttle that keeps one QuickBooks company under Intuit's limits.

Intuit throttles per company (realm): at most 10 concurrent requests, 500 requests a minute and
40 batch requests a minute. Staying under them here costs a short wait; going over costs a 429
and a back-off of up to a minute, so every request to a realm passes through its limiter.
"""
import threading
import time
from collections import deque
from contextlib import contextmanager

WINDOW_SECONDS = 60.0


class RateLimiter:
    """Per-realm gate: a concurrency cap plus sliding one-minute windows for requests and batches.

    Thread-safe. ``clock`` returns seconds (monotonic); tests inject a fake one and call
    :meth:`reserve`, which never blocks.
    """

    _realms = {}
    _realms_lock = threading.Lock()

    def __init__(self, max_concurrent=10, per_minute=500, batch_per_minute=40, clock=time.monotonic):
        """
        :param max_concurrent: requests allowed in flight at once
        :param per_minute: requests (batches included) started in any 60 s window
        :param batch_per_minute: batch requests started in any 60 s window
        :param clock: a function returning monotonic seconds
        """
        self.max_concurrent = max_concurrent
        self.per_minute = per_minute
        self.batch_per_minute = batch_per_minute
        self._clock = clock
        self._condition = threading.Condition()
        self._in_flight = 0
        self._starts = deque()
        self._batch_starts = deque()

    @classmethod
    def for_realm(cls, realm_id):
        """Return the limiter shared by every client of this realm in this process.

        :param realm_id: the QuickBooks company id
        :return: a :class:`RateLimiter` with Intuit's limits
        """
        with cls._realms_lock:
            limiter = cls._realms.get(str(realm_id))
            if limiter is None:
                limiter = cls._realms[str(realm_id)] = cls()
            return limiter

    def reserve(self, batch=False):
        """Take a slot now if the limits allow it, without waiting.

        :param batch: whether the request is a batch request
        :return: 0.0 when the slot is taken (call :meth:`release` afterwards); otherwise the seconds
            to wait before trying again, or None when only the concurrency cap is full (wait for a
            release)
        """
        with self._condition:
            now = self._clock()
            self._forget_before(now - WINDOW_SECONDS)
            waits = []
            if len(self._starts) >= self.per_minute:
                waits.append(self._starts[0] + WINDOW_SECONDS - now)
            if batch and len(self._batch_starts) >= self.batch_per_minute:
                waits.append(self._batch_starts[0] + WINDOW_SECONDS - now)
            if waits:
                return max(*waits, 0.001)
            if self._in_flight >= self.max_concurrent:
                return None
            self._in_flight += 1
            self._starts.append(now)
            if batch:
                self._batch_starts.append(now)
            return 0.0

    def acquire(self, batch=False):
        """Block until a slot is free, then take it.

        :param batch: whether the request is a batch request
        """
        # The condition's lock is reentrant: holding it across reserve() and wait() means a
        # release() between the two cannot be missed.
        with self._condition:
            while True:
                wait = self.reserve(batch)
                if wait == 0.0:
                    return
                self._condition.wait(wait)

    def release(self):
        """Give back the slot taken by :meth:`reserve` or :meth:`acquire`."""
        with self._condition:
            self._in_flight = max(self._in_flight - 1, 0)
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

    def _forget_before(self, horizon):
        for starts in (self._starts, self._batch_starts):
            while starts and starts[0] <= horizon:
                starts.popleft()
