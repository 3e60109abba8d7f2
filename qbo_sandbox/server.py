"""The sandbox's WSGI application and ``SandboxServer``, which runs it on a Werkzeug
threaded server in a background thread.

Every response carries an ``intuit_tid`` header. Accounting API requests pass, in order:
the in-flight limit, injected latency and gateway faults, authentication, the per-minute
throttles, ``minorversion``/``requestid``, then the operation under its company's lock
(latency never holds it, and no company waits for another). Control endpoints under
``/_sandbox/`` skip all of that.

Routes:

- ``/v3/company/<realmId>/...``: the Accounting API (see ``accounting``);
- ``/.well-known/...``, ``/connect/oauth2...``, ``/oauth2/v1/tokens/bearer``,
  ``/v2/oauth2/tokens/revoke``, ``/op/v1/jwks``, ``/v1/openid_connect/userinfo``: Intuit's
  OAuth 2.0 and OpenID Connect server and its consent pages (see ``oauth``);
- ``GET /app/<page>?txnId=<Id>&realmId=<realmId>``: a document as QuickBooks' web app shows
  it, read only, with ``<page>`` one of invoice, creditmemo, recvpayment, bill, check,
  expense, creditcardcredit, vendorcredit (see ``documents``). No sign-in: the sandbox is
  meant for loopback. These pages are not Accounting API calls: no throttle, latency or
  fault applies to them and they are not counted as metered reads (only per endpoint, as
  ``GET /app/<page>``, and as requests of their company);
- ``/_sandbox/...``: the control API (see ``control``).
"""

import contextlib
import json
import logging
import secrets
import socket
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import accounting, documents, errors, types
from .clock import Clock, qbo_response_time
from .control import Control, ControlApi
from .counters import Counters
from .faults import GATEWAY_KINDS, FaultInjector
from .limits import Limiter
from .oauth import OAuthServer
from .seed import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS
from .store import Store
from .tokens import AuthFailure, TokenService
from .webhook_delivery import Webhooks

SERVICE_UNAVAILABLE = (
    "<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
    "<center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"
)
REPLAY_KEEP = 5000
LOG = logging.getLogger("qbo_sandbox")


def intuit_tid():
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


def fault_response(fault, clock):
    return Response(
        json.dumps(errors.fault_body(fault, qbo_response_time(clock.now()))),
        status=fault.status,
        content_type="application/json;charset=UTF-8",
    )


class SandboxApp:
    def __init__(self, store, limiter, faults, counters, latency=0.0):
        self.store = store
        self.clock = store.clock
        self.limiter = limiter
        self.faults = faults
        self.counters = counters
        self.latency = latency
        self.tokens = TokenService(store)
        self.oauth = OAuthServer(store, self.tokens, faults)
        self.webhooks = Webhooks(store)
        self.api = accounting.AccountingApi(store, counters, self.webhooks.record)
        self.control = ControlApi(self)
        self._oauth_routes = {
            ("GET", "/.well-known/openid_configuration"): self.oauth.discovery,
            ("GET", "/.well-known/openid_sandbox_configuration"): self.oauth.discovery,
            ("GET", "/op/v1/jwks"): self.oauth.jwks,
            ("GET", "/connect/oauth2"): self.oauth.authorize,
            ("POST", "/connect/oauth2/signin"): self.oauth.signin,
            ("POST", "/connect/oauth2/verify"): self.oauth.verify,
            ("POST", "/connect/oauth2/consent"): self.oauth.consent,
            ("POST", "/oauth2/v1/tokens/bearer"): self.oauth.token,
            ("POST", "/v2/oauth2/tokens/revoke"): self.oauth.revoke,
            ("GET", "/v1/openid_connect/userinfo"): self.oauth.userinfo,
        }

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:  # a bug must still answer as Intuit's servers do, not hang the client
            LOG.exception("unexpected error on %s %s", request.method, request.path)
            response = fault_response(errors.system_failure(), self.clock)
        response.headers["intuit_tid"] = intuit_tid()
        return response(environ, start_response)

    def dispatch(self, request):
        path = request.path.rstrip("/") or "/"
        if path.startswith("/_sandbox"):
            return self.control.handle(request, path)
        if path.startswith("/v3/company/"):
            return self._accounting_request(request, path)
        if path.startswith("/app/"):
            return self._document_page(request, path)
        handler = self._oauth_routes.get((request.method, path))
        self.counters.request(f"{request.method} {path if handler else 'unknown'}")
        early = self._gateway(request, None)
        if early is not None:
            return early
        if handler is None:
            return Response("Not Found", status=404, content_type="text/plain")
        return handler(request)

    def _gateway(self, request, realm_id):
        """Injected latency and gateway faults: real seconds, before the request is served."""
        if self.latency:
            time.sleep(self.latency)
        rule = self.faults.take(GATEWAY_KINDS, request.path, realm_id)
        if rule is None:
            return None
        self.counters.injected(realm_id)
        if rule["kind"] == "slow":
            time.sleep(rule["seconds"])
            return None
        if rule["kind"] == "429":
            return fault_response(errors.throttled(), self.clock)
        if rule["kind"] == "500":
            return fault_response(errors.system_failure(), self.clock)
        return Response(SERVICE_UNAVAILABLE, status=503, content_type="text/html")

    def _document_page(self, request, path):
        """A document's read-only page; never a metered read, and no throttle or fault."""
        page = path[len("/app/") :]
        realm_id = request.args.get("realmId", "")
        known = self.store.realm(realm_id) is not None if realm_id else False
        endpoint = f"/app/{page}" if page in documents.PAGES else "unknown"
        self.counters.request(f"{request.method} {endpoint}", realm_id if known else None)
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed", 405, {"Allow": "GET, HEAD"}, content_type="text/plain")
        txn_id = request.args.get("txnId", "")
        with self.store.realm_lock(realm_id) if known else contextlib.nullcontext():
            status, html = documents.render(self.store.data["realms"], realm_id, page, txn_id)
        return Response(html, status=status, content_type="text/html; charset=utf-8")

    # ------------------------------------------------------------ Accounting API

    def _accounting_request(self, request, path):
        parts = path.split("/")[3:]
        realm_id = parts[0]
        segments = parts[1:]
        self.counters.request(f"{request.method} {segments[0].lower() if segments else 'company'}", realm_id)
        if not self.limiter.enter(realm_id):
            self.counters.rejected(realm_id)
            return fault_response(errors.throttled(), self.clock)
        try:
            early = self._gateway(request, realm_id)
            if early is not None:
                return early
            refused = self._authenticate(request, realm_id)
            if refused is not None:
                return refused
            is_batch = segments[:1] == ["batch"]
            if not self.limiter.admit(realm_id, is_batch):
                self.counters.rejected(realm_id)
                return fault_response(errors.throttled(), self.clock)
            try:
                accounting.check_minor_version(request.args)
                status, body, is_write = self._serve(request, realm_id, segments)
            except errors.QboFault as fault:
                self.counters.fault(realm_id)
                return fault_response(fault, self.clock)
            if "Fault" in body:
                self.counters.fault(realm_id)
            if is_write and self.faults.take(("drop_after_write",), request.path, realm_id):
                self.counters.injected(realm_id)
                return self._drop(request)
            return Response(json.dumps(body), status=status, content_type="application/json;charset=UTF-8")
        finally:
            self.limiter.leave(realm_id)

    def _authenticate(self, request, realm_id):
        authorization = request.headers.get("Authorization")
        if self.faults.take(("expire_access_token",), request.path, realm_id):
            self.counters.injected(realm_id)
            self.tokens.expire_access_token(authorization)
        try:
            self.tokens.authenticate(authorization, realm_id)
        except AuthFailure as failure:
            now = qbo_response_time(self.clock.now())
            if failure.status == 403:
                body = errors.authorization_fault(now)
            else:
                body = errors.authentication_fault(failure.detail, now)
            return Response(
                json.dumps(body), status=failure.status, content_type="application/json;charset=UTF-8"
            )
        return None

    def _serve(self, request, realm_id, segments):
        """Route one Accounting API call; returns (status, body, whether it wrote)."""
        method = request.method
        head = segments[0] if segments else ""
        etype = types.for_path(head)
        entity = etype.name if etype else None
        is_write = method == "POST" and (entity is not None or head == "batch")
        request_id = accounting.request_id(request.args) if method == "POST" else None
        with self.store.realm_lock(realm_id):
            realm = self.store.realm(realm_id)
            cache = realm["requests"]
            if request_id and request_id in cache:
                self.counters.replayed(realm_id)
                return cache[request_id]["status"], cache[request_id]["body"], False
            status, body = self._route(request, realm, realm_id, method, head, entity, segments)
            if request_id and is_write and status == 200:
                cache[request_id] = {"status": status, "body": body}
                for stale in list(cache)[:-REPLAY_KEEP]:
                    del cache[stale]
                self.store.mark_dirty()
            return status, body, is_write

    def _route(self, request, realm, realm_id, method, head, entity, segments):
        api = self.api
        if method == "GET" and head == "companyinfo" and len(segments) == 2:
            return api.company_info(realm, realm_id, segments[1])
        if method == "GET" and head == "preferences" and len(segments) == 1:
            return api.preferences(realm, realm_id)
        if head == "query" and len(segments) == 1 and method in ("GET", "POST"):
            text = request.args.get("query") if method == "GET" else request.get_data(as_text=True)
            return api.query(realm, realm_id, text or request.args.get("query"))
        if method == "GET" and head == "cdc" and len(segments) == 1:
            return api.cdc(realm, realm_id, request.args)
        if method == "POST" and head == "batch" and len(segments) == 1:
            return api.batch(realm, realm_id, request.get_data())
        if entity and method == "GET" and len(segments) == 2:
            return api.read(realm, realm_id, entity, segments[1])
        if entity and method == "POST" and len(segments) == 1:
            return api.write(realm, realm_id, entity, request.get_data(), request.args)
        raise errors.unsupported_operation(request.path)

    @staticmethod
    def _drop(request):
        """The write is done; hang up without an answer, like a network failure would."""
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return Response(b"", status=200)


class _QuietHandler(WSGIRequestHandler):
    verbose = False

    def log_request(self, code="-", size="-"):
        if self.verbose:
            super().log_request(code, size)


class SandboxServer:
    """A local QuickBooks Online: ``SandboxServer(port=0).start()`` ... ``.stop()``."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        time_scale=1.0,
        limits=True,
        state_file=None,
        seed=True,
        latency=0.0,
        client_id=None,
        client_secret=None,
        redirect_uris=None,
        verbose=False,
    ):
        self.host = host
        self.port = port
        self.clock = Clock(time_scale)
        app = None
        if client_id or client_secret or redirect_uris:
            app = {
                "client_id": client_id or DEFAULT_CLIENT_ID,
                "client_secret": client_secret or DEFAULT_CLIENT_SECRET,
                "redirect_uris": redirect_uris or DEFAULT_REDIRECT_URIS,
            }
        self.store = Store(self.clock, state_file=state_file, with_records=seed, app=app)
        counters = Counters()
        limiter = Limiter(self.clock, enabled=limits, on_admit=counters.window)
        self.app = SandboxApp(self.store, limiter, FaultInjector(), counters, latency=latency)
        self.verbose = verbose
        self._server = None
        self._thread = None
        self.control = None

    def start(self):
        handler = type("Handler", (_QuietHandler,), {"verbose": self.verbose})
        self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=handler)
        self.port = self._server.port
        self.store.start_autosave()
        self.app.webhooks.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="qbo-sandbox", daemon=True
        )
        self._thread.start()
        self.control = Control(self.url)
        return self

    def serve_forever(self):
        """Block until interrupted (the command line uses this); starts the server if needed."""
        if self._server is None:
            self.start()
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None
        self.app.webhooks.stop()
        self.store.stop_autosave()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        """Where a client on this machine reaches the server (a wildcard bind reads as loopback)."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def discovery_url(self):
        return self.url + "/.well-known/openid_configuration"

    @property
    def api_url_v3(self):
        return self.url + "/v3"
