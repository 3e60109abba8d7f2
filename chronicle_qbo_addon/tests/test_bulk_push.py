from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.qbo_rate_limit import DatabaseBudget
from ..services.client import QboClient
from .common import REALM_BLUE_RIDGE
from .test_job_push import JobPushCase

CLIENT_LOGGER = "odoo.addons.chronicle_qbo_addon.services.client"


@tagged("post_install", "-at_install")
class TestBulkPush(JobPushCase):
    """The cron pushes jobs in bulk: few requests, per-job outcomes, progress, shared limits."""

    def new_jobs(self, count, customers=None):
        """``count`` jobs; each with a customer of its own unless ``customers`` are given."""
        if customers is None:
            customers = self.env["res.partner"].create(
                [{"name": f"Owner {i}", "ref": f"B-{i}", "email": f"owner{i}@example.com"} for i in range(count)]
            )
        return self.env["project.project"].create(
            [
                {
                    "name": f"Water loss {i}",
                    "partner_id": customers[i % len(customers)].id,
                    "department_ids": [(6, 0, self.water.ids)],
                }
                for i in range(count)
            ]
        )

    def counters(self):
        return self.sandbox_call("GET", "/_sandbox/counters")

    def syncs(self, jobs):
        return jobs.qbo_job_sync_ids.filtered(lambda sync: sync.qbo_company_id == self.blue_ridge)

    def test_many_jobs_take_a_few_batch_requests(self):
        customers = self.env["res.partner"].create([{"name": f"Owner {i}", "ref": f"B-{i}"} for i in range(20)])
        jobs = self.new_jobs(40, customers)
        before = self.counters()
        self.push()
        after = self.counters()
        syncs = self.syncs(jobs)
        self.assertEqual(set(syncs.mapped("state")), {"synced"})
        self.assertEqual(after["writes"] - before["writes"], 60, "20 customers and 40 jobs, nothing twice")
        sent = sum(after["requests"].values()) - sum(before["requests"].values())
        self.assertLessEqual(sent, 5, after["requests"])
        by_id = {row["Id"]: row for row in self.qbo_customers()}
        for sync in syncs:
            self.assertEqual(by_id[sync.qbo_job_id]["ParentRef"]["value"], sync.qbo_customer_id)
        self.assertEqual(len(set(syncs.mapped("qbo_customer_id"))), 20)
        logged = self.env["qbo.log"].search([("project_id", "in", jobs.ids)]).mapped("operation")
        self.assertEqual((logged.count("create_customer"), logged.count("create_job")), (20, 40))

    def test_export_job_of_one_job_sends_no_batch_request(self):
        job = self.new_job()
        before = self.counters()["requests"].get("POST batch", 0)
        job.action_qbo_export_job()
        self.assertEqual(self.sync_of(job).state, "synced")
        self.assertEqual(self.counters()["requests"].get("POST batch", 0), before)

    def test_progress_is_reported_and_committed_per_batch(self):
        jobs = self.new_jobs(12)
        reported = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            reported.append((processed, remaining))
            return float("inf")

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress):
            counts = self.env["qbo.job.sync"]._qbo_push_pending(self.blue_ridge, batch_size=5)
        self.assertEqual(reported, [(5, 7), (5, 2), (2, 0)])
        self.assertEqual(counts, {"pushed": 12, "failed": 0, "left": 0, "pending": 0})
        self.assertEqual(set(self.syncs(jobs).mapped("state")), {"synced"})

    def test_a_run_out_of_time_leaves_the_rest_for_the_next_run(self):
        jobs = self.new_jobs(12)
        reported = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            reported.append((processed, remaining))
            return 0.0

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress):
            counts = self.env["qbo.job.sync"]._qbo_push_pending(self.blue_ridge, batch_size=5)
        self.assertEqual(reported, [(5, 7)])
        self.assertEqual((counts["pushed"], counts["left"], counts["pending"]), (5, 7, 7))
        self.assertEqual(sorted(self.syncs(jobs).mapped("state")), ["pending"] * 7 + ["synced"] * 5)
        self.push()
        self.assertEqual(set(self.syncs(jobs).mapped("state")), {"synced"})

    def test_a_fault_on_one_operation_fails_only_its_job(self):
        jobs = self.new_jobs(10)
        self.blue_ridge._qbo_client().create("Vendor", {"DisplayName": "Owner 3 - B-3"})
        self.push()
        syncs = self.syncs(jobs)
        failed = syncs.filtered(lambda sync: sync.state == "error")
        self.assertEqual(failed.project_id, jobs[3])
        self.assertIn("vendor", failed.last_error)
        self.assertEqual(len(syncs.filtered(lambda sync: sync.state == "synced")), 9)

    @mute_logger(CLIENT_LOGGER)
    def test_a_failing_batch_leaves_its_jobs_pending_and_nothing_twice(self):
        jobs = self.new_jobs(40)
        company_class = type(self.blue_ridge)
        real_client = company_class._qbo_client

        def client_without_retries(company):
            client = real_client(company)
            client.max_retries = 0
            return client

        self.inject("503", times=1, path="/batch")
        with patch.object(company_class, "_qbo_client", client_without_retries):
            self.push()
        syncs = self.syncs(jobs)
        pending = syncs.filtered(lambda sync: sync.state == "pending")
        self.assertTrue(pending and len(pending) < 40, "one batch failed, the others went through")
        self.assertTrue(all(pending.mapped("last_error")))
        self.after_back_off(pending)
        self.push()
        self.assertEqual(set(syncs.mapped("state")), {"synced"})
        names = [row["DisplayName"] for row in self.qbo_customers()]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(sum(name.startswith("Owner ") for name in names), 40)

    @mute_logger(CLIENT_LOGGER)
    def test_lost_batch_answers_are_replayed_without_duplicates(self):
        jobs = self.new_jobs(40)
        self.inject("drop_after_write", times=2, path="/batch")
        with patch.object(QboClient, "_backoff", return_value=0):
            self.push()
        self.assertEqual(set(self.syncs(jobs).mapped("state")), {"synced"})
        self.assertGreaterEqual(self.counters()["replays"], 1)
        names = [row["DisplayName"] for row in self.qbo_customers()]
        self.assertEqual(len(names), len(set(names)))

    def test_token_refreshed_during_a_bulk_push_is_saved(self):
        jobs = self.new_jobs(40)
        old_token = self.blue_ridge.sudo().access_token
        self.inject("expire_access_token", times=1)
        self.push()
        self.assertEqual(set(self.syncs(jobs).mapped("state")), {"synced"})
        self.blue_ridge.invalidate_recordset()
        self.assertNotEqual(self.blue_ridge.sudo().access_token, old_token)
        self.assertTrue(self.blue_ridge._qbo_client().company_info())

    def test_refused_authorization_stops_the_push_and_waits_for_reconnection(self):
        jobs = self.new_jobs(5)
        self.inject("expire_access_token", times=1)
        self.inject("revoke_refresh_token", times=1)
        self.push()
        self.assertEqual(self.blue_ridge.state, "needs_reauth")
        syncs = self.syncs(jobs)
        self.assertEqual(set(syncs.mapped("state")), {"pending"})
        self.assertTrue(all(syncs.mapped("last_error")))

    def test_every_server_of_the_database_takes_from_one_budget_per_company_file(self):
        limiter = self.blue_ridge._qbo_client().rate_limiter
        self.assertIs(self.blue_ridge._qbo_client().rate_limiter, limiter)
        self.assertIsInstance(limiter.shared, DatabaseBudget)
        self.assertNotEqual(self.summit._qbo_client().rate_limiter.shared.key, limiter.shared.key)
        self.assertEqual(self.blue_ridge.realm_id, REALM_BLUE_RIDGE)
