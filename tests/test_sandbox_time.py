"""The crew time the seeded companies start with, read back through the API as a client reads
it: TimeActivity documents on jobs (and on a customer without jobs), by employees and by a temp
labor agency, with the hours, rates and class each was logged with; found by query on their
date and on their last change (change data capture does not cover them); and a time activity
created, changed and deleted through the API."""

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException, ValidationException
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.timeactivity import TimeActivity

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_COASTAL, REALM_SUMMIT, ledger
from qbo_sandbox.clock import parse_qbo_datetime, qbo_date

BOOKS = {REALM_BLUE_RIDGE: ledger.BLUE_RIDGE, REALM_COASTAL: ledger.COASTAL}
DAY = 86400


def worked(documents):
    return [doc for doc in documents if isinstance(doc, ledger.Worked)]


def activities(qb, where=""):
    answer = qb.query(f"SELECT * FROM TimeActivity {where} MAXRESULTS 1000")["QueryResponse"]
    return answer.get("TimeActivity", [])


def described(rows):
    return {row["Description"] for row in rows}


def worker_of(activity):
    return activity[f"{activity['NameOf']}Ref"]


def hours_of(activity):
    """What an activity's members say was worked: Hours and Minutes, or StartTime to EndTime
    less the break."""
    if activity.get("StartTime"):
        start, end = (parse_qbo_datetime(activity[name]) for name in ("StartTime", "EndTime"))
        minutes = (end - start).total_seconds() / 60
        minutes -= activity.get("BreakHours", 0) * 60 + activity.get("BreakMinutes", 0)
    else:
        minutes = activity.get("Hours", 0) * 60 + activity.get("Minutes", 0)
    return minutes / 60


def quoted(text):
    return text.replace("'", "\\'")


def one(qb, entity, display_name):
    rows = qb.query(f"SELECT * FROM {entity} WHERE DisplayName = '{quoted(display_name)}'")["QueryResponse"]
    (row,) = rows[entity]
    return row


@pytest.fixture(params=sorted(BOOKS))
def company(request, sandbox_connect):
    """(realm id, python-quickbooks client, seeded documents) of each company with a ledger."""
    return request.param, sandbox_connect(request.param), BOOKS[request.param]


def test_seeded_time_as_worked_out_by_hand():
    assert ledger.labor(ledger.BLUE_RIDGE) == {
        ledger.KITCHEN: {ledger.CARLOS: (6, 168), ledger.TYLER: (14.5, 377)},
        ledger.UNIT_4B: {ledger.JENNA: (7.25, None), "Labor Finders Asheville": (32, 640)},
        ledger.ROOF: {ledger.TYLER: (8, 208), ledger.CARLOS: (5.75, 161), ledger.JENNA: (1.5, None)},
        ledger.INSURER: {ledger.CARLOS: (2.5, 70)},
    }
    assert ledger.labor(ledger.COASTAL) == {
        ledger.TRADD: {ledger.KEVIN: (8, 192), ledger.ISAIAH: (8, 192), ledger.MARIA: (3.25, None)},
        ledger.PACK_BACK: {ledger.ISAIAH: (6.5, 156), "Charleston Temp Labor": (24, 480),
                           ledger.KEVIN: (4.75, 114), ledger.MARIA: (2, None)},
    }
    for documents in BOOKS.values():
        time = worked(documents)
        others = [doc for doc in documents if not isinstance(doc, ledger.Worked)]
        assert ledger.totals(documents) == ledger.totals(others), "time is not in the totals"
        assert ledger.balances(documents) == ledger.balances(others)
        assert ledger.labor(others) == {}
        assert all(0 < doc.days < 90 for doc in time) and any(doc.days < 30 for doc in time)
        assert not any(doc.days in (29, 30) for doc in time), "clear of the 30-day window's edge"
        assert len({doc.description for doc in time}) == len(time), "each told apart by its description"
        vendors = [doc.worker for doc in time if doc.name_of == "Vendor"]
        assert len(vendors) == 1, "one temp labor agency logs its crew's time"
        assert any(doc.cost_rate is None for doc in time) and any(doc.cost_rate for doc in time)
        assert {doc.billable for doc in time} == {"Billable", "NotBillable", "HasBeenBilled"}
    everything = worked(ledger.BLUE_RIDGE + ledger.COASTAL)
    clocked = [doc.description for doc in everything if doc.start]
    assert clocked == ["Roof tarp, set dehumidifiers in the attic"], "one logged by clock times"
    assert [doc.customer for doc in everything if doc.customer == ledger.INSURER] == [ledger.INSURER]
    # The agencies' hours at their cost rate are what their checks paid.
    assert ledger.labor(ledger.BLUE_RIDGE)[ledger.UNIT_4B]["Labor Finders Asheville"].cost == 640
    assert ledger.labor(ledger.COASTAL)[ledger.PACK_BACK]["Charleston Temp Labor"].cost == 480


def test_hours_and_cost_per_job_and_worker_from_what_qbo_sends(company):
    _, qb, documents = company
    read = activities(qb)
    assert len(read) == len(worked(documents))
    hours, costs = {}, {}
    for activity in read:
        job, worker = activity["CustomerRef"]["name"], worker_of(activity)["name"]
        spent = hours_of(activity)
        hours.setdefault(job, {}).setdefault(worker, 0)
        hours[job][worker] += spent
        cost = spent * activity["CostRate"] if "CostRate" in activity else None
        known = costs.setdefault(job, {}).get(worker, 0)
        costs[job][worker] = None if None in (known, cost) else known + cost
    got = {job: {worker: (spent, costs[job][worker]) for worker, spent in workers.items()}
           for job, workers in hours.items()}
    assert got == ledger.labor(documents)


def test_each_activity_names_its_worker_job_item_class_rates_and_date(sandbox, company):
    realm_id, qb, documents = company
    read = {row["Description"]: row for row in activities(qb)}
    classes = {row["Id"]: row["FullyQualifiedName"]
               for row in qb.query("SELECT * FROM Class")["QueryResponse"]["Class"]}
    today = date.fromisoformat(qbo_date(sandbox.control.now()["now"]))
    per_txn = Preferences.get(qb=qb).AccountingInfoPrefs.ClassTrackingPerTxn
    assert per_txn is (realm_id == REALM_BLUE_RIDGE)
    for doc in worked(documents):
        got = read[doc.description]
        other = "Vendor" if doc.name_of == "Employee" else "Employee"
        assert got["NameOf"] == doc.name_of and f"{other}Ref" not in got
        worker = one(qb, doc.name_of, doc.worker)
        assert got[f"{doc.name_of}Ref"] == {"value": worker["Id"], "name": doc.worker}
        customer = one(qb, "Customer", doc.customer)
        assert got["CustomerRef"] == {"value": customer["Id"], "name": doc.customer}
        assert customer["Job"] is (doc.customer != ledger.INSURER), "a job, or the insurer without jobs"
        assert got["ItemRef"]["name"] == "Labor"
        # One ClassRef on the activity, whether the company puts a class on the header or the lines.
        class_name = classes.get(got.get("ClassRef", {}).get("value"))
        assert (class_name and class_name.split(":")[-1]) == doc.cls
        assert got.get("ClassRef", {}).get("name") == class_name and "Line" not in got
        assert got["BillableStatus"] == doc.billable
        assert got.get("HourlyRate") == doc.rate and got.get("CostRate") == doc.cost_rate
        assert (today - date.fromisoformat(got["TxnDate"])).days in (doc.days, doc.days + 1)
        if doc.start:
            assert "Hours" not in got and got["StartTime"].startswith(got["TxnDate"] + "T07:30:00")
            assert got["EndTime"].startswith(got["TxnDate"] + "T16:00:00") and got["BreakMinutes"] == 30
        else:
            assert (got["Hours"], got["Minutes"]) == (doc.hours, doc.minutes) and "StartTime" not in got
    if realm_id == REALM_BLUE_RIDGE:
        assert classes[read["Hang and tape ceiling drywall"]["ClassRef"]["value"]] == "Reconstruction:Drywall"
        carlos = one(qb, "Employee", ledger.CARLOS)
        jenna = one(qb, "Employee", ledger.JENNA)
        assert carlos["CostRate"] == 28 and "CostRate" not in jenna, "the host costs Jenna's hours itself"
    else:
        assert [doc.description for doc in worked(documents) if not doc.cls] == [
            "Pack-back scheduling with the homeowner"], "one activity without a class"


def test_activities_are_found_by_date_and_by_last_change(sandbox, company):
    _, qb, documents = company
    time = worked(documents)
    now = sandbox.control.now()["now"]
    month_ago = datetime.fromtimestamp(now - 30 * DAY, timezone.utc).isoformat(timespec="seconds")
    recent = {doc.description for doc in time if doc.days < 30}
    assert recent and recent != {doc.description for doc in time}
    assert described(activities(qb, f"WHERE TxnDate >= '{qbo_date(now - 30 * DAY)}'")) == recent
    assert described(activities(qb, f"WHERE MetaData.LastUpdatedTime >= '{month_ago}'")) == recent
    older = activities(qb, f"WHERE TxnDate < '{qbo_date(now - 30 * DAY)}' ORDERBY TxnDate")
    assert described(older) == {doc.description for doc in time if doc.days > 30}
    assert [row["TxnDate"] for row in older] == sorted(row["TxnDate"] for row in older)
    assert len(activities(qb, f"WHERE TxnDate >= '{qbo_date(now - 90 * DAY)}'")) == len(time)
    count = qb.query("SELECT COUNT(*) FROM TimeActivity")["QueryResponse"]["totalCount"]
    assert count == len(time)

    job = max(ledger.labor(documents), key=lambda name: len(ledger.labor(documents)[name]))
    job_id = one(qb, "Customer", job)["Id"]
    on_job = activities(qb, f"WHERE CustomerRef = '{job_id}' AND TxnDate >= '{qbo_date(now - 30 * DAY)}'")
    assert described(on_job) == {doc.description for doc in time if doc.customer == job and doc.days < 30}
    assert on_job and all(row["CustomerRef"]["name"] == job for row in on_job)


def test_a_time_activity_created_updated_and_deleted_through_the_api(sandbox, qb):
    seeded = len(worked(ledger.BLUE_RIDGE))
    since = sandbox.control.now()["now_utc"]
    vendor = one(qb, "Vendor", "Labor Finders Asheville")
    job = one(qb, "Customer", ledger.ROOF)
    (labor,) = qb.query("SELECT * FROM Item WHERE Name = 'Labor'")["QueryResponse"]["Item"]
    body = {
        "NameOf": "Vendor",
        "VendorRef": {"value": vendor["Id"]},
        "CustomerRef": {"value": job["Id"]},
        "ItemRef": {"value": labor["Id"]},
        "BillableStatus": "NotBillable",
        "Hours": 8,
        "Minutes": 0,
        "CostRate": 20,
        "Description": "Temp crew: debris removal",
    }
    created = qb.create_object("TimeActivity", json.dumps(body))["TimeActivity"]
    assert (created["SyncToken"], created["VendorRef"]["name"]) == ("0", "Labor Finders Asheville")
    today = qbo_date(sandbox.control.now()["now"])
    assert created["TxnDate"] == today, "dated today when sent without a date"
    changed = f"WHERE MetaData.LastUpdatedTime >= '{since}'"
    assert [row["Id"] for row in activities(qb, changed)] == [created["Id"]]

    sandbox.control.advance_clock(60)
    sparse = {"Id": created["Id"], "SyncToken": "0", "sparse": True, "Hours": 6, "Minutes": 30}
    updated = qb.update_object("TimeActivity", json.dumps(sparse))["TimeActivity"]
    assert (updated["SyncToken"], updated["Hours"], updated["Minutes"]) == ("1", 6, 30)
    assert updated["CostRate"] == 20 and updated["Description"] == body["Description"], "the rest is kept"
    assert updated["MetaData"]["LastUpdatedTime"] > created["MetaData"]["LastUpdatedTime"]
    assert updated["MetaData"]["CreateTime"] == created["MetaData"]["CreateTime"]
    with pytest.raises(QuickbooksException) as raised:
        qb.update_object("TimeActivity", json.dumps(dict(sparse, Hours=7)))
    assert raised.value.error_code == 5010, "the SyncToken it sent is no longer the current one"

    full = dict(body, Id=created["Id"], SyncToken="1")
    del full["CostRate"]
    updated = qb.update_object("TimeActivity", json.dumps(full))["TimeActivity"]
    assert updated["SyncToken"] == "2" and "CostRate" not in updated, "a full update clears what is left out"
    (read,) = activities(qb, changed)
    assert (read["Id"], hours_of(read), read.get("CostRate")) == (created["Id"], 8, None)
    assert TimeActivity.get(created["Id"], qb=qb).Hours == 8

    deleted = qb.delete_object("TimeActivity", json.dumps({"Id": created["Id"], "SyncToken": "2"}))
    assert deleted["TimeActivity"]["status"] == "Deleted" and deleted["TimeActivity"]["Id"] == created["Id"]
    with pytest.raises(ObjectNotFoundException):
        TimeActivity.get(created["Id"], qb=qb)
    assert activities(qb, changed) == [], "a query no longer finds it"
    assert len(activities(qb)) == seeded
    state = sandbox.control.state(REALM_BLUE_RIDGE)["realms"][REALM_BLUE_RIDGE]
    assert [stone["Id"] for stone in state["deleted"]["TimeActivity"]] == [created["Id"]], "its tombstone"
    assert state["counts"]["TimeActivity"] == seeded
    again = qb.create_object("TimeActivity", json.dumps(body))["TimeActivity"]
    assert int(again["Id"]) == int(created["Id"]) + 1, "a deleted Id is not given again"

    # Change data capture does not cover time activities: what changed is found by query.
    for entities in ("TimeActivity", "Invoice,TimeActivity"):
        with pytest.raises(ValidationException) as raised:
            qb.change_data_capture(entities, since)
        assert raised.value.error_code == 2010 and "TimeActivity" in raised.value.detail


def test_summit_logs_no_time(sandbox_connect):
    assert activities(sandbox_connect(REALM_SUMMIT)) == []


def test_a_query_on_last_change_finds_the_new_activity_beside_the_recent_ones(sandbox, qb):
    """A time activity changed now is in a LastUpdatedTime query from before the change,
    written with any offset; the seeded ones of the last month are there beside it."""
    now = sandbox.control.now()["now"]
    body = {"NameOf": "Employee", "EmployeeRef": {"value": one(qb, "Employee", ledger.TYLER)["Id"]},
            "CustomerRef": {"value": one(qb, "Customer", ledger.KITCHEN)["Id"]}, "Hours": 2,
            "Description": "Equipment pickup"}
    qb.create_object("TimeActivity", json.dumps(body))
    eastern = timezone(timedelta(hours=-5))
    month_ago = datetime.fromtimestamp(now - 30 * DAY, eastern).isoformat(timespec="seconds")
    got = described(activities(qb, f"WHERE MetaData.LastUpdatedTime >= '{month_ago}'"))
    recent = {doc.description for doc in worked(ledger.BLUE_RIDGE) if doc.days < 30}
    assert got == recent | {"Equipment pickup"}
