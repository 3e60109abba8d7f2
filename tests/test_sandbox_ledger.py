"""The documents the seeded companies start with, read back through the API as a client reads
them: the totals and balances QBO computes, payments linking the invoices they pay, each
cost on its own job, classes where each company's preference puts them, and the documents of
the last 30 days in change data capture."""

from datetime import datetime, timedelta, timezone

import pytest
from quickbooks.objects.payment import Payment
from quickbooks.objects.preferences import Preferences

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_COASTAL, REALM_SUMMIT, ledger
from qbo_sandbox.clock import qbo_date

BOOKS = {REALM_BLUE_RIDGE: ledger.BLUE_RIDGE, REALM_COASTAL: ledger.COASTAL}
DOCUMENT_TYPES = ("Invoice", "CreditMemo", "Payment", "Bill", "Purchase", "VendorCredit")
EXPENSE_DETAILS = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
DAY = 86400


def read_all(qb, entity):
    return qb.query(f"SELECT * FROM {entity} MAXRESULTS 1000")["QueryResponse"].get(entity, [])


def number_of(entity, doc):
    """How a seeded document is told apart: its DocNumber, a payment's PaymentRefNum."""
    return doc["PaymentRefNum"] if entity == "Payment" else doc["DocNumber"]


def papers(documents):
    """The seeded documents other than time activities (see test_sandbox_time)."""
    return [doc for doc in documents if doc.entity in DOCUMENT_TYPES]


def by_number(qb):
    return {
        entity: {number_of(entity, doc): doc for doc in read_all(qb, entity)} for entity in DOCUMENT_TYPES
    }


def names_by_id(qb, entity):
    active = "Active IN (true, false)" if entity == "Customer" else "Active = true"
    rows = qb.query(f"SELECT * FROM {entity} WHERE {active} MAXRESULTS 1000")["QueryResponse"][entity]
    return {row["Id"]: row.get("DisplayName", row.get("FullyQualifiedName")) for row in rows}


@pytest.fixture(params=sorted(BOOKS))
def company(request, sandbox_connect):
    """(realm id, python-quickbooks client, seeded documents) of each company with a ledger."""
    return request.param, sandbox_connect(request.param), BOOKS[request.param]


def test_every_seeded_document_is_there_with_the_totals_qbo_computes(sandbox, company):
    realm_id, qb, documents = company
    read = by_number(qb)
    expected = {entity: {doc.number for doc in documents if doc.entity == entity}
                for entity in DOCUMENT_TYPES}
    assert {entity: set(docs) for entity, docs in read.items()} == expected
    balances = ledger.balances(documents)
    now = sandbox.control.now()["now"]
    for doc in papers(documents):
        got = read[doc.entity][doc.number]
        assert got["TotalAmt"] == doc.total, doc
        assert qbo_date(now - 100 * DAY) <= got["TxnDate"] < qbo_date(now)
        if doc.entity == "Invoice":
            assert got["Balance"] == balances[doc.number], doc.number
            assert got["DueDate"] > got["TxnDate"]
        elif doc.entity in ("CreditMemo", "Bill"):
            assert got["Balance"] == doc.total
        elif doc.entity == "Payment":
            assert got["UnappliedAmt"] == 0
        if doc.entity != "Payment":
            assert [line["Amount"] for line in got["Line"]] == [line.amount for line in doc.lines]


def test_blue_ridge_figures_as_worked_out_by_hand():
    totals = ledger.totals(ledger.BLUE_RIDGE)
    assert totals[ledger.KITCHEN] == (3500, 0, 3500, 650)
    assert totals[ledger.UNIT_4B] == (1500, 100, 1000, 1290)
    assert totals[ledger.ROOF] == (2600, 0, 0, 1590), "the refund check counts: QBO holds it on the job"
    assert totals[ledger.CABINETS] == (800, 0, 800, 0)
    assert totals[ledger.INSURER] == (750, 0, 0, 200)
    assert totals[None] == (0, 0, 0, 80), "overhead"
    assert ledger.balances(ledger.BLUE_RIDGE) == {
        "1001": 0, "1002": 500, "1004": 2000, "1005": 0, "1006": 0, "1007": 750, "1008": 600}
    assert ledger.totals(ledger.COASTAL) == {
        ledger.TRADD: (1700, 0, 1200, 550), ledger.PACK_BACK: (1000, 0, 0, 580)}


def test_totals_per_job_from_what_qbo_sends_match_the_description(company):
    _, qb, documents = company
    customers = names_by_id(qb, "Customer")
    read = by_number(qb)
    sums = {}

    def add(customer_id, column, amount):
        row = sums.setdefault(customers.get(customer_id), [0, 0, 0, 0])
        row[column] += amount

    invoice_job = {doc["Id"]: doc["CustomerRef"]["value"] for doc in read["Invoice"].values()}
    for column, entity in enumerate(("Invoice", "CreditMemo")):
        for doc in read[entity].values():
            add(doc["CustomerRef"]["value"], column, doc["TotalAmt"])
    for payment in read["Payment"].values():
        for line in payment["Line"]:
            add(invoice_job[line["LinkedTxn"][0]["TxnId"]], 2, line["Amount"])
    for entity in ("Bill", "Purchase", "VendorCredit"):
        for doc in read[entity].values():
            sign = -1 if entity == "VendorCredit" or doc.get("Credit") else 1
            for line in doc["Line"]:
                detail = line[line["DetailType"]]
                add((detail.get("CustomerRef") or {}).get("value"), 3, sign * line["Amount"])
    assert {name: tuple(row) for name, row in sums.items()} == ledger.totals(documents)


def test_payments_link_the_invoices_they_pay(company):
    _, qb, documents = company
    invoices = {doc["Id"]: doc for doc in read_all(qb, "Invoice")}
    customers = {row["Id"]: row for row in read_all(qb, "Customer")}
    payments = {payment.PaymentRefNum: payment for payment in Payment.all(qb=qb)}
    for doc in (doc for doc in documents if doc.entity == "Payment"):
        payment = payments[doc.number]
        assert payment.TotalAmt == doc.total and payment.DepositToAccountRef.name == "Checking"
        links = [(line.LinkedTxn[0].TxnType, line.LinkedTxn[0].TxnId, line.Amount) for line in payment.Line]
        assert all(kind == "Invoice" for kind, _, _ in links)
        assert [(invoices[txn]["DocNumber"], amount) for _, txn, amount in links] == list(doc.applied)
        for _, txn, _ in links:
            job = invoices[txn]["CustomerRef"]["value"]
            assert payment.CustomerRef.value in (job, customers[job].get("ParentRef", {}).get("value"))
    if documents is ledger.BLUE_RIDGE:
        (both,) = [payment for payment in payments.values() if len(payment.Line) == 2]
        assert customers[both.CustomerRef.value]["DisplayName"] == ledger.HOLLIS, "the parent pays"
        paid_jobs = {invoices[line.LinkedTxn[0].TxnId]["CustomerRef"]["name"] for line in both.Line}
        assert paid_jobs == {ledger.KITCHEN, ledger.CABINETS}, "two invoices of two different jobs"


def test_each_cost_line_carries_its_job_class_account_and_billable_status(company):
    _, qb, documents = company
    read = by_number(qb)
    classes = names_by_id(qb, "Class")
    for doc in (doc for doc in documents if isinstance(doc, ledger.Expense)):
        got = read[doc.entity][doc.number]
        for line, spent in zip(got["Line"], doc.lines):
            detail = line[line["DetailType"]]
            assert line["DetailType"] == EXPENSE_DETAILS[1 if spent.item else 0]
            assert (detail.get("CustomerRef") or {}).get("name") == spent.customer
            class_name = classes.get((detail.get("ClassRef") or {}).get("value"))
            assert (class_name and class_name.split(":")[-1]) == spent.cls, "a sub-class shows its full name"
            target = detail["ItemRef"] if spent.item else detail["AccountRef"]
            assert target["name"].split(":")[-1] == (spent.item or spent.account)
            billable = spent.customer and spent.billable
            assert detail["BillableStatus"] == ("Billable" if billable else "NotBillable")
        assert got.get("PrivateNote") == doc.note
        if doc.entity == "Purchase":
            assert got["PaymentType"] == doc.payment_type
            assert got["AccountRef"]["name"] == ledger.PAID_FROM[doc.payment_type]
            assert got.get("Credit", False) is doc.credit


def test_blue_ridge_costs_cover_the_cases_the_bridge_must_handle(qb):
    read = by_number(qb)
    memos = {doc.get("PrivateNote") for doc in read["Purchase"].values() if doc["PaymentType"] == "Check"}
    assert {"REFUND deposit overpayment", "Temp labor week 32"} <= memos
    refund = next(doc for doc in read["Purchase"].values() if doc.get("PrivateNote", "").startswith("REFUND"))
    assert refund["EntityRef"]["type"] == "Customer"
    (card_credit,) = [doc for doc in read["Purchase"].values() if doc.get("Credit")]
    assert card_credit["AccountRef"]["name"] == "Company Visa" and card_credit["PaymentType"] == "CreditCard"
    jobs_of = {number: {line[line["DetailType"]].get("CustomerRef", {}).get("name") for line in bill["Line"]}
               for number, bill in read["Bill"].items()}
    assert jobs_of["SR-20417"] == {ledger.KITCHEN, ledger.UNIT_4B}, "one bill, two jobs"
    assert jobs_of["HD-5521"] == {ledger.INSURER, None}, "a customer without jobs, and overhead"
    assert read["VendorCredit"]["FPS-CR-77"]["TotalAmt"] == 50


def test_class_placement_follows_each_company_preference(sandbox_connect):
    for realm_id, per_txn in ((REALM_BLUE_RIDGE, True), (REALM_COASTAL, False)):
        qb = sandbox_connect(realm_id)
        prefs = Preferences.get(qb=qb).AccountingInfoPrefs
        assert (prefs.ClassTrackingPerTxn, prefs.ClassTrackingPerTxnLine) == (per_txn, not per_txn)
        read = by_number(qb)
        for doc in (doc for doc in BOOKS[realm_id] if isinstance(doc, ledger.Sale)):
            got = read[doc.entity][doc.number]
            details = [line["SalesItemLineDetail"] for line in got["Line"]]
            line_classes = [detail.get("ClassRef", {}).get("name") for detail in details]
            header = got.get("ClassRef", {}).get("name")
            wanted = [sold.cls for sold in doc.lines]
            if per_txn:
                assert line_classes == [None] * len(wanted), "no class on the lines"
                assert {header and header.split(":")[-1]} == set(wanted), "the lines' one class"
            else:
                assert header is None, "no class on the header"
                assert [name and name.split(":")[-1] for name in line_classes] == wanted
    blue_ridge = [doc for doc in ledger.BLUE_RIDGE if isinstance(doc, ledger.Sale)]
    assert [doc.number for doc in blue_ridge if not doc.lines[0].cls] == ["1004"], "one invoice has no class"
    coastal = [sold for doc in ledger.COASTAL if isinstance(doc, ledger.Sale) for sold in doc.lines]
    assert sum(sold.cls is None for sold in coastal) == 1, "one Coastal line has no class"


def test_summit_tracks_no_classes_and_has_no_documents(sandbox_connect):
    qb = sandbox_connect(REALM_SUMMIT)
    prefs = Preferences.get(qb=qb).AccountingInfoPrefs
    assert (prefs.ClassTrackingPerTxn, prefs.ClassTrackingPerTxnLine) == (False, False)
    assert read_all(qb, "Class") == []
    assert all(read_all(qb, entity) == [] for entity in DOCUMENT_TYPES)


def test_change_data_capture_returns_the_documents_of_the_last_30_days(sandbox, company):
    _, qb, documents = company
    now = datetime.fromtimestamp(sandbox.control.now()["now"], timezone.utc)
    since = (now - timedelta(days=29)).isoformat(timespec="seconds")
    answer = qb.change_data_capture(",".join(DOCUMENT_TYPES), since)["CDCResponse"][0]["QueryResponse"]
    got = {entity: {number_of(entity, doc) for doc in block.get(entity, [])}
           for entity, block in zip(DOCUMENT_TYPES, answer)}
    recent = {entity: {doc.number for doc in documents if doc.entity == entity and doc.days < 29}
              for entity in DOCUMENT_TYPES}
    assert got == recent
    assert sum(map(len, recent.values())) >= 3 and len([kind for kind in recent if recent[kind]]) >= 2
    older = {doc.number for doc in papers(documents) if doc.days > 29}
    assert older and not older & set().union(*got.values()), "older documents only a query finds"
