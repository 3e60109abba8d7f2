"""The pull of job costs against the local sandbox through the bridge's client: the first full
read, Change Data Capture afterwards (one read when nothing changed), what edits, voids, deletions
and moved lines do, the 30-day window, answers capped at 1000 objects, and pulls stopped half-way.

Each test writes its own documents on two jobs of its own; figures are checked on those jobs only,
whatever else the seeded company holds."""
import copy
from datetime import datetime, timedelta, timezone

import pytest
from pull_helpers import Books, Interrupted, MemorySink, counted_from_zero, figures, qbo_now, sandbox_reads

from chronicle_qbo_addon.services.client import QboApp, QboClient
from chronicle_qbo_addon.services.errors import QboError
from chronicle_qbo_addon.services.job_cost import (
    DEFAULT_EXCLUSIONS,
    PER_TRANSACTION,
    PULLED_ENTITIES,
    SKIP_BEFORE_START,
    SKIP_EXCLUDED,
    class_tracking,
    exclusion_pattern,
)
from chronicle_qbo_addon.services.pull import CDC_MAX_AGE, CDC_OVERLAP, CHANGES, FULL, plan, pull
from chronicle_qbo_addon.services.ratelimit import RateLimiter
from chronicle_qbo_addon.services.reads import PAGE_SIZE

DAY = 86400
EXCLUSIONS = exclusion_pattern(DEFAULT_EXCLUSIONS)


@pytest.fixture
def books(sandbox, client):
    return Books(client, "PT", qbo_now(sandbox).date())


@pytest.fixture
def start(books):
    return books.today - timedelta(days=60)


def run(client, sink, start, sandbox, position=None, tracking=None, now=None):
    return pull(client, sink, position=position, start_date=start, now=now or qbo_now(sandbox),
                tracking=tracking, exclusions=EXCLUSIONS)


def ledger(books):
    """Documents of every pulled type on the two jobs; returns them and the jobs' figures."""
    a, b = books.job_a, books.job_b
    docs = {
        "invoice": books.create("Invoice", books.sales(a, 1000, 500, klass="Mitigation",
                                                       header_class="Contents")),
        "invoice_b": books.create("Invoice", books.sales(b, 250)),
        "credit_memo": books.create("CreditMemo", books.sales(a, 200)),
        "bill": books.create("Bill", books.bill(books.expense_line(300, a, klass="Contents"),
                                                books.item_line(120.5, b))),
        "check": books.create("Purchase", books.purchase("Check", books.expense_line(80, b))),
        "excluded": books.create("Purchase", books.purchase("Check", books.expense_line(45, a),
                                                            memo="TEMP  LABOR wk 3")),
        "card": books.create("Purchase", books.purchase("CreditCard", books.expense_line(60, b),
                                                        memo="REFUND")),
        "card_credit": books.create("Purchase", books.purchase("CreditCard", books.expense_line(15, b),
                                                               credit=True)),
        "vendor_credit": books.create("VendorCredit", books.bill(books.expense_line(25, a))),
    }
    docs["payment"] = books.create("Payment", books.payment(a, [(docs["invoice"], 600)]))
    # The excluded check's 45 is not a cost; the card charge's memo excludes only checks.
    return docs, {a: figures(1300, 600, 300 - 25), b: figures(250, 0, 120.5 + 80 + 60 - 15)}


# === the first pull === #

def test_first_pull_reads_lists_and_documents_since_the_start_date(sandbox, client, realm, books, start):
    docs, expected = ledger(books)
    old = books.create("Invoice", books.sales(books.job_a, 999, days_ago=400))
    tracking = class_tracking(client.preferences())
    counted_from_zero(sandbox, client)
    sink, before = MemorySink(), qbo_now(sandbox)
    outcome = run(client, sink, start, sandbox)

    assert (outcome.mode, outcome.tracking) == (FULL, tracking)
    assert before - timedelta(seconds=1) <= outcome.position <= qbo_now(sandbox) + timedelta(seconds=1)
    assert sink.totals([books.job_a, books.job_b]) == expected
    assert old["Id"] not in sink.documents_of("Invoice"), "dated before the start: not even read"
    assert outcome.skipped[SKIP_EXCLUDED] >= 1 and sink.lines_of("Purchase", docs["excluded"]["Id"]) == []
    sales_class = books.klass["Contents" if tracking == PER_TRANSACTION else "Mitigation"]
    assert [line.class_id for line in sink.lines_of("Invoice", docs["invoice"]["Id"])] == [sales_class] * 2
    bill_classes = [line.class_id for line in sink.lines_of("Bill", docs["bill"]["Id"])]
    assert bill_classes == [books.klass["Contents"], None]
    for entity, found in (("Account", books.account), ("Item", books.item), ("Class", books.klass)):
        assert set(found.values()) <= set(sink.references[entity]), entity
    assert all(outcome.read[entity] for entity in PULLED_ENTITIES)
    # Preferences, then every type page by page until a page comes back short.
    pages = 1 + sum(outcome.read[entity] // PAGE_SIZE + 1 for entity in PULLED_ENTITIES)
    assert client.reads == sandbox_reads(sandbox, realm) == pages


def test_a_pull_with_nothing_changed_costs_one_read_and_changes_nothing(sandbox, client, realm, books, start):
    _docs, expected = ledger(books)
    sink = MemorySink()
    first = run(client, sink, start, sandbox)
    changed, landed = sink.changed, sum(sink.landed.values())
    counted_from_zero(sandbox, client)

    second = run(client, sink, start, sandbox, position=first.position, tracking=first.tracking)
    assert second.mode == CHANGES and second.position >= first.position
    assert client.reads == sandbox_reads(sandbox, realm) == 1
    assert sum(sink.landed.values()) > landed, "the overlap brings the last minutes' documents again"
    assert sink.changed == changed, "...and they land on the lines they already have"
    assert sink.totals([books.job_a, books.job_b]) == expected


def test_the_next_pull_gets_edits_voids_deletions_and_moved_lines(sandbox, client, realm, books, start):
    a, b = books.job_a, books.job_b
    docs, _expected = ledger(books)
    unpaid = books.create("Invoice", books.sales(a, 700))
    old = books.create("Invoice", books.sales(b, 999, days_ago=400))
    sink = MemorySink()
    first = run(client, sink, start, sandbox)
    assert sink.totals([a]) == {a: figures(2000, 600, 275)}

    lines = copy.deepcopy(docs["bill"]["Line"])
    lines[0]["Amount"] = 350
    lines[1]["ItemBasedExpenseLineDetail"]["CustomerRef"] = {"value": a}
    books.update("Bill", docs["bill"], Line=lines)
    books.operate("Invoice", unpaid, "void")
    books.operate("Purchase", docs["check"], "delete")
    books.update("Invoice", docs["invoice_b"], TxnDate=books.date(400))
    books.update("Invoice", old, DocNumber="OLD-1")
    counted_from_zero(sandbox, client)

    second = run(client, sink, start, sandbox, position=first.position, tracking=first.tracking)
    assert second.mode == CHANGES and client.reads == sandbox_reads(sandbox, realm) == 1
    assert sink.totals([a, b]) == {a: figures(1300, 600, 350 + 120.5 - 25), b: figures(0, 0, 60 - 15)}
    bill = {line.line_id: line for line in sink.lines_of("Bill", docs["bill"]["Id"])}
    assert (bill["1"].amount, bill["1"].customer_id, bill["2"].customer_id) == (350.0, a, a)
    assert [line.amount for line in sink.lines_of("Invoice", unpaid["Id"])] == [0.0], "voided: kept at 0"
    assert docs["check"]["Id"] not in sink.documents_of("Purchase")
    moved = {docs["invoice_b"]["Id"], old["Id"]}
    assert moved.isdisjoint(sink.documents_of("Invoice")), "dated before the start now"
    assert second.skipped[SKIP_BEFORE_START] == 2


# === the 30-day window === #

def test_plan():
    now = datetime(2026, 3, 31, 2, 0, tzinfo=timezone.utc)
    yesterday = datetime(2026, 3, 29, 18, 0, tzinfo=timezone(timedelta(hours=-7)))
    assert plan(None, now) == (FULL, None)
    assert plan(yesterday, now) == (CHANGES, yesterday - CDC_OVERLAP)
    assert CDC_OVERLAP == timedelta(minutes=5)
    assert plan(yesterday, now, full=True) == (FULL, None)
    assert CDC_MAX_AGE == timedelta(days=29, hours=12)
    assert plan(now - CDC_MAX_AGE, now)[0] == CHANGES
    assert plan(now - CDC_MAX_AGE - timedelta(seconds=1), now) == (FULL, None)


def test_a_position_older_than_the_window_reads_everything_again_and_drops_deleted_documents(
        sandbox, client, books, start):
    docs, _expected = ledger(books)
    sink = MemorySink()
    first = run(client, sink, start, sandbox)
    books.operate("Bill", docs["bill"], "delete")
    sandbox.control.advance_clock(30 * DAY)

    second = run(client, sink, start, sandbox, position=first.position, tracking=first.tracking)
    assert second.mode == FULL and second.position > first.position + timedelta(days=29)
    assert {"Invoice", "CreditMemo", "Payment", "Bill", "Purchase", "VendorCredit"} == set(sink.reconciled)
    assert docs["bill"]["Id"] not in sink.documents_of("Bill")
    a, b = books.job_a, books.job_b
    assert sink.totals([a, b]) == {a: figures(1300, 600, -25), b: figures(250, 0, 80 + 60 - 15)}


def test_quickbooks_refusing_a_window_too_long_makes_a_full_read(sandbox, client, books, start):
    """The host's clock lags Intuit's: its plan asks for changes, QuickBooks says too far back."""
    docs, _expected = ledger(books)
    sink = MemorySink()
    first = run(client, sink, start, sandbox)
    books.operate("Payment", docs["payment"], "delete")
    sandbox.control.advance_clock(31 * DAY)

    lagging = first.position + timedelta(days=2)
    second = run(client, sink, start, sandbox, position=first.position, now=lagging)
    assert second.mode == FULL and second.tracking == first.tracking
    assert docs["payment"]["Id"] not in sink.documents_of("Payment")
    assert sink.totals([books.job_a])[books.job_a] == figures(1300, 0, 275)


# === answers capped at 1000 objects === #

def bills(books, count, job):
    return [{"entity": "Bill", "operation": "create",
             "payload": books.bill(books.expense_line(1 + i % 7, job))} for i in range(count)]


def unthrottled(sandbox, client):
    sandbox.control.set_limits(enabled=False)
    client.rate_limiter = RateLimiter(per_minute=10 ** 6, batch_per_minute=10 ** 6)


def test_a_type_capped_at_1000_objects_is_asked_again_from_its_last_object(
        sandbox, client, realm, books, start):
    unthrottled(sandbox, client)
    a = books.job_a
    doomed = books.create("Bill", books.bill(books.expense_line(500, a)))
    sink = MemorySink()
    first = run(client, sink, start, sandbox)
    books.operate("Bill", doomed, "delete")  # older than the flood: among the first 1000 objects
    created = []
    for _second in range(4):  # a few seconds apart, so no one second holds 1000 of them
        created += client.batch(bills(books, 300, a))
        sandbox.control.advance_clock(1)
    assert not [answer for answer in created if isinstance(answer, Exception)]
    counted_from_zero(sandbox, client)

    second = run(client, sink, start, sandbox, position=first.position, tracking=first.tracking)
    assert client.reads == sandbox_reads(sandbox, realm) == 2, "one Change Data Capture, one more for Bill"
    held = sink.documents_of("Bill")
    assert {bill["Id"] for bill in created} <= held and doomed["Id"] not in held
    assert second.read["Bill"] >= 1201
    assert sink.totals([a])[a] == figures(cost=4 * sum(1 + i % 7 for i in range(300)))


@pytest.fixture
def frozen():
    """A sandbox whose clock all but stands still: every write of a test falls in one second."""
    from qbo_sandbox import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        DEFAULT_REDIRECT_URIS,
        REALM_BLUE_RIDGE,
        SandboxServer,
    )

    srv = SandboxServer(port=0, time_scale=1e-6, limits=False).start()
    try:
        app = QboApp(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS[0], "local",
                     base_url=srv.url, timeout=10)
        tokens = app.exchange_code(srv.control.authorize(REALM_BLUE_RIDGE)["code"], REALM_BLUE_RIDGE)
        yield srv, QboClient(app, REALM_BLUE_RIDGE, tokens, sleep=lambda seconds: None,
                             rate_limiter=RateLimiter(per_minute=10 ** 6, batch_per_minute=10 ** 6))
    finally:
        srv.stop()


def test_1000_objects_of_one_second_are_read_in_full(frozen):
    srv, qbo = frozen
    books = Books(qbo, "FZ", qbo_now(srv).date())
    start = books.today - timedelta(days=60)
    sink = MemorySink()
    first = run(qbo, sink, start, srv)
    created = qbo.batch(bills(books, 1010, books.job_b))
    second = run(qbo, sink, start, srv, position=first.position, tracking=first.tracking)
    assert second.mode == CHANGES
    assert {bill["Id"] for bill in created} <= sink.documents_of("Bill")
    assert sink.totals([books.job_b])[books.job_b] == figures(cost=sum(1 + i % 7 for i in range(1010)))


def test_a_bill_deleted_before_1000_of_one_second_is_dropped_by_the_full_read_of_bills(frozen):
    srv, qbo = frozen
    books = Books(qbo, "FD", qbo_now(srv).date())
    start = books.today - timedelta(days=60)
    doomed = books.create("Bill", books.bill(books.expense_line(500, books.job_a)))
    sink = MemorySink()
    first = run(qbo, sink, start, srv)
    books.operate("Bill", doomed, "delete")
    qbo.batch(bills(books, 1010, books.job_b))
    run(qbo, sink, start, srv, position=first.position, tracking=first.tracking)
    assert doomed["Id"] not in sink.documents_of("Bill")
    assert sink.totals([books.job_a])[books.job_a] == figures()


def test_a_bill_deleted_between_two_pages_of_a_full_read_costs_no_other_bill(sandbox, client, books, start):
    unthrottled(sandbox, client)
    made = client.batch(bills(books, 1100, books.job_a))
    sandbox.control.advance_clock(600)
    pages = []

    def colleague_deletes_a_bill_meanwhile(entity):
        pages.append(entity)
        if pages.count("Bill") == 1:  # page 1 of the bills landed: a bill of it goes in QuickBooks
            books.operate("Bill", made[0], "delete")

    sink = MemorySink(on_documents=colleague_deletes_a_bill_meanwhile)
    run(client, sink, start, sandbox)
    assert {bill["Id"] for bill in made[1:]} - sink.documents_of("Bill") == set()


# === pulls stopped half-way === #

def test_a_first_pull_stopped_half_way_and_run_again_converges(sandbox, client, books, start):
    _docs, expected = ledger(books)
    whole = MemorySink()
    run(client, whole, start, sandbox)
    sink = MemorySink(fail_at=5)
    with pytest.raises(Interrupted):
        run(client, sink, start, sandbox)
    assert sink.checkpoints == 5
    assert len(sink.lines()) < len(whole.lines()), "four pages kept, the fifth rolled back"

    sink.fail_at = None
    run(client, sink, start, sandbox)  # no position was saved: a first pull again
    assert sink.lines() == whole.lines()
    assert sink.totals([books.job_a, books.job_b]) == expected


def test_a_full_read_stopped_by_quickbooks_and_run_again_from_the_old_position_converges(
        sandbox, client, books, start):
    docs, _expected = ledger(books)
    sink = MemorySink()
    first = run(client, sink, start, sandbox)
    books.operate("Bill", docs["bill"], "delete")
    books.update("Invoice", docs["invoice"], Line=[books.sales_line(1600)])
    sandbox.control.advance_clock(30 * DAY)

    def outage_after_payments(entity):
        if entity == "Payment":  # every retry of the next query fails too
            sandbox.control.inject_fault("503", times=client.max_retries + 1, path="/query")

    sink.on_documents = outage_after_payments
    with pytest.raises(QboError):
        run(client, sink, start, sandbox, position=first.position)
    assert docs["bill"]["Id"] in sink.documents_of("Bill"), "stopped before the bills were reconciled"
    sink.on_documents = None
    again = run(client, sink, start, sandbox, position=first.position)

    whole = MemorySink()
    run(client, whole, start, sandbox)
    assert again.mode == FULL and sink.lines() == whole.lines()
    a, b = books.job_a, books.job_b
    assert sink.totals([a, b]) == {a: figures(1400, 600, -25), b: figures(250, 0, 80 + 60 - 15)}


class CappedInAll:
    """A QuickBooks that cuts a Change Data Capture answer at 1000 objects in all, oldest first,
    whatever their types, as Intuit's reference words the cap."""

    def __init__(self, objects):
        self.objects = sorted(objects, key=lambda pair: pair[1]["MetaData"]["LastUpdatedTime"])
        self.asked = []

    def change_data_capture(self, entities, changed_since):
        from chronicle_qbo_addon.services.reads import Changes

        self.asked.append((tuple(entities), changed_since))
        since = changed_since.isoformat()
        found = [(entity, record) for entity, record in self.objects
                 if entity in entities and record["MetaData"]["LastUpdatedTime"] >= since][:1000]
        answer = {entity: [] for entity in entities}
        for entity, record in found:
            answer[entity].append(record)
        return Changes(answer, (), "2026-12-01T10:00:00+00:00")


def test_an_answer_cut_at_1000_objects_in_all_is_asked_again_and_misses_nothing():
    from chronicle_qbo_addon.services.pull import read_changes

    start = datetime(2026, 11, 30, tzinfo=timezone.utc)
    objects = [("Invoice" if i % 3 else "Bill",
                {"Id": str(i), "MetaData": {"LastUpdatedTime": (start + timedelta(seconds=i)).isoformat()}})
               for i in range(1500)]
    qbo = CappedInAll(objects)
    changes, _time, overflow = read_changes(qbo, ["Invoice", "Bill"], start)
    assert overflow == []
    assert len(qbo.asked) == 2
    got = {(entity, record["Id"]) for entity, records in changes.items() for record in records}
    assert got == {(entity, record["Id"]) for entity, record in objects}


def test_1000_objects_of_one_moment_leave_only_their_type_to_a_full_read():
    """A bulk import stamps 1000 bills with one second: only bills are read in full; the invoices
    changed after them come by Change Data Capture, asked again without the bills."""
    from chronicle_qbo_addon.services.pull import read_changes

    start = datetime(2026, 11, 30, tzinfo=timezone.utc)
    flood = start + timedelta(minutes=1)
    objects = [("Bill", {"Id": str(i), "MetaData": {"LastUpdatedTime": flood.isoformat()}}) for i in range(1000)]
    objects += [("Invoice", {"Id": str(2000 + i), "MetaData": {"LastUpdatedTime": (flood + timedelta(seconds=i + 1))
                                                                .isoformat()}}) for i in range(5)]
    qbo = CappedInAll(objects)
    changes, _time, overflow = read_changes(qbo, ["Account", "Invoice", "Bill"], start)
    assert overflow == ["Bill"]
    assert {record["Id"] for record in changes["Invoice"]} == {str(2000 + i) for i in range(5)}
    assert [entities for entities, _since in qbo.asked] == [("Account", "Invoice", "Bill"),
                                                            ("Account", "Invoice", "Bill"),
                                                            ("Account", "Invoice")]
