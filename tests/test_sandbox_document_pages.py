"""The sandbox's read-only document pages, ``GET /app/<page>?txnId=<Id>&realmId=<realm>``, where
the bridge's Job Cost links open for a company connected to the sandbox: documents made through
the Accounting API show as a person recognizes them, every value escaped; voided ones say so;
deleted, unknown and mismatched ones answer 404; none of it is a metered read."""

from html.parser import HTMLParser

import pytest
import requests

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_SUMMIT
from qbo_sandbox.consent import Page

# Seeded in Blue Ridge: customer 1 "Margaret Hollis - 1001" and its job 2; vendor 1 "Ferguson
# Plumbing Supply"; items 1 "Water Mitigation" and 3 "Materials"; accounts 1 Checking, 2 Company
# Visa, 4 Job Materials; class 1 "Mitigation".
JOB = "2"
JOB_FULL_NAME = "Margaret Hollis - 1001:24-0117 - Water mitigation, kitchen supply line"
HOSTILE = '<img src=x onerror="alert(1)"> & Co'


class Api:
    """Raw Accounting API calls of one company, with a token from the control API."""

    def __init__(self, sandbox, realm_id):
        self.base = f"{sandbox.url}/v3/company/{realm_id}"
        token = sandbox.control.connect(realm_id)["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def post(self, entity, body, **params):
        response = requests.post(
            f"{self.base}/{entity.lower()}", json=body, params=params, headers=self.headers, timeout=10
        )
        assert response.status_code == 200, response.text
        return response.json()[entity]


def open_page(sandbox, page, txn_id, realm_id=REALM_BLUE_RIDGE, **params):
    query = {"txnId": txn_id, "realmId": realm_id, **params}
    response = requests.get(f"{sandbox.url}/app/{page}", params=query, timeout=10)
    return response, Page(response.text)


def shown(parsed, element_id):
    return " ".join(parsed.by_id.get(element_id, "").split())


class Rows(HTMLParser):
    """Table rows by id: the text of each cell, empty cells dropped."""

    def __init__(self, text):
        super().__init__()
        self.rows, self._row, self._cell = {}, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = self.rows.setdefault(dict(attrs).get("id"), [])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if text:
                self._row.append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def row(response, row_id):
    return " | ".join(Rows(response.text).rows.get(row_id, []))


@pytest.fixture
def api(sandbox):
    return Api(sandbox, REALM_BLUE_RIDGE)


def ref(value, **extra):
    return dict({"value": value}, **extra)


def sales_line(amount, qty, item="1", description=None, class_id=None):
    detail = {"ItemRef": ref(item), "Qty": qty, "UnitPrice": amount / qty}
    if class_id:
        detail["ClassRef"] = ref(class_id)
    line = {"DetailType": "SalesItemLineDetail", "Amount": amount, "SalesItemLineDetail": detail}
    if description:
        line["Description"] = description
    return line


def account_line(amount, account="4", job=JOB, class_id=None, description=None):
    detail = {"AccountRef": ref(account), "CustomerRef": ref(job), "BillableStatus": "Billable"}
    if class_id:
        detail["ClassRef"] = ref(class_id)
    line = {"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount}
    line["AccountBasedExpenseLineDetail"] = detail
    if description:
        line["Description"] = description
    return line


def item_line(amount, qty, item="3", job=JOB):
    detail = {"ItemRef": ref(item), "CustomerRef": ref(job), "Qty": qty, "UnitPrice": amount / qty}
    kind = "ItemBasedExpenseLineDetail"
    return {"DetailType": kind, "Amount": amount, kind: detail}


def purchase(api, payment_type, number, credit=None, account="2"):
    body = {
        "PaymentType": payment_type,
        "AccountRef": ref(account),
        "EntityRef": ref("1", type="Vendor"),
        "DocNumber": number,
        "TxnDate": "2024-05-03",
        "Line": [account_line(80.0, class_id="1", description="Dehumidifier rental")],
    }
    if credit is not None:
        body["Credit"] = credit
    return api.post("Purchase", body)


def test_invoice_page_shows_the_document_with_every_value_escaped(sandbox, api):
    parent = api.post("Customer", {"DisplayName": "Oak & Ash <Holdings>"})
    job = api.post(
        "Customer", {"DisplayName": '24-0300 - Roof "leak"', "Job": True, "ParentRef": ref(parent["Id"])}
    )
    invoice = api.post(
        "Invoice",
        {
            "CustomerRef": ref(job["Id"]),
            "DocNumber": "INV-<7>&",
            "TxnDate": "2024-05-01",
            "DueDate": "2024-05-31",
            "PrivateNote": HOSTILE,
            "CustomerMemo": {"value": "Thanks <b>again</b>"},
            "Line": [
                sales_line(37.5, 3, description=HOSTILE, class_id="1"),
                sales_line(100.0, 1, item="3"),
                {"DetailType": "DescriptionOnly", "Description": "Crew of two", "DescriptionLineDetail": {}},
            ],
        },
    )
    response, page = open_page(sandbox, "invoice", invoice["Id"])
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "<img" not in response.text and "<b>again" not in response.text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in response.text
    assert "Oak &amp; Ash &lt;Holdings&gt;:24-0300 - Roof &quot;leak&quot;" in response.text
    assert shown(page, "company-name") == "Blue Ridge Restoration LLC"
    assert shown(page, "doc-type") == "Invoice" and shown(page, "doc-number") == "INV-<7>&"
    assert shown(page, "party") == 'Oak & Ash <Holdings>:24-0300 - Roof "leak"'
    assert shown(page, "txn-date") == "05/01/2024" and shown(page, "due-date") == "05/31/2024"
    assert shown(page, "memo") == HOSTILE and shown(page, "message") == "Thanks <b>again</b>"
    first = row(response, "line-1")
    assert first == f"1 | Water Mitigation | {HOSTILE} | Mitigation | 3 | 12.50 | $37.50"
    assert row(response, "line-2") == "2 | Materials | 1 | 100.00 | $100.00"
    assert row(response, "line-3") == "3 | Crew of two"
    assert shown(page, "total") == "$137.50" and shown(page, "balance") == "$137.50"
    assert shown(page, "status") == "Open"
    assert "no sign-in" in shown(page, "sandbox-footer") and "loopback" in shown(page, "sandbox-footer")


def test_payment_page_lists_the_invoices_it_pays(sandbox, api):
    invoice = {"CustomerRef": ref(JOB), "DocNumber": "7001", "TxnDate": "2024-05-20"}
    invoice = api.post("Invoice", dict(invoice, Line=[sales_line(300.0, 1)]))
    payment = api.post(
        "Payment",
        {
            "CustomerRef": ref(JOB),
            "TotalAmt": 250.0,
            "PaymentRefNum": "CHK-88",
            "TxnDate": "2024-06-01",
            "DepositToAccountRef": ref("1"),
            "PrivateNote": "Deposit <partial>",
            "Line": [{"Amount": 200.0, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    response, page = open_page(sandbox, "recvpayment", payment["Id"])
    assert response.status_code == 200
    assert shown(page, "doc-type") == "Payment" and shown(page, "doc-number") == "CHK-88"
    assert shown(page, "party") == JOB_FULL_NAME and shown(page, "deposit-to") == "Checking"
    assert shown(page, "memo") == "Deposit <partial>" and "Deposit &lt;partial&gt;" in response.text
    paid = row(response, f"paid-Invoice-{invoice['Id']}")
    assert paid == "Invoice #7001 | 05/20/2024 | $300.00 | $100.00 | $200.00"
    assert f'href="/app/invoice?txnId={invoice["Id"]}&amp;realmId={REALM_BLUE_RIDGE}"' in response.text
    assert shown(page, "total") == "$250.00" and shown(page, "unapplied") == "$50.00"

    response, page = open_page(sandbox, "invoice", invoice["Id"])
    assert shown(page, "balance") == "$100.00" and shown(page, "status") == "Partially paid"
    assert row(response, f"payment-{payment['Id']}") == "Payment #CHK-88 | 06/01/2024 | $200.00"


def test_vendor_documents_each_on_their_page(sandbox, api):
    bill = api.post(
        "Bill",
        {
            "VendorRef": ref("1"),
            "DocNumber": "FPS-9001",
            "TxnDate": "2024-05-02",
            "PrivateNote": "Supply line parts",
            "Line": [account_line(150.0, class_id="1", description="Copper fittings"), item_line(50.0, 4)],
        },
    )
    response, page = open_page(sandbox, "bill", bill["Id"])
    assert response.status_code == 200
    assert shown(page, "doc-type") == "Bill" and shown(page, "party") == "Ferguson Plumbing Supply"
    first = row(response, "line-1")
    assert first == f"1 | Job Materials | Copper fittings | {JOB_FULL_NAME} | Mitigation | $150.00"
    assert row(response, "line-2") == f"2 | Materials | {JOB_FULL_NAME} | 4 | 12.50 | $50.00"
    assert shown(page, "total") == "$200.00" and shown(page, "balance") == "$200.00"

    credit = api.post(
        "VendorCredit", {"VendorRef": ref("1"), "DocNumber": "CR-5", "Line": [account_line(20.0)]}
    )
    response, page = open_page(sandbox, "vendorcredit", credit["Id"])
    assert response.status_code == 200 and shown(page, "doc-type") == "Vendor credit"
    assert shown(page, "party") == "Ferguson Plumbing Supply" and shown(page, "total") == "$20.00"

    check = purchase(api, "Check", "2001", account="1")
    response, page = open_page(sandbox, "check", check["Id"])
    assert response.status_code == 200 and shown(page, "doc-type") == "Check"
    assert shown(page, "doc-number") == "2001" and shown(page, "payment-account") == "Checking"
    assert shown(page, "party") == "Ferguson Plumbing Supply (Vendor)"
    first = row(response, "line-1")
    assert first == f"1 | Job Materials | Dehumidifier rental | {JOB_FULL_NAME} | Mitigation | $80.00"

    cash = purchase(api, "Cash", "C-1", account="1")
    charge = purchase(api, "CreditCard", "HD-1", credit=False)
    for expense in (cash, charge):
        response, page = open_page(sandbox, "expense", expense["Id"])
        assert response.status_code == 200 and shown(page, "doc-type") == "Expense"
    assert shown(page, "payment-type") == "Credit card" and shown(page, "payment-account") == "Company Visa"
    refund = purchase(api, "CreditCard", "HD-2", credit=True)
    response, page = open_page(sandbox, "creditcardcredit", refund["Id"])
    assert response.status_code == 200 and shown(page, "doc-type") == "Credit card credit"

    mismatched = (
        ("expense", check),
        ("check", cash),
        ("check", charge),
        ("creditcardcredit", charge),
        ("expense", refund),
        ("check", refund),
    )
    for wrong, record in mismatched:
        response, page = open_page(sandbox, wrong, record["Id"])
        assert response.status_code == 404, (wrong, record["DocNumber"])
        assert record["DocNumber"] not in response.text
        assert "/app/" in page.links["right-page"] and f"/app/{wrong}?" not in page.links["right-page"]


def test_a_page_for_another_kind_of_document_is_404(sandbox):
    """Summit has no other documents: its first bill's Id is no check's, expense's or invoice's."""
    summit = Api(sandbox, REALM_SUMMIT)
    vendor = summit.post("Vendor", {"DisplayName": "Alpine Lumber"})
    bill = {"VendorRef": ref(vendor["Id"]), "DocNumber": "AL-1", "Line": [account_line(10.0, job="1")]}
    bill = summit.post("Bill", bill)
    response, page = open_page(sandbox, "bill", bill["Id"], REALM_SUMMIT)
    assert response.status_code == 200 and "Summit Fire &amp; Water Inc." in response.text
    assert shown(page, "company-name") == "Summit Fire & Water Inc."
    for wrong in ("check", "expense", "invoice", "vendorcredit"):
        response, page = open_page(sandbox, wrong, bill["Id"], REALM_SUMMIT)
        assert response.status_code == 404 and "AL-1" not in response.text, wrong
        assert shown(page, "error-title") == "Transaction not found"


def test_a_voided_document_shows_it_is_voided(sandbox, api):
    invoice = api.post("Invoice", {"CustomerRef": ref(JOB), "DocNumber": "7002", "PrivateNote": "Mistake",
                                   "Line": [sales_line(90.0, 2)]})
    api.post("Invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void")
    response, page = open_page(sandbox, "invoice", invoice["Id"])
    assert response.status_code == 200 and shown(page, "status") == "Voided"
    assert "(voided)" in response.text.split("</title>")[0]
    assert shown(page, "memo") == "Voided - Mistake" and shown(page, "total") == "$0.00"
    assert row(response, "line-1") == "1 | Water Mitigation | 0 | 45.00 | $0.00"

    payment = api.post("Payment", {"CustomerRef": ref(JOB), "TotalAmt": 5.0})
    api.post("Payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]}, operation="void")
    response, page = open_page(sandbox, "recvpayment", payment["Id"])
    assert response.status_code == 200 and shown(page, "status") == "Voided"
    assert shown(page, "total") == "$0.00" and shown(page, "applied") == "None."


def test_a_deleted_document_is_404_and_says_so(sandbox, api):
    bill = api.post("Bill", {"VendorRef": ref("1"), "DocNumber": "GONE-1", "Line": [account_line(10.0)]})
    api.post("Bill", {"Id": bill["Id"], "SyncToken": bill["SyncToken"]}, operation="delete")
    response, page = open_page(sandbox, "bill", bill["Id"])
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")
    assert shown(page, "error-title") == "This transaction was deleted"
    assert "GONE-1" not in response.text and shown(page, "company-name") == "Blue Ridge Restoration LLC"


def test_unknown_ids_realms_and_pages(sandbox):
    response, page = open_page(sandbox, "invoice", "999999")
    assert response.status_code == 404 and shown(page, "error-title") == "Transaction not found"
    response, page = open_page(sandbox, "invoice", "1", realm_id="123<script>")
    assert response.status_code == 404 and shown(page, "error-title") == "Company not found"
    assert "<script>" not in response.text and "123&lt;script&gt;" in response.text
    response, page = open_page(sandbox, "estimate", "1")
    assert response.status_code == 404 and shown(page, "error-title") == "Page not found"

    response = requests.get(f"{sandbox.url}/app/invoice", params={"txnId": "1"}, timeout=10)
    assert response.status_code == 400
    assert f"/app/invoice?txnId=1&amp;realmId={REALM_SUMMIT}" in response.text
    response = requests.get(f"{sandbox.url}/app/invoice", params={"realmId": REALM_BLUE_RIDGE}, timeout=10)
    assert response.status_code == 400
    response = requests.post(f"{sandbox.url}/app/invoice", params={"txnId": "1", "realmId": REALM_BLUE_RIDGE},
                             timeout=10)
    assert response.status_code == 405


def test_pages_are_not_metered_reads(sandbox, api):
    invoice = api.post("Invoice", {"CustomerRef": ref(JOB), "Line": [sales_line(10.0, 1)]})
    sandbox.control.reset_counters()
    sandbox.control.inject_fault("500", times=1)
    for txn_id in (invoice["Id"], invoice["Id"], "999999"):
        assert open_page(sandbox, "invoice", txn_id)[0].status_code in (200, 404)
    assert open_page(sandbox, "invoice", invoice["Id"])[0].status_code == 200, "no fault on a page"
    open_page(sandbox, "check", "1", realm_id="nowhere")
    counters = sandbox.control.counters()
    assert counters["reads"] == 0 and counters["faults"] == 0 and counters["injected"] == 0
    assert counters["requests"] == {"GET /app/invoice": 4, "GET /app/check": 1}
    assert counters["by_realm"] == {REALM_BLUE_RIDGE: {"requests": 4}}
    assert len(sandbox.control.faults()) == 1, "the fault waits for an Accounting API call"
