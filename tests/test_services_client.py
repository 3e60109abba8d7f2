"""QboClient against the local sandbox: token refresh, retries, idempotent writes, faults."""
import threading
from datetime import datetime, timedelta

import pytest

from chronicle_qbo_addon.services.client import QboAuthError, QboClient, QboError, utcnow
from chronicle_qbo_addon.services.ratelimit import RateLimiter


@pytest.fixture
def connect(sandbox, app, realm):
    """Build a client connected to Blue Ridge; it records saved tokens and back-off sleeps."""
    def make(**kwargs):
        tokens = app.exchange_code(sandbox.control.authorize(realm)["code"], realm)
        client = QboClient(app, realm, tokens, on_tokens=lambda new: client.saved.append(new),
                           sleep=lambda seconds: client.sleeps.append(seconds),
                           rate_limiter=RateLimiter(), **kwargs)
        client.saved, client.sleeps = [], []
        sandbox.control.reset_counters()
        return client
    return make


def requests_to(sandbox, endpoint):
    return sandbox.control.counters()["requests"].get(endpoint, 0)


def customers_named(sandbox, realm, name):
    return [c for c in sandbox.control.state(realm)["realms"][realm]["customers"] if c["DisplayName"] == name]


def test_expired_access_token_is_refreshed_and_the_call_retried(sandbox, connect):
    client = connect()
    old = client.tokens
    sandbox.control.inject_fault("expire_access_token", times=1)
    assert client.company_info()["CompanyName"] == "Blue Ridge Restoration LLC"
    assert len(client.saved) == 1 and client.saved[0].access_token != old.access_token
    assert client.tokens is client.saved[0]
    assert requests_to(sandbox, "GET companyinfo") == 2
    assert requests_to(sandbox, "POST /oauth2/v1/tokens/bearer") == 1


def test_access_token_about_to_expire_is_refreshed_first(sandbox, connect):
    client = connect()
    client.tokens.access_expires_at = utcnow() + timedelta(seconds=30)
    client.company_info()
    assert len(client.saved) == 1
    assert requests_to(sandbox, "GET companyinfo") == 1


def test_rotated_refresh_token_is_handed_to_on_tokens(sandbox, connect):
    client = connect()
    first_refresh = client.tokens.refresh_token
    sandbox.control.advance_clock(2 * 86400)  # the access token died and the refresh value rotates
    client.company_info()
    assert client.saved[-1].refresh_token != first_refresh


def test_401_right_after_a_refresh_gets_one_more_refresh(sandbox, connect):
    client = connect()
    sandbox.control.inject_fault("expire_access_token", times=2)
    assert client.company_info()["CompanyName"] == "Blue Ridge Restoration LLC"
    assert len(client.saved) == 2 and client.tokens is client.saved[-1]
    assert requests_to(sandbox, "GET companyinfo") == 3
    assert requests_to(sandbox, "POST /oauth2/v1/tokens/bearer") == 2


def test_fresh_token_refused_again_is_a_retryable_error_without_tokens(sandbox, connect):
    client = connect()
    sandbox.control.inject_fault("expire_access_token", times=3)
    with pytest.raises(QboError) as caught:
        client.company_info()
    error = caught.value
    assert not isinstance(error, QboAuthError), "the refresh worked: no one needs to reconnect"
    assert (error.status, error.retryable) == (401, True) and error.intuit_tid
    assert "freshly refreshed access token" in error.message and "next run" in error.message
    assert requests_to(sandbox, "GET companyinfo") == 3 and client.sleeps == []
    for secret in (client.tokens.access_token, client.tokens.refresh_token, client.tokens.access_token[:12]):
        assert secret not in str(error) and secret not in repr(error) and secret not in error.detail


@pytest.mark.parametrize("kind", ["429", "500", "503"])
def test_gateway_faults_are_retried_with_backoff(sandbox, connect, kind):
    client = connect()
    sandbox.control.inject_fault(kind, times=2)
    assert client.query("SELECT * FROM Customer WHERE DisplayName = 'Daniel Reyes - 1003'")[0]["Id"]
    assert len(client.sleeps) == 2 and all(seconds > 0 for seconds in client.sleeps)
    assert requests_to(sandbox, "POST query") == 3


def test_retries_give_up_with_a_retryable_error(sandbox, connect):
    client = connect(max_retries=2)
    sandbox.control.inject_fault("503", times=5)
    with pytest.raises(QboError) as caught:
        client.read("Customer", "1")
    assert (caught.value.code, caught.value.status, caught.value.retryable) == ("http_503", 503, True)
    assert caught.value.intuit_tid
    assert len(client.sleeps) == 2


def test_lost_response_after_a_create_is_replayed_not_repeated(sandbox, connect, realm):
    client = connect()
    sandbox.control.inject_fault("drop_after_write", times=1)
    created = client.create("Customer", {"DisplayName": "Nadia Okafor - 1099"}, request_id="push-test-1")
    assert created["DisplayName"] == "Nadia Okafor - 1099"
    counters = sandbox.control.counters()
    assert (counters["writes"], counters["replays"]) == (1, 1)
    assert len(client.sleeps) == 1
    assert len(customers_named(sandbox, realm, "Nadia Okafor - 1099")) == 1


def test_update_without_requestid_is_not_replayed(sandbox, connect):
    client = connect()
    record = client.read("Customer", "1")
    sandbox.control.inject_fault("drop_after_write", times=1)
    with pytest.raises(QboError) as caught:
        client.update("Customer", {"Id": "1", "SyncToken": record["SyncToken"], "sparse": True,
                                   "Notes": "Prefers calls after 5pm"})
    assert caught.value.code == "network" and caught.value.retryable
    assert sandbox.control.counters()["writes"] == 1
    assert client.read("Customer", "1")["Notes"] == "Prefers calls after 5pm"


def test_update_with_requestid_is_replayed(sandbox, connect):
    client = connect()
    record = client.read("Customer", "1")
    sandbox.control.inject_fault("drop_after_write", times=1)
    updated = client.update("Customer", {"Id": "1", "SyncToken": record["SyncToken"], "sparse": True,
                                         "Notes": "Gate code 4411"}, request_id="upd-1")
    assert updated["Notes"] == "Gate code 4411"
    assert int(updated["SyncToken"]) == int(record["SyncToken"]) + 1


def test_stale_synctoken_is_5010(connect):
    client = connect()
    record = client.read("Customer", "1")
    client.update("Customer", {"Id": "1", "SyncToken": record["SyncToken"], "sparse": True, "Notes": "a"})
    with pytest.raises(QboError) as caught:
        client.update("Customer", {"Id": "1", "SyncToken": record["SyncToken"], "sparse": True, "Notes": "b"})
    assert (caught.value.code, caught.value.retryable) == ("5010", False)


def test_duplicate_name_is_6240_with_its_intuit_tid(connect):
    client = connect()
    with pytest.raises(QboError) as caught:
        client.create("Customer", {"DisplayName": "ferguson plumbing supply"})  # a vendor's name
    error = caught.value
    assert (error.code, error.status, error.retryable) == ("6240", 400, False)
    assert error.intuit_tid and error.intuit_tid in str(error)
    assert client.tokens.access_token not in str(error)


def test_missing_object_is_610(connect):
    with pytest.raises(QboError) as caught:
        connect().read("Customer", "99999")
    assert caught.value.code == "610"


def test_non_ascii_names_round_trip(connect):
    client = connect()
    created = client.create("Customer", {"DisplayName": "José Núñez - 1100"})
    rows = client.query("SELECT * FROM Customer WHERE DisplayName = 'josé núñez - 1100'")
    assert [row["Id"] for row in rows] == [created["Id"]]


def test_query_all_and_batch(connect):
    client = connect()
    assert len(client.query_all("SELECT * FROM Customer WHERE Active IN (true, false)")) == 10
    results = client.batch([
        {"entity": "Customer", "operation": "create", "payload": {"DisplayName": "Batch One"}},
        {"entity": "Customer", "operation": "create", "payload": {"DisplayName": "Daniel Reyes - 1003"}},
        {"query": "SELECT * FROM Customer WHERE DisplayName = 'Batch One'"},
    ], request_id="batch-1")
    assert results[0]["DisplayName"] == "Batch One"
    assert isinstance(results[1], QboError) and results[1].code == "6240"
    assert results[2]["Customer"][0]["Id"] == results[0]["Id"]


def test_rate_limiter_keeps_the_realm_under_intuit_limits(sandbox, connect):
    client = connect()
    client.rate_limiter = RateLimiter(max_concurrent=10, per_minute=500, batch_per_minute=40)
    sandbox.control.set_latency(0.05)
    errors = []

    def read():
        try:
            client.read("Customer", "1")
        except QboError as error:
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sandbox.control.counters()["rejected"] == 0


def test_change_data_capture_reads_what_changed_over_several_types_in_one_request(sandbox, connect):
    client = connect()
    line = {"DetailType": "SalesItemLineDetail", "Amount": 100,
            "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}
    cost = {"DetailType": "AccountBasedExpenseLineDetail", "Amount": 40,
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "4"}, "CustomerRef": {"value": "2"}}}
    invoice = client.create("Invoice", {"CustomerRef": {"value": "2"}, "Line": [line]})
    bill = client.create("Bill", {"VendorRef": {"value": "1"}, "Line": [cost]})
    since = datetime.fromisoformat(sandbox.control.advance_clock(60)["now_utc"])
    client.update("Invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True,
                              "DocNumber": "B-7"})
    [deleted] = client.batch([{"entity": "Bill", "operation": "delete",
                               "payload": {"Id": bill["Id"], "SyncToken": bill["SyncToken"]}}])
    assert not isinstance(deleted, QboError), deleted
    sandbox.control.reset_counters()
    changes = client.change_data_capture(["Invoice", "Bill", "Customer"], since)
    assert set(changes) == {"Invoice", "Bill", "Customer"} and changes["Customer"] == []
    [edited] = changes["Invoice"]
    assert (edited["Id"], edited["DocNumber"], edited["Line"][0]["Amount"]) == (invoice["Id"], "B-7", 100)
    [gone] = changes["Bill"]
    assert (gone["Id"], gone["status"]) == (bill["Id"], "Deleted")
    assert changes.capped == frozenset() and changes.time
    assert sandbox.control.counters()["requests"] == {"GET cdc": 1}, "one metered read for three types"
