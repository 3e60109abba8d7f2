"""Crew time from QuickBooks on the jobs: time activities of mapped employees (and of a temp agency
that logs its crew's time) land as timesheets with their hours and cost, the company's burden
apart; unmapped workers' time is skipped and counted, then lands once mapped; a department's labor
import dates are kept; a person's timesheet where the time comes from QuickBooks is refused; edits
and deletions in QuickBooks follow, and a night with nothing new costs three reads."""
from datetime import date, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .pull_common import PullCase


@tagged("post_install", "-at_install")
class TestLabor(PullCase):
    def setUp(self):
        super().setUp()
        self.water_mapping = self.blue_ridge.department_mapping_ids.filtered(lambda m: m.department_id == self.water)
        self.water_mapping.labor_start_date = date.today() - timedelta(days=60)
        self.blue_ridge.labor_burden_percent = 20.0
        Employee = self.env["hr.employee"]
        self.carlos = Employee.create({"name": "Carlos Mendoza", "hourly_cost": 30.0})
        self.jenna = Employee.create({"name": "Jenna Park", "hourly_cost": 25.0})
        self.crew = Employee.create({"name": "Labor Finders crew", "hourly_cost": 18.0})
        self.run_bridge()  # the employees and vendors are mirrored

    # === QUICKBOOKS === #

    def log_time(self, worker, job_id, hours, minutes=0, days=5, cost_rate=None, vendor=False, description=None):
        kind = "Vendor" if vendor else "Employee"
        payload = {"NameOf": kind, f"{kind}Ref": self.ref(kind, worker), "CustomerRef": self.job_ref(job_id),
                   "Hours": hours, "Minutes": minutes, "TxnDate": self.days_ago(days),
                   "Description": description or f"{worker}, {hours} h"}
        if cost_rate is not None:
            payload["CostRate"] = cost_rate
        return self.qbo.create("TimeActivity", payload)

    # === ODOO === #

    def worker(self, name, kind="Employee"):
        worker = self.env["qbo.worker"].search(
            [("qbo_company_id", "=", self.blue_ridge.id), ("kind", "=", kind), ("name", "=", name)])
        self.assertEqual(len(worker), 1, f"{kind} {name} is in the employee mapping")
        return worker

    def timesheets(self, job):
        return self.env["account.analytic.line"].search([("project_id", "=", job.id)], order="date, id")

    def by_category(self, job):
        self.env.invalidate_all()
        return {row.cost_category_id.name: row.cost for row in job.qbo_cost_category_ids}

    def time_stats(self, run):
        return run.entity_ids.filtered(lambda row: row.entity == "TimeActivity")

    # === TESTS === #

    def test_time_of_mapped_employees_lands_as_timesheets_with_its_cost_and_the_burden_apart(self):
        self.assertEqual(self.worker("Carlos Mendoza").proposed_employee_id, self.carlos, "matched by name")
        self.assertEqual(self.worker("Ms. Jenna Park").proposed_employee_id, self.jenna,
                         "matched by given and family name, whatever the title in QuickBooks")
        (self.worker("Carlos Mendoza") | self.worker("Ms. Jenna Park")).action_qbo_accept_proposals()
        self.log_time("Carlos Mendoza", self.job_a_id, 6, cost_rate=28, days=6)
        self.log_time("Ms. Jenna Park", self.job_a_id, 7, 15, days=5)
        self.run_bridge()

        timesheets = self.timesheets(self.job_a)
        self.assertEqual(timesheets.employee_id, self.carlos | self.jenna)
        self.assertEqual(timesheets.mapped("unit_amount"), [6.0, 7.25])
        # QuickBooks' cost rate where it gives one, else the employee's hourly cost in Odoo.
        self.assertEqual(timesheets.mapped("amount"), [-168.0, -181.25])
        self.assertEqual(self.by_category(self.job_a), {"Labor": 349.25, "Labor burden": 69.85})
        self.assertEqual(self.job_a.qbo_cost, 419.10)
        self.assertFalse(self.timesheets(self.job_b), "no time was logged on the other job")

    def test_unmapped_time_is_skipped_and_counted_and_lands_once_mapped(self):
        tyler = self.worker("Tyler Brooks")
        on_other_jobs = tyler.time_skipped  # the seeded time on jobs no Odoo job is linked to
        self.log_time("Tyler Brooks", self.job_a_id, 4, 30, cost_rate=26)
        run = self.run_bridge()
        self.assertFalse(self.timesheets(self.job_a))
        self.assertEqual(self.time_stats(run).skipped_unmapped, 1)
        self.assertEqual(tyler.time_skipped, on_other_jobs + 1)
        self.assertFalse(tyler.proposed_employee_id, "no Odoo employee of that name")

        tyler.employee_id = self.env["hr.employee"].create({"name": "Tyler B.", "hourly_cost": 22.0})
        self.assertEqual(self.timesheets(self.job_a).mapped("amount"), [-117.0], "4.5 h at QuickBooks' 26")
        self.assertEqual(tyler.time_skipped, on_other_jobs)
        reads = self.run_bridge().read_requests
        self.assertEqual(len(self.timesheets(self.job_a)), 1, "pulled again, nothing doubles")
        self.assertEqual(reads, 3, "changes, crew time changed, crew time counted")

    def test_a_temp_agency_logging_its_crew_time_lands_on_the_employee_it_is_mapped_to(self):
        self.worker("Labor Finders Asheville", kind="Vendor").employee_id = self.crew
        self.log_time("Labor Finders Asheville", self.job_a_id, 16, cost_rate=20, vendor=True)
        self.run_bridge()
        timesheet = self.timesheets(self.job_a)
        self.assertEqual((timesheet.employee_id, timesheet.unit_amount, timesheet.amount), (self.crew, 16.0, -320.0))

    def test_labor_import_dates_are_kept(self):
        self.worker("Carlos Mendoza").employee_id = self.carlos
        self.water_mapping.write({"labor_indefinitely": False, "labor_stop_date": date.today() - timedelta(days=10)})
        self.log_time("Carlos Mendoza", self.job_a_id, 1, days=90, description="before the start")
        self.log_time("Carlos Mendoza", self.job_a_id, 2, days=20, description="within")
        self.log_time("Carlos Mendoza", self.job_a_id, 3, days=5, description="after the stop")
        run = self.run_bridge()
        self.assertEqual(self.timesheets(self.job_a).mapped("name"), ["within"])
        self.assertEqual(self.time_stats(run).skipped_not_imported, 1, "after the stop")

        # Importing from earlier reads the older time: it was never read.
        self.water_mapping.write({"labor_start_date": date.today() - timedelta(days=100), "labor_indefinitely": True})
        run = self.run_bridge()
        self.assertEqual(self.timesheets(self.job_a).mapped("name"), ["before the start", "within", "after the stop"])
        # Stopping takes back what is past the stop, at once.
        self.water_mapping.write({"labor_indefinitely": False, "labor_stop_date": date.today() - timedelta(days=30)})
        self.assertEqual(self.timesheets(self.job_a).mapped("name"), ["before the start"])

        with self.assertRaisesRegex(ValidationError, "cannot stop .* before it starts"):
            self.water_mapping.write({"labor_stop_date": date.today() - timedelta(days=200)})

    def test_a_timesheet_entered_in_odoo_where_time_comes_from_quickbooks_is_refused(self):
        Timesheet = self.env["account.analytic.line"]
        values = {"project_id": self.job_a.id, "employee_id": self.jenna.id, "unit_amount": 2, "name": "Drying"}
        with self.assertRaisesRegex(UserError, "entered in QuickBooks"):
            Timesheet.create(dict(values, date=date.today()))
        with self.assertRaisesRegex(UserError, "entered in QuickBooks"):
            Timesheet.with_context(qbo_labor_import=True).with_user(self.env.ref("base.user_admin")).create(
                dict(values, date=date.today()))
        before = Timesheet.create(dict(values, date=date.today() - timedelta(days=90)))
        self.assertTrue(before, "before the labor start, time is entered in Odoo")
        with self.assertRaisesRegex(UserError, "entered in QuickBooks"):
            before.date = date.today()
        self.assertTrue(Timesheet.create(dict(values, project_id=self.job_b.id, date=date.today())),
                        "Construction imports no labor")

        self.worker("Carlos Mendoza").employee_id = self.carlos
        self.log_time("Carlos Mendoza", self.job_a_id, 6, cost_rate=28)
        self.run_bridge()
        landed = self.timesheets(self.job_a).filtered("qbo_time_activity_id")
        with self.assertRaisesRegex(UserError, "comes from QuickBooks"):
            landed.unit_amount = 8
        landed.partner_id = self.customer  # what other modules record on time goes through
        self.assertEqual(landed.partner_id, self.customer)
        with self.assertRaisesRegex(UserError, "comes from QuickBooks"):
            landed.unlink()

    def test_edits_and_deletions_in_quickbooks_follow_without_doubling(self):
        self.worker("Carlos Mendoza").employee_id = self.carlos
        kept = self.log_time("Carlos Mendoza", self.job_a_id, 6, cost_rate=28, description="kept")
        doomed = self.log_time("Carlos Mendoza", self.job_a_id, 2, cost_rate=28, description="deleted")
        self.run_bridge()
        first = self.timesheets(self.job_a).filtered(lambda line: line.name == "kept")
        self.assertEqual(len(self.timesheets(self.job_a)), 2)

        self.qbo.update("TimeActivity", dict(kept, Hours=8, CostRate=30))
        self.operate("TimeActivity", "delete", doomed)
        run = self.run_bridge()
        self.assertEqual(self.timesheets(self.job_a), first, "the same timesheet, updated; the deleted one gone")
        self.assertEqual((first.unit_amount, first.amount), (8.0, -240.0))
        self.assertEqual(self.by_category(self.job_a), {"Labor": 240.0, "Labor burden": 48.0})
        self.assertEqual(self.time_stats(run).lines_removed, 1)

        self.blue_ridge.labor_burden_percent = 25.0
        self.assertEqual(self.by_category(self.job_a), {"Labor": 240.0, "Labor burden": 60.0})

    def test_a_company_importing_no_labor_reads_no_time(self):
        self.water_mapping.labor_start_date = False
        self.run_bridge()
        self.assertEqual(self.run_bridge().read_requests, 1, "one Change Data Capture, no time read")
        self.assertFalse(self.env["account.analytic.line"].search([("qbo_time_activity_id", "!=", False)]))

    def test_a_timesheet_odoo_refuses_holds_back_no_other_time(self):
        self.worker("Carlos Mendoza").employee_id = self.carlos
        self.worker("Ms. Jenna Park").employee_id = self.jenna
        self.carlos.active = False  # left the company; his mapping stayed
        self.log_time("Carlos Mendoza", self.job_a_id, 6, cost_rate=28)
        self.log_time("Ms. Jenna Park", self.job_a_id, 3)
        run = self.run_bridge()
        self.assertEqual(run.state, "done")
        self.assertEqual(self.timesheets(self.job_a).employee_id, self.jenna)
        refused = self.env["qbo.time.activity"].search([("state", "=", "refused")])
        self.assertEqual(refused.worker_name, "Carlos Mendoza")
        self.assertIn("active employee", refused.refusal)
        self.assertEqual(self.time_stats(run).skipped_refused, 1)

        self.carlos.active = True
        self.run_bridge()
        self.assertEqual(self.timesheets(self.job_a).employee_id, self.carlos | self.jenna, "tried again each run")
