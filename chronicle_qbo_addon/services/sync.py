"""Pushing a job to QuickBooks Online: find or create its customer, then create or update the job
(a sub-customer of that customer). Written against :class:`.client.QboClient`, with no ORM.

Rules, and why:

- Names are looked up among active AND inactive records: QuickBooks keeps an inactive record's
  name reserved, so an active-only lookup would end in a "Duplicate Name" (6240) on create. A
  record found inactive is made active again, since the job being pushed is live in the host.
- A customer is found by its linked Id, else by DisplayName, else by e-mail (only when exactly one
  top-level customer has it), else created. An existing customer keeps its QuickBooks DisplayName:
  it is shared with the bookkeeper's other work and may have been found by e-mail; its other
  fields follow the host. A job is found by its linked Id, else by DisplayName under its customer,
  else created; the job's DisplayName follows the host.
- Updates are sparse, send only the fields that differ from QuickBooks, carry the current
  SyncToken, and are retried once after a stale-object fault (5010) with a fresh read.
- A "Duplicate Name" (6240) on create means the record appeared since the lookup (another push,
  a person): it is linked when it is the customer or job wanted (same level, same parent); a name
  held by a vendor, an employee or a record elsewhere in the tree fails with a message that says
  which.
- Every write carries a ``requestid`` derived from the realm, the job key, the role and the
  payload: a push retried after a lost response gets QuickBooks' original answer, never a
  second customer.
- A job whose payload fingerprint and links are unchanged since the last push costs no request.
"""
import uuid
from dataclasses import dataclass, field

from .errors import DUPLICATE_NAME, NOT_FOUND, STALE_OBJECT, QboError
from .mapping import (
    DEFAULT_CUSTOMER_TEMPLATE,
    DEFAULT_JOB_TEMPLATE,
    customer_payload,
    display_name_query,
    job_payload,
    payload_hash,
    quote_query_literal,
    sanitize_display_name,
)

# Fixed namespace of the request ids of pushes: the same push always gets the same ids.
REQUEST_ID_NAMESPACE = uuid.UUID("4f0f6a52-3c1e-5d7b-9a57-6a1c2b8e0d31")
SEARCH_MAX_RESULTS = 1000


@dataclass
class JobPushRequest:
    """What the host knows about one job to push to one QuickBooks company.

    ``customer`` and ``job`` are the dicts described in :mod:`.mapping`. The ids, SyncTokens and
    ``payload_hash`` are those saved after the previous push (None when never pushed or linked).
    ``revision`` changes whenever the host records an outcome for the job; bulk pushes put it in
    their request ids, so a batch whose answer the host recorded is never replayed by QuickBooks.
    ``customer_key`` is the host's identity of the job's contact (e.g. "partner:42") and
    ``customer_alt_name`` the distinct name its customer takes when another contact's customer holds
    its name (e.g. "Hannah Reyes - C1043"); bulk pushes use them with their ``customer_bindings``,
    so that two people who share a name never share one QuickBooks customer.
    """

    key: str
    customer: dict
    job: dict
    customer_template: str = DEFAULT_CUSTOMER_TEMPLATE
    job_template: str = DEFAULT_JOB_TEMPLATE
    bill_with_parent: bool = True
    customer_id: str = None
    customer_sync_token: str = None
    job_id: str = None
    job_sync_token: str = None
    payload_hash: str = None
    force: bool = False
    revision: str = None
    customer_key: str = None
    customer_alt_name: str = None

    @property
    def settings(self):
        """The company settings dict the mapping functions take."""
        return {"customer_template": self.customer_template, "job_template": self.job_template,
                "bill_with_parent": self.bill_with_parent}


@dataclass
class JobPushResult:
    """The outcome of one push, for the host to save.

    ``state`` is "synced", "unchanged" (nothing was sent; ids and SyncTokens echo the request, the
    names are None) or "error" (``error`` says why; the ids resolved before the failure are kept).
    ``events`` are accounting-log entries: dicts with operation, level, message, qbo_entity,
    qbo_id, request_id, intuit_tid.
    """

    key: str
    state: str = "error"
    customer_id: str = None
    customer_name: str = None
    customer_sync_token: str = None
    job_id: str = None
    job_name: str = None
    job_sync_token: str = None
    payload_hash: str = None
    error: QboError = None
    events: list = field(default_factory=list)


def push_request_id(realm_id, key, role, payload):
    """The idempotency key of one write of a push.

    :param realm_id: the QuickBooks company id
    :param key: the job's stable key in the host
    :param role: what is written, e.g. "customer" or "job:update:<Id>:<SyncToken>"
    :param payload: the payload written
    :return: a 36-character id, the same for the same inputs
    """
    name = "|".join((str(realm_id), str(key), role, payload_hash(payload)))
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, name))


def push_hash(customer, job):
    """Fingerprint of what a push sends.

    :param customer: the customer payload
    :param job: the job payload (its ParentRef ties it to the customer's Id)
    :return: hex sha256
    """
    return payload_hash({"Customer": customer, "Job": job})


def push_job(client, request):
    """Push one job (and its customer) to QuickBooks.

    :param client: a :class:`.client.QboClient` of the target company
    :param request: a :class:`JobPushRequest`
    :return: a :class:`JobPushResult`; QuickBooks failures are reported in it, never raised
    """
    return _JobPush(client, request).run()


def search_customers(client, text, limit=20):
    """Find customers and jobs by name for linking a job by hand, shown as ``Customer:Job``.

    The text is looked for in FullyQualifiedName, so a customer's name also finds its jobs. A ``%``
    in the text separates words that must all appear, in any order: QuickBooks' LIKE has no escape,
    so a ``%`` sent would be a wildcard. QuickBooks is asked for the longest word (one read, its
    ``%`` only around it) and the rows are then kept when they hold the other words too. ``_`` is
    no wildcard in QuickBooks and is looked for as it is.

    :param client: a :class:`.client.QboClient` (one built with the interactive time-out and
        retries of :mod:`.client`, since a person waits)
    :param text: part of a name (sanitized like names are); empty, or only ``%``, lists the first
        names
    :param limit: most rows returned
    :return: list of dicts {id, name, fully_qualified_name, is_job, parent_id, parent_name, active}
    :raise QboError: when QuickBooks cannot answer
    """
    words = [word.strip() for word in sanitize_display_name(text).split("%")]
    words = sorted((word for word in words if word), key=len, reverse=True)
    limit = max(1, min(int(limit), SEARCH_MAX_RESULTS))
    where = "Active IN (true, false)"
    if words:
        where += " AND FullyQualifiedName LIKE %s" % quote_query_literal("%" + words[0] + "%")
    others = [word.casefold() for word in words[1:]]
    # The other words are matched here, after the read: ask for as many rows as a read gives.
    rows = client.query("SELECT * FROM Customer WHERE %s ORDERBY FullyQualifiedName MAXRESULTS %d" % (
        where, SEARCH_MAX_RESULTS if others else limit))
    summaries = [_summary(row) for row in rows]
    found = [row for row in summaries
             if all(word in row["fully_qualified_name"].casefold() for word in others)]
    return found[:limit]


def _summary(row):
    parent = row.get("ParentRef") or {}
    name = row.get("FullyQualifiedName") or row.get("DisplayName")
    levels = name.split(":")
    return {
        "id": row.get("Id"),
        "name": row.get("DisplayName"),
        "fully_qualified_name": name,
        "is_job": bool(row.get("Job") or parent.get("value")),
        "parent_id": parent.get("value"),
        "parent_name": (parent.get("name") or (levels[-2] if len(levels) > 1 else None)) if parent else None,
        "active": row.get("Active", True),
    }


def is_wanted(record, role, parent_id):
    """Whether the record found holding a name is the customer or job a push wanted to create.

    :param record: the Customer record holding the name, or None (a vendor's or employee's name)
    :param role: "customer" or "job"
    :param parent_id: the Id of the wanted parent customer (None for a customer)
    :return: True when it is at the same place in the tree (a customer: top level, not a job)
    """
    return record is not None and _parent_id(record) == parent_id and (role == "job" or not record.get("Job"))


def name_conflict(client, name, record=None, error=None):
    """The error of a name held by something other than the record wanted, saying what holds it.

    :param client: a :class:`.client.QboClient`, to ask for vendors and employees when no customer
        holds the name
    :param name: the name
    :param record: the Customer record holding it, if any
    :param error: the 6240 fault QuickBooks answered, if any
    :return: a :class:`QboError` with code 6240
    :raise QboError: when QuickBooks cannot say who holds the name
    """
    if record is not None:
        parent = _summary(record)["parent_name"]
        holder = "a job under \"%s\"" % parent if parent else "a top-level customer"
    else:
        holder = "a vendor or an employee"
        for entity in ("Vendor", "Employee"):
            rows = client.query(display_name_query(entity, name))
            if any(_same_name(row, name) for row in rows):
                holder = "a %s" % entity.lower()
                break
    message = ("QuickBooks already uses the name \"%s\" for %s, and names are unique across customers, "
               "jobs, vendors and employees (inactive ones included): rename one of them or change the "
               "name template." % (name, holder))
    return QboError(DUPLICATE_NAME, message, detail=error.detail if error else "",
                    intuit_tid=error.intuit_tid if error else client.last_intuit_tid)


def _parent_id(record):
    return (record.get("ParentRef") or {}).get("value")


def _same_name(record, name):
    return (record.get("DisplayName") or "").casefold() == name.casefold()


def _changes(record, desired):
    """The desired fields whose value differs from the record (nested dicts compare by subset)."""
    changes = {}
    for key, value in desired.items():
        current = record.get(key)
        if isinstance(value, dict):
            current = current if isinstance(current, dict) else {}
            if any(current.get(name) != inner for name, inner in value.items()):
                changes[key] = value
        elif current != value:
            changes[key] = value
    return changes


class _JobPush:
    """The state of one push: the client, the request, the result being built."""

    def __init__(self, client, request):
        self.client = client
        self.request = request
        self.realm_id = client.company_id
        self.result = JobPushResult(
            key=request.key, customer_id=request.customer_id, customer_sync_token=request.customer_sync_token,
            job_id=request.job_id, job_sync_token=request.job_sync_token, payload_hash=request.payload_hash)

    def run(self):
        request, result = self.request, self.result
        try:
            customer = customer_payload(request.customer, request.settings)
            job = job_payload(request.job, request.customer_id or "", request.customer, request.settings)
        except ValueError as exc:
            return self.fail(QboError("invalid_data", str(exc)))
        if (not request.force and request.customer_id and request.job_id
                and request.payload_hash == push_hash(customer, job)):
            result.state = "unchanged"
            return result
        try:
            customer_record = self.resolve_customer(customer)
            job = job_payload(request.job, customer_record["Id"], request.customer, request.settings)
            self.resolve_job(job, customer_record["Id"])
        except QboError as error:
            return self.fail(error)
        result.state = "synced"
        result.payload_hash = push_hash(customer, job)
        return result

    def fail(self, error):
        self.result.state = "error"
        self.result.error = error
        self.event("push", "error", str(error), intuit_tid=error.intuit_tid)
        return self.result

    def event(self, operation, level, message, qbo_id=None, request_id=None, intuit_tid=None):
        self.result.events.append({
            "operation": operation, "level": level, "message": message, "qbo_entity": "Customer",
            "qbo_id": qbo_id, "request_id": request_id,
            "intuit_tid": intuit_tid or self.client.last_intuit_tid,
        })

    # === CUSTOMER === #

    def resolve_customer(self, payload):
        record = None
        if self.request.customer_id:
            record = self.read_linked(self.request.customer_id, "customer")
        if record is None:
            record = self.find_customer(payload)
        if record is None:
            record = self.create_record("customer", payload)
        else:
            desired = {key: value for key, value in payload.items() if key != "DisplayName"}
            record = self.update("customer", record, dict(desired, Active=True))
        self.result.customer_id = record["Id"]
        self.result.customer_name = record.get("DisplayName")
        self.result.customer_sync_token = record.get("SyncToken")
        return record

    def find_customer(self, payload):
        name = payload["DisplayName"]
        record = self.find_by_name(name)
        if record is not None:
            if _parent_id(record) or record.get("Job"):
                raise self.name_conflict(name, record)
            self.event("link_customer", "info", "Customer \"%s\" found in QuickBooks by name." % name,
                       record["Id"])
            return record
        email = (payload.get("PrimaryEmailAddr") or {}).get("Address")
        if not email:
            return None
        rows = self.client.query("SELECT * FROM Customer WHERE Active IN (true, false) "
                                 "AND PrimaryEmailAddr = " + quote_query_literal(email))
        candidates = [row for row in rows if not _parent_id(row) and not row.get("Job") and (
            (row.get("PrimaryEmailAddr") or {}).get("Address") or "").casefold() == email.casefold()]
        if len(candidates) != 1:
            return None
        record = candidates[0]
        self.event("link_customer", "info", "Customer \"%s\" found in QuickBooks by e-mail %s." % (
            record.get("DisplayName"), email), record["Id"])
        return record

    # === JOB === #

    def resolve_job(self, payload, customer_id):
        record = None
        if self.request.job_id:
            record = self.read_linked(self.request.job_id, "job")
        if record is None:
            record = self.find_job(payload, customer_id)
        if record is None:
            record = self.create_record("job", payload)
        else:
            record = self.update("job", record, dict(payload, Active=True))
        self.result.job_id = record["Id"]
        self.result.job_name = record.get("DisplayName")
        self.result.job_sync_token = record.get("SyncToken")
        return record

    def find_job(self, payload, customer_id):
        name = payload["DisplayName"]
        record = self.find_by_name(name)
        if record is None:
            return None
        if _parent_id(record) != customer_id:
            raise self.name_conflict(name, record)
        self.event("link_job", "info", "Job \"%s\" found in QuickBooks under its customer." % name,
                   record["Id"])
        return record

    # === READS AND WRITES === #

    def read_linked(self, record_id, role):
        try:
            return self.client.read("Customer", record_id)
        except QboError as error:
            if error.code != NOT_FOUND:
                raise
        self.event("unlink_%s" % role, "warning", "The linked %s (Id %s) no longer exists in QuickBooks; "
                   "looking it up again." % (role, record_id), record_id)
        return None

    def find_by_name(self, name):
        rows = self.client.query(display_name_query("Customer", name))
        return next((row for row in rows if _same_name(row, name)), None)

    def create_record(self, role, payload):
        request_id = push_request_id(self.realm_id, self.request.key, role, payload)
        try:
            record = self.client.create("Customer", payload, request_id=request_id)
        except QboError as error:
            if error.code != DUPLICATE_NAME:
                raise
            return self.adopt_duplicate(role, payload, error)
        self.event("create_%s" % role, "info", "%s \"%s\" created in QuickBooks." % (
            role.capitalize(), record.get("DisplayName")), record["Id"], request_id)
        return record

    def adopt_duplicate(self, role, payload, error):
        """After a 6240 on create: link the record holding the name if it is the one we wanted."""
        name = payload["DisplayName"]
        record = self.find_by_name(name)
        if is_wanted(record, role, _parent_id(payload)):
            self.event("link_%s" % role, "info", "%s \"%s\" already existed in QuickBooks; linked to it." % (
                role.capitalize(), name), record["Id"])
            return record
        raise self.name_conflict(name, record, error)

    def name_conflict(self, name, record=None, error=None):
        return name_conflict(self.client, name, record, error)

    def update(self, role, record, desired):
        try:
            return self.write_changes(role, record, desired)
        except QboError as error:
            if error.code == DUPLICATE_NAME and "DisplayName" in desired:
                name = desired["DisplayName"]
                raise self.name_conflict(name, self.find_by_name(name), error) from None
            if error.code != STALE_OBJECT:
                raise
            stale = error
        self.event("update_%s" % role, "warning", "The %s changed in QuickBooks meanwhile; read it again."
                   % role, record["Id"], intuit_tid=stale.intuit_tid)
        return self.write_changes(role, self.client.read("Customer", record["Id"]), desired)

    def write_changes(self, role, record, desired):
        changes = _changes(record, desired)
        if not changes:
            return record
        payload = dict(changes, Id=record["Id"], SyncToken=record.get("SyncToken"), sparse=True)
        request_id = push_request_id(self.realm_id, self.request.key, "%s:update:%s:%s" % (
            role, record["Id"], record.get("SyncToken")), payload)
        updated = self.client.update("Customer", payload, request_id=request_id)
        self.event("update_%s" % role, "info", "%s \"%s\" updated in QuickBooks (%s)." % (
            role.capitalize(), updated.get("DisplayName"), ", ".join(sorted(changes))),
            updated["Id"], request_id)
        return updated
