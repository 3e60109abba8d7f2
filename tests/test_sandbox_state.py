"""The state file across restarts with transactions in it (balances, tombstones), its format
version, and the upgrade of a file written before versions (``qbo_sandbox/1``)."""

import json

import pytest
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from qbo_sandbox import REALM_BLUE_RIDGE, SandboxServer

LINE = {"DetailType": "SalesItemLineDetail", "Amount": 300, "SalesItemLineDetail": {}}
# The stores version 1 did not have, and the entity types it did.
ADDED_STORES = ("own_names", "deleted", "applied")
VERSION_1_TYPES = ("Customer", "Vendor", "Employee")


def create(qb, entity, body):
    return qb.create_object(entity, json.dumps(body))[entity]


def as_version_1(saved):
    """The same companies as a version 1 sandbox wrote them: no format version, customers,
    vendors and employees only, and the customers' parent -> jobs index as ``children``."""
    for realm in saved["data"]["realms"].values():
        for key in ADDED_STORES:
            del realm[key]
        realm["children"] = realm["children"]["Customer"]
        realm["entities"] = {name: realm["entities"][name] for name in VERSION_1_TYPES}
        realm["next_ids"] = {name: realm["next_ids"][name] for name in VERSION_1_TYPES}
    del saved["version"]
    saved["format"] = "qbo_sandbox/1"
    return saved


def test_transactions_and_tombstones_survive_a_restart(tmp_path, sandbox_connect):
    state = tmp_path / "sandbox.json"
    with SandboxServer(state_file=str(state)) as first:
        qb = sandbox_connect(REALM_BLUE_RIDGE, srv=first)
        since = first.control.now()["now_utc"]
        invoice = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [LINE]})
        create(qb, "Payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 120, "Line": [
            {"Amount": 120, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
        doomed = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [LINE]})
        qb.delete_object("Invoice", json.dumps({"Id": doomed["Id"], "SyncToken": "0"}))
    saved = json.loads(state.read_text())
    assert (saved["format"], saved["version"]) == ("qbo_sandbox", 2)

    with SandboxServer(state_file=str(state)) as second:
        qb = sandbox_connect(REALM_BLUE_RIDGE, srv=second)
        assert Invoice.get(invoice["Id"], qb=qb).Balance == 180
        invoices = qb.change_data_capture("Invoice", since)["CDCResponse"][0]["QueryResponse"][0]["Invoice"]
        assert [(i["Id"], i.get("status")) for i in invoices] == [
            (invoice["Id"], None),
            (doomed["Id"], "Deleted"),
        ]
        after = create(qb, "Invoice", {"CustomerRef": {"value": "2"}, "Line": [LINE]})["Id"]
        assert int(after) == int(doomed["Id"]) + 1, "the Id counter survives: a deleted Id is not given again"


def test_a_file_without_a_format_version_is_upgraded_on_load(tmp_path, sandbox_connect):
    state = tmp_path / "sandbox.json"
    with SandboxServer(state_file=str(state)) as first:
        qb = sandbox_connect(REALM_BLUE_RIDGE, srv=first)
        create(qb, "Customer", {"DisplayName": "Wren Alvarez - 1040"})
    state.write_text(json.dumps(as_version_1(json.loads(state.read_text()))))

    with SandboxServer(state_file=str(state)) as second:
        qb = sandbox_connect(REALM_BLUE_RIDGE, srv=second)
        margaret = Customer.filter(DisplayName="Margaret Hollis - 1001", qb=qb)[0]
        assert margaret.BalanceWithJobs == 1840.5, "the jobs index came through"
        job = Customer.get("2", qb=qb)
        assert job.FullyQualifiedName.startswith("Margaret Hollis - 1001:24-0117 - ")
        assert Customer.filter(DisplayName="Wren Alvarez - 1040", qb=qb)
        assert qb.query("SELECT * FROM Account")["QueryResponse"] == {}, "an upgrade adds no records"
        account = create(qb, "Account", {"Name": "Checking", "AccountType": "Bank"})
        income = {"value": account["Id"]}
        item = create(qb, "Item", {"Name": "Labor", "Type": "Service", "IncomeAccountRef": income})
        line = dict(LINE, SalesItemLineDetail={"ItemRef": {"value": item["Id"]}})
        invoice = create(qb, "Invoice", {"CustomerRef": {"value": job.Id}, "Line": [line]})
        create(qb, "Payment", {"CustomerRef": {"value": job.Id}, "TotalAmt": 300, "Line": [
            {"Amount": 300, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
        assert Invoice.get(invoice["Id"], qb=qb).Balance == 0
        qb.delete_object("Invoice", json.dumps({"Id": invoice["Id"], "SyncToken": "0"}))
        assert margaret.Id == "1" and second.control.state()["realms"][REALM_BLUE_RIDGE]["deleted"]["Invoice"]
    assert json.loads(state.read_text())["version"] == 2, "written back in the current format"


def test_a_file_of_a_newer_version_is_refused(tmp_path):
    state = tmp_path / "sandbox.json"
    SandboxServer(state_file=str(state)).start().stop()
    saved = json.loads(state.read_text())
    saved["version"] = 3
    state.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="version 3"):
        SandboxServer(state_file=str(state))
