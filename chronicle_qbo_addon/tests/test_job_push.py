from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..services.client import QboClient

from .common import REALM_BLUE_RIDGE, REALM_SUMMIT, QboCase


class JobPushCase(QboCase):
    """Two QuickBooks companies, a production department associated with each, a customer."""

    def setUp(self):
        super().setUp()
        Department = self.env["hr.department"]
        self.water = Department.create({"name": "Water Damage", "is_production": True})
        self.fire = Department.create({"name": "Fire Damage", "is_production": True})
        self.office = Department.create({"name": "Office"})
        self.blue_ridge = self.connect(REALM_BLUE_RIDGE, name="Blue Ridge")
        self.summit = self.connect(REALM_SUMMIT, name="Summit")
        Mapping = self.env["qbo.department.mapping"]
        Mapping.create({"qbo_company_id": self.blue_ridge.id, "department_id": self.water.id})
        Mapping.create({"qbo_company_id": self.summit.id, "department_id": self.fire.id})
        self.customer = self.env["res.partner"].create(
            {
                "name": "Dana Whitfield",
                "ref": "C-2001",
                "email": "dana.whitfield@example.com",
                "phone": "(828) 555-0199",
                "street": "12 Beaver Dam Rd",
                "city": "Asheville",
                "zip": "28804",
                "country_id": self.env.ref("base.us").id,
                "state_id": self.env["res.country.state"].search(
                    [("code", "=", "NC"), ("country_id.code", "=", "US")]
                ).id,
            }
        )
        self.site = self.env["res.partner"].create(
            {"name": "Whitfield rental", "street": "7 Mill St", "city": "Weaverville", "zip": "28787",
             "country_id": self.env.ref("base.us").id}
        )

    def new_job(self, departments=None, **values):
        vals = {
            "name": "Basement water loss",
            "partner_id": self.customer.id,
            "department_ids": [(6, 0, (departments or self.water).ids)],
        }
        vals.update(values)
        return self.env["project.project"].create(vals)

    def push(self):
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_push_jobs")
        self.run_lanes()

    def run_bridge(self):
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_run_bridge")
        self.run_lanes()

    def qbo_customers(self, realm_id=REALM_BLUE_RIDGE):
        state = self.sandbox_call("GET", f"/_sandbox/state?realm_id={realm_id}")
        return state["realms"][realm_id]["customers"]

    def qbo_named(self, name, realm_id=REALM_BLUE_RIDGE):
        return [row for row in self.qbo_customers(realm_id) if row["DisplayName"] == name]

    def writes(self):
        return self.sandbox_call("GET", "/_sandbox/counters")["writes"]

    def after_back_off(self, syncs):
        """Let the back-off delay of jobs that failed for a passing reason run out."""
        waiting = syncs.filtered("next_retry_at")
        self.assertTrue(waiting, "the failed jobs wait before they are tried again")
        waiting.next_retry_at = fields.Datetime.subtract(fields.Datetime.now(), minutes=1)

    def sync_of(self, job, company=None):
        return job.qbo_job_sync_ids.filtered(lambda sync: sync.qbo_company_id == (company or self.blue_ridge))


@tagged("post_install", "-at_install")
class TestJobPush(JobPushCase):
    def test_new_job_is_pushed_as_customer_and_sub_customer(self):
        job = self.new_job(site_partner_id=self.site.id, description="<p>Supply line burst</p>")
        sync = self.sync_of(job)
        self.assertEqual(sync.state, "pending")
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.blue_ridge.sudo().lane_cron_id.id)]),
            "Blue Ridge's run was woken up",
        )
        self.push()
        [customer] = self.qbo_named("Dana Whitfield - C-2001")
        job_name = f"{job.job_number} - Basement water loss"
        [qbo_job] = self.qbo_named(job_name)
        self.assertTrue(qbo_job["Job"])
        self.assertEqual(qbo_job["ParentRef"]["value"], customer["Id"])
        self.assertTrue(qbo_job["BillWithParent"])
        self.assertEqual(qbo_job["FullyQualifiedName"], f"Dana Whitfield - C-2001:{job_name}")
        self.assertEqual(qbo_job["ShipAddr"]["Line1"], "7 Mill St")
        self.assertEqual(qbo_job["Notes"], "Supply line burst")
        self.assertEqual(customer["PrimaryEmailAddr"]["Address"], "dana.whitfield@example.com")
        self.assertEqual(customer["GivenName"], "Dana")
        self.assertEqual(customer["FamilyName"], "Whitfield")
        self.assertEqual(customer["BillAddr"]["City"], "Asheville")
        self.assertEqual(sync.state, "synced")
        self.assertEqual((sync.qbo_customer_id, sync.qbo_job_id), (customer["Id"], qbo_job["Id"]))
        self.assertEqual(sync.qbo_job_name, job_name)
        self.assertFalse(self.qbo_named(job_name, REALM_SUMMIT), "the other company file got nothing")
        logged = self.env["qbo.log"].search([("project_id", "=", job.id)]).mapped("operation")
        self.assertIn("create_customer", logged)
        self.assertIn("create_job", logged)

    def test_editing_a_job_asks_nothing_of_quickbooks_until_the_push(self):
        requests_before = self.sandbox_call("GET", "/_sandbox/counters")["requests"]
        job = self.new_job()
        job.write({"name": "Basement water loss, phase 2", "department_ids": [(4, self.fire.id)]})
        self.assertEqual(self.sandbox_call("GET", "/_sandbox/counters")["requests"], requests_before)
        self.assertEqual(set(job.qbo_job_sync_ids.mapped("state")), {"pending"})

    def test_edit_is_pushed_as_one_sparse_update(self):
        job = self.new_job()
        self.push()
        sync = self.sync_of(job)
        token = sync.qbo_job_sync_token
        writes = self.writes()
        job.name = "Basement and crawlspace water loss"
        self.assertEqual(sync.state, "pending")
        self.push()
        self.assertEqual(self.writes(), writes + 1, "one write: the job, not the customer")
        [qbo_job] = [row for row in self.qbo_customers() if row["Id"] == sync.qbo_job_id]
        self.assertEqual(qbo_job["DisplayName"], f"{job.job_number} - Basement and crawlspace water loss")
        self.assertEqual(int(qbo_job["SyncToken"]), int(token) + 1)
        self.assertEqual(sync.qbo_job_sync_token, qbo_job["SyncToken"])
        self.assertEqual(qbo_job["ShipAddr"]["Line1"], "12 Beaver Dam Rd", "the site defaults to the customer")

    def test_nothing_changed_means_no_write_at_all(self):
        job = self.new_job()
        self.push()
        counters = self.sandbox_call("GET", "/_sandbox/counters")
        action = job.action_qbo_export_job()
        self.assertEqual(action["params"]["type"], "success")
        after = self.sandbox_call("GET", "/_sandbox/counters")
        self.assertEqual(after["writes"], counters["writes"])
        self.assertEqual(after["requests"], counters["requests"], "not even a read")
        self.assertEqual(self.sync_of(job).state, "synced")

    def test_customer_change_is_pushed_to_quickbooks(self):
        job = self.new_job()
        self.push()
        self.customer.email = "dana@whitfield.example"
        self.assertEqual(self.sync_of(job).state, "pending")
        self.push()
        [customer] = self.qbo_named("Dana Whitfield - C-2001")
        self.assertEqual(customer["PrimaryEmailAddr"]["Address"], "dana@whitfield.example")

    def test_existing_quickbooks_customer_is_reused(self):
        margaret = self.env["res.partner"].create({"name": "Margaret Hollis", "ref": "1001"})
        customers_before = len(self.qbo_customers())
        job = self.new_job(partner_id=margaret.id, name="Mold remediation")
        self.push()
        self.assertEqual(len(self.qbo_customers()), customers_before + 1, "only the job was created")
        sync = self.sync_of(job)
        [seeded] = self.qbo_named("Margaret Hollis - 1001")
        self.assertEqual(sync.qbo_customer_id, seeded["Id"])
        [qbo_job] = self.qbo_named(f"{job.job_number} - Mold remediation")
        self.assertEqual(qbo_job["ParentRef"]["value"], seeded["Id"])

    def test_second_job_of_a_customer_goes_under_the_same_customer(self):
        first = self.new_job(name="Basement water loss")
        second = self.new_job(name="Roof leak")
        self.push()
        self.assertEqual(len(self.qbo_named("Dana Whitfield - C-2001")), 1)
        self.assertEqual(self.sync_of(first).qbo_customer_id, self.sync_of(second).qbo_customer_id)

    def test_name_taken_by_a_vendor_is_a_clear_error_and_other_jobs_go_on(self):
        self.blue_ridge._qbo_client().create("Vendor", {"DisplayName": "Dana Whitfield - C-2001"})
        blocked = self.new_job()
        other_customer = self.env["res.partner"].create({"name": "Luis Ortega"})
        other = self.new_job(partner_id=other_customer.id, name="Kitchen fire")
        self.push()
        sync = self.sync_of(blocked)
        self.assertEqual(sync.state, "error")
        self.assertIn("vendor", sync.last_error)
        self.assertIn("Dana Whitfield - C-2001", blocked.message_ids[0].body)
        self.assertTrue(
            self.env["qbo.log"].search_count([("project_id", "=", blocked.id), ("level", "=", "error")])
        )
        self.assertEqual(self.sync_of(other).state, "synced")

    def test_job_changed_in_quickbooks_meanwhile_is_read_again(self):
        job = self.new_job()
        self.push()
        sync = self.sync_of(job)
        real_update = QboClient.update
        raced = []

        def update_after_the_bookkeeper(client, entity, payload, request_id=None):
            """The bookkeeper saves the job in QuickBooks between our read and our write: 5010."""
            if not raced:
                raced.append(payload["Id"])
                current = client.read(entity, payload["Id"])
                real_update(client, entity, {"Id": current["Id"], "SyncToken": current["SyncToken"],
                                             "sparse": True, "Mobile": {"FreeFormNumber": "(828) 555-0111"}})
            return real_update(client, entity, payload, request_id)

        job.name = "Basement water loss (revised)"
        with patch.object(QboClient, "update", update_after_the_bookkeeper):
            self.push()
        self.assertEqual(raced, [sync.qbo_job_id])
        self.assertEqual(sync.state, "synced", sync.last_error)
        [qbo_job] = [row for row in self.qbo_customers() if row["Id"] == sync.qbo_job_id]
        self.assertEqual(qbo_job["DisplayName"], f"{job.job_number} - Basement water loss (revised)")
        self.assertEqual(qbo_job["Mobile"]["FreeFormNumber"], "(828) 555-0111", "the bookkeeper's edit stays")
        self.assertEqual(sync.qbo_job_sync_token, qbo_job["SyncToken"])
        self.assertTrue(
            self.env["qbo.log"].search_count(
                [("project_id", "=", job.id), ("operation", "=", "update_job"), ("level", "=", "warning")]
            )
        )

    def test_duplicate_name_on_create_links_instead_of_failing(self):
        real_create = QboClient.create
        raced = []

        def create_after_a_colleague(client, entity, payload, request_id=None):
            """Someone creates the same customer in QuickBooks between our lookup and our create: 6240."""
            if not raced and not payload.get("Job"):
                raced.append(real_create(client, entity, dict(payload))["Id"])
            return real_create(client, entity, payload, request_id)

        job = self.new_job()
        with patch.object(QboClient, "create", create_after_a_colleague):
            self.push()
        sync = self.sync_of(job)
        self.assertEqual(sync.state, "synced", sync.last_error)
        self.assertEqual(sync.qbo_customer_id, raced[0], "linked to the customer that holds the name")
        self.assertEqual(len(self.qbo_named("Dana Whitfield - C-2001")), 1)
        self.assertTrue(
            self.env["qbo.log"].search_count([("project_id", "=", job.id), ("operation", "=", "link_customer")])
        )

    @mute_logger("odoo.addons.chronicle_qbo_addon.services.client")
    def test_lost_response_is_replayed_without_a_duplicate(self):
        self.inject("drop_after_write", times=2)
        job = self.new_job()
        self.push()
        self.assertEqual(self.sync_of(job).state, "synced")
        self.assertEqual(len(self.qbo_named("Dana Whitfield - C-2001")), 1)
        self.assertEqual(len(self.qbo_named(f"{job.job_number} - Basement water loss")), 1)
        self.assertGreaterEqual(self.sandbox_call("GET", "/_sandbox/counters")["replays"], 1)

    @mute_logger("odoo.addons.chronicle_qbo_addon.services.client")
    def test_failing_quickbooks_leaves_the_job_pending_for_the_next_run(self):
        self.inject("503", times=5)
        job = self.new_job()
        self.push()
        sync = self.sync_of(job)
        self.assertEqual(sync.state, "pending")
        self.assertTrue(sync.last_error)
        self.after_back_off(sync)
        self.push()
        self.assertEqual(sync.state, "synced")
        self.assertEqual(len(self.qbo_named("Dana Whitfield - C-2001")), 1)

    def test_job_with_departments_of_two_companies_goes_to_both(self):
        job = self.new_job(departments=self.water | self.fire)
        self.push()
        name = f"{job.job_number} - Basement water loss"
        self.assertEqual(len(self.qbo_named(name, REALM_BLUE_RIDGE)), 1)
        self.assertEqual(len(self.qbo_named(name, REALM_SUMMIT)), 1)
        self.assertEqual(set(job.qbo_job_sync_ids.mapped("state")), {"synced"})

    def test_jobs_without_production_department_are_not_pushed(self):
        job = self.new_job(departments=self.office)
        self.assertFalse(job.qbo_job_sync_ids)
        archived = self.new_job(name="Archived department job")
        self.water.action_archive()
        archived.name = "Archived department job, renamed"
        self.assertFalse(archived.qbo_job_sync_ids.filtered("active"))

    def test_removing_the_department_stops_pushes_and_deletes_nothing(self):
        job = self.new_job()
        self.push()
        sync = self.sync_of(job)
        job.department_ids = [(5, 0, 0)]
        self.assertFalse(sync.active)
        self.assertTrue(
            self.env["qbo.log"].search([("project_id", "=", job.id), ("operation", "=", "department")])
        )
        [qbo_job] = [row for row in self.qbo_customers() if row["Id"] == sync.qbo_job_id]
        self.assertTrue(qbo_job["Active"])
        writes = self.writes()
        job.name = "Renamed after leaving"
        self.push()
        self.assertEqual(self.writes(), writes)

    def test_bridge_runs_the_push_for_every_company_and_logs_the_run(self):
        self.blue_ridge.jobs_only = True
        job = self.new_job(departments=self.water | self.fire)
        self.run_bridge()
        self.assertEqual(set(job.qbo_job_sync_ids.mapped("state")), {"synced"})
        runs = self.env["qbo.log"].search([("operation", "=", "cron_bridge")])
        self.assertEqual(runs.qbo_company_id, self.blue_ridge | self.summit)
        self.assertIn("Jobs: 1 pushed, 0 failed", runs.filtered(lambda r: r.qbo_company_id == self.blue_ridge).message)
        self.run_bridge()
        self.assertEqual(
            self.env["qbo.log"].search_count([("operation", "=", "cron_bridge")]), 2, "a run with nothing to do is not logged"
        )


@tagged("post_install", "-at_install")
class TestJobPushBadInput(JobPushCase):
    def test_job_without_customer(self):
        job = self.new_job(partner_id=False)
        action = job.action_qbo_export_job()
        self.assertEqual(action["params"]["type"], "danger")
        sync = self.sync_of(job)
        self.assertEqual(sync.state, "error")
        self.assertIn("no customer", sync.last_error)
        self.assertIn("no customer", job.message_ids[0].body)

    def test_customer_name_that_sanitizes_to_nothing(self):
        nameless = self.env["res.partner"].create({"name": ": : :"})
        job = self.new_job(partner_id=nameless.id)
        self.push()
        sync = self.sync_of(job)
        self.assertEqual(sync.state, "error")
        self.assertIn("no name", sync.last_error)
        self.assertFalse(self.qbo_named(f"{job.job_number} - Basement water loss"))

    def test_company_that_needs_reauthorization(self):
        self.blue_ridge.write({"state": "needs_reauth"})
        job = self.new_job(departments=self.water | self.fire)
        self.push()
        self.assertEqual(self.sync_of(job).state, "error")
        self.assertIn("Needs reconnection", self.sync_of(job).last_error)
        self.assertEqual(self.sync_of(job, self.summit).state, "synced", "the other company went on")

    def test_disconnected_company_then_reconnected(self):
        self.blue_ridge.action_qbo_disconnect()
        job = self.new_job()
        self.push()
        sync = self.sync_of(job)
        self.assertEqual(sync.state, "error")
        self.assertIn("Disconnected", sync.last_error)
        wizard = self.open_wizard(user=self.manager, qbo_company=self.blue_ridge)
        wizard.write({"auth_code": self.authorize(REALM_BLUE_RIDGE)})
        wizard.action_authenticate()
        self.assertEqual(sync.state, "pending", "reconnecting resumes the job")
        self.push()
        self.assertEqual(sync.state, "synced")

    def test_turned_off_bridge_pauses_and_forgets_nothing(self):
        job = self.new_job()
        self.push()
        sync = self.sync_of(job)
        self.assertEqual(sync.state, "synced")
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("chronicle_qbo.enabled", False)
        writes = self.writes()
        job.name = "Basement and stairwell water loss"
        self.push()
        self.assertEqual(self.writes(), writes, "nothing reaches QuickBooks while the bridge is off")
        self.assertEqual(sync.state, "pending", "the edit is remembered")
        for button in (job.action_qbo_export_job, job.action_qbo_link_job):
            with self.assertRaisesRegex(UserError, "turned off"):
                button()
        cron = self.env.ref("chronicle_qbo_addon.ir_cron_qbo_push_jobs")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        settings = self.env["res.config.settings"].create({"qbo_enabled": True})
        settings.execute()
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers,
                           "turning the bridge on wakes the push")
        self.push()
        self.assertEqual(sync.state, "synced")
        self.assertTrue(self.qbo_named(sync.qbo_job_name))
        self.assertIn("Basement and stairwell water loss", sync.qbo_job_name)


@tagged("post_install", "-at_install")
class TestJobPushAccess(JobPushCase):
    def test_quickbooks_users_export_and_others_cannot(self):
        job = self.new_job()
        pusher = new_test_user(
            self.env, login="qbo_pusher", groups="project.group_project_user,chronicle_qbo_addon.group_qbo_user"
        )
        action = job.with_user(pusher).action_qbo_export_job()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.sync_of(job).state, "synced")
        outsider = new_test_user(self.env, login="project_only", groups="project.group_project_user")
        with self.assertRaises(AccessError):
            job.with_user(outsider).action_qbo_export_job()
        with self.assertRaises(AccessError):
            job.with_user(outsider).action_qbo_link_job()
        with self.assertRaises(AccessError):
            self.env["qbo.job.sync"].with_user(outsider).search([])

    def test_log_never_holds_a_token(self):
        job = self.new_job()
        self.push()
        secrets = [self.blue_ridge.sudo().access_token, self.blue_ridge.sudo().refresh_token]
        for line in self.env["qbo.log"].search([]):
            for secret in secrets:
                self.assertNotIn(secret, line.message or "")
        self.assertTrue(self.env["qbo.log"].search_count([("project_id", "=", job.id)]))


@tagged("post_install", "-at_install")
class TestJobScreens(JobPushCase):
    def test_retry_puts_jobs_in_error_back_in_line(self):
        jobs = self.new_job() | self.new_job(name="Second loss")
        syncs = jobs.qbo_job_sync_ids
        syncs.write({"state": "error", "last_error": "Intuit was down"})
        self.assertEqual(set(jobs.mapped("qbo_state")), {"error"})
        action = syncs.with_user(self.qbo_user).action_qbo_retry()
        self.assertIn("2 job(s)", action["params"]["message"])
        self.assertEqual(set(syncs.mapped("state")), {"pending"})
        self.assertFalse(any(syncs.mapped("last_error")))
        self.push()
        self.assertEqual(set(syncs.mapped("state")), {"synced"})
        self.assertEqual(set(jobs.mapped("qbo_state")), {"synced"})
        outsider = new_test_user(self.env, login="no_qbo", groups="base.group_user")
        with self.assertRaises(AccessError):
            syncs.with_user(outsider).action_qbo_retry()

    def test_jobs_in_quickbooks_rows_open_their_job(self):
        job = self.new_job()
        action = self.sync_of(job).action_open_job()
        self.assertEqual((action["res_model"], action["res_id"]), ("project.project", job.id))
        self.assertEqual(self.sync_of(job).job_number, job.job_number)

    def test_run_bridge_now_starts_the_company_s_run(self):
        lanes = (self.blue_ridge | self.summit).sudo().lane_cron_id
        self.assertEqual(len(lanes), 2, "each company has its own scheduled action")
        before = {cron: self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]) for cron in lanes}
        self.blue_ridge.with_user(self.manager).action_qbo_run_bridge_now()
        after = {cron: self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]) for cron in lanes}
        blue_ridge = self.blue_ridge.sudo().lane_cron_id
        self.assertEqual(after[blue_ridge], before[blue_ridge] + 1)
        self.assertEqual(after[self.summit.sudo().lane_cron_id], before[self.summit.sudo().lane_cron_id])
        self.assertTrue(self.blue_ridge.bridge_requested)
        with self.assertRaises(AccessError):
            self.blue_ridge.with_user(self.qbo_user).action_qbo_run_bridge_now()


@tagged("post_install", "-at_install")
class TestCustomerBinding(JobPushCase):
    """A QuickBooks customer is bound to one Odoo contact per company file."""

    def test_two_contacts_of_the_same_name_get_two_customers(self):
        first = self.env["res.partner"].create(
            {"name": "Hannah Reyes", "email": "hannah@reyes.example", "street": "1 Oak St", "city": "Asheville"}
        )
        second = self.env["res.partner"].create(
            {"name": "Hannah Reyes", "email": "h.reyes@other.example", "street": "9 Elm St", "city": "Hendersonville"}
        )
        first_job = self.new_job(partner_id=first.id, name="Kitchen")
        self.push()
        [first_customer] = self.qbo_named("Hannah Reyes")
        second_job = self.new_job(partner_id=second.id, name="Basement")
        self.push()
        first_sync, second_sync = self.sync_of(first_job), self.sync_of(second_job)
        self.assertEqual(second_sync.state, "synced")
        self.assertNotEqual(second_sync.qbo_customer_id, first_sync.qbo_customer_id)
        self.assertEqual(second_sync.qbo_customer_name, f"Hannah Reyes - C{second.id}")
        [unchanged] = self.qbo_named("Hannah Reyes")
        self.assertEqual(unchanged["PrimaryEmailAddr"], first_customer["PrimaryEmailAddr"])
        self.assertEqual(unchanged["BillAddr"]["Line1"], "1 Oak St")
        [own] = self.qbo_named(f"Hannah Reyes - C{second.id}")
        self.assertEqual(own["PrimaryEmailAddr"]["Address"], "h.reyes@other.example")
        warning = self.env["qbo.log"].search(
            [("project_id", "=", second_job.id), ("level", "=", "warning"), ("message", "ilike", "another contact")]
        )
        self.assertTrue(warning, "the person is told why the name differs")

    @mute_logger("odoo.addons.chronicle_qbo_addon.services.client")
    def test_failures_that_may_pass_are_retried_later_with_back_off(self):
        job = self.new_job()
        sync = self.sync_of(job)
        self.inject("503", times=100)
        self.push()
        self.assertEqual(sync.state, "pending", "an outage is not a person's problem")
        self.assertEqual(sync.retry_count, 1)
        first_wait = sync.next_retry_at
        self.assertTrue(first_wait)
        counts = self.sandbox_call("GET", "/_sandbox/counters")["requests"]
        self.push()
        self.assertEqual(self.sandbox_call("GET", "/_sandbox/counters")["requests"], counts,
                         "no request before the back-off delay")
        sync.next_retry_at = sync.create_date
        self.push()
        self.assertEqual(sync.retry_count, 2)
        self.assertGreater(sync.next_retry_at - fields.Datetime.now(), first_wait - sync.create_date,
                           "the delay grows")
        self.sandbox_call("DELETE", "/_sandbox/faults")
        sync.next_retry_at = sync.create_date
        self.push()
        self.assertEqual(sync.state, "synced")
        self.assertEqual((sync.retry_count, sync.next_retry_at), (0, False))
