"""QboApp and QboClient against a scripted Intuit, for the paths a real server rarely takes."""
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from chronicle_qbo_addon.services.client import (
    INTERACTIVE_RETRIES,
    INTERACTIVE_TIMEOUT,
    QboApp,
    QboAuthError,
    QboClient,
    QboError,
    QboTokens,
)
from chronicle_qbo_addon.services.ratelimit import RateLimiter
from chronicle_qbo_addon.services.reads import CDC_MAX_OBJECTS

BASE = "http://intuit.test"
NOW = datetime(2026, 1, 5, 12, 0, 0)
DISCOVERY = {
    "issuer": BASE, "authorization_endpoint": BASE + "/connect/oauth2",
    "token_endpoint": BASE + "/oauth2/v1/tokens/bearer",
    "revocation_endpoint": BASE + "/v2/oauth2/tokens/revoke",
    "userinfo_endpoint": BASE + "/userinfo", "jwks_uri": BASE + "/jwks",
}
TOKEN_REPLY = {"access_token": "AT-new", "refresh_token": "RT-new", "token_type": "bearer",
               "expires_in": 3600, "x_refresh_token_expires_in": 8640000,
               "x_refresh_token_hard_expires_in": 157680000}


class ScriptedIntuit:
    """Answers requests from per-path queues of (status, body, headers) or exceptions."""

    def __init__(self):
        self.script = {}
        self.sent = []

    def on(self, path, *answers):
        self.script.setdefault(path, []).extend(answers)

    def send(self, request, **kwargs):
        self.sent.append((request, kwargs))
        path = urlsplit(request.url).path
        queue = self.script.get(path) or []
        answer = queue.pop(0) if len(queue) > 1 else (queue[0] if queue else (404, {}, {}))
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.headers = CaseInsensitiveDict(dict({"Content-Type": "application/json"}, **headers))
        response.encoding = "utf-8"
        response.request, response.url = request, request.url
        return response

    def sent_to(self, path):
        return [(request, kwargs) for request, kwargs in self.sent if urlsplit(request.url).path == path]


@pytest.fixture
def intuit(monkeypatch):
    fake = ScriptedIntuit()
    fake.on("/.well-known/openid_configuration", (200, DISCOVERY, {}))
    monkeypatch.setattr(HTTPAdapter, "send",
                        lambda adapter, request, **kwargs: fake.send(request, **kwargs))
    return fake


@pytest.fixture
def app():
    return QboApp("cid", "csecret", "http://localhost:8069/qbo/oauth/callback", "local", base_url=BASE + "/",
                  timeout=7, clock=lambda: NOW)


def tokens(expires_in=3600):
    return QboTokens("AT-old", "RT-old", NOW + timedelta(seconds=expires_in), NOW + timedelta(days=100))


def make_client(app, saved=None, **kwargs):
    kwargs.setdefault("sleep", kwargs.pop("sleeps", []).append)
    return QboClient(app, "4620816365", tokens() if saved is None else saved,
                     rate_limiter=RateLimiter(), **kwargs)


# === OAUTH === #

def test_environments(app):
    assert app.discovery == BASE + "/.well-known/openid_configuration"
    assert app.api_url_v3 == BASE + "/v3"
    production = QboApp("c", "s", "https://x/cb", "production")
    assert production.discovery == "production"
    assert production.api_url_v3 == "https://quickbooks.api.intuit.com/v3"
    sandbox = QboApp("c", "s", "https://x/cb", "sandbox")
    assert sandbox.api_url_v3 == "https://sandbox-quickbooks.api.intuit.com/v3"
    with pytest.raises(ValueError):
        QboApp("c", "s", "https://x/cb", "local")
    assert "csecret" not in repr(app)


def test_authorization_url_downloads_discovery_with_a_timeout(intuit, app):
    url = app.authorization_url("state-123")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(BASE + "/connect/oauth2?")
    assert query["scope"] == ["com.intuit.quickbooks.accounting"]
    assert query["state"] == ["state-123"] and query["client_id"] == ["cid"]
    [(_request, kwargs)] = intuit.sent_to("/.well-known/openid_configuration")
    assert kwargs["timeout"] == 7


def test_exchange_code_reads_lifetimes_and_asks_for_the_hard_expiry(intuit, app):
    intuit.on(DISCOVERY["token_endpoint"].replace(BASE, ""), (200, TOKEN_REPLY, {}))
    result = app.exchange_code("the-code", "4620816365")
    assert (result.access_token, result.refresh_token) == ("AT-new", "RT-new")
    assert result.access_expires_at == NOW + timedelta(hours=1)
    assert result.refresh_expires_at == NOW + timedelta(days=100)
    assert result.refresh_hard_expires_at == NOW + timedelta(days=1825)
    [(request, kwargs)] = intuit.sent_to("/oauth2/v1/tokens/bearer")
    assert request.headers["x-include-refresh-token-hard-expires-in"] == "true"
    assert kwargs["timeout"] == 7
    assert parse_qs(request.body)["grant_type"] == ["authorization_code"]
    assert "AT-new" not in repr(result) and "RT-new" not in repr(result)


@pytest.mark.parametrize("status, body, error_type, code, retryable, words", [
    (400, {"error": "invalid_grant"}, QboAuthError, "invalid_grant", False, "connect the company again"),
    (401, {"error": "invalid_client"}, QboError, "invalid_client", False, "client id or secret is wrong"),
    (503, b"<html>down</html>", QboError, "http_503", True, "try again later"),
    (400, {"error": "invalid_request", "error_description": "bad"}, QboError, "invalid_request", False,
     "refused"),
])
def test_refresh_errors(intuit, app, status, body, error_type, code, retryable, words):
    intuit.on("/oauth2/v1/tokens/bearer", (status, body, {"intuit_tid": "tid-oauth"}))
    with pytest.raises(error_type) as caught:
        app.refresh("RT-old")
    error = caught.value
    assert (type(error), error.code, error.retryable) == (error_type, code, retryable)
    assert error.intuit_tid == "tid-oauth"
    assert words in error.message
    assert "RT-old" not in str(error)


def test_network_failures_are_retryable(intuit, app):
    intuit.on("/oauth2/v1/tokens/bearer", requests.ConnectionError("refused"))
    with pytest.raises(QboError) as caught:
        app.refresh("RT-old")
    assert caught.value.code == "network" and caught.value.retryable


def test_unreadable_discovery(intuit, app):
    intuit.script["/.well-known/openid_configuration"] = [(500, b"oops", {})]
    with pytest.raises(QboError) as caught:
        app.authorization_url("s")
    assert caught.value.retryable


# === ACCOUNTING API === #

def test_expiring_access_token_is_refreshed_first(intuit, app):
    intuit.on("/oauth2/v1/tokens/bearer", (200, TOKEN_REPLY, {}))
    intuit.on("/v3/company/4620816365/customer/1", (200, {"Customer": {"Id": "1"}}, {"intuit_tid": "t1"}))
    saved = []
    client = make_client(app, tokens(expires_in=30), on_tokens=saved.append)
    assert client.read("Customer", "1") == {"Id": "1"}
    assert [item.access_token for item in saved] == ["AT-new"]
    [(request, _kwargs)] = intuit.sent_to("/v3/company/4620816365/customer/1")
    assert request.headers["Authorization"] == "Bearer AT-new"
    assert client.last_intuit_tid == "t1"


def test_401_refreshes_once_then_retries(intuit, app):
    intuit.on("/oauth2/v1/tokens/bearer", (200, TOKEN_REPLY, {}))
    intuit.on("/v3/company/4620816365/customer/1", (401, b"unauthorized", {}),
              (200, {"Customer": {"Id": "1"}}, {}))
    saved = []
    client = make_client(app, on_tokens=saved.append)
    assert client.read("Customer", "1") == {"Id": "1"}
    sent = intuit.sent_to("/v3/company/4620816365/customer/1")
    assert [request.headers["Authorization"] for request, _ in sent] == ["Bearer AT-old", "Bearer AT-new"]
    assert len(saved) == 1 and client.tokens.refresh_token == "RT-new"


def test_fresh_token_refused_twice_is_a_retryable_error(intuit, app):
    intuit.on("/oauth2/v1/tokens/bearer", (200, TOKEN_REPLY, {}))
    intuit.on("/v3/company/4620816365/customer/1", (401, b"unauthorized", {"intuit_tid": "t401"}))
    saved = []
    with pytest.raises(QboError) as caught:
        make_client(app, on_tokens=saved.append).read("Customer", "1")
    error = caught.value
    assert not isinstance(error, QboAuthError)
    assert (error.status, error.intuit_tid, error.retryable) == (401, "t401", True)
    assert len(intuit.sent_to("/v3/company/4620816365/customer/1")) == 3 and len(saved) == 2


def test_throttling_backs_off_then_succeeds(intuit, app):
    fault = {"Fault": {"Error": [{"Message": "ThrottleExceeded", "code": "003001"}], "type": "SERVICE"}}
    intuit.on("/v3/company/4620816365/query", (429, fault, {"Retry-After": "5"}), (503, b"busy", {}),
              (200, {"QueryResponse": {"Customer": [{"Id": "1"}], "maxResults": 1}}, {}))
    sleeps = []
    client = make_client(app, sleeps=sleeps)
    assert client.query("SELECT * FROM Customer") == [{"Id": "1"}]
    assert len(sleeps) == 2 and sleeps[0] >= 5
    assert all(kwargs["timeout"] == 7 for _, kwargs in intuit.sent_to("/v3/company/4620816365/query"))


def test_retries_stop_at_max_retries(intuit, app):
    intuit.on("/v3/company/4620816365/customer/1", (503, b"busy", {"intuit_tid": "t503"}))
    sleeps = []
    with pytest.raises(QboError) as caught:
        make_client(app, max_retries=2, sleeps=sleeps).read("Customer", "1")
    assert (caught.value.code, caught.value.retryable, caught.value.intuit_tid) == ("http_503", True, "t503")
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] / 2


def test_interactive_client_gives_up_after_one_short_retry(intuit, app):
    intuit.on("/v3/company/4620816365/query", (503, b"busy", {}))
    sleeps = []
    client = make_client(app, timeout=INTERACTIVE_TIMEOUT, max_retries=INTERACTIVE_RETRIES, sleeps=sleeps)
    with pytest.raises(QboError) as caught:
        client.query("SELECT * FROM Customer")
    assert caught.value.retryable
    sent = intuit.sent_to("/v3/company/4620816365/query")
    assert [kwargs["timeout"] for _, kwargs in sent] == [10, 10] and len(sleeps) == 1
    assert sleeps[0] <= 1.0, "a person waits: the one retry comes within a second"


def test_lost_create_is_replayed_with_the_same_requestid(intuit, app):
    intuit.on("/v3/company/4620816365/customer", requests.ConnectionError("reset"),
              (200, {"Customer": {"Id": "9", "DisplayName": "José Núñez"}}, {}))
    client = make_client(app)
    assert client.create("Customer", {"DisplayName": "José Núñez"})["Id"] == "9"
    sent = intuit.sent_to("/v3/company/4620816365/customer")
    request_ids = [parse_qs(urlsplit(request.url).query)["requestid"][0] for request, _ in sent]
    assert len(request_ids) == 2 and request_ids[0] == request_ids[1]
    assert json.loads(sent[0][0].body.decode("utf-8")) == {"DisplayName": "José Núñez"}


def test_update_without_requestid_is_not_replayed(intuit, app):
    intuit.on("/v3/company/4620816365/customer", requests.ConnectionError("reset"))
    with pytest.raises(QboError) as caught:
        make_client(app).update("Customer", {"Id": "9", "SyncToken": "0", "sparse": True})
    assert caught.value.code == "network"
    assert len(intuit.sent_to("/v3/company/4620816365/customer")) == 1


def test_faults_become_qbo_errors_without_tokens(intuit, app):
    fault = {"Fault": {"Error": [{"Message": "Duplicate Name Exists Error", "code": "6240",
                                  "Detail": "The name supplied already exists. Bearer AT-old"}],
                       "type": "ValidationFault"}}
    intuit.on("/v3/company/4620816365/customer", (400, fault, {"intuit_tid": "t6240"}))
    with pytest.raises(QboError) as caught:
        make_client(app).create("Customer", {"DisplayName": "Dup"}, request_id="r1")
    error = caught.value
    assert (error.code, error.status, error.intuit_tid, error.retryable) == ("6240", 400, "t6240", False)
    assert "AT-old" not in str(error) and "AT-old" not in repr(error)


def test_batch_maps_answers_to_items(intuit, app):
    answer = {"BatchItemResponse": [
        {"bId": "1", "QueryResponse": {"Customer": [{"Id": "3"}]}},
        {"bId": "0", "Customer": {"Id": "7"}},
        {"bId": "2", "Fault": {"Error": [{"Message": "Stale", "code": "5010"}], "type": "ValidationFault"}},
    ]}
    intuit.on("/v3/company/4620816365/batch", (200, answer, {"intuit_tid": "tb"}))
    results = make_client(app).batch([
        {"entity": "Customer", "operation": "create", "payload": {"DisplayName": "A"}},
        {"query": "SELECT * FROM Customer"},
        {"entity": "Customer", "operation": "update", "payload": {"Id": "1", "SyncToken": "0"}},
    ])
    assert results[0] == {"Id": "7"}
    assert results[1] == {"Customer": [{"Id": "3"}]}
    assert isinstance(results[2], QboError) and results[2].code == "5010" and results[2].intuit_tid == "tb"
    [(request, _)] = intuit.sent_to("/v3/company/4620816365/batch")
    assert json.loads(request.body)["BatchItemRequest"][0] == {
        "bId": "0", "operation": "create", "Customer": {"DisplayName": "A"}}


def test_query_all_pages(intuit, app):
    page = {"QueryResponse": {"Customer": [{"Id": str(i)} for i in range(1000)]}}
    intuit.on("/v3/company/4620816365/query", (200, page, {}), (200, {"QueryResponse": {}}, {}))
    client = make_client(app)
    assert len(client.query_all("SELECT * FROM Customer")) == 1000
    bodies = [request.body.decode() for request, _ in intuit.sent_to("/v3/company/4620816365/query")]
    assert bodies == ["SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 1000",
                      "SELECT * FROM Customer STARTPOSITION 1001 MAXRESULTS 1000"]
    with pytest.raises(ValueError):
        client.query_all("SELECT * FROM Customer MAXRESULTS 5")


# === CHANGE DATA CAPTURE === #

CDC_PATH = "/v3/company/4620816365/cdc"
CDC_ANSWER = {"CDCResponse": [{"QueryResponse": [
    {"Customer": [{"Id": "1", "DisplayName": "Margaret Hollis - 1001", "SyncToken": "4"},
                  {"domain": "QBO", "status": "Deleted", "Id": "7",
                   "MetaData": {"LastUpdatedTime": "2026-01-05T03:00:00-08:00"}}],
     "startPosition": 1, "maxResults": 2},
    {"startPosition": 1, "maxResults": 0},
]}], "time": "2026-01-05T04:00:00.000-08:00"}


def cdc_query(request):
    return parse_qs(urlsplit(request.url).query)


def test_cdc_reads_several_entity_types_in_one_get_with_retries(intuit, app):
    intuit.on(CDC_PATH, (503, b"busy", {}), (200, CDC_ANSWER, {"intuit_tid": "tcdc"}))
    sleeps = []
    client = make_client(app, sleeps=sleeps)
    changes = client.change_data_capture(["Customer", "Invoice"], datetime(2026, 1, 4, 12, 0, 0))
    customers = CDC_ANSWER["CDCResponse"][0]["QueryResponse"][0]["Customer"]
    assert changes == {"Customer": customers, "Invoice": []}
    assert changes["Customer"][1] == {"domain": "QBO", "status": "Deleted", "Id": "7",
                                      "MetaData": {"LastUpdatedTime": "2026-01-05T03:00:00-08:00"}}
    assert changes.capped == frozenset() and changes.time == "2026-01-05T04:00:00.000-08:00"
    sent = intuit.sent_to(CDC_PATH)
    assert len(sent) == 2 and len(sleeps) == 1, "the read is retried like every other"
    request, kwargs = sent[-1]
    assert request.method == "GET" and kwargs["timeout"] == 7
    assert request.headers["Authorization"] == "Bearer AT-old"
    assert cdc_query(request) == {"entities": ["Customer,Invoice"], "minorversion": ["75"],
                                  "changedSince": ["2026-01-04T12:00:00+00:00"]}, \
        "a naive datetime is UTC, sent with its offset"
    assert client.last_intuit_tid == "tcdc"


def test_cdc_keeps_the_offset_it_is_given(intuit, app):
    intuit.on(CDC_PATH, (200, CDC_ANSWER, {}))
    client = make_client(app)
    eastern = timezone(timedelta(hours=-5))
    client.change_data_capture(["Customer"], datetime(2026, 1, 4, 7, 30, tzinfo=eastern))
    client.change_data_capture("Customer", "2026-01-04T07:30:00-05:00")
    sent = [cdc_query(request) for request, _kwargs in intuit.sent_to(CDC_PATH)]
    assert [query["changedSince"] for query in sent] == [["2026-01-04T07:30:00-05:00"]] * 2
    assert sent[1]["entities"] == ["Customer"]


def test_cdc_refreshes_the_token_and_says_which_types_reached_the_cap(intuit, app):
    full = {"CDCResponse": [{"QueryResponse": [
        {"Invoice": [{"Id": str(i)} for i in range(CDC_MAX_OBJECTS)], "maxResults": CDC_MAX_OBJECTS},
        {"Bill": [{"Id": "b1"}], "maxResults": 1},
    ]}], "time": "2026-01-05T04:00:00-08:00"}
    intuit.on("/oauth2/v1/tokens/bearer", (200, TOKEN_REPLY, {}))
    intuit.on(CDC_PATH, (401, b"unauthorized", {}), (200, full, {}))
    saved = []
    changes = make_client(app, on_tokens=saved.append).change_data_capture(["Invoice", "Bill"], NOW)
    assert changes.capped == {"Invoice"}, "a full block means more changed: ask again with a shorter window"
    assert len(changes["Invoice"]) == CDC_MAX_OBJECTS and changes["Bill"] == [{"Id": "b1"}]
    assert [request.headers["Authorization"] for request, _ in intuit.sent_to(CDC_PATH)] == [
        "Bearer AT-old", "Bearer AT-new"]
    assert len(saved) == 1


def test_cdc_faults_are_qbo_errors(intuit, app):
    fault = {"Fault": {"Error": [{"Message": "changedSince can be at most 30 days ago.", "code": "6000"}],
                       "type": "ValidationFault"}}
    intuit.on(CDC_PATH, (400, fault, {"intuit_tid": "t6000"}))
    with pytest.raises(QboError) as caught:
        make_client(app).change_data_capture(["Customer"], NOW - timedelta(days=40))
    assert (caught.value.code, caught.value.retryable, caught.value.intuit_tid) == ("6000", False, "t6000")
