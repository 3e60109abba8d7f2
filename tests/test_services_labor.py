"""Crew time: how a TimeActivity becomes a time entry, and the pull of the time against the local
sandbox through the bridge's client. The first pull reads it in full from the labor start; later
pulls ask for what changed since the position and count what QuickBooks holds (two reads when
nothing changed), and read it in full again only when the count shows a deletion.

Each sandbox test logs its own time on two jobs of its own, ten minutes before the first pull, so
that a later pull's overlap does not bring it again; the seeded time is checked against the
sandbox's ledger."""
from datetime import timedelta
from decimal import Decimal

import pytest
from pull_helpers import Books, Interrupted, MemorySink, counted_from_zero, qbo_now, sandbox_reads

from chronicle_qbo_addon.services.job_cost import PULLED_ENTITIES
from chronicle_qbo_addon.services.labor import (
    EMPLOYEE,
    TIME_ENTITY,
    VENDOR,
    TimeEntry,
    count_statement,
    duration,
    full_statement,
    time_entry,
)
from chronicle_qbo_addon.services.pull import CHANGES, FULL, LaborRead, pull
from chronicle_qbo_addon.services.reads import PAGE_SIZE
from qbo_sandbox import ledger

# Before the first pull: what a later pull reads again (five minutes of overlap) leaves it out.
AHEAD = 600
LABOR_DAYS = 45


def hours(text):
    return Decimal(text)


# === a TimeActivity as a time entry === #

def activity(**members):
    record = {"Id": "41", "TxnDate": "2026-03-10", "NameOf": "Employee",
              "EmployeeRef": {"value": "55", "name": "Tyler Brooks"},
              "CustomerRef": {"value": "12", "name": "24-0126 - Storm damage"}}
    record.update(members)
    return record


def test_hours_and_minutes():
    assert duration(activity(Hours=7, Minutes=15)) == hours("7.25")
    assert duration(activity(Hours=32)) == 32
    assert duration(activity(Minutes=20)) == hours("0.3333"), "to the ten-thousandth of an hour"
    assert duration(activity(Hours=0, Minutes=0)) == 0


def test_clock_times_less_the_break_whatever_their_offsets():
    day = {"StartTime": "2026-03-10T07:30:00-05:00", "EndTime": "2026-03-10T16:00:00-05:00"}
    assert duration(activity(**day)) == hours("8.5")
    assert duration(activity(**day, BreakMinutes=30)) == 8
    assert duration(activity(**day, BreakHours=1, BreakMinutes=15)) == hours("7.25")
    # 16:00 at -05:00 is 21:00 UTC; Hours sent beside clock times are not what counts.
    assert duration(activity(StartTime="2026-03-10T07:30:00-05:00", EndTime="2026-03-10T21:00:00Z",
                             BreakHours=1, Hours=3)) == hours("7.5")
    noon = activity(StartTime="2026-03-10T12:00:00Z", EndTime="2026-03-10T07:45:00-05:00")
    assert duration(noon) == hours("0.75")
    assert duration(activity(StartTime=day["StartTime"], EndTime="2026-03-10T08:00:00-05:00",
                             BreakHours=1)) == 0, "never negative"


def test_an_employee_s_time_entry():
    entry = time_entry(activity(Id=41, Hours=5, Minutes=45, CostRate=28, HourlyRate=65.5,
                                ClassRef={"value": "7", "name": "Reconstruction:Drywall"},
                                ItemRef={"value": "9", "name": "Labor"}, BillableStatus="Billable",
                                Description="  Hang and tape ceiling drywall \n"))
    assert entry == TimeEntry(
        qbo_id="41", date="2026-03-10", customer_id="12", customer_name="24-0126 - Storm damage",
        worker_kind=EMPLOYEE, worker_id="55", worker_name="Tyler Brooks", hours=hours("5.75"),
        cost_rate=Decimal(28), hourly_rate=Decimal("65.5"), class_id="7", item_id="9", billable="Billable",
        description="Hang and tape ceiling drywall")


def test_a_vendor_s_crew_time_without_a_cost_rate():
    record = activity(NameOf="Vendor", VendorRef={"value": "60", "name": "Labor Finders Asheville"},
                      Hours=32, Description="   ")
    del record["EmployeeRef"]
    entry = time_entry(record)
    worker = (entry.worker_kind, entry.worker_id, entry.worker_name)
    assert worker == (VENDOR, "60", "Labor Finders Asheville")
    assert (entry.hours, entry.cost_rate, entry.hourly_rate) == (32, None, None)
    assert (entry.class_id, entry.item_id, entry.description) == (None, None, None)
    assert time_entry(activity(Hours=2, CostRate=0)).cost_rate == 0, "a rate of 0 is a rate"


def test_a_deleted_activity():
    assert time_entry({"Id": 41, "status": "Deleted"}) == TimeEntry("41", deleted=True)


# === the pull against the sandbox === #

@pytest.fixture
def books(sandbox, client):
    return Books(client, "LB", qbo_now(sandbox).date())


@pytest.fixture
def start(books):
    """The documents' start date."""
    return books.today - timedelta(days=60)


@pytest.fixture
def labor(books):
    """The labor start: later than the documents', so the seeded time of 46 days ago is left out."""
    return LaborRead(books.today - timedelta(days=LABOR_DAYS))


@pytest.fixture
def crew(sandbox, books):
    """The test's own time on its two jobs, logged ten minutes ago."""
    a, b, payload = books.job_a, books.job_b, books.time_activity
    logged = {
        "hours": payload(a, 6, 30, cost_rate=30, days_ago=3),
        "clock": payload(a, clock=("07:30", "16:00"), break_minutes=45, cost_rate=30, days_ago=5),
        "vendor": payload(b, 16, vendor=True, cost_rate=20, days_ago=4),
        "no_rate": payload(b, 2, 15, days_ago=2),
        "old": payload(b, 3, cost_rate=30, days_ago=LABOR_DAYS + 5),
    }
    logged = {name: books.create("TimeActivity", body) for name, body in logged.items()}
    sandbox.control.advance_clock(AHEAD)
    return logged


def run(client, sink, start, sandbox, labor, position=None):
    return pull(client, sink, position=position, start_date=start, now=qbo_now(sandbox), labor=labor)


def names(crew):
    """(job A, job B, the employee, the vendor) as QuickBooks names them."""
    return (crew["hours"]["CustomerRef"]["name"], crew["vendor"]["CustomerRef"]["name"],
            crew["hours"]["EmployeeRef"]["name"], crew["vendor"]["VendorRef"]["name"])


def own_labor(sink, books):
    return sink.labor([books.job_a, books.job_b])


def seeded_labor(sink, books):
    return {customer: workers for customer, workers in sink.labor().items()
            if customer not in own_labor(sink, books)}


def ledger_labor(days):
    """The seeded time of Blue Ridge dated less than ``days`` ago, as the sink sums it up."""
    recent = [doc for doc in ledger.BLUE_RIDGE if isinstance(doc, ledger.Worked) and doc.days < days]
    return {customer: {worker: (Decimal(str(spent)), None if cost is None else Decimal(str(cost)))
                       for worker, (spent, cost) in workers.items()}
            for customer, workers in ledger.labor(recent).items()}


def time_pages(outcome):
    return outcome.read[TIME_ENTITY] // PAGE_SIZE + 1


def test_a_first_pull_lands_the_time_dated_from_the_labor_start(
        sandbox, client, realm, books, start, labor, crew):
    job_a, job_b, employee, vendor = names(crew)
    counted_from_zero(sandbox, client)
    sink = MemorySink()
    outcome = run(client, sink, start, sandbox, labor)

    assert outcome.mode == FULL and not outcome.time_recounted
    assert own_labor(sink, books) == {
        job_a: {employee: (hours("14.25"), Decimal("427.5"))},  # 6.5 h and 8.5 h less 45 minutes, at 30
        job_b: {vendor: (16, 320), employee: (hours("2.25"), None)},
    }, "the time of 50 days ago is before the labor start"
    assert seeded_labor(sink, books) == ledger_labor(LABOR_DAYS)
    assert ledger_labor(LABOR_DAYS) != ledger_labor(60), "the seed has time between the two start dates"
    by_vendor = sink.time_entry(crew["vendor"]["Id"])
    assert (by_vendor.worker_kind, by_vendor.worker_id, by_vendor.date) == (
        VENDOR, books.vendor, books.date(4))
    assert sink.time_entry(crew["no_rate"]["Id"]).cost_rate is None
    # Preferences, every type page by page, then the time page by page: no count in a full read.
    pages = 1 + sum(outcome.read[entity] // PAGE_SIZE + 1 for entity in PULLED_ENTITIES) + time_pages(outcome)
    assert client.reads == sandbox_reads(sandbox, realm) == pages
    held = {row["Id"] for row in client.query_all(full_statement(labor.start_date))}
    assert set(sink.time_entries()) == held and outcome.read[TIME_ENTITY] == len(held)
    assert client.count(count_statement(labor.start_date)) == sink.time_held(labor.start_date) == len(held)
    assert sink.time_reconciles == 1


def test_a_pull_without_labor_reads_no_time(sandbox, client, realm, books, start, crew):
    counted_from_zero(sandbox, client)
    sink = MemorySink()
    first = run(client, sink, start, sandbox, None)
    assert TIME_ENTITY not in first.read and sink.time_entries() == {} and sink.time_reconciles == 0
    pages = 1 + sum(first.read[entity] // PAGE_SIZE + 1 for entity in PULLED_ENTITIES)
    assert client.reads == sandbox_reads(sandbox, realm) == pages

    books.update("TimeActivity", crew["hours"], Hours=9, Minutes=0)
    counted_from_zero(sandbox, client)
    second = run(client, sink, start, sandbox, None, position=first.position)
    assert second.mode == CHANGES and client.reads == sandbox_reads(sandbox, realm) == 1
    assert TIME_ENTITY not in second.read and sink.time_entries() == {}


def test_a_later_pull_with_nothing_changed_costs_three_reads_with_labor_and_one_without(
        sandbox, client, realm, books, start, labor, crew):
    sink, bare = MemorySink(), MemorySink()
    first = run(client, sink, start, sandbox, labor)
    first_bare = run(client, bare, start, sandbox, None)
    changed, entries = sink.changed, sink.time_entries()

    counted_from_zero(sandbox, client)
    second = run(client, sink, start, sandbox, labor, position=first.position)
    assert second.mode == CHANGES and not second.time_recounted
    assert client.reads == sandbox_reads(sandbox, realm) == 3, (
        "Change Data Capture, the time changed, the count")
    assert second.read[TIME_ENTITY] == 0 and sink.time_reconciles == 1
    assert (sink.changed, sink.time_entries()) == (changed, entries)

    counted_from_zero(sandbox, client)
    run(client, bare, start, sandbox, None, position=first_bare.position)
    assert client.reads == sandbox_reads(sandbox, realm) == 1


def test_an_edited_activity_and_a_new_one_come_in_by_the_changes_query(
        sandbox, client, realm, books, start, labor, crew):
    job_a, job_b, employee, vendor = names(crew)
    sink = MemorySink()
    first = run(client, sink, start, sandbox, labor)
    books.update("TimeActivity", crew["hours"], Hours=9, Minutes=0)
    new = books.create("TimeActivity", books.time_activity(books.job_b, 1, 30, vendor=True, cost_rate=22,
                                                           description="Debris haul-off"))
    counted_from_zero(sandbox, client)

    second = run(client, sink, start, sandbox, labor, position=first.position)
    assert client.reads == sandbox_reads(sandbox, realm) == 3 and not second.time_recounted
    assert second.read[TIME_ENTITY] == 2, "only what changed is read"
    edited = sink.time_entry(crew["hours"]["Id"])
    assert (edited.hours, edited.cost_rate) == (9, 30), "the sparse update kept the cost rate"
    added = sink.time_entry(new["Id"])
    assert (added.worker_kind, added.hours, added.cost_rate, added.description) == (
        VENDOR, hours("1.5"), 22, "Debris haul-off")
    assert own_labor(sink, books) == {
        job_a: {employee: (hours("16.75"), Decimal("502.5"))},
        job_b: {vendor: (hours("17.5"), 353), employee: (hours("2.25"), None)},
    }


def test_a_deleted_activity_makes_the_count_differ_and_the_time_read_in_full(
        sandbox, client, realm, books, start, labor, crew):
    job_a, job_b, employee, _vendor = names(crew)
    sink = MemorySink()
    first = run(client, sink, start, sandbox, labor)
    held = len(sink.time_entries())
    books.operate("TimeActivity", crew["vendor"], "delete")
    counted_from_zero(sandbox, client)

    second = run(client, sink, start, sandbox, labor, position=first.position)
    assert second.time_recounted and sink.time_reconciles == 2
    assert client.reads == sandbox_reads(sandbox, realm) == 3 + time_pages(second)
    assert second.read[TIME_ENTITY] == held - 1, "the changes query found nothing, the full read the rest"
    assert crew["vendor"]["Id"] not in sink.time_entries()
    assert own_labor(sink, books) == {job_a: {employee: (hours("14.25"), Decimal("427.5"))},
                                      job_b: {employee: (hours("2.25"), None)}}
    assert seeded_labor(sink, books) == ledger_labor(LABOR_DAYS)

    counted_from_zero(sandbox, client)
    third = run(client, sink, start, sandbox, labor, position=second.position)
    assert not third.time_recounted and client.reads == 3, "the host's count agrees again"


def current(client, activity):
    """The activity as QuickBooks holds it now (its current SyncToken)."""
    return client.read("TimeActivity", activity["Id"])


def test_an_activity_moved_before_the_labor_start_is_dropped_and_one_moved_after_it_lands(
        sandbox, client, realm, books, start, labor, crew):
    sink = MemorySink()
    first = run(client, sink, start, sandbox, labor)
    assert crew["old"]["Id"] not in sink.time_entries()
    books.update("TimeActivity", crew["no_rate"], TxnDate=books.date(LABOR_DAYS + 1))
    books.update("TimeActivity", crew["old"], TxnDate=books.date(1))
    counted_from_zero(sandbox, client)

    second = run(client, sink, start, sandbox, labor, position=first.position)
    assert crew["no_rate"]["Id"] not in sink.time_entries()
    assert sink.time_entry(crew["old"]["Id"]).date == books.date(1)
    assert sink.time_held(labor.start_date) == len(sink.time_entries()), "nothing held from before the start"
    assert not second.time_recounted and client.reads == sandbox_reads(sandbox, realm) == 3

    books.update("TimeActivity", current(client, crew["old"]), TxnDate=books.date(LABOR_DAYS + 2))
    third = run(client, sink, start, sandbox, labor, position=second.position)
    assert crew["old"]["Id"] not in sink.time_entries() and not third.time_recounted


def test_a_full_labor_read_reads_the_time_in_full_in_a_changes_pull(
        sandbox, client, realm, books, start, labor, crew):
    sink = MemorySink()
    first = run(client, sink, start, sandbox, labor)
    books.operate("TimeActivity", crew["hours"], "delete")
    counted_from_zero(sandbox, client)

    in_full = LaborRead(labor.start_date, full=True)
    second = run(client, sink, start, sandbox, in_full, position=first.position)
    assert second.mode == CHANGES and not second.time_recounted, "read in full as asked: no count"
    assert client.reads == sandbox_reads(sandbox, realm) == 1 + time_pages(second)
    assert crew["hours"]["Id"] not in sink.time_entries() and sink.time_reconciles == 2
    assert second.read[TIME_ENTITY] == len(sink.time_entries())

    # The labor start moved earlier: the full read brings the time from the new start.
    earlier = LaborRead(books.today - timedelta(days=60), full=True)
    run(client, sink, start, sandbox, earlier, position=second.position)
    assert crew["old"]["Id"] in sink.time_entries()
    assert seeded_labor(sink, books) == ledger_labor(60)


def whole_time(client, sandbox, start, labor):
    """The time a first pull into an empty host lands now."""
    whole = MemorySink()
    run(client, whole, start, sandbox, labor)
    return whole


@pytest.mark.parametrize("stopped_at", ["time page", "time reconciled"])
def test_a_first_pull_stopped_in_the_time_and_run_again_converges(
        sandbox, client, books, start, labor, crew, stopped_at):
    whole = whole_time(client, sandbox, start, labor)
    sink = MemorySink(fail_at=whole.checkpoints - (1 if stopped_at == "time page" else 0))
    with pytest.raises(Interrupted):
        run(client, sink, start, sandbox, labor)
    assert (sink.time_entries() == {}) is (stopped_at == "time page")

    sink.fail_at = None
    run(client, sink, start, sandbox, labor)  # no position was saved: a first pull again
    assert sink.time_entries() == whole.time_entries() and sink.lines() == whole.lines()


@pytest.mark.parametrize("stopped_at", [1, 2, 3, 4],
                         ids=["documents", "time changes", "time page", "time reconciled"])
def test_a_later_pull_stopped_anywhere_and_run_again_from_the_old_position_converges(
        sandbox, client, books, start, labor, crew, stopped_at):
    sink = MemorySink()
    first = run(client, sink, start, sandbox, labor)
    books.operate("TimeActivity", crew["vendor"], "delete")
    books.update("TimeActivity", crew["clock"], EndTime=crew["clock"]["EndTime"].replace("T16:00", "T17:00"))
    new = books.create("TimeActivity", books.time_activity(books.job_a, 4, cost_rate=30))
    # Checkpoints of this pull: the documents, the page of the time changed, the time read in
    # full (the count differs), its reconciliation.
    sink.fail_at = sink.checkpoints + stopped_at
    with pytest.raises(Interrupted):
        run(client, sink, start, sandbox, labor, position=first.position)

    sink.fail_at = None
    again = run(client, sink, start, sandbox, labor, position=first.position)
    assert again.time_recounted, "what the host holds still counts the deleted activity"
    assert sink.time_entries() == whole_time(client, sandbox, start, labor).time_entries()
    assert crew["vendor"]["Id"] not in sink.time_entries()
    assert sink.time_entry(crew["clock"]["Id"]).hours == hours("8.75")
    assert sink.time_entry(new["Id"]).hours == 4
