from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import REALM_BLUE_RIDGE, REALM_SUMMIT, QboCase


@tagged("post_install", "-at_install")
class TestConnect(QboCase):
    def test_paste_flow_connects_and_shows_the_legal_name(self):
        company = self.connect(user=self.manager)
        self.assertEqual(company.state, "connected")
        self.assertEqual(company.realm_id, REALM_BLUE_RIDGE)
        self.assertEqual(company.name, "Blue Ridge")
        self.assertEqual(company.qbo_legal_name, "Blue Ridge Restoration LLC")
        self.assertEqual(company.connected_uid, self.manager)
        self.assertTrue(company.connected_date)
        self.assertTrue(company.access_token_expires_at > company.connected_date)
        self.assertTrue(company.refresh_token_expires_at > company.access_token_expires_at)
        self.assertTrue(company.sudo().refresh_token)
        info = company.with_user(self.manager).action_qbo_test_connection()
        self.assertIn("Blue Ridge Restoration LLC", info["params"]["message"])

    def test_get_authorization_code_opens_intuit_with_a_signed_state(self):
        wizard = self.open_wizard(user=self.manager)
        wizard.write({"environment": "local", "local_base_url": self.sandbox.url})
        action = wizard.action_get_authorization_code()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["target"], "new")
        self.assertTrue(action["url"].startswith(self.sandbox.url + "/connect/oauth2?"))
        self.assertIn("client_id=sandbox-client-id", action["url"])
        self.assertIn("state=%d." % wizard.id, action["url"])
        self.assertIn("com.intuit.quickbooks.accounting", action["url"])

    def test_name_defaults_to_the_quickbooks_company_name(self):
        company = self.connect(name="")
        self.assertEqual(company.name, company.qbo_company_name)

    def _assert_refused(self, wizard_values, message):
        wizard = self.open_wizard(user=self.manager)
        values = {"environment": "local", "local_base_url": self.sandbox.url, "name": "X"}
        values.update(wizard_values)
        wizard.write(values)
        count = self.env["qbo.company"].search_count([])
        with self.assertRaisesRegex(UserError, message):
            wizard.action_authenticate()
        self.assertEqual(self.env["qbo.company"].search_count([]), count, "nothing was created")
        return wizard

    def test_empty_code_is_refused(self):
        self._assert_refused({"auth_code": "  ", "realm_id": REALM_BLUE_RIDGE}, "Paste the authorization code")

    def test_wrong_code_is_refused(self):
        wizard = self._assert_refused(
            {"auth_code": "not-a-code", "realm_id": REALM_BLUE_RIDGE}, "did not accept this authorization code"
        )
        with self.assertRaises(UserError) as refused:
            wizard.action_authenticate()
        message = refused.exception.args[0]
        self.assertNotIn("((", message.replace(" ", ""))
        self.assertEqual(message.count("already used"), 1, "said once")

    def test_code_used_twice_is_refused(self):
        code = self.authorize(REALM_BLUE_RIDGE)
        first = self.open_wizard(user=self.manager)
        first.write({"environment": "local", "local_base_url": self.sandbox.url, "auth_code": code,
                     "realm_id": REALM_BLUE_RIDGE, "name": "First"})
        first.action_authenticate()
        self._assert_refused({"auth_code": code, "realm_id": REALM_SUMMIT}, "already used")

    def test_realm_that_is_not_a_number_is_refused(self):
        self._assert_refused({"auth_code": self.authorize(REALM_BLUE_RIDGE), "realm_id": "abc-123"}, "digits only")

    def test_a_mistyped_realm_id_is_corrected_without_signing_in_again(self):
        wizard = self.open_wizard(user=self.manager)
        wizard.write({"environment": "local", "local_base_url": self.sandbox.url, "name": "Typo",
                      "auth_code": self.authorize(REALM_BLUE_RIDGE), "realm_id": REALM_SUMMIT})
        action = wizard.action_authenticate()
        self.assertEqual((action["res_model"], action["res_id"]), ("qbo.connect.wizard", wizard.id))
        self.assertIn("another company file than Realm ID %s" % REALM_SUMMIT, wizard.notice)
        self.assertIn("no need to sign in again", wizard.notice)
        self.assertFalse(self.env["qbo.company"].search([("realm_id", "in", [REALM_BLUE_RIDGE, REALM_SUMMIT])]))
        # The code is spent at Intuit; the same dialog goes on with the Realm ID corrected.
        wizard.write({"realm_id": REALM_BLUE_RIDGE, "auth_code": False})
        action = wizard.action_authenticate()
        company = self.env["qbo.company"].browse(action["res_id"])
        self.assertEqual((company.realm_id, company.state, company.name), (REALM_BLUE_RIDGE, "connected", "Typo"))
        self.assertFalse(wizard.sudo().pending_tokens)
        self.assertFalse(wizard.notice)

    def test_realm_already_connected_is_refused(self):
        self.connect(REALM_BLUE_RIDGE, name="Blue Ridge")
        self._assert_refused(
            {"auth_code": self.authorize(REALM_BLUE_RIDGE), "realm_id": REALM_BLUE_RIDGE},
            "already connected as Blue Ridge",
        )

    def test_intuit_answering_5xx_is_reported_with_its_transaction_id(self):
        self.inject("503", times=10, path="/oauth2/v1/tokens/bearer")
        self._assert_refused(
            {"auth_code": self.authorize(REALM_BLUE_RIDGE), "realm_id": REALM_BLUE_RIDGE},
            r"Could not reach Intuit.*intuit_tid",
        )

    @mute_logger("chronicle_qbo_addon.services.client")
    def test_intuit_unreachable_is_reported(self):
        # Only a system administrator may send a company's requests to another local address.
        wizard = self.open_wizard(user=self.env.ref("base.user_admin"))
        wizard.write({"environment": "local", "local_base_url": "http://127.0.0.1:9", "name": "X",
                      "auth_code": "code", "realm_id": REALM_BLUE_RIDGE})
        with self.assertRaisesRegex(UserError, "(?i)reach"):
            wizard.action_authenticate()

    def test_reconnect_keeps_the_company_and_refuses_another_realm(self):
        company = self.connect()
        company.write({"state": "needs_reauth"})
        wizard = self.open_wizard(user=self.manager, qbo_company=company)
        self.assertEqual(wizard.realm_id, REALM_BLUE_RIDGE)
        wizard.write({"auth_code": self.authorize(REALM_SUMMIT), "realm_id": REALM_SUMMIT})
        with self.assertRaisesRegex(UserError, "is connected to Realm ID"):
            wizard.action_authenticate()
        wizard.write({"auth_code": self.authorize(REALM_BLUE_RIDGE), "realm_id": REALM_BLUE_RIDGE})
        action = wizard.action_authenticate()
        self.assertEqual(action["res_id"], company.id)
        self.assertEqual(company.state, "connected")
        self.assertEqual(self.env["qbo.company"].search_count([("realm_id", "=", REALM_BLUE_RIDGE)]), 1)

    def test_missing_app_keys_get_a_clear_message(self):
        self.env["ir.config_parameter"].sudo().set_param("chronicle_qbo.client_secret", False)
        self._assert_refused(
            {"auth_code": "x", "realm_id": REALM_BLUE_RIDGE}, "client ID and client secret"
        )

    @mute_logger("chronicle_qbo_addon.services.oauth")
    def test_get_authorization_code_with_intuit_unreachable_says_why(self):
        wizard = self.open_wizard(user=self.env.ref("base.user_admin"))
        wizard.write({"environment": "local", "local_base_url": "http://127.0.0.1:9"})
        with self.assertRaisesRegex(UserError, "Could not reach Intuit to start the sign-in.*127.0.0.1:9 runs"):
            wizard.action_get_authorization_code()

    def test_the_dialog_left_behind_by_the_redirect_opens_the_connected_company(self):
        wizard = self.open_wizard(user=self.manager)
        wizard.write({"environment": "local", "local_base_url": self.sandbox.url, "name": "Left behind"})
        # The redirect, in the other tab, connects the company with the same dialog.
        company = wizard._qbo_authenticate(self.authorize(REALM_BLUE_RIDGE), REALM_BLUE_RIDGE)
        wizard.write({"auth_code": "pasted-too-late", "realm_id": REALM_BLUE_RIDGE})
        action = wizard.action_authenticate()
        self.assertEqual((action["res_model"], action["res_id"]), ("qbo.company", company.id))
        self.assertEqual(company.state, "connected")

    def test_the_edition_is_read_from_intuit_and_a_mismatch_shown(self):
        company = self.connect()  # the sandbox's Blue Ridge is QuickBooks Online Plus
        self.assertEqual((company.qb_version, company.qbo_detected_version), ("plus", "plus"))
        summit = self.connect(REALM_SUMMIT, name="Summit")  # chosen Plus, Intuit says Essentials
        self.assertEqual(summit.qbo_detected_version, "essentials")
        arch = self.env["qbo.company"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("qbo_detected_version == qb_version", arch, "the mismatch notice is on the form")

    def test_companies_are_added_one_way(self):
        views = self.env["qbo.company"].get_views([(False, "list"), (False, "form")])["views"]
        for kind in ("list", "form"):
            self.assertIn('create="0"', views[kind]["arch"], f"no New button on the {kind}")
        self.assertIn("Add company", views["list"]["arch"])
