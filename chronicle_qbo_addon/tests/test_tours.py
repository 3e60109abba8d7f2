"""The set-up article and the job buttons, clicked in a real browser (Chromium, headless).

Intuit's own pages (sign-in, the text-message check, the company choice) belong to the sandbox:
they are walked over HTTP by ``qbo_sandbox.consent``, as a person's browser would, between the
tours that click through Odoo's screens.
"""
import json
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..const import PARAM_ENABLED
from .common import REALM_BLUE_RIDGE, REALM_SUMMIT, QboSandboxMixin, sign_in


class TourCase(QboSandboxMixin, HttpCase):
    def run_tour(self, url_path, tour_name, **given):
        """Start a tour as the administrator, with what the person has at hand in localStorage."""
        options = {"stepDelay": 0, "keepWatchBrowser": False, "debug": False, "startUrl": url_path,
                   "delayToCheckUndeterminisms": 0}
        setup = "".join(
            f"localStorage.setItem({json.dumps('chronicle_qbo_tour.' + key)}, {json.dumps(value)});"
            for key, value in dict(given, sandbox_url=self.sandbox.url).items()
        )
        self.start_tour(
            url_path, tour_name, login="admin", code=f"{setup} odoo.startTour({tour_name!r}, {json.dumps(options)})"
        )


@tagged("post_install", "-at_install")
class TestTours(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls._configure_app(cls.env)
        cls.admin = cls.env.ref("base.user_admin")
        Department = cls.env["hr.department"]
        cls.water = Department.create({"name": "Water Damage", "is_production": True})
        cls.office = Department.create({"name": "Office"})

    def test_setup_path_of_the_article(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_ENABLED, False)
        self.run_tour("/odoo/settings", "chronicle_qbo_setup_get_code")
        self.assertTrue(self.env["qbo.company"]._qbo_is_enabled())

        wizard = self.env["qbo.connect.wizard"].with_user(self.admin).search(
            [("oauth_nonce", "!=", False)], order="id desc", limit=1
        )
        state = f"{wizard.id}.{wizard.oauth_nonce}.{wizard._oauth_signature(wizard.oauth_nonce)}"
        authorize_url = wizard._qbo_app().authorization_url(state)
        intuit = sign_in(authorize_url, "bookkeeper@summit.example", REALM_SUMMIT)

        self.run_tour("/odoo/qbo-companies", "chronicle_qbo_setup_paste", code=intuit["code"],
                      realm_id=intuit["realm_id"])
        company = self.env["qbo.company"].search([("realm_id", "=", REALM_SUMMIT)])
        self.assertEqual(company.state, "connected")
        self.assertEqual(company.name, "Summit in Chronicle")
        self.assertTrue(company.jobs_only)
        self.assertEqual(company.department_mapping_ids.department_id, self.water)

    def test_redirect_back_from_intuit_connects_by_itself(self):
        wizard = self.env["qbo.connect.wizard"].with_user(self.admin).create(
            {"environment": "local", "local_base_url": self.sandbox.url, "name": "Blue Ridge"}
        )
        authorize_url = wizard.action_get_authorization_code()["url"]
        intuit = sign_in(authorize_url, "owner@blueridge.example", REALM_BLUE_RIDGE)
        back = urlsplit(intuit["redirect_url"])
        self.run_tour(f"{back.path}?{back.query}", "chronicle_qbo_connected_by_redirect")
        self.assertEqual(self.env["qbo.company"].search([("realm_id", "=", REALM_BLUE_RIDGE)]).name, "Blue Ridge")


@tagged("post_install", "-at_install")
class TestJobTours(TourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls._configure_app(cls.env)
        cls.water = cls.env["hr.department"].create({"name": "Water Damage", "is_production": True})

    def setUp(self):
        super().setUp()
        self.blue_ridge = self.connect(REALM_BLUE_RIDGE, name="Blue Ridge")
        self.env["qbo.department.mapping"].create({"qbo_company_id": self.blue_ridge.id, "department_id": self.water.id})

    def test_job_gets_a_department_and_is_exported(self):
        customer = self.env["res.partner"].create({"name": "Dana Whitfield", "ref": "C-2001"})
        job = self.env["project.project"].create({"name": "Basement water loss", "partner_id": customer.id})
        self.start_tour(f"/odoo/project.project/{job.id}", "chronicle_qbo_job_push", login="admin")
        state = self.sandbox.control.state(REALM_BLUE_RIDGE)["realms"][REALM_BLUE_RIDGE]["customers"]
        names = {row["FullyQualifiedName"] for row in state}
        self.assertIn(f"Dana Whitfield - C-2001:{job.job_number} - Basement water loss", names)

    def test_link_job_by_search(self):
        margaret = self.env["res.partner"].create({"name": "Margaret Hollis", "ref": "1001"})
        job = self.env["project.project"].create(
            {"name": "Kitchen supply line", "partner_id": margaret.id, "department_ids": [(4, self.water.id)]}
        )
        self.start_tour(f"/odoo/project.project/{job.id}", "chronicle_qbo_link_job", login="admin")
        sync = job.qbo_job_sync_ids
        self.assertEqual(sync.state, "linked")
        self.assertEqual(sync.qbo_job_name, "24-0117 - Water mitigation, kitchen supply line")

    def test_link_job_asks_before_another_customers_job(self):
        margaret = self.env["res.partner"].create({"name": "Margaret Hollis", "ref": "1001"})
        job = self.env["project.project"].create(
            {"name": "Kitchen supply line", "partner_id": margaret.id, "department_ids": [(4, self.water.id)]}
        )
        before = {
            row["Id"]: row for row in self.sandbox.control.state(REALM_BLUE_RIDGE)["realms"][REALM_BLUE_RIDGE]["customers"]
        }
        self.start_tour(f"/odoo/project.project/{job.id}", "chronicle_qbo_link_job_asks_first", login="admin")
        sync = job.qbo_job_sync_ids
        self.assertEqual((sync.state, sync.qbo_customer_name), ("synced", "Margaret Hollis - 1001"))
        after = {
            row["Id"]: row for row in self.sandbox.control.state(REALM_BLUE_RIDGE)["realms"][REALM_BLUE_RIDGE]["customers"]
        }
        daniel = [row_id for row_id, row in before.items() if row["FullyQualifiedName"].startswith("Daniel Reyes")]
        self.assertEqual(len(daniel), 2, "the customer and its job")
        for row_id in daniel:
            self.assertEqual(after[row_id], before[row_id], "Daniel Reyes's customer and jobs untouched")

    def test_job_cost_figures_and_the_job_costing_report(self):
        from qbo_sandbox import ledger

        company = self.blue_ridge
        mapping = company.department_mapping_ids
        company.pull_start_date = fields.Date.subtract(fields.Date.today(), days=365)
        margaret = self.env["res.partner"].create({"name": "Margaret Hollis", "ref": "1001"})
        job = self.env["project.project"].create(
            {"name": "Kitchen supply line", "partner_id": margaret.id, "department_ids": [(4, self.water.id)]})
        qbo_job = next(row for row in company._qbo_client().query(
            "SELECT * FROM Customer WHERE DisplayName = '24-0117 - Water mitigation, kitchen supply line'"))
        self.env["qbo.job.sync"]._qbo_link(job, company, qbo_job["ParentRef"]["value"], "Margaret Hollis - 1001",
                                           qbo_job["Id"], qbo_job["DisplayName"])
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *args, **kwargs: float("inf")):
            self.env["qbo.bridge.run"]._qbo_pull(company)
            mapping.qbo_class_ids = self.env["qbo.class"].search([("name", "=", "Mitigation")])
        seeded = ledger.totals(ledger.BLUE_RIDGE)[qbo_job["DisplayName"]]
        invoiced = seeded.invoiced - seeded.credited
        figures = {"invoiced": invoiced, "collected": seeded.paid, "open_balance": invoiced - seeded.paid,
                   "cost": seeded.cost, "gross_profit": invoiced - seeded.cost}
        self.assertEqual(job.qbo_invoiced, invoiced)
        self.run_tour(f"/odoo/project.project/{job.id}", "chronicle_qbo_job_cost",
                      **{key: f"{value:,.2f}" for key, value in figures.items()})

    def test_import_jobs_and_the_employee_mapping(self):
        company = self.blue_ridge
        company.pull_start_date = fields.Date.subtract(fields.Date.today(), days=365)
        company.department_mapping_ids.labor_start_date = company.pull_start_date  # its crews' time is read
        Employee = self.env["hr.employee"]
        carlos = Employee.create({"name": "Carlos Mendoza", "hourly_cost": 28.0})
        jenna = Employee.create({"name": "Jenna Park", "hourly_cost": 24.0})
        crew = Employee.create({"name": "Labor Finders crew", "hourly_cost": 20.0})
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *args, **kwargs: float("inf")):
            self.env["qbo.bridge.run"]._qbo_pull(company)
        self.run_tour(f"/odoo/qbo.company/{company.id}", "chronicle_qbo_import_jobs_and_crews")

        job = self.env["project.project"].search([("job_number", "=", "24-0131")])
        self.assertEqual((job.name, job.department_ids, job.partner_id.is_company),
                         ("Drywall and cabinet rebuild", self.water, False))
        sync = job.qbo_job_sync_ids
        self.assertEqual((sync.state, sync.qbo_job_name), ("linked", "24-0131 - Drywall and cabinet rebuild"))
        workers = {worker.name: worker.employee_id for worker in self.env["qbo.worker"].search(
            [("qbo_company_id", "=", company.id), ("employee_id", "!=", False)])}
        self.assertEqual(workers, {"Carlos Mendoza": carlos, "Ms. Jenna Park": jenna,
                                   "Labor Finders Asheville": crew})
