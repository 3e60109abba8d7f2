"""push_jobs against the local sandbox: few requests for many jobs, and every rule of the push per job
(the rules for one job alone: test_services_push_rules)."""
import dataclasses
import threading

import pytest

from chronicle_qbo_addon.services import reads
from chronicle_qbo_addon.services.client import QboAuthError
from chronicle_qbo_addon.services.push import JobPushRequest, push_jobs
from push_helpers import colleague_creates_first, linked, qbo_customers


def job_request(number, customer=None, **fields):
    customer = customer or {"name": "Customer %s" % number, "ref": "C-%s" % number}
    return JobPushRequest(key="job-%s" % number, customer=customer,
                          job={"number": number, "name": "Water loss", "description": "Room %s" % number},
                          **fields)


def named(sandbox, realm, name):
    return [row for row in qbo_customers(sandbox, realm) if row["DisplayName"] == name]


def requests_sent(sandbox):
    return sum(sandbox.control.counters()["requests"].values())


def operations(result):
    return [event["operation"] for event in result.events]


def test_new_jobs_cost_a_few_batch_requests(sandbox, realm, client):
    pushes = [job_request("24-%04d" % i, customer={"name": "Owner %d" % (i // 2), "ref": str(i // 2),
                                                    "email": "owner%d@example.com" % (i // 2)})
              for i in range(60)]
    sandbox.control.reset_counters()
    results = push_jobs(client, pushes)
    assert [result.state for result in results] == ["synced"] * 60
    counters = sandbox.control.counters()
    assert counters["writes"] == 90 and requests_sent(sandbox) <= 6, counters["requests"]
    assert counters["requests"]["POST batch"] >= 3
    customers = {row["Id"]: row for row in qbo_customers(sandbox, realm)}
    for push, result in zip(pushes, results):
        job = customers[result.job_id]
        assert job["ParentRef"]["value"] == result.customer_id and job["Job"] is True
        assert job["DisplayName"] == result.job_name == "%s - Water loss" % push.job["number"]
        assert customers[result.customer_id]["DisplayName"] == result.customer_name
    assert results[0].customer_id == results[1].customer_id
    assert operations(results[0]) == ["create_customer", "create_job"]
    assert operations(results[1]) == ["create_job"], "the customer is created once, for its first job"
    assert all(event["request_id"] and event["intuit_tid"] for event in results[0].events)


def test_unchanged_jobs_cost_nothing_and_edits_cost_one_read_and_one_write(sandbox, realm, client):
    pushes = [job_request("24-%04d" % i) for i in range(20)]
    first = push_jobs(client, pushes)
    again = [linked(push, result) for push, result in zip(pushes, first)]
    sandbox.control.reset_counters()
    assert {result.state for result in push_jobs(client, again)} == {"unchanged"}
    assert requests_sent(sandbox) == 0
    edited = [dataclasses.replace(push, job=dict(push.job, name="Fire loss")) if i % 4 == 0 else push
              for i, push in enumerate(again)]
    results = push_jobs(client, edited)
    counters = sandbox.control.counters()
    assert counters["writes"] == 5 and counters["requests"] == {"POST query": 1, "POST batch": 1}
    assert [operations(results[i]) for i in (0, 1)] == [["update_job"], []]
    assert int(results[0].job_sync_token) == int(first[0].job_sync_token) + 1
    assert named(sandbox, realm, "24-0000 - Fire loss")[0]["Notes"] == "Room 24-0000"


def test_the_rules_of_the_push_hold_for_each_job_of_many(sandbox, realm, client):
    pushes = [
        job_request("1", customer={"name": "Margaret Hollis", "ref": "1001"}),
        job_request("2", customer={"name": "Maggie Hollis", "ref": "77", "email": "MHollis@example.com"}),
        job_request("3", customer={"name": "Henderson Family Trust", "ref": "1005", "is_company": True}),
        dataclasses.replace(job_request("4", customer={"name": "Margaret Hollis", "ref": "1001"}),
                            job={"number": "24-0131", "name": "Drywall and cabinet rebuild"}),
        job_request("5", customer={"name": "Ferguson Plumbing Supply", "is_company": True},
                    customer_template="{customer}"),
        dataclasses.replace(job_request("6", customer={"name": "Daniel Reyes", "ref": "1003"}),
                            job={"number": "24-0117", "name": "Water mitigation, kitchen supply line"}),
        job_request("7", customer={"name": "Seán O'Brien: rentals\tNC", "ref": "1300"}),
        job_request("8", customer={"name": ": :"}),
    ]
    results = {result.key: result for result in push_jobs(client, pushes)}
    margaret = named(sandbox, realm, "Margaret Hollis - 1001")[0]
    assert results["job-1"].customer_id == margaret["Id"]
    assert operations(results["job-1"])[0] == "link_customer"
    assert results["job-2"].customer_id == margaret["Id"], "found by its e-mail, the same customer"
    assert results["job-2"].customer_name == "Margaret Hollis - 1001"
    henderson = named(sandbox, realm, "Henderson Family Trust - 1005")[0]
    assert henderson["Active"] is True and "update_customer" in operations(results["job-3"])
    assert "link_job" in operations(results["job-4"]) and results["job-4"].state == "synced"
    assert len(named(sandbox, realm, "24-0131 - Drywall and cabinet rebuild")) == 1
    assert results["job-5"].state == "error" and "a vendor" in results["job-5"].error.message
    assert results["job-6"].state == "error"
    assert 'a job under "Margaret Hollis - 1001"' in results["job-6"].error.message
    assert results["job-6"].customer_id, "the customer resolved before the failure is kept"
    assert results["job-7"].customer_name == "Seán O'Brien rentals NC - 1300"
    assert (results["job-8"].state, results["job-8"].error.code) == ("error", "invalid_data")
    again = [linked(push, results[push.key], force=True) for push in pushes[:4] + pushes[6:7]]
    assert {result.state for result in push_jobs(client, again)} == {"synced"}
    assert len(named(sandbox, realm, "Seán O'Brien rentals NC - 1300")) == 1


def test_links_to_deleted_records_are_forgotten(client):
    [result] = push_jobs(client, [job_request("1", customer_id="99999", job_id="99998", payload_hash="old")])
    assert result.state == "synced"
    assert operations(result)[:2] == ["unlink_customer", "unlink_job"]
    assert result.customer_id != "99999" and result.job_id != "99998"


def test_stale_object_in_a_batch_is_read_again_and_written_once_more(sandbox, realm, client):
    pushes = [job_request("24-%04d" % i) for i in range(3)]
    first = push_jobs(client, pushes)
    real_batch = client.batch

    def batch_after_the_bookkeeper(items, request_id=None):
        if any(item.get("operation") == "update" for item in items) and not client.batch.raced:
            client.batch.raced = True
            current = client.read("Customer", first[0].job_id)
            client.update("Customer", {"Id": current["Id"], "SyncToken": current["SyncToken"], "sparse": True,
                                       "Mobile": {"FreeFormNumber": "(828) 555-0111"}})
        return real_batch(items, request_id)

    batch_after_the_bookkeeper.raced = False
    client.batch = batch_after_the_bookkeeper
    results = push_jobs(client, [linked(push, result, job=dict(push.job, name="Fire loss"))
                                 for push, result in zip(pushes, first)])
    assert [result.state for result in results] == ["synced"] * 3
    assert [(e["operation"], e["level"]) for e in results[0].events] == [("update_job", "warning"),
                                                                         ("update_job", "info")]
    job = named(sandbox, realm, "24-0000 - Fire loss")[0]
    assert job["Mobile"]["FreeFormNumber"] == "(828) 555-0111"
    assert job["SyncToken"] == results[0].job_sync_token


def test_duplicate_name_on_create_in_a_batch_links_the_record(sandbox, realm, client):
    made = colleague_creates_first(client, "Customer 2 - C-2")
    results = push_jobs(client, [job_request(str(i)) for i in range(5)])
    assert [result.state for result in results] == ["synced"] * 5
    assert results[2].customer_id == made[0]
    [link] = [event for event in results[2].events if event["operation"] == "link_customer"]
    assert "already existed" in link["message"]
    assert len(named(sandbox, realm, "Customer 2 - C-2")) == 1


def test_lost_batch_answer_is_replayed_not_written_twice(sandbox, realm, client):
    sandbox.control.inject_fault("drop_after_write", times=1, path="/batch")
    results = push_jobs(client, [job_request(str(i)) for i in range(40)])
    assert {result.state for result in results} == {"synced"}
    assert sandbox.control.counters()["replays"] == 1
    names = [row["DisplayName"] for row in qbo_customers(sandbox, realm)]
    assert len(names) == len(set(names)) and sum(name.startswith("Customer ") for name in names) == 40


def test_a_failing_batch_leaves_only_its_jobs_for_the_next_push(sandbox, realm, client):
    client.max_retries = 0
    sandbox.control.inject_fault("503", times=1, path="/batch")
    pushes = [job_request(str(i)) for i in range(40)]
    results = push_jobs(client, pushes)
    failed = [result for result in results if result.state == "error"]
    assert 1 <= len(failed) <= 30 and all(result.error.retryable for result in failed)
    assert all(result.state == "synced" for result in results if result not in failed)
    client.max_retries = 4
    again = [push if result.state == "error" else linked(push, result)
             for push, result in zip(pushes, results)]
    assert {result.state for result in push_jobs(client, again)} == {"synced", "unchanged"}
    names = [row["DisplayName"] for row in qbo_customers(sandbox, realm)]
    assert len(names) == len(set(names)) and sum(name.startswith("Customer ") for name in names) == 40


def test_batch_request_ids_follow_the_operations_and_the_revision(sandbox, client):
    client.max_retries = 0
    real_batch = client.batch
    sent = []

    def recording_batch(items, request_id=None):
        sent.append(request_id)
        return real_batch(items, request_id)

    client.batch = recording_batch
    sandbox.control.inject_fault("503", times=3, path="/batch")
    for revision in ("r1", "r1", "r2"):
        push_jobs(client, [job_request(str(i), revision=revision) for i in range(3)])
    assert sent[0] == sent[1] != sent[2]


def test_token_refresh_is_saved_on_the_calling_thread(sandbox, client):
    saved = []
    client.on_tokens = lambda tokens: saved.append((threading.current_thread(), tokens.access_token))
    sandbox.control.inject_fault("expire_access_token", times=1)
    results = push_jobs(client, [job_request(str(i)) for i in range(40)])
    assert {result.state for result in results} == {"synced"}
    assert [thread for thread, _token in saved] == [threading.current_thread()]
    assert client.tokens.access_token == saved[0][1]


def test_fresh_token_refused_leaves_the_jobs_for_the_next_run(sandbox, realm, client):
    sandbox.control.inject_fault("expire_access_token", times=3)
    pushes = [job_request(str(i)) for i in range(3)]
    results = push_jobs(client, pushes)
    assert [(result.state, result.error.retryable) for result in results] == [("error", True)] * 3
    assert "freshly refreshed access token" in results[0].error.message
    assert {result.state for result in push_jobs(client, pushes)} == {"synced"}
    assert len(named(sandbox, realm, "0 - Water loss")) == 1


def test_refused_authorization_stops_the_push(sandbox, client):
    sandbox.control.inject_fault("expire_access_token", times=1)
    sandbox.control.inject_fault("revoke_refresh_token", times=1)
    with pytest.raises(QboAuthError):
        push_jobs(client, [job_request(str(i)) for i in range(3)])


def test_lookups_page_through_long_answers(sandbox, realm, client, monkeypatch):
    monkeypatch.setattr(reads, "PAGE_SIZE", 2)
    pushes = [job_request(str(i), customer={"name": "Shared %d" % i, "email": "adjuster@example.com"})
              for i in range(5)]
    push_jobs(client, pushes[:3])
    adjuster = {"name": "Adjuster", "email": "adjuster@example.com"}
    results = push_jobs(client, [job_request("9", customer=adjuster)])
    assert results[0].state == "synced" and "create_customer" in operations(results[0]), \
        "three customers share the e-mail: none is picked"
    assert named(sandbox, realm, "Adjuster")
