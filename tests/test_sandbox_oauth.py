"""The sandbox's OAuth 2.0 server, driven through intuit-oauth, python-quickbooks and plain
HTTP for the consent pages: discovery, consent, code exchange, refresh rotation, expiry,
revocation and Intuit's refusals."""

import base64
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.exceptions import AuthorizationException, QuickbooksException
from quickbooks.objects.company_info import CompanyInfo

from qbo_sandbox.consent import Page, sign_in, submit
from qbo_sandbox import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS,
    REALM_BLUE_RIDGE,
    REALM_COASTAL,
    REALM_SUMMIT,
)

REDIRECT = DEFAULT_REDIRECT_URIS[0]
DAY = 86400


def authorize_url(srv, **overrides):
    params = {
        "client_id": DEFAULT_CLIENT_ID,
        "response_type": "code",
        "scope": "com.intuit.quickbooks.accounting",
        "redirect_uri": REDIRECT,
        "state": "st-123",
    }
    params.update(overrides)
    return requests.Request("GET", srv.url + "/connect/oauth2", params=params).prepare().url


def token_call(srv, data, client=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET), headers=None):
    return requests.post(
        srv.url + "/oauth2/v1/tokens/bearer", data=data, auth=client, headers=headers, timeout=10
    )


def api_get(srv, realm_id, access_token, path="companyinfo/{realm}"):
    url = f"{srv.api_url_v3}/company/{realm_id}/" + path.format(realm=realm_id)
    headers = {"Accept": "application/json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    return requests.get(url, headers=headers, params={"minorversion": 75}, timeout=10)


# ---------------------------------------------------------------- discovery and consent pages


def test_discovery_document_is_usable_as_intuit_oauth_environment(sandbox):
    auth = AuthClient(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, REDIRECT, environment=sandbox.discovery_url)
    assert auth.auth_endpoint == sandbox.url + "/connect/oauth2"
    assert auth.token_endpoint == sandbox.url + "/oauth2/v1/tokens/bearer"
    assert auth.revoke_endpoint == sandbox.url + "/v2/oauth2/tokens/revoke"
    assert auth.user_info_url.startswith(sandbox.url)
    url = auth.get_authorization_url([Scopes.ACCOUNTING], state_token="abc")
    assert url.startswith(sandbox.url + "/connect/oauth2?")
    assert requests.get(url, timeout=10).status_code == 200


def test_full_round_trip_through_consent_pages_with_a_recognized_user(sandbox, insecure_local_oauth):
    auth = AuthClient(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, REDIRECT, environment=sandbox.discovery_url)
    browser = requests.Session()
    signin = Page(
        browser.get(auth.get_authorization_url([Scopes.ACCOUNTING], state_token="state-xyz"), timeout=10).text
    )
    assert "signin-form" in signin.forms

    choose = submit(
        browser, sandbox.url, signin, "signin-form", email="owner@blueridge.example", password="sandbox"
    )
    page = Page(choose.text)
    assert "consent-form" in page.forms, "a recognized device skips the text-message check"
    assert [value for _, value in page.forms["consent-form"]["radios"]] == [REALM_BLUE_RIDGE, REALM_SUMMIT]
    assert "QuickBooks Online accounting data" in choose.text

    connected = submit(browser, sandbox.url, page, "consent-form", realm_id=REALM_SUMMIT, action="connect")
    done = Page(connected.text)
    code, realm_id = done.by_id["auth-code"].strip(), done.by_id["realm-id"].strip()
    assert realm_id == REALM_SUMMIT
    back = urlparse(done.links["return-to-app"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    assert parse_qs(back.query) == {"code": [code], "state": ["state-xyz"], "realmId": [REALM_SUMMIT]}
    assert "setTimeout" in connected.text, "the page returns to the app by itself unless asked to stay"

    auth.get_bearer_token(code, realm_id=realm_id)
    assert auth.access_token and auth.refresh_token
    assert auth.expires_in == 3600 and auth.x_refresh_token_expires_in == 100 * DAY

    qb_class = type("LocalQB", (QuickBooks,), {"api_url_v3": sandbox.api_url_v3})
    qb = qb_class(auth_client=auth, refresh_token=auth.refresh_token, company_id=realm_id, minorversion=75)
    assert CompanyInfo.get(realm_id, qb=qb).CompanyName == "Summit Fire & Water Inc."


def test_text_message_check_for_an_unrecognized_device(sandbox):
    browser = requests.Session()
    signin = Page(browser.get(authorize_url(sandbox, stay="1"), timeout=10).text)
    wrong = submit(
        browser, sandbox.url, signin, "signin-form", email="bookkeeper@summit.example", password="nope"
    )
    assert Page(wrong.text).by_id["error"] == "Incorrect email or password."

    verify = submit(
        browser,
        sandbox.url,
        Page(wrong.text),
        "signin-form",
        email="bookkeeper@summit.example",
        password="sandbox",
    )
    page = Page(verify.text)
    assert page.by_id["masked-phone"] == "(***) ***-0142"
    shown = page.by_id["sandbox-sms-code"]
    assert re.fullmatch(r"\d{6}", shown)
    latest = sandbox.control.sms()[0]
    assert latest["code"] == shown and latest["to"] == "(***) ***-0142"

    retry = submit(
        browser, sandbox.url, page, "verify-form", code="000000" if shown != "000000" else "111111"
    )
    assert "didn't work" in Page(retry.text).by_id["error"]
    choose = submit(browser, sandbox.url, Page(retry.text), "verify-form", code=shown)
    companies = Page(choose.text).forms["consent-form"]
    assert [value for _, value in companies["radios"]] == [REALM_SUMMIT, REALM_COASTAL]
    assert ("stay", "1", True) in companies["checkboxes"]

    connected = submit(
        browser,
        sandbox.url,
        Page(choose.text),
        "consent-form",
        realm_id=REALM_COASTAL,
        action="connect",
        stay="1",
    )
    done = Page(connected.text)
    assert done.by_id["realm-id"].strip() == REALM_COASTAL
    assert "setTimeout" not in connected.text
    response = token_call(
        sandbox,
        {
            "grant_type": "authorization_code",
            "code": done.by_id["auth-code"].strip(),
            "redirect_uri": REDIRECT,
        },
    )
    assert response.status_code == 200 and response.headers["intuit_tid"]


def test_consent_refusals_are_intuits(sandbox):
    unknown = requests.get(authorize_url(sandbox, client_id="who-is-this"), allow_redirects=False, timeout=10)
    assert unknown.status_code == 400 and "Location" not in unknown.headers

    bad_redirect = requests.get(
        authorize_url(sandbox, redirect_uri="https://evil.example/cb"), allow_redirects=False, timeout=10
    )
    assert bad_redirect.status_code == 400 and "Location" not in bad_redirect.headers
    assert "redirect_uri query parameter value is invalid" in bad_redirect.text

    for override, error in (
        ({"scope": "com.intuit.quickbooks.everything"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ):
        answer = requests.get(authorize_url(sandbox, **override), allow_redirects=False, timeout=10)
        assert answer.status_code == 302
        assert parse_qs(urlparse(answer.headers["Location"]).query) == {"error": [error], "state": ["st-123"]}

    browser = requests.Session()
    signin = Page(browser.get(authorize_url(sandbox), timeout=10).text)
    choose = Page(
        submit(
            browser, sandbox.url, signin, "signin-form", email="owner@blueridge.example", password="sandbox"
        ).text
    )
    cancelled = submit(browser, sandbox.url, choose, "consent-form", action="cancel")
    assert cancelled.status_code == 302
    assert parse_qs(urlparse(cancelled.headers["Location"]).query) == {
        "error": ["access_denied"],
        "state": ["st-123"],
    }
    stale = submit(browser, sandbox.url, choose, "consent-form", action="connect")
    assert stale.status_code == 400 and "expired" in stale.text


def test_a_company_the_user_cannot_see_is_not_granted(sandbox):
    browser = requests.Session()
    signin = Page(browser.get(authorize_url(sandbox), timeout=10).text)
    choose = Page(
        submit(
            browser, sandbox.url, signin, "signin-form", email="owner@blueridge.example", password="sandbox"
        ).text
    )
    answer = submit(browser, sandbox.url, choose, "consent-form", realm_id=REALM_COASTAL, action="connect")
    assert "Choose one of your companies" in answer.text and "auth-code" not in answer.text


# ---------------------------------------------------------------- token endpoint


def test_client_authentication_failures_are_invalid_client(sandbox):
    code = sandbox.control.authorize(REALM_BLUE_RIDGE)["code"]
    for client in ((DEFAULT_CLIENT_ID, "wrong-secret"), ("unknown-client", DEFAULT_CLIENT_SECRET)):
        auth = AuthClient(client[0], client[1], REDIRECT, environment=sandbox.discovery_url)
        with pytest.raises(AuthClientError) as raised:
            auth.get_bearer_token(code, realm_id=REALM_BLUE_RIDGE)
        assert raised.value.status_code == 401
        assert raised.value.response.json() == {"error": "invalid_client"}
    missing = requests.post(
        sandbox.url + "/oauth2/v1/tokens/bearer",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        timeout=10,
    )
    assert missing.status_code == 401
    garbled = requests.post(
        sandbox.url + "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token"},
        headers={"Authorization": "Basic %%%"},
        timeout=10,
    )
    assert garbled.status_code == 401


def test_codes_are_single_use_short_lived_and_bound_to_the_redirect_uri(sandbox):
    control = sandbox.control
    exchange = {"grant_type": "authorization_code", "redirect_uri": REDIRECT}

    code = control.authorize(REALM_BLUE_RIDGE)["code"]
    assert token_call(sandbox, dict(exchange, code=code)).status_code == 200
    reused = token_call(sandbox, dict(exchange, code=code))
    assert reused.status_code == 400 and reused.json() == {"error": "invalid_grant"}

    late = control.authorize(REALM_BLUE_RIDGE)["code"]
    control.advance_clock(301)
    assert token_call(sandbox, dict(exchange, code=late)).json() == {"error": "invalid_grant"}

    in_time = control.authorize(REALM_BLUE_RIDGE)["code"]
    control.advance_clock(290)
    assert token_call(sandbox, dict(exchange, code=in_time)).status_code == 200

    other = control.authorize(REALM_BLUE_RIDGE, redirect_uri=DEFAULT_REDIRECT_URIS[1])["code"]
    assert token_call(sandbox, dict(exchange, code=other)).json() == {"error": "invalid_grant"}
    assert token_call(sandbox, dict(exchange, code="AB11-not-a-code")).json() == {"error": "invalid_grant"}
    assert token_call(sandbox, {"grant_type": "authorization_code", "code": in_time}).json() == {
        "error": "invalid_request"
    }
    assert token_call(sandbox, {"grant_type": "password"}).json() == {"error": "unsupported_grant_type"}


def test_token_response_fields_and_the_hard_expiry_header(sandbox):
    plain = token_call(
        sandbox,
        {
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT,
            "code": sandbox.control.authorize(REALM_BLUE_RIDGE)["code"],
        },
    ).json()
    assert plain["token_type"] == "bearer" and plain["expires_in"] == 3600
    assert plain["x_refresh_token_expires_in"] == 100 * DAY
    assert "x_refresh_token_hard_expires_in" not in plain

    hard = token_call(
        sandbox,
        {"grant_type": "refresh_token", "refresh_token": plain["refresh_token"]},
        headers={"x-include-refresh-token-hard-expires-in": "true"},
    ).json()
    assert abs(hard["x_refresh_token_hard_expires_in"] - 5 * 365 * DAY) < 5


def test_refresh_keeps_the_value_for_a_day_then_rotates(sandbox):
    control = sandbox.control
    tokens = control.connect(REALM_BLUE_RIDGE)
    first = tokens["refresh_token"]
    auth = AuthClient(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, REDIRECT, environment=sandbox.discovery_url)

    control.advance_clock(7 * DAY)
    auth.refresh(refresh_token=first)
    second = auth.refresh_token
    assert second != first
    with pytest.raises(AuthClientError) as raised:
        auth.refresh(refresh_token=first)
    assert raised.value.status_code == 400 and raised.value.response.json() == {"error": "invalid_grant"}

    control.advance_clock(6 * 3600)
    old_access = auth.access_token
    auth.refresh(refresh_token=second)
    assert auth.refresh_token == second, "within 24 hours the same value comes back"
    assert auth.access_token != old_access
    assert auth.x_refresh_token_expires_in == 100 * DAY, "each refresh restarts the 100 days"

    control.advance_clock(DAY)
    auth.refresh(refresh_token=second)
    assert auth.refresh_token not in (first, second)


def test_refresh_tokens_die_after_100_idle_days_and_after_five_years(sandbox):
    control = sandbox.control
    idle = control.connect(REALM_BLUE_RIDGE)["refresh_token"]
    control.advance_clock(100 * DAY + 1)
    assert token_call(sandbox, {"grant_type": "refresh_token", "refresh_token": idle}).json() == {
        "error": "invalid_grant"
    }

    current = control.connect(REALM_BLUE_RIDGE)["refresh_token"]
    for _ in range(19):
        control.advance_clock(96 * DAY)
        answer = token_call(sandbox, {"grant_type": "refresh_token", "refresh_token": current}).json()
        current = answer["refresh_token"]
    assert answer["x_refresh_token_expires_in"] < 100 * DAY, "the rolling window stops at the hard expiry"
    control.advance_clock(answer["x_refresh_token_expires_in"] + 1)
    assert token_call(sandbox, {"grant_type": "refresh_token", "refresh_token": current}).json() == {
        "error": "invalid_grant"
    }


def test_expired_access_token_gets_intuits_401_until_refreshed(sandbox, sandbox_connect):
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    sandbox.control.advance_clock(3601)
    with pytest.raises(AuthorizationException) as raised:
        CompanyInfo.get(REALM_BLUE_RIDGE, qb=qb)
    assert raised.value.error_code == 401

    raw = api_get(sandbox, REALM_BLUE_RIDGE, qb.auth_client.access_token)
    assert raw.status_code == 401 and raw.headers["intuit_tid"]
    error = raw.json()["fault"]["error"][0]
    assert error["code"] == "3200"
    assert error["message"] == "message=AuthenticationFailed; errorCode=003200; statusCode=401"
    assert error["detail"].startswith("Token expired")
    assert raw.json()["fault"]["type"] == "AUTHENTICATION"

    qb.auth_client.refresh()
    assert api_get(sandbox, REALM_BLUE_RIDGE, qb.auth_client.access_token).status_code == 200


def test_revoke_disconnects_access_and_refresh_tokens(sandbox, sandbox_connect):
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    auth = qb.auth_client
    wrong = AuthClient(DEFAULT_CLIENT_ID, "bad", REDIRECT, environment=sandbox.discovery_url)
    with pytest.raises(AuthClientError) as raised:
        wrong.revoke(token=auth.refresh_token)
    assert raised.value.status_code == 401

    assert auth.revoke(token=auth.refresh_token) is True
    answer = api_get(sandbox, REALM_BLUE_RIDGE, auth.access_token)
    assert answer.status_code == 401 and "revoked" in answer.json()["fault"]["error"][0]["detail"]
    with pytest.raises(AuthClientError) as raised:
        auth.refresh()
    assert raised.value.response.json() == {"error": "invalid_grant"}
    assert auth.revoke(token="not-a-token") is True, "unknown tokens are accepted quietly"
    empty = requests.post(
        auth.revoke_endpoint, json={}, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET), timeout=10
    )
    assert empty.status_code == 400


def test_tokens_work_only_on_their_company(sandbox, sandbox_connect):
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    answer = api_get(sandbox, REALM_SUMMIT, qb.auth_client.access_token)
    assert answer.status_code == 403
    assert answer.json()["fault"]["error"][0]["code"] == "3100"
    assert api_get(sandbox, "123", qb.auth_client.access_token).status_code == 403
    qb.company_id = REALM_SUMMIT
    with pytest.raises(QuickbooksException):
        CompanyInfo.get(REALM_SUMMIT, qb=qb)


def test_missing_or_malformed_authorization_is_401(sandbox):
    assert api_get(sandbox, REALM_BLUE_RIDGE, None).status_code == 401
    assert api_get(sandbox, REALM_BLUE_RIDGE, "made-up").status_code == 401
    basic = requests.get(
        f"{sandbox.api_url_v3}/company/{REALM_BLUE_RIDGE}/preferences",
        headers={"Authorization": "Basic " + base64.b64encode(b"a:b").decode()},
        timeout=10,
    )
    assert basic.status_code == 401 and basic.json()["fault"]["error"][0]["code"] == "3200"


def test_userinfo_answers_for_a_live_access_token(sandbox, sandbox_connect):
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    info = qb.auth_client.get_user_info().json()
    assert info["email"] == "owner@blueridge.example"
    with pytest.raises(AuthClientError):
        qb.auth_client.get_user_info(access_token="nope")


def test_sign_in_walks_the_pages_a_person_sees(sandbox):
    recognized = sign_in(authorize_url(sandbox, state="s-1"), "owner@blueridge.example", REALM_SUMMIT)
    assert recognized["realm_id"] == REALM_SUMMIT
    assert parse_qs(urlparse(recognized["redirect_url"]).query) == {
        "code": [recognized["code"]], "state": ["s-1"], "realmId": [REALM_SUMMIT]}
    texted = sign_in(authorize_url(sandbox), "bookkeeper@summit.example")
    assert texted["realm_id"] == REALM_SUMMIT, "the first company the user may see"
    with pytest.raises(RuntimeError, match="consent-form"):
        sign_in(authorize_url(sandbox), "owner@blueridge.example", password="wrong")
