from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..services.client import QboAuthError
from .common import QboCase


@tagged("post_install", "-at_install")
class TestTokens(QboCase):
    def setUp(self):
        super().setUp()
        self.company = self.connect()

    def _expire_soon(self):
        self.company.sudo().access_token_expires_at = fields.Datetime.now() + timedelta(minutes=1)

    def test_cron_refreshes_an_access_token_before_it_expires(self):
        old = self.company.sudo().access_token
        self._expire_soon()
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_refresh_tokens")
        self.assertEqual(self.company.state, "connected")
        self.assertTrue(self.company.sudo().access_token != old, "a new access token was stored")
        self.assertGreater(self.company.access_token_expires_at, fields.Datetime.now() + timedelta(minutes=50))

    def test_cron_leaves_fresh_tokens_alone(self):
        old = self.company.sudo().access_token
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_refresh_tokens")
        self.assertTrue(self.company.sudo().access_token == old, "the access token was kept")

    def test_rotated_refresh_token_is_stored_and_the_old_value_dies(self):
        old_refresh = self.company.sudo().refresh_token
        self.sandbox_call("POST", "/_sandbox/clock", {"advance": 25 * 3600})
        self._expire_soon()
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_refresh_tokens")
        new_refresh = self.company.sudo().refresh_token
        self.assertTrue(new_refresh != old_refresh, "after a day Intuit hands out a new value")
        with self.assertRaises(QboAuthError):
            self.company._qbo_app().refresh(old_refresh)
        self.assertEqual(self.company.state, "connected")

    def test_refresh_token_window_is_rolled_forward(self):
        self.company.sudo().refresh_token_expires_at = fields.Datetime.now() + timedelta(days=10)
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_refresh_tokens")
        self.assertGreater(self.company.refresh_token_expires_at, fields.Datetime.now() + timedelta(days=99))

    def test_revoked_refresh_token_asks_the_managers_to_reconnect(self):
        self.inject("revoke_refresh_token", times=1)
        self._expire_soon()
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_refresh_tokens")
        self.assertEqual(self.company.state, "needs_reauth")
        self.assertIn("invalid_grant", self.company.reauth_reason)
        self.assertNotIn("{", self.company.reauth_reason, "no raw JSON for a person")
        activity = self.company.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(len(activity), 1)
        self.assertIn("Reconnect", activity.summary)
        self.assertTrue(any("reconnected" in message.body for message in self.company.message_ids))

    @mute_logger("odoo.addons.chronicle_qbo_addon.models.qbo_company")
    def test_intuit_down_during_refresh_keeps_the_connection(self):
        old = self.company.sudo().access_token
        self.inject("503", times=20, path="/oauth2/v1/tokens/bearer")
        self._expire_soon()
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_refresh_tokens")
        self.assertEqual(self.company.state, "connected")
        self.assertTrue(self.company.sudo().access_token == old, "the access token was kept")

    def test_expired_access_token_is_refreshed_and_persisted_on_use(self):
        old = self.company.sudo().access_token
        self.inject("expire_access_token", times=1)
        self.company.with_user(self.manager).action_qbo_test_connection()
        self.assertTrue(self.company.sudo().access_token != old, "a new access token was stored")

    def test_disconnect_revokes_at_intuit_and_keeps_the_history(self):
        refresh = self.company.sudo().refresh_token
        self.company.with_user(self.manager).action_qbo_disconnect()
        self.assertEqual(self.company.state, "disconnected")
        self.assertFalse(self.company.sudo().refresh_token)
        self.assertFalse(self.company.sudo().access_token)
        self.assertTrue(self.company.exists())
        self.assertEqual(self.company.realm_id, "9341453050298551")
        with self.assertRaises(QboAuthError):
            self.company._qbo_app().refresh(refresh)
        self.assertTrue(any("revoked" in message.body for message in self.company.message_ids))

    def test_reconnect_after_reauth_clears_the_warning(self):
        self.inject("revoke_refresh_token", times=1)
        self._expire_soon()
        self.run_cron("chronicle_qbo_addon.ir_cron_qbo_refresh_tokens")
        self.assertEqual(self.company.state, "needs_reauth")
        wizard = self.open_wizard(user=self.manager, qbo_company=self.company)
        wizard.write({"auth_code": self.authorize(self.company.realm_id)})
        wizard.action_authenticate()
        self.assertEqual(self.company.state, "connected")
        self.assertFalse(self.company.reauth_reason)
        self.assertFalse(self.company.activity_ids)

    def test_test_connection_with_a_revoked_authorization_asks_to_reconnect(self):
        self.inject("revoke_refresh_token", times=1)
        self.inject("expire_access_token", times=1)
        action = self.company.with_user(self.manager).action_qbo_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.company.state, "needs_reauth")
        self.assertIn("Reconnect", self.company.reauth_reason)
