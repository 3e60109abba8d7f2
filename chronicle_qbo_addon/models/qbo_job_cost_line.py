"""The job cost lines the pull lands: one per line of a QuickBooks document that carries money
for a linked job, keyed by (company, entity, document Id, line Id).

Odoo's analytic lines would hold the costs and the invoiced amounts, but not what was collected,
which is no profit or loss; and a QuickBooks line moves between jobs, is voided or deleted as its
document is: the lines live in a model of their own, which the Job Cost page, the job costing
report and the Missing Class Finder read.
"""
from odoo import api, fields, models

from ..const import COST_LINES_PER_FLUSH
from ..utils import stored_value
from ..services.job_cost import (
    COLLECTED,
    COST,
    DOC_TYPES,
    INVOICED,
    SKIP_NO_CUSTOMER,
    SKIP_UNLINKED,
    document_url,
)

KINDS = [(INVOICED, "Invoiced"), (COLLECTED, "Collected"), (COST, "Cost")]
DOC_TYPE_SELECTION = [(key, label) for key, (label, _path) in DOC_TYPES.items()] + [("time", "Time activity")]
# What a landing compares and writes; the other fields follow from them.
LANDED_FIELDS = ("project_id", "kind", "doc_type", "date", "number", "counterpart", "qbo_customer_id",
                 "qbo_invoice_id", "own_account_id", "item_id", "class_id", "memo", "amount")


class QboJobCostLine(models.Model):
    _name = "qbo.job.cost.line"
    _description = "Job Cost Line"
    _order = "date desc, qbo_entity, qbo_doc_id, qbo_line_id"
    _rec_name = "number"

    qbo_company_id = fields.Many2one("qbo.company", string="QuickBooks company", required=True,
                                     index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="qbo_company_id.company_id", store=True, index=True)
    project_id = fields.Many2one("project.project", string="Job", required=True, index=True,
                                 ondelete="cascade", readonly=True)
    qbo_entity = fields.Char(string="QuickBooks entity", required=True, readonly=True)
    qbo_doc_id = fields.Char(string="Document Id", required=True, readonly=True)
    qbo_line_id = fields.Char(string="Line Id", required=True, readonly=True)
    kind = fields.Selection(KINDS, required=True, readonly=True)
    doc_type = fields.Selection(DOC_TYPE_SELECTION, string="Type", required=True, readonly=True)
    date = fields.Date(readonly=True, index=True)
    number = fields.Char(readonly=True)
    counterpart = fields.Char(string="Vendor or customer", readonly=True)
    qbo_customer_id = fields.Char(string="QuickBooks customer Id", readonly=True)
    qbo_invoice_id = fields.Char(string="Invoice paid", readonly=True,
                                 help="The QuickBooks invoice a payment line applies money to.")
    own_account_id = fields.Many2one("qbo.account", string="Line account", readonly=True, ondelete="set null")
    own_department_id = fields.Many2one("hr.department", string="Time's department", readonly=True,
                                        ondelete="set null", help="Crew time: the department it was imported for.")
    own_category_id = fields.Many2one("qbo.cost.category", string="Time's category", readonly=True,
                                      ondelete="set null", help="Crew time: labor, or the burden on it.")
    qbo_time_activity_id = fields.Many2one("qbo.time.activity", string="QuickBooks time", readonly=True,
                                           index="btree_not_null", ondelete="cascade")
    item_id = fields.Many2one("qbo.item", string="Product or service", readonly=True, ondelete="set null")
    account_id = fields.Many2one("qbo.account", compute="_compute_account_id", store=True)
    class_id = fields.Many2one("qbo.class", readonly=True, ondelete="set null")
    department_id = fields.Many2one("hr.department", compute="_compute_department_id",
                                    store=True, index=True)
    cost_category_id = fields.Many2one("qbo.cost.category", string="Category",
                                       compute="_compute_cost_category_id", store=True, index=True)
    memo = fields.Char(readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(readonly=True, aggregator="sum")
    invoiced = fields.Monetary(compute="_compute_measures", store=True, aggregator="sum")
    collected = fields.Monetary(compute="_compute_measures", store=True, aggregator="sum")
    cost = fields.Monetary(compute="_compute_measures", store=True, aggregator="sum")
    gross_profit = fields.Monetary(compute="_compute_measures", store=True, aggregator="sum")
    qbo_url = fields.Char(string="Open in QuickBooks", compute="_compute_qbo_url")
    class_missing = fields.Boolean(
        compute="_compute_class_missing", store=True, index=True,
        help="The company tracks classes, and this line has none, or one linked to no department.",
    )

    _line_uniq = models.Constraint(
        "UNIQUE(qbo_company_id, qbo_entity, qbo_doc_id, qbo_line_id)",
        "A QuickBooks document line lands on one job once.",
    )

    # === COMPUTES === #

    @api.depends("own_account_id", "item_id.expense_account_id", "kind")
    def _compute_account_id(self):
        for line in self:
            own = line.own_account_id
            line.account_id = own or (line.item_id.expense_account_id if line.kind == COST else False)

    @api.depends("own_department_id", "class_id.department_id", "qbo_company_id.pull_class_tracking",
                 "qbo_company_id.department_mapping_ids.department_id", "project_id.department_ids")
    def _compute_department_id(self):
        for line in self:
            department = line.own_department_id or line.class_id.department_id
            if not department and line.qbo_company_id.pull_class_tracking == "none":
                # No classes in this company file: the job's own department there stands in.
                associated = line.qbo_company_id.department_mapping_ids.department_id
                department = (line.project_id.department_ids & associated)[:1]
            line.department_id = department

    @api.depends("kind", "own_category_id", "account_id.cost_category_id")
    def _compute_cost_category_id(self):
        other = self.env["qbo.cost.category"]._qbo_other()
        for line in self:
            category = line.own_category_id or line.account_id.cost_category_id or other
            line.cost_category_id = category if line.kind == COST else False

    @api.depends("kind", "amount")
    def _compute_measures(self):
        for line in self:
            line.invoiced = line.amount if line.kind == INVOICED else 0.0
            line.collected = line.amount if line.kind == COLLECTED else 0.0
            line.cost = line.amount if line.kind == COST else 0.0
            line.gross_profit = line.invoiced - line.cost

    @api.depends("kind", "class_id.department_id", "qbo_company_id.pull_class_tracking", "qbo_time_activity_id")
    def _compute_class_missing(self):
        for line in self:
            tracked = line.qbo_company_id.pull_class_tracking not in (False, "none")
            # Crew time lands only once its department is known.
            line.class_missing = (tracked and line.kind != COLLECTED and not line.qbo_time_activity_id
                                  and not line.class_id.department_id)

    @api.depends("doc_type", "qbo_doc_id", "qbo_company_id.environment", "qbo_company_id.local_base_url")
    def _compute_qbo_url(self):
        for line in self:
            company = line.qbo_company_id
            local = company.environment == "local"
            if line.doc_type not in DOC_TYPES:
                line.qbo_url = False  # crew time has no page of its own in QuickBooks' web app
                continue
            line.qbo_url = document_url(line.doc_type, line.qbo_doc_id, sandbox=company.environment == "sandbox",
                                        local_base_url=company.local_base_url if local else None,
                                        realm_id=company.realm_id)

    # === LANDING === #

    @api.model
    def _qbo_land(self, company, entity, results, jobs, refs, stats):
        """Land the lines of documents of one entity type: each document's lines replace what
        was held for it (moved lines move, removed ones go, a deleted document leaves none).

        :param company: the qbo.company
        :param entity: e.g. "Bill"
        :param results: :class:`..services.job_cost.DocumentLines` of that entity
        :param jobs: {QuickBooks job Id: project id} of the jobs linked in the company
        :param refs: {"account"|"item"|"class": {QuickBooks Id: mirror id}} (:meth:`_qbo_refs`)
        :param stats: Counter the run adds to: written, removed, and each skip reason
        """
        invoice_jobs = self._qbo_invoice_jobs(company, results) if entity == "Payment" else {}
        held = self._qbo_held(company, entity, [result.doc_id for result in results])
        wanted, to_create = {}, []
        for result in results:
            stats.update(result.skipped)
            for line in result.lines:
                project_id, paid_class = invoice_jobs.get(line.invoice_id) or (jobs.get(line.customer_id), False)
                if not project_id:
                    stats[SKIP_UNLINKED if line.customer_id or line.invoice_id else SKIP_NO_CUSTOMER] += 1
                    continue
                values = self._qbo_line_values(line, project_id, refs)
                if line.invoice_id:
                    values["class_id"] = paid_class
                key = (line.doc_id, line.line_id)
                wanted[key] = True
                existing = held.get(key)
                if existing is None:
                    to_create.append(dict(values, qbo_company_id=company.id, qbo_entity=entity,
                                          qbo_doc_id=line.doc_id, qbo_line_id=line.line_id))
                elif existing[1] != values:
                    self.browse(existing[0]).write(values)
                    stats["written"] += 1
        gone = [line_id for key, (line_id, _values) in held.items() if key not in wanted]
        if gone:
            self.browse(gone).unlink()
            stats["removed"] += len(gone)
        if to_create:
            self.create(to_create)
            stats["written"] += len(to_create)
        if entity == "Invoice":
            self._qbo_follow_invoices(company, [result.doc_id for result in results])

    @api.model
    def _qbo_refs(self, company):
        return {
            "account": self.env["qbo.account"]._qbo_ids(company),
            "item": self.env["qbo.item"]._qbo_ids(company),
            "class": self.env["qbo.class"]._qbo_ids(company),
        }

    @api.model
    def _qbo_line_values(self, line, project_id, refs):
        return {
            "project_id": project_id,
            "kind": line.kind,
            "doc_type": line.doc_type,
            "date": fields.Date.to_date(line.date) if line.date else False,
            "number": line.number or False,
            "counterpart": line.counterpart or False,
            "qbo_customer_id": line.customer_id or False,
            "qbo_invoice_id": line.invoice_id or False,
            "own_account_id": refs["account"].get(line.account_id, False),
            "item_id": refs["item"].get(line.item_id, False),
            "class_id": refs["class"].get(line.class_id, False),
            "memo": line.memo or False,
            "amount": line.amount,
        }

    @api.model
    def _qbo_held(self, company, entity, doc_ids):
        """{(document Id, line Id): (line id, landed values)} held for these documents."""
        held = {}
        for start in range(0, len(doc_ids), COST_LINES_PER_FLUSH):
            rows = self.search_fetch(
                [("qbo_company_id", "=", company.id), ("qbo_entity", "=", entity),
                 ("qbo_doc_id", "in", doc_ids[start:start + COST_LINES_PER_FLUSH])],
                ("qbo_doc_id", "qbo_line_id") + LANDED_FIELDS,
            )
            for row in rows:
                values = {name: stored_value(row, name) for name in LANDED_FIELDS}
                held[(row.qbo_doc_id, row.qbo_line_id)] = (row.id, values)
        return held

    @api.model
    def _qbo_invoice_jobs(self, company, results):
        """{invoice Id: (project id, class id)} of the invoices these payments apply money to."""
        invoice_ids = {line.invoice_id for result in results for line in result.lines if line.invoice_id}
        return self._qbo_invoices(company, invoice_ids) if invoice_ids else {}

    @api.model
    def _qbo_invoices(self, company, invoice_ids):
        """{invoice Id: (project id, class id)}: the job an invoice is on, and its class when all
        its lines have the same one (what it collects then counts for that class's department)."""
        found = {}
        for doc_id, project, qbo_class in self._read_group(
            [("qbo_company_id", "=", company.id), ("qbo_entity", "=", "Invoice"),
             ("qbo_doc_id", "in", list(invoice_ids))],
            ["qbo_doc_id", "project_id", "class_id"],
        ):
            previous = found.get(doc_id)
            same_class = previous is None or previous[1] == qbo_class.id
            found[doc_id] = (project.id, qbo_class.id if same_class else False)
        return found

    @api.model
    def _qbo_follow_invoices(self, company, invoice_ids):
        """Payment lines go where the invoice they pay went."""
        invoices = self._qbo_invoices(company, invoice_ids)
        payments = self.search([("qbo_company_id", "=", company.id), ("qbo_entity", "=", "Payment"),
                                ("qbo_invoice_id", "in", invoice_ids)])
        for line in payments:
            project_id, class_id = invoices.get(line.qbo_invoice_id, (False, False))
            if project_id and (line.project_id.id, line.class_id.id) != (project_id, class_id):
                line.write({"project_id": project_id, "class_id": class_id})

    @api.model
    def _qbo_reconcile(self, company, entity, seen_ids, stats):
        """After a full read: lines of documents QuickBooks no longer sent go."""
        gone = self.search([("qbo_company_id", "=", company.id), ("qbo_entity", "=", entity),
                            ("qbo_doc_id", "not in", list(seen_ids))])
        stats["removed"] += len(gone)
        gone.unlink()

    # === ACTIONS === #

    def action_qbo_open_document(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.qbo_url, "target": "new"}
