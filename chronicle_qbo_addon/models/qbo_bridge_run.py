"""One run of the pull for one QuickBooks company: what it read, wrote and skipped, and why it
failed if it did. The pull itself is the service layer's; the host lands it through a sink."""
import logging
from collections import Counter, defaultdict
from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..services.errors import QboAuthError, QboError
from ..services.job_cost import (
    PULLED_ENTITIES,
    SKIP_BEFORE_START,
    SKIP_EXCLUDED,
    SKIP_NO_CUSTOMER,
    SKIP_UNLINKED,
    exclusion_pattern,
    exclusion_words,
)
from ..services.labor import TIME_ENTITY
from ..services.pull import LaborRead, Sink, pull
from ..utils import error_message

_logger = logging.getLogger(__name__)

MIRRORS = {"Account": "qbo.account", "Item": "qbo.item", "Class": "qbo.class", "Customer": "qbo.customer",
           "Employee": "qbo.worker", "Vendor": "qbo.worker"}
ENTITY_LABELS = [
    ("Account", "Accounts"), ("Item", "Products and services"), ("Class", "Classes"),
    ("Customer", "Customers and jobs"), ("Employee", "Employees"), ("Vendor", "Vendors"), ("Invoice", "Invoices"),
    ("CreditMemo", "Credit memos"), ("Payment", "Payments"), ("Bill", "Bills"),
    ("Purchase", "Checks and expenses"), ("VendorCredit", "Vendor credits"), (TIME_ENTITY, "Time"),
]
RUN_ENTITIES = PULLED_ENTITIES + (TIME_ENTITY,)
STAT_FIELDS = {
    "mirrored": "records_mirrored",
    "written": "lines_written",
    "removed": "lines_removed",
    SKIP_UNLINKED: "skipped_unlinked",
    SKIP_NO_CUSTOMER: "skipped_no_customer",
    SKIP_EXCLUDED: "skipped_excluded",
    SKIP_BEFORE_START: "skipped_before_start",
    "unmapped": "skipped_unmapped",
    "not_imported": "skipped_not_imported",
    "no_department": "skipped_no_department",
    "no_timesheets": "skipped_no_timesheets",
    "refused": "skipped_refused",
}


class QboBridgeRun(models.Model):
    _name = "qbo.bridge.run"
    _description = "QuickBooks Bridge Run"
    _order = "start_date desc, id desc"
    _rec_name = "start_date"

    qbo_company_id = fields.Many2one("qbo.company", string="QuickBooks company", required=True,
                                     index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="qbo_company_id.company_id", store=True, index=True)
    start_date = fields.Datetime(string="Started", required=True, readonly=True)
    end_date = fields.Datetime(string="Ended", readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="running", required=True, readonly=True,
    )
    mode = fields.Selection([("full", "Full read"), ("changes", "Changes since last run")], readonly=True)
    read_requests = fields.Integer(string="Reads", readonly=True,
                                   help="Read requests Intuit meters (queries, change data capture, preferences).")
    documents_read = fields.Integer(string="Read", compute="_compute_totals", store=True,
                                    help="Records QuickBooks sent.")
    lines_written = fields.Integer(string="Written", compute="_compute_totals", store=True,
                                   help="Job cost lines created or changed.")
    lines_removed = fields.Integer(string="Removed", compute="_compute_totals", store=True,
                                   help="Job cost lines of deleted, moved or changed documents.")
    lines_skipped = fields.Integer(string="Skipped", compute="_compute_totals", store=True,
                                   help="Lines not stored: not a linked job, no customer, excluded, before the start.")
    error = fields.Text(readonly=True)
    entity_ids = fields.One2many("qbo.bridge.run.entity", "run_id", string="Per type", readonly=True)

    @api.depends("qbo_company_id", "start_date")
    def _compute_display_name(self):
        for run in self:
            run.display_name = "%s, %s" % (run.qbo_company_id.name, format_datetime(self.env, run.start_date))

    @api.depends("entity_ids.documents_read", "entity_ids.lines_written", "entity_ids.lines_removed",
                 "entity_ids.lines_skipped")
    def _compute_totals(self):
        for run in self:
            run.documents_read = sum(run.entity_ids.mapped("documents_read"))
            run.lines_written = sum(run.entity_ids.mapped("lines_written"))
            run.lines_removed = sum(run.entity_ids.mapped("lines_removed"))
            run.lines_skipped = sum(run.entity_ids.mapped("lines_skipped"))

    # === THE PULL === #

    @api.model
    def _qbo_pull(self, company):
        """Pull one company into its jobs' Job Cost, recorded as a run. Committed page by page.

        :return: the run
        """
        self.search([("qbo_company_id", "=", company.id), ("state", "=", "running")]).write({
            "state": "failed", "end_date": fields.Datetime.now(),
            "error": self.env._("The run stopped before it ended; the next run took over from its last page."),
        })
        run = self.create({"qbo_company_id": company.id, "start_date": fields.Datetime.now()})
        self.env["ir.cron"]._commit_progress()
        history = self.env["qbo.job.sync"].search(
            [("qbo_company_id", "=", company.id), ("history_pending", "=", True)])
        sink = JobCostSink(self.env, company)
        labor_start = company._qbo_labor_start()
        client = None
        try:
            client = company._qbo_client()
            outcome = pull(
                client,
                sink,
                position=company.pull_position.replace(tzinfo=timezone.utc) if company.pull_position else None,
                start_date=company.pull_start_date,
                now=datetime.now(timezone.utc),
                full=bool(history),
                tracking=company.pull_class_tracking or None,
                exclusions=exclusion_pattern(exclusion_words(company.memo_exclusions)),
                labor=LaborRead(labor_start, full=not company.labor_read_from or labor_start < company.labor_read_from)
                if labor_start else None,
            )
        except QboAuthError as error:
            company._qbo_needs_reauth(company._qbo_reauth_reason(error))
            run._qbo_finish(sink, client, error=company.reauth_reason)
        except (QboError, UserError) as error:
            message = error_message(self.env, error) if isinstance(error, QboError) else str(error)
            run._qbo_finish(sink, client, error=message)
            company._qbo_alert_managers(self.env._("The QuickBooks pull of %s failed", company.name), run.error)
        else:
            self.env["ir.cron"]._commit_progress()  # after any tokens the last reads committed apart
            company.write({"pull_position": outcome.position.astimezone(timezone.utc).replace(tzinfo=None),
                           "labor_read_from": labor_start or False})
            company._qbo_customers_read_at(outcome.position)
            history.write({"history_pending": False})
            # Time held but not landed on a job linked since (or refused before) lands now; what
            # stays skipped was counted by the run that read it. Mapping a worker or moving a
            # department's dates lands its time at once.
            later = Counter()
            self.env["qbo.time.activity"].search(
                [("qbo_company_id", "=", company.id), ("state", "!=", "landed"),
                 "|", ("qbo_customer_id", "in", list(company._qbo_linked_jobs())), ("state", "=", "refused")]
            )._qbo_apply(later)
            sink.stats[TIME_ENTITY].update({key: later[key] for key in ("written", "removed") if later[key]})
            run._qbo_finish(sink, client, mode=outcome.mode, read=outcome.read)
        self.env["ir.cron"]._commit_progress()
        return run

    def _qbo_finish(self, sink, client, mode=None, read=None, error=None):
        entities = set(sink.stats) | set(read or {})
        self.write({
            "end_date": fields.Datetime.now(),
            "state": "failed" if error else "done",
            "mode": mode or False,
            "read_requests": client.reads if client else 0,
            "error": error or False,
            "entity_ids": [
                fields.Command.create(dict(
                    {STAT_FIELDS[key]: count for key, count in sink.stats[entity].items() if key in STAT_FIELDS},
                    entity=entity, documents_read=(read or {}).get(entity, 0),
                ))
                for entity in RUN_ENTITIES if entity in entities
            ],
        })
        if error:
            _logger.warning("QuickBooks pull of %s failed: %s", self.qbo_company_id.name, error)
        self.env["qbo.log"]._record(
            "cron_pull",
            error or self.env._(
                "Pulled (%(mode)s): %(read)s records read in %(reads)s read requests; job cost lines: "
                "%(written)s written, %(removed)s removed, %(skipped)s skipped.",
                mode=dict(self._fields["mode"]._description_selection(self.env)).get(self.mode, ""),
                read=self.documents_read, reads=self.read_requests, written=self.lines_written,
                removed=self.lines_removed, skipped=self.lines_skipped,
            ),
            level="error" if error else "info",
            qbo_company=self.qbo_company_id,
        )


class QboBridgeRunEntity(models.Model):
    _name = "qbo.bridge.run.entity"
    _description = "QuickBooks Bridge Run, per Entity Type"
    _order = "run_id, id"

    run_id = fields.Many2one("qbo.bridge.run", required=True, index=True, ondelete="cascade")
    entity = fields.Selection(ENTITY_LABELS, string="Type", required=True)
    documents_read = fields.Integer(string="Read", help="Records QuickBooks sent of this type.")
    records_mirrored = fields.Integer(string="Lists updated",
                                      help="Accounts, items or classes created or changed in Odoo's mirror.")
    lines_written = fields.Integer(string="Written", help="Job cost lines created or changed.")
    lines_removed = fields.Integer(string="Removed", help="Job cost lines of deleted, moved or changed documents.")
    skipped_unlinked = fields.Integer(string="Not linked", help="Lines skipped: a customer that is no linked job.")
    skipped_no_customer = fields.Integer(string="No customer", help="Lines skipped: no customer (overhead).")
    skipped_excluded = fields.Integer(string="Excluded", help="Lines skipped: a check whose memo holds an "
                                      "exclusion word.")
    skipped_before_start = fields.Integer(string="Before start", help="Lines skipped: dated before the "
                                          "company's pull start date.")
    skipped_unmapped = fields.Integer(string="No employee", help="Time skipped: its worker is mapped to no "
                                      "Odoo employee yet (kept: mapped later, it lands).")
    skipped_not_imported = fields.Integer(string="No labor import", help="Time skipped: its department "
                                          "imports no labor on that day.")
    skipped_no_department = fields.Integer(string="No department", help="Time skipped: neither its class nor "
                                           "the job tells its department.")
    skipped_no_timesheets = fields.Integer(string="No timesheets", help="Time skipped: the job takes no "
                                           "timesheets.")
    skipped_refused = fields.Integer(string="Refused", help="Time skipped: Odoo refused its timesheet (the "
                                     "reason is on the time, in QuickBooks time); tried again each run.")
    lines_skipped = fields.Integer(compute="_compute_lines_skipped", store=True, string="Skipped")

    @api.depends("skipped_unlinked", "skipped_no_customer", "skipped_excluded", "skipped_before_start",
                 "skipped_unmapped", "skipped_not_imported", "skipped_no_department", "skipped_no_timesheets",
                 "skipped_refused")
    def _compute_lines_skipped(self):
        for row in self:
            row.lines_skipped = (row.skipped_unlinked + row.skipped_no_customer + row.skipped_excluded
                                 + row.skipped_before_start + row.skipped_unmapped + row.skipped_not_imported
                                 + row.skipped_no_department + row.skipped_no_timesheets + row.skipped_refused)


class JobCostSink(Sink):
    """Lands a pull in the job cost lines of one company, and counts what it did per type."""

    def __init__(self, env, company):
        self.env = env
        self.company = company
        self.stats = defaultdict(Counter)
        self._jobs = self._refs = None

    def tracking(self, tracking):
        if self.company.pull_class_tracking != tracking:
            # The pull's first read may have refreshed the tokens, committed on the company's row
            # apart: a new transaction writes the row after them.
            self.checkpoint()
            self.company.pull_class_tracking = tracking

    def reference(self, entity, records):
        mirror = self.env[MIRRORS[entity]].with_context(qbo_worker_kind=entity)
        self.stats[entity]["mirrored"] += mirror._qbo_mirror(self.company, records)
        self._refs = None

    def time(self, entries):
        self.env["qbo.time.activity"]._qbo_land(self.company, entries, self.stats[TIME_ENTITY])

    def time_reconcile(self, seen_ids):
        self.env["qbo.time.activity"]._qbo_reconcile(self.company, seen_ids, self.stats[TIME_ENTITY])

    def time_held(self, start_date):
        return self.env["qbo.time.activity"]._qbo_held_count(self.company, start_date)

    def documents(self, entity, results):
        self.env["qbo.job.cost.line"]._qbo_land(self.company, entity, results, self.jobs, self.refs,
                                                self.stats[entity])

    def reconcile(self, entity, seen_ids):
        self.env["qbo.job.cost.line"]._qbo_reconcile(self.company, entity, seen_ids, self.stats[entity])

    def checkpoint(self):
        self.env["ir.cron"]._commit_progress()

    @property
    def jobs(self):
        """{QuickBooks job Id: project id} of the jobs linked in the company."""
        if self._jobs is None:
            self._jobs = self.company._qbo_linked_jobs()
        return self._jobs

    @property
    def refs(self):
        if self._refs is None:
            self._refs = self.env["qbo.job.cost.line"]._qbo_refs(self.company)
        return self._refs
