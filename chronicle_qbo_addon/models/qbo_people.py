"""QuickBooks' names, mirrored per company by the pull: customers and jobs (the list Import Jobs
shows of those no Odoo job is linked to), and the employees and vendors that log time (the
employee mapping of crew time)."""
import re

from odoo import api, fields, models
from odoo.tools import SQL

# "24-0117 - Water mitigation", "CP-0425 - Packout": the job number leads the name, as the push names
# jobs: digits, or a few letters and digits ("SF-3301"), then a dash, a colon or a space.
LEADING_NUMBER = re.compile(
    r"^\s*(?P<number>(?:[A-Za-z]{1,6}-?)?\d[\w./-]*)\s*(?:[-:\u2013\u2014]\s*|\s+)(?P<name>\S.*)$")


def split_job_name(name):
    """The job number a QuickBooks job name leads with, and the rest of it: (number or None, name)."""
    found = LEADING_NUMBER.match(name or "")
    if not found:
        return None, (name or "").strip()
    return found["number"].rstrip("-./"), found["name"].strip()


class QboNameMirror(models.AbstractModel):
    """A QuickBooks name (customer, employee, vendor): named by its DisplayName."""

    _name = "qbo.name.mirror"
    _inherit = "qbo.mirror.mixin"
    _description = "QuickBooks Name"

    given_name = fields.Char(readonly=True)
    family_name = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    phone = fields.Char(readonly=True)

    def _qbo_values(self, record, company, prepared):
        return {
            "name": record.get("DisplayName"),
            "full_name": record.get("FullyQualifiedName") or record.get("DisplayName"),
            "active": record.get("Active", True),
            "given_name": record.get("GivenName") or False,
            "family_name": record.get("FamilyName") or False,
            "email": (record.get("PrimaryEmailAddr") or {}).get("Address") or False,
            "phone": (record.get("PrimaryPhone") or {}).get("FreeFormNumber") or False,
        }


class QboCustomer(models.Model):
    """A QuickBooks customer or job (a sub-customer) of one company."""

    _name = "qbo.customer"
    _inherit = "qbo.name.mirror"
    _description = "QuickBooks Customer or Job"

    company_name = fields.Char(readonly=True)
    is_job = fields.Boolean(string="Job", readonly=True, help="A sub-customer: a job of its parent customer.")
    parent_qbo_id = fields.Char(string="Parent Id", readonly=True)
    parent_name = fields.Char(string="Customer", readonly=True)
    sync_token = fields.Char(readonly=True)
    street = fields.Char(readonly=True)
    city = fields.Char(readonly=True)
    state_code = fields.Char(string="State", readonly=True)
    zip = fields.Char(readonly=True)
    job_number = fields.Char(compute="_compute_job_parts", string="Job number",
                             help="The number the job's name leads with: the imported job keeps it.")
    job_name = fields.Char(compute="_compute_job_parts", string="Job name")
    is_linked = fields.Boolean(compute="_compute_is_linked", search="_search_is_linked", string="Linked",
                               help="An Odoo job is linked to this QuickBooks job.")
    project_id = fields.Many2one("project.project", compute="_compute_is_linked", string="Odoo job")

    _qbo_uniq = models.Constraint("UNIQUE(qbo_company_id, qbo_id)", "A customer is mirrored once per company.")

    def _qbo_values(self, record, company, prepared):
        parent = record.get("ParentRef") or {}
        address = record.get("ShipAddr") or record.get("BillAddr") or {}
        return dict(
            super()._qbo_values(record, company, prepared),
            company_name=record.get("CompanyName") or False,
            is_job=bool(record.get("Job")),
            parent_qbo_id=parent.get("value") or False,
            parent_name=parent.get("name") or (record.get("FullyQualifiedName") or "").rpartition(":")[0] or False,
            sync_token=record.get("SyncToken") or False,
            street=address.get("Line1") or False,
            city=address.get("City") or False,
            state_code=address.get("CountrySubDivisionCode") or False,
            zip=address.get("PostalCode") or False,
        )

    @api.depends("name")
    def _compute_job_parts(self):
        for customer in self:
            customer.job_number, customer.job_name = split_job_name(customer.name)

    def _compute_is_linked(self):
        syncs = self.env["qbo.job.sync"].sudo().with_context(active_test=False).search_read(
            [("qbo_company_id", "in", self.qbo_company_id.ids), ("qbo_job_id", "in", self.mapped("qbo_id"))],
            ["qbo_company_id", "qbo_job_id", "project_id"])
        linked = {(row["qbo_company_id"][0], row["qbo_job_id"]): row["project_id"][0] for row in syncs}
        for customer in self:
            project_id = linked.get((customer.qbo_company_id.id, customer.qbo_id))
            customer.is_linked = bool(project_id)
            customer.project_id = project_id

    def _search_is_linked(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        self.env["qbo.job.sync"].flush_model(["qbo_company_id", "qbo_job_id"])
        linked = SQL("""SELECT customer.id FROM qbo_customer customer
                          JOIN qbo_job_sync sync ON sync.qbo_company_id = customer.qbo_company_id
                                                AND sync.qbo_job_id = customer.qbo_id""")
        return [("id", "in" if (operator == "=") == value else "not in", linked)]


class QboWorker(models.Model):
    """A QuickBooks employee, or a vendor that logs its crew's time, and the Odoo employee its
    time lands as."""

    _name = "qbo.worker"
    _inherit = "qbo.name.mirror"
    _description = "QuickBooks Employee or Vendor"
    _order = "qbo_company_id, kind, full_name, id"

    kind = fields.Selection([("Employee", "Employee"), ("Vendor", "Vendor")], required=True, readonly=True)
    employee_id = fields.Many2one(
        "hr.employee", string="Odoo employee", index=True, ondelete="set null",
        domain="[('company_id', 'in', [company_id, False])]",
        help="Whose timesheets this worker's QuickBooks time becomes. Left empty, the time is skipped "
        "and counted; mapped later, the next run brings it in.",
    )
    proposed_employee_id = fields.Many2one("hr.employee", compute="_compute_proposed_employee_id",
                                           string="Proposed match", help="An Odoo employee of the same name.")
    time_activity_ids = fields.One2many("qbo.time.activity", "worker_id", string="Time")
    logs_time = fields.Boolean(compute="_compute_time", store=True, string="Logs time",
                               help="QuickBooks holds time of this worker since the labor start.")
    time_skipped = fields.Integer(compute="_compute_time", store=True, string="Time entries skipped",
                                  help="Time entries of this worker not on a job's timesheets: no Odoo "
                                  "employee, no linked job, no labor import for the department or date.")

    _qbo_uniq = models.Constraint("UNIQUE(qbo_company_id, kind, qbo_id)",
                                  "An employee or vendor is mirrored once per company.")

    def _qbo_scope(self):
        kind = self.env.context.get("qbo_worker_kind")
        return [("kind", "=", kind)] if kind else []

    def _qbo_values(self, record, company, prepared):
        return dict(super()._qbo_values(record, company, prepared), kind=self.env.context["qbo_worker_kind"])

    @api.depends("time_activity_ids", "time_activity_ids.state")
    def _compute_time(self):
        for worker in self:
            worker.logs_time = bool(worker.time_activity_ids)
            worker.time_skipped = sum(1 for time in worker.time_activity_ids if time.state != "landed")

    def _qbo_person_names(self):
        self.ensure_one()
        names = {self.name or ""}
        if self.given_name or self.family_name:
            names.add(" ".join(filter(None, (self.given_name, self.family_name))))
        return {name.strip().casefold() for name in names if name.strip()}

    @api.depends("name", "given_name", "family_name", "employee_id")
    def _compute_proposed_employee_id(self):
        employees = self.env["hr.employee"].search_read(
            [("company_id", "in", self.company_id.ids + [False])], ["name", "company_id"])
        by_name = {}
        for row in employees:
            by_name.setdefault(((row["company_id"] or [False])[0], (row["name"] or "").strip().casefold()),
                               row["id"])
        for worker in self:
            worker.proposed_employee_id = False if worker.employee_id else next(
                (by_name[key] for name in worker._qbo_person_names()
                 for key in ((worker.company_id.id, name), (False, name)) if key in by_name), False)

    def write(self, vals):
        result = super().write(vals)
        if "employee_id" in vals:
            self.time_activity_ids._qbo_apply()
        return result

    def action_qbo_accept_proposals(self):
        """Map each worker to its proposed Odoo employee."""
        for worker in self.filtered(lambda worker: not worker.employee_id and worker.proposed_employee_id):
            worker.employee_id = worker.proposed_employee_id
