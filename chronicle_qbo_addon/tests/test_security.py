"""Attacks by users who should not reach a QuickBooks company file, its secrets or its tokens:
each is refused before any request reaches Intuit, and nothing changes."""
import logging
import threading

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..services.oauth import QboTokens
from .test_job_push import JobPushCase


@tagged("post_install", "-at_install")
class TestSecurity(JobPushCase):
    def setUp(self):
        super().setUp()
        self.portal = new_test_user(self.env, login="portal_attacker", groups="base.group_portal")
        self.employee = new_test_user(self.env, login="plain_attacker", groups="base.group_user")
        self.other_company = self.env["res.company"].create({"name": "Sister Restoration"})
        self.foreigner = new_test_user(
            self.env,
            login="foreign_manager",
            groups="base.group_user,chronicle_qbo_addon.group_qbo_manager",
            company_id=self.other_company.id,
            company_ids=[(6, 0, self.other_company.ids)],
        )
        self.tokens_before = self.blue_ridge.sudo().read(["access_token", "refresh_token"])

    def intuit_requests(self):
        """Requests that reached the sandbox's Intuit endpoints (its control API not counted)."""
        counts = self.sandbox_call("GET", "/_sandbox/counters")["requests"]
        return sum(count for endpoint, count in counts.items() if "_sandbox" not in endpoint)

    def assert_refused_untouched(self, call, exception=AccessError):
        before = self.intuit_requests()
        with self.assertRaises(exception):
            call()
        self.assertEqual(self.intuit_requests(), before, "no request reached Intuit")
        self.assertEqual(self.blue_ridge.state, "connected")
        self.assertEqual(self.blue_ridge.sudo().read(["access_token", "refresh_token"]), self.tokens_before)

    # === BUTTONS OF THE COMPANY === #

    def test_disconnect_by_anyone_but_a_manager_of_the_company_is_refused_before_intuit(self):
        for user in (self.portal, self.employee, self.qbo_user, self.foreigner):
            with self.subTest(user=user.login):
                self.assert_refused_untouched(lambda: self.blue_ridge.with_user(user).action_qbo_disconnect())
        # The grant is still alive at Intuit.
        self.assertTrue(self.blue_ridge._qbo_app().refresh(self.tokens_before[0]["refresh_token"]).access_token)

    def test_test_connection_tells_nothing_to_others(self):
        for user in (self.portal, self.employee, self.qbo_user, self.foreigner):
            with self.subTest(user=user.login):
                self.assert_refused_untouched(lambda: self.blue_ridge.with_user(user).action_qbo_test_connection())

    def test_reconnect_and_associate_are_for_the_company_managers(self):
        for user in (self.portal, self.qbo_user, self.foreigner):
            with self.subTest(user=user.login):
                self.assert_refused_untouched(lambda: self.blue_ridge.with_user(user).action_qbo_reconnect())
                self.assert_refused_untouched(
                    lambda: self.blue_ridge.with_user(user).action_qbo_associate_departments()
                )

    def test_disconnect_writes_the_local_state_before_revoking(self):
        """A failure after Intuit revoked would leave Odoo saying Connected: the order prevents it."""
        order = []
        company = self.blue_ridge.with_user(self.manager)
        original_write = type(company).write

        def write(records, vals):
            if vals.get("state") == "disconnected":
                order.append("local")
            return original_write(records, vals)

        from unittest.mock import patch

        from ..services.oauth import QboApp

        original_revoke = QboApp.revoke

        def revoke(app, token):
            order.append("intuit")
            return original_revoke(app, token)

        with patch.object(type(company), "write", write), patch.object(QboApp, "revoke", revoke):
            company.action_qbo_disconnect()
        self.assertEqual(order, ["local", "intuit"])
        self.assertEqual(self.blue_ridge.state, "disconnected")

    # === SECRETS === #

    def test_client_secret_is_readable_by_system_administrators_only(self):
        Settings = self.env["res.config.settings"]
        for user in (self.portal, self.employee, self.qbo_user, self.manager):
            with self.subTest(user=user.login):
                values = Settings.with_user(user).default_get(["qbo_client_secret", "qbo_client_id"])
                self.assertNotIn("qbo_client_secret", values)
                self.assertNotIn("sandbox-client-secret", str(values))
                self.assertNotIn("qbo_client_secret", Settings.with_user(user).get_values())
        admin = self.env.ref("base.user_admin")
        self.assertEqual(Settings.with_user(admin).default_get(["qbo_client_secret"])["qbo_client_secret"],
                         "sandbox-client-secret")

    def test_tokens_are_hidden_from_managers_through_read_group_and_export(self):
        self.manager.group_ids += self.env.ref("base.group_allow_export")
        company = self.blue_ridge.with_user(self.manager)
        self.assertEqual(company.export_data(["name"])["datas"], [["Blue Ridge"]])
        with self.assertRaises(AccessError):
            company.export_data(["refresh_token"])
        with self.assertRaises(AccessError):
            company._read_group([], ["access_token"], ["__count"])

    def test_managers_cannot_read_each_others_connect_dialogs(self):
        other_manager = new_test_user(
            self.env, login="second_manager", groups="base.group_user,chronicle_qbo_addon.group_qbo_manager"
        )
        wizard = self.open_wizard(user=self.manager, qbo_company=self.blue_ridge)
        wizard.write({"auth_code": "a-code-someone-pasted"})
        wizard.action_get_authorization_code()
        self.assertTrue(wizard.oauth_nonce)
        spied = self.env["qbo.connect.wizard"].with_user(other_manager).search([("id", "=", wizard.id)])
        self.assertFalse(spied)
        with self.assertRaises(AccessError):
            wizard.with_user(other_manager).read(["oauth_nonce", "auth_code"])

    # === WHERE REQUESTS GO === #

    def test_a_manager_cannot_point_a_company_at_another_server(self):
        company = self.blue_ridge.with_user(self.manager)
        for values in ({"local_base_url": "http://127.0.0.1:9"}, {"environment": "sandbox"}):
            with self.subTest(values=values):
                self.assert_refused_untouched(lambda: company.write(values))
        self.assertEqual(self.blue_ridge.local_base_url, self.sandbox.url)

    def test_a_manager_cannot_add_a_company_on_a_local_server(self):
        wizard = self.open_wizard(user=self.manager)
        wizard.write({"environment": "local", "local_base_url": "http://127.0.0.1:9"})
        before = self.intuit_requests()
        with self.assertRaises(AccessError):
            wizard.action_get_authorization_code()
        self.assertEqual(self.intuit_requests(), before)

    def test_the_local_sandbox_url_must_be_a_loopback_address(self):
        admin = self.env.ref("base.user_admin")
        for url in ("http://attacker.example:8765", "http://10.0.0.5:8765", "ftp://127.0.0.1/", "127.0.0.1:8765"):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.blue_ridge.with_user(admin).write({"local_base_url": url})
                self.env.flush_all()
        for url in ("http://localhost:8765", "http://127.0.0.2:8765", "http://[::1]:8765"):
            self.blue_ridge.with_user(admin).write({"local_base_url": url})
        self.blue_ridge.with_user(admin).local_base_url = self.sandbox.url

    # === LINK JOB ACROSS COMPANIES === #

    def test_link_job_refuses_a_quickbooks_company_the_job_does_not_go_to(self):
        job = self.new_job()
        action = job.with_user(self.qbo_user).action_qbo_link_job()
        wizard = self.env["qbo.link.wizard"].with_user(self.qbo_user).browse(action["res_id"])
        writes = self.writes()
        wizard.qbo_company_id = self.summit
        line = self.env["qbo.link.wizard.line"].with_user(self.qbo_user).create(
            {"wizard_id": wizard.id, "qbo_id": "1", "name": "Someone", "selected": True}
        )
        self.assertTrue(line)
        with self.assertRaises(AccessError):
            wizard.action_link()
        self.assertEqual(self.writes(), writes, "nothing was written in QuickBooks")
        self.assertFalse(self.sync_of(job, self.summit).qbo_customer_id)

    def test_a_user_of_another_company_cannot_link_into_this_company_file(self):
        job = self.new_job()
        stranger = new_test_user(
            self.env,
            login="foreign_user",
            groups="base.group_user,chronicle_qbo_addon.group_qbo_user",
            company_id=self.other_company.id,
            company_ids=[(6, 0, self.other_company.ids)],
        )
        writes = self.writes()
        with self.assertRaises(AccessError):
            wizard = self.env["qbo.link.wizard"].with_user(stranger).create(
                {"project_id": job.id, "qbo_company_id": self.blue_ridge.id}
            )
            wizard.line_ids = [(0, 0, {"qbo_id": "1", "name": "Someone", "selected": True})]
            wizard.action_link()
        self.assertEqual(self.writes(), writes)

    # === THE CALLBACK === #

    def test_realm_id_takes_ascii_digits_only(self):
        wizard = self.open_wizard(user=self.manager)
        wizard.write({"environment": "sandbox"})
        with self.assertRaisesRegex(UserError, "digits only"):
            wizard._qbo_authenticate("some-code", "٩٣٤١٤٥٣٠٥٠٢٩٨٥٥١")

    # === TOKENS UNDER CONTENTION === #

    def test_rotated_tokens_wait_for_a_locked_row_and_are_committed_apart(self):
        """Another transaction holds and changes the company's row when Intuit rotates the refresh
        token: the new value is committed once the row is free, and no logged line holds it."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company_id = env["qbo.company"].create({"name": "Committed for contention"}).id
        self.addCleanup(self._delete_committed, company_id)
        holder = self.registry.cursor()
        holder.execute("UPDATE qbo_company SET name = 'Renamed by a manager' WHERE id = %s", [company_id])
        release = threading.Timer(0.5, lambda: (holder.commit(), holder.close()))
        logged = []

        class Collect(logging.Handler):
            def emit(self, record):
                logged.append(record.getMessage())

        handler = Collect(level=logging.DEBUG)
        sql_logger = logging.getLogger("odoo.sql_db")
        sql_logger.addHandler(handler)
        new = QboTokens("new-access-value", "new-refresh-value", None, None, None)
        try:
            with self.registry.cursor() as cr:
                caller = api.Environment(cr, SUPERUSER_ID, {})["qbo.company"].browse(company_id)
                # The caller's snapshot predates the manager's commit.
                self.assertEqual(caller.name, "Committed for contention")
                release.start()
                caller._qbo_store_tokens(new)
                self.assertEqual(caller.sudo().refresh_token, "new-refresh-value")
                cr.rollback()  # the caller's own work fails afterwards
        finally:
            release.join()
            sql_logger.removeHandler(handler)
        with self.registry.cursor() as cr:
            cr.execute("SELECT refresh_token, access_token, name FROM qbo_company WHERE id = %s", [company_id])
            self.assertEqual(cr.fetchone(), ("new-refresh-value", "new-access-value", "Renamed by a manager"))
        for line in logged:
            self.assertNotIn("new-refresh-value", line)
            self.assertNotIn("new-access-value", line)

    def _delete_committed(self, company_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM qbo_company WHERE id = %s", [company_id])
