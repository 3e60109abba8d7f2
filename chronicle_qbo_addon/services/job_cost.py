"""QuickBooks documents turned into job cost lines: pure functions, no reads.

Each line of a document that carries money for a job becomes one :class:`CostLine`, keyed by
(entity, document Id, line Id) so a document read again lands on the same lines:

- revenue: Invoice lines count as invoiced, CreditMemo lines as invoiced less (negative); the job
  is the header ``CustomerRef``; the class is the header's or the line's, as the company tracks
  classes (``Preferences.AccountingInfoPrefs``);
- collected: a Payment line applying money to an invoice (``LinkedTxn`` of TxnType Invoice)
  counts for the job of that invoice, which the host knows from the invoice's own lines; money a
  payment takes from credit memos is no cash, so it is taken off its invoice lines pro rata;
- cost: Bill, Purchase (check, cash, credit card) and VendorCredit lines, each with its own job
  (``CustomerRef`` in the line's detail), class and account or item; a vendor credit and a card
  credit (``Credit: true``) count negative. A check whose memo holds an exclusion word (REFUND,
  IGNORE, TEMP LABOR by default) is skipped whole, and counted.

A voided document keeps its lines at 0; a deleted one (``status: "Deleted"``) has no lines left.
"""
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Lists and names: the chart, items and classes for the costs; customers for Import Jobs;
# employees and vendors for the employee mapping of crew time.
REFERENCE_ENTITIES = ("Account", "Item", "Class", "Customer", "Employee", "Vendor")
REVENUE_ENTITIES = ("Invoice", "CreditMemo", "Payment")
COST_ENTITIES = ("Bill", "Purchase", "VendorCredit")
# Invoices before payments: a payment line finds its job through the invoice it pays.
DOCUMENT_ENTITIES = REVENUE_ENTITIES + COST_ENTITIES
PULLED_ENTITIES = REFERENCE_ENTITIES + DOCUMENT_ENTITIES

INVOICED, COLLECTED, COST = "invoiced", "collected", "cost"
# How the company tracks classes on sales forms (expense lines always carry their own).
PER_TRANSACTION, PER_LINE, NO_CLASSES = "per_txn", "per_line", "none"
DEFAULT_EXCLUSIONS = ("REFUND", "IGNORE", "TEMP LABOR")

# Why a line is not stored on a job: the host counts these per run.
SKIP_EXCLUDED = "excluded_memo"
SKIP_NO_CUSTOMER = "no_customer"
SKIP_UNLINKED = "unlinked"
SKIP_BEFORE_START = "before_start"

# The document types a person knows, and their pages in QuickBooks' web app.
DOC_TYPES = {
    "invoice": ("Invoice", "invoice"),
    "credit_memo": ("Credit memo", "creditmemo"),
    "payment": ("Payment", "recvpayment"),
    "bill": ("Bill", "bill"),
    "check": ("Check", "check"),
    "cash": ("Expense", "expense"),
    "card_charge": ("Credit card charge", "expense"),
    "card_credit": ("Credit card credit", "creditcardcredit"),
    "vendor_credit": ("Vendor credit", "vendorcredit"),
}
_EXPENSE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class CostLine:
    """One line of a document, as it lands on a job.

    ``customer_id`` is the QuickBooks customer (a job, if linked) the line is on; a payment line
    has none and names the invoice it pays in ``invoice_id``. ``amount`` is signed: what it adds to
    the job's invoiced, collected or cost figure.
    """

    entity: str
    doc_id: str
    line_id: str
    kind: str
    doc_type: str
    amount: float
    date: str = None
    number: str = None
    counterpart: str = None
    customer_id: str = None
    invoice_id: str = None
    account_id: str = None
    item_id: str = None
    class_id: str = None
    memo: str = None

    @property
    def key(self):
        return (self.entity, self.doc_id, self.line_id)


@dataclass
class DocumentLines:
    """What one document gives: its lines (none when deleted or skipped) and the lines skipped."""

    entity: str
    doc_id: str
    lines: list = field(default_factory=list)
    deleted: bool = False
    skipped: Counter = field(default_factory=Counter)
    date: str = None


def class_tracking(preferences):
    """How a company tracks classes, from its Preferences object.

    :return: :data:`PER_TRANSACTION`, :data:`PER_LINE` or :data:`NO_CLASSES`
    """
    prefs = (preferences or {}).get("AccountingInfoPrefs") or {}
    if prefs.get("ClassTrackingPerTxnLine"):
        return PER_LINE
    if prefs.get("ClassTrackingPerTxn"):
        return PER_TRANSACTION
    return NO_CLASSES


def exclusion_words(text):
    """The exclusion words of a setting: one per line or comma-separated, blanks dropped."""
    return tuple(word.strip() for word in re.split(r"[,\n]", text or "") if word.strip())


def exclusion_pattern(words):
    """A pattern matching any of ``words`` as whole words, case-insensitively (the spaces of
    "TEMP LABOR" match any run of spaces); None when there are no words."""
    words = [word for word in words if word.strip()]
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, word.split())) for word in words)
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % alternatives, re.IGNORECASE)


def _ref(value):
    return (value or {}).get("value") or None


def _ref_name(value):
    return (value or {}).get("name") or None


def _money(value):
    return Decimal(str(value or 0)).quantize(_CENT, rounding=ROUND_HALF_UP)


def purchase_type(doc):
    """The document type of a Purchase: check, cash, card charge or card credit."""
    kind = doc.get("PaymentType")
    if kind == "Check":
        return "check"
    if kind == "CreditCard":
        return "card_credit" if doc.get("Credit") else "card_charge"
    return "cash"


def document_lines(entity, doc, tracking=None, exclusions=None):
    """The job cost lines of one document.

    :param entity: e.g. "Invoice", "Purchase"
    :param doc: the document as QuickBooks sends it (a deleted one: ``{"Id", "status": "Deleted"}``)
    :param tracking: the company's class tracking (:func:`class_tracking`); None takes the line's
        class, else the header's
    :param exclusions: :func:`exclusion_pattern` of the check memos to skip, or None
    :return: :class:`DocumentLines`
    """
    result = DocumentLines(entity, str(doc["Id"]), date=doc.get("TxnDate"))
    if doc.get("status") == "Deleted":
        result.deleted = True
        return result
    if entity in ("Invoice", "CreditMemo"):
        result.lines = _sales_lines(entity, doc, tracking)
    elif entity == "Payment":
        result.lines = _payment_lines(doc)
    elif entity in COST_ENTITIES:
        doc_type = purchase_type(doc) if entity == "Purchase" else _cost_type(entity)
        lines = _expense_lines(entity, doc, doc_type, tracking)
        memo = doc.get("PrivateNote") or ""
        if doc_type == "check" and exclusions is not None and exclusions.search(memo):
            result.skipped[SKIP_EXCLUDED] += len(lines)
            return result
        result.lines = lines
    else:
        raise ValueError("No job cost lines in a %s." % entity)
    return result


def _cost_type(entity):
    return {"Bill": "bill", "VendorCredit": "vendor_credit"}[entity]


def _header(entity, doc, kind, doc_type):
    return {
        "entity": entity,
        "doc_id": str(doc["Id"]),
        "kind": kind,
        "doc_type": doc_type,
        "date": doc.get("TxnDate"),
        "number": doc.get("DocNumber") or None,
    }


def _sales_lines(entity, doc, tracking):
    sign = -1 if entity == "CreditMemo" else 1
    header = _header(entity, doc, INVOICED, "invoice" if sign > 0 else "credit_memo")
    header.update(counterpart=_ref_name(doc.get("CustomerRef")), customer_id=_ref(doc.get("CustomerRef")))
    header_class = _ref(doc.get("ClassRef"))
    lines = []
    for line_id, line in _money_lines(doc.get("Line") or []):
        detail_type = line.get("DetailType")
        if detail_type == "SalesItemLineDetail":
            line_sign = sign
        elif detail_type == "DiscountLineDetail":
            line_sign = -sign
        else:
            continue  # sub-totals and description lines carry no money of their own
        detail = line.get(detail_type) or {}
        if tracking == PER_TRANSACTION:
            class_id = header_class
        elif tracking == PER_LINE:
            class_id = _ref(detail.get("ClassRef"))
        elif tracking == NO_CLASSES:
            class_id = None
        else:
            class_id = _ref(detail.get("ClassRef")) or header_class
        lines.append(CostLine(
            line_id=line_id,
            amount=float(line_sign * _money(line.get("Amount"))),
            item_id=_ref(detail.get("ItemRef")),
            account_id=_ref(detail.get("DiscountAccountRef")),
            class_id=class_id,
            memo=line.get("Description") or doc.get("PrivateNote") or None,
            **header,
        ))
    return lines


def _money_lines(lines, prefix=""):
    """(key, line) of the lines of a document, a bundle's own lines in its place (the bundle line
    carries their total, not money of its own). A line without Id or LineNum, as sub-totals
    come, is keyed by its position."""
    for position, line in enumerate(lines, 1):
        key = prefix + str(line.get("Id") or line.get("LineNum") or "p%d" % position)
        if line.get("DetailType") == "GroupLineDetail":
            yield from _money_lines((line.get("GroupLineDetail") or {}).get("Line") or [], key + ".")
        else:
            yield key, line


def _payment_lines(doc):
    """Collected money per invoice line of a payment; credit memos it applies are taken off."""
    header = _header("Payment", doc, COLLECTED, "payment")
    # The job is the paid invoice's; the payment's own customer is what is left when the invoice
    # is not on a job the host knows.
    header.update(counterpart=_ref_name(doc.get("CustomerRef")), customer_id=_ref(doc.get("CustomerRef")),
                  number=doc.get("PaymentRefNum") or None)
    paid, credited = [], Decimal(0)
    for line_id, line in _money_lines(doc.get("Line") or []):
        types = {link.get("TxnType"): link.get("TxnId") for link in line.get("LinkedTxn") or []}
        if types.get("Invoice"):
            paid.append((line_id, str(types["Invoice"]), _money(line.get("Amount"))))
        elif types.get("CreditMemo"):
            credited += _money(line.get("Amount"))
    applied = sum((amount for _line, _invoice, amount in paid), Decimal(0))
    cash = max(applied - credited, Decimal(0))
    lines, left = [], cash
    for position, (line_id, invoice_id, amount) in enumerate(paid, 1):
        if position == len(paid):
            share = left
        else:
            share = (amount * cash / applied).quantize(_CENT, rounding=ROUND_HALF_UP) if applied else amount
            left -= share
        lines.append(CostLine(
            line_id=line_id,
            amount=float(share),
            invoice_id=invoice_id,
            memo=doc.get("PrivateNote") or None,
            **header,
        ))
    return lines


def _expense_lines(entity, doc, doc_type, tracking):
    credit = entity == "VendorCredit" or (entity == "Purchase" and doc.get("Credit"))
    sign = -1 if credit else 1
    header = _header(entity, doc, COST, doc_type)
    header["counterpart"] = _ref_name(doc.get("VendorRef") or doc.get("EntityRef"))
    lines = []
    for line_id, line in _money_lines(doc.get("Line") or []):
        detail_type = line.get("DetailType")
        if detail_type not in _EXPENSE_DETAILS:
            continue
        detail = line.get(detail_type) or {}
        lines.append(CostLine(
            line_id=line_id,
            amount=float(sign * _money(line.get("Amount"))),
            customer_id=_ref(detail.get("CustomerRef")),
            account_id=_ref(detail.get("AccountRef")),
            item_id=_ref(detail.get("ItemRef")),
            class_id=None if tracking == NO_CLASSES else _ref(detail.get("ClassRef")),
            memo=line.get("Description") or doc.get("PrivateNote") or None,
            **header,
        ))
    return lines


def line_account(line, item_expense_accounts):
    """The account a line's cost falls in: its own, else its item's expense account.

    :param item_expense_accounts: {item Id: expense account Id}
    """
    return line.account_id or item_expense_accounts.get(line.item_id)


def document_url(doc_type, doc_id, sandbox=False, local_base_url=None, realm_id=None):
    """The page of a document in QuickBooks' web app (Intuit's sandbox site for sandbox companies);
    for a company of a local sandbox, that sandbox's own page of the document."""
    page = DOC_TYPES[doc_type][1]
    if local_base_url:
        return "%s/app/%s?txnId=%s&realmId=%s" % (local_base_url.rstrip("/"), page, doc_id, realm_id)
    host = "app.sandbox.qbo.intuit.com" if sandbox else "app.qbo.intuit.com"
    return "https://%s/app/%s?txnId=%s" % (host, page, doc_id)
