"""Intuit's request budget of each QuickBooks company file, held in the database: every worker
and cron process of every Odoo server on this database takes its requests from the same row."""
from contextlib import closing, contextmanager

from odoo import fields, models, sql_db

from ..services.ratelimit import Held, RateLimiter, SharedBudget


class QboRateLimit(models.Model):
    _name = "qbo.rate.limit"
    _description = "QuickBooks Request Budget"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    state = fields.Text(readonly=True)

    _key_uniq = models.Constraint("UNIQUE(key)", "One request budget per QuickBooks company file.")

    def _qbo_budget(self, scope, realm_id):
        """The budget of a realm (a :class:`..services.ratelimit.SharedBudget`)."""
        return DatabaseBudget(self.env.cr.dbname, RateLimiter.budget_key(scope, realm_id))


class DatabaseBudget(SharedBudget):
    """A realm's budget in its ``qbo_rate_limit`` row, locked while a limiter reads and writes it,
    in a connection of its own: a request's budget is committed at once, whatever the transaction
    of the code that sends it does. Time is the database server's, the one clock every Odoo
    server of the database reads alike."""

    def __init__(self, dbname, key):
        self.dbname = dbname
        self.key = key

    @contextmanager
    def transaction(self):
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            # Odoo's transactions are REPEATABLE READ, where a row another server just updated
            # cannot be locked: the lock below is to wait for that update, then read it.
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(
                "INSERT INTO qbo_rate_limit (key, state) VALUES (%s, '') ON CONFLICT (key) DO NOTHING",
                [self.key],
            )
            cr.execute(
                "SELECT state, EXTRACT(EPOCH FROM clock_timestamp()) FROM qbo_rate_limit WHERE key = %s FOR UPDATE",
                [self.key],
            )
            text, now = cr.fetchone()
            held = Held(text or "", float(now))
            yield held
            cr.execute("UPDATE qbo_rate_limit SET state = %s WHERE key = %s", [held.text, self.key])
            # The budget's own connection: the request it counts goes out whatever happens to the
            # caller's transaction, so the count is committed at once.
            cr.commit()  # pylint: disable=invalid-commit
