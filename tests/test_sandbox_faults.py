"""Intuit's bad days on demand: injected faults, latency, throttles and the requestid replay
that makes retrying a write safe. Driven through python-quickbooks and intuit-oauth."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import (
    AuthorizationException,
    QuickbooksException,
    SevereException,
    ValidationException,
)
from quickbooks.objects.customer import Customer

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_SUMMIT, ControlError, SandboxServer
from qbo_sandbox import clock as clock_module


def new_customer(name):
    customer = Customer()
    customer.DisplayName = name
    return customer


def company_info(qb):
    return requests.get(
        f"{qb.api_url}/company/{qb.company_id}/companyinfo/{qb.company_id}",
        headers={"Authorization": f"Bearer {qb.auth_client.access_token}", "Accept": "application/json"},
        timeout=10,
    )


def test_injected_429_answers_with_the_throttle_fault_n_times(sandbox, qb):
    sandbox.control.inject_fault("429", times=2)
    for _ in range(2):
        with pytest.raises(ValidationException) as raised:
            Customer.all(qb=qb)
        assert raised.value.error_code == 3001
        assert raised.value.message == "message=ThrottleExceeded; errorCode=003001; statusCode=429"
    assert len(Customer.all(qb=qb)) == 9
    sandbox.control.inject_fault("429")
    response = company_info(qb)
    assert response.status_code == 429 and response.json()["Fault"]["type"] == "SERVICE"
    counters = sandbox.control.counters()
    assert counters["injected"] == 3 and counters["by_realm"][REALM_BLUE_RIDGE]["injected"] == 3


def test_injected_500_and_503(sandbox, qb):
    sandbox.control.inject_fault("500")
    with pytest.raises(SevereException) as raised:
        Customer.all(qb=qb)
    assert raised.value.error_code == 10000
    sandbox.control.inject_fault("503")
    with pytest.raises(QuickbooksException) as raised:
        Customer.all(qb=qb)
    assert "Error reading json response" in raised.value.message
    sandbox.control.inject_fault("503")
    assert company_info(qb).status_code == 503
    assert len(Customer.all(qb=qb)) == 9


def test_slow_responses_and_latency_spend_real_seconds(sandbox, qb):
    sandbox.control.inject_fault("slow", seconds=0.3)
    started = time.monotonic()
    assert company_info(qb).status_code == 200
    assert time.monotonic() - started >= 0.3
    sandbox.control.set_latency(0.2)
    started = time.monotonic()
    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda _: company_info(qb).status_code, range(5)))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 5
    assert 0.2 <= elapsed < 0.9, "latency is spent outside the state lock, in parallel"
    sandbox.control.set_latency(0)


def test_dropped_connection_after_the_write_and_the_idempotent_retry(sandbox, qb):
    sandbox.control.inject_fault("drop_after_write")
    with pytest.raises(requests.exceptions.ConnectionError):
        new_customer("Dropped but saved - 1020").save(qb=qb, request_id="req-drop-1")
    written = Customer.filter(DisplayName="Dropped but saved - 1020", qb=qb)
    assert len(written) == 1, "the write was applied before the connection dropped"

    retried = new_customer("Dropped but saved - 1020").save(qb=qb, request_id="req-drop-1")
    assert retried.Id == written[0].Id
    assert len(Customer.filter(DisplayName="Dropped but saved - 1020", qb=qb)) == 1
    counters = sandbox.control.counters()
    assert counters["replays"] == 1 and counters["writes"] == 1


def test_reads_are_never_dropped(sandbox, qb):
    sandbox.control.inject_fault("drop_after_write")
    assert len(Customer.all(qb=qb)) == 9
    assert sandbox.control.faults()[0]["times"] == 1


def test_request_id_replays_the_original_response(sandbox, sandbox_connect, qb):
    first = new_customer("Idempotent - 1021").save(qb=qb, request_id="same-id")
    second = new_customer("Idempotent - 1021").save(qb=qb, request_id="same-id")
    assert first.Id == second.Id and first.MetaData == second.MetaData

    update = json.dumps({"sparse": True, "Id": first.Id, "SyncToken": "0", "Notes": "once"})
    assert qb.update_object("Customer", update, request_id="upd-1")["Customer"]["SyncToken"] == "1"
    assert qb.update_object("Customer", update, request_id="upd-1")["Customer"]["SyncToken"] == "1"
    assert Customer.get(first.Id, qb=qb).SyncToken == "1"

    other_company = sandbox_connect(REALM_SUMMIT)
    elsewhere = new_customer("Idempotent - 1021").save(qb=other_company, request_id="same-id")
    assert Customer.get(elsewhere.Id, qb=other_company).DisplayName == "Idempotent - 1021"

    with pytest.raises(QuickbooksException) as raised:
        new_customer("Daniel Reyes - 1003").save(qb=qb, request_id="fails-once")
    assert raised.value.error_code == 6240
    assert new_customer("Retry with a new name").save(qb=qb, request_id="fails-once").Id, (
        "a refused write is not remembered, so the same id can carry the corrected payload"
    )
    with pytest.raises(ValidationException) as raised:
        new_customer("Too long id").save(qb=qb, request_id="x" * 51)
    assert raised.value.error_code == 2050


def test_expired_access_token_fault(sandbox, qb):
    sandbox.control.inject_fault("expire_access_token")
    with pytest.raises(AuthorizationException):
        Customer.all(qb=qb)
    with pytest.raises(AuthorizationException):
        Customer.all(qb=qb)
    qb.auth_client.refresh()
    qb.session.access_token = qb.auth_client.access_token
    assert len(Customer.all(qb=qb)) == 9


def test_revoked_refresh_token_fault(sandbox, qb):
    sandbox.control.inject_fault("revoke_refresh_token")
    with pytest.raises(AuthClientError) as raised:
        qb.auth_client.refresh()
    assert raised.value.status_code == 400 and raised.value.response.json() == {"error": "invalid_grant"}
    with pytest.raises(AuthorizationException):
        Customer.all(qb=qb)


def test_rates_paths_and_realms_narrow_a_fault(sandbox, sandbox_connect, qb):
    control = sandbox.control
    other = sandbox_connect(REALM_SUMMIT)
    control.inject_fault("500", rate=1.0, path="/query", realm_id=REALM_SUMMIT)
    assert company_info(other).status_code == 200
    assert len(Customer.all(qb=qb)) == 9
    for _ in range(3):
        with pytest.raises(SevereException):
            Customer.all(qb=other)
    control.clear_faults()
    assert len(Customer.all(qb=other)) == 6

    control.inject_fault("500", rate=0.5, seed=7)
    outcomes = []
    for _ in range(20):
        outcomes.append(company_info(qb).status_code)
    assert 0 < outcomes.count(500) < 20 and set(outcomes) == {200, 500}
    control.clear_faults()
    control.inject_fault("429", rate=0.0)
    assert all(company_info(qb).status_code == 200 for _ in range(5))
    assert control.faults()[0]["fired"] == 0


def test_fault_specs_are_checked(sandbox):
    for spec in (
        {"kind": "teapot"},
        {"kind": "500", "times": 0},
        {"kind": "500", "rate": 2},
        {"kind": "500", "times": 1, "rate": 0.5},
        {"kind": "slow", "seconds": -1},
    ):
        with pytest.raises(ControlError):
            sandbox.control.inject_fault(**spec)


def test_500_requests_a_minute_per_company(sandbox, sandbox_connect, qb):
    http = requests.Session()
    url = f"{qb.api_url}/company/{qb.company_id}/preferences"
    headers = {"Authorization": f"Bearer {qb.auth_client.access_token}"}
    statuses = [http.get(url, headers=headers, timeout=10).status_code for _ in range(500)]
    assert statuses == [200] * 500
    throttled = http.get(url, headers=headers, timeout=10)
    assert throttled.status_code == 429 and throttled.json()["Fault"]["Error"][0]["code"] == "3001"
    assert company_info(sandbox_connect(REALM_SUMMIT)).status_code == 200, "each company has its own window"
    assert sandbox.control.counters()["rejected"] == 1
    sandbox.control.advance_clock(60)
    assert http.get(url, headers=headers, timeout=10).status_code == 200


def test_ten_requests_in_flight_per_company(sandbox, qb):
    sandbox.control.set_latency(0.8)
    with ThreadPoolExecutor(14) as pool:
        statuses = list(pool.map(lambda _: company_info(qb).status_code, range(14)))
    assert statuses.count(200) == 10 and statuses.count(429) == 4
    assert sandbox.control.counters()["rejected"] == 4


def test_limits_can_be_tuned_or_turned_off(sandbox, qb, sandbox_connect):
    sandbox.control.set_limits(requests_per_minute=3)
    assert [company_info(qb).status_code for _ in range(4)] == [200, 200, 200, 429]
    sandbox.control.set_limits(enabled=False)
    assert company_info(qb).status_code == 200
    assert sandbox.control.set_limits(enabled=True, requests_per_minute=500)["max_concurrent"] == 10
    with pytest.raises(ControlError):
        sandbox.control.set_limits(max_concurrent=0)

    unlimited = SandboxServer(limits=False, latency=0.2).start()
    try:
        client = sandbox_connect(REALM_BLUE_RIDGE, srv=unlimited)
        with ThreadPoolExecutor(14) as pool:
            assert set(pool.map(lambda _: company_info(client).status_code, range(14))) == {200}
    finally:
        unlimited.stop()


def test_time_scale_runs_the_sandbox_clock_faster(monkeypatch):
    fake = type("FakeTime", (), {"now": 1000.0, "mono": 5.0})
    monkeypatch.setattr(clock_module.time, "time", lambda: fake.now)
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: fake.mono)
    clock = clock_module.Clock(time_scale=60)
    fake.mono += 1.5
    assert clock.now() == 1000.0 + 90
    clock.advance(10)
    assert clock.now() == 1100.0
    clock.resume_from(5000.0)
    assert clock.now() == 5000.0
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock_module.Clock(time_scale=0)


def test_a_time_scaled_server_reports_its_scale(sandbox_connect):
    fast = SandboxServer(time_scale=60).start()
    try:
        before = fast.control.now()
        assert before["time_scale"] == 60
        client = sandbox_connect(REALM_BLUE_RIDGE, srv=fast)
        assert len(Customer.all(qb=client)) == 9
        assert fast.control.now()["now"] > before["now"]
    finally:
        fast.stop()
