from datetime import timedelta

from odoo import api, fields, models

from ..const import DEFAULT_LOG_RETENTION_DAYS, HOST_OPERATIONS, PARAM_LOG_RETENTION_DAYS
from ..services.events import EVENT_OPERATIONS

# The host's own operations, then those the services report (a new service extends its list).
OPERATIONS = HOST_OPERATIONS + EVENT_OPERATIONS


class QboLog(models.Model):
    """The accounting log: what the bridge did with QuickBooks, never a token."""

    _name = "qbo.log"
    _description = "QuickBooks Accounting Log"
    _order = "id desc"
    _rec_name = "message"

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    qbo_company_id = fields.Many2one(
        "qbo.company", string="QuickBooks company", readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, default=lambda self: self.env.company
    )
    project_id = fields.Many2one("project.project", string="Job", readonly=True, index=True, ondelete="set null")
    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    level = fields.Selection(
        [("info", "Info"), ("warning", "Warning"), ("error", "Error")],
        default="info",
        required=True,
        readonly=True,
    )
    message = fields.Text(required=True, readonly=True)
    qbo_entity = fields.Char(string="QuickBooks entity", readonly=True)
    qbo_id = fields.Char(string="QuickBooks Id", readonly=True)
    request_id = fields.Char(string="Request id", readonly=True)
    intuit_tid = fields.Char(string="intuit_tid", readonly=True, help="Intuit's transaction id, for Intuit support.")
    user_id = fields.Many2one("res.users", string="By", readonly=True, default=lambda self: self.env.user)

    @api.model
    def _record(self, operation, message, level="info", qbo_company=None, project=None, **values):
        """Add a line to the log, whatever the current user may write."""
        qbo_company = qbo_company or self.env["qbo.company"]
        return self.sudo().create(
            dict(
                values,
                operation=operation,
                message=message,
                level=level,
                qbo_company_id=qbo_company.id,
                project_id=project.id if project else False,
                company_id=(qbo_company.company_id or (project.company_id if project else False)
                            or self.env.company).id,
            )
        )

    @api.autovacuum
    def _gc_old_lines(self):
        days = int(
            self.env["ir.config_parameter"].sudo().get_param(PARAM_LOG_RETENTION_DAYS, DEFAULT_LOG_RETENTION_DAYS)
            or DEFAULT_LOG_RETENTION_DAYS
        )
        limit_date = fields.Datetime.now() - timedelta(days=days)
        self.sudo().search([("date", "<", limit_date)]).unlink()
