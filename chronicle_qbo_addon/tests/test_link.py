from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_job_push import JobPushCase


@tagged("post_install", "-at_install")
class TestLinkJob(JobPushCase):
    """Link job: search QuickBooks as Customer:Job and link the job to what is found."""

    def setUp(self):
        super().setUp()
        self.margaret = self.env["res.partner"].create({"name": "Margaret Hollis", "ref": "1001"})
        self.job = self.new_job(partner_id=self.margaret.id, name="Kitchen supply line")
        self.job.qbo_job_sync_ids.write({"state": "error"})  # keep the scheduled push out of the way

    def open_link(self, user=None):
        action = self.job.with_user(user or self.qbo_user).action_qbo_link_job()
        return self.env["qbo.link.wizard"].with_user(user or self.qbo_user).browse(action["res_id"])

    def link(self, wizard, line):
        line.selected = True
        return wizard.action_link()

    def test_link_needs_exactly_one_choice(self):
        wizard = self.open_link()
        with self.assertRaisesRegex(UserError, "Tick the one"):
            wizard.action_link()
        wizard.line_ids[:2].selected = True
        with self.assertRaisesRegex(UserError, "Tick the one"):
            wizard.action_link()
        self.assertEqual(self.sync_of(self.job).state, "error", "nothing was linked")

    def test_search_shows_customers_and_their_jobs(self):
        wizard = self.open_link()
        self.assertEqual(wizard.qbo_company_id, self.blue_ridge)
        names = wizard.line_ids.mapped("fully_qualified_name")
        self.assertIn("Margaret Hollis - 1001", names)
        self.assertIn("Margaret Hollis - 1001:24-0117 - Water mitigation, kitchen supply line", names)
        wizard.search_text = "24-0117"
        wizard._onchange_search_text()
        self.assertEqual(
            wizard.line_ids.mapped("fully_qualified_name"),
            ["Margaret Hollis - 1001:24-0117 - Water mitigation, kitchen supply line"],
        )
        self.assertTrue(wizard.line_ids.is_job)

    def test_link_to_an_existing_job_writes_nothing_until_the_job_changes(self):
        wizard = self.open_link()
        line = wizard.line_ids.filtered(lambda line: line.is_job and "24-0117" in line.name)
        writes = self.writes()
        self.link(wizard, line)
        sync = self.sync_of(self.job)
        self.assertEqual(sync.state, "linked")
        self.assertEqual(sync.qbo_job_id, line.qbo_id)
        self.assertEqual(sync.qbo_customer_name, "Margaret Hollis - 1001")
        self.assertEqual(self.writes(), writes)
        self.job.description = "<p>Supply line under the sink</p>"
        self.push()
        self.assertEqual(sync.state, "synced")
        [qbo_job] = [row for row in self.qbo_customers() if row["Id"] == line.qbo_id]
        self.assertEqual(qbo_job["Notes"], "Supply line under the sink")
        self.assertEqual(qbo_job["DisplayName"], f"{self.job.job_number} - Kitchen supply line")
        self.assertTrue(self.env["qbo.log"].search([("project_id", "=", self.job.id), ("operation", "=", "link")]))

    def test_link_the_customer_only_creates_the_job_under_it(self):
        wizard = self.open_link()
        line = wizard.line_ids.filtered(lambda line: line.fully_qualified_name == "Margaret Hollis - 1001")
        children_before = [r for r in self.qbo_customers() if r.get("ParentRef", {}).get("value") == line.qbo_id]
        action = self.link(wizard, line)
        self.assertEqual(action["params"]["type"], "success")
        sync = self.sync_of(self.job)
        self.assertEqual(sync.state, "synced")
        children = [r for r in self.qbo_customers() if r.get("ParentRef", {}).get("value") == line.qbo_id]
        self.assertEqual(len(children), len(children_before) + 1)
        self.assertEqual(sync.qbo_customer_id, line.qbo_id)

    def test_a_quickbooks_job_links_to_one_job_only(self):
        wizard = self.open_link()
        self.link(wizard, wizard.line_ids.filtered(lambda line: line.is_job and "24-0117" in line.name))
        other = self.new_job(partner_id=self.margaret.id, name="Second job")
        action = other.with_user(self.qbo_user).action_qbo_link_job()
        wizard = self.env["qbo.link.wizard"].with_user(self.qbo_user).browse(action["res_id"])
        line = wizard.line_ids.filtered(lambda line: line.is_job and "24-0117" in line.name)
        with self.assertRaisesRegex(UserError, "already linked"):
            self.link(wizard, line)

    def test_link_needs_a_connected_company(self):
        self.blue_ridge.write({"state": "needs_reauth"})
        with self.assertRaisesRegex(UserError, "connected QuickBooks company"):
            self.job.with_user(self.qbo_user).action_qbo_link_job()

    def test_accounting_log_opens_on_the_job(self):
        action = self.job.with_user(self.qbo_user).action_qbo_open_log()
        self.assertEqual(action["res_model"], "qbo.log")
        self.assertEqual(action["domain"], [("project_id", "=", self.job.id)])

    def _daniel_reyes_job_line(self, wizard):
        wizard.search_text = "24-0126"
        wizard._onchange_search_text()
        return wizard.line_ids.filtered(lambda line: line.is_job and "24-0126" in line.name)

    def test_another_customers_job_is_not_linked_on_a_tick_alone(self):
        wizard = self.open_link()
        line = self._daniel_reyes_job_line(wizard)
        self.assertEqual(line.parent_name, "Daniel Reyes - 1003")
        before = {row["Id"]: row for row in self.qbo_customers()}
        writes = self.writes()
        action = self.link(wizard, line)
        self.assertEqual(action["res_model"], "qbo.link.wizard", "the dialog asks first")
        self.assertEqual(wizard.step, "confirm")
        self.assertIn("not named for Margaret Hollis", wizard.confirm_message)
        self.assertFalse(self.sync_of(self.job).qbo_job_id, "nothing linked yet")
        action = wizard.action_push_own_customer()
        self.assertEqual(action["params"]["type"], "success")
        sync = self.sync_of(self.job)
        self.assertEqual(sync.qbo_customer_name, "Margaret Hollis - 1001")
        self.assertNotEqual(sync.qbo_job_id, line.qbo_id)
        after = {row["Id"]: row for row in self.qbo_customers()}
        self.assertEqual(after[line.parent_qbo_id], before[line.parent_qbo_id], "Daniel Reyes's customer untouched")
        self.assertEqual(after[line.qbo_id], before[line.qbo_id], "Daniel Reyes's job untouched")
        self.assertGreater(self.writes(), writes)

    def test_linking_the_contact_too_binds_it_to_that_customer(self):
        wizard = self.open_link()
        line = self._daniel_reyes_job_line(wizard)
        self.link(wizard, line)
        wizard.action_link_contact_too()
        sync = self.sync_of(self.job)
        self.assertEqual(sync.state, "linked")
        self.assertEqual(sync.qbo_job_id, line.qbo_id)
        self.assertEqual(sync.qbo_customer_id, line.parent_qbo_id)

    def test_a_customer_bound_to_another_contact_is_never_linked_to_this_one(self):
        daniel = self.env["res.partner"].create({"name": "Daniel Reyes", "ref": "1003"})
        daniels_job = self.new_job(partner_id=daniel.id, name="Storm damage")
        wizard = self.open_link()
        line = self._daniel_reyes_job_line(wizard)
        self.sync_of(daniels_job).write({"qbo_customer_id": line.parent_qbo_id, "state": "synced"})
        self.link(wizard, line)
        self.assertIn("belongs to contact Daniel Reyes", wizard.confirm_message)
        self.assertFalse(wizard.can_link_contact)
        with self.assertRaisesRegex(UserError, "belongs to another contact"):
            wizard.action_link_contact_too()
        self.assertFalse(self.sync_of(self.job).qbo_job_id)

    def test_link_job_obeys_the_toggle(self):
        self.env["ir.config_parameter"].sudo().set_param("chronicle_qbo.enabled", False)
        with self.assertRaisesRegex(UserError, "turned off"):
            self.job.with_user(self.qbo_user).action_qbo_link_job()
