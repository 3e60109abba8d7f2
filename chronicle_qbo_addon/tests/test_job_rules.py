from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..const import PARAM_LOG_RETENTION_DAYS


@tagged("post_install", "-at_install")
class TestJobRules(TransactionCase):
    def test_jobs_get_a_number_that_is_unique_per_company(self):
        first = self.env["project.project"].create({"name": "Roof leak"})
        second = self.env["project.project"].create({"name": "Mold in attic"})
        self.assertTrue(first.job_number)
        self.assertNotEqual(first.job_number, second.job_number)
        second.job_number = "26-9001"
        self.assertEqual(second.job_number, "26-9001", "the number can be changed by hand")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            first.job_number = "26-9001"
            self.env.flush_all()

    def test_name_templates_are_checked(self):
        Company = self.env["qbo.company"]
        with self.assertRaisesRegex(ValidationError, "Unknown placeholder"):
            Company.create({"name": "Bad", "customer_name_template": "{customer} - {phone}"})
        with self.assertRaisesRegex(ValidationError, "job number always leads"):
            Company.create({"name": "Bad", "job_name_template": "{job_name} - {job_number}"})
        company = Company.create({"name": "Templates"})
        company.write({"customer_name_template": "{customer}", "job_name_template": "{job_number} {customer}"})
        self.assertEqual(company.job_name_template, "{job_number} {customer}")

    def test_the_accounting_log_is_kept_for_the_configured_days(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_LOG_RETENTION_DAYS, "30")
        Log = self.env["qbo.log"]
        old = Log._record("push", "Old line")
        old.date = fields.Datetime.now() - timedelta(days=31)
        recent = Log._record("push", "Recent line")
        recent.date = fields.Datetime.now() - timedelta(days=29)
        Log._gc_old_lines()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
