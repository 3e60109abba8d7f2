"""The dispatcher of bulk pushes, with a client that records what it is asked."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from chronicle_qbo_addon.services import reads
from chronicle_qbo_addon.services.dispatch import Dispatcher, Operation
from chronicle_qbo_addon.services.errors import QboAuthError, QboError


class RecordingClient:
    company_id = "1"
    last_intuit_tid = "tid"

    def __init__(self, fail_batches=None):
        self.calls = []
        self.statements = []
        self.fail_batches = fail_batches
        self.lock = threading.Lock()

    def record(self, *call):
        with self.lock:
            self.calls.append(call)

    def query(self, statement):
        self.record("query", statement)
        self.statements.append(statement)
        return [{"Id": "1", "DisplayName": "A"}]

    def create(self, entity, payload, request_id=None):
        self.record("create", request_id)
        return dict(payload, Id="9")

    def update(self, entity, payload, request_id=None):
        self.record("update", request_id)
        return payload

    def batch(self, items, request_id=None):
        self.record("batch", len(items), request_id)
        self.statements.extend(item["query"] for item in items if "query" in item)
        if self.fail_batches:
            raise self.fail_batches
        return [{"Customer": [{"Id": "1", "DisplayName": "A"}]} if "query" in item
                else dict(item["payload"], Id=str(i)) for i, item in enumerate(items)]


@pytest.fixture
def pool():
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def creates(count, prefix="k"):
    return [Operation({"entity": "Customer", "operation": "create",
                       "payload": {"DisplayName": "%s%d" % (prefix, i)}}, request_id="%s-%d" % (prefix, i))
            for i in range(count)]


def test_one_operation_goes_alone_and_more_go_thirty_to_a_batch(pool):
    client = RecordingClient()
    dispatcher = Dispatcher(client, pool)
    [alone] = creates(1)
    dispatcher.send([alone])
    assert client.calls == [("create", "k-0")] and alone.sent_id == "k-0"
    assert alone.answer["Id"] == "9" and alone.intuit_tid == "tid"
    client.calls.clear()
    operations = creates(31)
    dispatcher.send(operations)
    assert sorted(call[:2] for call in client.calls) == [("batch", 30), ("create", "k-30")]
    assert all(op.answer["DisplayName"] == "k%d" % i for i, op in enumerate(operations))


def test_batch_ids_are_derived_from_the_operations(pool):
    client = RecordingClient()
    dispatcher = Dispatcher(client, pool)
    dispatcher.send(creates(2))
    dispatcher.send(creates(2))
    dispatcher.send(creates(2, prefix="other"))
    ids = [call[2] for call in client.calls]
    assert ids[0] == ids[1] != ids[2] and len(ids[0]) == 36
    queries = [Operation({"query": "SELECT * FROM Customer"}) for _ in range(2)]
    dispatcher.send(queries)
    assert client.calls[-1] == ("batch", 2, None), "reads need no request id"


def test_a_failed_batch_answers_each_of_its_operations(pool):
    error = QboError("http_503", "down", retryable=True)
    dispatcher = Dispatcher(RecordingClient(fail_batches=error), pool)
    operations = creates(3)
    dispatcher.send(operations)
    assert [op.answer for op in operations] == [error] * 3


def test_a_refused_authorization_is_raised(pool):
    dispatcher = Dispatcher(RecordingClient(fail_batches=QboAuthError("invalid_grant", "reconnect")), pool)
    with pytest.raises(QboAuthError):
        dispatcher.send(creates(3))


def test_follow_ups_run_on_workers_and_their_outcomes_on_the_owner(pool):
    dispatcher = Dispatcher(RecordingClient(), pool)
    seen = []

    def work():
        seen.append(("work", threading.current_thread() is dispatcher.owner))
        raise QboError("6240", "taken")

    def then(outcome, intuit_tid):
        seen.append(("then", threading.current_thread() is dispatcher.owner, outcome.code, intuit_tid))

    operations = creates(2)
    for op in operations:
        op.done = lambda _op: (work, then)
    dispatcher.execute(operations)
    assert sorted(seen) == [("then", True, "6240", "tid")] * 2 + [("work", False)] * 2


def test_workers_hand_calls_to_the_owner_thread(pool):
    dispatcher = Dispatcher(RecordingClient(), pool)
    ran_on = []

    def save(tokens):
        ran_on.append((threading.current_thread(), tokens))
        if tokens == "bad":
            raise ValueError("refused")

    def worker(tokens):
        try:
            return dispatcher.on_owner_thread(save, tokens)
        except ValueError as error:
            return str(error)

    outcomes = dispatcher.in_parallel([lambda: worker("t1"), lambda: worker("bad")])
    assert outcomes == [None, "refused"]
    assert {thread for thread, _tokens in ran_on} == {threading.current_thread()}


def test_lookups_split_long_value_lists(pool, monkeypatch):
    monkeypatch.setattr(reads, "LOOKUP_SIZE", 2)
    client = RecordingClient()
    rows, failed = Dispatcher(client, pool).lookup("Customer", {"DisplayName": {"a", "b", "O'Neil"}})
    assert failed == {} and len(rows) == 2
    statements = sorted(client.statements)
    assert statements[0].startswith("SELECT * FROM Customer WHERE Active IN (true, false) AND DisplayName IN")
    assert "'O\\'Neil', 'a'" in statements[0] and "('b')" in statements[1]
    assert all(statement.endswith("STARTPOSITION 1 MAXRESULTS 1000") for statement in statements)


def test_lookups_take_the_entity_type(pool):
    client = RecordingClient()
    Dispatcher(client, pool).lookup("Invoice", {"DocNumber": ["1001"]})
    assert client.statements == [
        "SELECT * FROM Invoice WHERE DocNumber IN ('1001') STARTPOSITION 1 MAXRESULTS 1000"], \
        "an entity type without Active has no Active condition"
