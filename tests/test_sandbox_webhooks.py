"""Webhooks as Intuit sends them, in the CloudEvents format: signed batches to each app's
endpoint for the companies it is connected to, retried on the sandbox clock, and the bad
days (drops, duplicates, events out of order) rehearsed on demand."""

import base64
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time
import uuid
from datetime import datetime

import pytest
import requests

from qbo_sandbox import (
    DEFAULT_CLIENT_ID,
    REALM_BLUE_RIDGE,
    REALM_COASTAL,
    ControlError,
    SandboxServer,
)
from qbo_sandbox.webhooks import RETRY_DELAYS, retry_delay

VERIFIER = "verifier-token-of-the-bridge"
OTHER_APP = ("other-app", "other-secret", ["http://localhost:9/callback"])
JOB = "2"  # a seeded job of Blue Ridge; item 1 is "Water Mitigation"


class Receiver:
    """An endpoint on loopback: answers each POST with the next of ``answers`` (then 200),
    after ``pause`` real seconds; keeps the headers and the raw body of each."""

    def __init__(self, answers=(), pause=0.0):
        self.answers, self.pause, self.got = list(answers), pause, []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append({"headers": dict(self.headers), "body": body})
                time.sleep(receiver.pause)
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        serve.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/qbo/webhooks"

    def events(self, index=None):
        bodies = [json.loads(item["body"]) for item in self.got]
        return bodies if index is None else bodies[index]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(answers=(), pause=0.0):
        made.append(Receiver(answers, pause))
        return made[-1]

    yield make
    for item in made:
        item.close()


def post(srv, tokens, path, payload, **params):
    """A POST to the Accounting API with a token of ``control.connect``."""
    return requests.post(
        f"{srv.url}/v3/company/{tokens['realm_id']}/{path}",
        params=params or None,
        json=payload,
        headers={"Authorization": f"Bearer {tokens['access_token']}", "Accept": "application/json"},
        timeout=10,
    )


def write(srv, tokens, entity, payload, **params):
    answer = post(srv, tokens, entity.lower(), payload, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()[entity]


def new_customer(srv, tokens, name):
    return write(srv, tokens, "Customer", {"DisplayName": name})


def new_invoice(srv, tokens, amount=100):
    line = {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": amount}
    payload = {"CustomerRef": {"value": JOB}, "Line": [
        {"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": line}]}
    return write(srv, tokens, "Invoice", payload)


def signature(verifier, body):
    return base64.b64encode(hmac.new(verifier.encode(), body, hashlib.sha256).digest()).decode()


def kinds(events):
    return [(event["type"], event["intuitentityid"]) for event in events]


def until(check, timeout=5.0):
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


@pytest.fixture
def hooked(sandbox, receiver):
    """The bridge's app with an endpoint, connected to Blue Ridge: (receiver, tokens)."""
    rx = receiver()
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER)
    return rx, sandbox.control.connect(REALM_BLUE_RIDGE)


def test_a_change_is_delivered_as_a_signed_array_of_cloudevents(sandbox, hooked):
    rx, tokens = hooked
    before = sandbox.clock.now()
    customer = new_customer(sandbox, tokens, "Webhook - 1")
    after = sandbox.clock.now()
    assert rx.got == [], "held for the aggregation delay"
    sandbox.control.flush_webhooks()

    [delivery] = rx.got
    headers = {name.lower(): value for name, value in delivery["headers"].items()}
    assert headers["content-type"] == "application/json"
    assert hmac.compare_digest(headers["intuit-signature"], signature(VERIFIER, delivery["body"]))
    assert headers["intuit-signature"] != signature("another verifier", delivery["body"])
    [event] = json.loads(delivery["body"])
    assert set(event) == {"specversion", "id", "source", "type", "datacontenttype", "time",
                          "intuitentityid", "intuitaccountid", "data"}
    assert uuid.UUID(event["id"]).version == 4
    assert (event["specversion"], event["type"], event["datacontenttype"], event["data"]) == (
        "1.0", "qbo.customer.created.v1", "application/json", {})
    assert (event["intuitentityid"], event["intuitaccountid"]) == (customer["Id"], REALM_BLUE_RIDGE)
    assert event["source"].startswith("intuit.") and len(event["source"]) > len("intuit.")
    assert event["time"].endswith("Z")
    moment = datetime.fromisoformat(event["time"][:26] + "+00:00").timestamp()
    assert before - 0.001 <= moment <= after + 0.001, "the sandbox time of the change"

    [attempt] = sandbox.control.webhooks()["attempts"]
    assert (attempt["status"], attempt["attempt"], attempt["event_ids"]) == (200, 1, [event["id"]])
    assert sandbox.control.webhooks()["deliveries"][0]["outcome"] == "delivered"


def test_changes_within_the_delay_make_one_batch_per_company_in_order(sandbox, hooked):
    rx, tokens = hooked
    coastal = sandbox.control.connect(REALM_COASTAL, user="bookkeeper@summit.example")
    customer = new_customer(sandbox, tokens, "Webhook - batch")
    write(sandbox, tokens, "Customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                        "sparse": True, "Active": False})
    invoice = new_invoice(sandbox, tokens)
    voided = write(sandbox, tokens, "Invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]},
                   operation="void")
    write(sandbox, tokens, "Invoice", {"Id": invoice["Id"], "SyncToken": voided["SyncToken"]},
          operation="delete")
    elsewhere = new_customer(sandbox, coastal, "Webhook - Coastal")
    sandbox.control.flush_webhooks()

    by_realm = {events[0]["intuitaccountid"]: events for events in rx.events()}
    assert len(rx.got) == 2 and set(by_realm) == {REALM_BLUE_RIDGE, REALM_COASTAL}
    assert kinds(by_realm[REALM_BLUE_RIDGE]) == [
        ("qbo.customer.created.v1", customer["Id"]),
        ("qbo.customer.updated.v1", customer["Id"]),
        ("qbo.invoice.created.v1", invoice["Id"]),
        ("qbo.invoice.voided.v1", invoice["Id"]),
        ("qbo.invoice.deleted.v1", invoice["Id"]),
    ]
    assert kinds(by_realm[REALM_COASTAL]) == [("qbo.customer.created.v1", elsewhere["Id"])]
    ids = [event["id"] for events in rx.events() for event in events]
    assert len(set(ids)) == len(ids) == 6


def test_batch_requests_make_events_and_the_delay_runs_on_the_sandbox_clock(sandbox, hooked):
    rx, tokens = hooked
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER, delay=30)
    items = [{"bId": n, "operation": "create", "Customer": {"DisplayName": f"Batch - {n}"}} for n in "12"]
    answer = post(sandbox, tokens, "batch", {"BatchItemRequest": items})
    created = [item["Customer"]["Id"] for item in answer.json()["BatchItemResponse"]]
    time.sleep(0.3)
    assert rx.got == [] and len(sandbox.control.webhooks()["queue"]["batches"]) == 1
    sandbox.control.advance_clock(30)
    assert sandbox.control.wait_webhooks(timeout=5)["empty"]
    assert kinds(rx.events(0)) == [("qbo.customer.created.v1", entity_id) for entity_id in created]


def test_a_scaled_clock_sends_without_a_flush(receiver):
    rx = receiver()
    with SandboxServer(time_scale=100) as srv:
        srv.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER)  # 3 s of sandbox time
        new_customer(srv, srv.control.connect(REALM_BLUE_RIDGE), "Webhook - fast clock")
        until(lambda: len(rx.got) == 1, timeout=3)


def test_a_500_is_retried_after_10_seconds_with_the_same_signed_body(sandbox, receiver):
    rx = receiver(answers=[500])
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER)
    new_customer(sandbox, sandbox.control.connect(REALM_BLUE_RIDGE), "Webhook - retry")
    first = sandbox.control.flush_webhooks()
    [attempt] = first["attempts"]
    assert attempt["status"] == 500 and len(rx.got) == 1
    waited = datetime.fromisoformat(attempt["next_attempt_at"]) - datetime.fromisoformat(attempt["at"])
    assert 10 <= waited.total_seconds() < 11
    time.sleep(0.3)
    assert len(rx.got) == 1, "nothing before the sandbox clock gets there"
    sandbox.control.advance_clock(10)
    assert sandbox.control.wait_webhooks(timeout=5)["empty"]
    assert len(rx.got) == 2 and rx.got[1]["body"] == rx.got[0]["body"]
    assert rx.got[1]["headers"]["intuit-signature"] == signature(VERIFIER, rx.got[1]["body"])
    state = sandbox.control.webhooks()
    assert [(a["attempt"], a["status"]) for a in state["attempts"]] == [(1, 500), (2, 200)]
    assert (state["deliveries"][0]["outcome"], state["deliveries"][0]["attempts"]) == ("delivered", 2)


def test_retries_follow_intuits_schedule_then_the_delivery_is_abandoned(sandbox, receiver):
    assert [retry_delay(n) for n in range(1, 11)] == [10, 20, 30, 300, 1200, 7200, 14400, 21600, 21600, 21600]
    rx = receiver(answers=[503] * 10)
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER, max_attempts=10)
    new_customer(sandbox, sandbox.control.connect(REALM_BLUE_RIDGE), "Webhook - schedule")
    sandbox.control.flush_webhooks()
    for attempts in range(1, 10):
        last = sandbox.control.webhooks()["attempts"][-1]
        waited = datetime.fromisoformat(last["next_attempt_at"]) - datetime.fromisoformat(last["at"])
        assert round(waited.total_seconds()) == (RETRY_DELAYS + (21600,))[attempts - 1]
        sandbox.control.advance_clock(round(waited.total_seconds()))
        until(lambda: len(sandbox.control.webhooks()["attempts"]) == attempts + 1)
    state = sandbox.control.webhooks()
    assert state["attempts"][-1]["next_attempt_at"] is None and len(rx.got) == 10
    assert state["deliveries"][0]["outcome"] == "abandoned"
    assert sandbox.control.wait_webhooks(timeout=1)["empty"]


def test_a_slow_answer_and_a_closed_port_are_failures(sandbox, receiver):
    rx = receiver(pause=1.0)
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER, timeout=0.3)
    tokens = sandbox.control.connect(REALM_BLUE_RIDGE)
    new_customer(sandbox, tokens, "Webhook - slow")
    assert sandbox.control.flush_webhooks()["attempts"][0]["status"] == "timeout"
    rx.pause = 0.0
    sandbox.control.advance_clock(10)
    sandbox.control.wait_webhooks(timeout=5)
    assert [a["status"] for a in sandbox.control.webhooks()["attempts"]] == ["timeout", 200]

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, f"http://127.0.0.1:{port}/", VERIFIER)
    new_customer(sandbox, tokens, "Webhook - nobody there")
    assert sandbox.control.flush_webhooks()["attempts"][-1]["status"] == "connection error"


def test_a_dropped_delivery_counts_as_failed_and_is_retried(sandbox, hooked):
    rx, tokens = hooked
    assert sandbox.control.rehearse_webhooks(drop=1)["rehearsal"]["drop"] == 1
    new_customer(sandbox, tokens, "Webhook - dropped")
    [dropped] = sandbox.control.flush_webhooks()["attempts"]
    assert dropped["status"] == "dropped" and rx.got == []
    sandbox.control.advance_clock(10)
    assert sandbox.control.wait_webhooks(timeout=5)["empty"]
    assert [event["id"] for event in rx.events(0)] == dropped["event_ids"]
    assert sandbox.control.webhooks()["rehearsal"]["drop"] == 0


def test_a_duplicated_delivery_arrives_twice_with_the_same_events(sandbox, hooked):
    rx, tokens = hooked
    sandbox.control.rehearse_webhooks(duplicate=1)
    new_customer(sandbox, tokens, "Webhook - twice")
    attempts = sandbox.control.flush_webhooks()["attempts"]
    assert len(rx.got) == 2 and rx.got[0]["body"] == rx.got[1]["body"]
    assert [(a["attempt"], a["duplicate"]) for a in attempts] == [(1, False), (1, True)]
    new_customer(sandbox, tokens, "Webhook - once")
    sandbox.control.flush_webhooks()
    assert len(rx.got) == 3


def test_out_of_order_holds_a_batch_back_until_a_later_one_has_gone(sandbox, hooked):
    rx, tokens = hooked
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER, delay=0)
    sandbox.control.rehearse_webhooks(out_of_order=1)
    customer = new_customer(sandbox, tokens, "Webhook - late")
    until(lambda: [d["held"] for d in sandbox.control.webhooks()["queue"]["deliveries"]] == [True])
    write(sandbox, tokens, "Customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                        "sparse": True, "CompanyName": "Later"})
    sandbox.control.wait_webhooks(timeout=5)
    assert [kinds(events) for events in rx.events()] == [
        [("qbo.customer.updated.v1", customer["Id"])], [("qbo.customer.created.v1", customer["Id"])]]


def test_out_of_order_reverses_the_events_of_a_batch(sandbox, hooked):
    rx, tokens = hooked
    sandbox.control.rehearse_webhooks(out_of_order=1)
    customer = new_customer(sandbox, tokens, "Webhook - reversed")
    write(sandbox, tokens, "Customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                        "sparse": True, "CompanyName": "Later"})
    sandbox.control.flush_webhooks()
    assert [event["type"] for event in rx.events(0)] == ["qbo.customer.updated.v1", "qbo.customer.created.v1"]


def test_only_companies_the_app_is_connected_to_get_events(sandbox, receiver):
    ours, theirs = receiver(), receiver()
    sandbox.control.add_app(*OTHER_APP)
    sandbox.control.set_webhook(DEFAULT_CLIENT_ID, ours.url, VERIFIER)
    sandbox.control.set_webhook(OTHER_APP[0], theirs.url, "their verifier")
    sandbox.control.connect(REALM_BLUE_RIDGE)
    coastal = sandbox.control.connect(REALM_COASTAL, client_id=OTHER_APP[0], user="bookkeeper@summit.example")
    customer = new_customer(sandbox, coastal, "Webhook - theirs")
    sandbox.control.flush_webhooks()
    assert ours.got == [], "the bridge is not connected to Coastal"
    [event] = theirs.events(0)
    assert (event["intuitaccountid"], event["intuitentityid"]) == (REALM_COASTAL, customer["Id"])
    assert theirs.got[0]["headers"]["intuit-signature"] == signature("their verifier", theirs.got[0]["body"])
    ours_hook = sandbox.control.webhooks(DEFAULT_CLIENT_ID)["webhooks"][DEFAULT_CLIENT_ID]
    assert event["source"] != ours_hook["source"], "a source per app"

    answer = requests.post(f"{sandbox.url}/v2/oauth2/tokens/revoke", auth=OTHER_APP[:2],
                           json={"token": coastal["refresh_token"]}, timeout=10)
    assert answer.status_code == 200
    bridge = sandbox.control.connect(REALM_COASTAL, user="bookkeeper@summit.example")
    new_customer(sandbox, bridge, "Webhook - after the disconnect")
    sandbox.control.flush_webhooks()
    assert len(theirs.got) == 1, "a disconnected app gets nothing"
    assert ours.events(0)[0]["intuitaccountid"] == REALM_COASTAL, "connected now"


def test_an_endpoint_removed_gets_nothing_more(sandbox, hooked):
    rx, tokens = hooked
    new_customer(sandbox, tokens, "Webhook - queued")
    assert sandbox.control.remove_webhook(DEFAULT_CLIENT_ID)["removed"] == [DEFAULT_CLIENT_ID]
    new_customer(sandbox, tokens, "Webhook - after")
    state = sandbox.control.flush_webhooks()
    assert rx.got == [] and state["webhooks"] == {} and state["queue"]["batches"] == []
    assert [d["outcome"] for d in state["deliveries"]] == ["cancelled"]
    with pytest.raises(ControlError, match="no webhook"):
        sandbox.control.remove_webhook(DEFAULT_CLIENT_ID)


def test_an_endpoint_may_want_some_entity_types_only(sandbox, hooked):
    rx, tokens = hooked
    hook = sandbox.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER, entities=["invoice"])
    assert hook["entities"] == ["Invoice"] and "verifier" not in hook
    new_customer(sandbox, tokens, "Webhook - not wanted")
    invoice = new_invoice(sandbox, tokens)
    sandbox.control.flush_webhooks()
    assert [kinds(events) for events in rx.events()] == [[("qbo.invoice.created.v1", invoice["Id"])]]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"entities": ["Widget"]}, "no such entity"),
        ({"entities": []}, "entities"),
        ({"client_id": "nobody"}, "unknown client_id"),
        ({"url": "ftp://example.com/"}, "url"),
        ({"verifier": ""}, "verifier"),
        ({"delay": 301}, "delay"),
        ({"timeout": 0}, "timeout"),
        ({"max_attempts": 0}, "max_attempts"),
    ],
)
def test_an_endpoint_is_checked(sandbox, change, message):
    spec = {"client_id": DEFAULT_CLIENT_ID, "url": "http://127.0.0.1:9/", "verifier": VERIFIER} | change
    answer = requests.post(f"{sandbox.url}/_sandbox/webhooks", json=spec, timeout=10)
    assert answer.status_code == 400 and message in answer.json()["error"]
    with pytest.raises(ControlError):
        sandbox.control.rehearse_webhooks(drop=-1)


def test_the_seed_and_a_reset_send_nothing_and_the_endpoint_stays(sandbox, hooked):
    rx, tokens = hooked
    assert sandbox.control.webhooks()["queue"] == {"batches": [], "deliveries": [], "sending": 0}
    new_customer(sandbox, tokens, "Webhook - before the reset")
    sandbox.control.reset()
    state = sandbox.control.flush_webhooks()
    assert rx.got == [] and DEFAULT_CLIENT_ID in state["webhooks"]


def test_endpoints_survive_the_state_file_and_older_files_load(tmp_path, receiver):
    rx, state = receiver(), tmp_path / "state.json"
    with SandboxServer(state_file=str(state)) as srv:
        srv.control.set_webhook(DEFAULT_CLIENT_ID, rx.url, VERIFIER, entities=["Customer"], delay=1)
    with SandboxServer(state_file=str(state)) as srv:
        hook = srv.control.webhooks()["webhooks"][DEFAULT_CLIENT_ID]
        assert (hook["url"], hook["entities"], hook["delay"]) == (rx.url, ["Customer"], 1)
        new_customer(srv, srv.control.connect(REALM_BLUE_RIDGE), "Webhook - after a restart")
        srv.control.flush_webhooks()
        assert rx.got[0]["headers"]["intuit-signature"] == signature(VERIFIER, rx.got[0]["body"])
    saved = json.loads(state.read_text())
    del saved["data"]["webhooks"]
    state.write_text(json.dumps(saved))
    with SandboxServer(state_file=str(state)) as srv:
        assert srv.control.webhooks()["webhooks"] == {}
