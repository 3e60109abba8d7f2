import logging
from urllib.parse import parse_qs, urlsplit

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import REALM_BLUE_RIDGE, REALM_SUMMIT, QboSandboxMixin


@tagged("post_install", "-at_install")
class TestOAuthCallback(QboSandboxMixin, HttpCase):
    """Intuit's redirect back to Odoo captures the code, the state and the Realm ID by itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls._configure_app(cls.env)
        groups = "base.group_user,chronicle_qbo_addon.group_qbo_manager"
        cls.manager = new_test_user(cls.env, login="qbo_cb_manager", groups=groups)
        cls.other_manager = new_test_user(cls.env, login="qbo_cb_other", groups=groups)

    def _sign_in_at_intuit(self, realm_id=REALM_BLUE_RIDGE, user=None):
        """Press Get authorization code, then let the sandbox's consent hand back its redirect."""
        wizard = self.open_wizard(user=user or self.manager)
        wizard.write({"environment": "local", "local_base_url": self.sandbox.url, "name": "From redirect"})
        url = wizard.action_get_authorization_code()["url"]
        state = parse_qs(urlsplit(url).query)["state"][0]
        consent = self.sandbox_call(
            "POST",
            "/_sandbox/authorize",
            {
                "client_id": "sandbox-client-id",
                "redirect_uri": self.env["qbo.company"]._qbo_redirect_uri(),
                "realm_id": realm_id,
                "state": state,
            },
        )
        return wizard, consent["redirect_url"]

    def _follow(self, redirect_url):
        return self.url_open(redirect_url, allow_redirects=False)

    def test_redirect_connects_the_company_and_opens_its_form(self):
        self.authenticate("qbo_cb_manager", "qbo_cb_manager")
        wizard, redirect_url = self._sign_in_at_intuit()
        self.assertTrue(redirect_url.startswith(self.base_url() + "/qbo/oauth/callback?"))
        response = self._follow(redirect_url)
        self.assertEqual(response.status_code, 303)
        company = self.env["qbo.company"].search([("realm_id", "=", REALM_BLUE_RIDGE)])
        self.assertEqual(company.state, "connected")
        self.assertEqual(company.name, "From redirect")
        self.assertEqual(company.qbo_legal_name, "Blue Ridge Restoration LLC")
        self.assertTrue(response.headers["Location"].endswith(f"/odoo/qbo-companies/{company.id}"))
        self.assertEqual(wizard.state, "done")

    @mute_logger("odoo.http", "odoo.addons.chronicle_qbo_addon.controllers.main")
    def test_replayed_state_is_refused(self):
        self.authenticate("qbo_cb_manager", "qbo_cb_manager")
        _wizard, redirect_url = self._sign_in_at_intuit()
        self.assertEqual(self._follow(redirect_url).status_code, 303)
        self.assertEqual(self._follow(redirect_url).status_code, 403)
        self.assertEqual(self.env["qbo.company"].search_count([("realm_id", "=", REALM_BLUE_RIDGE)]), 1)

    @mute_logger("odoo.http", "odoo.addons.chronicle_qbo_addon.controllers.main")
    def test_forged_state_is_refused_before_any_call_to_intuit(self):
        self.authenticate("qbo_cb_manager", "qbo_cb_manager")
        wizard, redirect_url = self._sign_in_at_intuit()
        forged = redirect_url.replace(f"state={wizard.id}.", f"state={wizard.id}.x")
        requests_before = self.sandbox_call("GET", "/_sandbox/counters")["requests"]
        self.assertEqual(self._follow(forged).status_code, 403)
        garbage = redirect_url.split("state=")[0] + "state=garbage&realmId=" + REALM_BLUE_RIDGE
        self.assertEqual(self._follow(garbage).status_code, 403)
        self.assertEqual(self.sandbox_call("GET", "/_sandbox/counters")["requests"], requests_before)
        self.assertFalse(self.env["qbo.company"].search([("realm_id", "=", REALM_BLUE_RIDGE)]))
        self.assertEqual(wizard.state, "new")

    @mute_logger("odoo.http", "odoo.addons.chronicle_qbo_addon.controllers.main")
    def test_state_of_another_person_is_refused(self):
        _wizard, redirect_url = self._sign_in_at_intuit(user=self.manager)
        self.authenticate("qbo_cb_other", "qbo_cb_other")
        self.assertEqual(self._follow(redirect_url).status_code, 403)
        self.assertFalse(self.env["qbo.company"].search([("realm_id", "=", REALM_BLUE_RIDGE)]))

    @mute_logger("odoo.http", "odoo.addons.chronicle_qbo_addon.controllers.main")
    def test_stale_state_is_refused_after_a_new_code_was_asked_for(self):
        self.authenticate("qbo_cb_manager", "qbo_cb_manager")
        wizard, old_redirect = self._sign_in_at_intuit()
        wizard.action_get_authorization_code()
        self.assertEqual(self._follow(old_redirect).status_code, 403)

    def test_refused_code_shows_the_reason_and_changes_nothing(self):
        self.authenticate("qbo_cb_manager", "qbo_cb_manager")
        _wizard, redirect_url = self._sign_in_at_intuit(realm_id=REALM_BLUE_RIDGE)
        wrong_realm = redirect_url.replace(f"realmId={REALM_BLUE_RIDGE}", f"realmId={REALM_SUMMIT}")
        response = self._follow(wrong_realm)
        self.assertEqual(response.status_code, 400)
        self.assertIn("another company file than Realm ID", response.text)
        self.assertFalse(self.env["qbo.company"].search([("realm_id", "in", [REALM_BLUE_RIDGE, REALM_SUMMIT])]))

    def test_declined_consent_changes_nothing(self):
        self.authenticate("qbo_cb_manager", "qbo_cb_manager")
        wizard, redirect_url = self._sign_in_at_intuit()
        state = parse_qs(urlsplit(redirect_url).query)["state"][0]
        response = self._follow(f"/qbo/oauth/callback?error=access_denied&state={state}")
        self.assertEqual(response.status_code, 400)
        self.assertIn("access_denied", response.text)
        self.assertFalse(self.env["qbo.company"].search([("realm_id", "=", REALM_BLUE_RIDGE)]))

    def test_access_log_line_hides_the_code_and_the_state(self):
        """Odoo's request handler logs each request line through werkzeug once the answer is sent
        (too late for a test to wait on): the same call, with the redirect's own request line."""
        _wizard, redirect_url = self._sign_in_at_intuit()
        parts = urlsplit(redirect_url)
        query = parse_qs(parts.query)
        logger = logging.getLogger("werkzeug")
        record = logger.makeRecord(
            "werkzeug", logging.INFO, __file__, 0, '"%s" %s %s',
            (f"GET {parts.path}?{parts.query} HTTP/1.1", "303", "-"), None,
        )
        self.assertTrue(logger.filter(record), "the line is still logged")
        line = record.getMessage()
        self.assertEqual(line, '"GET /qbo/oauth/callback?[hidden] HTTP/1.1" 303 -')
        self.assertNotIn(query["code"][0], line)
        self.assertNotIn(query["state"][0], line)
