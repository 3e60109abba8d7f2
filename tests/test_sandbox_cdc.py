"""Change data capture as the nightly pull will use it: one request for several entity types,
only what changed since (full objects and tombstones of what was deleted, merged oldest
first), the 30-day look-back, the 1000-objects-per-type cap and asking again from the last
object, TimeActivity left out, python-quickbooks'
``change_data_capture`` parsing the answer, and CDC counted as a metered read."""

import json
from datetime import datetime

import pytest
import requests
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException, ValidationException
from quickbooks.objects.bill import Bill
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.payment import Payment

from qbo_sandbox import REALM_BLUE_RIDGE
from qbo_sandbox.clock import qbo_datetime

DAY = 86400
SALES_LINE = {
    "DetailType": "SalesItemLineDetail",
    "Amount": 100,
    "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
}
EXPENSE_LINE = {
    "DetailType": "AccountBasedExpenseLineDetail",
    "Amount": 40,
    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "4"}, "CustomerRef": {"value": "2"}},
}


def create(qb, entity, body):
    return qb.create_object(entity, json.dumps(body))[entity]


def blocks(qb, entities, since):
    return qb.change_data_capture(entities, since)["CDCResponse"][0]["QueryResponse"]


def later(sandbox, seconds=60):
    """Move the sandbox clock on and return its new time, with its UTC offset."""
    return sandbox.control.advance_clock(seconds)["now_utc"]


def test_one_request_returns_what_changed_since_over_several_types(sandbox, qb):
    kept = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE]})
    edited = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE]})
    bill = create(qb, "Bill", {"VendorRef": {"value": "1"}, "Line": [EXPENSE_LINE]})
    since = later(sandbox)
    edit = {"Id": edited["Id"], "SyncToken": "0", "sparse": True, "DocNumber": "B-7"}
    qb.update_object("Invoice", json.dumps(edit))
    later(sandbox)
    payment = create(qb, "Payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 100, "Line": [
        {"Amount": 100, "LinkedTxn": [{"TxnId": kept["Id"], "TxnType": "Invoice"}]}]})
    qb.delete_object("Bill", json.dumps({"Id": bill["Id"], "SyncToken": "0"}))
    vendor = create(qb, "Vendor", {"DisplayName": "Servpro of Hendersonville"})

    answer = blocks(qb, "Invoice,Payment,Bill,Vendor,Customer,Estimate", since)
    assert [sorted(k for k in block if k[0].isupper()) for block in answer] == [
        ["Invoice"], ["Payment"], ["Bill"], ["Vendor"], [], []], "one block per type, in the order asked"
    invoices = answer[0]["Invoice"]
    assert [i["Id"] for i in invoices] == [edited["Id"]], "the invoice only paid since keeps its own time"
    assert invoices[0]["DocNumber"] == "B-7" and invoices[0]["Line"][0]["Amount"] == 100, "full objects"
    assert answer[1]["Payment"][0]["Id"] == payment["Id"]
    deleted = answer[2]["Bill"]
    assert len(deleted) == 1 and set(deleted[0]) == {"Id", "status", "domain", "MetaData"}
    assert (deleted[0]["Id"], deleted[0]["status"]) == (bill["Id"], "Deleted")
    assert deleted[0]["MetaData"]["LastUpdatedTime"] >= answer[1]["Payment"][0]["MetaData"]["LastUpdatedTime"]
    assert answer[3]["Vendor"][0]["Id"] == vendor["Id"]
    assert answer[4] == {"startPosition": 1, "maxResults": 0, "totalCount": 0}
    assert answer[2]["maxResults"] == answer[2]["totalCount"] == 1

    assert blocks(qb, "Invoice,Bill", later(sandbox)) == [
        {"startPosition": 1, "maxResults": 0, "totalCount": 0}] * 2, "nothing changed since"


def test_changes_and_deletions_come_merged_oldest_first(sandbox, qb):
    since = sandbox.control.now()["now_utc"]
    doomed = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE]})
    later(sandbox)
    first = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE]})
    qb.delete_object("Invoice", json.dumps({"Id": doomed["Id"], "SyncToken": "0"}))
    later(sandbox)
    second = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE]})
    later(sandbox)
    voided = json.dumps({"Id": first["Id"], "SyncToken": "0"})
    qb.create_object("Invoice", voided, params={"operation": "void"})
    invoices = blocks(qb, "Invoice", since)[0]["Invoice"]
    assert [(i["Id"], i.get("status")) for i in invoices] == [
        (doomed["Id"], "Deleted"), (second["Id"], None), (first["Id"], None)]
    assert invoices[2]["TotalAmt"] == 0 and invoices[2]["PrivateNote"] == "Voided", "a void is a change"


def test_changed_since_goes_back_at_most_30_days(sandbox, sandbox_connect, qb):
    bill = create(qb, "Bill", {"VendorRef": {"value": "1"}, "Line": [EXPENSE_LINE]})
    start = sandbox.control.now()["now_utc"]
    qb.delete_object("Bill", json.dumps({"Id": bill["Id"], "SyncToken": "0"}))
    later(sandbox, 29 * DAY)
    qb = sandbox_connect(REALM_BLUE_RIDGE)  # the access token died meanwhile
    assert blocks(qb, "Bill", start)[0]["Bill"][0]["status"] == "Deleted"
    later(sandbox, 2 * DAY)
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    with pytest.raises(QuickbooksException) as raised:
        qb.change_data_capture("Bill", start)
    assert raised.value.error_code == 6000 and "30 days" in raised.value.detail
    # Deleting forgets the tombstones CDC can no longer reach.
    create(qb, "Bill", {"VendorRef": {"value": "1"}, "Line": [EXPENSE_LINE]})
    doomed = create(qb, "Bill", {"VendorRef": {"value": "1"}, "Line": [EXPENSE_LINE]})
    qb.delete_object("Bill", json.dumps({"Id": doomed["Id"], "SyncToken": "0"}))
    deleted = sandbox.control.state(REALM_BLUE_RIDGE)["realms"][REALM_BLUE_RIDGE]["deleted"]["Bill"]
    assert [grave["Id"] for grave in deleted] == [doomed["Id"]], "a tombstone CDC can no longer reach is gone"


def test_a_type_holds_at_most_1000_objects_per_answer(sandbox, qb):
    sandbox.control.set_limits(enabled=False)
    since = sandbox.control.now()["now_utc"]

    def classes(names):
        for start in range(0, len(names), 30):
            chunk = names[start : start + 30]
            items = [{"bId": name, "operation": "create", "Class": {"Name": name}} for name in chunk]
            answer = qb.batch_operation(json.dumps({"BatchItemRequest": items}))
            assert all("Class" in item for item in answer["BatchItemResponse"])

    classes([f"Area {n}" for n in range(700)])
    middle = later(sandbox, 1800)
    classes([f"Room {n}" for n in range(400)])
    create(qb, "Vendor", {"DisplayName": "Rainbow Restoration Supply"})
    full, vendors = blocks(qb, "Class,Vendor", since)
    assert len(full["Class"]) == full["maxResults"] == 1000, "a full block: ask again with a shorter window"
    assert full["Class"][0]["Name"] == "Area 0" and full["Class"][-1]["Name"] == "Room 299"
    assert len(vendors["Vendor"]) == 1, "the cap is per type"
    assert len(blocks(qb, "Class", middle)[0]["Class"]) == 400


def test_asking_again_from_the_last_object_of_a_full_block_misses_nothing(sandbox, qb):
    sandbox.control.set_limits(enabled=False)
    since = sandbox.control.now()["now_utc"]

    def batch(operation, bodies):
        ids = []
        for start in range(0, len(bodies), 30):
            items = [{"bId": str(start + n), "operation": operation, "Bill": body}
                     for n, body in enumerate(bodies[start : start + 30])]
            answer = qb.batch_operation(json.dumps({"BatchItemRequest": items}))
            ids += [item["Bill"]["Id"] for item in answer["BatchItemResponse"]]
        return ids

    def new_bills(count):
        return batch("create", [{"VendorRef": {"value": "1"}, "Line": [EXPENSE_LINE]}] * count)

    def delete(ids):
        batch("delete", [{"Id": bill_id, "SyncToken": "0"} for bill_id in ids])

    early = new_bills(700)
    later(sandbox)
    delete(early[::7])
    later(sandbox)
    late = new_bills(500)
    later(sandbox)
    delete(late[:250:5])
    gone = set(early[::7]) | set(late[:250:5])

    (full,) = blocks(qb, "Bill", since)
    assert len(full["Bill"]) == 1000, "600 early bills, the 100 deleted among them, 300 late ones"
    assert [b["Id"] for b in full["Bill"] if b.get("status")] == early[::7], "deletions in time order"
    last_time = full["Bill"][-1]["MetaData"]["LastUpdatedTime"]
    (rest,) = blocks(qb, "Bill", last_time)
    assert len(rest["Bill"]) < 1000 and rest["Bill"][0]["MetaData"]["LastUpdatedTime"] == last_time
    assert [b["Id"] for b in rest["Bill"][-50:] if b.get("status")] == late[:250:5], "then the deletions"

    seen = {}
    for bill in full["Bill"] + rest["Bill"]:
        seen[bill["Id"]] = bill.get("status", "Active")
    assert seen == {bill_id: "Deleted" if bill_id in gone else "Active" for bill_id in early + late}


def test_time_activities_are_not_covered(sandbox, qb):
    since = sandbox.control.now()["now_utc"]
    with pytest.raises(ValidationException) as raised:
        qb.change_data_capture("Invoice,TimeActivity", since)
    assert raised.value.error_code == 2010 and "TimeActivity" in raised.value.detail
    changed = f"SELECT * FROM TimeActivity WHERE MetaData.LastUpdatedTime >= '{since}'"
    assert qb.query(changed)["QueryResponse"] == {}, "what to ask instead"
    for params in ({"entities": "Invoice"}, {"entities": " , ", "changedSince": since},
                   {"entities": "Spaceship", "changedSince": since}):
        answer = requests.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/cdc", params=params, timeout=10,
                              headers={"Authorization": f"Bearer {qb.auth_client.access_token}"})
        assert answer.status_code == 400 and "Fault" in answer.json(), params


def test_python_quickbooks_parses_the_answer(sandbox, qb):
    bill = create(qb, "Bill", {"VendorRef": {"value": "1"}, "Line": [EXPENSE_LINE]})
    since = later(sandbox)
    invoice = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE, SALES_LINE]})
    qb.delete_object("Bill", json.dumps({"Id": bill["Id"], "SyncToken": "0"}))
    # The same instant, written with the company's offset.
    pacific = qbo_datetime(datetime.fromisoformat(since).timestamp())
    assert pacific[-6:] in ("-08:00", "-07:00") and since.endswith("+00:00")

    for moment in (since, pacific):
        answer = change_data_capture([Invoice, Bill, Customer, Payment], moment, qb=qb)
        (parsed,) = answer.Invoice
        assert isinstance(parsed, Invoice) and parsed.Id == invoice["Id"] and parsed.TotalAmt == 200
        assert parsed.Line[0].SalesItemLineDetail.ItemRef.value == "1"
        (gone,) = answer.Bill
        assert isinstance(gone, Bill) and (gone.Id, gone.status) == (bill["Id"], "Deleted")
        assert gone.MetaData["LastUpdatedTime"]
        assert not hasattr(answer, "Customer") and not hasattr(answer, "Payment"), "no changes, no list"
        assert answer.time


def test_cdc_is_a_metered_read_and_writes_are_not(sandbox, qb):
    since = sandbox.control.now()["now_utc"]
    sandbox.control.reset_counters()
    create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [SALES_LINE]})
    counters = sandbox.control.counters()
    assert (counters["reads"], counters["writes"]) == (0, 1)
    blocks(qb, "Invoice,Bill,Payment", since)
    qb.query("SELECT * FROM Invoice")
    counters = sandbox.control.counters()
    assert counters["reads"] == 2 and counters["by_realm"][REALM_BLUE_RIDGE]["reads"] == 2
    assert counters["requests"]["GET cdc"] == 1
