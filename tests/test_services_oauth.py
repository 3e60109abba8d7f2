"""QboApp against the local sandbox: exchange, refresh, rotation, revocation, refusals."""
from datetime import timedelta

import pytest
import requests

from chronicle_qbo_addon.services.client import QboApp, QboAuthError, QboClient, QboError, utcnow
from chronicle_qbo_addon.services.ratelimit import RateLimiter

DAY = 86400


def test_authorization_url_opens_the_consent_page(sandbox, app):
    url = app.authorization_url("csrf-1")
    assert url.startswith(sandbox.url + "/connect/oauth2?")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]


def test_exchange_code_gives_usable_tokens_with_the_hard_expiry(sandbox, app, realm):
    before = utcnow()
    tokens = app.exchange_code(sandbox.control.authorize(realm)["code"], realm)
    assert before + timedelta(minutes=59) < tokens.access_expires_at <= utcnow() + timedelta(hours=1)
    assert tokens.refresh_expires_at - before > timedelta(days=99)
    assert tokens.refresh_hard_expires_at - before > timedelta(days=5 * 365 - 1)
    client = QboClient(app, realm, tokens, rate_limiter=RateLimiter())
    assert client.company_info()["CompanyName"] == "Blue Ridge Restoration LLC"


def test_a_code_works_once(sandbox, app, realm):
    code = sandbox.control.authorize(realm)["code"]
    app.exchange_code(code, realm)
    with pytest.raises(QboAuthError) as caught:
        app.exchange_code(code, realm)
    assert caught.value.code == "invalid_grant" and "connect the company again" in caught.value.message
    assert caught.value.intuit_tid


def test_refresh_rotates_after_a_day_and_only_the_newest_value_works(sandbox, app, realm):
    first = app.exchange_code(sandbox.control.authorize(realm)["code"], realm)
    same_day = app.refresh(first.refresh_token)
    assert same_day.refresh_token == first.refresh_token
    assert same_day.access_token != first.access_token
    sandbox.control.advance_clock(DAY + 60)
    rotated = app.refresh(first.refresh_token)
    assert rotated.refresh_token != first.refresh_token
    with pytest.raises(QboAuthError) as caught:
        app.refresh(first.refresh_token)
    assert caught.value.needs_reauth and first.refresh_token not in str(caught.value)
    assert app.refresh(rotated.refresh_token).refresh_token == rotated.refresh_token


def test_revoke_disconnects(sandbox, app, realm):
    tokens = app.exchange_code(sandbox.control.authorize(realm)["code"], realm)
    app.revoke(tokens.refresh_token)
    with pytest.raises(QboAuthError):
        app.refresh(tokens.refresh_token)
    client = QboClient(app, realm, tokens, rate_limiter=RateLimiter(), sleep=lambda seconds: None)
    with pytest.raises(QboAuthError) as caught:
        client.company_info()
    assert tokens.access_token not in repr(caught.value) and tokens.refresh_token not in str(caught.value)


def test_revoked_refresh_token_needs_a_person(sandbox, app, realm):
    tokens = app.exchange_code(sandbox.control.authorize(realm)["code"], realm)
    sandbox.control.inject_fault("revoke_refresh_token", times=1)
    with pytest.raises(QboAuthError):
        app.refresh(tokens.refresh_token)


def test_wrong_secret_is_named(sandbox, realm):
    from qbo_sandbox import DEFAULT_CLIENT_ID, DEFAULT_REDIRECT_URIS

    wrong = QboApp(DEFAULT_CLIENT_ID, "not-the-secret", DEFAULT_REDIRECT_URIS[0], "local",
                   base_url=sandbox.url)
    code = sandbox.control.authorize(realm)["code"]
    with pytest.raises(QboError) as caught:
        wrong.exchange_code(code, realm)
    error = caught.value
    assert not isinstance(error, QboAuthError) and not error.retryable
    assert error.code == "invalid_client" and "client id or secret is wrong" in error.message
    assert "not-the-secret" not in str(error)


def test_unreachable_sandbox_is_retryable():
    gone = QboApp("id", "secret", "http://localhost:8069/cb", "local", base_url="http://127.0.0.1:9",
                  timeout=2)
    with pytest.raises(QboError) as caught:
        gone.authorization_url("s")
    assert caught.value.retryable and caught.value.code == "network"
