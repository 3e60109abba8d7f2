from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import REALM_SUMMIT, QboCase


@tagged("post_install", "-at_install")
class TestDepartments(QboCase):
    def setUp(self):
        super().setUp()
        Department = self.env["hr.department"]
        self.water = Department.create({"name": "Water Damage", "is_production": True})
        self.fire = Department.create({"name": "Fire Damage", "is_production": True})
        self.office = Department.create({"name": "Office", "is_production": False})
        self.blue_ridge = self.connect()
        self.summit = self.connect(REALM_SUMMIT, name="Summit")

    def _associate(self, qbo_company, departments, user=None):
        wizard_model = self.env["qbo.department.wizard"].with_user(user or self.manager)
        action = wizard_model.action_open(qbo_company=qbo_company)
        wizard = wizard_model.with_context(**action["context"]).create({"department_ids": departments.ids})
        return wizard.action_associate()

    def test_associate_department_from_the_company_form(self):
        self._associate(self.blue_ridge, self.water | self.fire)
        self.assertEqual(self.blue_ridge.department_mapping_ids.department_id, self.water | self.fire)
        self.assertEqual(self.water.qbo_company_id, self.blue_ridge)
        self.assertEqual(self.blue_ridge.department_count, 2)

    def test_with_several_companies_the_company_is_chosen_first(self):
        action = self.env["qbo.department.wizard"].with_user(self.manager).action_open()
        self.assertNotIn("default_qbo_company_id", action["context"])
        wizard = self.env["qbo.department.wizard"].with_user(self.manager).with_context(**action["context"]).new({})
        self.assertFalse(wizard.qbo_company_id)
        self.summit.action_archive()
        action = self.env["qbo.department.wizard"].with_user(self.manager).action_open()
        self.assertEqual(action["context"]["default_qbo_company_id"], self.blue_ridge.id,
                         "with one company, it is chosen already")

    def test_a_department_belongs_to_one_company_only(self):
        self._associate(self.blue_ridge, self.water)
        with self.assertRaisesRegex(UserError, "Water Damage is associated with Blue Ridge"):
            self._associate(self.summit, self.water)
        self.assertFalse(self.summit.department_mapping_ids)
        # "Add a line" on the company form names the other company too.
        with self.assertRaisesRegex(ValidationError, "Water Damage is associated with Blue Ridge"):
            self.summit.with_user(self.manager).write(
                {"department_mapping_ids": [(0, 0, {"department_id": self.water.id})]}
            )
        # The database keeps the rule even past the ORM.
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env.cr.execute(
                "INSERT INTO qbo_department_mapping (qbo_company_id, department_id) VALUES (%s, %s)",
                [self.summit.id, self.water.id],
            )

    def test_associate_tells_when_no_department_is_free(self):
        wizard = self.env["qbo.department.wizard"].with_user(self.manager).create({"qbo_company_id": self.summit.id})
        free = wizard.free_department_count
        self.assertGreater(free, 0)
        self.env["hr.department"].search([("is_production", "=", True)]).write({"is_production": False})
        wizard.invalidate_recordset()
        self.assertEqual(wizard.free_department_count, 0)

    def test_only_production_departments(self):
        with self.assertRaisesRegex(ValidationError, "not a production department"):
            self._associate(self.blue_ridge, self.office)

    def test_departments_of_another_odoo_company_are_refused(self):
        other = self.env["res.company"].create({"name": "Other Restoration Co"})
        foreign = self.env["hr.department"].create(
            {"name": "Packout", "is_production": True, "company_id": other.id}
        )
        with self.assertRaisesRegex(ValidationError, "belongs to Other Restoration Co"):
            self.env["qbo.department.mapping"].create(
                {"qbo_company_id": self.blue_ridge.id, "department_id": foreign.id}
            )

    def test_nothing_chosen_is_refused(self):
        with self.assertRaisesRegex(UserError, "at least one"):
            self._associate(self.blue_ridge, self.env["hr.department"])

    def test_archived_department_mapping_is_inactive(self):
        self._associate(self.blue_ridge, self.water)
        self.water.action_archive()
        mapping = self.env["qbo.department.mapping"].with_context(active_test=False).search(
            [("department_id", "=", self.water.id)]
        )
        self.assertFalse(mapping.active)
