"""The pull of job costs and crew time against the naive strategy, at Intuit's rate limits, in the
local sandbox.

    python3 bench/pull_bench.py [--jobs 1000] [--documents 10000] [--changes 1000] [--time 5000]
        [--time-changes 100] [--time-scale 1]

One company of a sandbox with no seeded records gets a chart of accounts, items and classes, 25
suppliers, ``--jobs`` linked jobs (sub-customers, four a customer) and ``--documents`` documents of
the six pulled types spread over them (invoices, credit memos, payments of those invoices, bills
with lines on one or two jobs, checks, cash and card expenses and card credits, vendor credits; a
few dated before the start date, 90 days back, a few checks with an excluded memo). Its crew is
four employees and a labor agency (a vendor that logs its crew's time): ``--time`` time activities
of theirs on the linked jobs, by hours and minutes or by clock times less a break, one in ten
dated before the labor start (60 days back). Seeding is no part of the figures: it goes in batch
requests of 30 with no latency and the throttles off. Then, with Intuit's limits on and 150 ms a
request (see ``common`` for the time scale), a host on the service layer alone (no Odoo; the
in-memory sink of the tests) pulls, each night a day after the one before on the sandbox's clock,
reading the crew time from the labor start (``LaborRead(labor_start)``) but where said:

- first: the full read, on a company whose records are a day old;
- unchanged: the next night, nothing changed; then the same night again, from the same position,
  without labor (a host that imports no crew time);
- changed: the night after ``--changes`` documents of mixed types and ``--time-changes`` time
  activities were edited (hours changed; one edit in ten also moves an activity across the labor
  start, either way);
- deleted_time: the night after one activity dated from the labor start was deleted.

Figures (requests are the Accounting API requests the sandbox counted for the company during the
pull; pages(n) is what the pull's paging takes for n rows: pages of 1000 rows, each starting 10
rows before the previous one ended, until one comes back short, so 1 below 1000 rows and
(n - 1000) // 990 + 2 from there):

- first_requests: the first pull's requests;
- first_minimum = 1 (Preferences) + the sum over the 12 pulled types (Account, Item, Class,
  Customer, Employee, Vendor and the 6 document types) and TimeActivity of max(1, ceil(n / 1000)),
  n the type's records the full read must return (customers: the jobs and their parent
  customers; employees: the crew's four; vendors: the suppliers and the agency; documents and
  time: those dated from the start date, the labor start): the fewest requests 1000-row pages
  allow. Target: first_requests <= 1.5 x first_minimum;
- first_time_pages, first_time_minimum: the first pull's queries of crew time, and max(1, ceil(n /
  1000)) for the n activities dated from the labor start. Targets: first_time_pages == pages(n)
  and <= 1.5 x first_time_minimum;
- naive_requests = jobs x 7 (one query per job for each of the 6 document types and the time, as
  connectors that pull per job do) + the pages of the 6 reference lists; computed, not run. Target:
  at least 100 x first_requests;
- unchanged_requests: the unchanged night's requests with labor. Target: 3 (Change Data Capture
  of the 12 types in one request, the page of the time changed since the position, the count of
  the time dated from the labor start);
- unchanged_requests_no_labor: the same night's requests without labor. Target: 1 (Change Data
  Capture);
- unchanged_writes = writes the sandbox counted during both unchanged pulls + the lines, time
  entries and reference records the host changed. Target: 0;
- changed_requests, changed_expected: the changed night's requests, and what they must be:
  changed_cdc_expected + pages(time edits) (the time changed since the position) + 1 (the count,
  which agrees: no full read of the time). changed_cdc_expected is the Change Data Capture
  requests ``read_changes`` makes: 1, and 1 more when the answer held 1000 objects in all (its
  re-ask rule: Intuit's reference words the cap as 1000 objects in all, so such an answer is asked
  again from its newest object; it comes back short). changed_cdc is the Change Data Capture
  requests measured. Target: changed_requests == changed_expected;
- deleted_time_requests, deleted_time_expected: the deleted_time night's requests, and 1 (Change
  Data Capture) + 1 (the time changed: an empty page, a query never shows a deletion) + 1 (the
  count, one fewer than the host holds) + pages(n) (the time read in full again, n the activities
  left from the labor start), the one deleted then dropped. Target: equal.

Checked too: the job figures (invoiced, collected, cost per job) after the first pull and after
the edits match what the seeding wrote, job by job; the crew time held after the first pull, the
edits and the deletion matches the books (the same activities, and per job and worker, employee
or vendor, the same hours); the time read in full once more only on the deleted_time night; every
row read by the first pull, again only where pages overlap; the client's metered reads are the
sandbox's; no request refused by the throttles. The targets are checked at the end (PASS/FAIL
each, a FAIL exits 1) and the last line is ``SUMMARY key=value ...``.
"""

import argparse
import copy
import math
import os
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from common import QBO_LATENCY, ROOT, Sandbox, client

from chronicle_qbo_addon.services.client import QboApp, QboClient
from chronicle_qbo_addon.services.job_cost import (
    COLLECTED,
    COST,
    DEFAULT_EXCLUSIONS,
    DOCUMENT_ENTITIES,
    INVOICED,
    PULLED_ENTITIES,
    REFERENCE_ENTITIES,
    exclusion_pattern,
)
from chronicle_qbo_addon.services.labor import EMPLOYEE, TIME_ENTITY, VENDOR
from chronicle_qbo_addon.services.pull import PAGE_OVERLAP, LaborRead, pull
from chronicle_qbo_addon.services.ratelimit import RateLimiter
from chronicle_qbo_addon.services.reads import CDC_MAX_OBJECTS, PAGE_SIZE
from qbo_sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, REALM_BLUE_RIDGE

sys.path.insert(0, os.path.join(ROOT, "tests"))
from pull_helpers import MemorySink, qbo_now  # noqa: E402  pylint: disable=wrong-import-position

REALM = REALM_BLUE_RIDGE
DAY = 86400
# Documents per 100, by type: roughly how a restoration company's books split.
SHARES = (("Invoice", 22), ("CreditMemo", 6), ("Payment", 17), ("Bill", 29), ("Purchase", 21),
          ("VendorCredit", 5))
ACCOUNTS = (("Checking", "Bank", "Checking"), ("Company Visa", "Credit Card", "CreditCard"),
            ("Restoration Services", "Income", "ServiceFeeIncome"),
            ("Job Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
            ("Subcontractors", "Cost of Goods Sold", "OtherCostsOfServiceCos"),
            ("Temp Labor", "Cost of Goods Sold", "CostOfLaborCos"),
            ("Equipment Rental", "Expense", "EquipmentRental"))
CLASSES = ("Water Damage", "Fire Damage", "Emergency Service", "Construction", "Cleaning", "Packout")
COST_ACCOUNTS = ("Job Materials", "Subcontractors", "Temp Labor", "Equipment Rental")
VENDORS = 25
START_DAYS = 90
# The crew: employees (given name, family name, the cost rate QuickBooks keeps, or None) and the
# labor agency that logs its crew's time.
EMPLOYEES = (("Carlos", "Mendoza", 28), ("Jenna", "Park", None), ("Tyler", "Brooks", 26),
             ("Marcus", "Lee", 30))
AGENCY = "Labor Finders Asheville"
LABOR_DAYS = 60
_HOURS = Decimal("0.0001")
# The members of a time activity that say how long it lasted.
LENGTH = ("StartTime", "EndTime", "BreakHours", "BreakMinutes", "Hours", "Minutes")


class Doc:
    """A document the bench wrote: its type, its last version, and its lines as (job, kind, sign,
    amount); ``counted`` is False for what the pull must leave out (dated before the start date,
    a check with an excluded memo)."""

    def __init__(self, entity, payload, lines, counted=True):
        self.entity, self.payload, self.lines, self.counted = entity, payload, lines, counted
        self.record = None

    def effects(self):
        return [(job, kind, sign * amount) for job, kind, sign, amount in self.lines] if self.counted else []


class Activity:
    """A time activity the bench wrote: its last version, the job and worker (kind, Id) it is on,
    its date and the hours it says; ``deleted`` once the bench deleted it."""

    def __init__(self, payload, worker, hours):
        self.payload, self.worker, self.hours = payload, worker, hours
        self.record, self.deleted = None, False

    @property
    def job(self):
        return self.payload["CustomerRef"]["value"]

    @property
    def date(self):
        return self.payload["TxnDate"]

    @property
    def by_clock(self):
        return "StartTime" in self.payload


def create_all(setup, entity, payloads):
    items = [{"entity": entity, "operation": "create", "payload": payload} for payload in payloads]
    return _checked(setup.batch(items))


def _checked(answers):
    failed = [answer for answer in answers if isinstance(answer, Exception)]
    if failed:
        raise RuntimeError("seeding failed: %s" % failed[0])
    return answers


def pages(rows):
    """The queries the pull's paging takes for ``rows`` rows: 1000-row pages, each starting
    PAGE_OVERLAP rows before the previous one ended, until a page comes back short."""
    return 1 if rows < PAGE_SIZE else (rows - PAGE_SIZE) // (PAGE_SIZE - PAGE_OVERLAP) + 2


def fewest_pages(rows):
    return max(1, math.ceil(rows / PAGE_SIZE))


class Company:
    """The chart, the jobs, the documents and the crew time the bench writes to one sandbox company."""

    def __init__(self, setup, rng, today):
        self.setup, self.rng, self.today = setup, rng, today
        self.start = today - timedelta(days=START_DAYS)
        self.labor_start = today - timedelta(days=LABOR_DAYS)
        self.docs = []
        self.activities = None  # until crew() seeds the crew
        self.reference_counts = {entity: 0 for entity in REFERENCE_ENTITIES}
        self.account, self.items, self.classes, self.vendors, self.job_ids = {}, [], [], [], []
        self.employees, self.agency, self.labor_item = [], None, None

    def chart(self):
        accounts = create_all(self.setup, "Account", [
            {"Name": name, "AccountType": kind, "AccountSubType": sub} for name, kind, sub in ACCOUNTS])
        self.account = {record["Name"]: record["Id"] for record in accounts}
        items = create_all(self.setup, "Item", [
            {"Name": name, "Type": kind, "IncomeAccountRef": {"value": self.account["Restoration Services"]},
             "ExpenseAccountRef": {"value": self.account[expense]}}
            for name, kind, expense in (("Water Mitigation", "Service", "Subcontractors"),
                                        ("Labor", "Service", "Temp Labor"),
                                        ("Materials", "NonInventory", "Job Materials"))])
        self.items = [record["Id"] for record in items]
        self.labor_item = items[1]["Id"]
        classes = create_all(self.setup, "Class", [{"Name": name} for name in CLASSES])
        self.classes = [record["Id"] for record in classes]
        self.vendors = [record["Id"] for record in create_all(self.setup, "Vendor", [
            {"DisplayName": "Supplier %02d" % i} for i in range(VENDORS)])]
        self.reference_counts.update(Account=len(accounts), Item=len(items), Class=len(self.classes),
                                     Vendor=self.reference_counts["Vendor"] + len(self.vendors))

    def jobs(self, count):
        owners = create_all(self.setup, "Customer", [
            {"DisplayName": "Owner %04d - %d" % (i, 5000 + i)} for i in range(math.ceil(count / 4))])
        self.job_ids = [record["Id"] for record in create_all(self.setup, "Customer", [
            {"DisplayName": "24-%04d - Water loss, kitchen" % i, "Job": True, "BillWithParent": True,
             "ParentRef": {"value": owners[i // 4]["Id"]}} for i in range(count)])]
        # A full read of customers returns the jobs and their parent customers.
        self.reference_counts["Customer"] += len(owners) + len(self.job_ids)

    # === documents === #

    def _money(self, low=50, high=5000):
        return Decimal(self.rng.randint(low * 100, high * 100)) / 100

    def _date(self):
        """Mostly within the last 80 days; one in 30 before the start date."""
        days = self.rng.randint(START_DAYS + 10, START_DAYS + 200) if self.rng.random() < 1 / 30 else \
            self.rng.randint(0, START_DAYS - 10)
        return (self.today - timedelta(days=days)).isoformat()

    def _sales(self, entity):
        job, klass = self.rng.choice(self.job_ids), self.rng.choice(self.classes)
        amounts = [self._money() for _line in range(self.rng.randint(1, 3))]
        payload = {"CustomerRef": {"value": job}, "ClassRef": {"value": klass}, "TxnDate": self._date(),
                   "Line": [{"DetailType": "SalesItemLineDetail", "Amount": float(amount),
                             "SalesItemLineDetail": {"ItemRef": {"value": self.rng.choice(self.items)},
                                                     "ClassRef": {"value": klass}}} for amount in amounts]}
        sign = -1 if entity == "CreditMemo" else 1
        return Doc(entity, payload, [(job, INVOICED, sign, amount) for amount in amounts],
                   payload["TxnDate"] >= self.start.isoformat())

    def _expense_lines(self):
        first = self.rng.choice(self.job_ids)
        lines, payload_lines = [], []
        for _line in range(self.rng.randint(1, 3)):
            # One document in five splits its lines over two jobs.
            job = first if self.rng.random() < 0.8 else self.rng.choice(self.job_ids)
            amount = self._money(20, 3000)
            detail = {"CustomerRef": {"value": job}, "ClassRef": {"value": self.rng.choice(self.classes)},
                      "BillableStatus": "Billable"}
            if self.rng.random() < 0.7:
                detail["AccountRef"] = {"value": self.account[self.rng.choice(COST_ACCOUNTS)]}
                kind = "AccountBasedExpenseLineDetail"
            else:
                detail["ItemRef"] = {"value": self.rng.choice(self.items)}
                kind = "ItemBasedExpenseLineDetail"
            payload_lines.append({"DetailType": kind, "Amount": float(amount), kind: detail})
            lines.append((job, amount))
        return payload_lines, lines

    def _cost(self, entity):
        payload_lines, lines = self._expense_lines()
        payload = {"TxnDate": self._date(), "Line": payload_lines}
        sign, counted = 1, payload["TxnDate"] >= self.start.isoformat()
        vendor = {"value": self.rng.choice(self.vendors)}
        if entity == "Purchase":
            kind = self.rng.choices(("Check", "Cash", "CreditCard", "Credit"), (40, 10, 40, 10))[0]
            card = kind in ("CreditCard", "Credit")
            payload.update(PaymentType="CreditCard" if card else kind, Credit=kind == "Credit",
                           EntityRef=dict(vendor, type="Vendor"),
                           AccountRef={"value": self.account["Company Visa" if card else "Checking"]})
            sign = -1 if kind == "Credit" else 1
            if kind == "Check" and self.rng.random() < 0.05:
                payload["PrivateNote"], counted = "TEMP LABOR - week %d" % self.rng.randint(1, 52), False
        else:
            payload["VendorRef"] = vendor
            sign = -1 if entity == "VendorCredit" else 1
        return Doc(entity, payload, [(job, COST, sign, amount) for job, amount in lines], counted)

    def _payment(self, invoices):
        invoice = self.rng.choice(invoices)
        job, amount = invoice.payload["CustomerRef"]["value"], self._money(10, 400)
        amount = min(amount, sum(line[3] for line in invoice.lines))
        payload = {"CustomerRef": {"value": job}, "TxnDate": invoice.payload["TxnDate"],
                   "TotalAmt": float(amount),
                   "Line": [{"Amount": float(amount),
                             "LinkedTxn": [{"TxnId": invoice.record["Id"], "TxnType": "Invoice"}]}]}
        return Doc("Payment", payload, [(job, COLLECTED, 1, amount)], invoice.counted)

    def documents(self, count):
        counts = {entity: count * share // 100 for entity, share in SHARES}
        counts["Bill"] += count - sum(counts.values())
        planned = {entity: [self._sales(entity) if entity in ("Invoice", "CreditMemo") else self._cost(entity)
                            for _doc in range(counts[entity])] for entity in counts if entity != "Payment"}
        for entity, docs in planned.items():
            self._write(entity, docs)
        invoices = planned["Invoice"]
        self._write("Payment", [self._payment(invoices) for _doc in range(counts["Payment"])])

    def _write(self, entity, docs):
        for doc, record in zip(docs, create_all(self.setup, entity, [doc.payload for doc in docs])):
            doc.record = record
            self.docs.append(doc)

    def edit(self, editor, count):
        """Change the first line's amount of ``count`` documents of every type (a payment's total too).

        :return: {entity: documents edited}
        """
        items = []
        for doc in self.rng.sample(self.docs, count):
            amount = self._money(10, 400) if doc.entity == "Payment" else self._money(20, 3000)
            if doc.entity == "Payment":
                amount = min(amount, sum(line[3] for line in self._invoice_of(doc).lines))
            lines = copy.deepcopy(doc.record["Line"])
            lines[0]["Amount"] = float(amount)
            payload = {"Id": doc.record["Id"], "SyncToken": doc.record["SyncToken"], "sparse": True,
                       "Line": lines}
            if doc.entity == "Payment":
                payload["TotalAmt"] = float(amount)
            job, kind, sign, _old = doc.lines[0]
            doc.lines[0] = (job, kind, sign, amount)
            items.append((doc, {"entity": doc.entity, "operation": "update", "payload": payload}))
        for (doc, _item), record in zip(items, _checked(editor.batch([item for _doc, item in items]))):
            doc.record = record
        return Counter(doc.entity for doc, _item in items)

    def _invoice_of(self, payment):
        invoice_id = payment.record["Line"][0]["LinkedTxn"][0]["TxnId"]
        return next(doc for doc in self.docs if doc.entity == "Invoice" and doc.record["Id"] == invoice_id)

    # === crew time === #

    def crew(self):
        """The employees and the labor agency."""
        self.employees = [(record["Id"], rate) for record, (_given, _family, rate) in zip(
            create_all(self.setup, "Employee", [
                {"GivenName": given, "FamilyName": family, "DisplayName": "%s %s" % (given, family)}
                for given, family, _rate in EMPLOYEES]), EMPLOYEES)]
        [agency] = create_all(self.setup, "Vendor", [{"DisplayName": AGENCY}])
        self.agency = agency["Id"]
        self.reference_counts["Employee"] += len(self.employees)
        self.reference_counts["Vendor"] += 1
        self.activities = []

    def _time_date(self, before=None):
        """Within the labor start's 60 days; one in ten before it (``before`` forces either)."""
        if before is None:
            before = self.rng.random() < 0.1
        days = (self.rng.randint(LABOR_DAYS + 1, LABOR_DAYS + 25) if before
                else self.rng.randint(0, LABOR_DAYS - 1))
        return (self.today - timedelta(days=days)).isoformat()

    def _length(self, payload):
        """Set the time worked on a payload: hours and minutes in quarter hours, or (one in five,
        or always for a payload already by clock) clock times less a break; return the hours."""
        if "StartTime" in payload or ("Hours" not in payload and self.rng.random() < 0.2):
            start = self.rng.randrange(6 * 60, 9 * 60 + 1, 15)
            end = start + self.rng.randrange(4 * 60, 10 * 60 + 1, 15)
            pause = self.rng.choice((0, 30, 45))
            day = payload["TxnDate"]
            payload.update(StartTime="%sT%02d:%02d:00-05:00" % (day, start // 60, start % 60),
                           EndTime="%sT%02d:%02d:00-05:00" % (day, end // 60, end % 60),
                           BreakHours=pause // 60, BreakMinutes=pause % 60)
            minutes = end - start - pause
        else:
            minutes = self.rng.randrange(15, 10 * 60 + 1, 15)
            payload.update(Hours=minutes // 60, Minutes=minutes % 60)
        return (Decimal(minutes) / 60).quantize(_HOURS)

    def _activity(self, date):
        payload = {"CustomerRef": {"value": self.rng.choice(self.job_ids)},
                   "ItemRef": {"value": self.labor_item}, "BillableStatus": "NotBillable", "TxnDate": date,
                   "ClassRef": {"value": self.rng.choice(self.classes)}}
        if self.rng.random() < 0.2:
            payload.update(NameOf="Vendor", VendorRef={"value": self.agency})
            worker = (VENDOR, self.agency)
        else:
            employee, rate = self.rng.choice(self.employees)
            payload.update(NameOf="Employee", EmployeeRef={"value": employee})
            if rate is not None:
                payload["CostRate"] = rate
            worker = (EMPLOYEE, employee)
        return Activity(payload, worker, self._length(payload))

    def time(self, count):
        """``count`` time activities on the linked jobs; the first dated from the labor start."""
        planned = [self._activity(self._time_date(before=False if not n else None)) for n in range(count)]
        for activity, record in zip(planned, create_all(self.setup, "TimeActivity",
                                                        [activity.payload for activity in planned])):
            activity.record = record
            self.activities.append(activity)

    def edit_time(self, editor, count):
        """Change the hours of ``count`` activities; one in ten of those by hours and minutes is also
        moved across the labor start (dated before it, or from it)."""
        items = []
        for activity in self.rng.sample(self.activities, count):
            payload = {key: value for key, value in activity.payload.items() if key not in LENGTH}
            if activity.by_clock:
                payload["StartTime"] = activity.payload["StartTime"]
            elif self.rng.random() < 0.1:
                payload["TxnDate"] = self._time_date(before=activity.date >= self.labor_start.isoformat())
            hours = self._length(payload)
            changes = {key: value for key, value in payload.items() if key in LENGTH or key == "TxnDate"}
            activity.payload, activity.hours = payload, hours
            items.append((activity, {"entity": TIME_ENTITY, "operation": "update", "payload": dict(
                changes, Id=activity.record["Id"], SyncToken=activity.record["SyncToken"], sparse=True)}))
        for (activity, _item), record in zip(items, _checked(editor.batch([item for _act, item in items]))):
            activity.record = record
        return len(items)

    def delete_time(self, editor):
        """Delete one activity dated from the labor start."""
        activity = self.rng.choice([activity for activity in self.activities if self.counts(activity)])
        _checked(editor.batch([{"entity": TIME_ENTITY, "operation": "delete", "payload": {
            "Id": activity.record["Id"], "SyncToken": activity.record["SyncToken"]}}]))
        activity.deleted = True
        return activity

    def counts(self, activity):
        """Whether QuickBooks holds the activity from the labor start (what the host must hold)."""
        return not activity.deleted and activity.date >= self.labor_start.isoformat()

    # === what the pull must find === #

    def expected(self):
        totals = {job: {INVOICED: Decimal(0), COLLECTED: Decimal(0), COST: Decimal(0)}
                  for job in self.job_ids}
        for doc in self.docs:
            for job, kind, amount in doc.effects():
                totals[job][kind] += amount
        return totals

    def expected_time(self):
        """({activity Id}, {(job, worker kind, worker Id): hours}) the host must hold."""
        held, hours = set(), Counter()
        for activity in self.activities or ():
            if self.counts(activity):
                held.add(str(activity.record["Id"]))
                hours[(activity.job,) + activity.worker] += activity.hours
        return held, dict(hours)

    def rows(self):
        """Records of each pulled type a full read returns (and the time dated from the labor
        start, once the crew is seeded)."""
        rows = dict(self.reference_counts)
        for entity in DOCUMENT_ENTITIES:
            rows[entity] = sum(1 for doc in self.docs
                               if doc.entity == entity and doc.payload["TxnDate"] >= self.start.isoformat())
        if self.activities is not None:
            rows[TIME_ENTITY] = sum(1 for activity in self.activities if self.counts(activity))
        return rows


def held_time(sink):
    """({activity Id}, {(job, worker kind, worker Id): hours}) the sink holds."""
    entries = sink.time_entries()
    hours = Counter()
    for entry in entries.values():
        hours[(entry.customer_id, entry.worker_kind, entry.worker_id)] += entry.hours
    return set(entries), dict(hours)


# === the measured pulls === #

def sandbox_clock(control):
    """The host's clock, agreeing with the sandbox's (naive UTC, as the app takes it): tokens are
    refreshed before they expire, as a host whose clock agrees with Intuit's does."""
    return lambda: datetime.fromisoformat(control.now()["now_utc"]).replace(tzinfo=None)


def connect(sandbox, timeout=60):
    app = QboApp(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS[0], "local",
                 base_url=sandbox.url, timeout=timeout, clock=sandbox_clock(sandbox.control))
    return app, app.exchange_code(sandbox.control.authorize(REALM)["code"], REALM)


def unthrottled_client(sandbox):
    app, tokens = connect(sandbox)
    limiter = RateLimiter(per_minute=10 ** 6, batch_per_minute=10 ** 6)
    return QboClient(app, REALM, tokens, rate_limiter=limiter)


def tallied(qbo):
    """Count the client's reads by kind (``qbo.tally``): Preferences, Change Data Capture, pages of
    the lists and documents, of the time changed, of the time in full, counts."""
    qbo.tally = Counter()
    query, count = qbo.query, qbo.count
    preferences, changes = qbo.preferences, qbo.change_data_capture

    def kind_of(statement):
        if " FROM %s " % TIME_ENTITY not in statement + " ":
            return "pages"
        return "time_changes" if "LastUpdatedTime" in statement else "time_pages"

    def counted(kind, real):
        def call(*args, **kwargs):
            qbo.tally[kind(args[0]) if callable(kind) else kind] += 1
            return real(*args, **kwargs)
        return call

    qbo.query = counted(kind_of, query)
    qbo.count = counted("time_count", count)
    qbo.preferences = counted("preferences", preferences)
    qbo.change_data_capture = counted("cdc", changes)
    return qbo


def measure(sandbox, qbo, sink, advance=True, **kwargs):
    """One pull (a night later unless ``advance`` is False): its outcome, requests (all, and the
    client's by kind), metered reads and writes, seconds."""
    if advance:
        sandbox.control.advance_clock(DAY)
    sandbox.control.reset_counters()
    changed, reads, time_reconciles = sink.changed, qbo.reads, sink.time_reconciles
    qbo.tally.clear()
    started = time.monotonic()
    outcome = pull(qbo, sink, start_date=kwargs.pop("start"), now=qbo_now(sandbox),
                   exclusions=exclusion_pattern(DEFAULT_EXCLUSIONS), **kwargs)
    seconds = time.monotonic() - started
    counters = sandbox.control.counters()
    mine = counters["by_realm"].get(REALM, {})
    return {"outcome": outcome, "seconds": seconds, "requests": mine.get("requests", 0),
            "reads": mine.get("reads", 0), "client_reads": qbo.reads - reads, "writes": counters["writes"],
            "rejected": counters["rejected"], "lines_changed": sink.changed - changed,
            "by_kind": Counter(qbo.tally), "time_reconciles": sink.time_reconciles - time_reconciles}


def first_minimum(rows):
    """The fewest requests a first pull of ``rows`` takes in 1000-row pages: Preferences, every
    pulled type and, when ``rows`` has it, the time."""
    entities = PULLED_ENTITIES + ((TIME_ENTITY,) if TIME_ENTITY in rows else ())
    return 1 + sum(fewest_pages(rows[entity]) for entity in entities)


def naive_requests(jobs, rows):
    """A query per job for each document type (and the time, when ``rows`` has it), and the
    pages of the reference lists."""
    per_job = len(DOCUMENT_ENTITIES) + (1 if TIME_ENTITY in rows else 0)
    return jobs * per_job + sum(fewest_pages(rows[entity]) for entity in REFERENCE_ENTITIES)


def cdc_requests(edited):
    """The Change Data Capture requests ``read_changes`` makes for ``edited`` ({entity: objects
    changed, each at its own moment}): one, and one more when the answer holds 1000 objects in
    all (asked again from its newest object, it comes back short). None when a type reaches 1000
    objects (the answers then depend on the moments)."""
    if any(count >= CDC_MAX_OBJECTS for count in edited.values()):
        return None
    return 1 + (1 if sum(edited.values()) >= CDC_MAX_OBJECTS else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000, help="linked jobs (sub-customers)")
    parser.add_argument("--documents", type=int, default=10000, help="documents of the six pulled types")
    parser.add_argument("--changes", type=int, default=None, help="documents edited (default: one in ten)")
    parser.add_argument("--time", type=int, default=5000, help="time activities of the crew (at least 1)")
    parser.add_argument("--time-changes", type=int, default=None,
                        help="time activities edited (default: one in fifty)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="sandbox seconds per real second")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the generated books")
    args = parser.parse_args()
    if args.time < 1:
        parser.error("--time: at least one time activity")
    changes = min(args.documents, args.changes if args.changes is not None else max(1, args.documents // 10))
    time_changes = min(args.time, args.time_changes if args.time_changes is not None
                       else max(1, args.time // 50))

    sandbox = Sandbox(args.time_scale)
    try:
        sandbox.control.set_latency(0)
        sandbox.control.set_limits(enabled=False)
        setup = unthrottled_client(sandbox)
        company = Company(setup, random.Random(args.seed), qbo_now(sandbox).date())
        started = time.monotonic()
        company.chart()
        company.jobs(args.jobs)
        company.documents(args.documents)
        company.crew()
        company.time(args.time)
        seed_seconds = time.monotonic() - started
        rows = company.rows()
        sandbox.control.set_latency(QBO_LATENCY / args.time_scale)
        sandbox.control.set_limits(enabled=True)

        app, tokens = connect(sandbox)
        qbo = tallied(client(app, REALM, tokens, args.time_scale))
        sink = MemorySink()
        labor = LaborRead(company.labor_start)
        runs = {"first": measure(sandbox, qbo, sink, position=None, start=company.start, labor=labor)}
        outcome = runs["first"]["outcome"]
        books = {"first": (sink.totals(company.job_ids) == company.expected(),
                           held_time(sink) == company.expected_time())}
        runs["unchanged"] = measure(sandbox, qbo, sink, position=outcome.position, tracking=outcome.tracking,
                                    start=company.start, labor=labor)
        # The same night, a host that imports no crew time: Change Data Capture alone.
        runs["no_labor"] = measure(sandbox, qbo, sink, advance=False, position=outcome.position,
                                   tracking=outcome.tracking, start=company.start)
        edited = company.edit(setup, changes)
        sandbox.idle()  # a minute on: the time's edits find the throttles' windows empty
        company.edit_time(setup, time_changes)
        runs["changed"] = measure(sandbox, qbo, sink, position=runs["unchanged"]["outcome"].position,
                                  tracking=outcome.tracking, start=company.start, labor=labor)
        books["changed"] = (sink.totals(company.job_ids) == company.expected(),
                            held_time(sink) == company.expected_time())
        gone = company.delete_time(setup)
        runs["deleted_time"] = measure(sandbox, qbo, sink, position=runs["changed"]["outcome"].position,
                                       tracking=outcome.tracking, start=company.start, labor=labor)
        books["deleted_time"] = (sink.totals(company.job_ids) == company.expected(),
                                 held_time(sink) == company.expected_time())
        gone_dropped = sink.time_entry(gone.record["Id"]) is None
        time_left = company.rows()[TIME_ENTITY]
    finally:
        sandbox.stop()

    first, unchanged, no_labor = runs["first"], runs["unchanged"], runs["no_labor"]
    changed, deleted = runs["changed"], runs["deleted_time"]
    cdc_expected = cdc_requests(edited)
    figures = {
        "first_requests": first["requests"],
        "first_minimum": first_minimum(rows),
        "first_time_pages": first["by_kind"]["time_pages"],
        "first_time_minimum": fewest_pages(rows[TIME_ENTITY]),
        "naive_requests": naive_requests(args.jobs, rows),
        "unchanged_requests": unchanged["requests"],
        "unchanged_requests_no_labor": no_labor["requests"],
        "unchanged_writes": sum(run["writes"] + run["lines_changed"] for run in (unchanged, no_labor)),
        "changed_requests": changed["requests"],
        "changed_expected": None if cdc_expected is None else cdc_expected + pages(time_changes) + 1,
        "changed_cdc": changed["by_kind"]["cdc"],
        "changed_cdc_expected": cdc_expected,
        "deleted_time_requests": deleted["requests"],
        "deleted_time_expected": 3 + pages(time_left),
    }
    report(args, changes, time_changes, rows, seed_seconds, runs, figures)
    all_runs = list(runs.values())
    recounted = [run["outcome"].time_recounted for name, run in runs.items() if name != "no_labor"]
    checks = [
        ("first_requests <= 1.5 x first_minimum",
         figures["first_requests"] <= 1.5 * figures["first_minimum"]),
        ("first_time_pages == pages(%d) = %d" % (rows[TIME_ENTITY], pages(rows[TIME_ENTITY])),
         figures["first_time_pages"] == pages(rows[TIME_ENTITY])),
        ("first_time_pages <= 1.5 x first_time_minimum",
         figures["first_time_pages"] <= 1.5 * figures["first_time_minimum"]),
        ("first_requests at least 100x fewer than naive_requests",
         figures["naive_requests"] >= 100 * figures["first_requests"]),
        ("unchanged_requests == 3 (Change Data Capture, time changed, time count)",
         figures["unchanged_requests"] == 3),
        ("unchanged_requests_no_labor == 1", figures["unchanged_requests_no_labor"] == 1),
        ("unchanged_writes == 0", figures["unchanged_writes"] == 0),
        ("changed_cdc == changed_cdc_expected (the re-ask rule)",
         cdc_expected is None or figures["changed_cdc"] == cdc_expected),
        ("changed_requests == changed_expected = Change Data Capture + %d time changes page(s) + 1 count"
         % pages(time_changes),
         figures["changed_requests"] == (figures["changed_cdc"] if cdc_expected is None else cdc_expected)
         + pages(time_changes) + 1),
        ("deleted_time_requests == deleted_time_expected", figures["deleted_time_requests"]
         == figures["deleted_time_expected"]),
        ("the time read in full again only after the deletion (count mismatch)",
         recounted == [False, False, False, True]
         and [run["time_reconciles"] for run in all_runs] == [1, 0, 0, 0, 1]),
        ("every row read by the first pull, again only where pages overlap",
         all(rows[entity] <= outcome.read[entity] <= rows[entity] + PAGE_OVERLAP * (rows[entity] // PAGE_SIZE)
             for entity in rows)),
        ("job figures after the first pull match the books", books["first"][0]),
        ("job figures after the edits match the books", books["changed"][0] and books["deleted_time"][0]),
        ("crew time after the first pull matches the books (activities, hours per job and worker)",
         books["first"][1]),
        ("crew time after the edits matches the books", books["changed"][1]),
        ("crew time after the deletion matches the books, the deleted activity dropped",
         books["deleted_time"][1] and gone_dropped),
        ("metered reads: the client's count is the sandbox's",
         all(run["client_reads"] == run["reads"] for run in all_runs)),
        ("no request refused by the throttles", not any(run["rejected"] for run in all_runs)),
    ]
    for name, passed in checks:
        print("%s  %s" % ("PASS" if passed else "FAIL", name))
    extra = {"first_seconds": "%.2f" % first["seconds"], "unchanged_seconds": "%.2f" % unchanged["seconds"],
             "changed_seconds": "%.2f" % changed["seconds"],
             "deleted_time_seconds": "%.2f" % deleted["seconds"],
             "jobs": args.jobs, "documents": args.documents, "changes": changes, "time": args.time,
             "time_changes": time_changes, "failed": sum(1 for _name, passed in checks if not passed)}
    print("SUMMARY " + " ".join("%s=%s" % item for item in list(figures.items()) + list(extra.items())))
    return 1 if extra["failed"] else 0


KINDS = (("preferences", "Preferences"), ("cdc", "Change Data Capture"), ("pages", "list and document pages"),
         ("time_changes", "time changed"), ("time_count", "time count"), ("time_pages", "time pages"))


def report(args, changes, time_changes, rows, seed_seconds, runs, figures):
    print("Pull benchmark: %d linked jobs, %d documents, %d time activities, %d ms a request, Intuit's "
          "limits on, time scale %g"
          % (args.jobs, args.documents, args.time, 1000 * QBO_LATENCY, args.time_scale))
    print("dated since the start date: %s; time since the labor start: %d" % (
        ", ".join("%s %d" % (e, rows[e]) for e in DOCUMENT_ENTITIES), rows[TIME_ENTITY]))
    print("lists: %s" % ", ".join("%s %d" % (e, rows[e]) for e in REFERENCE_ENTITIES))
    print("seeded in %.1f s (batch requests, no latency, throttles off; not measured)" % seed_seconds)
    print("%-36s %10s %10s %10s %12s %12s"
          % ("", "requests", "reads", "writes", "host changes", "wall time s"))
    names = {"first": "first pull (full read)", "unchanged": "next night, nothing changed",
             "no_labor": "the same, without labor",
             "changed": "after %d documents, %d time edited" % (changes, time_changes),
             "deleted_time": "after one time activity deleted"}
    for key, run in runs.items():
        print("%-36s %10d %10d %10d %12d %12.2f" % (names[key], run["requests"], run["reads"], run["writes"],
                                                    run["lines_changed"], run["seconds"]))
    print("requests by kind:")
    for key, run in runs.items():
        print("  %-38s %s" % (names[key], ", ".join(
            "%s %d" % (label, run["by_kind"][kind]) for kind, label in KINDS if run["by_kind"][kind])))
    first = runs["first"]
    read, skipped = first["outcome"].read, first["outcome"].skipped
    print("first pull: %d rows read (%s), %d lines skipped (%s)" % (
        sum(read.values()), ", ".join("%s %d" % item for item in read.items()),
        sum(skipped.values()), dict(skipped) or "none"))
    print("least requests 1000-row pages allow: %d; ours %.2fx that" % (
        figures["first_minimum"], figures["first_requests"] / figures["first_minimum"]))
    print("first pull's time: %d pages, the least %d"
          % (figures["first_time_pages"], figures["first_time_minimum"]))
    naive = figures["naive_requests"]
    print("naive (a query per job for each document type and the time, plus the lists): %d requests, "
          "%.0fx ours" % (naive, naive / max(1, figures["first_requests"])))
    changed = runs["changed"]
    print("after the edits: %d documents read back by Change Data Capture in %d requests, %d time "
          "activities by the changes query, %d lines and time entries changed" % (
              sum(count for entity, count in changed["outcome"].read.items() if entity != TIME_ENTITY),
              changed["by_kind"]["cdc"], changed["outcome"].read[TIME_ENTITY], changed["lines_changed"]))
    deleted = runs["deleted_time"]
    outcome = deleted["outcome"]
    print("after the deletion: the count differed (%s), the time read in full: %d activities in %d pages" % (
        outcome.time_recounted, outcome.read[TIME_ENTITY], deleted["by_kind"]["time_pages"]))


if __name__ == "__main__":
    sys.exit(main())
