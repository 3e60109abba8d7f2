"""Faults injected through the control API, to rehearse what Intuit does on a bad day.

A rule fires for the next ``times`` matching requests, or for each matching request with
probability ``rate``. Without a ``path`` filter a rule matches where its kind makes sense:
the Accounting API for most kinds, the token endpoint for ``revoke_refresh_token``.
"""

import itertools
import random
import threading

GATEWAY_KINDS = ("429", "500", "503", "slow")
KINDS = GATEWAY_KINDS + ("drop_after_write", "expire_access_token", "revoke_refresh_token")
DEFAULT_SCOPE = {kind: "/v3/company/" for kind in KINDS}
DEFAULT_SCOPE["revoke_refresh_token"] = "/oauth2/v1/tokens/bearer"
DEFAULT_SLOW_SECONDS = 2.0
# Intuit times out requests over 120 s: a slower answer has nothing left to rehearse.
MAX_SECONDS = 120


class FaultInjector:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._ids = itertools.count(1)

    def add(self, spec):
        """Validate and register a rule; returns its public description."""
        if not isinstance(spec, dict):
            raise TypeError("a fault is a JSON object")
        kind = str(spec.get("kind", ""))
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        times, rate = spec.get("times"), spec.get("rate")
        if times is not None and rate is not None:
            raise ValueError("give either times or rate, not both")
        if rate is not None:
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
                raise ValueError("rate must be a number between 0 and 1")
        else:
            times = 1 if times is None else times
            if isinstance(times, bool) or not isinstance(times, int) or times < 1:
                raise ValueError("times must be a positive whole number")
        seconds = spec.get("seconds", DEFAULT_SLOW_SECONDS if kind == "slow" else None)
        if seconds is not None and (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not 0 <= seconds <= MAX_SECONDS
        ):
            raise ValueError(f"seconds must be a number from 0 to {MAX_SECONDS}")
        rule = {
            "id": next(self._ids),
            "kind": kind,
            "times": times,
            "rate": rate,
            "path": spec.get("path") or None,
            "realm_id": str(spec["realm_id"]) if spec.get("realm_id") else None,
            "seconds": seconds,
            "fired": 0,
            "_random": random.Random(spec.get("seed")),
        }
        with self._lock:
            self._rules.append(rule)
        return self._public(rule)

    def clear(self):
        with self._lock:
            self._rules.clear()

    def rules(self):
        with self._lock:
            return [self._public(rule) for rule in self._rules]

    def take(self, kinds, path, realm_id=None):
        """The first rule of one of ``kinds`` that fires for this request, consumed; or None."""
        with self._lock:
            for rule in self._rules:
                if rule["kind"] not in kinds or not self._matches(rule, path, realm_id):
                    continue
                if rule["rate"] is not None:
                    if rule["_random"].random() >= rule["rate"]:
                        continue
                else:
                    rule["times"] -= 1
                    if rule["times"] == 0:
                        self._rules.remove(rule)
                rule["fired"] += 1
                return self._public(rule)
        return None

    @staticmethod
    def _matches(rule, path, realm_id):
        scope = rule["path"] or DEFAULT_SCOPE[rule["kind"]]
        if scope not in path:
            return False
        return rule["realm_id"] is None or rule["realm_id"] == realm_id

    @staticmethod
    def _public(rule):
        return {key: value for key, value in rule.items() if not key.startswith("_")}
