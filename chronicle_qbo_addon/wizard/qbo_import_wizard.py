"""Import Jobs: the QuickBooks jobs no Odoo job is linked to, taken into Odoo from the customer
mirror. Import as person and Import as company make each one an Odoo job, its customer found or
created, linked at once; Link to existing job links one to an Odoo job that exists.

Nothing is read from QuickBooks or written there: the mirror holds what a link needs, and a
linked job's next change is pushed as any linked job's is, to the QuickBooks job it is linked to.
"""
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import escape_psql

from ..services.mapping import customer_display_name
from ..utils import notification

QBO_USER = "chronicle_qbo_addon.group_qbo_user"
CLOSE = {"type": "ir.actions.act_window_close"}


def contact_name(display_name, is_company, company_name=None, given_name=None, family_name=None):
    """The name and reference an Odoo contact takes from a QuickBooks customer.

    The name is the company's or the person's own name when QuickBooks has it, else the display
    name; the reference is what follows it in a display name that reads "<name> - <reference>",
    as the push names customers: "Margaret Hollis - 1001" (Margaret, Hollis) gives
    ("Margaret Hollis", "1001"), so the job's next push names the customer as QuickBooks does.

    :return: (name, reference or False)
    """
    display = " ".join((display_name or "").split())
    own = company_name if is_company else " ".join(filter(None, (given_name, family_name)))
    own = " ".join((own or "").split())
    name, separator, ref = display.rpartition(" - ")
    if own:
        return own, ref if separator and name.casefold() == own.casefold() else False
    if separator and name and ref and " " not in ref and any(char.isdigit() for char in ref):
        return name, ref
    return display, False


class QboImportMixin(models.AbstractModel):
    """What both dialogs of Import Jobs know of the rows (``qbo.customer``) they were opened on."""

    _name = "qbo.import.mixin"
    _description = "Import Jobs: QuickBooks jobs taken into Odoo"

    @api.model
    def _qbo_context_rows(self):
        """The Import Jobs rows the dialog was opened on."""
        Customer = self.env["qbo.customer"]
        if self.env.context.get("active_model") != Customer._name:
            return Customer
        return Customer.browse(self.env.context.get("active_ids") or []).exists()

    @api.model
    def _qbo_check(self, rows):
        """The one QuickBooks company of the rows, once the caller may act on it.

        :raise AccessError: for a caller who is no QuickBooks user of that company
        :raise UserError: without rows, or with rows of several companies
        """
        if not self.env.user.has_group(QBO_USER):
            raise AccessError(self.env._("Only QuickBooks users can import or link jobs."))
        if not rows:
            raise UserError(self.env._("Select the QuickBooks jobs in Import Jobs first."))
        rows.check_access("read")
        company = rows.qbo_company_id
        if len(company) != 1:
            raise UserError(self.env._(
                "These QuickBooks jobs belong to several QuickBooks companies: take the jobs of one "
                "company at a time (group Import Jobs by company)."))
        company._qbo_check_access(group=QBO_USER, operation="read")
        return company

    @api.model
    def _qbo_departments(self, company):
        """The production departments associated with the company: those its jobs can get."""
        if not company:
            return self.env["hr.department"]
        departments = company.sudo().department_mapping_ids.department_id.filtered("is_production")
        return departments.sudo(False)

    @api.model
    def _qbo_parents(self, rows):
        """{QuickBooks Id: mirror row} of the customers the rows are jobs of (rows of one company)."""
        parent_ids = [row.parent_qbo_id for row in rows if row.parent_qbo_id]
        if not parent_ids:
            return {}
        parents = self.env["qbo.customer"].sudo().with_context(active_test=False).search(
            [("qbo_company_id", "=", rows.qbo_company_id.id), ("qbo_id", "in", parent_ids)])
        return {parent.qbo_id: parent for parent in parents}

    @api.model
    def _qbo_refusal(self, row, parent):
        """Why a row can become no Odoo job, nor be linked to one; None when it can."""
        if row.is_linked:
            return self.env._("it is already linked to Odoo job %s.", row.sudo().project_id.display_name)
        if not row.is_job:
            jobs = [("qbo_company_id", "=", row.qbo_company_id.id), ("parent_qbo_id", "=", row.qbo_id)]
            if self.env["qbo.customer"].sudo().search_count(jobs, limit=1):
                return self.env._("it is a customer in QuickBooks, not a job: import its jobs.")
            return self.env._(
                "it is a customer without jobs in QuickBooks: make it a job in QuickBooks (then Run "
                "customer import), or use Link job from an Odoo job.")
        if not row.active:
            return self.env._("it is inactive in QuickBooks: make it active there, then Run customer import.")
        if parent and parent.is_job:
            return self.env._(
                "it is a job of job %s in QuickBooks: only jobs directly under a customer are taken.",
                parent.name)
        return None

    @api.model
    def _qbo_bound_contacts(self, company, customer_ids):
        """{QuickBooks customer Id: contact} of the contacts whose jobs are bound to these customers."""
        syncs = self.env["qbo.job.sync"].sudo().with_context(active_test=False).search(
            [("qbo_company_id", "=", company.id), ("qbo_customer_id", "in", list(customer_ids)),
             ("project_id.partner_id", "!=", False)], order="id")
        bound = {}
        for sync in syncs:
            bound.setdefault(sync.qbo_customer_id, sync.project_id.partner_id.commercial_partner_id)
        return bound

    @api.model
    def _qbo_link_row(self, job, row, parent):
        """Link the job to the row's QuickBooks customer and job, from what the mirror holds."""
        customer_name = parent.name if parent else row.parent_name
        records = (
            {"Id": row.parent_qbo_id, "DisplayName": customer_name,
             "SyncToken": parent.sync_token if parent else None},
            {"Id": row.qbo_id, "DisplayName": row.name, "FullyQualifiedName": row.full_name,
             "SyncToken": row.sync_token},
        )
        return self.env["qbo.job.sync"].sudo()._qbo_link(
            job, row.qbo_company_id, customer_id=row.parent_qbo_id, customer_name=customer_name,
            job_id=row.qbo_id, job_name=row.name, records=records)


class QboImportWizard(models.TransientModel):
    """Import as person / Import as company: the selected QuickBooks jobs become Odoo jobs."""

    _name = "qbo.import.wizard"
    _inherit = "qbo.import.mixin"
    _description = "Import QuickBooks jobs as Odoo jobs"

    customer_ids = fields.Many2many("qbo.customer", string="QuickBooks jobs",
                                    default=lambda self: self._qbo_context_rows())
    qbo_company_id = fields.Many2one("qbo.company", string="QuickBooks company",
                                     compute="_compute_qbo_company_id")
    allowed_department_ids = fields.Many2many("hr.department", compute="_compute_qbo_company_id")
    department_id = fields.Many2one(
        "hr.department", string="Production department", required=True,
        compute="_compute_department_id", store=True, readonly=False,
        domain="[('id', 'in', allowed_department_ids)]",
        help="The department the new jobs get: one associated with the jobs' QuickBooks company.",
    )

    @api.depends("customer_ids")
    def _compute_qbo_company_id(self):
        for wizard in self:
            company = wizard.customer_ids.qbo_company_id
            wizard.qbo_company_id = company if len(company) == 1 else False
            wizard.allowed_department_ids = self._qbo_departments(wizard.qbo_company_id)

    @api.depends("customer_ids")
    def _compute_department_id(self):
        for wizard in self:
            company = wizard.customer_ids.qbo_company_id
            allowed = self._qbo_departments(company if len(company) == 1 else False)
            if not wizard.department_id or wizard.department_id not in allowed:
                wizard.department_id = allowed if len(allowed) == 1 else False

    def action_import_person(self):
        return self._qbo_import(is_company=False)

    def action_import_company(self):
        return self._qbo_import(is_company=True)

    def _qbo_import(self, is_company):
        """Each row becomes an Odoo job of the chosen department, linked to its QuickBooks job;
        all of them or, when one is refused, none.

        :param is_company: whether a contact created for a customer is a company or a person
        :raise UserError: naming every refused row and why, before anything is created
        """
        self.ensure_one()
        rows = self.customer_ids
        company = self._qbo_check(rows)
        if self.department_id not in self._qbo_departments(company):
            raise UserError(self.env._(
                "Department %(department)s is not associated with QuickBooks company %(qbo)s: pick one "
                "that is.", department=self.department_id.display_name, qbo=company.name))
        parents = self._qbo_parents(rows)
        refused = self._qbo_import_refusals(company, rows, parents)
        if refused:
            raise UserError(self.env._("Nothing was imported:\n%s", "\n".join(refused)))
        jobs = self.env["project.project"]
        for row in rows:
            parent = parents.get(row.parent_qbo_id)
            # A QuickBooks user links and pushes jobs without managing projects: the import does
            # for them what its checks above allowed.
            job = self.env["project.project"].sudo().create({
                "name": row.job_name,
                "job_number": row.job_number or False,
                "partner_id": self._qbo_contact(company, row, parent, is_company).id,
                "department_ids": [fields.Command.set(self.department_id.ids)],
                "company_id": company.company_id.id,
            })
            # In the transaction that created it: no push ever sees the job unlinked.
            self._qbo_link_row(job, row, parent)
            job._message_log(body=self.env._("Imported from QuickBooks job %(job)s of %(qbo)s.",
                                             job=row.full_name or row.name, qbo=company.name))
            jobs |= job
        return notification(
            "success",
            self.env._("Jobs imported from QuickBooks"),
            "\n".join(self.env._("%(number)s %(name)s, for %(customer)s", number=job.job_number,
                                 name=job.name, customer=job.partner_id.display_name) for job in jobs),
            next_action=CLOSE,
        )

    def _qbo_import_refusals(self, company, rows, parents):
        """One line per row that cannot be imported, saying why."""
        by_number = {}
        for row in rows:
            if row.is_job and row.job_number:
                by_number.setdefault(row.job_number, []).append(row)
        taken = {}
        if by_number:
            # A job of no company is one of every company: its number is taken in this one too.
            holders = self.env["project.project"].sudo().with_context(active_test=False).search(
                [("company_id", "in", [company.company_id.id, False]), ("job_number", "in", list(by_number))])
            taken = {job.job_number: job for job in holders}
        refused = []
        for row in rows:
            reason = self._qbo_refusal(row, parents.get(row.parent_qbo_id))
            if not reason and row.job_number in taken:
                reason = self.env._(
                    "job number %(number)s is already Odoo job %(job)s's: give one of them another "
                    "number first.",
                    number=row.job_number, job=taken[row.job_number].display_name)
            elif not reason and len(by_number.get(row.job_number, ())) > 1:
                reason = self.env._(
                    "job number %(number)s leads the name of another job of this import too (%(other)s): "
                    "import them one at a time, once one of them has another number in QuickBooks.",
                    number=row.job_number,
                    other=", ".join(other.full_name for other in by_number[row.job_number] if other != row))
            if reason:
                refused.append(self.env._("%(row)s: %(reason)s", row=row.full_name or row.name,
                                          reason=reason))
        return refused

    def _qbo_contact(self, company, row, parent, is_company):
        """The job's customer: the contact whose jobs are bound to the QuickBooks customer already,
        else a free contact of the same name and kind, else a new contact."""
        bound = self._qbo_bound_contacts(company, [row.parent_qbo_id]).get(row.parent_qbo_id)
        if bound:
            return bound
        source = parent or row.browse()  # an empty record when the mirror lacks the customer
        display = source.name or row.parent_name
        name, ref = contact_name(display, is_company, company_name=source.company_name,
                                 given_name=source.given_name, family_name=source.family_name)
        names = {value.casefold() for value in (name, display) if value}
        Partner = self.env["res.partner"].sudo()
        found = Partner.search(
            [("is_company", "=", is_company), ("parent_id", "=", False),
             ("company_id", "in", [company.company_id.id, False]),
             "|", ("name", "=ilike", escape_psql(name)), ("name", "=ilike", escape_psql(display or name))],
            order="id",
        ).filtered(lambda partner: (partner.name or "").casefold() in names)
        if found:
            # A contact bound to another QuickBooks customer of the company is someone else.
            bound_elsewhere = self.env["qbo.job.sync"].sudo().with_context(active_test=False).search(
                [("qbo_company_id", "=", company.id), ("qbo_customer_id", "!=", False),
                 ("project_id.partner_id.commercial_partner_id", "in", found.ids)]
            ).project_id.partner_id.commercial_partner_id
            found -= bound_elsewhere
        if found:
            return found[0]
        return Partner.create({
            "name": name,
            "ref": ref,
            "is_company": is_company,
            "email": source.email,
            "phone": source.phone,
        })


class QboImportLinkWizard(models.TransientModel):
    """Link to existing job: one QuickBooks job of Import Jobs linked to an Odoo job."""

    _name = "qbo.import.link.wizard"
    _inherit = "qbo.import.mixin"
    _description = "Link a QuickBooks job to an existing Odoo job"

    customer_id = fields.Many2one("qbo.customer", string="QuickBooks job", required=True, readonly=True,
                                  default=lambda self: self._qbo_context_row())
    qbo_company_id = fields.Many2one(related="customer_id.qbo_company_id")
    allowed_department_ids = fields.Many2many("hr.department", compute="_compute_allowed_department_ids")
    project_id = fields.Many2one(
        "project.project", string="Odoo job", required=True,
        domain="[('department_ids', 'in', allowed_department_ids), ('qbo_job_sync_ids', 'not any', "
        "[('qbo_company_id', '=', qbo_company_id), ('qbo_job_id', '!=', False)])]",
        help="A job of one of the QuickBooks company's departments that no QuickBooks job of that "
        "company is linked to yet.",
    )
    warning = fields.Text(compute="_compute_warning")

    @api.model
    def _qbo_context_row(self):
        rows = self._qbo_context_rows()
        if len(rows) > 1:
            raise UserError(self.env._("Link to existing job takes one QuickBooks job: select one row."))
        return rows

    @api.depends("qbo_company_id")
    def _compute_allowed_department_ids(self):
        for wizard in self:
            wizard.allowed_department_ids = self._qbo_departments(wizard.qbo_company_id)

    @api.depends("customer_id", "project_id")
    def _compute_warning(self):
        for wizard in self:
            chosen = wizard.customer_id and wizard.project_id
            wizard.warning = wizard._qbo_customer_notice()[1] if chosen else False

    def _qbo_customer_notice(self):
        """(refusal, warning) about the QuickBooks customer the job would be under."""
        row, job = self.customer_id, self.project_id
        company = row.qbo_company_id
        customer = self._qbo_parents(row).get(row.parent_qbo_id)
        customer_name = customer.name if customer else row.parent_name
        contact = job.partner_id.commercial_partner_id
        bound = self._qbo_bound_contacts(company, [row.parent_qbo_id]).get(row.parent_qbo_id)
        if bound and bound != contact:
            return self.env._(
                "QuickBooks customer %(customer)s belongs to contact %(other)s, and job %(job)s is not "
                "theirs: link a job of %(other)s, or import this QuickBooks job.",
                customer=customer_name, other=bound.display_name, job=job.display_name), None
        if bound or not contact:
            return None, None
        expected = customer_display_name(contact._qbo_customer_values(),
                                         {"customer_template": company.sudo().customer_name_template})
        if expected.casefold() == (customer_name or "").casefold():
            return None, None
        return None, self.env._(
            "QuickBooks customer %(customer)s is not named for %(contact)s: on the job's next push it keeps "
            "its name and takes %(contact)s's address, e-mail and phone.",
            customer=customer_name, contact=contact.display_name)

    def action_link(self):
        """Link the Odoo job to the QuickBooks job; nothing is read or written in QuickBooks.

        :raise UserError: when the QuickBooks job or the Odoo job is taken, or the job belongs
            to another company file, or its customer to another contact
        """
        self.ensure_one()
        row, job = self.customer_id, self.project_id
        company = self._qbo_check(row)
        job.check_access("read")
        parent = self._qbo_parents(row).get(row.parent_qbo_id)
        reason = self._qbo_refusal(row, parent)
        if not reason and company not in job._qbo_target_companies():
            reason = self.env._("job %(job)s has no department associated with %(qbo)s.",
                                job=job.display_name, qbo=company.name)
        if not reason:
            linked = job.sudo().qbo_job_sync_ids.filtered(
                lambda sync: sync.qbo_company_id == company and sync.qbo_job_id)
            if linked:
                reason = self.env._("job %(job)s is already linked to QuickBooks job %(qbo_job)s.",
                                    job=job.display_name, qbo_job=linked.qbo_job_name)
        reason = reason or self._qbo_customer_notice()[0]
        if reason:
            raise UserError(self.env._("%(row)s is not linked: %(reason)s", row=row.full_name or row.name,
                                       reason=reason))
        sync = self._qbo_link_row(job, row, parent)
        return sync._qbo_notification(success_title=self.env._("Job linked to QuickBooks"), next_action=CLOSE)
