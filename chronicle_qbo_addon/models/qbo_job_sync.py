import logging
import time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..const import RETRY_FIRST_DELAY, RETRY_MAX_DELAY
from ..services.client import QboAuthError, QboError
from ..services.errors import CUSTOMER_BOUND_ELSEWHERE, JOB_LINKED_ELSEWHERE
from ..services.mapping import DISPLAY_NAME_MAX_LENGTH, customer_display_name
from ..services.push import JOBS_PER_PUSH, JobPushRequest, push_jobs
from ..utils import error_message, notification

_logger = logging.getLogger(__name__)

NO_RETRY_WAIT = {"retry_count": 0, "next_retry_at": False}


class QboJobSync(models.Model):
    """Where one job stands in one QuickBooks company file."""

    _name = "qbo.job.sync"
    _description = "QuickBooks Job Sync"
    _order = "project_id, qbo_company_id"
    _rec_name = "qbo_company_id"

    project_id = fields.Many2one("project.project", string="Job", required=True, index=True, ondelete="cascade")
    qbo_company_id = fields.Many2one(
        "qbo.company", string="QuickBooks company", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="qbo_company_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="project_id.partner_id", string="Customer")
    job_number = fields.Char(related="project_id.job_number", string="Job number")
    active = fields.Boolean(default=True, help="Archived when the job no longer has a department of this company.")
    state = fields.Selection(
        [("pending", "Pending"), ("synced", "Synced"), ("linked", "Linked"), ("error", "Error")],
        default="pending",
        required=True,
        index=True,
    )
    qbo_customer_id = fields.Char(string="QuickBooks customer Id", copy=False)
    qbo_customer_name = fields.Char(string="QuickBooks customer", copy=False)
    qbo_customer_sync_token = fields.Char(copy=False)
    qbo_job_id = fields.Char(string="QuickBooks job Id", copy=False)
    history_pending = fields.Boolean(
        copy=False,
        help="The job was linked to a QuickBooks job that may already hold documents: the next pull "
        "reads the company in full to bring them in.",
    )
    qbo_job_name = fields.Char(string="QuickBooks job", copy=False)
    qbo_job_sync_token = fields.Char(copy=False)
    last_push_date = fields.Datetime(string="Last push", readonly=True)
    last_error = fields.Text(readonly=True)
    payload_hash = fields.Char(copy=False)
    retry_count = fields.Integer(string="Tries", readonly=True, copy=False,
                                 help="Failed tries in a row that may pass later.")
    next_retry_at = fields.Datetime(string="Next try", readonly=True, copy=False)

    _job_company_uniq = models.Constraint(
        "UNIQUE(project_id, qbo_company_id)",
        "A job has one sync state per QuickBooks company.",
    )

    # === WHICH JOBS GO WHERE === #

    @api.model
    def _qbo_prepare(self, jobs):
        """Mark jobs pending in the companies of their departments, and retire the others.

        :param jobs: ``project.project`` records
        :return: the active sync states of the jobs
        """
        existing = self.with_context(active_test=False).search([("project_id", "in", jobs.ids)])
        to_create = []
        for job in jobs:
            targets = job._qbo_target_companies()
            syncs = existing.filtered(lambda sync: sync.project_id == job)
            for sync in syncs:
                if sync.qbo_company_id in targets:
                    if not (sync.active and sync.state == "pending" and not sync.next_retry_at):
                        sync.write({"active": True, "state": "pending", **NO_RETRY_WAIT})
                elif sync.active:
                    sync.active = False
                    self.env["qbo.log"]._record(
                        "department",
                        self.env._(
                            "No department of this job is associated with %(qbo)s any more: the job "
                            "is no longer pushed there. Nothing was deleted in QuickBooks.",
                            qbo=sync.qbo_company_id.name,
                        ),
                        level="warning",
                        qbo_company=sync.qbo_company_id,
                        project=job,
                    )
            for company in targets - syncs.qbo_company_id:
                to_create.append({"project_id": job.id, "qbo_company_id": company.id})
        if to_create:
            self.create(to_create)
        return self.search([("project_id", "in", jobs.ids)])

    # === PUSH === #

    def _qbo_push_request(self, known_customers):
        """What the service layer needs to push this job, or an error message for the person.

        :param known_customers: see :meth:`_qbo_known_customer_ids`
        """
        self.ensure_one()
        job = self.project_id
        customer = job.partner_id.commercial_partner_id
        if not customer:
            return self.env._("The job has no customer: set one before it can be pushed to QuickBooks.")
        company = self.qbo_company_id
        customer_id = self.qbo_customer_id or known_customers.get((company.id, customer.id))
        return JobPushRequest(
            key=f"{self.env.cr.dbname}:job:{job.id}",
            customer=customer._qbo_customer_values(),
            customer_key=self._qbo_customer_key(customer),
            customer_alt_name=self._qbo_customer_alt_name(customer, company.customer_name_template),
            job=job._qbo_job_values(),
            customer_template=company.customer_name_template,
            job_template=company.job_name_template,
            customer_id=customer_id,
            customer_sync_token=self.qbo_customer_sync_token if self.qbo_customer_id else None,
            job_id=self.qbo_job_id,
            job_sync_token=self.qbo_job_sync_token,
            payload_hash=self.payload_hash,
            # Changes with every outcome recorded: a retry after a recorded failure gets new
            # request ids, so QuickBooks never answers it with the failure it remembers.
            revision=str(self.write_date),
        )

    def _qbo_known_customer_ids(self):
        """The QuickBooks Ids other jobs of the same customers already reached, in one query.

        :return: {(QuickBooks company id, customer partner id): QuickBooks customer Id}
        """
        customers = self.filtered(lambda sync: not sync.qbo_customer_id).project_id.partner_id
        if not customers:
            return {}
        siblings = self.with_context(active_test=False).search(
            [
                ("qbo_company_id", "in", self.qbo_company_id.ids),
                ("project_id.partner_id.commercial_partner_id", "in", customers.commercial_partner_id.ids),
                ("qbo_customer_id", "!=", False),
            ],
            order="id desc",
        )
        known = {}
        for sibling in siblings:
            partner = sibling.project_id.partner_id.commercial_partner_id
            known[(sibling.qbo_company_id.id, partner.id)] = sibling.qbo_customer_id
        return known

    def _qbo_push(self):
        """Push these jobs now, company by company; failures are recorded, never raised."""
        for company in self.qbo_company_id:
            syncs = self.filtered(lambda sync: sync.qbo_company_id == company)
            if company.state != "connected":
                reason = self.env._(
                    "QuickBooks company %(qbo)s is not connected (%(state)s): reconnect it and the job "
                    "is pushed again.",
                    qbo=company.name,
                    state=dict(company._fields["state"]._description_selection(self.env))[company.state],
                )
                for sync in syncs:
                    sync._qbo_fail(reason, retry=False)
                continue
            known_customers = syncs._qbo_known_customer_ids()
            pushed, requests = [], []
            for sync in syncs:
                request = sync._qbo_push_request(known_customers)
                if isinstance(request, str):
                    sync._qbo_fail(request, retry=False)
                else:
                    pushed.append(sync)
                    requests.append(request)
            if not requests:
                continue
            try:
                results = push_jobs(
                    company._qbo_client(),
                    requests,
                    taken_job_ids=self._qbo_taken_job_ids(company),
                    customer_bindings=self._qbo_customer_bindings(company),
                )
            except QboAuthError as error:
                company._qbo_needs_reauth(company._qbo_reauth_reason(error))
                # The jobs wait for the reconnection; the company's activity tells the managers.
                self.browse([sync.id for sync in pushed]).write(
                    {"state": "pending", "last_error": error_message(self.env, error)}
                )
                continue
            for sync, result in zip(pushed, results):
                sync._qbo_apply(result)

    @api.model
    def _qbo_customer_key(self, customer):
        """Who a QuickBooks customer is bound to: one Odoo contact per company file."""
        return f"partner:{customer.id}"

    @api.model
    def _qbo_customer_alt_name(self, customer, template):
        """The distinct name a contact's customer takes when its own name belongs to another
        contact's customer: the template with the contact's reference, never empty (the contact's
        number when it has no reference of its own)."""
        values = customer._qbo_customer_values()
        settings = {"customer_template": template}
        primary = customer_display_name(values, settings)
        alternative = customer_display_name(dict(values, ref=values.get("ref") or f"C{customer.id}"), settings)
        if alternative.casefold() == primary.casefold():
            suffix = f" - C{customer.id}"
            alternative = primary[: DISPLAY_NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
        return alternative

    @api.model
    def _qbo_customer_bindings(self, company):
        """{QuickBooks customer Id: contact key} of the customers this company file's jobs are bound to."""
        self.flush_model(["qbo_customer_id", "project_id", "qbo_company_id"])
        self.env["project.project"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        # One query per batch of jobs: the ORM would load every job and contact of the company.
        self.env.cr.execute(
            SQL(
                """SELECT sync.qbo_customer_id, partner.commercial_partner_id
                     FROM qbo_job_sync sync
                     JOIN project_project job ON job.id = sync.project_id
                     JOIN res_partner partner ON partner.id = job.partner_id
                    WHERE sync.qbo_company_id = %s AND sync.qbo_customer_id IS NOT NULL""",
                company.id,
            )
        )
        Partner = self.env["res.partner"]
        return {qbo_id: self._qbo_customer_key(Partner.browse(partner_id)) for qbo_id, partner_id in self.env.cr.fetchall()}

    @api.model
    def _qbo_taken_job_ids(self, company):
        """The QuickBooks jobs of this company already linked to an Odoo job: no other job may take one."""
        rows = self.with_context(active_test=False).search_read(
            [("qbo_company_id", "=", company.id), ("qbo_job_id", "!=", False)], ["qbo_job_id"]
        )
        return frozenset(row["qbo_job_id"] for row in rows)

    def _qbo_error_text(self, error):
        """What the person reads about a failed push."""
        if error.code == JOB_LINKED_ELSEWHERE:
            holder = self.with_context(active_test=False).search(
                [("qbo_company_id", "=", self.qbo_company_id.id), ("qbo_job_id", "=", error.detail),
                 ("project_id", "!=", self.project_id.id)],
                limit=1,
            )
            if holder:
                return self.env._(
                    "QuickBooks job %(name)s is already linked to job %(job)s: both give the same name "
                    "in QuickBooks (names there ignore case, take no colon and are cut at the last "
                    "word within 100 characters). Give this job a job number or name that differs "
                    "there, then Export job again.",
                    name=holder.qbo_job_name,
                    job=holder.project_id.display_name,
                )
        if error.code == CUSTOMER_BOUND_ELSEWHERE:
            return self.env._(
                "%(message)s Give this contact a reference (Internal Reference on the contact) that "
                "makes its QuickBooks name distinct, then Export job again.",
                message=error.message,
            )
        return error_message(self.env, error)

    def _qbo_apply(self, result):
        created_job = any(event.get("operation") == "create_job" for event in result.events)
        for event in result.events:
            self.env["qbo.log"]._record(
                event.pop("operation"),
                event.pop("message"),
                level=event.pop("level", "info"),
                qbo_company=self.qbo_company_id,
                project=self.project_id,
                **event,
            )
        if result.state == "error":
            error = result.error
            self._qbo_fail(
                self._qbo_error_text(error) if error else self.env._("Push failed."),
                retry=bool(error and error.retryable),
                logged=True,
            )
            return
        # A job found in QuickBooks, rather than created there, may come with documents already.
        found = bool(result.job_id) and result.job_id != self.qbo_job_id and not created_job
        if result.state == "unchanged":
            self.write({"state": "linked" if self.state == "linked" else "synced", "last_error": False,
                        **NO_RETRY_WAIT})
            return
        self.write(
            {
                **NO_RETRY_WAIT,
                "state": "synced",
                "last_push_date": fields.Datetime.now(),
                "last_error": False,
                "qbo_customer_id": result.customer_id,
                "qbo_customer_name": result.customer_name,
                "qbo_customer_sync_token": result.customer_sync_token,
                "qbo_job_id": result.job_id,
                "qbo_job_name": result.job_name,
                "history_pending": self.history_pending or found,
                "qbo_job_sync_token": result.job_sync_token,
                "payload_hash": result.payload_hash,
            }
        )

    def _qbo_fail(self, message, retry, logged=False):
        """Record a failed push: on the sync, in the log and in the job's chatter.

        :param retry: keep the job pending, for a run after a back-off delay
        """
        if retry:
            now = fields.Datetime.now()
            for sync in self:
                delay = min(RETRY_FIRST_DELAY * 2 ** sync.retry_count, RETRY_MAX_DELAY)
                sync.write({"state": "pending", "last_error": message, "retry_count": sync.retry_count + 1,
                            "next_retry_at": now + delay})
        else:
            self.write({"state": "error", "last_error": message, **NO_RETRY_WAIT})
        if not logged:
            self.env["qbo.log"]._record(
                "push", message, level="error", qbo_company=self.qbo_company_id, project=self.project_id
            )
        self.project_id._message_log(
            body=Markup("<p>%s</p><p>%s</p>")
            % (self.env._("QuickBooks push to %s failed:", self.qbo_company_id.name), message)
        )

    def _qbo_notification(self, success_title=None, next_action=None):
        """What Export job and Link job tell the person."""
        failed = self.filtered("last_error")
        lines = [
            self.env._("%(qbo)s: %(job)s", qbo=sync.qbo_company_id.name, job=sync.qbo_job_name)
            for sync in self - failed
        ] + [
            self.env._("%(qbo)s: %(error)s", qbo=sync.qbo_company_id.name, error=sync.last_error)
            for sync in failed
        ]
        return notification(
            "danger" if failed else "success",
            self.env._("QuickBooks push failed") if failed
            else success_title or self.env._("Job exported to QuickBooks"),
            "\n".join(lines),
            next_action,
        )

    @api.model
    def _qbo_resume(self, companies):
        """Jobs that could not be pushed while their company was not connected go again."""
        stalled = self.sudo().search([("qbo_company_id", "in", companies.ids), ("state", "=", "error")])
        if stalled:
            stalled.write({"state": "pending", **NO_RETRY_WAIT})
            self.env.ref("chronicle_qbo_addon.ir_cron_qbo_push_jobs").sudo()._trigger()

    # === BUTTONS === #

    def action_qbo_retry(self):
        """Retry: jobs in error go again with the next push, which starts now."""
        if not self.env.user.has_group("chronicle_qbo_addon.group_qbo_user"):
            raise AccessError(self.env._("Only QuickBooks users can retry jobs."))
        self.check_access("read")
        failed = self.filtered(lambda sync: sync.state == "error")
        failed.sudo().write({"state": "pending", "last_error": False, **NO_RETRY_WAIT})
        if failed:
            self.env.ref("chronicle_qbo_addon.ir_cron_qbo_push_jobs").sudo()._trigger()
        return notification(
            "info",
            self.env._("Retry"),
            self.env._("%(count)s job(s) will be pushed again in a moment.", count=len(failed))
            if failed else self.env._("None of these jobs is in error."),
        )

    def action_open_job(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "project.project",
            "res_id": self.project_id.id,
            "view_mode": "form",
            "target": "current",
        }

    # === LINK === #

    @api.model
    def _qbo_link(self, job, company, customer_id, customer_name, job_id=None, job_name=None, records=None):
        """Link a job to a customer (and job) that already exist in QuickBooks.

        Linking a job only records the link: QuickBooks is written to the next time the job
        changes. Linking a customer alone pushes the job at once, as a new job under it.

        :param records: (customer, job) as QuickBooks last sent them (DisplayName, SyncToken,
            FullyQualifiedName), e.g. from the customer mirror: given, nothing is read
        :return: the job's sync state in that company
        :raise UserError: when the QuickBooks job is already linked to another job
        """
        if job_id:
            taken = self.with_context(active_test=False).search(
                [("qbo_company_id", "=", company.id), ("qbo_job_id", "=", job_id), ("project_id", "!=", job.id)],
                limit=1,
            )
            if taken:
                raise UserError(
                    self.env._(
                        "QuickBooks job %(name)s is already linked to job %(job)s.",
                        name=job_name,
                        job=taken.project_id.display_name,
                    )
                )
        sync = self.with_context(active_test=False).search(
            [("project_id", "=", job.id), ("qbo_company_id", "=", company.id)]
        ) or self.create({"project_id": job.id, "qbo_company_id": company.id})
        if records:
            customer, qbo_job = records[0], records[1] or {}
        else:
            client = company._qbo_client()
            try:
                customer = client.read("Customer", customer_id)
                qbo_job = client.read("Customer", job_id) if job_id else {}
            except QboError as error:
                raise UserError(error_message(self.env, error)) from error
        sync.write(
            {
                "active": True,
                "state": "linked" if job_id else "pending",
                "qbo_customer_id": customer_id,
                "qbo_customer_name": customer.get("DisplayName") or customer_name,
                "qbo_customer_sync_token": customer.get("SyncToken"),
                "qbo_job_id": job_id or False,
                "qbo_job_name": qbo_job.get("DisplayName") or job_name or False,
                "history_pending": bool(job_id) and job_id != sync.qbo_job_id,
                "qbo_job_sync_token": qbo_job.get("SyncToken") or False,
                "payload_hash": False,
                "last_error": False,
            }
        )
        self.env["qbo.log"]._record(
            "link",
            self.env._(
                "Linked to QuickBooks %(what)s by %(user)s.",
                what=qbo_job.get("FullyQualifiedName") or customer.get("DisplayName") or customer_name,
                user=self.env.user.name,
            ),
            qbo_company=company,
            project=job,
            qbo_entity="Customer",
            qbo_id=job_id or customer_id,
        )
        if not job_id:
            sync._qbo_push()
        return sync

    # === SCHEDULED ACTIONS === #

    @api.model
    def _lock_batch(self, ids):
        """Take the rows no other run is pushing right now."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM qbo_job_sync WHERE id IN %s AND state = 'pending' FOR NO KEY UPDATE SKIP LOCKED",
                tuple(ids),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _qbo_push_pending(self, companies, batch_size=JOBS_PER_PUSH):
        """Push every pending job of these companies, one committed batch at a time.

        A batch is read, pushed and committed before the next is read, and a commit empties the
        ORM's caches: memory stays flat however many jobs wait. Each batch reports the run's
        progress to the scheduler (``ir.cron._commit_progress``, which replaces 19.0's deprecated
        ``_notify_progress``); when the run's share of time is spent, the loop stops and the
        scheduler runs the cron again for the jobs left.

        :return: dict with counts: pushed, failed, pending (left for a later run, failed ones
            included), left (not tried in this run)
        """
        counts = {"pushed": 0, "failed": 0, "left": 0}
        domain = [
            ("state", "=", "pending"),
            ("qbo_company_id", "in", companies.ids),
            "|", ("next_retry_at", "=", False), ("next_retry_at", "<=", fields.Datetime.now()),
        ]
        last_id = 0
        while True:
            started = time.monotonic()
            ids = self.search(domain + [("id", ">", last_id)], order="id", limit=batch_size).ids
            if not ids:
                break
            last_id = ids[-1]
            batch = self._lock_batch(ids)
            batch._qbo_push()
            failed = len(batch.filtered("last_error"))
            counts["failed"] += failed
            counts["pushed"] += len(batch) - failed
            remaining = self.search_count(domain + [("id", ">", last_id)])
            time_left = self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining)
            if remaining and time_left < 2 * (time.monotonic() - started):
                counts["left"] = remaining
                break
        counts["pending"] = self.search_count(domain)
        return counts

    @api.model
    def _cron_push_jobs(self):
        """Job-only push: wake the run of each QuickBooks company with jobs due."""
        if not self.env["qbo.company"]._qbo_is_enabled():
            return
        due = self._read_group(
            [("state", "=", "pending"), "|", ("next_retry_at", "=", False),
             ("next_retry_at", "<=", fields.Datetime.now())],
            ["qbo_company_id"],
        )
        self.env["qbo.company"].union(*(company for (company,) in due))._qbo_wake()

    @api.model
    def _cron_run_bridge(self):
        """The whole bridge, nightly: each company's run pushes its pending jobs, then pulls costs
        and revenue into the jobs' Job Cost unless the company pushes jobs only."""
        if not self.env["qbo.company"]._qbo_is_enabled():
            return
        self.env["qbo.company"].search([])._qbo_wake(bridge=True)

    @api.model
    def _qbo_run(self, operation, companies):
        left = 0
        for company in companies:
            start = time.monotonic()
            counts = self._qbo_push_pending(company)
            left += counts.pop("left")
            if not any(counts.values()):
                continue  # nothing waited: nothing to tell
            message = self.env._(
                "Jobs: %(pushed)s pushed, %(failed)s failed, %(pending)s still pending.",
                **counts,
            )
            self.env["qbo.log"]._record(
                operation,
                self.env._("%(message)s (%(seconds).1f s)", message=message, seconds=time.monotonic() - start),
                level="error" if counts["failed"] else "info",
                qbo_company=company,
            )
        if left:
            # Each company reported its own remainder; the scheduler must see what all of them
            # left, or it would take the last company's nothing-left for the whole run's.
            self.env["ir.cron"]._commit_progress(remaining=left)
