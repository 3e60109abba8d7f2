"""push_jobs never puts two jobs of the host on one QuickBooks job, however alike their names."""

import pytest

from chronicle_qbo_addon.services.errors import JOB_LINKED_ELSEWHERE
from chronicle_qbo_addon.services.push import JobPushRequest, push_jobs
from push_helpers import linked, qbo_customers, qbo_record
from push_helpers import named_as_quickbooks_compares as jobs_named

NADIA = {"name": "Nadia Okafor", "ref": "1200"}
LONG = "Water mitigation " + "x" * 90
# Jobs the host tells apart and QuickBooks does not: its names ignore case, the bridge makes a
# colon a space, and long names are cut within 100 characters.
TWINS = [
    pytest.param(("A-101", "Water loss"), ("a-101", "Water loss"), id="case"),
    pytest.param(("24:0101", "Water loss"), ("24 0101", "Water loss"), id="colon"),
    pytest.param(("24-0101", LONG + " kitchen"), ("24-0101", LONG + " basement"), id="cut"),
]


def job_request(key, number, name, customer=NADIA, **fields):
    return JobPushRequest(key=key, customer=dict(customer),
                          job={"number": number, "name": name, "description": "Rooms of %s" % key}, **fields)


def operations(result):
    return [event["operation"] for event in result.events]


@pytest.mark.parametrize("first_job, second_job", TWINS)
def test_a_job_linked_to_another_job_is_not_taken_by_name(sandbox, realm, client, first_job, second_job):
    first_push = job_request("job-1", *first_job)
    [first] = push_jobs(client, [first_push])
    assert first.state == "synced", first.error
    before = qbo_record(sandbox, realm, first.job_id)
    [second] = push_jobs(client, [job_request("job-2", *second_job)], taken_job_ids=frozenset({first.job_id}))
    assert second.state == "error" and second.job_id is None
    error = second.error
    assert (error.code, error.retryable, error.detail) == (JOB_LINKED_ELSEWHERE, False, first.job_id)
    assert "is already linked to another job" in error.message and first.job_name in error.message
    assert "link_job" not in operations(second) and "update_job" not in operations(second)
    assert qbo_record(sandbox, realm, first.job_id) == before, "the other job's QuickBooks job is left alone"
    assert second.customer_id == first.customer_id, "the customer is shared, only the job is refused"
    [again] = push_jobs(client, [linked(first_push, first, force=True)],
                        taken_job_ids=frozenset({first.job_id}))
    assert (again.state, again.job_id) == ("synced", first.job_id), "a job keeps its own QuickBooks job"


def test_a_job_linked_to_another_job_is_not_adopted_after_a_duplicate_name(sandbox, realm, client):
    [first] = push_jobs(client, [job_request("job-1", "A-101", "Water loss")])
    before = qbo_record(sandbox, realm, first.job_id)
    real_query = client.query

    def look_up_before_a_colleague(statement, params=None):
        # The look-up answers as if the first job were made just after it: the create meets a 6240.
        rows = real_query(statement, params)
        return [row for row in rows if row["Id"] != first.job_id] if "DisplayName IN (" in statement else rows

    client.query = look_up_before_a_colleague
    [second] = push_jobs(client, [job_request("job-2", "a-101", "Water loss")],
                         taken_job_ids=frozenset({first.job_id}))
    assert second.state == "error" and second.job_id is None
    assert (second.error.code, second.error.detail) == (JOB_LINKED_ELSEWHERE, first.job_id)
    assert "link_job" not in operations(second)
    assert qbo_record(sandbox, realm, first.job_id) == before
    assert len(jobs_named(sandbox, realm, first.job_name)) == 1


@pytest.mark.parametrize("first_job, second_job", TWINS)
def test_jobs_of_one_push_that_share_a_quickbooks_name_go_first_come(sandbox, realm, client,
                                                                     first_job, second_job):
    shouting = {"name": "NADIA OKAFOR", "ref": "1200"}  # QuickBooks' names ignore case: one customer
    sandbox.control.reset_counters()
    first, second = push_jobs(client, [job_request("job-1", *first_job),
                                       job_request("job-2", *second_job, customer=shouting)])
    # The colon and cut twins are also warned of their name: only the writes are counted here.
    writes = [event["operation"] for event in first.events if event["level"] == "info"]
    assert (first.state, writes) == ("synced", ["create_customer", "create_job"])
    assert second.state == "error" and second.job_id is None
    assert (second.error.code, second.error.retryable, second.error.detail) == (JOB_LINKED_ELSEWHERE, False,
                                                                                 "job-1")
    assert second.customer_id == first.customer_id
    assert operations(second) == ["push"], "nothing is created, linked or updated for the second job"
    counters = sandbox.control.counters()
    assert (counters["writes"], counters["faults"]) == (2, 0)
    assert [row["Id"] for row in jobs_named(sandbox, realm, first.job_name)] == [first.job_id]


def test_a_job_of_the_push_keeps_its_quickbooks_job_from_a_new_twin(sandbox, realm, client):
    first_push = job_request("job-1", "A-101", "Water loss")
    [first] = push_jobs(client, [first_push])
    # The host forgot to say the job is taken; the twin even comes first in the push.
    twin, again = push_jobs(client, [job_request("job-2", "a-101", "Water loss"),
                                     linked(first_push, first, force=True)])
    assert (again.state, again.job_id) == ("synced", first.job_id)
    assert (twin.state, twin.error.code, twin.job_id) == ("error", JOB_LINKED_ELSEWHERE, None)
    assert qbo_record(sandbox, realm, first.job_id)["Notes"] == "Rooms of job-1"
