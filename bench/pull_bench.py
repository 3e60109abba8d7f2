"""The pull of job costs against the naive strategy, at Intuit's rate limits, in the local sandbox.

    python3 bench/pull_bench.py [--jobs 1000] [--documents 10000] [--changes 1000] [--time-scale 1]

One company of a sandbox with no seeded records gets a chart of accounts, items and classes,
``--jobs`` linked jobs (sub-customers, four a customer) and ``--documents`` documents of the six
pulled types spread over them (invoices, credit memos, payments of those invoices, bills with lines
on one or two jobs, checks, cash and card expenses and card credits, vendor credits; a few dated
before the start date, a few checks with an excluded memo). Seeding is no part of the figures: it
goes in batch requests of 30 with no latency and the throttles off. Then, with Intuit's limits on
and 150 ms a request (see ``common`` for the time scale), a host on the service layer alone (no
Odoo; the in-memory sink of the tests) pulls:

- first: the full read, on a company whose documents are a day old;
- unchanged: the next night, nothing changed;
- changed: the night after ``--changes`` documents of mixed types were edited.

Figures (requests are the Accounting API requests the sandbox counted for the company):

- first_minimum = 1 (Preferences) + the sum over the 9 pulled types (Account, Item, Class and the 6
  document types) of max(1, ceil(n / 1000)), n the type's records the full read must return: the
  fewest requests 1000-row pages allow. The pull reads a type until a page comes back short, so a
  type of exactly k x 1000 records costs it one empty page more than this minimum;
- naive_requests = jobs x 6 document types (one query per job and type, as connectors that pull
  per job do) + the pages of the 3 reference lists; computed, not run;
- unchanged_writes = writes the sandbox counted during the unchanged pull + the lines and
  reference records the host changed.

The lines landed are checked against what the seeding wrote, job by job. The targets are checked
at the end (PASS/FAIL each, a FAIL exits 1) and the last line is ``SUMMARY key=value ...``.
"""

import argparse
import copy
import math
import os
import random
import sys
import time
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
from chronicle_qbo_addon.services.pull import PAGE_OVERLAP, pull
from chronicle_qbo_addon.services.ratelimit import RateLimiter
from chronicle_qbo_addon.services.reads import PAGE_SIZE
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


class Doc:
    """A document the bench wrote: its type, its last version, and its lines as (job, kind, sign,
    amount); ``counted`` is False for what the pull must leave out (dated before the start date,
    a check with an excluded memo)."""

    def __init__(self, entity, payload, lines, counted=True):
        self.entity, self.payload, self.lines, self.counted = entity, payload, lines, counted
        self.record = None

    def effects(self):
        return [(job, kind, sign * amount) for job, kind, sign, amount in self.lines] if self.counted else []


def create_all(setup, entity, payloads):
    items = [{"entity": entity, "operation": "create", "payload": payload} for payload in payloads]
    return _checked(setup.batch(items))


def _checked(answers):
    failed = [answer for answer in answers if isinstance(answer, Exception)]
    if failed:
        raise RuntimeError("seeding failed: %s" % failed[0])
    return answers


class Company:
    """The chart, the jobs and the documents the bench writes to one sandbox company."""

    def __init__(self, setup, rng, today):
        self.setup, self.rng, self.today = setup, rng, today
        self.start = today - timedelta(days=START_DAYS)
        self.docs = []
        self.reference_counts = {}
        self.account, self.items, self.classes, self.vendors, self.job_ids = {}, [], [], [], []

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
        classes = create_all(self.setup, "Class", [{"Name": name} for name in CLASSES])
        self.classes = [record["Id"] for record in classes]
        self.reference_counts = {"Account": len(accounts), "Item": len(items), "Class": len(self.classes)}
        self.vendors = [record["Id"] for record in create_all(self.setup, "Vendor", [
            {"DisplayName": "Supplier %02d" % i} for i in range(VENDORS)])]

    def jobs(self, count):
        owners = create_all(self.setup, "Customer", [
            {"DisplayName": "Owner %04d - %d" % (i, 5000 + i)} for i in range(math.ceil(count / 4))])
        self.job_ids = [record["Id"] for record in create_all(self.setup, "Customer", [
            {"DisplayName": "24-%04d - Water loss, kitchen" % i, "Job": True, "BillWithParent": True,
             "ParentRef": {"value": owners[i // 4]["Id"]}} for i in range(count)])]

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
        """Change the first line's amount of ``count`` documents of every type (a payment's total too)."""
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

    def _invoice_of(self, payment):
        invoice_id = payment.record["Line"][0]["LinkedTxn"][0]["TxnId"]
        return next(doc for doc in self.docs if doc.entity == "Invoice" and doc.record["Id"] == invoice_id)

    # === what the pull must find === #

    def expected(self):
        totals = {job: {INVOICED: Decimal(0), COLLECTED: Decimal(0), COST: Decimal(0)}
                  for job in self.job_ids}
        for doc in self.docs:
            for job, kind, amount in doc.effects():
                totals[job][kind] += amount
        return totals

    def rows(self):
        """Records of each pulled type a full read returns."""
        rows = dict(self.reference_counts)
        for entity in DOCUMENT_ENTITIES:
            rows[entity] = sum(1 for doc in self.docs
                               if doc.entity == entity and doc.payload["TxnDate"] >= self.start.isoformat())
        return rows


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


def measure(sandbox, qbo, sink, **kwargs):
    """One pull a night later: its outcome, requests, metered reads and writes, seconds."""
    sandbox.control.advance_clock(DAY)
    sandbox.control.reset_counters()
    changed, reads = sink.changed, qbo.reads
    started = time.monotonic()
    outcome = pull(qbo, sink, start_date=kwargs.pop("start"), now=qbo_now(sandbox),
                   exclusions=exclusion_pattern(DEFAULT_EXCLUSIONS), **kwargs)
    seconds = time.monotonic() - started
    counters = sandbox.control.counters()
    mine = counters["by_realm"].get(REALM, {})
    return {"outcome": outcome, "seconds": seconds, "requests": mine.get("requests", 0),
            "reads": mine.get("reads", 0), "client_reads": qbo.reads - reads, "writes": counters["writes"],
            "rejected": counters["rejected"], "lines_changed": sink.changed - changed}


def first_minimum(rows):
    return 1 + sum(max(1, math.ceil(rows[entity] / PAGE_SIZE)) for entity in PULLED_ENTITIES)


def naive_requests(jobs, rows):
    return jobs * len(DOCUMENT_ENTITIES) + sum(max(1, math.ceil(rows[entity] / PAGE_SIZE))
                                                for entity in REFERENCE_ENTITIES)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000, help="linked jobs (sub-customers)")
    parser.add_argument("--documents", type=int, default=10000, help="documents of the six pulled types")
    parser.add_argument("--changes", type=int, default=None, help="documents edited (default: one in ten)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="sandbox seconds per real second")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the generated books")
    args = parser.parse_args()
    changes = min(args.documents, args.changes if args.changes is not None else max(1, args.documents // 10))

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
        seed_seconds = time.monotonic() - started
        sandbox.control.set_latency(QBO_LATENCY / args.time_scale)
        sandbox.control.set_limits(enabled=True)

        app, tokens = connect(sandbox)
        qbo = client(app, REALM, tokens, args.time_scale)
        sink = MemorySink()
        first = measure(sandbox, qbo, sink, position=None, start=company.start)
        first_ok = sink.totals(company.job_ids) == company.expected()
        outcome = first["outcome"]
        unchanged = measure(sandbox, qbo, sink, position=outcome.position, tracking=outcome.tracking,
                            start=company.start)
        company.edit(setup, changes)
        changed = measure(sandbox, qbo, sink, position=unchanged["outcome"].position,
                          tracking=outcome.tracking, start=company.start)
        changed_ok = sink.totals(company.job_ids) == company.expected()
    finally:
        sandbox.stop()

    rows = company.rows()
    figures = {
        "first_requests": first["requests"],
        "first_minimum": first_minimum(rows),
        "naive_requests": naive_requests(args.jobs, rows),
        "unchanged_requests": unchanged["requests"],
        "unchanged_writes": unchanged["writes"] + unchanged["lines_changed"],
        "changed_requests": changed["requests"],
    }
    report(args, changes, rows, seed_seconds, first, unchanged, changed, figures)
    checks = [
        ("first_requests <= 1.5 x first_minimum",
         figures["first_requests"] <= 1.5 * figures["first_minimum"]),
        ("first_requests at least 100x fewer than naive_requests",
         figures["naive_requests"] >= 100 * figures["first_requests"]),
        ("unchanged_requests == 1", figures["unchanged_requests"] == 1),
        ("unchanged_writes == 0", figures["unchanged_writes"] == 0),
        ("changed_requests <= 3", figures["changed_requests"] <= 3),
        ("every row read by the first pull, again only where pages overlap",
         all(rows[entity] <= outcome.read[entity] <= rows[entity] + PAGE_OVERLAP * (rows[entity] // PAGE_SIZE)
             for entity in rows)),
        ("job figures after the first pull match the books", first_ok),
        ("job figures after the edits match the books", changed_ok),
        ("metered reads: the client's count is the sandbox's",
         all(run["client_reads"] == run["reads"] for run in (first, unchanged, changed))),
        ("no request refused by the throttles",
         not any(run["rejected"] for run in (first, unchanged, changed))),
    ]
    for name, passed in checks:
        print("%s  %s" % ("PASS" if passed else "FAIL", name))
    extra = {"first_seconds": "%.2f" % first["seconds"], "unchanged_seconds": "%.2f" % unchanged["seconds"],
             "changed_seconds": "%.2f" % changed["seconds"], "jobs": args.jobs, "documents": args.documents,
             "changes": changes, "failed": sum(1 for _name, passed in checks if not passed)}
    print("SUMMARY " + " ".join("%s=%s" % item for item in list(figures.items()) + list(extra.items())))
    return 1 if extra["failed"] else 0


def report(args, changes, rows, seed_seconds, first, unchanged, changed, figures):
    print("Pull benchmark: %d linked jobs, %d documents, %d ms a request, Intuit's limits on, time scale %g"
          % (args.jobs, args.documents, 1000 * QBO_LATENCY, args.time_scale))
    print("dated since the start date: %s" % ", ".join("%s %d" % (e, rows[e]) for e in DOCUMENT_ENTITIES))
    print("seeded in %.1f s (batch requests, no latency, throttles off; not measured)" % seed_seconds)
    print("%-34s %10s %10s %10s %12s %12s"
          % ("", "requests", "reads", "writes", "host changes", "wall time s"))
    for name, run in (("first pull (full read)", first), ("next night, nothing changed", unchanged),
                      ("after %d documents edited" % changes, changed)):
        print("%-34s %10d %10d %10d %12d %12.2f" % (name, run["requests"], run["reads"], run["writes"],
                                                    run["lines_changed"], run["seconds"]))
    read, skipped = first["outcome"].read, first["outcome"].skipped
    print("first pull: %d rows read (%s), %d lines skipped (%s)" % (
        sum(read.values()), ", ".join("%s %d" % item for item in read.items()),
        sum(skipped.values()), dict(skipped) or "none"))
    print("least requests 1000-row pages allow: %d; ours %.2fx that" % (
        figures["first_minimum"], figures["first_requests"] / figures["first_minimum"]))
    print("naive (a query per job and document type, plus the lists): %d requests, %.0fx ours" % (
        figures["naive_requests"], figures["naive_requests"] / max(1, figures["first_requests"])))
    print("after the edits: %d documents read back by Change Data Capture, %d lines changed" % (
        sum(changed["outcome"].read.values()), changed["lines_changed"]))


if __name__ == "__main__":
    sys.exit(main())
