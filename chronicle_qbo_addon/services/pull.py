"""The whole bridge's pull: reading what one QuickBooks company holds for job costing, and
handing it, page by page, to the host that lands it.

A company's first pull reads everything since its start date: the reference lists (accounts,
items, classes) and the documents, in queries of 1000 rows (the fewest pages QuickBooks allows),
plus its Preferences (how it tracks classes). Later pulls read Change Data Capture since the
last position, every entity type in one request: a night with nothing changed costs one read.

- The position is QuickBooks' own time of the pull's first answer: whatever changes after it is
  in the next Change Data Capture. A few minutes of overlap cover clocks and commits in flight;
  what the overlap brings again lands on the same lines, unchanged.
- Change Data Capture goes back 30 days: an older position means a full read again, which also
  drops the documents QuickBooks no longer has (their deletion is past what it reports).
- An answer of 1000 objects (in all, as Intuit's reference words the cap, or of one type, as the
  local sandbox applies it) is asked again from where it is known whole (:func:`read_changes`),
  until it comes back short; answers that cannot move on (1000 objects of one moment) make those
  types a full read.
- The host commits after each page; the position moves only once the whole pull is landed and
  the host saves it, so a pull stopped anywhere and run again converges: lines are keyed, and
  landing a document again changes nothing.

Crew time (TimeActivity) is read only for a company that imports labor, from its labor start
date (:class:`LaborRead`): Change Data Capture does not cover it, so a later pull asks for the
time changed since the position by query, and counts the activities dated from the start. A count
that differs from what the host holds means QuickBooks deleted one (a query never shows a
deletion): only then is the time read in full, and what it lacks dropped. A night without new
time costs these two reads.

The host is a :class:`Sink`; the reads go through the one :class:`.client.QboClient` the push
uses, so the same rate limiter and metering apply.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .errors import QboError
from .job_cost import DOCUMENT_ENTITIES, PULLED_ENTITIES, SKIP_BEFORE_START, class_tracking, document_lines
from .labor import TIME_ENTITY, TimeEntry, changes_statement, count_statement, time_entry
from .labor import full_statement as time_statement
from .reads import CDC_MAX_OBJECTS, PAGE_SIZE, page, select

FULL, CHANGES = "full", "changes"
CUSTOMER_ENTITY = "Customer"
CDC_OVERLAP = timedelta(minutes=5)
# Intuit's limit is 30 days; half a day spare keeps a slow night from crossing it.
CDC_MAX_AGE = timedelta(days=29, hours=12)
# Rows each page of a full read shares with the one before: up to one fewer rows may be deleted
# between two pages without one being missed.
PAGE_OVERLAP = 10
MAX_RESTARTS = 3
# Intuit's fault for a changedSince too far back.
CDC_TOO_OLD = "6000"


class Sink:
    """What the host does with a pull (methods to override; the defaults do nothing)."""

    def tracking(self, tracking):
        """A full pull read how the company tracks classes (:func:`.job_cost.class_tracking`),
        before it lands any line."""

    def reference(self, entity, records):
        """Mirror reference records (Account, Item, Class, Customer, Employee, Vendor), as QuickBooks
        sends them."""

    def documents(self, entity, results):
        """Land the lines of documents of one entity type (:class:`.job_cost.DocumentLines`): a
        document's lines replace what the host holds for it; a deleted one leaves none."""

    def reconcile(self, entity, seen_ids):
        """After a full read of ``entity``: drop what the host holds of documents not in
        ``seen_ids`` (QuickBooks deleted them, or they moved before the start date)."""

    def time(self, entries):
        """Land crew time (:class:`.labor.TimeEntry`, deleted ones included): an activity read
        again replaces what the host holds of it."""

    def time_reconcile(self, seen_ids):
        """After a full read of the time: drop the activities the host holds that are not in
        ``seen_ids``."""

    def time_held(self, start_date):
        """How many activities dated on or after ``start_date`` the host holds."""
        return 0

    def checkpoint(self):
        """A page is landed: commit it."""


@dataclass(frozen=True)
class LaborRead:
    """Crew time to read: dated from ``start_date``; ``full`` reads it whole (the first time, or
    after the start moved earlier than what the host holds)."""

    start_date: object
    full: bool = False


@dataclass
class PullOutcome:
    """What a pull did: ``mode`` (:data:`FULL` or :data:`CHANGES`), the ``position`` the next pull
    starts from (an aware datetime; to be saved once everything is landed), the class
    ``tracking`` read (full pulls only, else None), per entity type the documents ``read``, and
    the lines ``skipped`` for reasons the pull itself sees (before the start date, excluded), and
    whether the count of crew time differed from the host's (``time_recounted``: the time was
    then read in full)."""

    mode: str
    position: datetime = None
    tracking: str = None
    read: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    time_recounted: bool = False


def plan(position, now, full=False):
    """How the next pull reads.

    :param position: where the last pull left off (aware datetime), or None
    :param now: the host's time (aware)
    :param full: ask for a full read anyway (jobs linked with history since)
    :return: (:data:`FULL`, None) or (:data:`CHANGES`, the changedSince to send)
    """
    if full or position is None or now - position > CDC_MAX_AGE:
        return FULL, None
    return CHANGES, position - CDC_OVERLAP


def full_statement(entity, start_date):
    """The query of a full read, in the order of Ids: documents dated on or after the start date;
    reference lists whole."""
    where = [("TxnDate", ">=", start_date.isoformat())] if entity in DOCUMENT_ENTITIES else []
    return select(entity, where, order_by="Id")


def last_updated(record):
    """A record's MetaData.LastUpdatedTime (a deleted one's is its deletion), aware."""
    return _parse_time(((record.get("MetaData") or {}).get("LastUpdatedTime")))


def _parse_time(text):
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_changes(client, entities, since):
    """Change Data Capture since a moment, every type in one request; an answer cut at 1000
    objects is asked again until it comes back short.

    QuickBooks answers oldest first. A type that came back with 1000 objects is whole up to its
    last one; an answer of 1000 objects in all (the cap as Intuit's reference words it) is whole up
    to its newest object. So the next request asks every type again from the earliest end of the
    types cut at 1000, or, when none is, from the answer's newest object: never from the end of a
    short type (a list changed long before the flood would hold the window back). An answer that
    cannot move on (1000 objects of one moment) leaves only the types holding them to a full read.

    :return: ({entity: [objects], newest version of each}, QuickBooks' time of the first answer,
        the types that could not be read this way (1000 objects at one same moment): read them
        in full)
    :raise QboError: when QuickBooks cannot answer
    """
    merged = {entity: {} for entity in entities}
    asked, moment, first_time, overflow = list(entities), since, None, []
    while asked:
        changes = client.change_data_capture(asked, moment)
        first_time = first_time or _parse_time(changes.time)
        for entity in asked:
            for record in changes.get(entity) or []:
                merged[entity][str(record["Id"])] = record
        ends = {entity: max(last_updated(record) for record in changes[entity])
                for entity in asked if changes.get(entity)}
        cut = [entity for entity in asked if entity in changes.capped and entity in ends]
        in_all = sum(len(changes.get(entity) or []) for entity in asked) >= CDC_MAX_OBJECTS
        if not (cut or in_all):
            break
        later = min(ends[entity] for entity in cut) if cut else max(ends.values())
        if later <= moment:
            # 1000 objects of one moment: the types that hold them are read in full; when the cap
            # counted the whole answer, the others are asked again without them.
            stalled = cut or [entity for entity in asked if ends.get(entity) == moment]
            overflow += stalled
            asked = [entity for entity in asked if entity not in stalled] if in_all else []
            continue
        if not in_all:
            asked = cut  # the short types' answers were whole
        moment = later
    return {entity: list(records.values()) for entity, records in merged.items()}, first_time, overflow


def pull(client, sink, *, position, start_date, now, full=False, tracking=None, exclusions=None, labor=None):
    """Pull one company: read what changed (or everything) and hand it to the sink.

    :param client: the company's :class:`.client.QboClient`
    :param sink: the host's :class:`Sink`
    :param position: where the last pull left off (aware datetime), or None for the first
    :param start_date: documents dated before it are not pulled (a ``date``)
    :param now: the host's time (aware)
    :param full: read everything again (see :func:`plan`)
    :param tracking: the company's class tracking as last read (a full pull reads it again)
    :param exclusions: :func:`.job_cost.exclusion_pattern` of the check memos to skip
    :param labor: the crew time to read (:class:`LaborRead`), or None to read none
    :return: :class:`PullOutcome`
    :raise QboError: when QuickBooks cannot answer; what was landed before stays, the position
        does not move
    """
    mode, since = plan(position, now, full)
    if mode == CHANGES:
        try:
            changes, first_time, overflow = read_changes(client, PULLED_ENTITIES, since)
        except QboError as error:
            if error.code != CDC_TOO_OLD:
                raise
            mode = FULL  # QuickBooks' clock is further on than the host's
    if mode == FULL:
        outcome = _full(client, sink, start_date, exclusions, reconcile=position is not None)
    else:
        outcome = PullOutcome(CHANGES, first_time or since + CDC_OVERLAP, tracking)
        for entity in PULLED_ENTITIES:
            if entity in overflow:
                # The full read covers the type since the start date: what it lacks is gone.
                _read_in_full(client, sink, outcome, entity, start_date, exclusions, reconcile=True)
            elif changes[entity]:
                _land(sink, outcome, entity, changes[entity], start_date, exclusions)
        sink.checkpoint()
    if labor is not None:
        _read_time(client, sink, outcome, labor, since if mode == CHANGES and not labor.full else None)
    return outcome


def pull_customers(client, sink, *, position, now):
    """Read the company's customers and jobs alone (Run customer import): what changed since the
    position by Change Data Capture, one read, or all of them when there is none or it is too old.

    :param position: where the last read of customers left off (aware datetime), or None
    :return: :class:`PullOutcome` (its ``position`` is where the next read starts)
    :raise QboError: when QuickBooks cannot answer
    """
    mode, since = plan(position, now)
    outcome = PullOutcome(mode)
    if mode == CHANGES:
        try:
            changes, first_time, overflow = read_changes(client, [CUSTOMER_ENTITY], since)
        except QboError as error:
            if error.code != CDC_TOO_OLD:
                raise
            mode, outcome.mode = FULL, FULL
        else:
            outcome.position = first_time or since + CDC_OVERLAP
            if not overflow:
                _land(sink, outcome, CUSTOMER_ENTITY, changes[CUSTOMER_ENTITY], None, None)
                sink.checkpoint()
                return outcome
    outcome.position = None
    _read_in_full(client, sink, outcome, CUSTOMER_ENTITY, None, None, reconcile=False)
    return outcome


def _read_time(client, sink, outcome, labor, since):
    """Crew time: everything from the labor start (``since`` None), or what changed since then and
    a count that tells whether anything was deleted."""
    def land(rows):
        _land_time(sink, outcome, rows, labor.start_date)

    if since is not None:
        _read_pages(client, sink, outcome, TIME_ENTITY, changes_statement(since), land)
        if client.count(count_statement(labor.start_date)) == sink.time_held(labor.start_date):
            return
        outcome.time_recounted = True
    seen = _read_pages(client, sink, outcome, TIME_ENTITY, time_statement(labor.start_date), land)
    sink.time_reconcile(seen)
    sink.checkpoint()


def _land_time(sink, outcome, rows, start_date):
    """Hand the activities read to the sink. One dated before the labor start (the changes query
    finds those moved there) lands as deleted: the count leaves it out, so nothing else drops it."""
    outcome.read[TIME_ENTITY] += len(rows)
    entries = [time_entry(row) for row in rows]
    sink.time([TimeEntry(entry.qbo_id, deleted=True) if entry.date and entry.date < start_date.isoformat()
               else entry for entry in entries])


def _full(client, sink, start_date, exclusions, reconcile):
    preferences = client.preferences()
    outcome = PullOutcome(FULL, _parse_time(client.last_answer_time), class_tracking(preferences))
    sink.tracking(outcome.tracking)
    for entity in PULLED_ENTITIES:
        _read_in_full(client, sink, outcome, entity, start_date, exclusions, reconcile)
    return outcome


def _read_in_full(client, sink, outcome, entity, start_date, exclusions, reconcile):
    """Read a type page by page. Pages are by position: a row deleted (or dated before the start)
    between two pages would shift the next page past a row never read. So each page starts
    :data:`PAGE_OVERLAP` rows before the previous one ended: fewer deletions than that keep the
    previous page's last row in the next page; when it is not there, the type is read again from
    its first page (a few times at most)."""
    seen = _read_pages(client, sink, outcome, entity, full_statement(entity, start_date),
                       lambda rows: _land(sink, outcome, entity, rows, start_date, exclusions))
    if reconcile and entity in DOCUMENT_ENTITIES:
        sink.reconcile(entity, seen)
        sink.checkpoint()


def _read_pages(client, sink, outcome, entity, statement, land):
    """Read a statement ordered by Id page by page, landing and committing each page.

    :return: the Ids of every row read
    """
    seen, restarts, start, last_id = set(), 0, 1, None
    while True:
        rows = client.query(page(statement, start))
        outcome.position = outcome.position or _parse_time(client.last_answer_time)
        if last_id is not None and last_id not in {str(row["Id"]) for row in rows}:
            if restarts >= MAX_RESTARTS:
                raise QboError("shifting", "%s records kept changing while they were read; the next run "
                               "reads them again." % entity, retryable=True)
            restarts += 1
            start, last_id = 1, None
            continue
        seen.update(str(row["Id"]) for row in rows)
        land(rows)
        sink.checkpoint()
        if len(rows) < PAGE_SIZE:
            return seen
        start += PAGE_SIZE - PAGE_OVERLAP
        last_id = str(rows[-1]["Id"])


def _land(sink, outcome, entity, records, start_date, exclusions):
    outcome.read[entity] += len(records)
    if entity not in DOCUMENT_ENTITIES:
        sink.reference(entity, records)
        return
    results = []
    for record in records:
        result = document_lines(entity, record, outcome.tracking, exclusions)
        if not result.deleted and result.date and result.date < start_date.isoformat():
            result.skipped[SKIP_BEFORE_START] += len(result.lines)
            result.lines = []
        outcome.skipped.update(result.skipped)
        results.append(result)
    sink.documents(entity, results)
