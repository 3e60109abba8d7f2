"""push_jobs never puts two contacts of the host on one QuickBooks customer, however alike their names."""

import pytest

from chronicle_qbo_addon.services.errors import CUSTOMER_BOUND_ELSEWHERE
from chronicle_qbo_addon.services.push import JobPushRequest, push_jobs
from push_helpers import linked, qbo_customers, qbo_record
from push_helpers import named_as_quickbooks_compares as named

# Two people the host tells apart and a "{customer}" name template does not.
HANNAH = {"name": "Hannah Reyes", "ref": "C1042", "email": "hannah.reyes@example.com",
          "street": "12 Oak Street", "city": "Asheville", "state_code": "NC", "zip": "28801"}
OTHER_HANNAH = {"name": "Hannah Reyes", "ref": "C1043", "email": "h.reyes@example.net",
                "street": "48 Pine Road", "city": "Weaverville", "state_code": "NC", "zip": "28787"}
ALT_NAME = "Hannah Reyes - C1043"


def job_request(key, number, customer, contact, alt_name=None, **fields):
    return JobPushRequest(key=key, customer=dict(customer), customer_template="{customer}",
                          customer_key=contact, customer_alt_name=alt_name,
                          job={"number": number, "name": "Water loss", "description": "Rooms of %s" % key},
                          **fields)


def first_hannah(key="job-1", number="24-0101"):
    return job_request(key, number, HANNAH, "partner:1", "Hannah Reyes - C1042")


def other_hannah(key="job-2", number="24-0102", alt_name=ALT_NAME, customer=OTHER_HANNAH):
    return job_request(key, number, customer, "partner:2", alt_name)


def jobs_under(sandbox, realm, customer_id):
    return [row for row in qbo_customers(sandbox, realm)
            if (row.get("ParentRef") or {}).get("value") == customer_id]


def operations(result):
    return [event["operation"] for event in result.events]


def warnings(result):
    return [event for event in result.events if (event["operation"], event["level"]) == ("push", "warning")]


def test_a_second_contact_of_the_same_name_gets_its_own_customer(sandbox, realm, client):
    [first] = push_jobs(client, [first_hannah()])
    assert (first.state, first.customer_name) == ("synced", "Hannah Reyes")
    before = qbo_record(sandbox, realm, first.customer_id)
    bindings = {first.customer_id: "partner:1"}
    second_push = other_hannah()
    [second] = push_jobs(client, [second_push], customer_bindings=bindings)
    assert second.state == "synced", second.error
    assert second.customer_id != first.customer_id
    assert second.customer_name == ALT_NAME
    customer = qbo_record(sandbox, realm, second.customer_id)
    assert customer["DisplayName"] == ALT_NAME
    assert customer["BillAddr"]["Line1"] == "48 Pine Road"
    assert customer["PrimaryEmailAddr"]["Address"] == "h.reyes@example.net"
    assert [row["Id"] for row in jobs_under(sandbox, realm, second.customer_id)] == [second.job_id]
    assert qbo_record(sandbox, realm, first.customer_id) == before, "the first one's customer is left alone"
    assert jobs_under(sandbox, realm, first.customer_id) == [qbo_record(sandbox, realm, first.job_id)]
    [warning] = warnings(second)
    assert '"Hannah Reyes" belongs to another contact' in warning["message"]
    assert ALT_NAME in warning["message"]
    assert "link_customer" not in operations(second) and "update_customer" not in operations(second)
    bindings[second.customer_id] = "partner:2"
    [again] = push_jobs(client, [linked(second_push, second, force=True)], customer_bindings=bindings)
    assert (again.state, again.customer_id, again.customer_name) == ("synced", second.customer_id, ALT_NAME)
    assert warnings(again) == [], "a customer linked under its distinct name is simply kept"


def test_a_customer_found_by_the_e_mail_of_another_contact_is_not_taken(sandbox, realm, client):
    [first] = push_jobs(client, [first_hannah()])
    before = qbo_record(sandbox, realm, first.customer_id)
    # Another person who gives the same family e-mail address.
    spouse = dict(OTHER_HANNAH, name="Marco Reyes", email=HANNAH["email"])
    [second] = push_jobs(client, [other_hannah(customer=spouse)],
                         customer_bindings={first.customer_id: "partner:1"})
    assert second.state == "synced", second.error
    assert second.customer_id != first.customer_id and second.customer_name == "Marco Reyes"
    assert operations(second) == ["create_customer", "create_job"]
    assert qbo_record(sandbox, realm, second.customer_id)["BillAddr"]["Line1"] == "48 Pine Road"
    assert qbo_record(sandbox, realm, first.customer_id) == before


def test_a_contact_of_the_same_name_and_e_mail_gets_its_distinct_name(sandbox, realm, client):
    [first] = push_jobs(client, [first_hannah()])
    before = qbo_record(sandbox, realm, first.customer_id)
    twin = dict(OTHER_HANNAH, email=HANNAH["email"])
    [second] = push_jobs(client, [other_hannah(customer=twin)],
                         customer_bindings={first.customer_id: "partner:1"})
    assert (second.state, second.customer_name) == ("synced", ALT_NAME)
    assert second.customer_id != first.customer_id
    assert qbo_record(sandbox, realm, first.customer_id) == before


@pytest.mark.parametrize("alt_name", [None, ALT_NAME], ids=["no-distinct-name", "distinct-name-held-too"])
def test_a_name_held_by_other_contacts_fails_and_writes_nothing(sandbox, realm, client, alt_name):
    [first] = push_jobs(client, [first_hannah()])
    third = client.create("Customer", {"DisplayName": ALT_NAME,
                                       "PrimaryEmailAddr": {"Address": "hr@example.org"}})
    before = {row["Id"]: row for row in qbo_customers(sandbox, realm)}
    sandbox.control.reset_counters()
    [second] = push_jobs(client, [other_hannah(alt_name=alt_name)],
                         customer_bindings={first.customer_id: "partner:1", third["Id"]: "partner:3"})
    holder = third if alt_name else qbo_record(sandbox, realm, first.customer_id)
    assert second.state == "error" and (second.customer_id, second.job_id) == (None, None)
    error = second.error
    assert (error.code, error.retryable, error.detail) == (CUSTOMER_BOUND_ELSEWHERE, False, holder["Id"])
    assert 'QuickBooks customer "%s" (Id %s) belongs to another contact.' % (
        holder["DisplayName"], holder["Id"]) in error.message
    assert operations(second) == ["push"], "nothing is created, linked or updated"
    assert sandbox.control.counters()["writes"] == 0
    assert {row["Id"]: row for row in qbo_customers(sandbox, realm)} == before


@pytest.mark.parametrize("alt_name", [ALT_NAME, None], ids=["distinct-name", "no-distinct-name"])
def test_same_named_contacts_of_one_push_get_one_customer_each(sandbox, realm, client, alt_name):
    shouting = dict(OTHER_HANNAH, name="HANNAH REYES")  # QuickBooks' names ignore case: one name
    sandbox.control.reset_counters()
    first, second, third = push_jobs(client, [
        first_hannah(), other_hannah(alt_name=alt_name, customer=shouting), first_hannah("job-3", "24-0103")])
    assert (first.state, third.state) == ("synced", "synced")
    assert first.customer_id == third.customer_id, "jobs of one contact share its customer"
    [hannah] = named(sandbox, realm, "Hannah Reyes")
    assert hannah["Id"] == first.customer_id and hannah["BillAddr"]["Line1"] == "12 Oak Street"
    assert hannah["PrimaryEmailAddr"]["Address"] == "hannah.reyes@example.com"
    assert {row["Id"] for row in jobs_under(sandbox, realm, hannah["Id"])} == {first.job_id, third.job_id}
    if alt_name:
        assert (second.state, second.customer_name) == ("synced", ALT_NAME)
        assert qbo_record(sandbox, realm, second.customer_id)["BillAddr"]["Line1"] == "48 Pine Road"
        assert len(warnings(second)) == 1 and warnings(first) == []
    else:
        assert second.state == "error" and (second.customer_id, second.job_id) == (None, None)
        assert (second.error.code, second.error.retryable, second.error.detail) == (
            CUSTOMER_BOUND_ELSEWHERE, False, "job-1")
        assert operations(second) == ["push"]
    counters = sandbox.control.counters()
    assert (counters["writes"], counters["faults"]) == (5 if alt_name else 3, 0), "no 6240 on the way"


def test_jobs_of_one_contact_keep_sharing_its_customer(sandbox, realm, client):
    first, second = push_jobs(client, [first_hannah(), first_hannah("job-2", "24-0102")])
    assert first.customer_id == second.customer_id
    assert operations(second) == ["create_job"]
    [later] = push_jobs(client, [first_hannah("job-3", "24-0103")],
                        customer_bindings={first.customer_id: "partner:1"})
    assert (later.state, later.customer_id) == ("synced", first.customer_id)
    assert later.customer_name == "Hannah Reyes"
    assert operations(later) == ["link_customer", "create_job"] and warnings(later) == []
    assert len(named(sandbox, realm, "Hannah Reyes")) == 1


@pytest.mark.parametrize("alt_name", [ALT_NAME, None], ids=["distinct-name", "no-distinct-name"])
def test_a_customer_bound_to_another_contact_is_not_adopted_after_a_duplicate_name(sandbox, realm, client,
                                                                                   alt_name):
    [first] = push_jobs(client, [first_hannah()])
    before = qbo_record(sandbox, realm, first.customer_id)
    real_query = client.query

    def look_up_before_a_colleague(statement, params=None):
        # The look-up answers as if the first customer were made just after it: the create meets a 6240.
        rows = real_query(statement, params)
        if "DisplayName IN (" not in statement:
            return rows
        return [row for row in rows if row["Id"] != first.customer_id]

    client.query = look_up_before_a_colleague
    bindings = {first.customer_id: "partner:1"}
    push = other_hannah(alt_name=alt_name)
    [second] = push_jobs(client, [push], customer_bindings=bindings)
    assert second.state == "error" and (second.customer_id, second.job_id) == (None, None)
    error = second.error
    assert (error.code, error.detail) == (CUSTOMER_BOUND_ELSEWHERE, first.customer_id)
    assert error.retryable is bool(alt_name), "with a distinct name, the next push takes it"
    assert "link_customer" not in operations(second)
    assert qbo_record(sandbox, realm, first.customer_id) == before
    assert jobs_under(sandbox, realm, first.customer_id) == [qbo_record(sandbox, realm, first.job_id)]
    assert len(named(sandbox, realm, "Hannah Reyes")) == 1
    if alt_name:
        client.query = real_query
        [again] = push_jobs(client, [push], customer_bindings=bindings)
        assert (again.state, again.customer_name) == ("synced", ALT_NAME)
        assert qbo_record(sandbox, realm, first.customer_id) == before
