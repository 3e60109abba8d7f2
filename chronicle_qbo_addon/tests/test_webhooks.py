import json
import uuid

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..const import PARAM_WEBHOOK_VERIFIER, WEBHOOK_PATH
from ..services.webhooks import signature
from .common import REALM_BLUE_RIDGE, REALM_SUMMIT, QboSandboxMixin

VERIFIER = "verifier-token-of-the-app"
CONTROLLER_LOGGER = "odoo.addons.chronicle_qbo_addon.controllers.main"


def event(entity="bill", operation="created", realm=REALM_BLUE_RIDGE, entity_id="145", event_id=None):
    return {"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
            "type": "qbo.%s.%s.v1" % (entity, operation), "datacontenttype": "application/json",
            "time": "2026-12-01T22:15:30.000Z", "intuitentityid": entity_id, "intuitaccountid": realm, "data": {}}


@tagged("post_install", "-at_install")
class TestWebhooks(QboSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls._configure_app(cls.env)

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(PARAM_WEBHOOK_VERIFIER, VERIFIER)
        self.blue_ridge = self.connect(REALM_BLUE_RIDGE, name="Blue Ridge")
        self.summit = self.connect(REALM_SUMMIT, name="Summit")
        self.summit.jobs_only = True
        self.lanes = (self.blue_ridge | self.summit).sudo().lane_cron_id
        self.env["ir.cron.trigger"].sudo().search([("cron_id", "in", self.lanes.ids)]).unlink()
        (self.blue_ridge | self.summit).sudo().bridge_requested = False

    def deliver(self, events, signed=True, body=None, key=VERIFIER):
        body = body if body is not None else json.dumps(events).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["intuit-signature"] = signature(key, body)
        return self.url_open(WEBHOOK_PATH, data=body, headers=headers)

    def woken(self, company):
        return self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", company.sudo().lane_cron_id.id)])

    def assert_nothing_changed(self):
        self.assertFalse(self.env["qbo.webhook.event"].sudo().search([]))
        self.assertFalse(self.woken(self.blue_ridge) or self.blue_ridge.bridge_requested)

    def test_forged_missing_and_malformed_deliveries_change_nothing(self):
        with mute_logger(CONTROLLER_LOGGER):
            self.assertEqual(self.deliver([event()], key="not-the-verifier").status_code, 401)
            self.assertEqual(self.deliver([event()], signed=False).status_code, 401)
            tampered = json.dumps([event()]).encode()
            response = self.url_open(WEBHOOK_PATH, data=tampered.replace(b"bill", b"invoice"),
                                     headers={"intuit-signature": signature(VERIFIER, tampered)})
            self.assertEqual(response.status_code, 401, "the signature covers the raw body")
            for body in (b"not json", b"{}", b"[]", json.dumps([{"id": "1"}]).encode(),
                         json.dumps([event(realm="not-a-realm")]).encode(),
                         json.dumps([event(operation="exploded")]).encode()):
                self.assertEqual(self.deliver(None, body=body).status_code, 400, body)
        self.assert_nothing_changed()

    def test_without_a_verifier_token_every_delivery_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_WEBHOOK_VERIFIER, "")
        with mute_logger(CONTROLLER_LOGGER):
            self.assertEqual(self.deliver([event()], key="").status_code, 401)
        self.assert_nothing_changed()

    def test_a_valid_delivery_triggers_exactly_one_pull_and_its_replay_nothing(self):
        burst = [event(entity_id=str(100 + i)) for i in range(100)] + [event("customer", "updated")]
        response = self.deliver(burst)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.env["qbo.webhook.event"].sudo().search_count([]), 101)
        self.assertEqual(self.woken(self.blue_ridge), 1, "a burst wakes the company's run once")
        self.assertTrue(self.blue_ridge.bridge_requested)
        self.assertEqual(self.deliver(burst).status_code, 200, "a replay is answered, as Intuit retries")
        self.assertEqual(self.env["qbo.webhook.event"].sudo().search_count([]), 101, "and kept once")
        self.assertEqual(self.woken(self.blue_ridge), 1)
        self.run_lanes()
        runs = self.env["qbo.bridge.run"].search([("qbo_company_id", "=", self.blue_ridge.id)])
        self.assertEqual(len(runs), 1, "one pull")
        self.assertEqual(runs.state, "done", runs.error)

    def test_events_that_do_not_concern_the_pull_wake_nothing(self):
        # Customers, employees and vendors change with every push: the nightly run reads them.
        self.assertEqual(self.deliver([event("customer", "created"), event("employee", "updated"),
                                       event("vendor", "created"), event(realm=REALM_SUMMIT),
                                       event(realm="9341453050298559")]).status_code, 200)
        self.assertEqual(self.env["qbo.webhook.event"].sudo().search_count([]), 5)
        self.assertFalse(self.woken(self.blue_ridge) or self.woken(self.summit))

    def test_crew_time_changed_in_quickbooks_wakes_the_pull(self):
        self.assertEqual(self.deliver([event("timeactivity", "deleted")]).status_code, 200)
        self.assertEqual(self.woken(self.blue_ridge), 1)
        self.assertTrue(self.blue_ridge.bridge_requested)
