"""The documents the seeded companies start with: a restoration company's sales, receipts,
costs and crew time on a few of its jobs, in whole dollars and quarter hours easy to check by
hand.

They are written through ``entities.create``, as API writes are, so QBO's TotalAmt, Balance
and UnappliedAmt come out as for any client's document. Each is dated ``days`` before the
sandbox's start and created at that moment (``tick``), oldest first, so the documents of the
last 30 days are what change data capture finds and the older ones only a query does.

Where a sales form's class goes follows the company's preference: on the header when it
tracks classes per transaction (the class of its lines, which then share one), on each line
when per line. Expense lines carry their own class, customer and billable status whatever
the preference; a line without a customer is overhead.

Crew time is TimeActivity (``Worked``): one per worker and day, on a job or on a customer
without jobs, for the "Labor" item, with the worker's hours (Hours and Minutes, or StartTime
and EndTime less a break), BillableStatus, HourlyRate when billed and a description. The
worker is an employee (``NameOf`` Employee, EmployeeRef) or a vendor that logs its crew's
time (Vendor, VendorRef). An activity carries a CostRate where the company keeps one for the
worker (Carlos Mendoza, Tyler Brooks, Isaiah Grant, Kevin O'Neal and both temp labor agencies)
and none otherwise (Jenna Park, Maria Santos): the host then costs those hours itself. A
TimeActivity has one ClassRef, whatever the company's class tracking. The temp agencies' hours
at their CostRate come to what their checks paid them (32 h x 20 = the 640 of Blue Ridge's
check 1041, 24 h x 20 = the 480 of Coastal's check 5012): the same labor twice, as a company
that logs its temp crews' time and pays them by check has it.

- Blue Ridge (per transaction): ``BLUE_RIDGE``, on jobs 24-0117, 24-0122, 24-0126 and 24-0131
  and on Carolina Mutual (a customer without jobs);
- Coastal Packout (per line): ``COASTAL``, on jobs CP-0412 and CP-0425;
- Summit: nothing.

What a test can check the company against: the documents themselves (each with its
``total``), ``totals(documents)`` per customer and ``balances(documents)`` per invoice (both
leave crew time out), and ``labor(documents)``: the hours and cost per job and worker.
"""

from collections import defaultdict, namedtuple
from dataclasses import dataclass
from datetime import date, datetime, time

from . import entities, refs
from .clock import COMPANY_TZ, qbo_date

DAY = 86400.0
NET_DAYS = 30
PAID_FROM = {"Check": "Checking", "CreditCard": "Company Visa"}
DEPOSIT_TO = "Checking"

Totals = namedtuple("Totals", "invoiced credited paid cost")
Labor = namedtuple("Labor", "hours cost")
LABOR_ITEM = "Labor"


@dataclass(frozen=True)
class Sold:
    """A SalesItemLineDetail line: ``qty`` x ``price`` of ``item``, in class ``cls`` (or none)."""

    item: str
    qty: int
    price: int
    cls: str = None

    @property
    def amount(self):
        return self.qty * self.price


@dataclass(frozen=True)
class Spent:
    """An expense line of ``amount`` on ``customer`` (None: overhead), in class ``cls`` (or
    none): AccountBasedExpenseLineDetail on ``account``, or ItemBasedExpenseLineDetail of
    ``qty`` of ``item``. Billable when on a customer, unless ``billable`` is False."""

    amount: int
    customer: str = None
    cls: str = None
    account: str = None
    item: str = None
    qty: int = None
    billable: bool = True


@dataclass(frozen=True)
class Sale:
    """An Invoice or a CreditMemo (``entity``) of ``customer``, numbered ``number``."""

    entity: str
    days: int
    number: str
    customer: str
    lines: tuple

    @property
    def total(self):
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class Received:
    """A Payment from ``customer`` (PaymentRefNum ``number``), all of it applied: one line
    per (invoice number, amount) of ``applied``."""

    days: int
    number: str
    customer: str
    applied: tuple
    entity = "Payment"

    @property
    def total(self):
        return sum(amount for _, amount in self.applied)


@dataclass(frozen=True)
class Expense:
    """A Bill, Purchase or VendorCredit (``entity``) to ``payee`` (a vendor, or a customer for
    a refund check), numbered ``number``. A Purchase is paid by ``payment_type``, from
    ``PAID_FROM``; ``credit`` makes a card purchase a card credit."""

    entity: str
    days: int
    number: str
    payee: str
    lines: tuple
    note: str = None
    payment_type: str = None
    credit: bool = False

    @property
    def total(self):
        return sum(line.amount for line in self.lines)

    @property
    def sign(self):
        """How the document counts in a job's cost: a vendor or card credit takes off."""
        return -1 if self.credit or self.entity == "VendorCredit" else 1


@dataclass(frozen=True)
class Worked:
    """A TimeActivity of ``worker`` (an employee's display name, or a vendor's when ``name_of``
    is "Vendor") on ``customer`` (a job, or a customer without jobs), in class ``cls`` (or none).

    Its length is ``hours`` and ``minutes``, or, when ``start`` is given, the clock times
    ``start`` to ``end`` ("07:30", the company's time on the activity's date) less
    ``break_minutes``. ``cost_rate`` is the CostRate it carries (None: none sent), ``rate`` its
    HourlyRate (sent when given), ``billable`` its BillableStatus."""

    days: int
    customer: str
    worker: str
    hours: int = 0
    minutes: int = 0
    cost_rate: int = None
    rate: int = None
    cls: str = None
    billable: str = "Billable"
    description: str = None
    name_of: str = "Employee"
    start: str = None
    end: str = None
    break_minutes: int = 0
    entity = "TimeActivity"

    @property
    def duration(self):
        """The hours worked, as a number (quarter hours come out exact)."""
        if self.start:
            start, end = (int(hh) * 60 + int(mm) for hh, mm in (t.split(":") for t in (self.start, self.end)))
            minutes = end - start - self.break_minutes
        else:
            minutes = self.hours * 60 + self.minutes
        return minutes / 60

    @property
    def cost(self):
        """``duration`` x ``cost_rate``, or None without a cost rate."""
        return None if self.cost_rate is None else self.duration * self.cost_rate


# ---------------------------------------------------------------- the documents

HOLLIS = "Margaret Hollis - 1001"
KITCHEN = "24-0117 - Water mitigation, kitchen supply line"
CABINETS = "24-0131 - Drywall and cabinet rebuild"
UNIT_4B = "24-0122 - Fire damage, unit 4B smoke cleaning"
ROOF = "24-0126 - Storm damage, roof tarp and dry-out"
REYES = "Daniel Reyes - 1003"
INSURER = "Carolina Mutual Insurance - 1004"
TRADD = "CP-0412 - Contents packout, 18 Tradd St"
PACK_BACK = "CP-0425 - Packout and pack-back after fire"
CARLOS, JENNA, TYLER = "Carlos Mendoza", "Ms. Jenna Park", "Tyler Brooks"
ISAIAH, MARIA, KEVIN = "Isaiah Grant", "Maria Santos", "Kevin O'Neal"

BLUE_RIDGE = (
    Sale("Invoice", 90, "1001", KITCHEN, (
        Sold("Water Mitigation", 1, 2000, "Mitigation"),
        Sold("Equipment Rental", 4, 125, "Mitigation"),
    )),
    Expense("Bill", 85, "FPS-8841", "Ferguson Plumbing Supply", (
        Spent(250, KITCHEN, "Mitigation", item="Materials", qty=10),
        Spent(150, KITCHEN, account="Job Materials"),
    )),
    Sale("Invoice", 75, "1002", UNIT_4B, (
        Sold("Labor", 20, 60, "Mitigation"),
        Sold("Materials", 1, 300, "Mitigation"),
    )),
    Received(70, "3318", KITCHEN, (("1001", 2500),)),
    Expense("Bill", 65, "SR-20417", "Sunbelt Rentals - Asheville", (
        Spent(300, KITCHEN, "Mitigation", account="Equipment Rental"),
        Spent(200, UNIT_4B, "Mitigation", account="Equipment Rental", billable=False),
    )),
    Sale("CreditMemo", 60, "1003", UNIT_4B, (Sold("Materials", 1, 100, "Mitigation"),)),
    Received(55, "8812", UNIT_4B, (("1002", 1000),)),
    Sale("Invoice", 50, "1004", ROOF, (Sold("Water Mitigation", 1, 1800), Sold("Equipment Rental", 2, 100))),
    Expense("Purchase", 45, "1041", "Labor Finders Asheville", (
        Spent(640, UNIT_4B, "Mitigation", account="Temp Labor"),
    ), "Temp labor week 32", "Check"),
    Sale("Invoice", 40, "1005", KITCHEN, (
        Sold("Labor", 10, 60, "Reconstruction"),
        Sold("Materials", 1, 400, "Reconstruction"),
    )),
    Sale("Invoice", 38, "1006", CABINETS, (
        Sold("Labor", 8, 75, "Drywall"),
        Sold("Materials", 1, 200, "Drywall"),
    )),
    Expense("Purchase", 35, "1042", "Mountain Drywall Subcontracting LLC", (
        Spent(450, UNIT_4B, "Reconstruction", account="Subcontractors"),
    ), "Drywall patch, unit 4B", "Check"),
    Expense("Purchase", 28, "HD-4410", "The Home Depot Pro", (
        Spent(120, ROOF, "Mitigation", item="Materials", qty=6),
        Spent(60, ROOF, account="Job Materials"),
    ), "Dehumidifier filters", "CreditCard"),
    Sale("Invoice", 25, "1007", INSURER, (Sold("Water Mitigation", 1, 750, "Mitigation"),)),
    Expense("Bill", 22, "MD-1190", "Mountain Drywall Subcontracting LLC", (
        Spent(1200, ROOF, "Drywall", account="Subcontractors"),
    )),
    Sale("Invoice", 20, "1008", ROOF, (Sold("Labor", 8, 75, "Drywall"),)),
    Expense("Purchase", 18, "1043", REYES, (
        Spent(250, ROOF, account="Restoration Services", billable=False),
    ), "REFUND deposit overpayment", "Check"),
    Received(15, "5120", HOLLIS, (("1005", 1000), ("1006", 800))),
    Expense("Bill", 12, "HD-5521", "The Home Depot Pro", (
        Spent(200, INSURER, "Mitigation", item="Materials", qty=4),
        Spent(80, account="Fuel"),
    )),
    Expense("Purchase", 8, "HD-4452", "The Home Depot Pro", (
        Spent(40, ROOF, "Mitigation", account="Job Materials"),
    ), "Returned unused filters", "CreditCard", credit=True),
    Expense("VendorCredit", 5, "FPS-CR-77", "Ferguson Plumbing Supply", (
        Spent(50, KITCHEN, "Mitigation", account="Job Materials"),
    )),
    # Crew time.
    Worked(88, KITCHEN, CARLOS, 6, cost_rate=28, rate=65, cls="Mitigation",
           description="Water extraction, set air movers and dehumidifiers"),
    Worked(87, KITCHEN, TYLER, 4, 30, cost_rate=26, rate=60, cls="Mitigation",
           description="Moisture readings, moved drying equipment"),
    Worked(74, UNIT_4B, JENNA, 7, 15, cls="Mitigation", billable="NotBillable",
           description="Smoke damage assessment and contents inventory"),
    Worked(46, UNIT_4B, "Labor Finders Asheville", 32, cost_rate=20, cls="Mitigation",
           billable="NotBillable", description="Temp crew week 32: smoke cleaning, 4 laborers x 8 h",
           name_of="Vendor"),
    Worked(42, KITCHEN, TYLER, 10, cost_rate=26, rate=60, cls="Reconstruction", billable="HasBeenBilled",
           description="Cabinet removal and drywall cut-out"),
    Worked(27, ROOF, TYLER, cost_rate=26, rate=60, cls="Mitigation", start="07:30", end="16:00",
           break_minutes=30, description="Roof tarp, set dehumidifiers in the attic"),
    Worked(26, INSURER, CARLOS, 2, 30, cost_rate=28, rate=65, cls="Mitigation",
           description="Moisture mapping with the adjuster"),
    Worked(21, ROOF, CARLOS, 5, 45, cost_rate=28, rate=65, cls="Drywall",
           description="Hang and tape ceiling drywall"),
    Worked(19, ROOF, JENNA, 1, 30, cls="Drywall", billable="NotBillable",
           description="Final walkthrough with the homeowner"),
)
COASTAL = (
    Sale("Invoice", 80, "2001", TRADD, (
        Sold("Labor", 16, 55, "Contents"),
        Sold("Materials", 1, 320, "Contents"),
    )),
    Expense("Bill", 70, "UH-3310", "U-Haul Moving & Storage", (
        Spent(400, TRADD, "Contents", account="Equipment Rental"),
    )),
    Received(60, "LIA-2207", TRADD, (("2001", 1200),)),
    Sale("Invoice", 33, "2002", PACK_BACK, (
        Sold("Labor", 10, 55, "Contents"),
        Sold("Water Mitigation", 1, 450, "Mitigation"),
    )),
    Sale("Invoice", 26, "2003", TRADD, (Sold("Equipment Rental", 3, 100, "Contents"), Sold("Labor", 4, 50))),
    Expense("Bill", 24, "UL-7781", "Uline Shipping Supplies", (
        Spent(100, PACK_BACK, "Contents", item="Materials", qty=20),
        Spent(150, TRADD, "Contents", account="Job Materials"),
    )),
    Expense("Purchase", 14, "5012", "Charleston Temp Labor", (
        Spent(480, PACK_BACK, "Contents", account="Temp Labor"),
    ), "Packout crew, 2 days", "Check"),
    # Crew time.
    Worked(82, TRADD, KEVIN, 8, cost_rate=24, rate=55, cls="Contents", billable="HasBeenBilled",
           description="Packout: bedrooms, inventory photos"),
    Worked(81, TRADD, ISAIAH, 8, cost_rate=24, rate=55, cls="Contents", billable="HasBeenBilled",
           description="Packout: kitchen and dining room"),
    Worked(62, TRADD, MARIA, 3, 15, cls="Contents", billable="NotBillable",
           description="Contents inventory and storage labels"),
    Worked(34, PACK_BACK, ISAIAH, 6, 30, cost_rate=24, rate=55, cls="Contents",
           description="Packout after fire: living room"),
    Worked(15, PACK_BACK, "Charleston Temp Labor", 24, cost_rate=20, cls="Contents",
           billable="NotBillable", description="Packout crew, 2 days: 3 laborers x 8 h", name_of="Vendor"),
    Worked(10, PACK_BACK, KEVIN, 4, 45, cost_rate=24, rate=55, cls="Mitigation",
           description="Ozone treatment set-up and removal"),
    Worked(9, PACK_BACK, MARIA, 2, billable="NotBillable",
           description="Pack-back scheduling with the homeowner"),
)


# ---------------------------------------------------------------- what a test checks


def totals(documents):
    """Per customer name (a job, or a customer without jobs; None for overhead): what its
    invoices and credit memos total, what payments applied to its invoices (whoever paid:
    a parent customer's payment counts for the jobs it pays), and its signed cost (every
    expense line on it, credits taken off, whatever the memo)."""
    sums = defaultdict(lambda: [0, 0, 0, 0])
    billed_to = {doc.number: doc.customer for doc in documents if doc.entity == "Invoice"}
    for doc in documents:
        if isinstance(doc, Sale):
            sums[doc.customer][0 if doc.entity == "Invoice" else 1] += doc.total
        elif isinstance(doc, Received):
            for number, amount in doc.applied:
                sums[billed_to[number]][2] += amount
        elif isinstance(doc, Expense):
            for line in doc.lines:
                sums[line.customer][3] += doc.sign * line.amount
    return {name: Totals(*values) for name, values in sums.items()}


def labor(documents):
    """Per customer name (a job, or a customer without jobs), per worker: the hours of its time
    activities and their cost at the CostRate they carry, or None when one of them carries
    none (the host then costs them at its own rate)."""
    hours = defaultdict(lambda: defaultdict(float))
    costs = defaultdict(dict)
    for doc in documents:
        if isinstance(doc, Worked):
            hours[doc.customer][doc.worker] += doc.duration
            known = costs[doc.customer].get(doc.worker, 0)
            costs[doc.customer][doc.worker] = None if None in (known, doc.cost) else known + doc.cost
    return {
        customer: {worker: Labor(spent, costs[customer][worker]) for worker, spent in workers.items()}
        for customer, workers in hours.items()
    }


def balances(documents):
    """Per invoice number, its Balance once the seeded payments are applied."""
    left = {doc.number: doc.total for doc in documents if doc.entity == "Invoice"}
    for doc in documents:
        if isinstance(doc, Received):
            for number, amount in doc.applied:
                left[number] -= amount
    return left


# ---------------------------------------------------------------- writing them


class _Books:
    """One company's records by name, and the references QBO sends to them."""

    def __init__(self, realm):
        self.realm = realm
        self.per_line = realm["preferences"]["AccountingInfoPrefs"]["ClassTrackingPerTxnLine"]
        self.invoices = {}

    def ref(self, entity, name):
        for record in self.realm["entities"][entity].values():
            if record.get("DisplayName", record.get("Name")) == name:
                return {"value": record["Id"], "name": refs.name_of(self.realm, entity, record)}
        raise KeyError(f"no {entity} {name!r} in the seed")

    def payee(self, name):
        """A Purchase's EntityRef: a vendor, or a customer (a refund check), with its type."""
        vendors = self.realm["entities"]["Vendor"].values()
        kind = "Vendor" if any(vendor["DisplayName"] == name for vendor in vendors) else "Customer"
        return dict(self.ref(kind, name), type=kind)


def _sale(books, doc):
    lines = []
    for sold in doc.lines:
        detail = {"ItemRef": books.ref("Item", sold.item), "Qty": sold.qty, "UnitPrice": sold.price}
        if sold.cls and books.per_line:
            detail["ClassRef"] = books.ref("Class", sold.cls)
        lines.append(
            {"DetailType": "SalesItemLineDetail", "Amount": sold.amount, "SalesItemLineDetail": detail}
        )
    body = {"DocNumber": doc.number, "CustomerRef": books.ref("Customer", doc.customer), "Line": lines}
    header = {sold.cls for sold in doc.lines if sold.cls}
    if header and not books.per_line:
        (cls,) = header
        body["ClassRef"] = books.ref("Class", cls)
    return body


def _payment(books, doc):
    lines = [
        {"Amount": amount, "LinkedTxn": [{"TxnId": books.invoices[number], "TxnType": "Invoice"}]}
        for number, amount in doc.applied
    ]
    return {
        "CustomerRef": books.ref("Customer", doc.customer),
        "TotalAmt": doc.total,
        "PaymentRefNum": doc.number,
        "DepositToAccountRef": books.ref("Account", DEPOSIT_TO),
        "Line": lines,
    }


def _expense_line(books, spent):
    detail = {"BillableStatus": "Billable" if spent.customer and spent.billable else "NotBillable"}
    if spent.customer:
        detail["CustomerRef"] = books.ref("Customer", spent.customer)
    if spent.cls:
        detail["ClassRef"] = books.ref("Class", spent.cls)
    if spent.item:
        detail.update(
            ItemRef=books.ref("Item", spent.item), Qty=spent.qty, UnitPrice=spent.amount / spent.qty
        )
        kind = "ItemBasedExpenseLineDetail"
    else:
        detail["AccountRef"] = books.ref("Account", spent.account)
        kind = "AccountBasedExpenseLineDetail"
    return {"DetailType": kind, "Amount": spent.amount, kind: detail}


def _expense(books, doc):
    body = {"DocNumber": doc.number, "Line": [_expense_line(books, spent) for spent in doc.lines]}
    if doc.note:
        body["PrivateNote"] = doc.note
    if doc.entity == "Purchase":
        body.update(
            PaymentType=doc.payment_type,
            AccountRef=books.ref("Account", PAID_FROM[doc.payment_type]),
            EntityRef=books.payee(doc.payee),
        )
        if doc.payment_type == "CreditCard":
            body["Credit"] = doc.credit
    else:
        body["VendorRef"] = books.ref("Vendor", doc.payee)
    return body


def _time(books, doc):
    body = {
        "NameOf": doc.name_of,
        f"{doc.name_of}Ref": books.ref(doc.name_of, doc.worker),
        "CustomerRef": books.ref("Customer", doc.customer),
        "ItemRef": books.ref("Item", LABOR_ITEM),
        "BillableStatus": doc.billable,
    }
    if not doc.start:
        body.update(Hours=doc.hours, Minutes=doc.minutes)
    elif doc.break_minutes:
        body.update(BreakHours=doc.break_minutes // 60, BreakMinutes=doc.break_minutes % 60)
    if doc.cls:
        body["ClassRef"] = books.ref("Class", doc.cls)
    if doc.rate is not None:
        body["HourlyRate"] = doc.rate
    if doc.cost_rate is not None:
        body["CostRate"] = doc.cost_rate
    if doc.description:
        body["Description"] = doc.description
    return body


def _clock_time(day, moment):
    """``2026-03-10T07:30:00-08:00``: ``moment`` ("07:30") on ``day``, in the company's time."""
    at = datetime.combine(date.fromisoformat(day), time.fromisoformat(moment), tzinfo=COMPANY_TZ)
    return at.isoformat(timespec="seconds")


_BODIES = {Sale: _sale, Received: _payment, Expense: _expense, Worked: _time}


def populate(realm, documents, now, tick):
    """Write ``documents`` into ``realm``, oldest first; ``tick(at)`` gives each its moment,
    ``at`` or later."""
    books = _Books(realm)
    for doc in sorted(documents, key=lambda doc: -doc.days):
        dated = now - doc.days * DAY
        body = _BODIES[type(doc)](books, doc)
        body["TxnDate"] = qbo_date(dated)
        if doc.entity in ("Invoice", "Bill"):
            body["DueDate"] = qbo_date(dated + NET_DAYS * DAY)
        if isinstance(doc, Worked) and doc.start:
            day = body["TxnDate"]
            body.update(StartTime=_clock_time(day, doc.start), EndTime=_clock_time(day, doc.end))
        created = entities.create(realm, doc.entity, body, tick(dated))
        if doc.entity == "Invoice":
            books.invoices[doc.number] = created["Id"]
