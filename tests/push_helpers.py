"""What the push tests read back: a job's next request, and what the sandbox's QuickBooks holds."""
import dataclasses


def linked(request, result, **changes):
    """The next push of the same job, carrying what the host saved from ``result``."""
    return dataclasses.replace(
        request, customer_id=result.customer_id, customer_sync_token=result.customer_sync_token,
        job_id=result.job_id, job_sync_token=result.job_sync_token, payload_hash=result.payload_hash,
        **changes)


def qbo_customers(sandbox, realm):
    return sandbox.control.state(realm)["realms"][realm]["customers"]


def qbo_record(sandbox, realm, record_id):
    return next(row for row in qbo_customers(sandbox, realm) if row["Id"] == record_id)


def named_as_quickbooks_compares(sandbox, realm, name):
    """The records holding ``name`` as QuickBooks compares names: case-insensitively."""
    return [row for row in qbo_customers(sandbox, realm) if row["DisplayName"].casefold() == name.casefold()]


def colleague_creates_first(client, display_name):
    """Someone creates a customer named ``display_name`` in QuickBooks just before the push's
    first batch of creates goes: the race that makes a create meet a duplicate name (6240).

    :return: the list that receives the colleague's customer Id
    """
    real_batch = client.batch
    made = []

    def batch_after_a_colleague(items, request_id=None):
        if not made and any(item.get("operation") == "create" for item in items):
            made.append(client.create("Customer", {"DisplayName": display_name})["Id"])
        return real_batch(items, request_id)

    client.batch = batch_after_a_colleague
    return made
