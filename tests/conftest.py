"""Shared fixtures for the tests that need no Odoo.

The addon's ``__init__`` imports Odoo, so the addon folder is registered here as a bare
package: ``chronicle_qbo_addon.services`` then imports as plain Python, which is all the
service layer is.
"""
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if "chronicle_qbo_addon" not in sys.modules:
    _addon = types.ModuleType("chronicle_qbo_addon")
    _addon.__path__ = [str(ROOT / "chronicle_qbo_addon")]
    sys.modules["chronicle_qbo_addon"] = _addon


@pytest.fixture
def sandbox():
    """A fresh local QuickBooks Online sandbox on a free port, seeded, with its limits on."""
    from qbo_sandbox import SandboxServer

    srv = SandboxServer(host="127.0.0.1", port=0).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def realm():
    """The seeded Blue Ridge Restoration company."""
    from qbo_sandbox import REALM_BLUE_RIDGE

    return REALM_BLUE_RIDGE


@pytest.fixture
def app(sandbox):
    """The bridge's Intuit app, pointed at the sandbox with its seeded registration."""
    from chronicle_qbo_addon.services.client import QboApp
    from qbo_sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS

    return QboApp(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS[0], "local",
                  base_url=sandbox.url, timeout=10)


@pytest.fixture
def client(sandbox, app, realm):
    """The bridge's client of the realm: connected, no waiting between retries, its own limiter."""
    from chronicle_qbo_addon.services.client import QboClient
    from chronicle_qbo_addon.services.ratelimit import RateLimiter

    tokens = app.exchange_code(sandbox.control.authorize(realm)["code"], realm)
    return QboClient(app, realm, tokens, sleep=lambda seconds: None, rate_limiter=RateLimiter())


@pytest.fixture
def insecure_local_oauth(monkeypatch):
    """requests-oauthlib refuses plain http unless told; the sandbox is plain http on loopback."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def sandbox_connect(sandbox, insecure_local_oauth):
    """Factory: a python-quickbooks client for a sandbox company, connected through the real
    intuit-oauth code exchange. ``connect(realm_id, srv=None)``; the client's ``auth_client``
    holds the tokens."""
    import warnings

    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks

    from qbo_sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, REALM_BLUE_RIDGE

    def connect(realm_id=REALM_BLUE_RIDGE, srv=None):
        srv = srv or sandbox
        auth = AuthClient(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS[0],
                          environment=srv.discovery_url)
        code = srv.control.authorize(realm_id, redirect_uri=DEFAULT_REDIRECT_URIS[0])["code"]
        auth.get_bearer_token(code, realm_id=realm_id)
        client_class = type("SandboxQuickBooks", (QuickBooks,), {"api_url_v3": srv.api_url_v3})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return client_class(auth_client=auth, refresh_token=auth.refresh_token, company_id=realm_id,
                                minorversion=75)

    return connect


@pytest.fixture
def qb(sandbox_connect):
    """A python-quickbooks client of the seeded Blue Ridge company."""
    return sandbox_connect()
