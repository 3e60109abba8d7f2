"""Intuit's per-company throttles: requests per minute, batch requests per minute and
requests in flight at once.

Windows are measured on the sandbox clock so a time-scaled server compresses them. A
refused request is not counted in the window, as it did no work. ``on_admit`` hears how
full a company's windows are after each request they let through (the counters keep the
most they held: the company's peak rate).
"""

import threading
from collections import defaultdict, deque

REQUESTS_PER_MINUTE = 500
BATCHES_PER_MINUTE = 40
MAX_CONCURRENT = 10
WINDOW = 60.0


class Limiter:
    def __init__(
        self,
        clock,
        enabled=True,
        requests_per_minute=REQUESTS_PER_MINUTE,
        batches_per_minute=BATCHES_PER_MINUTE,
        max_concurrent=MAX_CONCURRENT,
        on_admit=None,
    ):
        self.clock = clock
        self.on_admit = on_admit
        self.enabled = enabled
        self.requests_per_minute = requests_per_minute
        self.batches_per_minute = batches_per_minute
        self.max_concurrent = max_concurrent
        self._lock = threading.Lock()
        self._requests = defaultdict(deque)
        self._batches = defaultdict(deque)
        self._in_flight = defaultdict(int)

    def enter(self, realm_id):
        """Count one request in flight; False when the company already has too many."""
        with self._lock:
            if self.enabled and self._in_flight[realm_id] >= self.max_concurrent:
                return False
            self._in_flight[realm_id] += 1
            return True

    def leave(self, realm_id):
        with self._lock:
            self._in_flight[realm_id] -= 1

    def admit(self, realm_id, is_batch):
        """Record a request in the per-minute windows; False when a window is full."""
        if not self.enabled:
            return True
        now = self.clock.now()
        with self._lock:
            windows = [(self._requests[realm_id], self.requests_per_minute)]
            if is_batch:
                windows.append((self._batches[realm_id], self.batches_per_minute))
            for stamps, limit in windows:
                while stamps and stamps[0] <= now - WINDOW:
                    stamps.popleft()
                if len(stamps) >= limit:
                    return False
            for stamps, _ in windows:
                stamps.append(now)
            held = [len(stamps) for stamps, _ in windows]
        if self.on_admit:
            self.on_admit(realm_id, held[0], held[1] if is_batch else None)
        return True

    def reset(self):
        with self._lock:
            self._requests.clear()
            self._batches.clear()
