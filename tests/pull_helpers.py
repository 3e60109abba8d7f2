"""A host for the pull that keeps everything in memory, and the books the pull tests write to
QuickBooks: a customer with two jobs, a vendor, an employee, and documents and crew time built as
Intuit's API takes them.

The sink behaves as a database would: what it lands is committed at each checkpoint, and a
checkpoint that fails rolls the page back, so an interrupted pull leaves only whole pages behind.
"""
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property

from chronicle_qbo_addon.services.job_cost import COLLECTED, COST, INVOICED
from chronicle_qbo_addon.services.labor import TIME_ENTITY
from chronicle_qbo_addon.services.pull import Sink
from chronicle_qbo_addon.services.reads import find_by_name


class Interrupted(Exception):
    """The host stopped in the middle of a pull (a failed commit, a worker killed)."""


class _State:
    def __init__(self, docs=None, references=None, time=None, changed=0):
        self.docs = docs or {}  # (entity, doc Id) -> {line key: CostLine}
        self.references = references or {}  # entity -> {Id: record}
        self.time = time or {}  # activity Id -> TimeEntry
        # Lines and time entries added, changed or dropped, references added or changed.
        self.changed = changed

    def copy(self):
        return _State({doc: dict(lines) for doc, lines in self.docs.items()},
                      {entity: dict(records) for entity, records in self.references.items()},
                      dict(self.time), self.changed)


class MemorySink(Sink):
    """Keeps lines by key; a document landed again replaces its lines, a deleted one drops them.
    Keeps crew time by activity Id the same way.

    :param fail_at: the checkpoint (1-based) that fails, rolling its page back
    :param on_documents: called with the entity type before each page of documents lands
    """

    def __init__(self, fail_at=None, on_documents=None):
        self._committed = _State()
        self._working = _State()
        self.fail_at = fail_at
        self.on_documents = on_documents
        self.checkpoints = 0
        # Documents and time entries handed over, per entity type (pages landed again included).
        self.landed = Counter()
        self.skipped = Counter()
        self.reconciled = []
        self.time_reconciles = 0  # full reads of the time reconciled (rolled back or not)

    # === what the pull calls === #

    def reference(self, entity, records):
        held = self._working.references.setdefault(entity, {})
        for record in records:
            if held.get(str(record["Id"])) != record:
                self._working.changed += 1
            held[str(record["Id"])] = record

    def documents(self, entity, results):
        if self.on_documents:
            self.on_documents(entity)
        for result in results:
            self.landed[entity] += 1
            self.skipped.update(result.skipped)
            lines = {} if result.deleted else {line.key: line for line in result.lines}
            self._replace((entity, result.doc_id), lines)

    def reconcile(self, entity, seen_ids):
        self.reconciled.append(entity)
        for doc in [doc for doc in self._working.docs if doc[0] == entity and doc[1] not in seen_ids]:
            self._replace(doc, {})

    def time(self, entries):
        held = self._working.time
        for entry in entries:
            self.landed[TIME_ENTITY] += 1
            old = held.pop(entry.qbo_id, None)
            if not entry.deleted:
                held[entry.qbo_id] = entry
            if old != held.get(entry.qbo_id):
                self._working.changed += 1

    def time_reconcile(self, seen_ids):
        self.time_reconciles += 1
        held = self._working.time
        for qbo_id in [qbo_id for qbo_id in held if qbo_id not in seen_ids]:
            del held[qbo_id]
            self._working.changed += 1

    def time_held(self, start_date):
        return sum(1 for entry in self._working.time.values() if entry.date >= start_date.isoformat())

    def checkpoint(self):
        self.checkpoints += 1
        if self.checkpoints == self.fail_at:
            self._working = self._committed.copy()
            raise Interrupted("checkpoint %d failed" % self.checkpoints)
        self._committed = self._working.copy()

    def _replace(self, doc, lines):
        old = self._working.docs.pop(doc, {})
        self._working.changed += sum(1 for key in old.keys() | lines.keys() if old.get(key) != lines.get(key))
        if lines:
            self._working.docs[doc] = lines

    # === what a test reads === #

    @property
    def changed(self):
        return self._committed.changed

    @property
    def references(self):
        return self._committed.references

    def lines(self):
        """Every committed line, by key."""
        return {key: line for lines in self._committed.docs.values() for key, line in lines.items()}

    def lines_of(self, entity, doc_id):
        return list(self._committed.docs.get((entity, str(doc_id)), {}).values())

    def documents_of(self, entity):
        return {doc_id for kind, doc_id in self._committed.docs if kind == entity}

    def time_entries(self):
        """Every committed time entry, by activity Id."""
        return dict(self._committed.time)

    def time_entry(self, qbo_id):
        return self._committed.time.get(str(qbo_id))

    def labor(self, customers=None):
        """{customer name: {worker name: (hours, cost)}} of the committed time, as
        ``qbo_sandbox.ledger.labor`` works it out: the cost at the CostRate, None when an entry
        of the worker on the customer has none. ``customers``: only those (by Id)."""
        hours, costs = {}, {}
        for entry in self._committed.time.values():
            if customers is not None and entry.customer_id not in customers:
                continue
            key = (entry.customer_name, entry.worker_name)
            hours[key] = hours.get(key, Decimal(0)) + entry.hours
            known = costs.get(key, Decimal(0))
            costs[key] = None if None in (known, entry.cost_rate) else known + entry.hours * entry.cost_rate
        labor = {}
        for (customer, worker), spent in hours.items():
            labor.setdefault(customer, {})[worker] = (spent, costs[customer, worker])
        return labor

    def totals(self, jobs):
        """{job: {invoiced, collected, cost}} as Decimals; a payment counts for its invoice's job."""
        invoice_jobs = {doc_id: line.customer_id for (entity, doc_id), lines in self._committed.docs.items()
                        if entity == "Invoice" for line in lines.values()}
        totals = {job: {INVOICED: Decimal(0), COLLECTED: Decimal(0), COST: Decimal(0)} for job in jobs}
        for line in self.lines().values():
            job = invoice_jobs.get(line.invoice_id) if line.kind == COLLECTED else line.customer_id
            if job in totals:
                totals[job][line.kind] += Decimal(str(line.amount))
        return totals


def qbo_now(sandbox):
    """The sandbox's time, aware: the ``now`` a host whose clock agrees with Intuit's passes."""
    return datetime.fromisoformat(sandbox.control.now()["now_utc"])


def counted_from_zero(sandbox, client):
    """Start counting reads again, on both sides."""
    sandbox.control.reset_counters()
    client.reads = 0


def sandbox_reads(sandbox, realm):
    """The metered reads the sandbox answered for the realm since its counters were reset."""
    return sandbox.control.counters()["by_realm"].get(realm, {}).get("reads", 0)


def figures(invoiced=0, collected=0, cost=0):
    return {INVOICED: Decimal(str(invoiced)), COLLECTED: Decimal(str(collected)), COST: Decimal(str(cost))}


class Books:
    """A customer with two jobs and a vendor of one's own in a sandbox company (an employee too,
    made when first used), the seeded accounts, items and classes found by name, and payloads of
    documents and crew time on those jobs."""

    def __init__(self, client, prefix, today):
        self.client = client
        self.prefix = prefix
        self.today = today
        owner = client.create("Customer", {"DisplayName": "%s Owner - 9%03d" % (prefix, len(prefix))})
        self.job_a, self.job_b = (
            client.create("Customer", {"DisplayName": "%s-%d - Water loss" % (prefix, n), "Job": True,
                                       "BillWithParent": True, "ParentRef": {"value": owner["Id"]}})["Id"]
            for n in (1, 2))
        self.vendor = client.create("Vendor", {"DisplayName": "%s Supply" % prefix})["Id"]
        self.account = {name: find_by_name(client, "Account", name)["Id"]
                        for name in ("Checking", "Company Visa", "Job Materials", "Subcontractors")}
        self.item = {name: find_by_name(client, "Item", name)["Id"]
                     for name in ("Water Mitigation", "Materials", "Labor")}
        self.klass = {name: find_by_name(client, "Class", name)["Id"] for name in ("Mitigation", "Contents")}

    @cached_property
    def employee(self):
        """The Id of an employee of one's own (QuickBooks needs one for an employee's time)."""
        return self.client.create("Employee", {"GivenName": self.prefix, "FamilyName": "Crew Lead",
                                               "DisplayName": "%s Crew Lead" % self.prefix})["Id"]

    def date(self, days_ago=10):
        return (self.today - timedelta(days=days_ago)).isoformat()

    # === payloads === #

    def sales_line(self, amount, klass=None):
        detail = {"ItemRef": {"value": self.item["Water Mitigation"]}, "Qty": 1, "UnitPrice": amount}
        if klass:
            detail["ClassRef"] = {"value": self.klass[klass]}
        return {"DetailType": "SalesItemLineDetail", "Amount": amount, "SalesItemLineDetail": detail}

    def expense_line(self, amount, job, account="Job Materials", klass=None):
        detail = {"AccountRef": {"value": self.account[account]}, "CustomerRef": {"value": job},
                  "BillableStatus": "Billable"}
        if klass:
            detail["ClassRef"] = {"value": self.klass[klass]}
        return {"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount,
                "AccountBasedExpenseLineDetail": detail}

    def item_line(self, amount, job):
        return {"DetailType": "ItemBasedExpenseLineDetail", "Amount": amount,
                "ItemBasedExpenseLineDetail": {"ItemRef": {"value": self.item["Materials"]},
                                               "CustomerRef": {"value": job}, "Qty": 1, "UnitPrice": amount}}

    def sales(self, job, *amounts, days_ago=10, klass=None, header_class=None):
        payload = {"CustomerRef": {"value": job}, "TxnDate": self.date(days_ago),
                   "Line": [self.sales_line(amount, klass) for amount in amounts]}
        if header_class:
            payload["ClassRef"] = {"value": self.klass[header_class]}
        return payload

    def payment(self, job, applied, days_ago=5):
        """``applied``: [(invoice, amount)]"""
        return {"CustomerRef": {"value": job}, "TxnDate": self.date(days_ago),
                "TotalAmt": float(sum(Decimal(str(amount)) for _invoice, amount in applied)),
                "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
                         for invoice, amount in applied]}

    def bill(self, *lines, days_ago=8):
        return {"VendorRef": {"value": self.vendor}, "TxnDate": self.date(days_ago), "Line": list(lines)}

    def purchase(self, kind, *lines, memo=None, credit=False, days_ago=7):
        paid_from = self.account["Company Visa" if kind == "CreditCard" else "Checking"]
        payload = {"PaymentType": kind, "Credit": credit, "TxnDate": self.date(days_ago),
                   "AccountRef": {"value": paid_from},
                   "EntityRef": {"value": self.vendor, "type": "Vendor"}, "Line": list(lines)}
        if memo:
            payload["PrivateNote"] = memo
        return payload

    def time_activity(self, job, hours=0, minutes=0, *, vendor=False, clock=None, break_minutes=0,
                      cost_rate=None, days_ago=3, description=None, offset="-05:00"):
        """A TimeActivity of the employee (or, ``vendor``, of the vendor logging its crew's time)
        on ``job``, for the Labor item: ``hours`` and ``minutes``, or ``clock`` ("07:30", "16:00")
        on its date at ``offset`` less ``break_minutes``; a CostRate only when given."""
        kind = "Vendor" if vendor else "Employee"
        payload = {"NameOf": kind, "%sRef" % kind: {"value": self.vendor if vendor else self.employee},
                   "CustomerRef": {"value": job}, "ItemRef": {"value": self.item["Labor"]},
                   "BillableStatus": "NotBillable", "TxnDate": self.date(days_ago)}
        if clock:
            payload.update({"%sTime" % end: "%sT%s:00%s" % (payload["TxnDate"], moment, offset)
                            for end, moment in zip(("Start", "End"), clock)})
            if break_minutes:
                payload.update(BreakHours=break_minutes // 60, BreakMinutes=break_minutes % 60)
        else:
            payload.update(Hours=hours, Minutes=minutes)
        if cost_rate is not None:
            payload["CostRate"] = cost_rate
        if description:
            payload["Description"] = description
        return payload

    # === writes === #

    def create(self, entity, payload):
        return self.client.create(entity, payload)

    def update(self, entity, doc, **changes):
        """A sparse update of ``doc`` (as last returned); returns the new version."""
        payload = dict(changes, Id=doc["Id"], SyncToken=doc["SyncToken"], sparse=True)
        return self.client.update(entity, payload)

    def operate(self, entity, doc, operation):
        """Delete or void ``doc`` through a batch request, the way the sandbox takes both."""
        [answer] = self.client.batch([{"entity": entity, "operation": operation,
                                       "payload": {"Id": doc["Id"], "SyncToken": doc["SyncToken"]}}])
        if isinstance(answer, Exception):
            raise answer
        return answer
