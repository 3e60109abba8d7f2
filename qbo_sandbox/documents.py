"""Documents as a person sees them in QuickBooks' web app, read only.

Intuit opens a document at ``/app/<page>?txnId=<Id>`` in the signed-in user's current
company; the sandbox has no signed-in user, so its pages also take ``realmId``:

    GET /app/<page>?txnId=<Id>&realmId=<realm>

Pages and what they show: ``invoice`` (Invoice), ``creditmemo`` (CreditMemo),
``recvpayment`` (Payment, with the invoices it pays), ``bill`` (Bill), ``check`` (a Purchase
paid by check), ``expense`` (a Purchase paid in cash, or a credit card charge),
``creditcardcredit`` (a credit card Purchase with ``Credit`` true) and ``vendorcredit``
(VendorCredit). Each shows the company, the document's type and number, date, customer,
vendor or payee, memo, its lines (item or account, description, customer/job, class,
quantity, rate, amount), total and balance, and whether it is voided; names are those of
the company's records now (customers and jobs by their full name).

A deleted document answers 404 "This transaction was deleted" for as long as the company
keeps its tombstone (see ``tombstones``); an unknown Id, or a page that is not the
document's kind (``check`` for a credit card charge), answers 404 as well; an unknown realm
404; a missing ``txnId`` or ``realmId`` 400. Every value is HTML-escaped.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Callable
from urllib.parse import urlencode

from . import entities, types
from .clock import COMPANY_TZ

_STYLE = """
body{font-family:Avenir,Helvetica,Arial,sans-serif;background:#f4f5f8;margin:0;color:#393a3d}
header{background:#2ca01c;color:#fff;padding:14px 24px;font-size:18px}
header small{opacity:.85;margin-left:8px}
main{max-width:960px;margin:32px auto;background:#fff;border-radius:8px;padding:28px 32px;
box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px}
.company{color:#6b6c72;margin:0 0 18px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0}
dt{font-weight:600}dd{margin:0}
table{width:100%;border-collapse:collapse;font-size:14px}
th,td{text-align:left;padding:8px;border-bottom:1px solid #e3e5e8;vertical-align:top}
th{background:#f4f5f8;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
dl.totals{display:grid;grid-template-columns:1fr max-content;gap:6px 18px;margin:18px 0 0;
text-align:right;font-size:16px}
.status{display:inline-block;padding:3px 10px;border-radius:12px;font-size:13px;font-weight:600;
background:#e8f4e6;color:#1f6e13;margin-left:8px;vertical-align:middle}
.status.voided{background:#fdecea;color:#a32016}
.error{background:#fdecea;color:#a32016;padding:10px;border-radius:4px}
footer{max-width:960px;margin:0 auto 32px;padding:0 32px;font-size:12px;color:#6b6c72}
"""
FOOTER = (
    "Local QuickBooks Online sandbox, reachable on loopback only: no sign-in is asked for. "
    "Read only. Opening this page is not an Accounting API call and is not metered."
)


def _is_check(purchase):
    return purchase.get("PaymentType") == "Check"


def _is_expense(purchase):
    kind = purchase.get("PaymentType")
    return kind == "Cash" or (kind == "CreditCard" and purchase.get("Credit") is not True)


def _is_card_credit(purchase):
    return purchase.get("PaymentType") == "CreditCard" and purchase.get("Credit") is True


@dataclass(frozen=True)
class Page:
    """One page of the web app: the entity it shows, its heading, the label of the document's
    number and of its customer or vendor, and which records of the entity it opens."""

    entity: str
    title: str
    number: str
    party: str
    fits: Callable = lambda record: True


PAGES = {
    "invoice": Page("Invoice", "Invoice", "Invoice no.", "Customer"),
    "creditmemo": Page("CreditMemo", "Credit memo", "Credit memo no.", "Customer"),
    "recvpayment": Page("Payment", "Payment", "Reference no.", "Customer"),
    "bill": Page("Bill", "Bill", "Bill no.", "Vendor"),
    "check": Page("Purchase", "Check", "Check no.", "Payee", _is_check),
    "expense": Page("Purchase", "Expense", "Ref no.", "Payee", _is_expense),
    "creditcardcredit": Page("Purchase", "Credit card credit", "Ref no.", "Payee", _is_card_credit),
    "vendorcredit": Page("VendorCredit", "Vendor credit", "Ref no.", "Vendor"),
}
PAYMENT_TYPES = {"Cash": "Cash", "Check": "Check", "CreditCard": "Credit card"}
BALANCE_LABELS = {"Invoice": "Balance due", "Bill": "Balance due", "CreditMemo": "Remaining credit"}


def page_of(entity, record):
    """The page that opens ``record`` of ``entity``, or None."""
    return next((name for name, page in PAGES.items() if page.entity == entity and page.fits(record)), None)


def link(page, txn_id, realm_id):
    return f"/app/{page}?" + urlencode({"txnId": txn_id, "realmId": realm_id})


# ---------------------------------------------------------------- formats


def _money(value, symbol="$"):
    if value is None:
        return ""
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


def _rate(value):
    """A rate as QBO shows it: cents at least, more decimals only when it has them."""
    if value is None:
        return ""
    amount = Decimal(str(value))
    if amount == amount.quantize(Decimal("0.01")):
        return f"{amount:,.2f}"
    return f"{amount.normalize():,f}"


def _quantity(value):
    return "" if value is None else f"{Decimal(str(value)).normalize():,f}"


def _date(text):
    """``2024-05-01`` as a US company shows it (05/01/2024), in a <time> element."""
    if not text:
        return ""
    try:
        shown = date.fromisoformat(text).strftime("%m/%d/%Y")
    except ValueError:
        shown = text
    return f'<time datetime="{escape(text)}">{escape(shown)}</time>'


def _moment(epoch):
    return datetime.fromtimestamp(epoch, COMPANY_TZ).strftime("%m/%d/%Y %I:%M %p")


# ---------------------------------------------------------------- names


def ref_name(realm, target, ref):
    """The current name of what ``ref`` points at: customers, jobs, accounts and classes by
    their full name, items by name, vendors and employees by display name; the name the
    reference carries when the record is not in the company."""
    if not isinstance(ref, dict) or not ref.get("value"):
        return ""
    record = realm["entities"].get(target, {}).get(str(ref["value"]))
    if record is None:
        return str(ref.get("name") or ref["value"])
    etype = types.get(target)
    if etype.hierarchy is not None:
        return etype.hierarchy.full_name(realm, etype, record)
    return str(record.get(etype.naming.member, ""))


# ---------------------------------------------------------------- the page


def _page(title, company, body, status=200):
    company_line = f'<p class="company" id="company-name">{escape(company)}</p>' if company else ""
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<header>intuit <small>QuickBooks Online &middot; local sandbox</small></header>"
        f"<main>{company_line}{body}</main>"
        f'<footer id="sandbox-footer"><small>{escape(FOOTER)}</small></footer></body></html>'
    )
    return status, html


def error_page(status, title, message, company=None, extra=""):
    body = f'<h1 id="error-title">{escape(title)}</h1>'
    body += f'<p class="error" id="error">{escape(message)}</p>{extra}'
    return _page(title, company, body, status)


def _table(table_id, head, rows):
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _facts(rows):
    items = "".join(
        f'<dt>{escape(label)}</dt><dd id="{key}">{html}</dd>' for key, label, html in rows if html
    )
    return f'<dl class="facts">{items}</dl>'


def _status(etype, record):
    """Voided, or for an invoice how much of it is paid."""
    note = record.get("PrivateNote") or ""
    if etype.voidable and (note == entities.VOIDED or note.startswith(entities.VOIDED + " - ")):
        return "Voided"
    if etype.name == "Invoice" and record.get("TotalAmt"):
        balance = Decimal(str(record.get("Balance", 0)))
        if balance <= 0:
            return "Paid"
        return "Partially paid" if balance < Decimal(str(record["TotalAmt"])) else "Open"
    return None


def _party(realm, page, record):
    if page.entity == "Purchase":
        ref = record.get("EntityRef")
        kind = (ref or {}).get("type") or "Vendor"
        name = ref_name(realm, kind, ref)
        return f"{escape(name)} <small>({escape(kind)})</small>" if name else ""
    target = "Vendor" if page.party == "Vendor" else "Customer"
    return escape(ref_name(realm, target, record.get(f"{target}Ref")))


def _lines(realm, page, record, symbol):
    lines = record.get("Line") or []
    if page.entity == "Payment" or not lines:
        return ""
    expense = page.entity not in ("Invoice", "CreditMemo")
    head = ["#", "Category or item" if expense else "Product/service", "Description"]
    head += ["Customer/job"] if expense else []
    head += ["Class", "Qty", "Rate", "Amount"]
    numeric = {"Qty", "Rate", "Amount"}
    cells = "".join(f'<th{" class=num" if name in numeric else ""}>{escape(name)}</th>' for name in head)
    rows = []
    for position, line in enumerate(lines, 1):
        detail = line.get(line.get("DetailType") or "")
        detail = detail if isinstance(detail, dict) else {}
        if detail.get("ItemRef"):
            what = ref_name(realm, "Item", detail["ItemRef"])
        else:
            what = ref_name(realm, "Account", detail.get("AccountRef"))
        row = [_quantity(line.get("LineNum")) or str(position), what, line.get("Description") or ""]
        if expense:
            row.append(ref_name(realm, "Customer", detail.get("CustomerRef")))
        row.append(ref_name(realm, "Class", detail.get("ClassRef")))
        texts = "".join(f"<td>{escape(value)}</td>" for value in row)
        numbers = [_quantity(detail.get("Qty")), _rate(detail.get("UnitPrice"))]
        numbers.append(_money(line.get("Amount"), symbol))
        texts += "".join(f'<td class="num">{escape(value)}</td>' for value in numbers)
        rows.append(f'<tr id="line-{escape(str(line.get("Id") or position))}">{texts}</tr>')
    return f"<h2>Lines</h2>{_table('lines', cells, rows)}"


def _linked(realm, realm_id, entity, txn_id):
    """(label HTML, rendered record or {}) of a transaction a payment line pays."""
    target = realm["entities"][entity].get(txn_id) if entity in types.TYPES else None
    right = page_of(entity, target) if target is not None else None
    noun = PAGES[right].title if right else str(entity)
    if target is None:
        return escape(f"{noun} {txn_id} (no longer in the company)"), {}
    shown = entities.render(realm, entity, target)
    text = escape(f"{noun} #{shown.get('DocNumber') or txn_id}")
    if right is None:
        return text, shown
    return f'<a href="{escape(link(right, txn_id, realm_id))}">{text}</a>', shown


def _applied(realm, realm_id, record, symbol):
    """A payment's lines: the invoices (or credit memos) each pays, linked to their pages."""
    rows = []
    for line in record.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            entity, txn_id = linked.get("TxnType"), str(linked.get("TxnId"))
            label, shown = _linked(realm, realm_id, entity, txn_id)
            values = [shown.get("TotalAmt"), shown.get("Balance"), line.get("Amount")]
            numbers = "".join(f'<td class="num">{escape(_money(value, symbol))}</td>' for value in values)
            rows.append(
                f'<tr id="paid-{escape(str(entity))}-{escape(txn_id)}"><td>{label}</td>'
                f"<td>{_date(shown.get('TxnDate'))}</td>{numbers}</tr>"
            )
    if not rows:
        return '<h2>Transactions paid</h2><p id="applied">None.</p>'
    head = "<th>Transaction</th><th>Date</th><th class=num>Original amount</th>"
    head += "<th class=num>Open balance</th><th class=num>Payment</th>"
    return f"<h2>Transactions paid</h2>{_table('applied', head, rows)}"


def _payments(realm, realm_id, record, symbol):
    """An invoice's payments received, linked to their pages."""
    received = realm["applied"].get(record["Id"], {})
    rows = []
    for payment_id, amount in received.items():
        payment = realm["entities"]["Payment"].get(payment_id) or {}
        number = payment.get("PaymentRefNum") or payment.get("DocNumber") or payment_id
        href = escape(link("recvpayment", payment_id, realm_id))
        rows.append(
            f'<tr id="payment-{escape(payment_id)}"><td><a href="{href}">Payment #{escape(number)}</a></td>'
            f'<td>{_date(payment.get("TxnDate"))}</td>'
            f'<td class="num">{escape(_money(amount, symbol))}</td></tr>'
        )
    if not rows:
        return ""
    head = "<th>Payment</th><th>Date</th><th class=num>Amount applied</th>"
    return f"<h2>Payments received</h2>{_table('payments', head, rows)}"


def _totals(page, record, symbol):
    rows = [("total", "Amount received" if page.entity == "Payment" else "Total", record.get("TotalAmt"))]
    if page.entity == "Payment":
        rows.append(("unapplied", "Unapplied", record.get("UnappliedAmt")))
    if "Balance" in record:
        rows.append(("balance", BALANCE_LABELS.get(page.entity, "Balance"), record["Balance"]))
    items = "".join(
        f'<dt>{escape(label)}</dt><dd id="{key}">{escape(_money(value, symbol))}</dd>'
        for key, label, value in rows
        if value is not None
    )
    return f'<dl class="totals">{items}</dl>'


def document(realm, realm_id, page, record):
    """The page of one document (``record`` as stored)."""
    etype = types.get(page.entity)
    shown = entities.render(realm, page.entity, record)
    currency = realm["preferences"].get("CurrencyPrefs", {}).get("HomeCurrency", {}).get("value", "USD")
    symbol = "$" if currency == "USD" else f"{currency} "
    number = shown.get("PaymentRefNum") if page.entity == "Payment" else None
    number = number or shown.get("DocNumber")
    status = _status(etype, shown)
    badge = ""
    if status:
        kind = "status voided" if status == "Voided" else "status"
        badge = f' <span class="{kind}" id="status">{escape(status)}</span>'
    heading = f'<span id="doc-type">{escape(page.title)}</span>'
    if number:
        heading += f' #<span id="doc-number">{escape(number)}</span>'
    meta = shown.get("MetaData") or {}
    rows = [
        ("party", page.party, _party(realm, page, shown)),
        ("doc-ref", page.number, escape(number or "")),
        ("txn-date", "Date", _date(shown.get("TxnDate"))),
        ("due-date", "Due date", _date(shown.get("DueDate"))),
        ("payment-type", "Payment type", escape(PAYMENT_TYPES.get(shown.get("PaymentType"), ""))),
        ("payment-account", "Payment account", escape(ref_name(realm, "Account", shown.get("AccountRef")))),
        ("deposit-to", "Deposit to", escape(ref_name(realm, "Account", shown.get("DepositToAccountRef")))),
        ("class", "Class", escape(ref_name(realm, "Class", shown.get("ClassRef")))),
        ("message", "Message", escape((shown.get("CustomerMemo") or {}).get("value") or "")),
        ("memo", "Memo", escape(shown.get("PrivateNote") or "")),
        ("txn-id", "Transaction Id", escape(str(shown["Id"]))),
        ("updated", "Last modified", escape(meta.get("LastUpdatedTime", ""))),
    ]
    body = f"<h1>{heading}{badge}</h1>{_facts(rows)}{_lines(realm, page, shown, symbol)}"
    if page.entity == "Payment":
        body += _applied(realm, realm_id, shown, symbol)
    if page.entity == "Invoice":
        body += _payments(realm, realm_id, shown, symbol)
    body += _totals(page, shown, symbol)
    title = f"{page.title} {number or shown['Id']}{' (voided)' if status == 'Voided' else ''}"
    return _page(title, realm["company"].get("CompanyName"), body)


def render(realms, realm_id, page_name, txn_id):
    """(status, HTML) of ``GET /app/<page_name>?txnId=<txn_id>&realmId=<realm_id>``; the caller
    holds the company's lock when the realm exists."""
    page = PAGES.get(page_name)
    if page is None:
        known = ", ".join(f"/app/{name}" for name in PAGES)
        return error_page(404, "Page not found", f"The sandbox shows documents at {known}.")
    if not txn_id:
        return error_page(400, "Which transaction?", "Add txnId=<the transaction's Id> to the address.")
    if not realm_id:
        choices = "".join(
            f'<li><a href="{escape(link(page_name, txn_id, rid))}">'
            f'{escape(realm["company"].get("CompanyName", rid))}</a>'
            f" <small>(Realm ID {escape(rid)})</small></li>"
            for rid, realm in realms.items()
        )
        message = "Add realmId=<the company's Realm ID> to the address: no one is signed in to the sandbox."
        return error_page(400, "Which company?", message, extra=f'<ul id="companies">{choices}</ul>')
    realm = realms.get(realm_id)
    if realm is None:
        message = f"There is no company with Realm ID {realm_id} in this sandbox."
        return error_page(404, "Company not found", message)
    company = realm["company"].get("CompanyName")
    record = realm["entities"][page.entity].get(txn_id)
    if record is None:
        when = realm["deleted"].get(page.entity, {}).get(txn_id)
        if when is not None:
            message = f"The {page.entity} with Id {txn_id} was deleted on {_moment(when)}."
            return error_page(404, "This transaction was deleted", message, company)
        message = f"There is no {page.title.lower()} with Id {txn_id} in this company."
        return error_page(404, "Transaction not found", message, company)
    if not page.fits(record):
        right = page_of(page.entity, record)
        extra = ""
        if right:
            href = escape(link(right, txn_id, realm_id))
            extra = (
                f'<p>Open it as <a id="right-page" href="{href}">'
                f"{escape(PAGES[right].title.lower())} {escape(txn_id)}</a>.</p>"
            )
        message = f"{page.entity} {txn_id} is not a {page.title.lower()}."
        return error_page(404, "Transaction not found", message, company, extra)
    return document(realm, realm_id, page, record)
