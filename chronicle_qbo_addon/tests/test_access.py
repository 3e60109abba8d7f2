import logging

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import QboCase


@tagged("post_install", "-at_install")
class TestAccess(QboCase):
    def setUp(self):
        super().setUp()
        self.company = self.connect()

    def test_quickbooks_user_reads_the_company_but_not_its_tokens(self):
        company = self.company.with_user(self.qbo_user)
        self.assertEqual(company.name, "Blue Ridge")
        self.assertEqual(company.state, "connected")
        with self.assertRaises(AccessError):
            company.read(["refresh_token"])
        with self.assertRaises(AccessError):
            company.mapped("access_token")

    def test_quickbooks_user_cannot_change_or_add_companies(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.qbo_user).write({"jobs_only": True})
        with self.assertRaises(AccessError):
            self.env["qbo.connect.wizard"].with_user(self.qbo_user).create({})
        with self.assertRaises(AccessError):
            self.company.with_user(self.qbo_user).action_qbo_disconnect()
        self.assertEqual(self.company.state, "connected")

    def test_manager_sets_up_companies_without_seeing_tokens(self):
        company = self.company.with_user(self.manager)
        company.write({"jobs_only": True})
        self.assertTrue(self.company.jobs_only)
        with self.assertRaises(AccessError):
            company.read(["access_token"])

    def test_employees_without_the_group_see_nothing(self):
        employee = new_test_user(self.env, login="plain_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["qbo.company"].with_user(employee).search([])

    def test_companies_of_other_odoo_companies_are_hidden(self):
        other = self.env["res.company"].create({"name": "Sister Company"})
        self.company.company_id = other
        self.assertFalse(self.env["qbo.company"].with_user(self.qbo_user).search([]))

    def test_no_token_reaches_a_log_line(self):
        records = []

        class Collect(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())

        handler = Collect(level=logging.DEBUG)
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            company = self.connect(realm_id="9341453050298553", name="Coastal")
            self.inject("expire_access_token", times=1)
            company.with_user(self.manager).action_qbo_test_connection()
            company._qbo_refresh()
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        secrets = [company.sudo().access_token, company.sudo().refresh_token, "sandbox-client-secret"]
        self.assertTrue(records, "the flow was logged at all")
        for line in records:
            for secret in secrets:
                self.assertNotIn(secret, line)
