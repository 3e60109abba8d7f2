"""What QBO computes on transactions, and what voiding one does.

- TotalAmt is the sum of the Amounts of the lines that carry one (a DescriptionOnly line
  does not), rounded to the cent; a Payment's TotalAmt is what the customer paid, and its
  UnappliedAmt what its lines leave unapplied.
- An Invoice's Balance is its TotalAmt less what Payment lines apply to it through
  ``LinkedTxn`` [{TxnId, TxnType: "Invoice"}]; it is derived on each read from an index of
  applied amounts kept in the realm (``applied``: invoice Id -> payment Id -> amount), so
  paying, changing, voiding or deleting a payment moves it at once. A Bill's and a credit
  memo's Balance is their total; a sales or refund receipt is settled on the spot (0).
- Voiding keeps the document with its amounts and quantities at 0 (a Payment loses its
  lines) and "Voided" at the head of PrivateNote.
"""

from decimal import ROUND_HALF_UP, Decimal

from . import errors
from .clock import qbo_date

CENT = Decimal("0.01")
DETAILS_WITH_QTY = ("SalesItemLineDetail", "ItemBasedExpenseLineDetail")


def money(amounts):
    """The sum of ``amounts`` to the cent, as QBO shows amounts (a JSON number)."""
    total = sum((Decimal(str(amount)) for amount in amounts), Decimal(0))
    return float(total.quantize(CENT, rounding=ROUND_HALF_UP))


def _dated(record, now):
    """A transaction sent without a date is dated today, in the company's time zone."""
    record.setdefault("TxnDate", qbo_date(now))


def _number_lines(record):
    """Lines get an Id (new ones after the highest) and their position as LineNum."""
    lines = record.get("Line", [])
    taken = [int(line["Id"]) for line in lines if str(line.get("Id", "")).isdigit()]
    next_id = max(taken, default=0) + 1
    for position, line in enumerate(lines, 1):
        if not line.get("Id"):
            line["Id"] = str(next_id)
            next_id += 1
        if not line.get("LineNum") or line["LineNum"] < 1:
            line["LineNum"] = position


def _line_total(etype, record):
    lines = etype.fields["Line"]
    return money(line["Amount"] for line in record.get("Line", []) if lines.counted(line))


def totals(balance=None):
    """The on_write hook of a transaction whose lines make its total. ``balance``: None (no
    Balance member, or one derived on read), "total" or "settled" (always 0)."""

    def on_write(realm, etype, record, existing, now):
        _dated(record, now)
        _number_lines(record)
        record["TotalAmt"] = _line_total(etype, record)
        if balance == "total":
            record["Balance"] = record["TotalAmt"]
        elif balance == "settled":
            record["Balance"] = 0

    return on_write


# ---------------------------------------------------------------- payments and invoices


def _applied(record):
    """{invoice Id: amount} a payment applies: each line to the first invoice it links."""
    amounts = {}
    for line in record.get("Line", []):
        links = line.get("LinkedTxn", [])
        invoice = next((link["TxnId"] for link in links if link.get("TxnType") == "Invoice"), None)
        if invoice:
            amounts[invoice] = money([amounts.get(invoice, 0), line["Amount"]])
    return amounts


def payment_write(realm, etype, record, existing, now):
    _dated(record, now)
    invoices = realm["entities"]["Invoice"]
    for invoice_id in _applied(record):
        if invoice_id not in invoices:
            raise errors.invalid_reference("LinkedTxn.TxnId", invoice_id)
    applied = money(line["Amount"] for line in record.get("Line", []))
    record["UnappliedAmt"] = money([record["TotalAmt"], -applied])


def _unapply(realm, payment_id, payment):
    for invoice_id in _applied(payment):
        by_payment = realm["applied"].get(invoice_id, {})
        by_payment.pop(payment_id, None)
        if not by_payment:
            realm["applied"].pop(invoice_id, None)


def payment_stored(realm, etype, record, existing, now):
    if existing is not None:
        _unapply(realm, existing["Id"], existing)
    for invoice_id, amount in _applied(record).items():
        realm["applied"].setdefault(invoice_id, {})[record["Id"]] = amount


def payment_deleted(realm, etype, record, now):
    _unapply(realm, record["Id"], record)


def render_invoice(realm, etype, record, out):
    paid = realm["applied"].get(record["Id"], {}).values()
    out["Balance"] = money([record["TotalAmt"], -money(paid)])


# ---------------------------------------------------------------- void


def zero_amounts(record):
    """Void a sales form: every line kept, its Amount and quantity 0 (totals follow)."""
    for line in record.get("Line", []):
        if "Amount" in line:
            line["Amount"] = 0
        for member in DETAILS_WITH_QTY:
            if "Qty" in line.get(member, {}):
                line[member]["Qty"] = 0


def clear_payment(record):
    """Void a payment: no lines, nothing received, so nothing applied to any invoice."""
    record.pop("Line", None)
    record["TotalAmt"] = 0


def time_activity_write(realm, etype, record, existing, now):
    """A time activity is an employee's or a vendor's, as NameOf says, and has a date."""
    _dated(record, now)
    worker = f"{record['NameOf']}Ref"
    if worker not in record:
        raise errors.required_missing(worker)
