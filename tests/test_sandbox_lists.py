"""What each entity type is, as the sandbox declares it: lists named in their own space
(accounts and classes nesting into full names), the seeded chart of accounts, items and
classes, references checked on write and named on read, which types can be deleted or
voided, and the required members and values QBO refuses."""

import json

import pytest
from quickbooks.exceptions import (
    ObjectNotFoundException,
    QuickbooksException,
    UnsupportedException,
    ValidationException,
)
from quickbooks.objects.account import Account
from quickbooks.objects.item import Item
from quickbooks.objects.trackingclass import Class
from quickbooks.objects.vendor import Vendor

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_SUMMIT
from qbo_sandbox import types as entity_types


SALES_LINE = {
    "DetailType": "SalesItemLineDetail",
    "Amount": 5,
    "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
}
EXPENSE = "AccountBasedExpenseLineDetail"


def create(qb, entity, body):
    return qb.create_object(entity, json.dumps(body))[entity]


def test_the_registry_says_what_each_type_is():
    named = {name for name, t in entity_types.TYPES.items() if t.naming is entity_types.DISPLAY_NAME}
    own = {name for name, t in entity_types.TYPES.items() if t.own_named}
    deletable = {name for name, t in entity_types.TYPES.items() if t.deletable}
    assert named == {"Customer", "Vendor", "Employee"} and own == {"Account", "Item", "Class"}
    assert deletable == {
        "Invoice", "CreditMemo", "Payment", "Bill", "Purchase", "VendorCredit", "TimeActivity",
        "SalesReceipt", "RefundReceipt",
    }
    voidable = {name for name, t in entity_types.TYPES.items() if t.voidable}
    assert voidable == {"Invoice", "Payment", "SalesReceipt"}
    assert {name for name, t in entity_types.TYPES.items() if t.hierarchy} == {"Customer", "Account", "Class"}
    assert not deletable & (named | own), "names and lists are made inactive instead"
    assert entity_types.for_path("vendorcredit").name == "VendorCredit"


def test_seeded_chart_of_accounts_items_and_classes(qb, sandbox_connect):
    accounts = {a.Name: a for a in Account.all(qb=qb)}
    assert {a.AccountType for a in accounts.values()} >= {"Bank", "Credit Card", "Income", "Expense",
                                                        "Cost of Goods Sold"}
    fuel = accounts["Fuel"]
    assert (fuel.FullyQualifiedName, fuel.SubAccount, fuel.Classification) == (
        "Vehicle Expenses:Fuel", True, "Expense")
    assert accounts["Company Visa"].Classification == "Liability" and accounts["Checking"].SubAccount is False
    items = {i.Name: i for i in Item.all(qb=qb)}  # python-quickbooks asks for "SELECT *, Sku FROM Item"
    materials = items["Materials"]
    assert materials.Type == "NonInventory" and materials.FullyQualifiedName == "Materials"
    assert (materials.IncomeAccountRef.name, materials.ExpenseAccountRef.name) == (
        "Restoration Services", "Job Materials")
    drywall = Class.filter(Name="Drywall", qb=qb)[0]
    assert (drywall.FullyQualifiedName, drywall.SubClass) == ("Reconstruction:Drywall", True)
    summit = sandbox_connect(REALM_SUMMIT)
    assert Class.all(qb=summit) == [], "QuickBooks Essentials has no class tracking"
    assert Account.filter(Name="Checking", qb=summit)


def test_names_of_lists_are_unique_among_siblings_of_their_own_type(qb):
    create(qb, "Class", {"Name": "Ferguson Plumbing Supply"})  # a vendor's name: another space
    with pytest.raises(QuickbooksException) as raised:
        create(qb, "Class", {"Name": "mitigation"})
    assert raised.value.error_code == 6240 and "Another class" in raised.value.detail
    parent = Account.filter(Name="Vehicle Expenses", qb=qb)[0]
    sibling = {"Name": "fuel", "AccountType": "Expense", "ParentRef": {"value": parent.Id}}
    with pytest.raises(QuickbooksException) as raised:
        create(qb, "Account", sibling)
    assert raised.value.error_code == 6240
    top = create(qb, "Account", {"Name": "Fuel", "AccountType": "Expense"})
    assert top["FullyQualifiedName"] == "Fuel" and top["SubAccount"] is False
    renamed = qb.update_object("Account", json.dumps(
        {"Id": parent.Id, "SyncToken": parent.SyncToken, "sparse": True, "Name": "Vehicles"}))["Account"]
    assert renamed["Name"] == "Vehicles"
    assert {a.FullyQualifiedName for a in Account.filter(Name="Fuel", qb=qb)} == {"Fuel", "Vehicles:Fuel"}
    with pytest.raises(ValidationException) as raised:
        create(qb, "Class", {"Name": "Water: Category 3"})
    assert raised.value.error_code == 2050, "the colon separates the parts of a full name"


def test_creates_of_lists_and_transactions_ask_for_their_own_members_not_a_display_name(qb):
    item = create(
        qb, "Item", {"Name": "Dehumidifier Day", "Type": "Service", "IncomeAccountRef": {"value": "3"}}
    )
    assert item["Active"] is True and "DisplayName" not in item
    for entity, body, missing in (
        ("Account", {"Name": "Permits"}, "AccountType"),
        ("Account", {"AccountType": "Expense"}, "Name"),
        ("Item", {"Name": "No type"}, "Type"),
        ("Class", {}, "Name"),
        ("Invoice", {"Line": []}, "CustomerRef"),
        ("Payment", {"CustomerRef": {"value": "2"}}, "TotalAmt"),
        ("Bill", {"VendorRef": {"value": "1"}}, "Line"),
        ("Purchase", {"PaymentType": "Cash", "Line": []}, "AccountRef"),
        ("RefundReceipt", {"Line": [{"DetailType": "DescriptionOnly"}]}, "DepositToAccountRef"),
        ("Bill", {"VendorRef": {"value": "1"}, "Line": [{"Amount": 5}]}, "Line.DetailType"),
        ("Bill", {"VendorRef": {"value": "1"}, "Line": [{"DetailType": EXPENSE}]}, "Line.Amount"),
        (
            "Bill",
            {"VendorRef": {"value": "1"}, "Line": [{"DetailType": EXPENSE, "Amount": 5, EXPENSE: {}}]},
            f"Line.{EXPENSE}.AccountRef",
        ),
    ):
        with pytest.raises(ValidationException) as raised:
            create(qb, entity, body)
        assert (raised.value.error_code, raised.value.detail) == (
            2020, f"Required parameter {missing} is missing in the request"), (entity, body)


def test_line_kinds_and_values_are_checked_like_qbo(qb):
    line = SALES_LINE
    for body in (
        {"CustomerRef": {"value": "2"}, "Line": [dict(line, DetailType="AccountBasedExpenseLineDetail")]},
        {"CustomerRef": {"value": "2"}, "Line": [dict(line, DetailType="SubTotalLineDetail")]},
        {"CustomerRef": {"value": "2"}, "Line": [dict(line, Colour="red")]},
        {"CustomerRef": {"value": "2"}, "Line": "one line"},
        {"CustomerRef": {"value": "2"}, "Line": [line], "LinkedTxn": {"TxnId": "1"}},
        {"CustomerRef": {"value": "2"}, "Line": [line], "EmailStatus": "Sometimes"},
    ):
        with pytest.raises(ValidationException) as raised:
            create(qb, "Invoice", body)
        assert raised.value.error_code == 2010, body
    with pytest.raises(ValidationException) as raised:
        create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [line], "DocNumber": "x" * 22})
    assert raised.value.error_code == 2050


def test_references_must_point_at_active_records_and_show_their_current_names(qb):
    line = SALES_LINE
    with pytest.raises(ValidationException) as raised:
        create(qb, "Invoice", {"CustomerRef": {"value": "9999"}, "Line": [line]})
    assert raised.value.error_code == 2500 and raised.value.detail.endswith("CustomerRef 9999 does not exist")
    missing_item = dict(line, SalesItemLineDetail={"ItemRef": {"value": "77"}})
    with pytest.raises(ValidationException) as raised:
        create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [missing_item]})
    assert raised.value.error_code == 2500
    with pytest.raises(ObjectNotFoundException) as raised:
        create(qb, "Invoice", {"CustomerRef": {"value": "10"}, "Line": [line]})  # an inactive customer
    assert raised.value.error_code == 610
    sent = {"CustomerRef": {"value": "2", "name": "whatever the client says"}, "Line": [line]}
    invoice = create(qb, "Invoice", sent)
    assert invoice["CustomerRef"]["name"] == "24-0117 - Water mitigation, kitchen supply line"
    item = Item.get("1", qb=qb)
    item.Name = "Water Extraction"
    item.save(qb=qb)
    read = qb.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/invoice/{invoice['Id']}")["Invoice"]
    assert read["Line"][0]["SalesItemLineDetail"]["ItemRef"]["name"] == "Water Extraction"


def test_names_and_lists_are_deactivated_never_deleted_and_only_documents_are_voided(qb):
    for entity in ("Customer", "Vendor", "Employee", "Account", "Item", "Class"):
        with pytest.raises(UnsupportedException) as raised:
            qb.delete_object(entity, json.dumps({"Id": "1", "SyncToken": "0"}))
        assert raised.value.detail == "Operation Delete is not supported.", entity
    line = {"DetailType": EXPENSE, "Amount": 5, EXPENSE: {"AccountRef": {"value": "4"}}}
    bill = create(qb, "Bill", {"VendorRef": {"value": "1"}, "Line": [line]})
    for params in ({"operation": "void"}, {"operation": "update", "include": "void"}):
        with pytest.raises(UnsupportedException):
            qb.create_object("Bill", json.dumps({"Id": bill["Id"], "SyncToken": "0"}), params=params)
    vendor = Vendor.get("1", qb=qb)
    vendor.Active = False
    assert vendor.save(qb=qb).Active is False
    class_ = Class.filter(Name="Contents", qb=qb)[0]
    class_.Active = False
    class_.save(qb=qb)
    assert Class.filter(Name="Contents", qb=qb) == [], "queries leave inactive lists out"
    assert Class.where("Active = false", qb=qb)[0].Name == "Contents"


def test_every_type_takes_back_what_it_reads(qb):
    """A full update that sends a read record back unchanged is accepted for every type."""
    create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE]})
    create(qb, "Payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 5, "Line": [
        {"Amount": 5, "LinkedTxn": [{"TxnId": "1", "TxnType": "Invoice"}]}]})
    for entity in ("Customer", "Vendor", "Employee", "Account", "Item", "Class", "Invoice", "Payment"):
        record = qb.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/{entity.lower()}/1")[entity]
        again = qb.update_object(entity, json.dumps(record))[entity]
        assert int(again["SyncToken"]) == int(record["SyncToken"]) + 1, entity
