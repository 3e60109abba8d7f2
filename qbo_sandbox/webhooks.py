"""Intuit's webhooks in the CloudEvents format: each app's endpoint, the events of the
changes made through the Accounting API, and their delivery, retries and bad days.

An app (see ``POST /_sandbox/apps``) has at most one endpoint: a URL, a verifier token,
the entity types it wants (all by default), an aggregation delay, a timeout and a number
of attempts (``POST /_sandbox/webhooks``). The endpoints are kept
in the state file beside the apps; batches, deliveries and the delivery log live in
memory only (see ``webhook_delivery``, which sends them from a thread of its own).

Following Intuit's documentation (the webhooks pages of developer.intuit.com, its best
practices, and the announcement of the CloudEvents payload of November 2025):

- a delivery is a JSON array of events ``{"specversion": "1.0", "id", "source", "type":
  "qbo.<entity>.<created|updated|deleted|voided|merged>.v1", "datacontenttype":
  "application/json", "time", "intuitentityid", "intuitaccountid", "data": {}}``, with
  those names in lower case and the two Intuit ids as strings;
- the ``intuit-signature`` header is base64(HMAC-SHA256(verifier token, raw body));
- only companies the app is connected to through OAuth 2.0 get events, and only for
  changes made after the connection;
- notifications are sent one company at a time: a batch is per app and company;
- Intuit aggregates events for 0 to 5 minutes (a setting of the app); the endpoint must
  answer 2xx within 3 seconds; a failed delivery is retried after 10 s, 20 s, 30 s, 5 min,
  20 min, 2 h, 4 h, 6 h, then every 6 h.

Chosen here, where the documentation says nothing:

- ``source`` is ``intuit.`` + base64(SHA-256(client_id)), stable per app and of the shape
  of Intuit's sample; ``time`` is the sandbox time of the change, in UTC with nanoseconds
  and a ``Z`` as in that sample; the type's entity is the QBO name in lower case
  (``salesreceipt``);
- a create, an update, a delete and a void make one event each (the sandbox has no merge,
  and making a name inactive is an update); the seed makes none;
- the delay defaults to 3 s of sandbox time; the timeout (3 s) is in real seconds, as the
  endpoint answers in real time; a delivery has at most 20 attempts, then is abandoned; a
  redirect is a failure; a batch holds at most 500 events;
- a failing delivery does not hold back the later ones (Intuit says it may);
- a retry sends the same bytes, signed with the verifier of that moment; a removed
  endpoint gets nothing more, not even what was queued for it.

Bad days, over all apps (``rehearse``): ``drop`` N sends the next N attempts nowhere and
counts them failed (so they are retried); ``duplicate`` N sends the next N deliveries
twice in a row; ``out_of_order`` N holds the next N batches back, their events reversed,
until a later delivery of the same app has gone out (or 60 s of sandbox time have passed).
"""

import base64
import hashlib
import hmac
import math
import uuid
from datetime import datetime, timezone

from . import types

RETRY_DELAYS = (10, 20, 30, 300, 1200, 7200, 14400, 21600)  # then 21600 each time
DEFAULTS = {"delay": 3.0, "timeout": 3.0, "max_attempts": 20}
LIMITS = {"delay": 300, "timeout": 30, "max_attempts": 100}
OPERATIONS = {"create": "created", "update": "updated", "delete": "deleted", "void": "voided"}
MAX_BATCH = 500
HOLD = 60
KEEP = 1000
POLL = 0.05
MAX_WAIT = 60


def cloud_time(epoch):
    """``2025-09-10T21:31:25.179851517Z``: an event's ``time``."""
    whole = math.floor(epoch)
    stamp = datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{int((epoch - whole) * 1e9):09d}Z"


def log_time(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds")


def source(client_id):
    return "intuit." + base64.b64encode(hashlib.sha256(client_id.encode()).digest()).decode()


def sign(verifier, body):
    return base64.b64encode(hmac.new(verifier.encode(), body, hashlib.sha256).digest()).decode()


def event(client_id, realm_id, entity, entity_id, operation, now):
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source(client_id),
        "type": f"qbo.{entity.lower()}.{OPERATIONS[operation]}.v1",
        "datacontenttype": "application/json",
        "time": cloud_time(now),
        "intuitentityid": str(entity_id),
        "intuitaccountid": realm_id,
        "data": {},
    }


def retry_delay(attempts):
    """Sandbox seconds before the next attempt, after ``attempts`` failed ones."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def check_number(body, name):
    value, whole = body.get(name, DEFAULTS[name]), name == "max_attempts"
    if (
        isinstance(value, bool)
        or not isinstance(value, int if whole else (int, float))
        or not (1 if whole else 0) <= value <= LIMITS[name]
        or (name == "timeout" and value == 0)
    ):
        low = {"delay": "from 0", "timeout": "above 0", "max_attempts": "a whole number from 1"}[name]
        raise ValueError(f"{name} must be {low} to {LIMITS[name]}")
    return value


def check_entities(raw):
    if raw is None:
        return None
    known = {name.lower(): name for name in types.NAMES}
    if not isinstance(raw, list) or not raw or not all(isinstance(name, str) for name in raw):
        raise ValueError("entities must be a non-empty list of entity names")
    unknown = [name for name in raw if name.lower() not in known]
    if unknown:
        raise ValueError(f"no such entity in the sandbox: {unknown}; known: {list(types.NAMES)}")
    return sorted({known[name.lower()] for name in raw})


ENDPOINTS = {
    "GET|POST|DELETE /_sandbox/webhooks": '{"client_id", "url", "verifier", "entities"?, "delay"?, '
    '"timeout"?, "max_attempts"?}; GET ?client_id= -> config, queue, deliveries, attempts; '
    "DELETE ?client_id= removes one (all without)",
    "POST /_sandbox/webhooks/rehearse": '{"drop"?, "duplicate"?, "out_of_order"?} the next N deliveries',
    "POST /_sandbox/webhooks/flush": '{"wait"?: true, "timeout"?} everything queued goes out now',
    "POST /_sandbox/webhooks/wait": '{"timeout"?} until nothing is queued (retries included)',
}


def control_routes(webhooks):
    """The control API's routes for webhooks (handlers take ``(body, args)``)."""
    return {
        ("GET", "/_sandbox/webhooks"): lambda body, args: webhooks.snapshot(args.get("client_id")),
        ("POST", "/_sandbox/webhooks"): lambda body, args: webhooks.configure(body),
        ("DELETE", "/_sandbox/webhooks"): lambda body, args: webhooks.remove(args.get("client_id")),
        ("POST", "/_sandbox/webhooks/rehearse"): lambda body, args: webhooks.rehearse(body),
        ("POST", "/_sandbox/webhooks/flush"): lambda body, args: webhooks.flush(body),
        ("POST", "/_sandbox/webhooks/wait"): lambda body, args: webhooks.wait(body),
    }


class WebhookControl:
    """``Control``'s methods for webhooks (see ``control.Control``)."""

    def set_webhook(
        self, client_id, url, verifier, entities=None, delay=None, timeout=None, max_attempts=None
    ):
        spec = {"entities": entities, "delay": delay, "timeout": timeout, "max_attempts": max_attempts}
        payload = {"client_id": client_id, "url": url, "verifier": verifier}
        payload.update({key: value for key, value in spec.items() if value is not None})
        return self._call("POST", "/webhooks", payload)["webhook"]

    def webhooks(self, client_id=None):
        return self._call("GET", "/webhooks", params={"client_id": client_id} if client_id else None)

    def remove_webhook(self, client_id=None):
        return self._call("DELETE", "/webhooks", params={"client_id": client_id} if client_id else None)

    def rehearse_webhooks(self, drop=None, duplicate=None, out_of_order=None):
        spec = {"drop": drop, "duplicate": duplicate, "out_of_order": out_of_order}
        return self._call("POST", "/webhooks/rehearse", {k: v for k, v in spec.items() if v is not None})

    def flush_webhooks(self, wait=True, timeout=10):
        return self._call("POST", "/webhooks/flush", {"wait": wait, "timeout": timeout}, timeout=timeout + 10)

    def wait_webhooks(self, timeout=10):
        return self._call("POST", "/webhooks/wait", {"timeout": timeout}, timeout=timeout + 10)
