"""The control API under ``/_sandbox/`` (never one of Intuit's paths) and ``Control``, a
small Python client for it.

Tests and benchmarks use it to reset companies, skip the consent pages, inject faults,
add latency, move the sandbox clock, tune the throttles, set up and rehearse webhooks
(see ``webhooks``), and read counters and state.
Tokens never leave it in clear: the state dump shows a prefix, a suffix and a hash.
"""

import hashlib
import json
import re

import requests
from werkzeug.wrappers import Response

from . import entities, seed, types, webhooks
from .clock import utc_iso
from .faults import MAX_SECONDS
from .oauth import with_query
from .tokens import ACCOUNTING_SCOPE, parse_scope

ENDPOINTS = {
    "POST /_sandbox/reset": '{"seed": true} back to the seeded companies ({"seed": false}: no records)',
    "POST /_sandbox/apps": '{"client_id", "client_secret", "redirect_uris": [...], "name"?} register an app',
    "POST /_sandbox/companies": '{"name", "edition"?, "realm_id"?, "user"?} add a company with no records, '
    "its own throttles, and the user (default: the first) allowed into it",
    "POST /_sandbox/authorize": '{"realm_id", "client_id"?, "redirect_uri"?, "scope"?, "state"?, "user"?} '
    "-> code, without the consent pages",
    "POST /_sandbox/tokens": '{"realm_id", "client_id"?, "redirect_uri"?, "user"?} -> a fresh token response',
    "GET|POST|DELETE /_sandbox/faults": '{"kind", "times"|"rate", "path"?, "seconds"?, "realm_id"?, "seed"?}',
    "GET|POST /_sandbox/latency": '{"seconds": 0.15} added to every Intuit request (real seconds, <= 120)',
    "GET|POST /_sandbox/clock": '{"advance": seconds} moves the sandbox clock forward (<= ten years a call)',
    "GET|POST /_sandbox/limits": '{"enabled", "requests_per_minute", "batches_per_minute", "max_concurrent"}',
    "GET|DELETE /_sandbox/counters": "requests per endpoint, reads (metered), writes, rejected, injected, "
    "faults, replays",
    "GET /_sandbox/state": "?realm_id= dump of companies (customers, vendors, employees; how many records "
    "of each type; deletions), apps and (masked) tokens",
    "GET /_sandbox/sms": "latest text-message codes of the consent pages",
    **webhooks.ENDPOINTS,
}


# Ten years a call: enough for any token lifetime, and far from the end of datetime's range.
MAX_ADVANCE = 10 * 365 * 86400


class ControlError(Exception):
    pass


def _seconds(body, name, most):
    """A JSON number from 0 to ``most``: not a boolean, a string, NaN or infinity."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= most:
        raise ControlError(f"{name} must be a number of seconds from 0 to {most}")
    return value


def _mask(token):
    return {"token": f"{token[:6]}...{token[-4:]}", "sha256": hashlib.sha256(token.encode()).hexdigest()[:16]}


def _json(payload, status=200):
    return Response(json.dumps(payload, indent=1), status=status, content_type="application/json")


class ControlApi:
    def __init__(self, app):
        self.app = app
        self.store = app.store
        self.tokens = app.tokens
        self.routes = {
            ("GET", "/_sandbox"): lambda body, args: {"endpoints": ENDPOINTS},
            ("POST", "/_sandbox/reset"): self.reset,
            ("POST", "/_sandbox/apps"): self.add_app,
            ("POST", "/_sandbox/companies"): self.add_company,
            ("POST", "/_sandbox/authorize"): self.authorize,
            ("POST", "/_sandbox/tokens"): self.connect,
            ("GET", "/_sandbox/faults"): lambda body, args: {"faults": app.faults.rules()},
            ("POST", "/_sandbox/faults"): self.add_fault,
            ("DELETE", "/_sandbox/faults"): self.clear_faults,
            ("GET", "/_sandbox/latency"): lambda body, args: {"seconds": app.latency},
            ("POST", "/_sandbox/latency"): self.set_latency,
            ("GET", "/_sandbox/clock"): lambda body, args: self.clock(),
            ("POST", "/_sandbox/clock"): self.advance_clock,
            ("GET", "/_sandbox/limits"): lambda body, args: self.limits(),
            ("POST", "/_sandbox/limits"): self.set_limits,
            ("GET", "/_sandbox/counters"): lambda body, args: app.counters.snapshot(),
            ("DELETE", "/_sandbox/counters"): self.reset_counters,
            ("GET", "/_sandbox/state"): self.state,
            ("GET", "/_sandbox/sms"): self.sms,
            **webhooks.control_routes(app.webhooks),
        }

    def handle(self, request, path):
        route = self.routes.get((request.method, path))
        if route is None:
            return _json(
                {"error": f"no control endpoint {request.method} {path}", "endpoints": ENDPOINTS}, 404
            )
        body = {}
        if request.method == "POST" and request.get_data():
            try:
                body = json.loads(request.get_data(as_text=True))
            except ValueError:
                return _json({"error": "the body must be JSON"}, 400)
            if not isinstance(body, dict):
                return _json({"error": "the body must be a JSON object"}, 400)
        try:
            return _json(route(body, request.args))
        except (ControlError, ValueError, TypeError) as exc:
            return _json({"error": str(exc)}, 400)

    # ------------------------------------------------------------ companies and apps

    def reset(self, body, args):
        self.store.reset(with_records=bool(body.get("seed", True)))
        self.app.faults.clear()
        self.app.limiter.reset()
        self.app.counters.reset()
        self.app.webhooks.clear_queue()
        return {"ok": True, "realms": sorted(self.store.data["realms"])}

    def add_app(self, body, args):
        self.tokens.register_app(
            body.get("client_id"), body.get("client_secret"), body.get("redirect_uris"), body.get("name")
        )
        return {"ok": True, "client_id": body["client_id"]}

    def add_company(self, body, args):
        """A company as Intuit's developer portal adds a sandbox company: a new realm, empty,
        with the edition's company info and preferences, throttled on its own like every company,
        that one user may connect. A reset removes it."""
        name = body.get("name")
        if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
            raise ControlError("name must be a company name of 1 to 100 characters")
        edition = body.get("edition", "plus")
        if edition not in seed.EDITIONS:
            raise ControlError(f"edition must be one of {sorted(seed.EDITIONS)}")
        realm_id = body.get("realm_id")
        if realm_id is not None and not (isinstance(realm_id, str) and re.fullmatch("[0-9]{1,32}", realm_id)):
            raise ControlError("realm_id must be a string of 1 to 32 digits")
        with self.store.lock:
            realms, users = self.store.data["realms"], self.store.data["users"]
            user = body.get("user") or next(iter(users))
            if user not in users:
                raise ControlError(f"unknown user {user!r}")
            if realm_id is None:
                realm_id = str(max(int(known) for known in realms) + 1 if realms else 9341453050298551)
            if realm_id in realms:
                raise ControlError(f"realm_id {realm_id} is a company already")
            realms[realm_id] = seed.added_realm(realm_id, name.strip(), edition, self.store.clock.now())
            if realm_id not in users[user]["realms"]:
                users[user]["realms"].append(realm_id)
            self.store.mark_dirty()
        return {"realm_id": realm_id, "company_name": name.strip(), "edition": edition, "user": user}

    def _consent(self, body):
        """Check an authorize request as the consent pages would, minus the person."""
        realm_id = str(body.get("realm_id") or "")
        if realm_id not in self.store.data["realms"]:
            raise ControlError(f"unknown realm_id {realm_id!r}")
        client_id = body.get("client_id") or next(iter(self.store.data["apps"]), None)
        app = self.tokens.app(client_id)
        if app is None:
            raise ControlError(f"unknown client_id {client_id!r}")
        redirect_uri = body.get("redirect_uri") or app["redirect_uris"][0]
        if redirect_uri not in app["redirect_uris"]:
            raise ControlError(f"redirect_uri {redirect_uri!r} is not registered for {client_id}")
        scopes = parse_scope(body.get("scope") or ACCOUNTING_SCOPE)
        if scopes is None:
            raise ControlError(f"unsupported scope {body.get('scope')!r}")
        users = self.store.data["users"]
        user = body.get("user") or next(
            (email for email, u in users.items() if realm_id in u["realms"]), None
        )
        if user not in users or realm_id not in users[user]["realms"]:
            raise ControlError(f"user {user!r} has no access to realm {realm_id}")
        code = self.tokens.issue_code(client_id, redirect_uri, realm_id, user, " ".join(scopes))
        return client_id, redirect_uri, code

    def authorize(self, body, args):
        _, redirect_uri, code = self._consent(body)
        params = {"code": code, "realmId": str(body["realm_id"])}
        if body.get("state") is not None:
            params["state"] = body["state"]
        return {
            "code": code,
            "realm_id": str(body["realm_id"]),
            "redirect_url": with_query(redirect_uri, params),
        }

    def connect(self, body, args):
        client_id, redirect_uri, code = self._consent(body)
        tokens = self.tokens.exchange_code(
            client_id, code, redirect_uri, bool(body.get("include_hard_expiry"))
        )
        return dict(tokens, realm_id=str(body["realm_id"]))

    # ------------------------------------------------------------ faults, latency, clock, limits

    def add_fault(self, body, args):
        return {"fault": self.app.faults.add(body)}

    def clear_faults(self, body, args):
        self.app.faults.clear()
        return {"ok": True}

    def set_latency(self, body, args):
        self.app.latency = float(_seconds(body, "seconds", MAX_SECONDS))
        return {"seconds": self.app.latency}

    def clock(self):
        now = self.store.clock.now()
        return {"now": now, "now_utc": utc_iso(now), "time_scale": self.store.clock.time_scale}

    def advance_clock(self, body, args):
        self.store.clock.advance(_seconds(body, "advance", MAX_ADVANCE))
        return self.clock()

    def limits(self):
        limiter = self.app.limiter
        return {
            "enabled": limiter.enabled,
            "requests_per_minute": limiter.requests_per_minute,
            "batches_per_minute": limiter.batches_per_minute,
            "max_concurrent": limiter.max_concurrent,
        }

    def set_limits(self, body, args):
        limiter = self.app.limiter
        if "enabled" in body:
            if not isinstance(body["enabled"], bool):
                raise ControlError("enabled must be true or false")
            limiter.enabled = body["enabled"]
        for name in ("requests_per_minute", "batches_per_minute", "max_concurrent"):
            if name in body:
                value = body[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ControlError(f"{name} must be a whole number >= 1")
                setattr(limiter, name, value)
        return self.limits()

    def reset_counters(self, body, args):
        self.app.counters.reset()
        return {"ok": True}

    # ------------------------------------------------------------ reading

    def state(self, body, args):
        wanted = args.get("realm_id")
        data = self.store.data
        realms = {}
        for realm_id in list(data["realms"]):
            if wanted and realm_id != wanted:
                continue
            with self.store.realm_lock(realm_id):
                realm = self.store.realm(realm_id)
                realms[realm_id] = {
                    "company_name": realm["company"]["CompanyName"],
                    "customers": entities.render_all(realm, "Customer"),
                    "vendors": entities.render_all(realm, "Vendor"),
                    "employees": entities.render_all(realm, "Employee"),
                    "counts": {name: len(realm["entities"][name]) for name in types.NAMES},
                    "deleted": {
                        name: [{"Id": i, "deleted_at": utc_iso(when)} for i, when in graves.items()]
                        for name, graves in realm["deleted"].items()
                    },
                    "replayable_request_ids": len(realm["requests"]),
                }
        with self.store.lock:
            grants = []
            for grant_id, grant in data["grants"].items():
                if wanted and grant["realm_id"] != wanted:
                    continue
                grants.append(
                    {
                        "client_id": grant["client_id"],
                        "realm_id": grant["realm_id"],
                        "user": grant["user"],
                        "scope": grant["scope"],
                        "revoked": grant["revoked"],
                        "created_at": utc_iso(grant["created_at"]),
                        "hard_expires_at": utc_iso(grant["hard_expires_at"]),
                        "refresh_tokens": [
                            dict(
                                _mask(value),
                                issued_at=utc_iso(r["issued_at"]),
                                expires_at=utc_iso(r["expires_at"]),
                                superseded=r["superseded"],
                            )
                            for value, r in data["refresh_tokens"].items()
                            if r["grant"] == grant_id
                        ],
                        "access_tokens": [
                            dict(_mask(value), expires_at=utc_iso(r["expires_at"]))
                            for value, r in data["access_tokens"].items()
                            if r["grant"] == grant_id
                        ],
                    }
                )
            apps = {
                client_id: {
                    "name": app["name"],
                    "redirect_uris": app["redirect_uris"],
                    "client_secret": _mask(app["client_secret"])["token"],
                }
                for client_id, app in data["apps"].items()
            }
        return {"now": utc_iso(self.store.clock.now()), "apps": apps, "realms": realms, "grants": grants}

    def sms(self, body, args):
        return {"messages": [dict(m, sent_at=utc_iso(m["sent_at"])) for m in self.app.oauth.sms]}


class Control(webhooks.WebhookControl):
    """Python client of the control API: ``Control(srv.url)`` or ``srv.control``."""

    def __init__(self, base_url, timeout=10):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()

    def _call(self, method, path, payload=None, params=None, timeout=None):
        url = f"{self.base_url}/_sandbox{path}"
        response = self._http.request(method, url, json=payload, params=params, timeout=timeout or self.timeout)
        body = response.json()
        if response.status_code != 200:
            raise ControlError(body.get("error", response.text))
        return body

    def reset(self, seed=True):
        return self._call("POST", "/reset", {"seed": seed})

    def add_app(self, client_id, client_secret, redirect_uris, name=None):
        return self._call(
            "POST",
            "/apps",
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": list(redirect_uris),
                "name": name,
            },
        )

    def add_company(self, name, edition=None, realm_id=None, user=None):
        spec = {"name": name, "edition": edition, "realm_id": realm_id, "user": user}
        return self._call("POST", "/companies", {k: v for k, v in spec.items() if v is not None})

    def authorize(
        self, realm_id, client_id=None, redirect_uri=None, scope=ACCOUNTING_SCOPE, state=None, user=None
    ):
        return self._call(
            "POST",
            "/authorize",
            {
                "realm_id": realm_id,
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scope": scope,
                "state": state,
                "user": user,
            },
        )

    def connect(self, realm_id, client_id=None, redirect_uri=None, user=None, include_hard_expiry=False):
        return self._call(
            "POST",
            "/tokens",
            {
                "realm_id": realm_id,
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "user": user,
                "include_hard_expiry": include_hard_expiry,
            },
        )

    def inject_fault(self, kind, times=None, rate=None, path=None, seconds=None, realm_id=None, seed=None):
        spec = {
            "kind": kind,
            "times": times,
            "rate": rate,
            "path": path,
            "seconds": seconds,
            "realm_id": realm_id,
            "seed": seed,
        }
        return self._call("POST", "/faults", {k: v for k, v in spec.items() if v is not None})["fault"]

    def faults(self):
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self):
        return self._call("DELETE", "/faults")

    def set_latency(self, seconds):
        return self._call("POST", "/latency", {"seconds": seconds})

    def advance_clock(self, seconds):
        return self._call("POST", "/clock", {"advance": seconds})

    def now(self):
        return self._call("GET", "/clock")

    def set_limits(self, **limits):
        return self._call("POST", "/limits", limits)

    def counters(self):
        return self._call("GET", "/counters")

    def reset_counters(self):
        return self._call("DELETE", "/counters")

    def state(self, realm_id=None):
        return self._call("GET", "/state", params={"realm_id": realm_id} if realm_id else None)

    def sms(self):
        return self._call("GET", "/sms")["messages"]
