"""The whole bridge's side of a QuickBooks company: where its pull starts and stands, its mirrored
lists, its check-memo exclusions, its runs, and its own scheduled action, its lane.

The lane pushes the company's pending jobs, then pulls when a pull was asked for (nightly, Run
bridge now, Intuit's webhooks). Odoo's scheduler runs a scheduled action in one worker at a time,
and different ones in different workers, on one server or several: one action per company lets
cron workers take different companies at once, and never two runs of one company. The global
actions only wake the lanes.
"""
import ast
from datetime import date, datetime, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import DEFAULT_MEMO_EXCLUSIONS
from ..services.errors import QboError
from ..services.job_cost import NO_CLASSES, PER_LINE, PER_TRANSACTION
from ..services.pull import Sink, pull_customers
from ..utils import error_message, notification

LANE_INTERVAL_DAYS = 7  # lanes run when woken; this only catches what a lost wake-up left


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
    labor_burden_percent = fields.Float(
        string="Labor burden (%)", digits=(5, 2),
        help="Payroll taxes, insurance and benefits on crew time, as a share of its cost: shown apart "
        "from the labor on the Job Cost page.",
    )
    labor_read_from = fields.Date(
        readonly=True, copy=False,
        help="The day the crew time held from QuickBooks starts at; an earlier labor start reads it "
        "in full again.",
    )
    qbo_customer_ids = fields.One2many("qbo.customer", "qbo_company_id", string="Customers and jobs")
    customer_position = fields.Datetime(
        string="Customers read up to", readonly=True, copy=False,
        help="QuickBooks' time the list of customers and jobs (Import Jobs) is current at.",
    )
    qbo_worker_ids = fields.One2many("qbo.worker", "qbo_company_id", string="Employees and vendors")
    bridge_run_ids = fields.One2many("qbo.bridge.run", "qbo_company_id", string="Bridge runs")
    bridge_run_count = fields.Integer(compute="_compute_bridge_run_count")
    last_run_state = fields.Selection(related="bridge_run_ids.state", string="Last run")
    lane_cron_id = fields.Many2one("ir.cron", string="Scheduled action", readonly=True, copy=False,
                                   ondelete="set null", groups="base.group_system")
    bridge_requested = fields.Boolean(
        readonly=True, copy=False,
        help="The whole bridge waits for the company's next run (its pull, unless it pushes jobs only): "
        "asked for by the nightly run, Run bridge now or Intuit's webhooks.",
    )

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

    @api.constrains("labor_burden_percent")
    def _check_labor_burden_percent(self):
        for company in self:
            if not 0 <= company.labor_burden_percent <= 1000:
                raise ValidationError(self.env._(
                    "The labor burden of %(name)s is a percentage of the labor cost, from 0 to 1000.",
                    name=company.name))

    def write(self, vals):
        moved = self.browse()
        if "pull_start_date" in vals:
            moved = self.filtered(lambda c: fields.Date.to_string(c.pull_start_date) != str(vals["pull_start_date"]))
        result = super().write(vals)
        if moved:
            # Documents between the old and the new start are in no change since the last run.
            moved.sudo().write({"pull_position": False})
        if "active" in vals or "name" in vals:
            self._qbo_ensure_lane()
        if "labor_burden_percent" in vals:
            self.env["qbo.time.activity"].sudo().search(
                [("qbo_company_id", "in", self.ids), ("state", "=", "landed")])._qbo_apply()
        return result

    # === LABOR AND JOBS FROM QUICKBOOKS === #

    def _qbo_linked_jobs(self):
        """{QuickBooks job Id: project id} of the jobs linked in this company."""
        self.ensure_one()
        rows = self.env["qbo.job.sync"].sudo().search_read(
            [("qbo_company_id", "=", self.id), ("qbo_job_id", "!=", False)], ["qbo_job_id", "project_id"])
        return {row["qbo_job_id"]: row["project_id"][0] for row in rows}

    def _qbo_labor_start(self):
        """The first day of crew time to read: the earliest labor start of the company's
        departments, or None when none imports labor."""
        self.ensure_one()
        starts = self.sudo().department_mapping_ids.filtered("active").mapped("labor_start_date")
        return min(filter(None, starts), default=None)

    def action_qbo_run_customer_import(self):
        """Run customer import: read what changed in the company's customers and jobs now, and open
        Import Jobs on those no Odoo job is linked to."""
        self.ensure_one()
        self._qbo_check_access(group="chronicle_qbo_addon.group_qbo_user", operation="read")
        company = self.sudo()
        sink = _CustomerSink(self.env, company)
        try:
            outcome = pull_customers(
                company._qbo_client(interactive=True), sink,
                position=company.customer_position.replace(tzinfo=timezone.utc) if company.customer_position else None,
                now=datetime.now(timezone.utc))
        except QboError as error:
            raise UserError(error_message(self.env, error)) from error
        company._qbo_customers_read_at(outcome.position)
        action = self.action_qbo_open_import_jobs()
        return notification(
            "success", self.env._("Customers read from %s", self.name),
            self.env._("%(count)s customers and jobs changed since the last read.",
                       count=outcome.read.get("Customer", 0)),
            next_action=action)

    def _qbo_customers_read_at(self, position):
        """The customer list is current at ``position`` (aware), when that is later than it was."""
        if not position:
            return
        naive = position.astimezone(timezone.utc).replace(tzinfo=None)
        for company in self.sudo():
            if not company.customer_position or company.customer_position < naive:
                company.customer_position = naive

    def action_qbo_open_employee_mapping(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("chronicle_qbo_addon.action_qbo_worker")
        action["domain"] = [("qbo_company_id", "=", self.id)]
        action["context"] = {"search_default_logs_time": 1}
        return action

    def action_qbo_open_import_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("chronicle_qbo_addon.action_qbo_import_jobs")
        context = dict(ast.literal_eval(action.get("context") or "{}"), search_default_qbo_company_id=self.id)
        action["context"] = context
        return action

    def action_qbo_open_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("chronicle_qbo_addon.action_qbo_bridge_run")
        action["domain"] = [("qbo_company_id", "=", self.id)]
        action["context"] = {"default_qbo_company_id": self.id}
        return action

    # === THE LANE === #

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._qbo_ensure_lane()
        return companies

    def unlink(self):
        crons = self.sudo().lane_cron_id
        result = super().unlink()
        crons.unlink()
        return result

    def _qbo_ensure_lane(self):
        """Create, rename or (de)activate each company's scheduled action as the company is."""
        model = self.env["ir.model"].sudo()._get_id("qbo.company")
        for company in self.sudo().with_context(active_test=False):
            values = {"name": self.env._("QuickBooks: %s", company.name), "active": company.active}
            cron = company.lane_cron_id.with_context(active_test=False)
            if cron:
                changed = {name: value for name, value in values.items() if cron[name] != value}
                if changed:
                    cron.write(changed)
                continue
            company.lane_cron_id = self.env["ir.cron"].sudo().create(dict(
                values,
                model_id=model,
                state="code",
                code="model._cron_run_lane(%d)" % company.id,
                interval_number=LANE_INTERVAL_DAYS,
                interval_type="days",
                user_id=self.env.ref("base.user_root").id,
            ))

    def _qbo_wake(self, bridge=False):
        """Run these companies' lanes soon; with ``bridge``, the whole bridge (each company that
        does not push jobs only pulls too)."""
        companies = self.sudo()
        if bridge:
            companies.filtered(lambda c: not c.bridge_requested).bridge_requested = True
        # Only a missing lane is made here: a running lane holds its scheduled action's row, which
        # a person's save must not wait for.
        companies.filtered(lambda c: not c.lane_cron_id)._qbo_ensure_lane()
        for company in companies.filtered("active"):
            company.lane_cron_id._trigger()

    @api.model
    def _cron_run_lane(self, company_id):
        """One company's run: its pending jobs pushed, then its pull if one was asked for."""
        company = self.browse(company_id).exists()
        if not company or not company.active or not company._qbo_is_enabled():
            return
        bridge = company.bridge_requested
        if bridge:
            # Asked again while this run goes on: the lane runs once more afterwards.
            company.bridge_requested = False
            self.env["ir.cron"]._commit_progress()
        self.env["qbo.job.sync"]._qbo_run("cron_bridge" if bridge else "cron_push", company)
        if bridge and not company.jobs_only and company.state == "connected":
            self.env["qbo.bridge.run"]._qbo_pull(company)


class _CustomerSink(Sink):
    """Run customer import's host: the customers it reads go to the company's mirror."""

    def __init__(self, env, company):
        self.env = env
        self.company = company

    def reference(self, entity, records):
        self.env["qbo.customer"].sudo()._qbo_mirror(self.company, records)
