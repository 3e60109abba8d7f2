"""The documents the seeded companies start with: a restoration company's sales, receipts and
costs on a few of its jobs, in whole dollars easy to check by hand.

They are written through ``entities.create``, as API writes are, so QBO's TotalAmt, Balance
and UnappliedAmt come out as for any client's document. Each is dated ``days`` before the
sandbox's start and created at that moment (``tick``), oldest first, so the documents of the
last 30 days are what change data capture finds and the older ones only a query does.

Where a sales form's class goes follows the company's preference: on the header when it
tracks classes per transaction (the class of its lines, which then share one), on each line
when per line. Expense lines carry their own class, customer and billable status whatever
the preference; a line without a customer is overhead.

- Blue Ridge (per transaction): ``BLUE_RIDGE``, on jobs 24-0117, 24-0122, 24-0126 and 24-0131
  and on Carolina Mutual (a customer without jobs);
- Coastal Packout (per line): ``COASTAL``, on jobs CP-0412 and CP-0425;
- Summit: nothing.

What a test can check the company against: the documents themselves (each with its
``total``), ``totals(documents)`` per customer and ``balances(documents)`` per invoice.
"""

from collections import defaultdict, namedtuple
from dataclasses import dataclass

from . import entities, refs
from .clock import qbo_date

DAY = 86400.0
NET_DAYS = 30
PAID_FROM = {"Check": "Checking", "CreditCard": "Company Visa"}
DEPOSIT_TO = "Checking"

Totals = namedtuple("Totals", "invoiced credited paid cost")


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
        else:
            for line in doc.lines:
                sums[line.customer][3] += doc.sign * line.amount
    return {name: Totals(*values) for name, values in sums.items()}


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


_BODIES = {Sale: _sale, Received: _payment, Expense: _expense}


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
        created = entities.create(realm, doc.entity, body, tick(dated))
        if doc.entity == "Invoice":
            books.invoices[doc.number] = created["Id"]
