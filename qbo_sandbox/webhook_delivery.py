"""The webhooks' endpoints, their batches and their delivery from a thread of the server:
the rules are in ``webhooks``.

A change through the Accounting API (``record``) adds an event to the open batch of each app
and company it concerns; the batch is closed when its delay is over and becomes a delivery;
a delivery is sent, then retried on the sandbox clock until it succeeds or runs out of
attempts. Every attempt is logged, and ``snapshot`` shows the endpoints, the queue, the
finished deliveries and the attempts.
"""

import collections
import hashlib
import json
import threading
import time

import requests

from .tokens import ACCOUNTING_SCOPE
from .webhooks import (
    DEFAULTS,
    HOLD,
    KEEP,
    MAX_BATCH,
    MAX_WAIT,
    POLL,
    check_entities,
    check_number,
    event,
    log_time,
    retry_delay,
    sign,
    source,
)


def _shown(item, *keys, **more):
    return {key: item[key] for key in keys} | more


class Webhooks:
    """Endpoints in ``store.data["webhooks"]`` (under ``store.lock``); the queue under a
    condition of its own, never held while taking ``store.lock``."""

    def __init__(self, store):
        self.store = store
        self.clock = store.clock
        self._cond = threading.Condition()
        self._batches = {}  # (client_id, realm_id) -> {"events", "due"}
        self._queue = []  # deliveries waiting for their next attempt
        self._sending = 0
        self._next_id = 1
        self._done = collections.deque(maxlen=KEEP)
        self._attempts = collections.deque(maxlen=KEEP)
        self._rehearsal = {"drop": 0, "duplicate": 0, "out_of_order": 0}
        self._stop = threading.Event()
        self._thread = None

    # ------------------------------------------------------------ endpoints

    def hooks(self):
        with self.store.lock:
            return self.store.data.setdefault("webhooks", {})

    def configure(self, body):
        client_id, url, verifier = body.get("client_id"), body.get("url"), body.get("verifier")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("url must be an http:// or https:// URL")
        if not isinstance(verifier, str) or not verifier:
            raise ValueError("verifier must be a non-empty string")
        hook = {"url": url, "verifier": verifier, "entities": check_entities(body.get("entities"))}
        hook.update({name: check_number(body, name) for name in DEFAULTS})
        with self.store.lock:
            if not isinstance(client_id, str) or client_id not in self.store.data["apps"]:
                raise ValueError(f"unknown client_id {client_id!r}")
            self.hooks()[client_id] = hook
            self.store.mark_dirty()
        return {"webhook": self._public(client_id, hook)}

    def remove(self, client_id=None):
        with self.store.lock:
            hooks = self.hooks()
            if client_id is not None and client_id not in hooks:
                raise ValueError(f"no webhook for client_id {client_id!r}")
            removed = [client_id] if client_id is not None else list(hooks)
            for cid in removed:
                del hooks[cid]
            self.store.mark_dirty()
        self._cancel(removed.__contains__)
        return {"ok": True, "removed": removed}

    def clear_queue(self):
        """Forget what is queued (the companies were reset); the endpoints stay."""
        self._cancel(lambda client_id: True)

    def _cancel(self, which):
        with self._cond:
            for key in [key for key in self._batches if which(key[0])]:
                self._finish(self._close(key, self.clock.now(), rehearse=False), "cancelled")
            for delivery in [d for d in self._queue if which(d["client_id"])]:
                self._queue.remove(delivery)
                self._finish(delivery, "cancelled")
            self._cond.notify_all()

    @staticmethod
    def _public(client_id, hook):
        shown = {key: value for key, value in hook.items() if key != "verifier"}
        shown["verifier_sha256"] = hashlib.sha256(hook["verifier"].encode()).hexdigest()[:16]
        return dict(shown, client_id=client_id, source=source(client_id))

    def rehearse(self, body):
        with self._cond:
            for name in self._rehearsal:
                value = body.get(name, self._rehearsal[name])
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} must be a whole number >= 0")
                self._rehearsal[name] = value
            return {"rehearsal": dict(self._rehearsal)}

    # ------------------------------------------------------------ events

    def record(self, realm_id, entity, entity_id, operation, now):
        """A change through the Accounting API (under the company's lock): an event for each
        app connected to the company whose endpoint wants the type."""
        with self.store.lock:
            hooks = self.store.data.get("webhooks")
            if not hooks:
                return
            targets = [
                (client_id, hook["delay"])
                for client_id, hook in hooks.items()
                if client_id in self.store.data["apps"]
                and (hook["entities"] is None or entity in hook["entities"])
                and self._connected(client_id, realm_id, now)
            ]
        with self._cond:
            for client_id, delay in targets:
                key = (client_id, realm_id)
                batch = self._batches.setdefault(key, {"events": [], "due": now + delay})
                batch["events"].append(event(client_id, realm_id, entity, entity_id, operation, now))
                if len(batch["events"]) >= MAX_BATCH:
                    self._queue.append(self._close(key, now))
            self._cond.notify_all()

    def _connected(self, client_id, realm_id, now):
        return any(
            grant["client_id"] == client_id
            and grant["realm_id"] == realm_id
            and not grant["revoked"]
            and grant["hard_expires_at"] > now
            and ACCOUNTING_SCOPE in grant["scope"].split()
            for grant in self.store.data["grants"].values()
        )

    def _close(self, key, now, rehearse=True):
        """A batch becomes a delivery, its body fixed (the caller holds the condition)."""
        events = self._batches.pop(key)["events"]
        held = rehearse and self._take_one("out_of_order")
        if held:
            events.reverse()
        delivery = {
            "id": self._next_id,
            "client_id": key[0],
            "realm_id": key[1],
            "body": json.dumps(events, separators=(",", ":")).encode(),
            "event_ids": [item["id"] for item in events],
            "attempts": 0,
            "held": held,
            "due": now + HOLD if held else now,
        }
        self._next_id += 1
        return delivery

    def _take_one(self, name):
        if self._rehearsal[name] > 0:
            self._rehearsal[name] -= 1
            return True
        return False

    # ------------------------------------------------------------ flush and wait

    def flush(self, body):
        """Everything queued is due now (a held delivery after the others); with ``wait``
        (the default), until each has had its attempt."""
        with self._cond:
            now = self.clock.now()
            for key in list(self._batches):
                self._queue.append(self._close(key, now))
            for delivery in self._queue:
                delivery["due"] = min(delivery["due"], now)
            self._cond.notify_all()
        if body.get("wait", True):
            self._wait_until(self._idle, body)
        return self.snapshot()

    def wait(self, body):
        empty = self._wait_until(lambda now: not (self._batches or self._queue or self._sending), body)
        return dict(self.snapshot(), empty=empty)

    def _idle(self, now):
        return not self._batches and not self._sending and all(d["due"] > now for d in self._queue)

    def _wait_until(self, done, body):
        timeout = body.get("timeout", 10)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 <= timeout <= MAX_WAIT:
            raise ValueError(f"timeout must be a number of seconds from 0 to {MAX_WAIT}")
        end = time.monotonic() + timeout
        with self._cond:
            while not done(self.clock.now()):
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, POLL))
            return True

    # ------------------------------------------------------------ delivery

    def start(self):
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="qbo-sandbox-webhooks", daemon=True)
            self._thread.start()

    def stop(self):
        if self._thread is not None:
            self._stop.set()
            with self._cond:
                self._cond.notify_all()
            self._thread.join()
            self._thread = None

    def _run(self):
        while not self._stop.is_set():
            with self._cond:
                ready = self._take(self.clock.now())
                if not ready:
                    self._cond.wait(self._pause())
                    continue
            for delivery in ready:
                self._attempt(delivery)

    def _take(self, now):
        """The deliveries due, batches due closed first; held ones after the others."""
        for key in [key for key, batch in self._batches.items() if batch["due"] <= now]:
            self._queue.append(self._close(key, now))
        ready = sorted((d for d in self._queue if d["due"] <= now), key=lambda d: (d["held"], d["id"]))
        self._queue = [d for d in self._queue if d["due"] > now]
        self._sending += len(ready)
        return ready

    def _pause(self):
        """Real seconds until the next due time, at most ``POLL`` (the clock may be moved)."""
        dues = [item["due"] for item in list(self._batches.values()) + self._queue]
        if not dues:
            return POLL
        return max(0.005, min(POLL, (min(dues) - self.clock.now()) / self.clock.time_scale))

    def _attempt(self, delivery):
        with self.store.lock:
            hook = dict(self.hooks().get(delivery["client_id"]) or {})
        with self._cond:
            drop = bool(hook) and self._take_one("drop")
            twice = bool(hook) and not drop and self._take_one("duplicate")
        at, results = self.clock.now(), []
        if drop:
            results.append(("dropped", 0.0))
        elif hook:
            signature = sign(hook["verifier"], delivery["body"])
            headers = {"Content-Type": "application/json", "intuit-signature": signature}
            for _ in range(2 if twice else 1):
                results.append(self._post(hook["url"], delivery["body"], headers, hook["timeout"]))
        with self._cond:
            self._sending -= 1
            if hook:
                self._after(delivery, hook, at, results)
            else:
                self._finish(delivery, "cancelled")
            self._cond.notify_all()

    def _after(self, delivery, hook, at, results):
        """Log an attempt, then retry, finish, and let go the deliveries it was to overtake."""
        delivery["attempts"] += 1
        ok = any(isinstance(status, int) and 200 <= status < 300 for status, _ in results)
        again = not ok and delivery["attempts"] < hook["max_attempts"]
        now = self.clock.now()
        next_at = now + retry_delay(delivery["attempts"]) if again else None
        for copy, (status, seconds) in enumerate(results):
            self._attempts.append(
                _shown(delivery, "client_id", "realm_id", "event_ids", delivery=delivery["id"])
                | {"attempt": delivery["attempts"], "at": log_time(at), "url": hook["url"], "status": status}
                | {"seconds": round(seconds, 3), "duplicate": copy > 0}
                | {"next_attempt_at": log_time(next_at) if again else None}
            )
        if not delivery["held"]:
            for other in self._queue:
                earlier = other["client_id"] == delivery["client_id"] and other["id"] < delivery["id"]
                if other["held"] and earlier:
                    other["held"], other["due"] = False, min(other["due"], now)
        delivery["held"] = False
        if again:
            delivery["due"] = next_at
            self._queue.append(delivery)
        else:
            self._finish(delivery, "delivered" if ok else "abandoned")

    @staticmethod
    def _post(url, body, headers, timeout):
        started = time.monotonic()
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
            status = answer.status_code
        except requests.Timeout:
            status = "timeout"
        except requests.RequestException:
            status = "connection error"
        seconds = time.monotonic() - started
        return ("timeout" if seconds > timeout else status), seconds

    def _finish(self, delivery, outcome):
        self._done.append(
            _shown(delivery, "id", "client_id", "realm_id", "event_ids", "attempts", outcome=outcome)
            | {"at": log_time(self.clock.now())}
        )

    # ------------------------------------------------------------ reading

    def snapshot(self, client_id=None):
        def mine(cid):
            return client_id is None or cid == client_id

        with self.store.lock:
            hooks = {cid: self._public(cid, hook) for cid, hook in self.hooks().items() if mine(cid)}
        with self._cond:
            batches = [
                {"client_id": cid, "realm_id": rid, "event_ids": [e["id"] for e in batch["events"]]}
                | {"due_at": log_time(batch["due"])}
                for (cid, rid), batch in self._batches.items()
                if mine(cid)
            ]
            queue = [
                _shown(d, "id", "client_id", "realm_id", "event_ids", "attempts", "held")
                | {"next_attempt_at": log_time(d["due"])}
                for d in self._queue
                if mine(d["client_id"])
            ]
            return {
                "webhooks": hooks,
                "rehearsal": dict(self._rehearsal),
                "queue": {"batches": batches, "deliveries": queue, "sending": self._sending},
                "deliveries": [d for d in self._done if mine(d["client_id"])],
                "attempts": [a for a in self._attempts if mine(a["client_id"])],
            }
