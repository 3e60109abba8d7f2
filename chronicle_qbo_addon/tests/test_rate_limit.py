import threading
import uuid
from contextlib import closing

from odoo import sql_db
from odoo.tests import TransactionCase, tagged

from ..models.qbo_rate_limit import DatabaseBudget
from ..services.ratelimit import RateLimiter


@tagged("post_install", "-at_install")
class TestDatabaseBudget(TransactionCase):
    """Two Odoo servers are two processes with limiters of their own: what they share is the row."""

    def setUp(self):
        super().setUp()
        self.key = "test-%s" % uuid.uuid4().hex[:12]
        self.addCleanup(self.drop_row)

    def drop_row(self):
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute("DELETE FROM qbo_rate_limit WHERE key = %s", [self.key])
            cr.commit()  # pylint: disable=invalid-commit

    def server(self, batch_per_minute=2):
        """The limiter another server would have: a budget of its own, in connections of its own."""
        return RateLimiter(max_concurrent=3, per_minute=5, batch_per_minute=batch_per_minute,
                           shared=DatabaseBudget(self.env.cr.dbname, self.key))

    def test_two_connections_taking_budget_at_once_never_exceed_the_limits(self):
        servers = [self.server(), self.server()]
        lock = threading.Lock()
        seen = {"in_flight": 0, "peak": 0, "taken": 0}
        go = threading.Barrier(8)

        failures = []

        def requests(limiter):
            try:
                take(limiter)
            except Exception as error:  # noqa: BLE001 (reported by the test below)
                failures.append(error)

        def take(limiter):
            go.wait()
            for _attempt in range(20):
                if limiter.reserve() != 0.0:
                    continue
                with lock:
                    seen["taken"] += 1
                    seen["in_flight"] += 1
                    seen["peak"] = max(seen["peak"], seen["in_flight"])
                threading.Event().wait(0.01)
                with lock:
                    seen["in_flight"] -= 1
                limiter.release()

        threads = [threading.Thread(target=requests, args=(servers[i % 2],)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(failures, [], "no budget transaction failed")
        self.assertEqual(seen["taken"], 5, "the minute's five requests, between both servers, and no more")
        self.assertLessEqual(seen["peak"], 3, "never more than three in flight between them")
        self.assertGreater(servers[0].reserve(), 55, "both see the window full")

    def test_a_request_counted_stays_counted_when_the_caller_rolls_back(self):
        limiter = self.server(batch_per_minute=1)
        self.assertEqual(limiter.reserve(batch=True), 0.0)
        limiter.release()
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.env.cr.execute("SELECT 1")
            raise ZeroDivisionError
        self.assertGreater(self.server(batch_per_minute=1).reserve(batch=True), 55,
                           "the batch request counted, committed apart")
