import logging

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..const import CALLBACK_PATH, PARAM_WEBHOOK_VERIFIER, WEBHOOK_PATH
from ..services import webhooks
from ..utils import RealmMismatch

_logger = logging.getLogger(__name__)


class _CallbackQueryFilter(logging.Filter):
    """The access log line of Intuit's redirect would carry the authorization code and the signed
    state in its query string: only the path is logged."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple) and CALLBACK_PATH in str(record.args[0]):
            first = str(record.args[0])
            start = first.index(CALLBACK_PATH) + len(CALLBACK_PATH)
            if first[start:start + 1] == "?":
                end = first.find(" ", start)
                first = first[:start] + "?[hidden]" + (first[end:] if end != -1 else "")
                record.args = (first,) + record.args[1:]
        return True


_werkzeug_logger = logging.getLogger("werkzeug")
if not any(isinstance(f, _CallbackQueryFilter) for f in _werkzeug_logger.filters):
    _werkzeug_logger.addFilter(_CallbackQueryFilter())


class QboOAuthController(http.Controller):
    @http.route(CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def qbo_oauth_callback(self, code=None, state=None, realmId=None, error=None, **kwargs):
        """Intuit's redirect after sign-in: the same exchange as Authenticate, done by itself.

        The state is signed for one wizard, one person and one attempt; anything else is refused
        before a single call to Intuit.
        """
        if not request.env.user.has_group("chronicle_qbo_addon.group_qbo_manager"):
            _logger.warning("QuickBooks callback refused: user %s is not a QuickBooks manager", request.env.uid)
            raise Forbidden()
        wizard = request.env["qbo.connect.wizard"]._from_oauth_state(state)
        if not wizard:
            _logger.warning("QuickBooks callback refused: forged, stale or already used state")
            raise Forbidden()
        back_url = "/odoo/qbo-companies"
        if error:
            return request.render(
                "chronicle_qbo_addon.qbo_oauth_error",
                {
                    "error": request.env._(
                        "Intuit did not authorize the connection (%(error)s). Nothing was changed.",
                        error=error,
                    ),
                    "redirect_url": back_url,
                },
                status=400,
            )
        try:
            with request.env.cr.savepoint():
                company = wizard._qbo_authenticate(code, realmId)
        except RealmMismatch as exc:
            # Intuit itself named the realm: nobody will correct it here, so nothing is kept.
            request.env["qbo.company"]._qbo_revoke_quietly(wizard._qbo_app(), exc.tokens)
            return request.render(
                "chronicle_qbo_addon.qbo_oauth_error",
                {"error": exc.args[0], "redirect_url": back_url},
                status=400,
            )
        except UserError as exc:
            return request.render(
                "chronicle_qbo_addon.qbo_oauth_error",
                {"error": exc.args[0], "redirect_url": back_url},
                status=400,
            )
        return request.redirect(f"{back_url}/{company.id}")


class QboWebhookController(http.Controller):
    @http.route(WEBHOOK_PATH, type="http", auth="public", methods=["POST"], csrf=False, save_session=False)
    def qbo_webhook(self, **kwargs):
        """Intuit's webhook: the signature first, over the raw body and in constant time; then the
        events are kept once each and the runs they concern woken. No work here: Intuit waits 3 s.

        :return: 200 when received (new or seen before), 401 when the signature is missing or
            wrong, 400 for a signed body that holds no events
        """
        body = request.httprequest.get_data()
        verifier = request.env["ir.config_parameter"].sudo().get_param(PARAM_WEBHOOK_VERIFIER)
        if not verifier:
            _logger.warning("QuickBooks webhook refused: no verifier token is set in Settings > QuickBooks")
            return request.make_response("", status=401)
        if not webhooks.verify(verifier, body, request.httprequest.headers.get(webhooks.SIGNATURE_HEADER)):
            _logger.warning("QuickBooks webhook refused: missing or wrong signature (%d bytes from %s)",
                            len(body), request.httprequest.remote_addr)
            return request.make_response("", status=401)
        try:
            events = webhooks.parse(body)
        except ValueError as error:
            _logger.warning("QuickBooks webhook refused: %s", error)
            return request.make_response("", status=400)
        new = request.env["qbo.webhook.event"].sudo()._qbo_receive(events)
        _logger.info("QuickBooks webhook: %d events, %d new", len(events), new)
        return request.make_response("", status=200)
