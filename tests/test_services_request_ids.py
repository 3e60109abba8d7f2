"""Every requestid comes from one module: the same write always gets the same id, however it is sent."""
from chronicle_qbo_addon.services.request_ids import (
    batch_request_id,
    chunk_request_id,
    new_request_id,
    write_request_id,
)

PAYLOAD = {"DisplayName": "Nadia Okafor - 1200"}


def test_write_ids_follow_the_write_and_the_revision():
    first = write_request_id("4620816365", "job-1", "customer", PAYLOAD)
    assert len(first) == 36 and first == write_request_id("4620816365", "job-1", "customer", dict(PAYLOAD))
    others = {write_request_id("4620816365", "job-2", "customer", PAYLOAD),
              write_request_id("4620816365", "job-1", "job", PAYLOAD),
              write_request_id("1", "job-1", "customer", PAYLOAD),
              write_request_id("4620816365", "job-1", "customer", {"DisplayName": "Other"}),
              write_request_id("4620816365", "job-1", "customer", PAYLOAD, revision="r1")}
    assert first not in others and len(others) == 5
    assert write_request_id("4620816365", "job-1", "customer", dict(PAYLOAD, SyncToken="3")) == first, \
        "the fingerprint leaves SyncToken out: the role names it where it matters"


def test_batch_ids_follow_their_operations():
    ids = ["a", "b"]
    assert batch_request_id(ids) == batch_request_id(list(ids)) != batch_request_id(["b", "a"])
    assert batch_request_id([None, "a", "b"]) == batch_request_id(ids), "reads carry no id"
    assert batch_request_id([None, None]) is None and len(batch_request_id(ids)) == 36


def test_chunk_ids_derive_from_the_first_requests():
    assert chunk_request_id("r1", 0) == "r1" and chunk_request_id(None, 30) is None
    assert chunk_request_id("r1", 30) == chunk_request_id("r1", 30) != chunk_request_id("r1", 60)
    assert len(chunk_request_id("r1", 30)) == 36
    assert new_request_id() != new_request_id()
