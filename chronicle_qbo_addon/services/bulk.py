"""Pushing many jobs to QuickBooks Online at once, as fast as Intuit's limits allow.

The one-job push (:mod:`.sync`) spends four or five requests on a new job, and Intuit allows 500
requests a minute per company. A bulk push spends a few requests per hundred jobs instead:

1. reads, in rounds: the linked customers and jobs by Id, the other names by DisplayName, the
   customers no name matched by e-mail and the distinct names of customers whose name another
   contact holds, with ``IN`` queries sent as batch requests (:meth:`.dispatch.Dispatcher.lookup`);
2. writes: the missing customers are created and the changed ones updated, with the jobs whose
   customer needs no write; then the jobs of the customers just written. Each round goes as batch
   requests of 30 operations sent in parallel (:mod:`.dispatch`).

Every rule of :mod:`.sync` holds per job: names sanitized the same way for look-ups and creates and
looked up among inactive records too; a customer found by name or by a unique e-mail is linked and
keeps its DisplayName; sparse updates of the fields that differ, carrying the SyncToken; a stale
object (5010) is read again and written once more; a duplicate name (6240) on create links the
record that holds it when it is the one wanted and fails clearly otherwise; a job whose fingerprint
did not change costs nothing. A fault on one operation of a batch fails only the jobs that depend
on it. Every write has a request id derived from the realm, the job key, the role, the payload and
the job's revision, and a batch request's id derives from those of its operations: a batch resent
after a lost answer gets QuickBooks' first answer back and creates nothing twice.

A customer or job name written that is not the name as typed (a colon made a space, a line break
flattened, a long name cut at a word) is told to each job it belongs to in a warning, once: a push
that writes no name tells nothing.

Two jobs of the host never end on one QuickBooks job. Job numbers and names that differ only in
case, in a colon (made a space) or past the cut of long names give one QuickBooks name, so a job
could find, or adopt after a 6240, the QuickBooks job of another: a job takes a record by name
only when no other job of the host is linked to it (``taken_job_ids``, and the links of the jobs
of the push), and of the jobs of one push that share a name under one customer only the first goes
on. The others fail with :data:`.errors.JOB_LINKED_ELSEWHERE` and nothing is written for them.

Two contacts of the host never end on one QuickBooks customer either. People share names, and
QuickBooks allows a name once: a customer found by name or e-mail, or holding the name on create,
is taken only when it is the request's own ``customer_id`` or bound to no other contact
(``customer_bindings``, the links of the push and the customers its jobs took or created). When
another contact's customer holds the name, or a job of another contact earlier in the push will
create it, the customer takes its distinct name (``customer_alt_name``) instead, found by name or
created, and the jobs say so in a warning; without one, or when that name is held too, the jobs
fail with :data:`.errors.CUSTOMER_BOUND_ELSEWHERE`. The other contact's customer is never written.
"""
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from .dispatch import Dispatcher, Index, Operation
from .errors import CUSTOMER_BOUND_ELSEWHERE, DUPLICATE_NAME, JOB_LINKED_ELSEWHERE, STALE_OBJECT, QboError
from .mapping import (
    DISPLAY_NAME_MAX_LENGTH,
    customer_payload,
    customer_typed_name,
    display_name_query,
    job_payload,
    job_typed_name,
    name_fit_notice,
    sanitize_display_name,
)
from .sync import (
    JobPushResult,
    _changes,
    _parent_id,
    _same_name,
    is_wanted,
    name_conflict,
    push_hash,
    push_request_id,
)

WORKERS = 10  # Intuit's cap of requests in flight per company
# Jobs a host should hand to one push_jobs call: about a minute of Intuit's batch budget (some 35
# batch requests), few enough that the host's memory stays flat and its commits frequent.
JOBS_PER_PUSH = 500
_FIELDS = {"id": "Id", "name": "DisplayName", "email": "PrimaryEmailAddr", "alt": "DisplayName"}
_SAME_NAME_HINT = ("Job numbers or names that differ only in case, in a colon or past the cut of long names "
                   "(at the last word within %d characters) give one QuickBooks name: change the number or "
                   "name of one of the jobs, or the job name template." % DISPLAY_NAME_MAX_LENGTH)
_BOUND_HINT = ("Two contacts never share a QuickBooks customer: give this one a name or customer reference "
               "that sets it apart, or change the customer name template.")


def push_jobs(client, requests, workers=WORKERS, taken_job_ids=frozenset(), customer_bindings=None):
    """Push many jobs (and their customers) to one QuickBooks company.

    The client's token callback runs on the calling thread, never on a worker: a host's ORM is not
    thread-safe.

    :param client: a :class:`.client.QboClient` of the target company
    :param requests: :class:`.sync.JobPushRequest` objects, with distinct keys
    :param workers: requests sent in parallel at most (the client's rate limiter may allow fewer)
    :param taken_job_ids: QuickBooks Ids of the jobs linked to jobs of the host in this company,
        whether pushed now or not; a job found by name, or holding the name on create, is taken
        only when it is the request's own ``job_id`` or not among these
    :param customer_bindings: {QuickBooks customer Id: contact key} of the customers bound to a
        contact of the host in this company, whether pushed now or not; a customer found by name or
        e-mail, or holding the name on create, is taken only when it is the request's own
        ``customer_id`` or bound to no contact but the request's ``customer_key``. None binds none.
    :return: one :class:`.sync.JobPushResult` per request, in the same order; QuickBooks failures
        are reported in them, never raised (a job of the host that would share another's
        QuickBooks job fails with code :data:`.errors.JOB_LINKED_ELSEWHERE`, one whose customer
        would be another contact's with code :data:`.errors.CUSTOMER_BOUND_ELSEWHERE`)
    :raise QboAuthError: when Intuit refuses the saved authorization: no job can be pushed
    """
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qbo-push") as pool:
        return _BulkPush(Dispatcher(client, pool), requests, taken_job_ids, customer_bindings).run()


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


class _BulkPush:
    def __init__(self, dispatch, requests, taken_job_ids, customer_bindings):
        self.dispatch = dispatch
        self.client = dispatch.client
        self.realm_id = self.client.company_id
        self.requests = requests
        self.groups = []
        self.taken_job_ids = frozenset(taken_job_ids)
        # QuickBooks job Id -> key of the job of this push that holds it: its link, or the record it
        # created or took.
        self.job_holders = {request.job_id: request.key for request in requests if request.job_id}
        # QuickBooks customer Id -> key of the contact it belongs to: the host's bindings, else the
        # link of a job of this push, or the record its customer took or created.
        self.customer_holders = {request.customer_id: request.customer_key for request in requests
                                 if request.customer_id and request.customer_key}
        self.customer_holders.update(customer_bindings or {})
        # Case-folded name -> (contact key, key of its first job) of the customers of this push
        # still to be created under that name.
        self.name_claims = {}

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
        try:
            customer = customer_payload(request.customer, request.settings)
            job = job_payload(request.job, request.customer_id or "", request.customer, request.settings)
        except ValueError as exc:
            entry = _Entry(request, None, None)
            self.fail(entry, QboError("invalid_data", str(exc)))
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
            rows, failed = self.dispatch.lookup({field: list(spellings.values())
                                                 for field, spellings in wanted.items()})
            index = Index(rows)
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
                          if not _parent_id(row) and not row.get("Job")]
            # Another contact's customer is passed over like an e-mail shared by several customers.
            if len(candidates) == 1 and self.may_take_customer(group, candidates[0]):
                record = candidates[0]
                self.event(first, "link_customer", "info", "Customer \"%s\" found in QuickBooks by e-mail "
                           "%s." % (record.get("DisplayName"), group.email), record["Id"])
                self.set_customer(group, record)
            else:
                self.settle_name(group)
            return
        name = group.name if step == "name" else group.alt_name
        record = index.by_name.get(name.casefold())
        if record is not None and (_parent_id(record) or record.get("Job")):
            self.fail_group(group, name_conflict(self.client, name, record))
            return
        refused = self.refusal(group, record, name)
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
        refused = group.name_refused or self.refusal(group, None, group.name)
        if refused is None:
            self.claim(group, group.name)
        elif group.alt_name:
            group.step = "alt"
        else:
            self.fail_group(group, refused)

    def may_take_customer(self, group, record):
        """Whether the customer may be linked to a QuickBooks customer found by name or e-mail, or
        holding its name on create."""
        record_id = record["Id"]
        return record_id == group.linked_id or self.customer_holders.get(record_id) in (None, group.key)

    def refusal(self, group, record, name, retryable=False):
        """Why the customer may not have a name, or None when it may.

        :param record: the QuickBooks customer holding the name, None when none was found
        :param name: the name, for a customer still to be created
        :param retryable: whether the error says that the same push may succeed later
        :return: a :class:`QboError` of code :data:`.errors.CUSTOMER_BOUND_ELSEWHERE` when the record
            belongs to another contact, or the name to a customer of another contact that a job
            earlier in this push creates; None otherwise
        """
        if record is not None:
            if self.may_take_customer(group, record):
                return None
            return QboError(CUSTOMER_BOUND_ELSEWHERE, "QuickBooks customer \"%s\" (Id %s) belongs to another "
                            "contact. %s" % (record.get("DisplayName"), record["Id"], _BOUND_HINT),
                            detail=record["Id"], retryable=retryable)
        key, first_job = self.name_claims.get(name.casefold(), (None, None))
        if key in (None, group.key):
            return None
        return QboError(CUSTOMER_BOUND_ELSEWHERE, "QuickBooks customer \"%s\" belongs to another contact "
                        "pushed with this one. %s" % (name, _BOUND_HINT), detail=first_job)

    def claim(self, group, name):
        """The customer will be created under this name: no other contact's customer may have it."""
        # Without a contact key a customer binds nothing, as a customer missing from the bindings.
        if group.key is not None:
            self.name_claims.setdefault(name.casefold(), (group.key, group.entries[0].request.key))

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
                self.fail(entry, QboError(
                    JOB_LINKED_ELSEWHERE, "QuickBooks job \"%s\" is already linked to another job pushed "
                    "with this one, under the same customer. %s" % (name, _SAME_NAME_HINT),
                    detail=first.request.key))

    def may_take(self, entry, record):
        """Whether the job may be linked to a QuickBooks job found holding its name."""
        record_id = record["Id"]
        if record_id == entry.request.job_id:
            return True
        holder = self.job_holders.get(record_id)
        return record_id not in self.taken_job_ids and holder in (None, entry.request.key)

    def linked_elsewhere(self, entry, record):
        self.fail(entry, QboError(
            JOB_LINKED_ELSEWHERE, "QuickBooks job \"%s\" (Id %s) is already linked to another job. %s" % (
                record.get("DisplayName"), record["Id"], _SAME_NAME_HINT), detail=record["Id"]))

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
            if _parent_id(entry.found) != customer_id:
                self.fail(entry, name_conflict(self.client, name, entry.found))
                return []
            if not self.may_take(entry, entry.found):
                self.linked_elsewhere(entry, entry.found)
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
        self.job_holders[record["Id"]] = entry.request.key
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

        item = {"entity": "Customer", "operation": "create", "payload": payload}
        return Operation(item, request_id, answered)

    def adopt(self, role, payload, error):
        """After a 6240 on create (a follow-up, on a worker): the record holding the name, if wanted."""
        name = payload["DisplayName"]
        record = self.find_by_name(name)
        if is_wanted(record, role, _parent_id(payload)):
            return record
        raise name_conflict(self.client, name, record, error)

    def adopted(self, role, entry, done, failed, record, intuit_tid):
        if isinstance(record, QboError):
            return failed(record)
        if role == "job" and not self.may_take(entry, record):
            return self.linked_elsewhere(entry, record)
        if role == "customer":
            group = entry.group
            # Still under its own name with a distinct one to go to: the next push looks the name
            # up, finds the other contact's customer and takes the distinct name.
            on_own_name = bool(group.alt_name) and group.payload["DisplayName"] == group.name
            refused = self.refusal(group, record, group.payload["DisplayName"], retryable=on_own_name)
            if refused is not None:
                return failed(refused)
        message = "%s \"%s\" already existed in QuickBooks; linked to it." % (
            role.capitalize(), record.get("DisplayName"))
        self.event(entry, "link_%s" % role, "info", message, record["Id"], intuit_tid=intuit_tid)
        return done(record)

    def update_ops(self, role, entry, record, desired, done, failed):
        changes = _changes(record, desired)
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

        item = {"entity": "Customer", "operation": "update", "payload": payload}
        return [Operation(item, request_id, answered)]

    def update_conflict(self, name, error):
        raise name_conflict(self.client, name, self.find_by_name(name), error)

    def rewrite(self, role, entry, record_id, desired):
        """After a 5010 (a follow-up, on a worker): read the record again and write once more."""
        record = self.client.read("Customer", record_id)
        changes = _changes(record, desired)
        if not changes:
            return record, ()
        payload, request_id = self.sparse(role, entry, record, changes)
        return self.client.update("Customer", payload, request_id=request_id), (changes, request_id)

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

    def find_by_name(self, name):
        rows = self.client.query(display_name_query("Customer", name))
        return next((row for row in rows if _same_name(row, name)), None)

    def sparse(self, role, entry, record, changes):
        """The sparse update of a record that writes ``changes``, and its request id."""
        payload = dict(changes, Id=record["Id"], SyncToken=record.get("SyncToken"), sparse=True)
        return payload, self.request_id(entry, "%s:update:%s:%s" % (role, record["Id"], payload["SyncToken"]),
                                        payload)

    def request_id(self, entry, role, payload):
        revision = entry.request.revision
        role = "%s@%s" % (role, revision) if revision else role
        return push_request_id(self.realm_id, entry.request.key, role, payload)

    # === OUTCOMES === #

    def set_customer(self, group, record):
        group.record = record
        if self.customer_holders.get(record["Id"]) is None:
            self.customer_holders[record["Id"]] = group.key
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

    def event(self, entry, operation, level, message, qbo_id=None, request_id=None, intuit_tid=None):
        entry.result.events.append({
            "operation": operation, "level": level, "message": message, "qbo_entity": "Customer",
            "qbo_id": qbo_id, "request_id": request_id, "intuit_tid": intuit_tid,
        })
