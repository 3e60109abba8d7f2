"""The rate limiter as bulk pushes use it: windows counted from a request's end, a budget shared
by processes (here through a file; Odoo's is a row of its database), and windows shorter than a
minute."""
import json
import os
import subprocess
import sys
import time

import pytest

from chronicle_qbo_addon.services.ratelimit import HOST, LEASE_SECONDS, FileBudget, RateLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_request_counts_until_a_window_after_it_ends():
    clock = FakeClock()
    limiter = RateLimiter(max_concurrent=10, per_minute=2, batch_per_minute=1, clock=clock)
    assert limiter.reserve() == 0.0 and limiter.reserve() == 0.0
    assert limiter.reserve() is None, "both in flight: only a release helps"
    clock.now += 30
    limiter.release()
    assert limiter.reserve() == 60.0, "ended now, it leaves the window a minute from now"
    clock.now += 60
    assert limiter.reserve() == 0.0


def test_in_flight_batches_fill_the_batch_window():
    clock = FakeClock()
    limiter = RateLimiter(max_concurrent=10, per_minute=10, batch_per_minute=1, clock=clock)
    assert limiter.reserve(batch=True) == 0.0
    assert limiter.reserve(batch=True) is None
    assert limiter.reserve() == 0.0, "single requests still go"


def test_a_shorter_window_for_a_faster_clock():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=1, clock=clock, window_seconds=6.0)
    limiter.reserve()
    limiter.release()
    assert limiter.reserve() == 6.0


def test_limiters_sharing_a_budget_share_it(tmp_path):
    clock = FakeClock()
    path = str(tmp_path / "realm.json")
    first = RateLimiter(max_concurrent=2, per_minute=3, clock=clock, shared=FileBudget(path))
    second = RateLimiter(max_concurrent=2, per_minute=3, clock=clock, shared=FileBudget(path))
    assert first.reserve() == 0.0 and second.reserve() == 0.0
    assert first.reserve() is None, "two in flight between them"
    second.release()
    assert first.reserve() == 0.0
    first.release()
    first.release()
    assert second.reserve() == 60.0, "three ended in the window"
    assert json.loads(open(path).read())["leases"] == []


def test_slots_of_a_dead_process_are_taken_back(tmp_path):
    path = str(tmp_path / "realm.json")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import sys, types; sys.path.insert(0, %r); m = types.ModuleType('chronicle_qbo_addon'); "
            "m.__path__ = [%r]; sys.modules['chronicle_qbo_addon'] = m; "
            "from chronicle_qbo_addon.services.ratelimit import RateLimiter; "
            "from chronicle_qbo_addon.services.ratelimit import FileBudget; "
            "limiter = RateLimiter(max_concurrent=2, shared=FileBudget(%r)); limiter.acquire(); limiter.acquire()"
            % (root, os.path.join(root, "chronicle_qbo_addon"), path))
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert len(json.loads(open(path).read())["leases"]) == 2
    limiter = RateLimiter(max_concurrent=2, per_minute=500, shared=FileBudget(path))
    assert limiter.reserve() == 0.0, "the leases of the exited process were dropped"
    state = json.loads(open(path).read())
    assert len(state["leases"]) == 1 and len(state["ended"]) == 2, "and still count in the window"


def test_a_damaged_state_file_starts_afresh(tmp_path):
    path = tmp_path / "realm.json"
    path.write_text('{"leases": [[')
    limiter = RateLimiter(shared=FileBudget(str(path)))
    assert limiter.reserve() == 0.0
    limiter.release()
    assert len(json.loads(path.read_text())["ended"]) == 1


def test_stamps_from_before_a_reboot_are_forgotten(tmp_path):
    path = tmp_path / "realm.json"
    path.write_text(json.dumps({"leases": [["x", "%s:%d" % (HOST, os.getpid()), time.monotonic() + 1e6, True]],
                                "ended": [time.monotonic() + 1e6], "batches_ended": []}))
    limiter = RateLimiter(per_minute=5, batch_per_minute=1, shared=FileBudget(str(path)))
    assert limiter.reserve(batch=True) == pytest.approx(60.0), \
        "the old lease counts as a batch that just ended"
    [ended] = json.loads(path.read_text())["ended"]
    assert ended <= time.monotonic(), "and the impossible end time is gone"


def test_shared_limiters_per_realm_and_scope(tmp_path):
    def budget(scope, realm_id):
        return FileBudget(str(tmp_path / RateLimiter.budget_key(scope, realm_id)))

    one = RateLimiter.for_realm("1", scope="https://a/v3", shared=budget)
    assert one is RateLimiter.for_realm(1, scope="https://a/v3", shared=budget)
    other = RateLimiter.for_realm("1", scope="http://127.0.0.1:8765/v3", shared=budget)
    assert one.shared.path != other.shared.path
    assert RateLimiter.for_realm("1") is not one and RateLimiter.for_realm("1").shared is None


def test_a_lease_of_another_machine_is_kept_until_it_is_too_old(tmp_path):
    clock = FakeClock()
    path = tmp_path / "realm.json"
    path.write_text(json.dumps({"leases": [["x", "other-server:1", clock.now, False]], "ended": [],
                                "batches_ended": []}))
    limiter = RateLimiter(max_concurrent=1, shared=FileBudget(str(path)), clock=clock)
    assert limiter.reserve() is None, "its process may still run"
    clock.now += LEASE_SECONDS + 1
    assert limiter.reserve() == 0.0
