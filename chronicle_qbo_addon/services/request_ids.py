"""Every ``requestid`` the bridge sends, made here: QuickBooks answers a repeated id with its first
answer instead of writing twice, so an id must be the same each time the same write is sent.

- A write of a push: derived from the realm, the job's key, its role, the payload and the job's
  revision (:func:`write_request_id`); sent alone it carries that id.
- A batch request: derived from the ids of its operations, in order (:func:`batch_request_id`), so
  the same operations resent make the same batch request; the further requests of a long batch
  the client splits derive theirs from the first one's (:func:`chunk_request_id`).
- A create its caller gave no id: a random one (:func:`new_request_id`), kept across the client's
  retries of that call.

Ids are UUIDs, 36 characters: Intuit allows 50, and 36 in a batch request.
"""
import uuid

from .mapping import payload_hash

# Fixed namespaces: the same inputs always make the same ids, from one run or release to the next.
WRITE_NAMESPACE = uuid.UUID("4f0f6a52-3c1e-5d7b-9a57-6a1c2b8e0d31")
BATCH_NAMESPACE = uuid.UUID("0b9c1d58-7a36-5e2f-8c4d-3f1e6a2b9d70")


def write_request_id(realm_id, key, role, payload, revision=None):
    """The idempotency key of one write of a push.

    :param realm_id: the QuickBooks company id
    :param key: the job's stable key in the host
    :param role: what is written, e.g. "customer" or "job:update:<Id>:<SyncToken>"
    :param payload: the payload written
    :param revision: the job's revision in the host (see ``JobPushRequest.revision``), if any: a
        write the host recorded an outcome for is never answered from QuickBooks' memory again
    :return: a 36-character id, the same for the same inputs
    """
    role = "%s@%s" % (role, revision) if revision else role
    name = "|".join((str(realm_id), str(key), role, payload_hash(payload)))
    return str(uuid.uuid5(WRITE_NAMESPACE, name))


def batch_request_id(operation_ids):
    """The idempotency key of a batch request, from the ids of its operations.

    :param operation_ids: the request ids of its writes, in order (reads have none)
    :return: a 36-character id, or None when no operation has one (reads only: nothing to replay)
    """
    ids = [operation_id for operation_id in operation_ids if operation_id]
    return str(uuid.uuid5(BATCH_NAMESPACE, "|".join(ids))) if ids else None


def chunk_request_id(request_id, start):
    """The idempotency key of a later batch request of a long batch, split 30 operations a request.

    :param request_id: the first request's id (None: the batch carries none)
    :param start: the index of the request's first operation in the whole batch
    :return: ``request_id`` itself for the first request, an id derived from it for the others
    """
    if not request_id or not start:
        return request_id
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "%s/%d" % (request_id, start)))


def new_request_id():
    """A fresh idempotency key, for a create whose caller gave none."""
    return str(uuid.uuid4())
