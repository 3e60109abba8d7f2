"""Pushing jobs to QuickBooks Online: for each job, find or create its customer, then create or update
the job (a sub-customer of that customer). Written against :class:`.client.QboClient`, with no ORM,
and as fast as Intuit's limits allow: a few requests per hundred jobs, for one job or thousands.

1. Reads, in rounds: the linked customers and jobs by Id, the other names by DisplayName, the
   customers no name matched by e-mail and the distinct names of customers whose name another
   contact holds, with ``IN`` queries sent as batch requests (:meth:`.dispatch.Dispatcher.lookup`).
2. Writes: the missing customers are created and the changed ones updated, with the jobs whose
   customer needs no write; then the jobs of the customers just written. Each round goes as batch
   requests of 30 operations sent in parallel, an operation alone as a single request
   (:mod:`.dispatch`).

Rules, and why:

- Names are sanitized the same way for look-ups and creates, and looked up among active AND
  inactive records: QuickBooks keeps an inactive record's name reserved, so an active-only look-up
  would end in a "Duplicate Name" (6240) on create. A record found inactive is made active again,
  since the job being pushed is live in the host.
- A customer is found by its linked Id, else by DisplayName, else by e-mail (only when exactly one
  top-level customer has it), else created. An existing customer keeps its QuickBooks DisplayName:
  it is shared with the bookkeeper's other work and may have been found by e-mail; its other
  fields follow the host. A job is found by its linked Id, else by DisplayName under its customer,
  else created; the job's DisplayName follows the host.
- Updates are sparse, send only the fields that differ from QuickBooks (:func:`.rules.changed_fields`),
  carry the current SyncToken, and are written once more after a stale-object fault (5010) with a
  fresh read.
- A "Duplicate Name" (6240) on create means the record appeared since the look-up (another push,
  a person): it is linked when it is the customer or job wanted (same level, same parent); a name
  held by a vendor, an employee or a record elsewhere in the tree fails with a message that says
  which (:func:`.rules.name_conflict`).
- Every write carries a ``requestid`` (:mod:`.request_ids`) derived from the realm, the job key,
  the role, the payload and the job's revision, and a batch request's id derives from those of its
  operations: a push resent after a lost answer gets QuickBooks' first answer back and creates
  nothing twice.
- A job whose payload fingerprint and links are unchanged since the last push costs no request.
- A fault on one operation of a batch fails only the jobs that depend on it.
- No two jobs of the host end on one QuickBooks job, no two contacts on one QuickBooks customer
  (:mod:`.holders`): of the jobs of one push that share a name under one customer only the first
  goes on, the others fail with :data:`.errors.JOB_LINKED_ELSEWHERE`. When another contact's
  customer holds a customer's name, or a job of another contact earlier in the push will create
  it, the customer takes its distinct name (``customer_alt_name``) instead, found by name or
  created, and its jobs say so in a warning; without one, or when that name is held too, the jobs
  fail with :data:`.errors.CUSTOMER_BOUND_ELSEWHERE`. The other contact's customer is never written.
- A customer or job name written that is not the name as typed (a colon made a space, a line break
  flattened, a long name cut at a word) is told to each job it belongs to in a warning, once: a
  push that writes no name tells nothing.

Each job's outcome is a :class:`JobPushResult` whose events (:mod:`.events`) the host records.
"""
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from .dispatch import Dispatcher, Operation
from .errors import DUPLICATE_NAME, INVALID_DATA, STALE_OBJECT, QboError
from .events import make_event
from .holders import Holders
from .mapping import (
    DEFAULT_CUSTOMER_TEMPLATE,
    DEFAULT_JOB_TEMPLATE,
    customer_payload,
    customer_typed_name,
    job_payload,
    job_typed_name,
    name_fit_notice,
    payload_hash,
    sanitize_display_name,
)
from .reads import Index, find_by_name, name_holder
from .request_ids import write_request_id
from .rules import changed_fields, is_job, is_wanted, job_linked_elsewhere, name_conflict, parent_id

WORKERS = 10  # Intuit's cap of requests in flight per company
# Jobs a host should hand to one push_jobs call: about a minute of Intuit's batch budget (some 35
# batch requests), few enough that the host's memory stays flat and its commits frequent.
JOBS_PER_PUSH = 500
ENTITY = "Customer"  # customers and jobs (sub-customers) alike
_FIELDS = {"id": "Id", "name": "DisplayName", "email": "PrimaryEmailAddr", "alt": "DisplayName"}


@dataclass
class JobPushRequest:
    """What the host knows about one job to push to one QuickBooks company.

    ``customer`` and ``job`` are the dicts described in :mod:`.mapping`. The ids, SyncTokens and
    ``payload_hash`` are those saved after the previous push (None when never pushed or linked).
    ``revision`` changes whenever the host records an outcome for the job; it is part of the
    request ids, so a write whose answer the host recorded is never replayed by QuickBooks.
    ``customer_key`` is the host's identity of the job's contact (e.g. "partner:42") and
    ``customer_alt_name`` the distinct name its customer takes when another contact's customer holds
    its name (e.g. "Hannah Reyes - C1043"); with the push's ``customer_bindings`` they keep two
    people who share a name off one QuickBooks customer.
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
    ``events`` are accounting-log entries (see :mod:`.events`).
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


def push_hash(customer, job):
    """Fingerprint of what a push sends.

    :param customer: the customer payload
    :param job: the job payload (its ParentRef ties it to the customer's Id)
    :return: hex sha256
    """
    return payload_hash({"Customer": customer, "Job": job})


def push_jobs(client, requests, workers=WORKERS, taken_job_ids=frozenset(), customer_bindings=None):
    """Push jobs (and their customers) to one QuickBooks company.

    The client's token callback runs on the calling thread, never on a worker: a host's ORM is not
    thread-safe.

    :param client: a :class:`.client.QboClient` of the target company
    :param requests: :class:`JobPushRequest` objects, with distinct keys
    :param workers: requests sent in parallel at most (the client's rate limiter may allow fewer)
    :param taken_job_ids: QuickBooks Ids of the jobs linked to jobs of the host in this company,
        whether pushed now or not; a job found by name, or holding the name on create, is taken
        only when it is the request's own ``job_id`` or not among these
    :param customer_bindings: {QuickBooks customer Id: contact key} of the customers bound to a
        contact of the host in this company, whether pushed now or not; a customer found by name or
        e-mail, or holding the name on create, is taken only when it is the request's own
        ``customer_id`` or bound to no contact but the request's ``customer_key``. None binds none.
    :return: one :class:`JobPushResult` per request, in the same order; QuickBooks failures are
        reported in them, never raised (a job of the host that would share another's QuickBooks
        job fails with code :data:`.errors.JOB_LINKED_ELSEWHERE`, one whose customer would be
        another contact's with code :data:`.errors.CUSTOMER_BOUND_ELSEWHERE`)
    :raise QboAuthError: when Intuit refuses the saved authorization: no job can be pushed
    """
    holders = Holders(requests, taken_job_ids, customer_bindings)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qbo-push") as pool:
        return _Push(Dispatcher(client, pool), requests, holders).run()


class _Customer:
    """The QuickBooks customer of some of the jobs: one per linked Id, or per name and contact."""

    def __init__(self, entry):
        request = entry.request
        self.payload = entry.customer  # its DisplayName becomes the distinct name when that is used
        self.name = self.payload["DisplayName"]
        self.key = request.customer_key
        alt_name = sanitize_display_name(request.customer_alt_name)
        # A distinct name QuickBooks reads as the same name would only meet the same holder again.
        self.alt_name = alt_name if alt_name.casefold() != self.name.casefold() else ""
        self.linked_id = request.customer_id
        self.step = "id" if self.linked_id else "name"
        self.email = (self.payload.get("PrimaryEmailAddr") or {}).get("Address") or ""
        self.name_refused = None  # the error saying another contact holds the name, once known
        self.record = None
        self.writing = False
        self.failed = False
        self.entries = []

    def lookup_value(self):
        return {"id": self.linked_id, "name": self.name, "email": self.email, "alt": self.alt_name}[self.step]


class _Entry:
    """One job being pushed."""

    def __init__(self, request, customer, job):
        self.request = request
        self.customer = customer
        self.job = job
        self.group = None
        self.step = "id" if request.job_id else "name"
        self.record = None  # the job in QuickBooks, once known
        self.found = None  # a record holding the job's name, until its parent is checked
        self.result = JobPushResult(
            key=request.key, customer_id=request.customer_id, customer_sync_token=request.customer_sync_token,
            job_id=request.job_id, job_sync_token=request.job_sync_token, payload_hash=request.payload_hash)

    @property
    def alive(self):
        return self.result.state != "error"

    def lookup_value(self):
        return {"id": self.request.job_id, "name": self.job["DisplayName"]}[self.step]


class _Push:
    def __init__(self, dispatch, requests, holders):
        self.dispatch = dispatch
        self.client = dispatch.client
        self.realm_id = self.client.company_id
        self.requests = requests
        self.holders = holders
        self.groups = []

    def run(self):
        on_tokens = self.client.on_tokens
        if on_tokens:
            self.client.on_tokens = partial(self.dispatch.on_owner_thread, on_tokens)
        try:
            entries = [self.prepare(request) for request in self.requests]
            live = [entry for entry in entries if entry.result.state is None]
            self.look_up(live)
            self.share_no_job_names(live)
            self.write_rounds(live)
        finally:
            self.client.on_tokens = on_tokens
            # Jobs and their customers point at each other: unlinked, a push's objects are freed
            # as soon as it returns, not at some later full garbage collection.
            for group in self.groups:
                group.entries = []
        for entry in live:
            if entry.alive:
                entry.result.state = "synced"
                entry.result.payload_hash = push_hash(entry.customer, entry.job)
        return [entry.result for entry in entries]

    def prepare(self, request):
        role = "customer"
        try:
            customer = customer_payload(request.customer, request.settings)
            role = "job"
            job = job_payload(request.job, request.customer_id or "", request.customer, request.settings)
        except ValueError as exc:
            entry = _Entry(request, None, None)
            self.fail(entry, QboError(INVALID_DATA, str(exc), params={"role": role}))
            return entry
        entry = _Entry(request, customer, job)
        if (not request.force and request.customer_id and request.job_id
                and request.payload_hash == push_hash(customer, job)):
            entry.result.state = "unchanged"
            return entry
        entry.result.state = None
        return entry

    # === READS === #

    def look_up(self, live):
        """Find every customer and job, one step (Id, name, e-mail, distinct name) per round."""
        groups = {}
        for entry in live:
            key = ("id", entry.request.customer_id) if entry.request.customer_id else (
                "name", entry.customer["DisplayName"].casefold(), entry.request.customer_key)
            if key not in groups:
                groups[key] = _Customer(entry)
                self.groups.append(groups[key])
            entry.group = groups[key]
            entry.group.entries.append(entry)
        while True:
            wanted = defaultdict(dict)
            pending = [g for g in self.groups if g.step and not g.failed]
            pending += [e for e in live if e.step and e.alive]
            for thing in pending:
                # QuickBooks compares names and e-mails without case: one spelling is asked for.
                value = thing.lookup_value()
                wanted[_FIELDS[thing.step]].setdefault(value.casefold(), value)
            if not wanted:
                break
            rows, failed = self.dispatch.lookup(ENTITY, {field: list(spellings.values())
                                                         for field, spellings in wanted.items()})
            index = Index(ENTITY, rows)
            for thing in pending:
                error = failed.get((_FIELDS[thing.step], thing.lookup_value().casefold()))
                if error is not None:
                    (self.fail_group if isinstance(thing, _Customer) else self.fail)(thing, error)
                elif isinstance(thing, _Customer):
                    self.found_customer(thing, index)
                else:
                    self.found_job(thing, index)
        self.merge_groups()

    def found_customer(self, group, index):
        """Take what a round found for a customer, or choose its next step (None: create it)."""
        first = group.entries[0]
        step, group.step = group.step, None
        if step == "id":
            record = index.by_id.get(group.linked_id)
            if record is None:
                self.event(first, "unlink_customer", "warning", "The linked customer (Id %s) no longer "
                           "exists in QuickBooks; looking it up again." % group.linked_id, group.linked_id)
                group.step = "name"
                return
            self.set_customer(group, record)
            return
        if step == "email":
            candidates = [row for row in index.by_email.get(group.email.casefold(), {}).values()
                          if not is_job(row)]
            # Another contact's customer is passed over like an e-mail shared by several customers.
            if len(candidates) == 1 and self.holders.may_take_customer(group.key, group.linked_id,
                                                                        candidates[0]["Id"]):
                record = candidates[0]
                self.event(first, "link_customer", "info", "Customer \"%s\" found in QuickBooks by e-mail "
                           "%s." % (record.get("DisplayName"), group.email), record["Id"])
                self.set_customer(group, record)
            else:
                self.settle_name(group)
            return
        name = group.name if step == "name" else group.alt_name
        record = index.by_name.get(name.casefold())
        if record is not None and is_job(record):
            self.fail_group(group, self.conflict(name, record))
            return
        refused = self.holders.refusal(group.key, group.linked_id, record, name)
        if refused is None and record is not None:
            self.event(first, "link_customer", "info",
                       "Customer \"%s\" found in QuickBooks by name." % name, record["Id"])
            if step == "alt":
                self.renamed(group, record["Id"])
            self.set_customer(group, record)
        elif step == "name":
            # Missed, or another contact's: this contact's customer may still be found by e-mail.
            group.name_refused = refused
            if group.email:
                group.step = "email"
            else:
                self.settle_name(group)
        elif refused is not None:
            self.fail_group(group, refused)
        else:  # the distinct name is free: the customer is created under it
            self.claim(group, name)
            group.payload = dict(group.payload, DisplayName=name)
            self.renamed(group)

    def settle_name(self, group):
        """No customer to take: it is created under its name, else looked up under its distinct name."""
        refused = group.name_refused or self.holders.refusal(group.key, group.linked_id, None, group.name)
        if refused is None:
            self.claim(group, group.name)
        elif group.alt_name:
            group.step = "alt"
        else:
            self.fail_group(group, refused)

    def claim(self, group, name):
        self.holders.claim(group.key, name, group.entries[0].request.key)

    def renamed(self, group, qbo_id=None):
        """Tell every job of the customer that it has its distinct name, for the host to tell the person."""
        message = ("QuickBooks customer \"%s\" belongs to another contact, so this contact's customer is "
                   "\"%s\"." % (group.name, group.alt_name))
        for entry in group.entries:
            self.event(entry, "push", "warning", message, qbo_id)

    def found_job(self, entry, index):
        if entry.step == "id":
            entry.record = index.by_id.get(entry.request.job_id)
            if entry.record is None:
                self.event(entry, "unlink_job", "warning", "The linked job (Id %s) no longer exists in "
                           "QuickBooks; looking it up again." % entry.request.job_id, entry.request.job_id)
                entry.step = "name"
                return
        else:
            entry.found = index.by_name.get(entry.job["DisplayName"].casefold())
        entry.step = None

    def merge_groups(self):
        """Jobs whose customers turned out to be one QuickBooks customer share one write of it."""
        by_record = {}
        for group in self.groups:
            if group.record is None or group.failed:
                continue
            owner = by_record.setdefault(group.record["Id"], group)
            if owner is not group:
                owner.entries.extend(group.entries)
                for entry in group.entries:
                    entry.group = owner
                group.entries = []
        self.groups = [group for group in self.groups if group.entries]

    def share_no_job_names(self, live):
        """Of the jobs of one customer that would get one QuickBooks name, only the first goes on.

        A job already holding its linked record keeps it and its name; a job still to be found by
        name or created comes after them, in the order of the push.
        """
        claimed = {}
        holding = [entry for entry in live if entry.alive and entry.record is not None]
        seeking = [entry for entry in live if entry.alive and entry.record is None]
        for entry in holding + seeking:
            name = entry.job["DisplayName"]
            first = claimed.setdefault((entry.group, name.casefold()), entry)
            if first is not entry and entry.record is None:
                self.fail(entry, job_linked_elsewhere(name, job_key=first.request.key))

    def conflict(self, name, record=None, error=None):
        """The 6240 error of a name held elsewhere; without a record, asks who holds it (a read)."""
        holder = name_holder(self.client, name) if record is None else None
        return name_conflict(name, record, holder, error, intuit_tid=self.client.last_intuit_tid)

    # === WRITES === #

    def write_rounds(self, live):
        ops = []
        for group in self.groups:
            if not group.failed:
                ops += self.customer_ops(group)
        # Jobs wait for their customer's write: its Id when created, and a job is never put
        # under a customer still inactive.
        waiting = [entry for entry in live if entry.alive and entry.group.writing]
        for entry in live:
            if entry.alive and not entry.group.writing:
                ops += self.job_ops(entry)
        self.dispatch.execute(ops)
        self.dispatch.execute([op for entry in waiting if entry.alive for op in self.job_ops(entry)])

    def customer_ops(self, group):
        first = group.entries[0]
        done, failed = partial(self.customer_written, group), partial(self.fail_group, group)
        if group.record is None:
            group.writing = True
            return [self.create_op("customer", first, group.payload, done, failed)]
        desired = {key: value for key, value in group.payload.items() if key != "DisplayName"}
        ops = self.update_ops("customer", first, group.record, dict(desired, Active=True), done, failed)
        group.writing = bool(ops)
        return ops

    def customer_written(self, group, record):
        group.writing = False
        self.set_customer(group, record)

    def job_ops(self, entry):
        customer_id = entry.group.record["Id"]
        request = entry.request
        entry.job = job_payload(request.job, customer_id, request.customer, request.settings)
        done, failed = partial(self.job_written, entry), partial(self.fail, entry)
        if entry.found is not None:
            name = entry.job["DisplayName"]
            if parent_id(entry.found) != customer_id:
                self.fail(entry, self.conflict(name, entry.found))
                return []
            if not self.holders.may_take_job(request, entry.found["Id"]):
                self.fail(entry, job_linked_elsewhere(entry.found.get("DisplayName"),
                                                      qbo_id=entry.found["Id"]))
                return []
            entry.record = entry.found
            self.event(entry, "link_job", "info", "Job \"%s\" found in QuickBooks under its customer." % name,
                       entry.record["Id"])
        if entry.record is None:
            return [self.create_op("job", entry, entry.job, done, failed)]
        ops = self.update_ops("job", entry, entry.record, dict(entry.job, Active=True), done, failed)
        if not ops:
            self.job_written(entry, entry.record)
        return ops

    def job_written(self, entry, record):
        self.holders.hold_job(record["Id"], entry.request.key)
        entry.record = record
        entry.result.job_id = record["Id"]
        entry.result.job_name = record.get("DisplayName")
        entry.result.job_sync_token = record.get("SyncToken")

    def create_op(self, role, entry, payload, done, failed):
        request_id = self.request_id(entry, role, payload)
        done = partial(self.name_sent, role, entry, done)

        def answered(op):
            if not isinstance(op.answer, QboError):
                self.event(entry, "create_%s" % role, "info", "%s \"%s\" created in QuickBooks." % (
                    role.capitalize(), op.answer.get("DisplayName")), op.answer["Id"], op.sent_id,
                    op.intuit_tid)
                return done(op.answer)
            if op.answer.code != DUPLICATE_NAME:
                return failed(op.answer)
            return (partial(self.adopt, role, payload, op.answer),
                    partial(self.adopted, role, entry, done, failed))

        item = {"entity": ENTITY, "operation": "create", "payload": payload}
        return Operation(item, request_id, answered)

    def adopt(self, role, payload, error):
        """After a 6240 on create (a follow-up, on a worker): the record holding the name, if wanted."""
        name = payload["DisplayName"]
        record = find_by_name(self.client, ENTITY, name)
        if is_wanted(record, role, parent_id(payload)):
            return record
        raise self.conflict(name, record, error)

    def adopted(self, role, entry, done, failed, record, intuit_tid):
        if isinstance(record, QboError):
            return failed(record)
        if role == "job" and not self.holders.may_take_job(entry.request, record["Id"]):
            return failed(job_linked_elsewhere(record.get("DisplayName"), qbo_id=record["Id"]))
        if role == "customer":
            group = entry.group
            # Still under its own name with a distinct one to go to: the next push looks the name
            # up, finds the other contact's customer and takes the distinct name.
            on_own_name = bool(group.alt_name) and group.payload["DisplayName"] == group.name
            refused = self.holders.refusal(group.key, group.linked_id, record, group.payload["DisplayName"],
                                           retryable=on_own_name)
            if refused is not None:
                return failed(refused)
        message = "%s \"%s\" already existed in QuickBooks; linked to it." % (
            role.capitalize(), record.get("DisplayName"))
        self.event(entry, "link_%s" % role, "info", message, record["Id"], intuit_tid=intuit_tid)
        return done(record)

    def update_ops(self, role, entry, record, desired, done, failed):
        changes = changed_fields(record, desired)
        if not changes:
            return []
        payload, request_id = self.sparse(role, entry, record, changes)

        def answered(op):
            if not isinstance(op.answer, QboError):
                self.updated(role, entry, changes, op.answer, op.sent_id, op.intuit_tid)
                return done(op.answer)
            if op.answer.code == DUPLICATE_NAME and "DisplayName" in desired:
                name = desired["DisplayName"]
                return partial(self.update_conflict, name, op.answer), lambda error, _tid: failed(error)
            if op.answer.code != STALE_OBJECT:
                return failed(op.answer)
            self.event(entry, "update_%s" % role, "warning", "The %s changed in QuickBooks meanwhile; read "
                       "it again." % role, record["Id"], intuit_tid=op.answer.intuit_tid)
            return partial(self.rewrite, role, entry, record["Id"], desired), partial(
                self.rewritten, role, entry, done, failed)

        item = {"entity": ENTITY, "operation": "update", "payload": payload}
        return [Operation(item, request_id, answered)]

    def update_conflict(self, name, error):
        """After a 6240 on a rename (a follow-up, on a worker): the error, saying what holds the name."""
        raise self.conflict(name, find_by_name(self.client, ENTITY, name), error)

    def rewrite(self, role, entry, record_id, desired):
        """After a 5010 (a follow-up, on a worker): read the record again and write once more."""
        record = self.client.read(ENTITY, record_id)
        changes = changed_fields(record, desired)
        if not changes:
            return record, ()
        payload, request_id = self.sparse(role, entry, record, changes)
        return self.client.update(ENTITY, payload, request_id=request_id), (changes, request_id)

    def rewritten(self, role, entry, done, failed, outcome, intuit_tid):
        if isinstance(outcome, QboError):
            return failed(outcome)
        record, written = outcome
        if written:
            self.updated(role, entry, written[0], record, written[1], intuit_tid)
        return done(record)

    def updated(self, role, entry, changes, record, request_id, intuit_tid):
        self.event(entry, "update_%s" % role, "info", "%s \"%s\" updated in QuickBooks (%s)." % (
            role.capitalize(), record.get("DisplayName"), ", ".join(sorted(changes))), record["Id"],
            request_id, intuit_tid)
        if "DisplayName" in changes:
            self.tell_fitted_names(role, entry, record["Id"])

    def name_sent(self, role, entry, done, record):
        """A create went through (or linked the record holding its name): tell, then carry on."""
        self.tell_fitted_names(role, entry, record["Id"])
        return done(record)

    def tell_fitted_names(self, role, entry, qbo_id):
        """Warn each job whose customer or job name QuickBooks just got differs from the name as typed.

        Only a name written says so: a job pushed again unchanged writes nothing, and is not told twice.

        :param role: "customer" (every job of the customer is told) or "job"
        :param entry: the job that wrote the name
        :param qbo_id: the QuickBooks Id of the record written
        """
        for job in entry.group.entries if role == "customer" else [entry]:
            request = job.request
            if role == "customer":
                # The distinct name, when taken, is told by renamed(); this is about the own name.
                typed = customer_typed_name(request.customer, request.settings)
                sent = job.customer["DisplayName"]
            else:
                typed = job_typed_name(request.job, request.customer, request.settings)
                sent = job.job["DisplayName"]
            message = name_fit_notice(typed, sent, role)
            if message:
                self.event(job, "push", "warning", message, qbo_id)

    def sparse(self, role, entry, record, changes):
        """The sparse update of a record that writes ``changes``, and its request id."""
        payload = dict(changes, Id=record["Id"], SyncToken=record.get("SyncToken"), sparse=True)
        return payload, self.request_id(entry, "%s:update:%s:%s" % (role, record["Id"], payload["SyncToken"]),
                                        payload)

    def request_id(self, entry, role, payload):
        return write_request_id(self.realm_id, entry.request.key, role, payload, entry.request.revision)

    # === OUTCOMES === #

    def set_customer(self, group, record):
        group.record = record
        self.holders.hold_customer(record["Id"], group.key)
        for entry in group.entries:
            entry.result.customer_id = record["Id"]
            entry.result.customer_name = record.get("DisplayName")
            entry.result.customer_sync_token = record.get("SyncToken")

    def fail_group(self, group, error):
        group.failed = True
        for entry in group.entries:
            if entry.alive:
                self.fail(entry, error)

    def fail(self, entry, error):
        entry.result.state = "error"
        entry.result.error = error
        self.event(entry, "push", "error", str(error), intuit_tid=error.intuit_tid)

    @staticmethod
    def event(entry, operation, level, message, qbo_id=None, request_id=None, intuit_tid=None):
        entry.result.events.append(
            make_event(operation, level, message, ENTITY, qbo_id, request_id, intuit_tid))
