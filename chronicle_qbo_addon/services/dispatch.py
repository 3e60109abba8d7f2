"""How the operations of a push reach QuickBooks: look-ups as ``IN`` queries, page by page;
operations grouped into batch requests of 30, sent in parallel; an operation alone as a single
request; follow-ups (the reads and writes an answer asks for) as single requests.

Intuit allows 40 batch requests but 500 requests a minute: a batch request of one would spend the
scarce budget for nothing, while single requests run on the other budget beside the batches. The
client's rate limiter keeps both budgets and the cap of requests in flight.

Worker threads send; the thread that created the :class:`Dispatcher` (the owner) waits for them and
meanwhile runs what they hand it, such as saving tokens the client refreshed: a host's ORM, Odoo's
included, is not thread-safe.
"""
import threading
from functools import partial
from queue import SimpleQueue

from .client import BATCH_SIZE
from .errors import QboAuthError, QboError
from .reads import lookup_statements, query_rows, read_all
from .request_ids import batch_request_id


class Operation:
    """One operation: an item of a batch request, or a single request when it goes alone.

    ``done`` is called on the owner thread with the answered operation (``answer`` is the object,
    the query's rows or a :class:`QboError`); it may return a follow-up ``(work, then)``: ``work()``
    runs on a worker, then ``then(outcome, intuit_tid)`` on the owner, the outcome being what
    ``work`` returned or the :class:`QboError` it raised.
    """

    def __init__(self, item, request_id=None, done=None):
        """
        :param item: as :meth:`.client.QboClient.batch` takes it
        :param request_id: the idempotency key of a write sent alone
        :param done: see above
        """
        self.item = item
        self.request_id = request_id
        self.done = done
        self.answer = self.sent_id = self.intuit_tid = None


class Dispatcher:
    """Sends operations for one push with a client and a pool of worker threads."""

    def __init__(self, client, pool):
        self.client = client
        self.pool = pool
        self.owner = threading.current_thread()
        self._inbox = SimpleQueue()

    def execute(self, operations):
        """Send the operations, hand each answer to its ``done``, then run the follow-ups.

        :raise QboAuthError: when Intuit refuses the saved authorization
        """
        self.send(operations)
        follow_ups = [follow_up for follow_up in (op.done(op) for op in operations) if follow_up]
        outcomes = self.in_parallel([partial(self._attempt, work) for work, _then in follow_ups])
        for (_work, then), outcome in zip(follow_ups, outcomes):
            then(*outcome)

    def lookup(self, entity, wanted):
        """Find records of one entity type, active or not, by the values of some of their fields:
        ``IN`` queries (:func:`.reads.lookup_statements`), every page of them, sent together.

        :param entity: e.g. "Customer"
        :param wanted: {field: values}, e.g. {"DisplayName": {"John Doe"}, "Id": {"12"}}
        :return: (rows, {(field, case-folded value): QboError} for values whose query failed)
        :raise QboAuthError: when Intuit refuses the saved authorization
        """
        queries = [(field, chunk, statement) for field, values in wanted.items()
                   for chunk, statement in lookup_statements(entity, field, values)]
        rows, failed = [], {}
        answers = read_all([statement for _field, _chunk, statement in queries], self.run_queries)
        for (field, chunk, _statement), answer in zip(queries, answers):
            if isinstance(answer, QboError):
                failed.update(((field, value.casefold()), answer) for value in chunk)
            else:
                rows.extend(answer)
        return rows, failed

    def run_queries(self, statements):
        """Run queries together, 30 to a batch request: per statement its rows or a QboError.

        :raise QboAuthError: when Intuit refuses the saved authorization
        """
        operations = [Operation({"query": statement}) for statement in statements]
        self.send(operations)
        return [op.answer for op in operations]

    def send(self, operations):
        """Send operations, 30 to a batch request, in parallel; answers land on the operations."""
        chunks = [operations[start:start + BATCH_SIZE] for start in range(0, len(operations), BATCH_SIZE)]
        self.in_parallel([partial(self._send_chunk, chunk) for chunk in chunks])

    def in_parallel(self, functions):
        """Run functions on the workers; meanwhile run here what they hand to the owner thread.

        :return: what each function returned, in order
        :raise: the first exception a function raised, once all of them have ended
        """
        futures = [self.pool.submit(function) for function in functions]
        for future in futures:
            future.add_done_callback(lambda _future: self._inbox.put(None))
        remaining = len(futures)
        while remaining:
            call = self._inbox.get()
            if call is None:
                remaining -= 1
            else:
                call.run()
        return [future.result() for future in futures]

    def on_owner_thread(self, function, argument):
        """Call ``function(argument)`` on the owner thread and wait for it (for token callbacks).

        :raise: what the function raised
        """
        if threading.current_thread() is self.owner:
            return function(argument)
        call = _OwnerCall(function, argument)
        self._inbox.put(call)
        call.finished.wait()
        if call.error is not None:
            raise call.error
        return None

    def _attempt(self, work):
        try:
            outcome = work()
        except QboAuthError:
            raise
        except QboError as error:
            outcome = error
        return outcome, self.client.last_intuit_tid

    def _send_chunk(self, chunk):
        client = self.client
        try:
            if len(chunk) == 1:
                op = chunk[0]
                item = op.item
                if "query" in item:
                    op.answer = client.query(item["query"])
                elif item["operation"] == "create":
                    op.answer = client.create(item["entity"], item["payload"], request_id=op.request_id)
                else:
                    op.answer = client.update(item["entity"], item["payload"], request_id=op.request_id)
                op.sent_id = op.request_id
            else:
                batch_id = batch_request_id([op.request_id for op in chunk])
                for op, answer in zip(chunk, client.batch([op.item for op in chunk], request_id=batch_id)):
                    rows = "query" in op.item and isinstance(answer, dict)
                    op.answer = query_rows(answer) if rows else answer
                    op.sent_id = batch_id
        except QboAuthError:
            raise
        except QboError as error:
            for op in chunk:
                op.answer = error
        for op in chunk:
            op.intuit_tid = getattr(op.answer, "intuit_tid", None) or client.last_intuit_tid


class _OwnerCall:
    def __init__(self, function, argument):
        self.function, self.argument = function, argument
        self.finished = threading.Event()
        self.error = None

    def run(self):
        try:
            self.function(self.argument)
        except Exception as error:  # handed back to the worker that asked  # pylint: disable=broad-except
            self.error = error
        self.finished.set()

