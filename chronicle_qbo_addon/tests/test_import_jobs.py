"""Import Jobs: the QuickBooks jobs no Odoo job is linked to, listed from the customer mirror and
taken into Odoo as jobs linked at once, with no read and no write in QuickBooks."""
import ast

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..models.qbo_people import split_job_name
from ..services.job_cost import exclusion_pattern, exclusion_words
from ..wizard.qbo_import_wizard import contact_name
from .common import REALM_BLUE_RIDGE
from .pull_common import PullCase

KITCHEN = "24-0117 - Water mitigation, kitchen supply line"
CABINETS = "24-0131 - Drywall and cabinet rebuild"
UNIT_4B = "24-0122 - Fire damage, unit 4B smoke cleaning"
BASEMENT = "24-0140 - Mold remediation, basement storage"
ROOF = "24-0126 - Storm damage, roof tarp and dry-out"
SEEDED_JOBS = {KITCHEN, CABINETS, UNIT_4B, BASEMENT, ROOF}
INSURER = "Carolina Mutual Insurance - 1004"


class ImportJobsCase(PullCase):
    """Blue Ridge with the two jobs pushed from Odoo and the seeded jobs no Odoo job is linked to."""

    def listed(self, qbo_company=None, filters=("not_linked",)):
        """What Import Jobs shows: its action's domain and the given filters of its search view
        (by default those it opens with), for one QuickBooks company."""
        action = self.env.ref("chronicle_qbo_addon.action_qbo_import_jobs")
        domain = ast.literal_eval(action.domain)
        search = etree.fromstring(action.search_view_id.arch)
        for name in filters:
            [node] = search.xpath(f"//filter[@name='{name}']")
            domain += ast.literal_eval(node.get("domain"))
        if qbo_company:
            domain.append(("qbo_company_id", "=", qbo_company.id))
        return self.env["qbo.customer"].search(domain)

    def row(self, name, qbo_company=None):
        """The mirror's row of a QuickBooks customer or job."""
        [row] = self.env["qbo.customer"].with_context(active_test=False).search(
            [("qbo_company_id", "=", (qbo_company or self.blue_ridge).id), ("name", "=", name)])
        return row

    def counters(self, realm_id=REALM_BLUE_RIDGE):
        counts = self.sandbox_call("GET", "/_sandbox/counters")["by_realm"].get(realm_id, {})
        return {key: counts.get(key, 0) for key in ("requests", "reads", "writes")}

    def open_import(self, *rows, user=None):
        """The Import dialog opened on rows selected in Import Jobs."""
        return Form(self.env["qbo.import.wizard"].with_user(user or self.qbo_user).with_context(
            active_model="qbo.customer", active_ids=[row.id for row in rows]))

    def import_jobs(self, *rows, is_company=False, department=None, user=None):
        """Import as person (or as company): the Odoo jobs the rows became."""
        form = self.open_import(*rows, user=user)
        if department or not form.department_id:
            form.department_id = department or self.water
        wizard = form.save()
        action = wizard.action_import_company() if is_company else wizard.action_import_person()
        self.assertEqual(action["params"]["type"], "success")
        return self.jobs_of(*rows)

    def jobs_of(self, *rows):
        return self.env["qbo.job.sync"].search(
            [("qbo_company_id", "in", [row.qbo_company_id.id for row in rows]),
             ("qbo_job_id", "in", [row.qbo_id for row in rows])]).project_id

    def open_link(self, row, user=None):
        """The Link to existing job dialog opened on one row of Import Jobs."""
        return Form(self.env["qbo.import.link.wizard"].with_user(user or self.qbo_user).with_context(
            active_model="qbo.customer", active_ids=row.ids))

    def jobs_offered(self, form):
        """The Odoo jobs the dialog's job field offers."""
        domain = safe_eval(self.env["qbo.import.link.wizard"]._fields["project_id"].domain, {
            "allowed_department_ids": form.allowed_department_ids.ids,
            "qbo_company_id": form.qbo_company_id.id,
        })
        return self.env["project.project"].with_user(self.qbo_user).search(domain)

    def figures(self, job):
        return {"invoiced": job.qbo_invoiced, "collected": job.qbo_collected, "cost": job.qbo_cost}

    def seeded_figures(self, name):
        """A seeded job's figures from the sandbox's own books: the checks the company's memo
        exclusions skip left out."""
        from qbo_sandbox import ledger

        totals = ledger.totals(ledger.BLUE_RIDGE)[name]
        excluded = exclusion_pattern(exclusion_words(self.blue_ridge.memo_exclusions))
        skipped = sum(line.amount for doc in ledger.BLUE_RIDGE
                      if doc.entity == "Purchase" and doc.payment_type == "Check"
                      and excluded.search(doc.note or "")
                      for line in doc.lines if line.customer == name)
        return {"invoiced": totals.invoiced - totals.credited, "collected": totals.paid,
                "cost": totals.cost - skipped}

    def new_qbo_customer(self, display_name, **values):
        return self.qbo.create("Customer", dict(values, DisplayName=display_name))

    def new_qbo_job(self, display_name, customer_id):
        return self.qbo.create("Customer", {"DisplayName": display_name, "Job": True, "BillWithParent": True,
                                            "ParentRef": {"value": customer_id}})


@tagged("post_install", "-at_install")
class TestImportJobs(ImportJobsCase):
    def test_the_list_holds_the_unlinked_jobs_of_the_company_after_a_bridge_run(self):
        self.run_bridge()
        self.assertEqual(set(self.listed(self.blue_ridge).mapped("name")), SEEDED_JOBS)
        self.assertEqual(set(self.listed().mapped("name")), SEEDED_JOBS, "no other company was read")
        pushed = {self.sync_of(job).qbo_job_name for job in (self.job_a, self.job_b)}
        self.assertEqual(set(self.listed(self.blue_ridge, filters=("linked",)).mapped("name")), pushed,
                         "the jobs pushed from Odoo are mirrored, and linked")
        self.assertTrue(self.row(INSURER), "customers are mirrored too, but only jobs are listed")
        action = self.env.ref("chronicle_qbo_addon.action_qbo_import_jobs")
        self.assertEqual(safe_eval(action.context), {"search_default_not_linked": 1})

    def test_run_customer_import_costs_one_read_and_lists_the_new_job(self):
        action = self.blue_ridge.with_user(self.qbo_user).action_qbo_run_customer_import()
        self.assertEqual(action["params"]["next"]["res_model"], "qbo.customer")
        self.assertEqual(set(self.listed(self.blue_ridge).mapped("name")), SEEDED_JOBS, "after a first read")
        margaret = self.row("Margaret Hollis - 1001")
        sewer = self.new_qbo_job("24-0150 - Sewer backup, basement", margaret.qbo_id)
        basement = self.qbo.read("Customer", self.row(BASEMENT).qbo_id)
        self.qbo.update("Customer", {"Id": basement["Id"], "SyncToken": basement["SyncToken"], "sparse": True,
                                     "Active": False})
        before = self.counters()
        self.blue_ridge.with_user(self.qbo_user).action_qbo_run_customer_import()
        self.assertEqual(self.counters()["reads"], before["reads"] + 1, "one change data capture request")
        self.assertEqual(set(self.listed(self.blue_ridge).mapped("name")),
                         SEEDED_JOBS - {BASEMENT} | {sewer["DisplayName"]})
        self.assertEqual(self.listed(self.blue_ridge, filters=("inactive",)).mapped("name"), [BASEMENT])

    def test_import_as_person_and_as_company_links_without_a_read_or_a_write(self):
        self.run_bridge()
        kitchen, unit_4b = self.row(KITCHEN), self.row(UNIT_4B)
        in_quickbooks = self.qbo_customers()
        before = self.counters()
        margaret_job = self.import_jobs(kitchen)
        apg_job = self.import_jobs(unit_4b, is_company=True)
        self.assertEqual(self.counters(), before, "QuickBooks was neither read nor written")
        self.assertEqual(self.qbo_customers(), in_quickbooks)

        self.assertEqual((margaret_job.job_number, margaret_job.name),
                         ("24-0117", "Water mitigation, kitchen supply line"))
        self.assertEqual(margaret_job.department_ids, self.water)
        margaret = margaret_job.partner_id
        self.assertEqual((margaret.name, margaret.ref, margaret.is_company),
                         ("Margaret Hollis", "1001", False))
        self.assertEqual((margaret.email, margaret.phone), ("mhollis@example.com", "(828) 555-0143"))
        self.assertEqual((apg_job.job_number, apg_job.name),
                         ("24-0122", "Fire damage, unit 4B smoke cleaning"))
        apg = apg_job.partner_id
        self.assertEqual((apg.name, apg.ref, apg.is_company), ("Asheville Property Group", "1002", True))
        self.assertEqual(apg.email, "maintenance@apg.example")
        for job, row in ((margaret_job, kitchen), (apg_job, unit_4b)):
            sync = self.sync_of(job)
            self.assertEqual((sync.state, sync.qbo_customer_id, sync.qbo_job_id),
                             ("linked", row.parent_qbo_id, row.qbo_id))
            self.assertEqual((sync.qbo_customer_name, sync.qbo_job_name), (row.parent_name, row.name))
            self.assertEqual(sync.qbo_job_sync_token, row.sync_token)
            self.assertTrue(sync.history_pending, "the next pull reads the job's earlier documents")
            self.assertTrue(self.env["qbo.log"].search(
                [("project_id", "=", job.id), ("operation", "=", "link")]))
        self.assertEqual(set(self.listed(self.blue_ridge).mapped("name")), SEEDED_JOBS - {KITCHEN, UNIT_4B})

        self.push()
        self.assertEqual(self.counters()["writes"], before["writes"], "no push created them again")
        margaret_job.description = "<p>Supply line under the sink</p>"
        apg_job.description = "<p>Smoke cleaning, unit 4B</p>"
        self.push()
        after = {row["Id"]: row for row in self.qbo_customers()}
        self.assertEqual(len(after), len(in_quickbooks), "the next push created nothing either")
        self.assertEqual(after[kitchen.qbo_id]["Notes"], "Supply line under the sink")
        for row in (kitchen, unit_4b):
            self.assertEqual(after[row.qbo_id]["DisplayName"], row.name, "the job keeps its QuickBooks name")
            self.assertEqual(after[row.parent_qbo_id]["DisplayName"], row.parent_name)
        self.assertEqual(self.sync_of(apg_job).state, "synced")

    def test_the_customer_is_the_bound_contact_else_one_of_the_same_name_and_kind(self):
        # Dana Whitfield's jobs are bound to "Dana Whitfield - C-2001": another Dana Whitfield is
        # someone else.
        other_dana = self.new_qbo_customer("Dana Whitfield - 3001", GivenName="Dana", FamilyName="Whitfield")
        self.new_qbo_job("24-0160 - Attic mold", other_dana["Id"])
        daniel = self.env["res.partner"].create({"name": "daniel reyes"})
        apg_person = self.env["res.partner"].create({"name": "Asheville Property Group"})
        self.run_bridge()

        self.assertEqual(self.import_jobs(self.row(ROOF)).partner_id, daniel, "a contact of that name")
        apg = self.import_jobs(self.row(BASEMENT), is_company=True).partner_id
        self.assertNotEqual(apg, apg_person, "a person is no match for a company")
        self.assertTrue(apg.is_company)
        self.assertEqual(self.import_jobs(self.row(UNIT_4B)).partner_id, apg,
                         "the contact the QuickBooks customer is bound to, whatever the kind asked")
        both = self.import_jobs(self.row(KITCHEN), self.row(CABINETS))
        self.assertEqual(len(both), 2)
        self.assertEqual(len(both.partner_id), 1, "one contact for one QuickBooks customer")
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Margaret Hollis")]), 1)
        attic = self.import_jobs(self.row("24-0160 - Attic mold"))
        self.assertNotEqual(attic.partner_id, self.customer, "Dana Whitfield's contact is another customer's")
        self.assertEqual((attic.partner_id.name, attic.partner_id.ref), ("Dana Whitfield", "3001"))

    def test_link_to_an_existing_job(self):
        self.run_bridge()
        reyes = self.env["res.partner"].create({"name": "Daniel Reyes", "ref": "1003"})
        job = self.new_job(partner_id=reyes.id, name="Roof tarp")
        summit_job = self.new_job(departments=self.fire, name="Summit's job")
        roof = self.row(ROOF)
        form = self.open_link(roof)
        offered = self.jobs_offered(form)
        self.assertIn(job, offered)
        self.assertFalse(offered & (self.job_a | self.job_b), "jobs linked in the company are not offered")
        self.assertNotIn(summit_job, offered, "another company's jobs are not offered")
        form.project_id = job
        self.assertFalse(form.warning, "the customer is named for the job's contact")
        before = self.counters()
        action = form.save().action_link()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.counters(), before)
        sync = self.sync_of(job)
        self.assertEqual((sync.state, sync.qbo_customer_id, sync.qbo_job_id),
                         ("linked", roof.parent_qbo_id, roof.qbo_id))
        self.assertTrue(sync.history_pending)
        self.assertNotIn(roof, self.listed(self.blue_ridge))
        self.push()
        self.assertEqual(self.counters()["writes"], before["writes"], "the job was not pushed as a new one")

        other = self.new_job(partner_id=reyes.id, name="Second roof job")
        form = self.open_link(roof)
        form.project_id = other
        with self.assertRaisesRegex(UserError, "already linked to Odoo job Roof tarp"):
            form.save().action_link()
        form = self.open_link(self.row(CABINETS))
        form.project_id = job
        with self.assertRaisesRegex(UserError, "already linked to QuickBooks job"):
            form.save().action_link()

    def test_link_refuses_a_customer_of_another_contact_and_warns_of_one_named_otherwise(self):
        self.run_bridge()
        self.import_jobs(self.row(KITCHEN))
        dana_job = self.new_job(name="Dana's second job")
        form = self.open_link(self.row(CABINETS))
        form.project_id = dana_job
        with self.assertRaisesRegex(UserError, "belongs to contact Margaret Hollis"):
            form.save().action_link()
        form = self.open_link(self.row(ROOF))
        form.project_id = dana_job
        self.assertIn("Daniel Reyes - 1003 is not named for Dana Whitfield", form.warning)
        form.save().action_link()
        self.assertEqual(self.sync_of(dana_job).qbo_job_id, self.row(ROOF).qbo_id)
        with self.assertRaisesRegex(UserError, "one QuickBooks job"):
            self.open_link(self.row(BASEMENT) | self.row(UNIT_4B))

    def test_a_second_import_of_the_same_job_is_refused(self):
        self.run_bridge()
        kitchen = self.row(KITCHEN)
        job = self.import_jobs(kitchen)
        jobs = self.env["project.project"].search_count([])
        refusal = f"{KITCHEN}: it is already linked to Odoo job {job.display_name}"
        with self.assertRaisesRegex(UserError, refusal):
            self.import_jobs(kitchen)
        self.assertEqual(self.env["project.project"].search_count([]), jobs)

    def test_refused_rows_are_all_named_and_nothing_is_created(self):
        gutter = self.new_qbo_job("24-0126 - Gutter repair", self.qbo.query(
            "SELECT * FROM Customer WHERE DisplayName = 'Margaret Hollis - 1001'")[0]["Id"])
        self.run_bridge()
        holder = self.new_job(name="Smoke cleaning", job_number="24-0122", company_id=self.env.company.id)
        shared = self.new_job(name="Basement mold", job_number="24-0140")  # a job of no company
        self.assertFalse(shared.company_id)
        rows = (self.row(UNIT_4B) | self.row(BASEMENT) | self.row(INSURER) | self.row(ROOF)
                | self.row(gutter["DisplayName"]) | self.row(CABINETS))
        models = ("project.project", "res.partner", "qbo.job.sync")
        counts = [self.env[model].search_count([]) for model in models]
        with self.assertRaises(UserError) as refused:
            self.import_jobs(*rows, is_company=True)
        message = str(refused.exception)
        self.assertIn(f"{UNIT_4B}: job number 24-0122 is already Odoo job {holder.display_name}'s", message)
        self.assertIn(f"{BASEMENT}: job number 24-0140 is already Odoo job {shared.display_name}'s", message)
        self.assertIn(f"{INSURER}: it is a customer without jobs in QuickBooks: make it a job in "
                      "QuickBooks", message)
        self.assertIn("Link job", message)
        for name in (ROOF, gutter["DisplayName"]):
            self.assertIn(f"{name}: job number 24-0126 leads the name of another job of this import too",
                          message)
        self.assertNotIn(CABINETS, message, "the row that could go is not refused")
        self.assertEqual([self.env[model].search_count([]) for model in models], counts)
        self.assertFalse(self.row(CABINETS).is_linked, "all or nothing")

    def test_imported_jobs_get_their_costs_from_the_next_pull(self):
        self.run_bridge()
        kitchen_job = self.import_jobs(self.row(KITCHEN))
        unit_4b_job = self.import_jobs(self.row(UNIT_4B), is_company=True)
        run = self.run_bridge()
        self.assertEqual((run.state, run.mode), ("done", "full"), "their documents predate the last run")
        for job, name in ((kitchen_job, KITCHEN), (unit_4b_job, UNIT_4B)):
            self.assertTrue(self.figures(job)["invoiced"], name)
            self.assertEqual(self.figures(job), self.seeded_figures(name), name)
            self.assertFalse(self.sync_of(job).history_pending)
        self.assertEqual(self.run_bridge().mode, "changes")

    def test_the_department_is_one_of_the_company_and_the_only_one_by_default(self):
        self.summit.with_user(self.qbo_user).action_qbo_run_customer_import()
        pipe = self.row("SF-3301 - Frozen pipe burst, 2nd floor", self.summit)
        form = self.open_import(pipe)
        self.assertEqual(form.department_id, self.fire, "Summit's only department")
        self.run_bridge()
        form = self.open_import(self.row(KITCHEN))
        self.assertFalse(form.department_id, "Blue Ridge has two departments: the person picks one")
        form.department_id = self.fire
        wizard = form.save()
        self.assertEqual(wizard.allowed_department_ids, self.water | self.construction)
        with self.assertRaisesRegex(UserError, "Fire Damage is not associated with QuickBooks company "
                                               "Blue Ridge"):
            wizard.action_import_person()
        with self.assertRaisesRegex(UserError, "several QuickBooks companies"):
            self.import_jobs(pipe, self.row(KITCHEN))

        job = self.import_jobs(pipe)
        self.assertEqual((job.job_number, job.name), ("SF-3301", "Frozen pipe burst, 2nd floor"),
                         "letters and digits lead the name: the job number")
        self.assertEqual((job.partner_id.name, job.partner_id.ref), ("Robert Chen", "2001"))
        self.assertEqual(job.department_ids, self.fire)

    def test_only_quickbooks_users_import(self):
        self.run_bridge()
        crew = new_test_user(self.env, login="crew", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.import_jobs(self.row(KITCHEN), user=crew)
        self.assertFalse(self.row(KITCHEN).is_linked)

    def test_contact_names_come_from_the_quickbooks_customer(self):
        person = {"given_name": "Margaret", "family_name": "Hollis"}
        self.assertEqual(contact_name("Margaret Hollis - 1001", False, **person), ("Margaret Hollis", "1001"))
        self.assertEqual(contact_name("Front Range HOA - 2002", True, company_name="Front Range HOA"),
                         ("Front Range HOA", "2002"))
        trustee = {"given_name": "Ruth", "family_name": "Henderson"}
        self.assertEqual(contact_name("Henderson Family Trust - 1005", False, **trustee),
                         ("Ruth Henderson", False), "the person's own name, with no reference")
        self.assertEqual(contact_name("Daniel Reyes - 1003", True), ("Daniel Reyes", "1003"))
        self.assertEqual(contact_name("Sunbelt Rentals - Asheville", True),
                         ("Sunbelt Rentals - Asheville", False), "no customer number to take apart")


@tagged("post_install", "-at_install")
class TestJobNumbers(TransactionCase):
    def test_the_job_number_is_what_leads_the_quickbooks_job_name(self):
        cases = {
            "24-0117 - Water mitigation, kitchen supply line": ("24-0117", "Water mitigation, kitchen supply line"),
            "CP-0425 - Packout and pack-back after fire": ("CP-0425", "Packout and pack-back after fire"),
            "1042: Roof tarp": ("1042", "Roof tarp"),
            "2024 Storm cleanup": ("2024", "Storm cleanup"),
            "Kitchen rebuild": (None, "Kitchen rebuild"),
            "Unit 4B smoke cleaning": (None, "Unit 4B smoke cleaning"),
            "Roof - phase 2": (None, "Roof - phase 2"),
        }
        for name, expected in cases.items():
            self.assertEqual(split_job_name(name), expected, name)
