from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..utils import error_message

from ..services.client import QboError
from ..services.mapping import customer_display_name
from ..services.reads import search_customers


class QboLinkWizard(models.TransientModel):
    """Link job: find the job's customer (and job) in QuickBooks and link them to this job."""

    _name = "qbo.link.wizard"
    _description = "Link a job to a QuickBooks customer or job"

    project_id = fields.Many2one("project.project", string="Job", required=True, readonly=True)
    allowed_qbo_company_ids = fields.Many2many("qbo.company", compute="_compute_allowed_qbo_company_ids")
    qbo_company_id = fields.Many2one(
        "qbo.company",
        string="QuickBooks company",
        required=True,
        domain="[('id', 'in', allowed_qbo_company_ids)]",
    )
    search_text = fields.Char(string="Search", help="Part of the customer's or the job's name in QuickBooks.")
    line_ids = fields.One2many("qbo.link.wizard.line", "wizard_id", string="Found in QuickBooks")
    step = fields.Selection([("search", "Search"), ("confirm", "Confirm")], default="search", required=True)
    confirm_message = fields.Text(readonly=True)
    can_link_contact = fields.Boolean(readonly=True, help="The chosen customer belongs to no other contact.")

    @api.depends("project_id")
    def _compute_allowed_qbo_company_ids(self):
        for wizard in self:
            wizard.allowed_qbo_company_ids = wizard.project_id._qbo_target_companies().filtered(
                lambda company: company.state == "connected"
            )

    @api.model
    def action_open(self, job):
        job.check_access("read")
        targets = job._qbo_target_companies().filtered(lambda company: company.state == "connected")
        if not targets:
            raise UserError(
                self.env._(
                    "Link job needs a connected QuickBooks company: give the job a production "
                    "department associated with one."
                )
            )
        wizard = self.create(
            {
                "project_id": job.id,
                "qbo_company_id": targets[:1].id,
                "search_text": job.partner_id.commercial_partner_id.name or job.name,
            }
        )
        if wizard.qbo_company_id:
            wizard._qbo_search()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Link job"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.onchange("search_text", "qbo_company_id")
    def _onchange_search_text(self):
        self._qbo_search()

    def _qbo_check(self):
        """Only the job's own connected QuickBooks companies, in the caller's companies.

        :raise AccessError: for any other QuickBooks company, whatever the wizard was given
        """
        # An onchange works on a copy of the wizard: its records are checked as stored.
        company = self.qbo_company_id._origin
        self.project_id._origin.check_access("read")
        company._qbo_check_access(group="chronicle_qbo_addon.group_qbo_user", operation="read")
        if company not in self.project_id._origin._qbo_target_companies():
            raise AccessError(
                self.env._(
                    "Job %(job)s is not pushed to QuickBooks company %(qbo)s: link it in one of its "
                    "own companies.",
                    job=self.project_id.display_name,
                    qbo=self.qbo_company_id.name,
                )
            )

    def _qbo_search(self):
        """Look the text up in QuickBooks, customers and jobs alike, shown as Customer:Job."""
        if not self.qbo_company_id or self.qbo_company_id.state != "connected":
            self.line_ids = [Command.clear()]
            return
        self._qbo_check()
        try:
            rows = search_customers(self.qbo_company_id._qbo_client(interactive=True), self.search_text or "")
        except QboError as error:
            raise UserError(error_message(self.env, error)) from error
        self.line_ids = [Command.clear()] + [
            Command.create(
                {
                    "qbo_id": row["id"],
                    "name": row["name"],
                    "fully_qualified_name": row["fully_qualified_name"],
                    "is_job": row["is_job"],
                    "parent_qbo_id": row["parent_id"],
                    "parent_name": row["parent_name"],
                    "qbo_active": row["active"],
                }
            )
            for row in rows
        ]

    def action_link(self):
        """Link the job to the ticked QuickBooks job, or to the ticked customer with a new job under it.

        A customer that another contact's jobs are bound to, or that is named for someone else,
        is not taken on a tick alone: the person says first what they mean.
        """
        self.ensure_one()
        self._qbo_check()
        chosen = self._qbo_chosen()
        contacts = self._qbo_customer_contacts(chosen)
        other = self._qbo_customer_owner(chosen, contacts)
        if other or not self._qbo_customer_named_for_job(chosen, contacts):
            customer = chosen.parent_name if chosen.is_job else chosen.name
            contact = self.project_id.partner_id.commercial_partner_id.display_name
            if other:
                message = self.env._(
                    "QuickBooks customer %(customer)s belongs to contact %(other)s, not to %(contact)s. "
                    "Linking this job there would put it under another contact's customer: push the "
                    "job under its own customer instead, or pick another line.",
                    customer=customer, other=other.display_name, contact=contact,
                )
            else:
                message = self.env._(
                    "QuickBooks customer %(customer)s is not named for %(contact)s. Link the contact "
                    "too if they are the same customer (QuickBooks then takes %(contact)s's name, "
                    "address and e-mail on the next push), or push the job under its own customer.",
                    customer=customer, contact=contact,
                )
            self.write({"step": "confirm", "confirm_message": message, "can_link_contact": not other})
            return self._qbo_reopen()
        return self._qbo_link_chosen(chosen)

    def action_link_contact_too(self):
        """Confirmed: the job's contact is the chosen customer."""
        self.ensure_one()
        self._qbo_check()
        chosen = self._qbo_chosen()
        if self._qbo_customer_owner(chosen):
            raise UserError(self.env._("This QuickBooks customer belongs to another contact."))
        return self._qbo_link_chosen(chosen)

    def action_push_own_customer(self):
        """Confirmed: leave the chosen customer alone and push the job under its own customer."""
        self.ensure_one()
        self._qbo_check()
        action = self.project_id.action_qbo_export_job()
        action["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return action

    def action_back(self):
        self.ensure_one()
        self.write({"step": "search", "confirm_message": False})
        return self._qbo_reopen()

    def _qbo_chosen(self):
        chosen = self.line_ids.filtered("selected")
        if len(chosen) != 1:
            raise UserError(self.env._("Tick the one QuickBooks customer or job to link this job to."))
        return chosen

    def _qbo_customer_contacts(self, chosen):
        """The Odoo contacts whose jobs are bound to the chosen QuickBooks customer."""
        customer_id = chosen.parent_qbo_id if chosen.is_job else chosen.qbo_id
        bound = self.env["qbo.job.sync"].sudo().with_context(active_test=False).search(
            [("qbo_company_id", "=", self.qbo_company_id.id), ("qbo_customer_id", "=", customer_id),
             ("project_id.partner_id", "!=", False)]
        )
        return bound.project_id.partner_id.commercial_partner_id

    def _qbo_customer_owner(self, chosen, contacts=None):
        """The other contact whose jobs are bound to the chosen QuickBooks customer, if any."""
        if contacts is None:
            contacts = self._qbo_customer_contacts(chosen)
        return (contacts - self.project_id.partner_id.commercial_partner_id)[:1]

    def _qbo_customer_named_for_job(self, chosen, contacts):
        """True when the chosen customer is already this contact's, or carries the name the
        company's template gives the job's contact (compared as QuickBooks compares names)."""
        contact = self.project_id.partner_id.commercial_partner_id
        if contact in contacts:
            return True
        expected = customer_display_name(
            contact._qbo_customer_values(), {"customer_template": self.qbo_company_id.customer_name_template}
        )
        name = chosen.parent_name if chosen.is_job else chosen.name
        return bool(expected) and expected.casefold() == (name or "").casefold()

    def _qbo_link_chosen(self, chosen):
        sync = self.env["qbo.job.sync"].sudo()._qbo_link(
            self.project_id,
            self.qbo_company_id,
            customer_id=chosen.parent_qbo_id if chosen.is_job else chosen.qbo_id,
            customer_name=chosen.parent_name if chosen.is_job else chosen.name,
            job_id=chosen.qbo_id if chosen.is_job else None,
            job_name=chosen.name if chosen.is_job else None,
        )
        return sync._qbo_notification(
            success_title=self.env._("Job linked to QuickBooks"),
            next_action={"type": "ir.actions.act_window_close"},
        )

    def _qbo_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Link job"),
        }

    def action_search(self):
        self.ensure_one()
        self._qbo_search()
        return self._qbo_reopen()


class QboLinkWizardLine(models.TransientModel):
    _name = "qbo.link.wizard.line"
    _description = "A QuickBooks customer or job found by Link job"
    _order = "fully_qualified_name"

    wizard_id = fields.Many2one("qbo.link.wizard", required=True, ondelete="cascade")
    qbo_id = fields.Char(string="QuickBooks Id", required=True)
    name = fields.Char(required=True)
    fully_qualified_name = fields.Char(string="Customer:Job")
    is_job = fields.Boolean(string="Job")
    parent_qbo_id = fields.Char()
    parent_name = fields.Char(string="Customer")
    qbo_active = fields.Boolean(string="Active")
    selected = fields.Boolean(string="Link this")
