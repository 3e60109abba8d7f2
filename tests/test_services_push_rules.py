"""The rules of push_jobs for one job at a time, against the local sandbox's seeded companies."""
from chronicle_qbo_addon.services.push import JobPushRequest, push_jobs
from push_helpers import linked

CUSTOMER = {"name": "Nadia Okafor", "ref": "1200", "is_company": False, "first_name": "Nadia",
            "last_name": "Okafor", "street": "7 Tunnel Rd", "city": "Asheville", "state_code": "NC",
            "zip": "28805", "country_code": "US", "email": "nadia@example.com", "phone": "(828) 555-0199"}
JOB = {"number": "24-0300", "name": "Basement water loss", "description": "Sump pump failure, 2 rooms.",
       "site": {"street": "7 Tunnel Rd", "city": "Asheville", "state_code": "NC", "zip": "28805"}}


def request(customer=None, job=None, **fields):
    return JobPushRequest(key="project.project,42", customer=dict(CUSTOMER, **(customer or {})),
                          job=dict(JOB, **(job or {})), **fields)


def push(client, job_request):
    [result] = push_jobs(client, [job_request])
    return result


def customers(sandbox, realm, name=None):
    rows = sandbox.control.state(realm)["realms"][realm]["customers"]
    return [row for row in rows if name is None or row["DisplayName"] == name]


def total_requests(sandbox):
    return sum(sandbox.control.counters()["requests"].values())


def operations(result):
    return [event["operation"] for event in result.events]


def test_new_job_creates_customer_and_job_then_unchanged_costs_nothing(sandbox, realm, client):
    first_push = request()
    result = push(client, first_push)
    assert (result.state, result.error) == ("synced", None)
    assert (result.customer_name, result.job_name) == ("Nadia Okafor - 1200", "24-0300 - Basement water loss")
    assert operations(result) == ["create_customer", "create_job"]
    assert all(event["request_id"] and event["intuit_tid"] for event in result.events)
    [job] = customers(sandbox, realm, "24-0300 - Basement water loss")
    assert (job["Job"], job["ParentRef"]["value"], job["BillWithParent"]) == (True, result.customer_id, True)
    assert job["FullyQualifiedName"] == "Nadia Okafor - 1200:24-0300 - Basement water loss"
    assert job["ShipAddr"]["Line1"] == "7 Tunnel Rd" and job["Notes"] == JOB["description"]

    before = total_requests(sandbox)
    again = push(client, linked(first_push, result))
    assert again.state == "unchanged" and again.events == []
    assert (again.customer_id, again.job_id, again.payload_hash) == (result.customer_id, result.job_id,
                                                                      result.payload_hash)
    assert total_requests(sandbox) == before


def test_changed_job_is_updated_sparsely_and_alone(sandbox, realm, client):
    first_push = request()
    first = push(client, first_push)
    sandbox.control.reset_counters()
    result = push(client, linked(first_push, first, job=dict(JOB, description="Sump pump failure, 3 rooms.")))
    assert result.state == "synced" and operations(result) == ["update_job"]
    assert "Notes" in result.events[0]["message"] and result.events[0]["request_id"]
    assert sandbox.control.counters()["writes"] == 1
    assert result.customer_sync_token == first.customer_sync_token
    assert int(result.job_sync_token) == int(first.job_sync_token) + 1
    assert result.payload_hash != first.payload_hash
    assert customers(sandbox, realm, result.job_name)[0]["Notes"] == "Sump pump failure, 3 rooms."


def test_customer_found_by_name_gets_the_job(sandbox, realm, client):
    margaret = {"name": "Margaret Hollis", "ref": "1001", "first_name": "Margaret", "last_name": "Hollis",
                "email": "mhollis@example.com"}
    result = push(client, request(customer=margaret))
    assert result.state == "synced"
    assert (result.customer_id, result.customer_name) == ("1", "Margaret Hollis - 1001")
    assert operations(result)[0] == "link_customer" and "create_customer" not in operations(result)
    assert len(customers(sandbox, realm, "Margaret Hollis - 1001")) == 1


def test_customer_found_by_email_keeps_its_quickbooks_name(client):
    maggie = {"name": "Maggie Hollis", "ref": "77", "email": "MHollis@example.com"}
    result = push(client, request(customer=maggie))
    assert result.state == "synced"
    assert (result.customer_id, result.customer_name) == ("1", "Margaret Hollis - 1001")
    assert "by e-mail" in result.events[0]["message"]


def test_inactive_customer_is_found_and_made_active(sandbox, realm, client):
    trust = {"name": "Henderson Family Trust", "ref": "1005", "is_company": True, "email": False}
    result = push(client, request(customer=trust))
    assert result.state == "synced", result.error
    [customer] = customers(sandbox, realm, "Henderson Family Trust - 1005")
    assert customer["Active"] is True and customer["Id"] == result.customer_id
    assert operations(result) == ["link_customer", "update_customer", "create_job"]


def test_links_to_deleted_records_are_forgotten(client):
    result = push(client, request(customer_id="99999", job_id="99998", payload_hash="old"))
    assert result.state == "synced"
    assert operations(result)[:2] == ["unlink_customer", "unlink_job"]
    assert "create_customer" in operations(result) and "create_job" in operations(result)
    assert result.customer_id != "99999" and result.job_id != "99998"


def test_existing_job_under_its_customer_is_linked(sandbox, realm, client):
    margaret = {"name": "Margaret Hollis", "ref": "1001", "email": "mhollis@example.com"}
    job = {"number": "24-0131", "name": "Drywall and cabinet rebuild", "description": False, "site": None}
    result = push(client, request(customer=margaret, job=job))
    assert result.state == "synced"
    assert "link_job" in operations(result) and "create_job" not in operations(result)
    assert len(customers(sandbox, realm, "24-0131 - Drywall and cabinet rebuild")) == 1


def test_stale_object_is_read_again_and_written_once_more(sandbox, realm, client):
    first_push = request()
    first = push(client, first_push)
    real_update = client.update
    raced, sent_ids = [], []

    def update_after_the_bookkeeper(entity, payload, request_id=None):
        sent_ids.append(request_id)
        if not raced:
            raced.append(payload["Id"])
            current = client.read(entity, payload["Id"])
            real_update(entity, {"Id": payload["Id"], "SyncToken": current["SyncToken"], "sparse": True,
                                 "Mobile": {"FreeFormNumber": "(828) 555-0111"}})
        return real_update(entity, payload, request_id)

    client.update = update_after_the_bookkeeper
    result = push(client, linked(first_push, first, job=dict(JOB, description="Now 3 rooms.")))
    assert result.state == "synced", result.error
    assert [(e["operation"], e["level"]) for e in result.events] == [
        ("update_job", "warning"), ("update_job", "info")]
    assert len(set(sent_ids)) == 2 and result.events[1]["request_id"] == sent_ids[-1], \
        "the write after the read again has its own request id"
    [job] = customers(sandbox, realm, result.job_name)
    assert job["Notes"] == "Now 3 rooms." and job["Mobile"]["FreeFormNumber"] == "(828) 555-0111"
    assert job["SyncToken"] == result.job_sync_token


def test_name_held_by_a_vendor_fails_clearly(sandbox, realm, client):
    result = push(client, request(customer={"name": "Ferguson Plumbing Supply", "is_company": True},
                                  customer_template="{customer}"))
    assert result.state == "error" and result.error.code == "6240"
    assert "a vendor" in result.error.message and result.error.intuit_tid
    assert result.error.params == {"name": "Ferguson Plumbing Supply", "holder": "vendor", "parent": None}
    assert result.events[-1]["level"] == "error"
    assert result.events[-1]["intuit_tid"] == result.error.intuit_tid
    assert result.customer_id is None and not customers(sandbox, realm, "Ferguson Plumbing Supply")


def test_job_name_under_another_customer_fails_clearly(sandbox, realm, client):
    daniel = {"name": "Daniel Reyes", "ref": "1003", "email": False}
    job = {"number": "24-0117", "name": "Water mitigation, kitchen supply line"}
    result = push(client, request(customer=daniel, job=job))
    assert result.state == "error" and result.error.code == "6240"
    assert 'a job under "Margaret Hollis - 1001"' in result.error.message
    assert result.error.params == {"name": "24-0117 - Water mitigation, kitchen supply line", "holder": "job",
                                   "parent": "Margaret Hollis - 1001"}
    # the customer was resolved before the failure: the host keeps that link
    assert result.customer_id == customers(sandbox, realm, "Daniel Reyes - 1003")[0]["Id"]


def test_renaming_a_job_onto_a_taken_name_fails_clearly(client):
    first_push = request()
    first = push(client, first_push)
    taken = {"number": "24-0117", "name": "Water mitigation, kitchen supply line"}
    result = push(client, linked(first_push, first, job=dict(JOB, **taken)))
    assert result.state == "error" and result.error.code == "6240"
    assert 'a job under "Margaret Hollis - 1001"' in result.error.message and result.error.intuit_tid
    assert result.job_id == first.job_id and result.payload_hash == first.payload_hash


def test_duplicate_on_create_links_what_a_concurrent_push_made(sandbox, realm, client):
    first = push(client, request())
    real_query = client.query
    hidden = []

    def query_missing_the_new_job(statement, params=None):
        # The look-up answers as if the job were made just after it: the create meets a 6240.
        rows = real_query(statement, params)
        if "24-0301" in statement and not hidden:
            hidden.append(statement)
            return [row for row in rows if not row["DisplayName"].startswith("24-0301")]
        return rows

    client.query = query_missing_the_new_job
    client.create("Customer", {"DisplayName": "24-0301 - Contents packout", "Job": True,
                               "ParentRef": {"value": first.customer_id}})
    result = push(client, request(job={"number": "24-0301", "name": "Contents packout"}))
    assert result.state == "synced", result.error
    assert hidden, "the look-up went through the client's query"
    assert "already existed" in [e for e in result.events if e["operation"] == "link_job"][0]["message"]
    assert len(customers(sandbox, realm, "24-0301 - Contents packout")) == 1


def test_lost_create_response_never_creates_twice(sandbox, realm, client):
    sandbox.control.inject_fault("drop_after_write", times=1, path="/customer")
    result = push(client, request())
    assert result.state == "synced", result.error
    assert sandbox.control.counters()["replays"] == 1
    assert len(customers(sandbox, realm, "Nadia Okafor - 1200")) == 1


def test_push_after_a_failed_push_links_instead_of_duplicating(sandbox, realm, client):
    client.max_retries = 0
    sandbox.control.inject_fault("drop_after_write", times=1, path="/customer")
    failed = push(client, request())
    assert failed.state == "error" and failed.error.retryable
    client.max_retries = 4
    result = push(client, request())
    assert result.state == "synced"
    assert len(customers(sandbox, realm, "Nadia Okafor - 1200")) == 1


def test_names_with_quotes_and_accents_are_found_again(sandbox, realm, client):
    sean = {"name": "Seán O'Brien", "ref": "1300", "email": False}
    first = push(client, request(customer=sean, job={"number": "24-0302"}))
    second = push(client, request(customer=sean, job={"number": "24-0302"}))
    assert (first.state, second.state) == ("synced", "synced")
    assert second.customer_id == first.customer_id and second.job_id == first.job_id
    assert len(customers(sandbox, realm, "Seán O'Brien - 1300")) == 1


def test_job_without_a_name_is_refused_without_a_request(sandbox, client):
    before = total_requests(sandbox)
    result = push(client, request(job={"number": False, "name": " "}))
    assert (result.state, result.error.code) == ("error", "invalid_data")
    assert result.error.params == {"role": "job"}
    nameless = push(client, request(customer={"name": " ", "ref": False, "first_name": False}))
    assert (nameless.error.code, nameless.error.params) == ("invalid_data", {"role": "customer"})
    assert total_requests(sandbox) == before
