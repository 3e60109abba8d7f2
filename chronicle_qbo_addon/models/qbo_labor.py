"""Crew time from QuickBooks: each TimeActivity the pull reads is mirrored, and, when its job is
linked, its worker mapped to an Odoo employee and its department imports labor on its date,
landed as a timesheet on the job (hr_timesheet) and as two job cost lines: the labor and the
company's burden on it, apart on the Job Cost page.

The mirror holds every activity dated from the labor start, landed or not: mapping a worker,
linking a job or moving a department's dates lands (or takes back) what it concerns at once,
without reading QuickBooks again. A timesheet of a department whose time comes from QuickBooks is
the bridge's only: people enter that time in QuickBooks.
"""
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_round, format_date

from ..utils import stored_value

LABOR_STATES = [
    ("landed", "On the job's timesheets"),
    ("unlinked", "Not a linked job"),
    ("unmapped", "No Odoo employee"),
    ("no_department", "No department"),
    ("not_imported", "Department imports no labor then"),
    ("no_timesheets", "Job takes no timesheets"),
    ("refused", "Refused by Odoo"),
]
LABOR_LINE, BURDEN_LINE = "labor", "burden"
# The fields of a timesheet that say what time was worked, where, by whom.
TIME_FIELDS = frozenset({"project_id", "task_id", "employee_id", "date", "unit_amount", "amount", "name"})


class QboTimeActivity(models.Model):
    _name = "qbo.time.activity"
    _description = "QuickBooks Time Activity"
    _order = "date desc, id desc"
    _rec_name = "description"

    qbo_company_id = fields.Many2one("qbo.company", string="QuickBooks company", required=True,
                                     index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="qbo_company_id.company_id", store=True, index=True)
    qbo_id = fields.Char(string="QuickBooks Id", required=True, readonly=True)
    date = fields.Date(readonly=True, index=True)
    qbo_customer_id = fields.Char(string="QuickBooks customer Id", readonly=True, index=True)
    customer_name = fields.Char(string="QuickBooks customer or job", readonly=True)
    worker_id = fields.Many2one("qbo.worker", readonly=True, index=True, ondelete="set null")
    worker_kind = fields.Char(readonly=True)
    worker_qbo_id = fields.Char(string="Worker's QuickBooks Id", readonly=True)
    worker_name = fields.Char(readonly=True)
    hours = fields.Float(readonly=True, digits=(16, 4))
    has_cost_rate = fields.Boolean(readonly=True, help="QuickBooks gives a cost rate for this time.")
    cost_rate = fields.Float(readonly=True, help="QuickBooks' cost rate: the hour's cost when it gives one.")
    hourly_rate = fields.Float(string="Billing rate", readonly=True)
    class_id = fields.Many2one("qbo.class", readonly=True, ondelete="set null")
    billable = fields.Char(string="Billable status", readonly=True)
    description = fields.Char(readonly=True)
    project_id = fields.Many2one("project.project", string="Job", readonly=True, index=True, ondelete="set null")
    department_id = fields.Many2one("hr.department", readonly=True, ondelete="set null")
    timesheet_id = fields.Many2one("account.analytic.line", readonly=True, index=True,
                                   ondelete="set null")
    state = fields.Selection(LABOR_STATES, default="unlinked", required=True, readonly=True, index=True)
    refusal = fields.Char(readonly=True, help="Why Odoo refused the timesheet (for instance an employee of "
                          "another company than the job's).")

    _qbo_uniq = models.Constraint("UNIQUE(qbo_company_id, qbo_id)", "A time activity is mirrored once per company.")

    # === LANDING === #

    @api.model
    def _qbo_land(self, company, entries, stats):
        """Mirror time read from QuickBooks (:class:`..services.labor.TimeEntry`) and land it.

        :param stats: Counter the run adds to
        """
        self = self.sudo()
        held = {row.qbo_id: row for row in self.search(
            [("qbo_company_id", "=", company.id), ("qbo_id", "in", [entry.qbo_id for entry in entries])])}
        workers = {(kind, qbo_id): worker_id for kind in ("Employee", "Vendor")
                   for qbo_id, worker_id in self.env["qbo.worker"].with_context(
                       qbo_worker_kind=kind)._qbo_ids(company).items()}
        classes = self.env["qbo.class"]._qbo_ids(company)
        gone, touched, to_create = self.browse(), self.browse(), []
        for entry in entries:
            activity = held.get(entry.qbo_id)
            if entry.deleted:
                gone |= activity or self.browse()
                continue
            values = {
                "date": fields.Date.to_date(entry.date) if entry.date else False,
                "qbo_customer_id": entry.customer_id or False,
                "customer_name": entry.customer_name or False,
                "worker_id": workers.get((entry.worker_kind, entry.worker_id), False),
                "worker_kind": entry.worker_kind or False,
                "worker_qbo_id": entry.worker_id or False,
                "worker_name": entry.worker_name or False,
                "hours": float(entry.hours),
                "has_cost_rate": entry.cost_rate is not None,
                "cost_rate": float(entry.cost_rate or 0),
                "hourly_rate": float(entry.hourly_rate or 0),
                "class_id": classes.get(entry.class_id, False),
                "billable": entry.billable or False,
                "description": entry.description or False,
            }
            if activity is None:
                to_create.append(dict(values, qbo_company_id=company.id, qbo_id=entry.qbo_id))
            elif any(stored_value(activity, name) != value for name, value in values.items()):
                activity.write(values)
                touched |= activity
        if to_create:
            touched |= self.create(to_create)
        gone._qbo_remove(stats)
        touched._qbo_apply(stats)

    @api.model
    def _qbo_reconcile(self, company, seen_ids, stats):
        """After a full read of the time: what QuickBooks no longer holds goes."""
        self.sudo().search([("qbo_company_id", "=", company.id), ("qbo_id", "not in", list(seen_ids))]
                           )._qbo_remove(stats)

    @api.model
    def _qbo_held_count(self, company, start_date):
        return self.sudo().search_count([("qbo_company_id", "=", company.id), ("date", ">=", start_date)])

    def _qbo_remove(self, stats=None):
        if stats is not None:
            stats["removed"] += len(self.filtered("timesheet_id"))
        self._qbo_unland()
        self.unlink()

    def _qbo_unland(self):
        """Take back the timesheets and job cost lines of these activities."""
        self = self.sudo()
        self.timesheet_id.with_context(qbo_labor_import=True).unlink()
        self.env["qbo.job.cost.line"].search(
            [("qbo_entity", "=", "TimeActivity"), ("qbo_time_activity_id", "in", self.ids)]).unlink()

    # === WHERE TIME GOES === #

    def _qbo_target(self, jobs, departments, projects):
        """(state, project id, department) of this activity as things stand.

        :param projects: the linked jobs, read together
        """
        self.ensure_one()
        project_id = jobs.get(self.qbo_customer_id)
        if not project_id:
            return "unlinked", False, False
        project = projects.browse(project_id).with_prefetch(projects._prefetch_ids)
        department = self.class_id.department_id
        if not department:
            # No class linked to a department: the job's one department in this company stands in.
            candidates = project.department_ids & departments
            department = candidates if len(candidates) == 1 else False
        if not department:
            return "no_department", project_id, False
        mapping = department.qbo_mapping_ids[:1]
        if mapping.qbo_company_id != self.qbo_company_id or not mapping._qbo_imports_labor_on(self.date):
            return "not_imported", project_id, department
        if not project.account_id:
            return "no_timesheets", project_id, department
        if not self.worker_id.employee_id:
            return "unmapped", project_id, department
        return "landed", project_id, department

    def _qbo_apply(self, stats=None):
        """Land or take back the timesheets of these activities, as their job, worker and
        department now say."""
        stats = stats if stats is not None else Counter()
        self = self.sudo()
        for company in self.qbo_company_id:
            activities = self.filtered(lambda activity: activity.qbo_company_id == company)
            activities._qbo_find_workers(company)
            jobs = company._qbo_linked_jobs()
            departments = company.department_mapping_ids.department_id
            projects = self.env["project.project"].browse(sorted(set(jobs.values())))
            landed, taken_back = {}, self.browse()
            for activity in activities:
                state, project_id, department = activity._qbo_target(jobs, departments, projects)
                values = {"state": state, "project_id": project_id, "refusal": False,
                          "department_id": department.id if department else False}
                if any(stored_value(activity, name) != value for name, value in values.items()):
                    activity.write(values)
                if state == "landed":
                    landed[activity] = department
                    continue
                if activity.timesheet_id:
                    stats["removed"] = stats.get("removed", 0) + 1
                    taken_back |= activity
                stats[state] = stats.get(state, 0) + 1
            taken_back._qbo_unland()
            self._qbo_land_safely(landed, stats)

    def _qbo_land_safely(self, landed, stats):
        """Land these activities in one go; when Odoo refuses a timesheet, one by one, so that the
        one it refuses, kept with its reason, holds back no other."""
        batch = Counter()
        try:
            with self.env.cr.savepoint():
                self._qbo_land_timesheets(landed, batch)
        except (UserError, ValidationError):
            for activity, department in landed.items():
                one = Counter()
                try:
                    with self.env.cr.savepoint():
                        self._qbo_land_timesheets({activity: department}, one)
                except (UserError, ValidationError) as error:
                    reason = str(error.args[0] if error.args else error)[:200]
                    activity.write({"state": "refused", "refusal": reason})
                    one = Counter(refused=1)
                batch.update(one)
        for key, count in batch.items():
            stats[key] = stats.get(key, 0) + count

    def _qbo_find_workers(self, company):
        """Activities read before their worker was mirrored find it now."""
        missing = self.filtered(lambda activity: not activity.worker_id and activity.worker_qbo_id)
        for kind in set(missing.mapped("worker_kind")):
            workers = self.env["qbo.worker"].with_context(qbo_worker_kind=kind)._qbo_ids(company)
            for activity in missing.filtered(lambda activity, kind=kind: activity.worker_kind == kind):
                if activity.worker_qbo_id in workers:
                    activity.worker_id = workers[activity.worker_qbo_id]

    @api.model
    def _qbo_land_timesheets(self, landed, stats):
        """The timesheets, then the labor and burden job cost lines, of activities that land.

        :param landed: {activity: its department}
        """
        Timesheet = self.env["account.analytic.line"].with_context(qbo_labor_import=True)
        new, new_values = [], []
        for activity in landed:
            values = {
                "project_id": activity.project_id.id,
                "employee_id": activity.worker_id.employee_id.id,
                "date": activity.date,
                "unit_amount": activity.hours,
                "name": activity.description or self.env._("Time from QuickBooks"),
            }
            timesheet = activity.timesheet_id
            if not timesheet:
                new.append(activity)
                new_values.append(dict(values, qbo_time_activity_id=activity.id))
            elif any(stored_value(timesheet, name) != value for name, value in values.items()) or \
                    timesheet.currency_id.compare_amounts(timesheet.amount, -timesheet._hourly_cost() * activity.hours):
                # unit_amount always goes along: hr_timesheet costs the hours again when it is written.
                timesheet.with_context(qbo_labor_import=True).write(values)
                stats["written"] += 1
        for activity, timesheet in zip(new, Timesheet.create(new_values)):
            activity.timesheet_id = timesheet
        stats["written"] += len(new)
        self._qbo_cost_lines(landed)

    @api.model
    def _qbo_cost_lines(self, landed):
        """The labor and burden job cost lines of landed activities ({activity: department})."""
        if not landed:
            return
        lines = self.env["qbo.job.cost.line"]
        ids = [activity.id for activity in landed]
        held = {(line.qbo_time_activity_id.id, line.qbo_line_id): line for line in lines.search(
            [("qbo_entity", "=", "TimeActivity"), ("qbo_time_activity_id", "in", ids)])}
        categories = self.env["qbo.cost.category"]
        labor_category, burden_category = categories._qbo_labor(), categories._qbo_burden()
        to_create = []
        for activity, department in landed.items():
            company = activity.qbo_company_id
            currency = company.company_id.currency_id or self.env.company.currency_id
            labor = -activity.timesheet_id.amount
            burden = float_round(labor * (company.labor_burden_percent or 0.0) / 100.0,
                                 precision_rounding=currency.rounding)
            for line_id, amount, category in ((LABOR_LINE, labor, labor_category),
                                              (BURDEN_LINE, burden, burden_category)):
                values = {
                    "project_id": activity.project_id.id,
                    "kind": "cost",
                    "doc_type": "time",
                    "date": activity.date,
                    "counterpart": activity.worker_name or False,
                    "qbo_customer_id": activity.qbo_customer_id or False,
                    "class_id": activity.class_id.id,
                    "own_department_id": department.id,
                    "own_category_id": category.id,
                    "memo": activity.description or False,
                    "amount": amount,
                }
                line = held.get((activity.id, line_id))
                if line is None:
                    to_create.append(dict(values, qbo_company_id=company.id, qbo_entity="TimeActivity",
                                          qbo_doc_id=activity.qbo_id, qbo_line_id=line_id,
                                          qbo_time_activity_id=activity.id))
                elif any(stored_value(line, name) != value for name, value in values.items()):
                    line.write(values)
        if to_create:
            lines.create(to_create)


class AccountAnalyticLine(models.Model):
    """Timesheets: those landed from QuickBooks time are costed at its cost rate when it gives one;
    on a job of a department whose time comes from QuickBooks, people enter no timesheet here."""

    _inherit = "account.analytic.line"

    qbo_time_activity_id = fields.Many2one("qbo.time.activity", string="QuickBooks time", readonly=True,
                                           index="btree_not_null", ondelete="set null", copy=False)

    def _hourly_cost(self):
        activity = self.sudo().qbo_time_activity_id
        if activity.has_cost_rate:
            return activity.cost_rate
        return super()._hourly_cost()

    @api.model_create_multi
    def create(self, vals_list):
        if not self._qbo_importing():
            for vals in vals_list:
                if vals.get("project_id"):
                    self._qbo_check_manual(self.env["project.project"].browse(vals["project_id"]),
                                           fields.Date.to_date(vals.get("date")) or fields.Date.context_today(self))
        return super().create(vals_list)

    def write(self, vals):
        # Only what a person says of the time; what other modules record on it (invoicing, for
        # instance) goes through.
        if TIME_FIELDS & set(vals) and not self._qbo_importing():
            for line in self:
                line._qbo_check_manual(line.project_id, line.date, imported=bool(line.qbo_time_activity_id))
                if vals.get("project_id") or vals.get("date"):
                    project = self.env["project.project"].browse(vals.get("project_id") or line.project_id.id)
                    line._qbo_check_manual(project, fields.Date.to_date(vals.get("date")) or line.date)
        return super().write(vals)

    def unlink(self):
        if not self._qbo_importing():
            for line in self:
                line._qbo_check_manual(line.project_id, line.date, imported=bool(line.qbo_time_activity_id))
        return super().unlink()

    def _qbo_importing(self):
        """The bridge landing QuickBooks time (as superuser: a context alone proves nothing)."""
        return bool(self.env.context.get("qbo_labor_import")) and self.env.su

    @api.model
    def _qbo_check_manual(self, project, date, imported=False):
        """:raise UserError: for a person's timesheet where the time comes from QuickBooks."""
        if imported:
            raise UserError(self.env._(
                "This timesheet comes from QuickBooks time: change it in QuickBooks, and the next "
                "run brings the change."))
        if not project:
            return
        mappings = project.sudo().department_ids.qbo_mapping_ids
        for mapping in mappings:
            if mapping._qbo_imports_labor_on(date):
                raise UserError(self.env._(
                    "Time on %(department)s jobs is entered in QuickBooks from %(start)s: enter this "
                    "time in QuickBooks (%(qbo)s), and the bridge brings it to the job's timesheets.",
                    department=mapping.department_id.display_name,
                    start=format_date(self.env, mapping.labor_start_date),
                    qbo=mapping.qbo_company_id.name,
                ))
