"""Intuit's OAuth 2.0 token rules, on the sandbox clock.

A person's consent creates a grant (app x company x user). Under it:
- authorization codes: single use, valid ``CODE_TTL`` seconds, bound to the redirect URI;
- access tokens: 3600 s;
- refresh tokens: rolling 100 days (each use restarts the window), capped by a 5-year hard
  expiry; the value is kept for about 24 hours, after which a refresh hands out a new
  value and the old one stops working.
Revoking any token of a grant disconnects the whole grant, as Intuit's disconnect does.
"""

import secrets
import string

from . import errors

DAY = 86400
ACCESS_TTL = 3600
REFRESH_TTL = 100 * DAY
ROTATE_AFTER = DAY
HARD_TTL = 5 * 365 * DAY
# Intuit documents codes as short-lived; the sandbox gives them five minutes.
CODE_TTL = 300
ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
SCOPES = {
    ACCOUNTING_SCOPE: "QuickBooks Online accounting data",
    "com.intuit.quickbooks.payment": "QuickBooks Payments",
    "openid": "Your Intuit account identity",
    "profile": "Your name",
    "email": "Your email address",
    "phone": "Your phone number",
    "address": "Your address",
}
_ALNUM = string.ascii_letters + string.digits
_ACCESS_HEADER = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0"
PRUNE_EVERY = 200


class AuthFailure(Exception):
    """An Accounting API request refused before it reached the company: 401 or 403."""

    def __init__(self, status, detail=None):
        super().__init__(detail or status)
        self.status = status
        self.detail = detail


def _alnum(length):
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def parse_scope(scope):
    """The requested scopes, or None when a scope is unknown or the list is empty."""
    names = [part for part in (scope or "").split() if part]
    if not names or any(name not in SCOPES for name in names):
        return None
    return names


class TokenService:
    def __init__(self, store):
        self.store = store
        self.clock = store.clock
        self._issued = 0

    @property
    def data(self):
        return self.store.data

    # ------------------------------------------------------------ apps

    def app(self, client_id):
        return self.data["apps"].get(client_id or "")

    def check_client(self, client_id, client_secret):
        app = self.app(client_id)
        if app is None or not secrets.compare_digest(app["client_secret"], client_secret or ""):
            raise errors.invalid_client()
        return app

    def register_app(self, client_id, client_secret, redirect_uris, name=None):
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        if not isinstance(redirect_uris, list) or not all(isinstance(u, str) and u for u in redirect_uris):
            raise ValueError("redirect_uris must be a list of URLs")
        with self.store.lock:
            self.data["apps"][client_id] = {
                "client_secret": client_secret,
                "redirect_uris": list(redirect_uris),
                "name": name or client_id,
            }
            self.store.mark_dirty()

    # ------------------------------------------------------------ codes

    def issue_code(self, client_id, redirect_uri, realm_id, user, scope):
        now = self.clock.now()
        code = f"AB11{int(now + CODE_TTL)}{_alnum(36)}"
        with self.store.lock:
            self.data["codes"][code] = {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "realm_id": realm_id,
                "user": user,
                "scope": scope,
                "expires_at": now + CODE_TTL,
                "used": False,
            }
            self.store.mark_dirty()
        return code

    def exchange_code(self, client_id, code, redirect_uri, include_hard=False):
        with self.store.lock:
            now = self.clock.now()
            record = self.data["codes"].get(code or "")
            if (
                record is None
                or record["used"]
                or record["expires_at"] <= now
                or record["client_id"] != client_id
                or record["redirect_uri"] != redirect_uri
            ):
                raise errors.invalid_grant()
            record["used"] = True
            grant_id = _alnum(24)
            self.data["grants"][grant_id] = {
                "client_id": client_id,
                "realm_id": record["realm_id"],
                "user": record["user"],
                "scope": record["scope"],
                "created_at": now,
                "hard_expires_at": now + HARD_TTL,
                "revoked": False,
            }
            refresh = self._new_refresh(grant_id, now)
            return self._response(grant_id, refresh, now, include_hard)

    # ------------------------------------------------------------ refresh and revoke

    def refresh(self, client_id, refresh_token, include_hard=False):
        with self.store.lock:
            now = self.clock.now()
            record = self.data["refresh_tokens"].get(refresh_token or "")
            grant = self.data["grants"].get(record["grant"]) if record else None
            if (
                grant is None
                or grant["revoked"]
                or grant["client_id"] != client_id
                or record["superseded"]
                or record["expires_at"] <= now
                or grant["hard_expires_at"] <= now
            ):
                raise errors.invalid_grant()
            if now - record["issued_at"] >= ROTATE_AFTER:
                record["superseded"] = True
                refresh_token = self._new_refresh(record["grant"], now)
            else:
                record["expires_at"] = min(now + REFRESH_TTL, grant["hard_expires_at"])
            return self._response(record["grant"], refresh_token, now, include_hard)

    def revoke(self, client_id, token):
        """Disconnect the grant behind an access or refresh token of this app."""
        with self.store.lock:
            record = self.data["refresh_tokens"].get(token) or self.data["access_tokens"].get(token)
            grant = self.data["grants"].get(record["grant"]) if record else None
            if grant is not None and grant["client_id"] == client_id:
                grant["revoked"] = True
                self.store.mark_dirty()

    def revoke_grant_of_refresh(self, refresh_token):
        """Fault injection: the person disconnected the app; returns whether a grant died."""
        with self.store.lock:
            record = self.data["refresh_tokens"].get(refresh_token or "")
            grant = self.data["grants"].get(record["grant"]) if record else None
            if grant is None:
                return False
            grant["revoked"] = True
            self.store.mark_dirty()
            return True

    def realm_of_refresh(self, refresh_token):
        record = self.data["refresh_tokens"].get(refresh_token or "")
        grant = self.data["grants"].get(record["grant"]) if record else None
        return grant["realm_id"] if grant else None

    # ------------------------------------------------------------ access tokens

    def authenticate(self, authorization, realm_id):
        """The grant behind a ``Bearer`` header, if it may use this company."""
        token = _bearer(authorization)
        with self.store.lock:
            record = self.data["access_tokens"].get(token) if token else None
            if record is None:
                raise AuthFailure(401, "Token invalid")
            grant = self.data["grants"].get(record["grant"])
            if grant is None or grant["revoked"]:
                raise AuthFailure(401, "Token revoked")
            if record["expires_at"] <= self.clock.now():
                raise AuthFailure(401, f"Token expired: {token[:12]}...")
            if grant["realm_id"] != realm_id or realm_id not in self.data["realms"]:
                raise AuthFailure(403)
            return grant

    def expire_access_token(self, authorization):
        token = _bearer(authorization)
        with self.store.lock:
            record = self.data["access_tokens"].get(token) if token else None
            if record is not None:
                record["expires_at"] = min(record["expires_at"], self.clock.now())
                self.store.mark_dirty()

    def user_of(self, authorization):
        token = _bearer(authorization)
        with self.store.lock:
            record = self.data["access_tokens"].get(token) if token else None
            grant = self.data["grants"].get(record["grant"]) if record else None
            if grant is None or grant["revoked"] or record["expires_at"] <= self.clock.now():
                return None
            return grant

    # ------------------------------------------------------------ internals

    def _new_refresh(self, grant_id, now):
        grant = self.data["grants"][grant_id]
        value = f"AB11{int(now + REFRESH_TTL)}{_alnum(36)}"
        self.data["refresh_tokens"][value] = {
            "grant": grant_id,
            "issued_at": now,
            "superseded": False,
            "expires_at": min(now + REFRESH_TTL, grant["hard_expires_at"]),
        }
        return value

    def _response(self, grant_id, refresh_token, now, include_hard):
        access = f"{_ACCESS_HEADER}..{_alnum(22)}.{_alnum(640)}.{_alnum(22)}"
        self.data["access_tokens"][access] = {"grant": grant_id, "expires_at": now + ACCESS_TTL}
        self._issued += 1
        if self._issued % PRUNE_EVERY == 0:
            self._prune(now)
        self.store.mark_dirty()
        grant = self.data["grants"][grant_id]
        refresh = self.data["refresh_tokens"][refresh_token]
        body = {
            "token_type": "bearer",
            "expires_in": ACCESS_TTL,
            "refresh_token": refresh_token,
            "x_refresh_token_expires_in": round(refresh["expires_at"] - now),
            "access_token": access,
        }
        if include_hard:
            body["x_refresh_token_hard_expires_in"] = round(grant["hard_expires_at"] - now)
        return body

    def _prune(self, now):
        """Forget what can never be used again, so long benchmarks stay small."""
        for table in ("access_tokens", "codes"):
            rows = self.data[table]
            for key in [k for k, v in rows.items() if v["expires_at"] < now - DAY]:
                del rows[key]
        rows = self.data["refresh_tokens"]
        for key in [k for k, v in rows.items() if v["superseded"] and v["expires_at"] < now]:
            del rows[key]


def _bearer(authorization):
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
