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
        self._assert_refused(
            {"auth_code": "not-a-code", "realm_id": REALM_BLUE_RIDGE}, "did not accept this authorization code"
        )

    def test_code_used_twice_is_refused(self):
        code = self.authorize(REALM_BLUE_RIDGE)
        first = self.open_wizard(user=self.manager)
        first.write({"environment": "local", "local_base_url": self.sandbox.url, "auth_code": code,
                     "realm_id": REALM_BLUE_RIDGE, "name": "First"})
        first.action_authenticate()
        self._assert_refused({"auth_code": code, "realm_id": REALM_SUMMIT}, "already used")

    def test_realm_that_is_not_a_number_is_refused(self):
        self._assert_refused({"auth_code": self.authorize(REALM_BLUE_RIDGE), "realm_id": "abc-123"}, "digits only")

    def test_realm_other_than_the_one_signed_in_is_refused(self):
        self._assert_refused(
            {"auth_code": self.authorize(REALM_BLUE_RIDGE), "realm_id": REALM_SUMMIT},
            "issued for another company file",
        )

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
