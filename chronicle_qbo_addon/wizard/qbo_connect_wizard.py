import secrets
from dataclasses import asdict
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac

from ..const import OAUTH_STATE_SCOPE
from ..utils import RealmMismatch, check_local_base_url, check_realm_id, error_message
from ..services.client import QboError, QboTokens

class QboConnectWizard(models.TransientModel):
    """Add company / Reconnect: the steps of Intuit's sign-in, in the order a person does them."""

    _name = "qbo.connect.wizard"
    _description = "Connect a QuickBooks Online company"

    qbo_company_id = fields.Many2one("qbo.company", string="Company to reconnect", readonly=True)
    qb_version = fields.Selection(
        selection=lambda self: self.env["qbo.company"]._fields["qb_version"].selection,
        string="QB Version",
        required=True,
        default="plus",
    )
    environment = fields.Selection(
        selection=lambda self: self.env["qbo.company"]._fields["environment"].selection,
        required=True,
        default="production",
    )
    local_base_url = fields.Char(
        string="Local sandbox URL", default=lambda self: self.env["qbo.company"]._qbo_local_base_url_setting()
    )
    auth_code = fields.Char(string="Authorization code")
    realm_id = fields.Char(string="Realm ID")
    name = fields.Char(string="Company name", help="Any name; it does not have to be the QuickBooks file's name.")
    oauth_nonce = fields.Char(readonly=True, copy=False)
    # Tokens a code gave for another Realm ID than the one typed: kept until it is corrected.
    pending_tokens = fields.Json(groups="base.group_system", copy=False)
    notice = fields.Text(readonly=True, copy=False)
    state = fields.Selection([("new", "New"), ("done", "Done")], default="new", readonly=True)

    @api.model
    def action_open(self, qbo_company=None):
        (qbo_company or self.env["qbo.company"])._qbo_check_access()
        values = {}
        if qbo_company:
            values = {
                "qbo_company_id": qbo_company.id,
                "qb_version": qbo_company.qb_version,
                "environment": qbo_company.environment,
                "local_base_url": qbo_company.local_base_url,
                "realm_id": qbo_company.realm_id,
                "name": qbo_company.name,
            }
        wizard = self.create(values)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reconnect company") if qbo_company else self.env._("Add company"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    # === SIGNED STATE === #

    def _oauth_signature(self, nonce):
        return hmac(self.env(su=True), OAUTH_STATE_SCOPE, (self.id, self.env.uid, nonce))

    def _oauth_state(self):
        """A fresh state for Intuit's redirect: this wizard, this person, this attempt."""
        self.ensure_one()
        nonce = secrets.token_urlsafe(16)
        self.oauth_nonce = nonce
        return f"{self.id}.{nonce}.{self._oauth_signature(nonce)}"

    @api.model
    def _from_oauth_state(self, state):
        """The wizard a redirect belongs to, or an empty recordset when the state is forged,
        belongs to someone else, is stale (a newer code was asked for) or was used already."""
        try:
            wizard_id, nonce, signature = (state or "").split(".")
            wizard = self.browse(int(wizard_id)).exists()
        except ValueError:
            return self.browse()
        if (
            not wizard
            or wizard.state != "new"
            or not wizard.oauth_nonce
            or not consteq(wizard.oauth_nonce, nonce)
            or not consteq(wizard._oauth_signature(nonce), signature)
        ):
            return self.browse()
        return wizard

    # === STEPS === #

    def _qbo_check(self):
        """Checks made before any request to Intuit: who asks, for which company, sent where."""
        self.ensure_one()
        self.qbo_company_id._qbo_check_access()
        if self.environment == "local":
            target = self.qbo_company_id
            if not (target.environment == "local" and target.local_base_url == self.local_base_url):
                self.env["qbo.company"]._qbo_check_endpoint(self.environment, self.local_base_url)
            check_local_base_url(self.env, self.local_base_url)

    def _qbo_app(self):
        self._qbo_check()
        return self.env["qbo.company"]._qbo_app(
            environment=self.environment, local_base_url=self.local_base_url
        )

    def action_get_authorization_code(self):
        """Step one: open Intuit's sign-in in a new tab."""
        self.ensure_one()
        app = self._qbo_app()
        try:
            url = app.authorization_url(self._oauth_state())
        except QboError as error:
            where = (
                self.env._("the local sandbox at %s runs", self.local_base_url)
                if self.environment == "local"
                else self.env._("this server can reach Intuit (appcenter.intuit.com)")
            )
            raise UserError(
                self.env._(
                    "Could not reach Intuit to start the sign-in: %(error)s Check that %(where)s, "
                    "then press Get authorization code again.",
                    error=error_message(self.env, error),
                    where=where,
                )
            ) from error
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}

    def action_authenticate(self):
        """Step two: exchange the pasted code for tokens and show the connected company."""
        self.ensure_one()
        if self.state == "done" and self.qbo_company_id.state == "connected":
            # Intuit's redirect already connected the company in another tab.
            company = self.qbo_company_id
        else:
            try:
                company = self._qbo_authenticate(self.auth_code, self.realm_id)
            except RealmMismatch as mismatch:
                # Kept, not raised: the tokens must outlive this request for the corrected Realm ID.
                self.sudo().pending_tokens = {
                    key: value.isoformat() if isinstance(value, datetime) else value
                    for key, value in asdict(mismatch.tokens).items()
                }
                self.notice = mismatch.args[0]
                return {
                    "type": "ir.actions.act_window",
                    "name": self.env._("Add company"),
                    "res_model": self._name,
                    "res_id": self.id,
                    "view_mode": "form",
                    "target": "new",
                }
        return {
            "type": "ir.actions.act_window",
            "res_model": "qbo.company",
            "res_id": company.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _qbo_pending_tokens(self, pending):
        if not pending:
            return None
        values = {
            key: datetime.fromisoformat(value) if key.endswith("_at") and value else value
            for key, value in pending.items()
        }
        return QboTokens(**values)

    def _qbo_authenticate(self, code, realm_id):
        """Connect (or reconnect) the company with an authorization code.

        :return: the connected ``qbo.company``
        :raise UserError: on bad input or when Intuit refuses; nothing is changed then
        """
        self.ensure_one()
        self._qbo_check()
        _ = self.env._
        code = (code or "").strip()
        realm_id = (realm_id or "").strip()
        if self.state != "new":
            raise UserError(_("This authorization was already used. Start again with Add company."))
        pending = self.sudo().pending_tokens
        if not code and not pending:
            raise UserError(_("Paste the authorization code Intuit showed after you signed in."))
        check_realm_id(self.env, realm_id)
        target = self.qbo_company_id
        if target.realm_id and target.realm_id != realm_id:
            raise UserError(
                _(
                    "%(name)s is connected to Realm ID %(realm)s. To connect another company "
                    "file, use Add company.",
                    name=target.name,
                    realm=target.realm_id,
                )
            )
        existing = (
            self.env["qbo.company"]
            .sudo()
            .search([("realm_id", "=", realm_id), ("id", "!=", target.id)], limit=1)
        )
        if existing.state == "connected":
            raise UserError(
                _("Realm ID %(realm)s is already connected as %(name)s.", realm=realm_id, name=existing.name)
            )
        if existing:
            raise UserError(
                _(
                    "Realm ID %(realm)s is the company file of %(name)s: open it and press Reconnect.",
                    realm=realm_id,
                    name=existing.name,
                )
            )
        tokens, info = self.env["qbo.company"]._qbo_authorize(
            self._qbo_app(), code, realm_id, tokens=self._qbo_pending_tokens(pending)
        )
        name = (self.name or "").strip()
        if not target:
            target = self.env["qbo.company"].create(
                {
                    "name": name or info.get("CompanyName") or _("QuickBooks %s", realm_id),
                    "qb_version": self.qb_version,
                    "environment": self.environment,
                    "local_base_url": self.local_base_url,
                }
            )
        elif name and name != target.name:
            target.name = name
        target._qbo_mark_connected(tokens, info, realm_id)
        self.write({"state": "done", "auth_code": False, "realm_id": realm_id, "qbo_company_id": target.id,
                    "notice": False})
        self.sudo().pending_tokens = False
        return target
