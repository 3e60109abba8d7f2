from odoo import api, fields, models

from .qbo_company import PARAM_CLIENT_ID, PARAM_CLIENT_SECRET, PARAM_ENABLED
from .qbo_log import DEFAULT_LOG_RETENTION_DAYS, PARAM_LOG_RETENTION_DAYS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    qbo_enabled = fields.Boolean(string="QuickBooks Online", config_parameter=PARAM_ENABLED)
    qbo_client_id = fields.Char(string="Client ID", config_parameter=PARAM_CLIENT_ID)
    qbo_client_secret = fields.Char(
        string="Client secret", config_parameter=PARAM_CLIENT_SECRET, groups="base.group_system"
    )
    qbo_log_retention_days = fields.Integer(
        string="Keep the accounting log (days)",
        config_parameter=PARAM_LOG_RETENTION_DAYS,
        default=DEFAULT_LOG_RETENTION_DAYS,
    )
    qbo_redirect_uri = fields.Char(string="Redirect URI", compute="_compute_qbo_redirect_uri")
    qbo_company_count = fields.Integer(compute="_compute_qbo_company_count")

    @api.depends("company_id")
    def _compute_qbo_redirect_uri(self):
        uri = self.env["qbo.company"]._qbo_redirect_uri()
        for settings in self:
            settings.qbo_redirect_uri = uri

    def _compute_qbo_company_count(self):
        count = self.env["qbo.company"].search_count([])
        for settings in self:
            settings.qbo_company_count = count
