"""Odoo tests run against the local QuickBooks sandbox, started once per test class."""
import requests

from odoo.tests import TransactionCase, new_test_user

from ..const import PARAM_CLIENT_ID, PARAM_CLIENT_SECRET, PARAM_ENABLED, PARAM_LOCAL_BASE_URL

try:
    from qbo_sandbox import SandboxServer
except ImportError:  # the sandbox ships with the repository, beside the addon
    import sys
    from pathlib import Path

    sys.path.append(str(Path(__file__).resolve().parents[2]))
    from qbo_sandbox import SandboxServer
from qbo_sandbox.consent import sign_in  # noqa: F401  (for the browser tests)

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
REALM_BLUE_RIDGE = "9341453050298551"
REALM_SUMMIT = "9341453050298552"
REALM_COASTAL = "9341453050298553"


class QboSandboxMixin:
    """Starts a seeded sandbox for the class and points the addon's Intuit app at it."""

    @classmethod
    def _start_sandbox(cls):
        cls.sandbox = SandboxServer(host="127.0.0.1", port=0).start()
        cls.addClassCleanup(cls.sandbox.stop)

    @classmethod
    def _configure_app(cls, env):
        params = env["ir.config_parameter"].sudo()
        params.set_param(PARAM_ENABLED, "True")
        params.set_param(PARAM_CLIENT_ID, CLIENT_ID)
        params.set_param(PARAM_CLIENT_SECRET, CLIENT_SECRET)
        params.set_param(PARAM_LOCAL_BASE_URL, cls.sandbox.url)
        cls.sandbox_call(
            "POST",
            "/_sandbox/apps",
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [env["qbo.company"]._qbo_redirect_uri()],
            },
        )

    @classmethod
    def sandbox_call(cls, method, path, payload=None):
        response = requests.request(method, cls.sandbox.url + path, json=payload, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def setUp(self):
        super().setUp()
        self.sandbox_call("POST", "/_sandbox/reset")
        self.sandbox_call("DELETE", "/_sandbox/faults")

    def authorize(self, realm_id, state="test-state", user=None):
        """What Intuit's consent screen hands out: an authorization code for one realm."""
        payload = {
            "client_id": CLIENT_ID,
            "redirect_uri": self.env["qbo.company"]._qbo_redirect_uri(),
            "realm_id": realm_id,
            "state": state,
        }
        if user:
            payload["user"] = user
        return self.sandbox_call("POST", "/_sandbox/authorize", payload)["code"]

    def inject(self, kind, **options):
        self.sandbox_call("POST", "/_sandbox/faults", dict(options, kind=kind))

    def run_cron(self, xmlid):
        """Run a scheduled action as the scheduler does, in its own cursor, seeing the test's data."""
        cron = self.env.ref(xmlid)
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def run_lanes(self):
        """Run each QuickBooks company's own scheduled action that was woken, as the scheduler
        would, in its own cursor; its wake-ups are then used up."""
        Trigger = self.env["ir.cron.trigger"].sudo()
        for cron in self.env["qbo.company"].sudo().with_context(active_test=False).search([]).lane_cron_id:
            woken = Trigger.search([("cron_id", "=", cron.id)])
            if woken:
                woken.unlink()
                with self.enter_registry_test_mode():
                    cron.method_direct_trigger()
        self.env.invalidate_all()

    def open_wizard(self, user=None, qbo_company=None):
        wizard_model = self.env["qbo.connect.wizard"]
        if user:
            wizard_model = wizard_model.with_user(user)
        action = wizard_model.action_open(qbo_company=qbo_company)
        return wizard_model.browse(action["res_id"])

    def connect(self, realm_id=REALM_BLUE_RIDGE, name="Blue Ridge", user=None):
        """The article's paste flow: code, Realm ID, a name, Authenticate."""
        wizard = self.open_wizard(user=user)
        wizard.write(
            {
                "environment": "local",
                "local_base_url": self.sandbox.url,
                "qb_version": "plus",
                "auth_code": self.authorize(realm_id),
                "realm_id": realm_id,
                "name": name,
            }
        )
        action = wizard.action_authenticate()
        return self.env["qbo.company"].browse(action["res_id"])


class QboCase(QboSandboxMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls._configure_app(cls.env)
        cls.manager = new_test_user(
            cls.env,
            login="qbo_manager",
            groups="base.group_user,chronicle_qbo_addon.group_qbo_manager",
            name="QuickBooks Manager",
        )
        cls.qbo_user = new_test_user(
            cls.env,
            login="qbo_user",
            groups="base.group_user,chronicle_qbo_addon.group_qbo_user",
            name="QuickBooks User",
        )
