"""Transactions as QBO keeps them, through python-quickbooks: totals and balances it computes,
payments collecting invoices, void (the document stays, amounts 0) and delete (gone, 610),
the line kinds of sales and expense forms, and where the job is on each."""

import json

import pytest
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException, ValidationException
from quickbooks.objects.base import Ref
from quickbooks.objects.bill import Bill
from quickbooks.objects.creditmemo import CreditMemo
from quickbooks.objects.detailline import (
    AccountBasedExpenseLine,
    AccountBasedExpenseLineDetail,
    DescriptionOnlyLine,
    ItemBasedExpenseLine,
    ItemBasedExpenseLineDetail,
    SalesItemLine,
    SalesItemLineDetail,
)
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.purchase import Purchase
from quickbooks.objects.salesreceipt import SalesReceipt
from quickbooks.objects.timeactivity import TimeActivity
from quickbooks.objects.vendorcredit import VendorCredit

from qbo_sandbox import REALM_BLUE_RIDGE

# Seeded in Blue Ridge: customer 1 "Margaret Hollis - 1001" and its job 2; vendor 1; employee 1;
# items 1 "Water Mitigation" and 3 "Materials"; accounts 1 Checking, 2 Company Visa, 4 Job Materials;
# class 1 "Mitigation".
JOB = "2"
JOB_NAME = "24-0117 - Water mitigation, kitchen supply line"


def ref(value):
    reference = Ref()
    reference.value = value
    return reference


def sales_line(amount, item="1", qty=1, class_id=None):
    line = SalesItemLine()
    line.Amount = amount
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = ref(item)
    line.SalesItemLineDetail.Qty = qty
    line.SalesItemLineDetail.UnitPrice = amount / qty
    if class_id:
        line.SalesItemLineDetail.ClassRef = ref(class_id)
    return line


def expense_line(amount, account="4", job=JOB, billable="Billable"):
    line = AccountBasedExpenseLine()
    line.Amount = amount
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = ref(account)
    line.AccountBasedExpenseLineDetail.CustomerRef = ref(job)
    line.AccountBasedExpenseLineDetail.BillableStatus = billable
    return line


def new_invoice(qb, *amounts, job=JOB):
    invoice = Invoice()
    invoice.CustomerRef = ref(job)
    invoice.Line = [sales_line(amount) for amount in amounts]
    return invoice.save(qb=qb)


def new_payment(qb, total, applied, job=JOB):
    """A payment of ``total`` with one line per (invoice, amount) in ``applied``."""
    payment = Payment()
    payment.CustomerRef = ref(job)
    payment.TotalAmt = total
    for invoice, amount in applied:
        line = PaymentLine()
        line.Amount = amount
        line.LinkedTxn = [invoice.to_linked_txn()]
        payment.Line.append(line)
    return payment.save(qb=qb)


def test_an_invoice_totals_its_lines_and_starts_with_that_balance(qb):
    invoice = Invoice()
    invoice.CustomerRef = ref(JOB)
    note = DescriptionOnlyLine()
    note.Description, note.Amount = "Moisture readings attached", 0
    invoice.Line = [sales_line(1200, qty=3, class_id="1"), note, sales_line(0.1), sales_line(0.2)]
    saved = invoice.save(qb=qb)
    assert saved.TotalAmt == saved.Balance == 1200.3, "to the cent; a description line adds nothing"
    assert (saved.CustomerRef.value, saved.CustomerRef.name) == (JOB, JOB_NAME), "the job is the header's"
    assert [(line.Id, line.LineNum) for line in saved.Line] == [("1", 1), ("2", 2), ("3", 3), ("4", 4)]
    detail = saved.Line[0].SalesItemLineDetail
    assert (detail.ItemRef.name, detail.ClassRef.name, detail.Qty) == ("Water Mitigation", "Mitigation", 3)
    assert saved.TxnDate and saved.SyncToken == "0", "an undated transaction is dated today"
    body = qb.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/invoice/{saved.Id}")["Invoice"]
    assert "DisplayName" not in body and body["domain"] == "QBO"


def test_payments_linked_to_an_invoice_lower_its_balance(qb):
    invoice = new_invoice(qb, 400, 600)
    other = new_invoice(qb, 50)
    first = new_payment(qb, 300, [(invoice, 250), (other, 50)])
    assert first.UnappliedAmt == 0 and first.TotalAmt == 300
    assert Invoice.get(invoice.Id, qb=qb).Balance == 750 and Invoice.get(other.Id, qb=qb).Balance == 0
    second = new_payment(qb, 1000, [(invoice, 750)])
    assert second.UnappliedAmt == 250, "paid more than applied"
    assert Invoice.get(invoice.Id, qb=qb).Balance == 0
    assert Invoice.get(invoice.Id, qb=qb).TotalAmt == 1000, "payments never change the total"

    changed = qb.update_object(
        "Payment",
        json.dumps({"Id": second.Id, "SyncToken": second.SyncToken, "sparse": True,
                    "Line": [{"Amount": 500, "LinkedTxn": [{"TxnId": invoice.Id, "TxnType": "Invoice"}]}]}),
    )["Payment"]
    assert changed["UnappliedAmt"] == 500 and Invoice.get(invoice.Id, qb=qb).Balance == 250
    Payment.get(second.Id, qb=qb).delete(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 750, "a deleted payment collects nothing"
    assert qb.query(f"SELECT * FROM Invoice WHERE Balance > '0' AND Id = '{invoice.Id}'")["QueryResponse"]


def test_a_voided_payment_keeps_its_document_and_gives_the_balance_back(qb):
    invoice = new_invoice(qb, 980)
    payment = new_payment(qb, 980, [(invoice, 980)])
    assert Invoice.get(invoice.Id, qb=qb).Balance == 0
    voided = payment.void(qb=qb)["Payment"]  # operation=update&include=void, as python-quickbooks sends it
    assert (voided["TotalAmt"], voided["UnappliedAmt"], voided["PrivateNote"]) == (0, 0, "Voided")
    assert "Line" not in voided and voided["SyncToken"] == "1"
    assert Payment.get(payment.Id, qb=qb).TotalAmt == 0, "still readable"
    assert Invoice.get(invoice.Id, qb=qb).Balance == 980


def test_a_voided_invoice_has_amounts_zero_and_is_still_readable(qb):
    invoice = new_invoice(qb, 125, 75)
    invoice.PrivateNote = "Adjuster approved"
    invoice = invoice.save(qb=qb)
    answer = invoice.void(qb=qb)["Invoice"]  # operation=void
    assert (answer["TotalAmt"], answer["Balance"]) == (0, 0)
    assert [line["Amount"] for line in answer["Line"]] == [0, 0]
    assert all(line["SalesItemLineDetail"]["Qty"] == 0 for line in answer["Line"])
    assert answer["PrivateNote"] == "Voided - Adjuster approved"
    read = Invoice.get(invoice.Id, qb=qb)
    assert read.TotalAmt == 0 and read.CustomerRef.value == JOB and len(read.Line) == 2
    with pytest.raises(QuickbooksException) as raised:
        again = json.dumps({"Id": invoice.Id, "SyncToken": "1"})
        qb.create_object("Invoice", again, params={"operation": "void"})
    assert raised.value.error_code == 5010, "a void names the current version"


def test_deleting_a_bill_removes_it(qb):
    bill = Bill()
    bill.VendorRef = ref("1")
    bill.Line = [expense_line(312.4)]
    bill = bill.save(qb=qb)
    assert bill.TotalAmt == bill.Balance == 312.4 and bill.VendorRef.name == "Ferguson Plumbing Supply"
    detail = bill.Line[0].AccountBasedExpenseLineDetail
    assert (detail.CustomerRef.name, detail.AccountRef.name, detail.BillableStatus) == (
        JOB_NAME, "Job Materials", "Billable"), "on a bill the job is on each line"
    answer = bill.delete(qb=qb)["Bill"]
    assert answer == {"status": "Deleted", "domain": "QBO", "Id": bill.Id}
    with pytest.raises(ObjectNotFoundException):
        Bill.get(bill.Id, qb=qb)
    assert qb.query(f"SELECT * FROM Bill WHERE Id = '{bill.Id}'")["QueryResponse"] == {}
    with pytest.raises(ObjectNotFoundException):
        qb.delete_object("Bill", json.dumps({"Id": bill.Id, "SyncToken": "0"}))


def test_purchases_vendor_credits_and_item_based_expense_lines(qb):
    check = Purchase()
    check.PaymentType, check.DocNumber, check.PrivateNote = "Check", "10442", "TEMP LABOR week 48"
    check.AccountRef = ref("1")
    check.EntityRef = ref("4")
    check.EntityRef.type = "Vendor"
    item_line = ItemBasedExpenseLine()
    item_line.Amount = 90
    item_line.ItemBasedExpenseLineDetail = ItemBasedExpenseLineDetail()
    detail = item_line.ItemBasedExpenseLineDetail
    detail.ItemRef, detail.CustomerRef, detail.ClassRef = ref("3"), ref(JOB), ref("1")
    detail.Qty, detail.UnitPrice, detail.BillableStatus = 3, 30, "NotBillable"
    check.Line = [expense_line(160), item_line]
    check = check.save(qb=qb)
    assert (check.TotalAmt, check.AccountRef.name) == (250, "Checking")
    assert check.EntityRef.name == "Labor Finders Asheville", "the payee"
    assert check.Line[1].ItemBasedExpenseLineDetail.ItemRef.name == "Materials"

    card_credit = Purchase()
    card_credit.PaymentType, card_credit.Credit, card_credit.AccountRef = "CreditCard", True, ref("2")
    card_credit.Line = [expense_line(45)]
    assert card_credit.save(qb=qb).Credit is True

    credit = VendorCredit()
    credit.VendorRef = ref("2")
    credit.Line = [expense_line(80, billable="NotBillable")]
    assert credit.save(qb=qb).TotalAmt == 80
    credit_memo = CreditMemo()
    credit_memo.CustomerRef = ref(JOB)
    credit_memo.Line = [sales_line(60)]
    credit_memo = credit_memo.save(qb=qb)
    assert (credit_memo.TotalAmt, credit_memo.Balance) == (60, 60)
    receipt = SalesReceipt()
    receipt.CustomerRef = ref(JOB)
    receipt.Line = [sales_line(99)]
    receipt = receipt.save(qb=qb)
    assert (receipt.TotalAmt, receipt.Balance) == (99, 0), "paid on the spot"

    line = json.loads(expense_line(1).to_json())
    wire = {"PaymentType": "Wire", "AccountRef": {"value": "1"}, "Line": [line]}
    with pytest.raises(ValidationException) as raised:
        qb.create_object("Purchase", json.dumps(wire))
    assert raised.value.error_code == 2010 and "PaymentType" in raised.value.detail


def test_time_activities(qb):
    activity = TimeActivity()
    activity.NameOf, activity.EmployeeRef, activity.CustomerRef = "Employee", ref("1"), ref(JOB)
    activity.ItemRef, activity.ClassRef = ref("2"), ref("1")
    activity.Hours, activity.Minutes, activity.HourlyRate, activity.CostRate = 3, 30, 65, 28
    activity.BillableStatus, activity.TxnDate = "Billable", "2026-11-30"
    saved = activity.save(qb=qb)
    assert (saved.EmployeeRef.name, saved.CustomerRef.name, saved.Hours) == ("Carlos Mendoza", JOB_NAME, 3)
    assert saved.TxnDate == "2026-11-30"
    vendor_time = TimeActivity()
    vendor_time.NameOf = "Vendor"
    with pytest.raises(ValidationException) as raised:
        vendor_time.save(qb=qb)
    assert raised.value.error_code == 2020 and "VendorRef" in raised.value.detail
    assert saved.delete(qb=qb)["TimeActivity"]["status"] == "Deleted"


def test_updates_recompute_totals_and_check_the_sync_token(qb):
    invoice = new_invoice(qb, 100)
    read = Invoice.get(invoice.Id, qb=qb)
    read.Line.append(sales_line(40))
    updated = read.save(qb=qb)  # a full update, sending back everything it read (TotalAmt, Balance...)
    assert updated.TotalAmt == 140 and updated.SyncToken == "1"
    assert [line.Id for line in updated.Line] == ["1", "2"]
    sparse = qb.update_object(
        "Invoice", json.dumps({"Id": invoice.Id, "SyncToken": "1", "sparse": True, "DueDate": "2026-12-31"})
    )["Invoice"]
    assert sparse["TotalAmt"] == 140 and sparse["DueDate"] == "2026-12-31" and len(sparse["Line"]) == 2
    with pytest.raises(QuickbooksException) as raised:
        qb.update_object("Invoice", json.dumps({"Id": invoice.Id, "SyncToken": "1", "sparse": True}))
    assert raised.value.error_code == 5010


def test_batch_creates_deletes_and_voids_transactions(qb):
    seeded = Invoice.count(qb=qb)
    invoice = new_invoice(qb, 10)
    doomed = new_invoice(qb, 20)
    line = json.loads(sales_line(5).to_json())
    answer = qb.batch_operation(json.dumps({"BatchItemRequest": [
        {"bId": "c", "operation": "create", "Invoice": {"CustomerRef": {"value": JOB}, "Line": [line]}},
        {"bId": "v", "operation": "void", "Invoice": {"Id": invoice.Id, "SyncToken": "0"}},
        {"bId": "d", "operation": "delete", "Invoice": {"Id": doomed.Id, "SyncToken": "0"}},
        {"bId": "n", "operation": "delete", "Customer": {"Id": "1", "SyncToken": "0"}},
        {"bId": "q", "Query": "SELECT COUNT(*) FROM Invoice"},
    ]}))
    items = {item["bId"]: item for item in answer["BatchItemResponse"]}
    assert items["c"]["Invoice"]["TotalAmt"] == 5
    assert items["v"]["Invoice"]["TotalAmt"] == 0 and items["v"]["Invoice"]["PrivateNote"] == "Voided"
    assert items["d"]["Invoice"]["status"] == "Deleted"
    assert items["n"]["Fault"]["Error"][0]["code"] == "500", "names are made inactive, never deleted"
    assert items["q"]["QueryResponse"]["totalCount"] == seeded + 2
