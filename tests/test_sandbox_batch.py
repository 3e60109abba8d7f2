"""The batch endpoint through python-quickbooks' batch helpers and raw batch bodies:
splitting into 30s, per-item faults, update/delete/query items, limits, replay."""

import json

import pytest
from quickbooks.batch import batch_create, batch_update
from quickbooks.exceptions import QuickbooksException, ValidationException
from quickbooks.objects.customer import Customer


def customers(prefix, count):
    made = []
    for index in range(count):
        customer = Customer()
        customer.DisplayName = f"{prefix} {index:02d}"
        made.append(customer)
    return made


def test_batch_create_of_35_goes_in_two_requests(sandbox, qb):
    result = batch_create(customers("Batch customer", 35), qb=qb)
    assert len(result.successes) == 35 and result.faults == []
    assert sandbox.control.counters()["requests"]["POST batch"] == 2
    assert Customer.count("DisplayName LIKE 'Batch customer%'", qb=qb) == 35


def test_batch_items_fail_one_by_one(qb):
    batch = customers("Mixed", 3)
    batch[1].DisplayName = "Daniel Reyes - 1003"
    result = batch_create(batch, qb=qb)
    assert [c.DisplayName for c in result.successes] == ["Mixed 00", "Mixed 02"]
    assert len(result.faults) == 1
    fault = result.faults[0]
    assert fault.original_object is batch[1]
    assert fault.Error[0].code == "6240" and fault.type == "ValidationFault"


def test_batch_update_checks_each_sync_token(qb):
    created = batch_create(customers("Updatable", 2), qb=qb).successes
    fresh = [Customer.get(c.Id, qb=qb) for c in created]
    fresh[0].Notes = "updated in a batch"
    fresh[1].Notes = "stale"
    fresh[1].SyncToken = "7"
    result = batch_update(fresh, qb=qb)
    assert [c.Notes for c in result.successes] == ["updated in a batch"]
    assert result.successes[0].SyncToken == "1"
    assert result.faults[0].Error[0].code == "5010"


def test_raw_batch_with_query_update_delete_and_bad_items(qb):
    target = Customer.filter(DisplayName="Carolina Mutual Insurance - 1004", qb=qb)[0]
    body = {
        "BatchItemRequest": [
            {"bId": "q1", "Query": "SELECT * FROM Customer WHERE Job = true MAXRESULTS 2"},
            {
                "bId": "u1",
                "operation": "update",
                "Customer": {
                    "Id": target.Id,
                    "SyncToken": target.SyncToken,
                    "sparse": True,
                    "Notes": "batched",
                },
            },
            {"bId": "d1", "operation": "delete", "Customer": {"Id": target.Id, "SyncToken": "1"}},
            {"bId": "c1", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor"}},
            {"bId": "x1", "operation": "create", "Estimate": {"Line": []}},
            {"bId": "x4", "operation": "create", "Invoice": {"CustomerRef": {"value": "1"}, "Line": []}},
            {"bId": "x2", "operation": "frobnicate", "Customer": {"DisplayName": "Nope"}},
            {"operation": "create", "Customer": {"DisplayName": "No bId"}},
            {"bId": "x3", "Query": "SELECT * FROM"},
        ]
    }
    answer = qb.batch_operation(json.dumps(body))
    items = {item.get("bId"): item for item in answer["BatchItemResponse"]}
    assert "time" in answer
    assert (
        items["q1"]["QueryResponse"]["maxResults"] == 2 and len(items["q1"]["QueryResponse"]["Customer"]) == 2
    )
    assert items["u1"]["Customer"]["Notes"] == "batched" and items["u1"]["Customer"]["SyncToken"] == "1"
    assert items["d1"]["Fault"]["Error"][0]["code"] == "500"
    assert items["c1"]["Vendor"]["DisplayName"] == "Batch Vendor"
    assert items["x1"]["Fault"]["Error"][0]["code"] == "2010", "an entity the sandbox does not keep"
    assert items["x4"]["Fault"]["Error"][0]["element"] == "Line", "an invoice needs a line"
    assert items["x2"]["Fault"]["Error"][0]["code"] == "2020"
    assert items[None]["Fault"]["Error"][0]["element"] == "bId"
    assert items["x3"]["Fault"]["Error"][0]["code"] == "4000"


def test_batch_size_and_shape_limits(qb):
    too_many = {"BatchItemRequest": [{"bId": str(i), "Query": "SELECT * FROM Vendor"} for i in range(31)]}
    with pytest.raises(QuickbooksException) as raised:
        qb.batch_operation(json.dumps(too_many))
    assert raised.value.error_code == 6000
    for body in ({}, {"BatchItemRequest": []}, {"BatchItemRequest": "x"}, []):
        with pytest.raises(ValidationException):
            qb.batch_operation(json.dumps(body))


def test_forty_batches_a_minute(sandbox, qb):
    body = json.dumps({"BatchItemRequest": [{"bId": "1", "Query": "SELECT COUNT(*) FROM Vendor"}]})
    for _ in range(40):
        qb.batch_operation(body)
    with pytest.raises(ValidationException) as raised:
        qb.batch_operation(body)
    assert raised.value.error_code == 3001
    assert Customer.count(qb=qb) == 9, "other requests are still served"
    sandbox.control.advance_clock(61)
    qb.batch_operation(body)


def test_batch_with_a_request_id_is_replayed(sandbox, qb):
    body = json.dumps(
        {
            "BatchItemRequest": [
                {"bId": "a", "operation": "create", "Customer": {"DisplayName": "Replayed batch"}}
            ]
        }
    )
    url = f"{qb.api_url}/company/{qb.company_id}/batch"
    first = qb.post(url, body, params={"requestid": "batch-0001"})
    second = qb.post(url, body, params={"requestid": "batch-0001"})
    assert first == second
    assert len(Customer.filter(DisplayName="Replayed batch", qb=qb)) == 1
    assert sandbox.control.counters()["replays"] == 1
