"""The OAuth half of the Intuit client: intuit-oauth's AuthClient with timeouts, token lifetimes
and errors translated to :class:`QboError`. The Accounting API half is :mod:`.client`.
"""
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks

from .errors import QboAuthError, QboError

ENVIRONMENTS = ("production", "sandbox", "local")
DEFAULT_TIMEOUT = 30
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
# Intuit documents 100 days; used only when a token reply leaves the refresh lifetime out.
DEFAULT_REFRESH_LIFETIME = timedelta(days=100)
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_TOKEN_ATTRIBUTES = ("access_token", "refresh_token", "expires_in", "x_refresh_token_expires_in",
                     "x_refresh_token_hard_expires_in")

def utcnow():
    """The current time as a naive UTC datetime, the form Odoo stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass
class QboTokens:
    """The OAuth tokens of one QuickBooks company; expiries are naive UTC datetimes."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime
    refresh_hard_expires_at: datetime = None

    def access_expires_within(self, margin, now):
        """:return: True when the access token is unknown-aged or expires within ``margin`` of ``now``"""
        return self.access_expires_at is None or self.access_expires_at - now <= margin


class _AuthClient(AuthClient):
    """intuit-oauth's AuthClient with a default timeout on every request, the discovery download
    of its constructor included, and the 5-year hard-expiry header on token requests."""

    def __init__(self, *args, timeout, **kwargs):
        # Set before AuthClient.__init__, which downloads the discovery document through request().
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def request(self, method, url, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if url == getattr(self, "token_endpoint", None):
            kwargs["headers"] = dict(kwargs.get("headers") or {}, **{HARD_EXPIRY_HEADER: "true"})
        return super().request(method, url, *args, **kwargs)


class QboApp:
    """One Intuit app (client id and secret) in one environment: the OAuth side of the bridge."""

    def __init__(self, client_id, client_secret, redirect_uri, environment, base_url=None,
                 timeout=DEFAULT_TIMEOUT, clock=utcnow):
        """
        :param client_id: the app's client id
        :param client_secret: the app's client secret
        :param redirect_uri: the OAuth callback registered with Intuit
        :param environment: "production", "sandbox" or "local" (a qbo_sandbox at ``base_url``)
        :param base_url: root URL of the local sandbox, e.g. "http://127.0.0.1:8765"
        :param timeout: seconds allowed for each HTTP request
        :param clock: returns the current naive UTC datetime
        :raise ValueError: on an unknown environment, or "local" without ``base_url``
        """
        if environment not in ENVIRONMENTS:
            raise ValueError("Unknown QuickBooks environment %r" % (environment,))
        if environment == "local" and not base_url:
            raise ValueError("The local environment needs the base URL of a QuickBooks sandbox.")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.environment = environment
        self.base_url = base_url.rstrip("/") if environment == "local" else None
        self.timeout = timeout
        self.now = clock
        self._lock = threading.RLock()
        self._auth = None

    def __repr__(self):
        return "QboApp(client_id=%r, environment=%r)" % (self.client_id, self.environment)

    @property
    def discovery(self):
        """intuit-oauth's ``environment``: a named environment, or the local discovery URL."""
        if self.environment == "local":
            return self.base_url + "/.well-known/openid_configuration"
        return self.environment

    @property
    def api_url_v3(self):
        """Base URL of the Accounting API v3 in this environment."""
        if self.environment == "local":
            return self.base_url + "/v3"
        if self.environment == "sandbox":
            return QuickBooks.sandbox_api_url_v3
        return QuickBooks.api_url_v3

    def authorization_url(self, state):
        """Build the URL that sends a person to Intuit's consent page.

        :param state: an anti-forgery value the callback must find again (intuit-oauth never checks it)
        :return: the authorization URL for the accounting scope
        :raise QboError: when Intuit's discovery document cannot be read
        """
        if not state:
            raise ValueError("An OAuth state is required: the callback must check it.")
        return self._oauth("authorization link", lambda auth: auth.get_authorization_url(
            [Scopes.ACCOUNTING], state_token=state))

    def exchange_code(self, code, realm_id):
        """Trade the code of the OAuth callback for tokens.

        :param code: the ``code`` parameter of the callback
        :param realm_id: the ``realmId`` parameter of the callback
        :return: :class:`QboTokens`
        :raise QboAuthError: when the code is invalid, expired or already used
        :raise QboError: on any other failure, with a message meant for the person connecting
        """
        def call(auth):
            auth.get_bearer_token(code, realm_id=realm_id)
            return self._tokens_from(auth)
        return self._oauth("authorization", call)

    def refresh(self, refresh_token):
        """Get a new access token; store the returned refresh token, it may have rotated.

        :param refresh_token: the refresh token saved last
        :return: :class:`QboTokens`
        :raise QboAuthError: when the refresh token is expired, revoked or superseded (reconnect)
        :raise QboError: on other failures; ``retryable`` for network errors and Intuit 5xx
        """
        if not refresh_token:
            raise QboAuthError("missing_token", "No refresh token is saved: connect the company again.")

        def call(auth):
            auth.refresh(refresh_token=refresh_token)
            return self._tokens_from(auth)
        return self._oauth("token refresh", call)

    def revoke(self, token):
        """Revoke a refresh or access token (disconnects the company from the app).

        :param token: the token to revoke
        :raise QboError: when Intuit refuses or cannot be reached
        """
        self._oauth("revocation", lambda auth: auth.revoke(token=token))

    def _auth_client(self):
        if self._auth is None:
            self._auth = _AuthClient(self.client_id, self.client_secret, self.redirect_uri,
                                     self.discovery, timeout=self.timeout)
        return self._auth

    def _oauth(self, operation, call):
        # One AuthClient is shared and keeps the last tokens as attributes: calls are serialized
        # and the attributes cleared around each call, so no reply leaks into the next one.
        with self._lock:
            try:
                auth = self._auth_client()
                self._clear(auth)
                try:
                    return call(auth)
                finally:
                    self._clear(auth)
            except AuthClientError as exc:
                raise self._oauth_error(exc, operation) from None
            except requests.Timeout:
                raise QboError("timeout", "Intuit did not answer the %s within %s s." % (
                    operation, self.timeout), retryable=True,
                    params={"operation": operation, "seconds": self.timeout}) from None
            except requests.RequestException as exc:
                raise QboError("network", "Could not reach Intuit for the %s (%s)." % (
                    operation, type(exc).__name__), detail=str(exc), retryable=True,
                    params={"operation": operation, "exception": type(exc).__name__}) from None
            except (ValueError, KeyError) as exc:
                raise QboError("bad_reply", "Intuit's reply to the %s could not be read." % operation,
                               detail=str(exc), params={"operation": operation}) from None

    @staticmethod
    def _clear(auth):
        for name in _TOKEN_ATTRIBUTES:
            setattr(auth, name, None)

    def _tokens_from(self, auth):
        if not auth.access_token or not auth.refresh_token:
            raise QboError("bad_reply", "Intuit's token reply has no access or refresh token.")
        now = self.now()
        refresh_in = auth.x_refresh_token_expires_in
        hard_in = auth.x_refresh_token_hard_expires_in
        return QboTokens(
            access_token=auth.access_token,
            refresh_token=auth.refresh_token,
            access_expires_at=now + timedelta(seconds=int(auth.expires_in or 3600)),
            refresh_expires_at=now + (timedelta(seconds=int(refresh_in)) if refresh_in
                                      else DEFAULT_REFRESH_LIFETIME),
            refresh_hard_expires_at=now + timedelta(seconds=int(hard_in)) if hard_in else None,
        )

    def _oauth_error(self, exc, operation):
        try:
            reply = json.loads(exc.content or b"{}")
        except ValueError:
            reply = {}
        reply = reply if isinstance(reply, dict) else {}
        error = reply.get("error") or ""
        description = reply.get("error_description") or ""
        status = exc.status_code
        detail = description or (exc.content or b"").decode("utf-8", "replace")
        facts = dict(detail=detail, intuit_tid=exc.intuit_tid, status=status,
                     params={"operation": operation, "status": status})
        if error == "invalid_grant":
            message = {
                "authorization": "The authorization code is invalid, expired or already used: "
                                 "connect the company again.",
                "token refresh": "QuickBooks no longer accepts the saved authorization (expired, "
                                 "revoked or replaced by a newer one): connect the company again.",
            }.get(operation, "Intuit refused the %s: the token is no longer valid." % operation)
            return QboAuthError("invalid_grant", message, **facts)
        if error == "invalid_client" or status == 401:
            return QboError(error or "invalid_client", "Intuit refused the %s: the client id or secret is "
                            "wrong for this environment." % operation, **facts)
        if status in RETRYABLE_STATUSES:
            return QboError("http_%s" % status, "Intuit could not handle the %s right now (HTTP %s); "
                            "try again later." % (operation, status), retryable=True, **facts)
        return QboError(error or "http_%s" % status, "Intuit refused the %s (HTTP %s%s)." % (
            operation, status, ": " + error if error else ""), **facts)
