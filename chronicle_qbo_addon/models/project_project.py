from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from ..const import JOB_PUSH_FIELDS

QBO_USER = "chronicle_qbo_addon.group_qbo_user"


class ProjectProject(models.Model):
    """A job: the project that QuickBooks knows as a sub-customer of its customer."""

    _inherit = "project.project"

    job_number = fields.Char(
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Leads the job's name in QuickBooks. Given from a sequence; can be changed.",
    )
    department_ids = fields.Many2many(
        "hr.department",
        "project_project_hr_department_rel",
        "project_id",
        "department_id",
        string="Production departments",
        domain="[('is_production', '=', True), '|', ('company_id', '=', False), ('company_id', '=?', company_id)]",
        help="Production departments working on the job: the job is pushed to the QuickBooks "
        "company file of each active one.",
    )
    site_partner_id = fields.Many2one(
        "res.partner",
        string="Job site",
        compute="_compute_site_partner_id",
        store=True,
        readonly=False,
        help="Where the work happens; the customer's address when left empty.",
    )
    qbo_job_sync_ids = fields.One2many("qbo.job.sync", "project_id", string="QuickBooks")
    qbo_state = fields.Selection(
        [("error", "Error"), ("pending", "Pending"), ("synced", "Synced")],
        string="QuickBooks state",
        compute="_compute_qbo_state",
        store=True,
        help="Where the job stands in QuickBooks, the worst of its companies: Error, Pending, Synced.",
    )
    qbo_log_count = fields.Integer(compute="_compute_qbo_log_count")
    # What the pull brought: the Job Cost figures and lines.
    qbo_cost_line_ids = fields.One2many("qbo.job.cost.line", "project_id", string="Job cost lines",
                                        groups=QBO_USER)
    qbo_cost_summary_ids = fields.One2many("qbo.job.cost.summary", "project_id", string="Job cost by department",
                                           groups=QBO_USER)
    qbo_cost_category_ids = fields.One2many("qbo.job.cost.category.summary", "project_id",
                                            string="Cost by category",
                                            groups=QBO_USER)
    qbo_currency_id = fields.Many2one("res.currency", compute="_compute_qbo_currency_id", string="Job cost currency")
    qbo_invoiced = fields.Monetary(compute="_compute_qbo_totals", string="Invoiced",
                                   currency_field="qbo_currency_id", groups=QBO_USER)
    qbo_collected = fields.Monetary(compute="_compute_qbo_totals", string="Collected",
                                    currency_field="qbo_currency_id", groups=QBO_USER)
    qbo_open_balance = fields.Monetary(compute="_compute_qbo_totals", string="Open balance",
                                       currency_field="qbo_currency_id", groups=QBO_USER)
    qbo_cost = fields.Monetary(compute="_compute_qbo_totals", string="Total cost",
                               currency_field="qbo_currency_id", groups=QBO_USER)
    qbo_gross_profit = fields.Monetary(compute="_compute_qbo_totals", string="Gross profit",
                                       currency_field="qbo_currency_id", groups=QBO_USER)
    qbo_margin = fields.Float(compute="_compute_qbo_totals", string="Margin (%)", digits=(16, 1),
                              groups=QBO_USER)

    _job_number_uniq = models.UniqueIndex(
        "(COALESCE(company_id, 0), job_number) WHERE job_number IS NOT NULL",
        "Another job of this company already has this job number.",
    )

    @api.depends("partner_id")
    def _compute_site_partner_id(self):
        for job in self:
            if not job.site_partner_id or job.site_partner_id == job._origin.partner_id:
                job.site_partner_id = job.partner_id

    @api.depends("qbo_job_sync_ids.state", "qbo_job_sync_ids.active")
    def _compute_qbo_state(self):
        for job in self:
            states = set(job.qbo_job_sync_ids.filtered("active").mapped("state"))
            job.qbo_state = next((state for state in ("error", "pending") if state in states), False) or (
                "synced" if states else False
            )

    def _compute_qbo_log_count(self):
        counts = dict(
            self.env["qbo.log"].sudo()._read_group([("project_id", "in", self.ids)], ["project_id"], ["__count"])
        )
        for job in self:
            job.qbo_log_count = counts.get(job, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("job_number"):
                vals["job_number"] = self.env["ir.sequence"].next_by_code("chronicle_qbo.job_number")
        jobs = super().create(vals_list)
        jobs._qbo_mark_pending()
        return jobs

    def write(self, vals):
        result = super().write(vals)
        if JOB_PUSH_FIELDS & set(vals) and not self.env.context.get("qbo_no_push"):
            self._qbo_mark_pending()
        return result

    # === PUSH === #

    def _qbo_target_companies(self):
        """The QuickBooks companies this job goes to: those of its active production departments."""
        self.ensure_one()
        mappings = self.env["qbo.department.mapping"].sudo().search(
            [("department_id", "in", self.department_ids.filtered("is_production").ids)]
        )
        return mappings.qbo_company_id.filtered("active")

    def _qbo_mark_pending(self):
        """Note which jobs QuickBooks must hear about, and wake the push; no call to Intuit here.

        With QuickBooks Online turned off the jobs are still noted: the toggle pauses the bridge,
        and what changed meanwhile is pushed when it is turned on again.
        """
        syncs = self.env["qbo.job.sync"].sudo()._qbo_prepare(self)
        if self.env["qbo.company"]._qbo_is_enabled():
            syncs.filtered(lambda sync: sync.state == "pending").qbo_company_id._qbo_wake()

    def action_qbo_export_job(self):
        """Export job: push this job to each of its QuickBooks companies now."""
        self.ensure_one()
        self._qbo_check_user()
        self._qbo_check_enabled()
        syncs = self.env["qbo.job.sync"].sudo()._qbo_prepare(self)
        syncs.qbo_company_id.sudo(False)._qbo_check_access(group="chronicle_qbo_addon.group_qbo_user", operation="read")
        if not syncs:
            raise UserError(
                self.env._(
                    "This job has no active production department associated with a QuickBooks "
                    "company: add one on the job, or associate its department in Settings > QuickBooks."
                )
            )
        syncs._qbo_push()
        return syncs._qbo_notification()

    def action_qbo_link_job(self):
        self.ensure_one()
        self._qbo_check_user()
        self._qbo_check_enabled()
        return self.env["qbo.link.wizard"].action_open(self)

    def action_qbo_open_log(self):
        self.ensure_one()
        self._qbo_check_user()
        action = self.env["ir.actions.act_window"]._for_xml_id("chronicle_qbo_addon.action_qbo_log")
        action["domain"] = [("project_id", "=", self.id)]
        action["context"] = {"default_project_id": self.id}
        action["name"] = self.env._("Accounting log: %s", self.display_name)
        return action

    def _qbo_check_enabled(self):
        if not self.env["qbo.company"]._qbo_is_enabled():
            raise UserError(
                self.env._(
                    "QuickBooks Online is turned off in Settings > QuickBooks: turn it on, and the "
                    "jobs changed meanwhile are pushed."
                )
            )

    def _qbo_check_user(self):
        if not self.env.user.has_group("chronicle_qbo_addon.group_qbo_user"):
            raise AccessError(self.env._("Only QuickBooks users can export, link or inspect jobs in QuickBooks."))

    # === WHAT QUICKBOOKS IS TOLD === #

    def _qbo_job_values(self):
        """The job as the service layer's mapping expects it."""
        self.ensure_one()
        site = self.site_partner_id or self.partner_id
        return {
            "number": self.job_number,
            "name": self.name,
            "description": html2plaintext(self.description or "").strip(),
            "site": site._qbo_address_values() if site else None,
        }

    # === JOB COST === #

    @api.depends("company_id")
    def _compute_qbo_currency_id(self):
        for job in self:
            job.qbo_currency_id = job.company_id.currency_id or self.env.company.currency_id

    def _compute_qbo_totals(self):
        totals = {
            project: (invoiced, collected, cost)
            for project, invoiced, collected, cost in self.env["qbo.job.cost.line"]._read_group(
                [("project_id", "in", self.ids)], ["project_id"], ["invoiced:sum", "collected:sum", "cost:sum"]
            )
        }
        for job in self:
            invoiced, collected, cost = totals.get(job, (0.0, 0.0, 0.0))
            job.qbo_invoiced = invoiced
            job.qbo_collected = collected
            job.qbo_open_balance = invoiced - collected
            job.qbo_cost = cost
            job.qbo_gross_profit = invoiced - cost
            job.qbo_margin = 100.0 * (invoiced - cost) / invoiced if invoiced else 0.0

    def action_qbo_open_job_costing(self):
        """The job costing report, this job's lines only."""
        self.ensure_one()
        self._qbo_check_user()
        action = self.env["ir.actions.act_window"]._for_xml_id("chronicle_qbo_addon.action_qbo_job_costing")
        action["domain"] = [("project_id", "=", self.id)]
        action["name"] = self.env._("Job costing: %s", self.display_name)
        return action
