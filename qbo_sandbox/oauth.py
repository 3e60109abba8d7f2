"""Intuit's OAuth 2.0 server: discovery document, consent pages, token, revoke, userinfo.

Refusals follow Intuit: an unknown client or an unregistered redirect URI gets an error
page and no redirect (the app cannot be trusted with one); other authorize errors go back
to the app as ``error=...&state=...``; the token endpoint answers ``invalid_client``
(401) or ``invalid_grant`` (400) as JSON.
"""

import base64
import binascii
import json
import secrets
import threading
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from . import errors, pages
from .tokens import SCOPES, parse_scope

CONSENT_TTL = 1800
SMS_KEEP = 50
REDIRECT_URI_ERROR = (
    "The redirect_uri query parameter value is invalid. Make sure it is listed in the Redirect URIs "
    "section on your app's keys tab and matches it exactly."
)
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"


def json_response(payload, status=200):
    return Response(
        json.dumps(payload),
        status=status,
        content_type="application/json;charset=UTF-8",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def html_response(text, status=200):
    return Response(text, status=status, content_type="text/html; charset=utf-8")


def with_query(url, params):
    return url + ("&" if "?" in url else "?") + urlencode(params)


def masked_phone(phone):
    return f"(***) ***-{phone[-4:]}"


class OAuthServer:
    def __init__(self, store, tokens, faults):
        self.store = store
        self.clock = store.clock
        self.tokens = tokens
        self.faults = faults
        self._lock = threading.Lock()
        self._consents = {}
        self.sms = []

    # ------------------------------------------------------------ discovery

    def discovery(self, request):
        base = request.host_url.rstrip("/")
        return json_response(
            {
                "issuer": f"{base}/op/v1",
                "authorization_endpoint": f"{base}/connect/oauth2",
                "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
                "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
                "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
                "jwks_uri": f"{base}/op/v1/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile", "address", "phone"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
            }
        )

    def jwks(self, request):
        return json_response({"keys": []})

    # ------------------------------------------------------------ consent pages

    def authorize(self, request):
        args = request.args
        app = self.tokens.app(args.get("client_id"))
        if app is None:
            return html_response(
                pages.error_page(
                    "Something went wrong", "invalid_client: this app is not registered with Intuit."
                ),
                400,
            )
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in app["redirect_uris"]:
            return html_response(pages.error_page("Something went wrong", REDIRECT_URI_ERROR), 400)
        state = args.get("state")
        back = {"state": state} if state is not None else {}
        if args.get("response_type") != "code":
            return _redirect(with_query(redirect_uri, dict(error="unsupported_response_type", **back)))
        scopes = parse_scope(args.get("scope"))
        if scopes is None:
            return _redirect(with_query(redirect_uri, dict(error="invalid_scope", **back)))
        consent_id = secrets.token_urlsafe(18)
        self._prune_consents()
        with self._lock:
            self._consents[consent_id] = {
                "client_id": args["client_id"],
                "redirect_uri": redirect_uri,
                "scope": " ".join(scopes),
                "state": state,
                "stay": args.get("stay") == "1",
                "user": None,
                "sms_code": None,
                "verified": False,
                "expires_at": self.clock.now() + CONSENT_TTL,
            }
        return html_response(pages.signin_page(consent_id, app["name"]))

    def _consent(self, request):
        consent_id = request.form.get("consent", "")
        with self._lock:
            consent = self._consents.get(consent_id)
            if consent is None or consent["expires_at"] <= self.clock.now():
                self._consents.pop(consent_id, None)
                return consent_id, None
            return consent_id, consent

    def signin(self, request):
        consent_id, consent = self._consent(request)
        if consent is None:
            return _expired()
        app_name = self.tokens.app(consent["client_id"])["name"]
        email = request.form.get("email", "").strip().lower()
        user = self.store.data["users"].get(email)
        if user is None or not secrets.compare_digest(user["password"], request.form.get("password", "")):
            return html_response(
                pages.signin_page(consent_id, app_name, "Incorrect email or password.", email)
            )
        consent["user"] = email
        if user["recognized"]:
            consent["verified"] = True
            return self._company_page(consent_id, consent)
        consent["sms_code"] = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            self.sms.insert(
                0,
                {
                    "to": masked_phone(user["phone"]),
                    "user": email,
                    "code": consent["sms_code"],
                    "sent_at": self.clock.now(),
                },
            )
            del self.sms[SMS_KEEP:]
        return html_response(pages.verify_page(consent_id, masked_phone(user["phone"]), consent["sms_code"]))

    def verify(self, request):
        consent_id, consent = self._consent(request)
        if consent is None or consent["user"] is None:
            return _expired()
        if request.form.get("code", "").strip() != consent["sms_code"]:
            phone = self.store.data["users"][consent["user"]]["phone"]
            return html_response(
                pages.verify_page(
                    consent_id,
                    masked_phone(phone),
                    consent["sms_code"],
                    "That code didn't work. Check the code and try again.",
                )
            )
        consent["verified"] = True
        return self._company_page(consent_id, consent)

    def _company_page(self, consent_id, consent, error=None):
        user = self.store.data["users"][consent["user"]]
        companies = [
            (realm_id, self.store.data["realms"][realm_id]["company"]["CompanyName"])
            for realm_id in user["realms"]
            if realm_id in self.store.data["realms"]
        ]
        labels = [SCOPES[name] for name in consent["scope"].split()]
        app_name = self.tokens.app(consent["client_id"])["name"]
        return html_response(
            pages.company_page(consent_id, app_name, user["name"], companies, labels, consent["stay"], error)
        )

    def consent(self, request):
        consent_id, consent = self._consent(request)
        if consent is None or not consent["verified"]:
            return _expired()
        back = {"state": consent["state"]} if consent["state"] is not None else {}
        if request.form.get("action") == "cancel":
            with self._lock:
                self._consents.pop(consent_id, None)
            return _redirect(with_query(consent["redirect_uri"], dict(error="access_denied", **back)))
        realm_id = request.form.get("realm_id", "")
        if realm_id not in self.store.data["users"][consent["user"]]["realms"]:
            return self._company_page(consent_id, consent, "Choose one of your companies.")
        with self._lock:
            self._consents.pop(consent_id, None)
        code = self.tokens.issue_code(
            consent["client_id"], consent["redirect_uri"], realm_id, consent["user"], consent["scope"]
        )
        redirect_url = with_query(consent["redirect_uri"], dict(code=code, realmId=realm_id, **back))
        name = self.store.data["realms"][realm_id]["company"]["CompanyName"]
        stay = consent["stay"] or request.form.get("stay") == "1"
        return html_response(pages.connected_page(code, realm_id, name, redirect_url, stay))

    # ------------------------------------------------------------ token endpoint

    def _client(self, request):
        """HTTP Basic client authentication, or the client_secret_post form fields."""
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise errors.invalid_client() from None
        else:
            client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
        self.tokens.check_client(client_id, secret)
        return client_id

    def token(self, request):
        try:
            client_id = self._client(request)
            form = request.form
            include_hard = request.headers.get(HARD_EXPIRY_HEADER, "").lower() == "true"
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                if not form.get("code") or not form.get("redirect_uri"):
                    raise errors.OAuthError("invalid_request")
                body = self.tokens.exchange_code(client_id, form["code"], form["redirect_uri"], include_hard)
            elif grant_type == "refresh_token":
                if not form.get("refresh_token"):
                    raise errors.OAuthError("invalid_request")
                realm_id = self.tokens.realm_of_refresh(form["refresh_token"])
                if self.faults.take(("revoke_refresh_token",), request.path, realm_id):
                    self.tokens.revoke_grant_of_refresh(form["refresh_token"])
                body = self.tokens.refresh(client_id, form["refresh_token"], include_hard)
            else:
                raise errors.OAuthError("unsupported_grant_type")
        except errors.OAuthError as error:
            return Response(
                error.body(),
                status=error.status,
                content_type="application/json;charset=UTF-8",
                headers={"Cache-Control": "no-store"},
            )
        return json_response(body)

    def revoke(self, request):
        try:
            client_id = self._client(request)
        except errors.OAuthError as error:
            return Response(error.body(), status=error.status, content_type="application/json;charset=UTF-8")
        token = request.form.get("token")
        if token is None:
            try:
                token = json.loads(request.get_data(as_text=True) or "{}").get("token")
            except (ValueError, AttributeError):
                token = None
        if not token:
            return json_response({"error": "invalid_request"}, 400)
        self.tokens.revoke(client_id, token)
        return Response(b"", status=200)

    def userinfo(self, request):
        grant = self.tokens.user_of(request.headers.get("Authorization"))
        if grant is None:
            return json_response({"error": "invalid_token"}, 401)
        user = self.store.data["users"].get(grant["user"], {})
        given, _, family = user.get("name", "").partition(" ")
        return json_response(
            {
                "sub": grant["user"],
                "email": grant["user"],
                "emailVerified": True,
                "givenName": given,
                "familyName": family,
                "phoneNumber": user.get("phone"),
                "phoneNumberVerified": True,
            }
        )

    def _prune_consents(self):
        now = self.clock.now()
        with self._lock:
            for key in [k for k, v in self._consents.items() if v["expires_at"] <= now]:
                del self._consents[key]


def _redirect(url):
    return Response(status=302, headers={"Location": url})


def _expired():
    return html_response(
        pages.error_page(
            "This sign-in has expired", "Start again from the app: open its Connect to QuickBooks link."
        ),
        400,
    )
