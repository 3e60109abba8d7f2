"""QuickBooks documents to job cost lines, on documents shaped as Intuit's API sends them."""
from decimal import Decimal

import pytest

from chronicle_qbo_addon.services.job_cost import (
    COLLECTED,
    COST,
    DEFAULT_EXCLUSIONS,
    DOC_TYPES,
    INVOICED,
    NO_CLASSES,
    PER_LINE,
    PER_TRANSACTION,
    SKIP_EXCLUDED,
    CostLine,
    class_tracking,
    document_lines,
    document_url,
    exclusion_pattern,
    exclusion_words,
    line_account,
    purchase_type,
)

JOB_A = {"value": "58", "name": "Margaret Hollis - 1001:24-0117 - Water mitigation"}
JOB_B = {"value": "59", "name": "Margaret Hollis - 1001:24-0131 - Drywall rebuild"}
MITIGATION = {"value": "5000000000000000001", "name": "Mitigation"}
CONTENTS = {"value": "5000000000000000004", "name": "Contents"}
DEFAULT = exclusion_pattern(DEFAULT_EXCLUSIONS)


def sales_line(line_id, amount, item="1", klass=None, description=None):
    detail = {"ItemRef": {"value": item, "name": "Water Mitigation"}, "UnitPrice": amount, "Qty": 1,
              "TaxCodeRef": {"value": "NON"}}
    if klass:
        detail["ClassRef"] = klass
    line = {"Id": line_id, "LineNum": int(line_id), "Amount": amount, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": detail}
    if description:
        line["Description"] = description
    return line


def invoice(doc_id="130", lines=None, klass=MITIGATION, customer=JOB_A):
    doc = {
        "Id": doc_id, "SyncToken": "0", "domain": "QBO", "DocNumber": "1037", "TxnDate": "2026-03-02",
        "CustomerRef": customer, "PrivateNote": "Claim 88-1204",
        "Line": lines if lines is not None else [
            sales_line("1", 1250.0, klass=CONTENTS, description="Water extraction, 10 hours"),
            {"Id": "2", "LineNum": 2, "Description": "Three dehumidifiers on site",
             "DetailType": "DescriptionOnly", "DescriptionLineDetail": {}},
            sales_line("3", 480.5),
            {"Amount": 1730.5, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
            {"Amount": 30.5, "DetailType": "DiscountLineDetail",
             "DiscountLineDetail": {"PercentBased": False,
                                    "DiscountAccountRef": {"value": "86", "name": "Discounts"}}},
        ],
        "TxnTaxDetail": {"TotalTax": 0}, "TotalAmt": 1700.0, "Balance": 1700.0,
        "MetaData": {"CreateTime": "2026-03-02T09:12:40-08:00",
                     "LastUpdatedTime": "2026-03-02T09:12:40-08:00"},
    }
    if klass:
        doc["ClassRef"] = klass
    return doc


def expense_line(line_id, amount, job=JOB_A, account="80", klass=None, description=None):
    detail = {"AccountRef": {"value": account, "name": "Job Materials"}, "BillableStatus": "Billable",
              "TaxCodeRef": {"value": "NON"}}
    if job:
        detail["CustomerRef"] = job
    if klass:
        detail["ClassRef"] = klass
    line = {"Id": line_id, "LineNum": int(line_id), "Amount": amount,
            "DetailType": "AccountBasedExpenseLineDetail", "AccountBasedExpenseLineDetail": detail}
    if description:
        line["Description"] = description
    return line


def item_line(line_id, amount, job=JOB_B, item="3"):
    detail = {"ItemRef": {"value": item, "name": "Materials"}, "CustomerRef": job, "UnitPrice": amount / 4,
              "Qty": 4, "BillableStatus": "NotBillable"}
    return {"Id": line_id, "LineNum": int(line_id), "Amount": amount,
            "DetailType": "ItemBasedExpenseLineDetail", "ItemBasedExpenseLineDetail": detail}


def purchase(kind, lines, memo=None, credit=False, doc_id="301"):
    doc = {"Id": doc_id, "SyncToken": "0", "TxnDate": "2026-03-05", "DocNumber": "1044", "PaymentType": kind,
           "AccountRef": {"value": "35" if kind != "CreditCard" else "41", "name": "Checking"},
           "EntityRef": {"value": "57", "name": "Labor Finders Asheville", "type": "Vendor"},
           "Line": lines, "TotalAmt": sum(line["Amount"] for line in lines)}
    if kind == "CreditCard":
        doc["Credit"] = credit
    if memo is not None:
        doc["PrivateNote"] = memo
    return doc


def amounts(result):
    return [line.amount for line in result.lines]


# === sales === #

def test_invoice_lines_count_as_invoiced_on_the_header_job_and_skip_lines_without_money():
    result = document_lines("Invoice", invoice(), PER_LINE)
    assert (result.entity, result.doc_id, result.date) == ("Invoice", "130", "2026-03-02")
    assert not result.deleted
    first, second, discount = result.lines
    assert amounts(result) == [1250.0, 480.5, -30.5], "a discount lowers it; description, subtotal skipped"
    assert {line.kind for line in result.lines} == {INVOICED}
    assert {line.customer_id for line in result.lines} == {"58"}
    assert first == CostLine(entity="Invoice", doc_id="130", line_id="1", kind=INVOICED, doc_type="invoice",
                             amount=1250.0, date="2026-03-02", number="1037", counterpart=JOB_A["name"],
                             customer_id="58", item_id="1", class_id=CONTENTS["value"],
                             memo="Water extraction, 10 hours")
    assert second.memo == "Claim 88-1204", "a line without a description takes the document's note"
    assert discount.account_id == "86" and discount.item_id is None
    assert len({line.key for line in result.lines}) == 3


def test_credit_memo_lines_count_negative():
    memo = dict(invoice("150", [sales_line("1", 200.0), sales_line("2", 45.25)]), DocNumber="CM-12")
    result = document_lines("CreditMemo", memo, PER_LINE)
    assert amounts(result) == [-200.0, -45.25]
    kinds = {(line.kind, line.doc_type, line.number) for line in result.lines}
    assert kinds == {(INVOICED, "credit_memo", "CM-12")}


@pytest.mark.parametrize("tracking, expected", [
    (PER_TRANSACTION, [MITIGATION["value"], MITIGATION["value"]]),
    (PER_LINE, [CONTENTS["value"], None]),
    (None, [CONTENTS["value"], MITIGATION["value"]]),
])
def test_the_class_of_a_sales_line_follows_the_company_s_tracking(tracking, expected):
    doc = invoice(lines=[sales_line("1", 100.0, klass=CONTENTS), sales_line("2", 50.0)])
    assert [line.class_id for line in document_lines("Invoice", doc, tracking).lines] == expected


def test_no_class_tracking_and_no_classes_gives_lines_without_class():
    doc = invoice(lines=[sales_line("1", 100.0)], klass=None)
    assert [line.class_id for line in document_lines("Invoice", doc, NO_CLASSES).lines] == [None]


@pytest.mark.parametrize("prefs, expected", [
    ({"AccountingInfoPrefs": {"ClassTrackingPerTxn": True, "ClassTrackingPerTxnLine": False}},
     PER_TRANSACTION),
    ({"AccountingInfoPrefs": {"ClassTrackingPerTxn": False, "ClassTrackingPerTxnLine": True}}, PER_LINE),
    ({"AccountingInfoPrefs": {"ClassTrackingPerTxn": False, "ClassTrackingPerTxnLine": False}}, NO_CLASSES),
    ({"AccountingInfoPrefs": {"TrackDepartments": True}}, NO_CLASSES),
    ({}, NO_CLASSES),
    (None, NO_CLASSES),
])
def test_class_tracking_is_read_from_preferences(prefs, expected):
    assert class_tracking(prefs) == expected


# === payments === #

def payment(lines, total, doc_id="140"):
    return {"Id": doc_id, "SyncToken": "0", "TxnDate": "2026-03-10", "CustomerRef": JOB_A, "TotalAmt": total,
            "UnappliedAmt": 0, "PaymentRefNum": "4521", "DepositToAccountRef": {"value": "35"},
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": txn, "TxnType": kind}],
                      "LineEx": {"any": [{"name": "{http://schema.intuit.com/finance/v3}NameValue",
                                          "value": {"Name": "txnId", "Value": txn}}]}}
                     for txn, kind, amount in lines]}


def test_a_payment_line_collects_for_the_invoice_it_pays():
    result = document_lines("Payment", payment([("130", "Invoice", 1700.0)], 1700.0))
    [line] = result.lines
    assert (line.kind, line.doc_type, line.amount, line.invoice_id, line.number) == (
        COLLECTED, "payment", 1700.0, "130", "4521")
    assert line.customer_id == "58", "the payer is kept for invoices the host does not know"


def test_credit_memos_a_payment_applies_are_taken_off_its_invoices_pro_rata():
    doc = payment([("130", "Invoice", 100.0), ("131", "Invoice", 50.0), ("150", "CreditMemo", 10.0)], 140.0)
    result = document_lines("Payment", doc)
    assert [(line.invoice_id, line.amount) for line in result.lines] == [("130", 93.33), ("131", 46.67)]
    assert len({line.key for line in result.lines}) == 2


def test_pro_rata_shares_add_up_to_the_cash_to_the_cent():
    doc = payment([("130", "Invoice", 10.0), ("131", "Invoice", 10.0), ("132", "Invoice", 10.0),
                   ("150", "CreditMemo", 0.01)], 29.99)
    result = document_lines("Payment", doc)
    assert sum(Decimal(str(amount)) for amount in amounts(result)) == Decimal("29.99")
    assert amounts(result) == [10.0, 10.0, 9.99]


def test_a_payment_made_only_of_credit_collects_nothing():
    doc = payment([("130", "Invoice", 25.0), ("150", "CreditMemo", 25.0)], 0)
    assert amounts(document_lines("Payment", doc)) == [0.0]


def test_a_voided_payment_collects_nothing():
    voided = dict(payment([("130", "Invoice", 100.0)], 0), PrivateNote="Voided")
    del voided["Line"]
    assert document_lines("Payment", voided).lines == []
    zeroed = payment([("130", "Invoice", 0)], 0)
    assert amounts(document_lines("Payment", zeroed)) == [0.0]


# === costs === #

def test_bill_lines_land_on_their_own_jobs_with_account_or_item():
    bill = {"Id": "201", "SyncToken": "1", "TxnDate": "2026-03-04", "DocNumber": "INV-88213",
            "VendorRef": {"value": "56", "name": "Ferguson Plumbing Supply"},
            "APAccountRef": {"value": "33", "name": "Accounts Payable (A/P)"},
            "Line": [expense_line("1", 412.18, klass=MITIGATION, description="PEX and fittings"),
                     item_line("2", 330.0)],
            "TotalAmt": 742.18, "Balance": 742.18}
    result = document_lines("Bill", bill, PER_TRANSACTION)
    by_account, by_item = result.lines
    assert (by_account.customer_id, by_account.account_id, by_account.item_id, by_account.class_id) == (
        "58", "80", None, MITIGATION["value"]), "an expense line keeps its class whatever sales forms do"
    assert (by_item.customer_id, by_item.account_id, by_item.item_id, by_item.class_id) == (
        "59", None, "3", None)
    assert {(line.kind, line.doc_type, line.counterpart, line.number) for line in result.lines} == {
        (COST, "bill", "Ferguson Plumbing Supply", "INV-88213")}
    assert amounts(result) == [412.18, 330.0]
    assert by_account.memo == "PEX and fittings"


def test_expense_lines_without_a_customer_are_kept_without_a_job():
    bill = {"Id": "202", "TxnDate": "2026-03-04", "VendorRef": {"value": "56"},
            "Line": [expense_line("1", 75.0, job=None), expense_line("2", 25.0)]}
    assert [line.customer_id for line in document_lines("Bill", bill).lines] == [None, "58"]


@pytest.mark.parametrize("kind, credit, doc_type, sign", [
    ("Check", False, "check", 1), ("Cash", False, "cash", 1),
    ("CreditCard", False, "card_charge", 1), ("CreditCard", True, "card_credit", -1),
])
def test_purchases_by_payment_type(kind, credit, doc_type, sign):
    doc = purchase(kind, [expense_line("1", 120.0), item_line("2", 80.0)], memo="Job supplies", credit=credit)
    assert purchase_type(doc) == doc_type
    result = document_lines("Purchase", doc, exclusions=DEFAULT)
    assert amounts(result) == [sign * 120.0, sign * 80.0]
    assert {(line.doc_type, line.counterpart, line.kind) for line in result.lines} == {
        (doc_type, "Labor Finders Asheville", COST)}


def test_a_purchase_without_payment_type_is_cash():
    assert purchase_type({"Id": "1"}) == "cash"


def test_vendor_credit_lines_count_negative():
    credit = {"Id": "401", "TxnDate": "2026-03-09",
              "VendorRef": {"value": "56", "name": "Ferguson Plumbing Supply"},
              "Line": [expense_line("1", 60.0), item_line("2", 12.5)], "TotalAmt": 72.5}
    result = document_lines("VendorCredit", credit)
    assert amounts(result) == [-60.0, -12.5]
    assert {line.doc_type for line in result.lines} == {"vendor_credit"}


def test_a_voided_document_keeps_its_lines_at_zero():
    voided = invoice(lines=[sales_line("1", 0), sales_line("2", 0)])
    voided["PrivateNote"], voided["TotalAmt"] = "Voided - Claim 88-1204", 0
    result = document_lines("Invoice", voided, PER_LINE)
    assert [(line.line_id, line.amount) for line in result.lines] == [("1", 0.0), ("2", 0.0)]


@pytest.mark.parametrize("entity", ["Invoice", "CreditMemo", "Payment", "Bill", "Purchase", "VendorCredit"])
def test_a_deleted_document_has_no_lines(entity):
    result = document_lines(entity, {"Id": "5", "status": "Deleted"})
    assert (result.doc_id, result.deleted, result.lines) == ("5", True, [])
    with_meta = {"Id": 5, "status": "Deleted", "domain": "QBO",
                 "MetaData": {"LastUpdatedTime": "2026-03-09T10:00:00-08:00"}}
    assert document_lines(entity, with_meta).deleted and document_lines(entity, with_meta).doc_id == "5"


def test_other_entities_are_refused():
    with pytest.raises(ValueError):
        document_lines("Estimate", {"Id": "1"})


# === exclusions === #

def test_exclusion_words_from_a_setting():
    assert exclusion_words("REFUND, IGNORE\nTEMP LABOR\n\n ,") == ("REFUND", "IGNORE", "TEMP LABOR")
    assert exclusion_words("") == () and exclusion_words(None) == ()
    assert exclusion_pattern([]) is None and exclusion_pattern(["  "]) is None


@pytest.mark.parametrize("memo, excluded", [
    ("REFUND", True), ("Refund to homeowner, claim 88-1204", True), ("ignore - duplicate", True),
    ("TEMP LABOR week 12", True), ("temp    labor", True), ("Temp\tLabor", True), ("REFUND-1044", True),
    ("Temporary labor", False), ("refunded deposit", False), ("NONREFUNDABLE deposit", False),
    ("TEMPLABOR", False), ("", False),
])
def test_a_check_whose_memo_holds_an_exclusion_word_is_skipped_whole(memo, excluded):
    doc = purchase("Check", [expense_line("1", 400.0), expense_line("2", 100.0, job=JOB_B)], memo=memo)
    result = document_lines("Purchase", doc, exclusions=DEFAULT)
    assert (result.lines == []) is excluded
    assert result.skipped[SKIP_EXCLUDED] == (2 if excluded else 0)


def test_only_checks_are_excluded():
    for kind in ("CreditCard", "Cash"):
        doc = purchase(kind, [expense_line("1", 400.0)], memo="REFUND")
        assert amounts(document_lines("Purchase", doc, exclusions=DEFAULT)) == [400.0]
    bill = {"Id": "203", "TxnDate": "2026-03-04", "VendorRef": {"value": "56"}, "PrivateNote": "IGNORE",
            "Line": [expense_line("1", 10.0)]}
    assert amounts(document_lines("Bill", bill, exclusions=DEFAULT)) == [10.0]


def test_no_exclusions_keeps_every_check():
    doc = purchase("Check", [expense_line("1", 400.0)], memo="REFUND")
    assert amounts(document_lines("Purchase", doc, exclusions=None)) == [400.0]


def test_custom_exclusion_words():
    pattern = exclusion_pattern(exclusion_words("Owner draw\nC.O.D."))
    assert pattern.search("owner   DRAW march") and pattern.search("paid c.o.d.")
    assert not pattern.search("COD") and not pattern.search("owner drawing")


# === accounts and links === #

def test_line_account_falls_back_to_the_item_s_expense_account():
    bill = {"Id": "9", "Line": [expense_line("1", 1.0), item_line("2", 2.0)]}
    [by_account, by_item] = document_lines("Bill", bill).lines
    accounts = {"3": "81"}
    assert line_account(by_account, accounts) == "80"
    assert line_account(by_item, accounts) == "81"
    assert line_account(by_item, {}) is None


@pytest.mark.parametrize("doc_type, path", [
    ("invoice", "invoice"), ("credit_memo", "creditmemo"), ("payment", "recvpayment"), ("bill", "bill"),
    ("check", "check"), ("cash", "expense"), ("card_charge", "expense"), ("card_credit", "creditcardcredit"),
    ("vendor_credit", "vendorcredit"),
])
def test_document_url(doc_type, path):
    assert document_url(doc_type, "130") == "https://app.qbo.intuit.com/app/%s?txnId=130" % path
    sandbox_url = "https://app.sandbox.qbo.intuit.com/app/%s?txnId=7" % path
    assert document_url(doc_type, 7, sandbox=True) == sandbox_url


def test_every_document_type_has_a_name_and_a_page():
    assert all(label and page for label, page in DOC_TYPES.values())


def test_a_bundle_lands_as_its_own_lines():
    bundle = {"Id": "1", "LineNum": 1, "Amount": 300.0, "DetailType": "GroupLineDetail",
              "GroupLineDetail": {"GroupItemRef": {"value": "19", "name": "Dry-out package"}, "Quantity": 1,
                                  "Line": [sales_line("2", 200.0), sales_line("3", 100.0)]}}
    discount = {"Amount": 10.0, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {"PercentBased": False}}
    lines = document_lines("Invoice", invoice(lines=[bundle, discount]), PER_TRANSACTION).lines
    assert [(line.line_id, line.amount) for line in lines] == [("1.2", 200.0), ("1.3", 100.0), ("p2", -10.0)]


def test_lines_without_an_id_each_get_their_own_key():
    discounts = [{"Amount": amount, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {}}
                 for amount in (10.0, 5.0)]
    lines = document_lines("Invoice", invoice(lines=[sales_line("1", 100.0)] + discounts), PER_LINE).lines
    assert len({line.key for line in lines}) == 3


def test_without_class_tracking_a_stray_class_is_not_taken():
    sales = document_lines("Invoice", invoice(), NO_CLASSES).lines
    bill = {"Id": "7", "TxnDate": "2026-03-02", "Line": [expense_line("1", 50.0, klass=MITIGATION)]}
    costs = document_lines("Bill", bill, NO_CLASSES).lines
    assert {line.class_id for line in sales + costs} == {None}


def test_a_local_sandbox_document_opens_on_the_sandbox_itself():
    url = document_url("check", "41", local_base_url="http://127.0.0.1:8765/", realm_id="9341453050298551")
    assert url == "http://127.0.0.1:8765/app/check?txnId=41&realmId=9341453050298551"
