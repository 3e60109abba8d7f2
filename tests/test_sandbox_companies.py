"""Companies added through the control API, and each company's peak rate in the counters."""

import pytest
import requests

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_COASTAL, ControlError


def _client(sandbox, app, realm_id):
    from chronicle_qbo_addon.services.client import QboClient
    from chronicle_qbo_addon.services.ratelimit import RateLimiter

    tokens = app.exchange_code(sandbox.control.authorize(realm_id)["code"], realm_id)
    # The client's own limiter lets everything through: the sandbox's throttles are under test.
    return QboClient(app, realm_id, tokens, sleep=lambda seconds: None, max_retries=0,
                     rate_limiter=RateLimiter(max_concurrent=100, per_minute=10**6, batch_per_minute=10**6))


def test_an_added_company_is_empty_connectable_and_gone_after_a_reset(sandbox, app):
    added = sandbox.control.add_company("Fourth Restoration Co.", edition="advanced")
    assert added["realm_id"] == str(int(REALM_COASTAL) + 1)
    assert added["user"] == "owner@blueridge.example"
    qbo = _client(sandbox, app, added["realm_id"])
    info = qbo.company_info()
    assert info["CompanyName"] == "Fourth Restoration Co."
    assert {"Name": "OfferingSku", "Value": "QuickBooks Online Advanced"} in info["NameValue"]
    assert qbo.preferences()["AccountingInfoPrefs"]["ClassTrackingPerTxnLine"] is True
    assert qbo.query("SELECT * FROM Customer") == []
    created = qbo.create("Customer", {"DisplayName": "First customer - 1"})
    assert created["Id"] == "1"
    state = sandbox.control.state(added["realm_id"])["realms"][added["realm_id"]]
    assert state["company_name"] == "Fourth Restoration Co." and len(state["customers"]) == 1

    second = sandbox.control.add_company("Fifth", realm_id="123456789", edition="essentials")
    assert second["realm_id"] == "123456789"
    preferences = _client(sandbox, app, "123456789").preferences()["AccountingInfoPrefs"]
    assert preferences["ClassTrackingPerTxn"] is False and preferences["ClassTrackingPerTxnLine"] is False

    assert added["realm_id"] not in sandbox.control.reset(seed=False)["realms"]
    with pytest.raises(ControlError, match="unknown realm_id"):
        sandbox.control.authorize(added["realm_id"])


def test_an_added_company_is_throttled_on_its_own(sandbox, app):
    realm_id = sandbox.control.add_company("Throttled Co.")["realm_id"]
    qbo, other = _client(sandbox, app, realm_id), _client(sandbox, app, REALM_BLUE_RIDGE)
    sandbox.control.set_limits(requests_per_minute=3)
    for _ in range(3):
        qbo.query("SELECT * FROM Customer")
    with pytest.raises(Exception) as refused:
        qbo.query("SELECT * FROM Customer")
    assert getattr(refused.value, "status", None) == 429
    assert other.query("SELECT * FROM Vendor")  # Blue Ridge's minute is its own
    by_realm = sandbox.control.counters()["by_realm"]
    assert by_realm[realm_id]["rejected"] == 1 and "rejected" not in by_realm[REALM_BLUE_RIDGE]


def test_counters_keep_each_company_s_peak_rate(sandbox, app):
    realm_id = sandbox.control.add_company("Peak Co.")["realm_id"]
    qbo, other = _client(sandbox, app, realm_id), _client(sandbox, app, REALM_BLUE_RIDGE)
    for _ in range(4):
        qbo.query("SELECT * FROM Customer")
    for _ in range(2):
        qbo.batch([{"entity": "Customer", "operation": "query", "query": "SELECT * FROM Customer"}])
    other.query("SELECT * FROM Vendor")
    by_realm = sandbox.control.counters()["by_realm"]
    assert by_realm[realm_id]["peak_requests_per_minute"] == 6
    assert by_realm[realm_id]["peak_batches_per_minute"] == 2
    assert by_realm[REALM_BLUE_RIDGE]["peak_requests_per_minute"] == 1
    assert "peak_batches_per_minute" not in by_realm[REALM_BLUE_RIDGE]

    sandbox.control.advance_clock(61)  # a new minute: the peak stays the most ever held
    qbo.query("SELECT * FROM Customer")
    assert sandbox.control.counters()["by_realm"][realm_id]["peak_requests_per_minute"] == 6
    sandbox.control.reset_counters()  # forgets the peak, not the throttle's minute (2 requests now)
    qbo.query("SELECT * FROM Customer")
    assert sandbox.control.counters()["by_realm"][realm_id]["peak_requests_per_minute"] == 2

    sandbox.control.set_limits(enabled=False)  # no throttles, nothing counted in their windows
    sandbox.control.reset_counters()
    qbo.query("SELECT * FROM Customer")
    assert "peak_requests_per_minute" not in sandbox.control.counters()["by_realm"][realm_id]


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "name must be"),
        ({"name": "  "}, "name must be"),
        ({"name": "x" * 101}, "name must be"),
        ({"name": "A", "edition": "enterprise"}, "edition must be one of"),
        ({"name": "A", "realm_id": 42}, "realm_id must be"),
        ({"name": "A", "realm_id": "12a4"}, "realm_id must be"),
        ({"name": "A", "realm_id": REALM_BLUE_RIDGE}, "is a company already"),
        ({"name": "A", "user": "nobody@example.com"}, "unknown user"),
    ],
)
def test_added_companies_are_checked(sandbox, body, message):
    answer = requests.post(f"{sandbox.url}/_sandbox/companies", json=body, timeout=10)
    assert answer.status_code == 400 and message in answer.json()["error"]
