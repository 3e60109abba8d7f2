"""push_jobs tells the person when a name QuickBooks gets is not the name as typed, once."""
import dataclasses

from chronicle_qbo_addon.services.push import JobPushRequest, push_jobs
from push_helpers import colleague_creates_first, linked, qbo_record

# 120 characters: with its number, a job name of 130 that a cut at 100 would split inside "flooring".
LONG_JOB_NAME = ("Basement water loss after the supply line to the upstairs laundry failed, drywall, "
                 "flooring and cabinets in the basement")
LIMITS = "(QuickBooks allows no colon, tab or line break, and at most 100 characters)."


def job_request(key, number, name="Water loss", customer=None, **fields):
    customer = customer or {"name": "Nadia Okafor", "ref": "1200"}
    return JobPushRequest(key=key, customer=dict(customer),
                          job={"number": number, "name": name, "description": "Rooms of %s" % key}, **fields)



def notices(result):
    return [event for event in result.events if (event["operation"], event["level"]) == ("push", "warning")]


def test_a_colon_in_the_customer_and_job_names_is_told_on_create(sandbox, realm, client):
    customer = {"name": "Seán O'Brien: rentals", "ref": "1300"}
    [result] = push_jobs(client, [job_request("job-1", "24:0137", customer=customer)])
    assert result.state == "synced", result.error
    assert [(event["message"], event["qbo_id"]) for event in notices(result)] == [
        ('The customer name was changed to fit QuickBooks: "Seán O\'Brien: rentals - 1300" became '
         '"Seán O\'Brien rentals - 1300" %s' % LIMITS, result.customer_id),
        ('The job name was changed to fit QuickBooks: "24:0137 - Water loss" became '
         '"24 0137 - Water loss" %s' % LIMITS, result.job_id),
    ]
    assert [event["operation"] for event in result.events] == [
        "create_customer", "push", "create_job", "push"], "each told after its write"
    assert qbo_record(sandbox, realm, result.customer_id)["DisplayName"] == "Seán O'Brien rentals - 1300"
    assert qbo_record(sandbox, realm, result.job_id)["DisplayName"] == result.job_name
    assert result.job_name == "24 0137 - Water loss"


def test_a_long_job_name_is_cut_at_a_word_and_told(sandbox, realm, client):
    [result] = push_jobs(client, [job_request("job-1", "24-0137", LONG_JOB_NAME)])
    sent = "24-0137 - Basement water loss after the supply line to the upstairs laundry failed, drywall"
    assert result.state == "synced", result.error
    assert qbo_record(sandbox, realm, result.job_id)["DisplayName"] == result.job_name == sent
    [notice] = notices(result)
    assert notice["message"] == (
        'The job name was changed to fit QuickBooks: "24-0137 - %s" became "%s" %s' % (
            LONG_JOB_NAME, sent, LIMITS))
    assert notice["qbo_id"] == result.job_id


def test_names_that_fit_are_not_told(client):
    spaced = {"name": "Nadia  Okafor", "ref": "1200"}  # two spaces made one: the names read the same
    results = push_jobs(client, [job_request("job-1", "24-0101"),
                                 job_request("job-2", "24-0102", customer=spaced)])
    assert [result.state for result in results] == ["synced"] * 2
    assert [notices(result) for result in results] == [[], []]
    assert [result.customer_name for result in results] == ["Nadia Okafor - 1200"] * 2


def test_a_change_is_told_once_not_on_pushes_that_send_no_name(sandbox, client):
    push = job_request("job-1", "24:0137", LONG_JOB_NAME)
    [first] = push_jobs(client, [push])
    assert len(notices(first)) == 1
    sandbox.control.reset_counters()
    [unchanged] = push_jobs(client, [linked(push, first)])
    assert (unchanged.state, unchanged.events) == ("unchanged", [])
    assert sum(sandbox.control.counters()["requests"].values()) == 0, "an unchanged job still costs nothing"
    [forced] = push_jobs(client, [linked(push, first, force=True)])
    assert forced.state == "synced" and notices(forced) == [], "the name QuickBooks has is not sent again"
    described = dataclasses.replace(push, job=dict(push.job, description="Rooms 1 and 2"))
    [edited] = push_jobs(client, [linked(described, first)])
    assert [event["operation"] for event in edited.events] == ["update_job"]
    assert "Notes" in edited.events[0]["message"] and notices(edited) == []


def test_a_renamed_job_is_told_when_its_new_name_is_sent(sandbox, realm, client):
    push = job_request("job-1", "24-0137")
    [first] = push_jobs(client, [push])
    assert notices(first) == []
    renamed = dataclasses.replace(push, job=dict(push.job, name="Kitchen:\tcabinets"))
    [second] = push_jobs(client, [linked(renamed, first)])
    assert [event["operation"] for event in second.events] == ["update_job", "push"]
    assert notices(second)[0]["message"] == (
        'The job name was changed to fit QuickBooks: "24-0137 - Kitchen:\tcabinets" became '
        '"24-0137 - Kitchen cabinets" %s' % LIMITS)
    assert qbo_record(sandbox, realm, first.job_id)["DisplayName"] == "24-0137 - Kitchen cabinets"
    [again] = push_jobs(client, [linked(renamed, second)])
    assert (again.state, again.events) == ("unchanged", [])


def test_the_customer_change_is_told_to_the_jobs_that_create_it(client):
    customer = {"name": "Blue Ridge: rentals", "ref": "77"}
    first, second = push_jobs(client, [job_request("job-1", "24-0101", customer=customer),
                                       job_request("job-2", "24-0102", customer=customer)])
    assert first.customer_id == second.customer_id
    for result in (first, second):
        [notice] = notices(result)
        assert notice["message"].startswith('The customer name was changed to fit QuickBooks: "Blue Ridge: '
                                            'rentals - 77" became "Blue Ridge rentals - 77"')
    [later] = push_jobs(client, [job_request("job-3", "24-0103", customer=customer)])
    assert later.customer_id == first.customer_id
    assert "link_customer" in [event["operation"] for event in later.events]
    assert notices(later) == [], "the customer found by name was not written"


def test_a_create_that_meets_its_name_and_links_the_holder_is_told_too(client):
    made = colleague_creates_first(client, "Blue Ridge rentals - 77")
    # A second customer makes the creates one batch request, which the colleague comes before.
    result, _other = push_jobs(client, [
        job_request("job-1", "24-0101", customer={"name": "Blue Ridge: rentals", "ref": "77"}),
        job_request("job-2", "24-0102")])
    assert (result.state, result.customer_id) == ("synced", made[0])
    assert [event["operation"] for event in result.events] == ["link_customer", "push", "create_job"]
    assert notices(result)[0]["qbo_id"] == made[0]
