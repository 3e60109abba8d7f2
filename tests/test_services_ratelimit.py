"""The client-side rate limiter keeps a realm under Intuit's limits."""
import threading
import time

from chronicle_qbo_addon.services.ratelimit import RateLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_requests_per_minute_window_slides():
    clock = FakeClock()
    limiter = RateLimiter(max_concurrent=100, per_minute=3, batch_per_minute=1, clock=clock)
    for _ in range(3):
        assert limiter.reserve() == 0.0
        limiter.release()
    clock.now += 20
    assert limiter.reserve() == 40.0
    clock.now += 40
    assert limiter.reserve() == 0.0


def test_batch_requests_have_their_own_window():
    clock = FakeClock()
    limiter = RateLimiter(max_concurrent=100, per_minute=10, batch_per_minute=1, clock=clock)
    assert limiter.reserve(batch=True) == 0.0
    limiter.release()
    assert limiter.reserve(batch=True) == 60.0
    assert limiter.reserve() == 0.0


def test_concurrency_cap_waits_for_a_release():
    limiter = RateLimiter(max_concurrent=2, per_minute=100, batch_per_minute=10, clock=FakeClock())
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == 0.0
    assert limiter.reserve() is None
    limiter.release()
    assert limiter.reserve() == 0.0


def test_threads_never_exceed_the_concurrency_cap():
    limiter = RateLimiter(max_concurrent=3, per_minute=1000, batch_per_minute=10)
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def work():
        with limiter.slot():
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.01)
            with lock:
                state["now"] -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert 1 <= state["peak"] <= 3


def test_one_limiter_per_realm():
    assert RateLimiter.for_realm("1") is RateLimiter.for_realm(1)
    assert RateLimiter.for_realm("1") is not RateLimiter.for_realm("2")
    limiter = RateLimiter.for_realm("3")
    assert (limiter.max_concurrent, limiter.per_minute, limiter.batch_per_minute) == (10, 500, 40)
