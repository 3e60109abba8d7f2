from odoo import api, fields, models

from ..const import (
    DEFAULT_LOCAL_BASE_URL,
    DEFAULT_LOG_RETENTION_DAYS,
    PARAM_CLIENT_ID,
    PARAM_CLIENT_SECRET,
    PARAM_ENABLED,
    PARAM_LOCAL_BASE_URL,
    PARAM_LOG_RETENTION_DAYS,
    PARAM_WEBHOOK_VERIFIER,
    SECRET_SETTINGS,
    WEBHOOK_PATH,
)
from ..utils import check_local_base_url


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    qbo_enabled = fields.Boolean(string="QuickBooks Online", config_parameter=PARAM_ENABLED)
    qbo_client_id = fields.Char(string="Client ID", config_parameter=PARAM_CLIENT_ID)
    qbo_client_secret = fields.Char(
        string="Client secret", config_parameter=PARAM_CLIENT_SECRET, groups="base.group_system"
    )
    qbo_local_base_url = fields.Char(
        string="Local sandbox URL",
        config_parameter=PARAM_LOCAL_BASE_URL,
        default=DEFAULT_LOCAL_BASE_URL,
        help="Where the local QuickBooks sandbox (python -m qbo_sandbox) answers, for companies "
        "connected with the Local sandbox environment; an address on this machine.",
    )
    qbo_log_retention_days = fields.Integer(
        string="Keep the accounting log (days)",
        config_parameter=PARAM_LOG_RETENTION_DAYS,
        default=DEFAULT_LOG_RETENTION_DAYS,
    )
    qbo_webhook_verifier = fields.Char(
        string="Webhook verifier token", config_parameter=PARAM_WEBHOOK_VERIFIER, groups="base.group_system",
        help="The verifier token Intuit shows for the app's webhooks: every delivery is checked against it.",
    )
    qbo_redirect_uri = fields.Char(string="Redirect URI", compute="_compute_qbo_redirect_uri")
    qbo_webhook_url = fields.Char(string="Webhook endpoint", compute="_compute_qbo_redirect_uri")
    qbo_company_count = fields.Integer(compute="_compute_qbo_company_count")

    @api.model
    def default_get(self, fields):
        # A settings field's groups guard its reads, not default_get, which any user may call.
        values = super().default_get(fields)
        return self._qbo_without_secrets(values)

    @api.model
    def get_values(self):
        return self._qbo_without_secrets(super().get_values())

    def set_values(self):
        was_enabled = self.env["qbo.company"]._qbo_is_enabled()
        result = super().set_values()
        if not was_enabled and self.env["qbo.company"]._qbo_is_enabled():
            # What changed while the bridge was paused goes now.
            self.env.ref("chronicle_qbo_addon.ir_cron_qbo_push_jobs").sudo()._trigger()
        return result

    @api.constrains("qbo_local_base_url")
    def _check_qbo_local_base_url(self):
        for settings in self:
            if settings.qbo_local_base_url:
                check_local_base_url(self.env, settings.qbo_local_base_url)

    @api.model
    def _qbo_without_secrets(self, values):
        if not (self.env.su or self.env.is_system()):
            for name in SECRET_SETTINGS:
                values.pop(name, None)
        return values

    @api.depends("company_id")
    def _compute_qbo_redirect_uri(self):
        uri = self.env["qbo.company"]._qbo_redirect_uri()
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for settings in self:
            settings.qbo_redirect_uri = uri
            settings.qbo_webhook_url = base + WEBHOOK_PATH

    def _compute_qbo_company_count(self):
        count = self.env["qbo.company"].search_count([])
        for settings in self:
            settings.qbo_company_count = count
