"""The job-costing side of a QuickBooks company: where its pull starts and stands, its mirrored
lists, its check-memo exclusions and its runs."""
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import DEFAULT_MEMO_EXCLUSIONS
from ..services.job_cost import NO_CLASSES, PER_LINE, PER_TRANSACTION


def _start_of_year():
    return date(fields.Date.today().year, 1, 1)


class QboCompany(models.Model):
    _inherit = "qbo.company"

    pull_start_date = fields.Date(
        string="Pull documents from",
        default=lambda self: _start_of_year(),
        required=True,
        help="Documents dated before this day are not pulled. Moving it reads the company in full "
        "again on the next run.",
    )
    pull_position = fields.Datetime(
        string="Pulled up to", readonly=True, copy=False,
        help="QuickBooks' time the last successful pull covers; the next one reads what changed since.",
    )
    pull_class_tracking = fields.Selection(
        [(PER_TRANSACTION, "One class per transaction"), (PER_LINE, "One class per line"),
         (NO_CLASSES, "No class tracking")],
        string="Class tracking", readonly=True, copy=False,
        help="As QuickBooks' preferences say; read again by each full pull.",
    )
    memo_exclusions = fields.Char(
        string="Skip checks whose memo says",
        default=DEFAULT_MEMO_EXCLUSIONS,
        help="Words, comma-separated: a check whose memo holds one of them (as a whole word, in "
        "any case) is not pulled.",
    )
    qbo_account_ids = fields.One2many("qbo.account", "qbo_company_id", string="Accounts")
    qbo_expense_account_ids = fields.One2many(
        "qbo.account", "qbo_company_id", string="Expense accounts", domain=[("is_expense", "=", True)],
        context={"active_test": False},
    )
    qbo_item_ids = fields.One2many("qbo.item", "qbo_company_id", string="Products and services")
    qbo_class_ids = fields.One2many("qbo.class", "qbo_company_id", string="Classes")
    bridge_run_ids = fields.One2many("qbo.bridge.run", "qbo_company_id", string="Bridge runs")
    bridge_run_count = fields.Integer(compute="_compute_bridge_run_count")
    last_run_state = fields.Selection(related="bridge_run_ids.state", string="Last run")

    @api.depends("bridge_run_ids")
    def _compute_bridge_run_count(self):
        counts = dict(self.env["qbo.bridge.run"]._read_group(
            [("qbo_company_id", "in", self.ids)], ["qbo_company_id"], ["__count"]))
        for company in self:
            company.bridge_run_count = counts.get(company, 0)

    @api.constrains("pull_start_date")
    def _check_pull_start_date(self):
        today = fields.Date.context_today(self)
        for company in self:
            if company.pull_start_date and company.pull_start_date > today:
                raise ValidationError(self.env._(
                    "The pull of %(name)s cannot start on %(date)s: that day has not come yet.",
                    name=company.name, date=company.pull_start_date))

    def write(self, vals):
        if "pull_start_date" in vals:
            moved = self.filtered(lambda c: fields.Date.to_string(c.pull_start_date) != str(vals["pull_start_date"]))
            result = super().write(vals)
            # Documents between the old and the new start are not in any change since the last run.
            moved.sudo().write({"pull_position": False})
            return result
        return super().write(vals)

    def action_qbo_open_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("chronicle_qbo_addon.action_qbo_bridge_run")
        action["domain"] = [("qbo_company_id", "=", self.id)]
        action["context"] = {"default_qbo_company_id": self.id}
        return action
