#!/usr/bin/env python3
"""Bring the demo database to the state the demo shows, through the addon's own code.

Run by bin/demo once Odoo has the addon with its demo data and the local sandbox answers.
It does what a person would do on the screens, as the administrator:

- Add company twice (Get authorization code, Intuit's sign-in walked over HTTP, Authenticate):
  Blue Ridge Restoration and Coastal Packout (its sign-in asks for the text-message code), both
  running the whole bridge;
- Associate Department: water, fire, emergency and construction with Blue Ridge, packout with
  Coastal;
- Link job: jobs 24-0117 and 24-0122 (Blue Ridge) and CP-0425 (Coastal) to the QuickBooks jobs
  that already exist under their customers, with the seeded invoices, payments and costs;
- Job costing: each company pulls documents from a year ago (the seeded ones go back 90 days);
  labor is imported from QuickBooks from a year ago for the departments whose crews log their
  time there, with each company's labor burden;
- the scheduled push, then the whole bridge once (the push, then the pull of both companies
  into the linked jobs' Job Cost);
- classes linked to departments on the company's Departments page: Mitigation to Water Damage,
  Reconstruction and Reconstruction:Drywall to Construction (Blue Ridge), Contents to Packout
  (Coastal);
- Employee mapping: the proposed matches accepted, and Blue Ridge's temp labor agency mapped to
  its crew (its checks are skipped by their TEMP LABOR memo), which lands the crews' QuickBooks
  time on the linked jobs' timesheets; Coastal's agency stays unmapped, its checks being its cost;
- then Intuit refusing Coastal's saved authorization (the company needs reconnection), then
  cleaning associated with Coastal and the push again: those jobs wait for the reconnection.

Every step looks first whether it was done, so running it again changes nothing.

    python3 bin/demo_setup.py --db chronicle_qbo_demo --addons-path /opt/odoo19/addons,. \\
        --sandbox-url http://127.0.0.1:8765 --odoo-url http://localhost:8069
"""

import argparse
import sys
from datetime import date
from pathlib import Path

import requests
from dateutil.relativedelta import relativedelta

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qbo_sandbox.consent import sign_in

MODULE = "chronicle_qbo_addon"
PARAM_LOCAL_BASE_URL = "chronicle_qbo.local_base_url"  # Settings > QuickBooks > Local sandbox
REALM_BLUE_RIDGE = "9341453050298551"
REALM_COASTAL = "9341453050298553"

# The QuickBooks companies of the demo, the Intuit user who connects each, the departments
# associated with each before the first push ("departments") and after Intuit refused the
# company's authorization ("departments_after_refusal": their jobs wait for the reconnection),
# and the QuickBooks classes linked to each department once the pull has brought them ("classes").
COMPANIES = [
    {
        "name": "Blue Ridge Restoration",
        "realm_id": REALM_BLUE_RIDGE,
        "intuit_user": "owner@blueridge.example",
        "qb_version": "plus",
        "jobs_only": False,
        "departments": ["demo_department_water", "demo_department_fire", "demo_department_emergency",
                        "demo_department_construction"],
        "departments_after_refusal": [],
        "classes": {
            "demo_department_water": ["Mitigation"],
            "demo_department_construction": ["Reconstruction", "Reconstruction:Drywall"],
        },
        "labor_departments": ["demo_department_water", "demo_department_fire", "demo_department_construction"],
        "labor_burden_percent": 22.0,
        "crews": {"Labor Finders Asheville": "demo_employee_labor_finders_crew"},
        "unmapped": [],
    },
    {
        "name": "Coastal Packout",
        "realm_id": REALM_COASTAL,
        "intuit_user": "bookkeeper@summit.example",
        "qb_version": "advanced",
        "jobs_only": False,
        "departments": ["demo_department_packout"],
        "departments_after_refusal": ["demo_department_cleaning"],
        "classes": {
            "demo_department_packout": ["Contents"],
        },
        "labor_departments": ["demo_department_packout"],
        "labor_burden_percent": 18.0,
        # Its temp agency's checks carry no TEMP LABOR memo, so they are costs already: mapping the
        # agency's logged time too would count that labor twice. It stays unmapped (skipped, counted).
        "crews": {},
        "unmapped": ["Charleston Temp Labor"],
    },
]
# The jobs linked by hand (Link job) to the QuickBooks job of the same number, which holds the
# sandbox's seeded documents (qbo_sandbox/ledger.py), and the company each is linked in.
LINKED_JOBS = [
    ("demo_job_hollis_kitchen", REALM_BLUE_RIDGE),
    ("demo_job_apg_unit_4b", REALM_BLUE_RIDGE),
    ("demo_job_brooks_pack_back", REALM_COASTAL),
]
# Job costing: the pull reads documents from this many years back.
PULL_YEARS_BACK = 1


class DemoSetup:
    def __init__(self, env, sandbox_url, odoo_url):
        self.env = env
        self.sandbox_url = sandbox_url.rstrip("/")
        self.odoo_url = odoo_url.rstrip("/")

    def ref(self, xmlid):
        return self.env.ref(f"{MODULE}.{xmlid}")

    def commit(self):
        self.env.cr.commit()

    def say(self, message):
        print(f"  {message}", flush=True)

    # === STEPS === #

    def run(self):
        self.set_urls()
        for spec in COMPANIES:
            self.ensure_company(spec)
        for spec in COMPANIES:
            self.associate(self.company(spec["realm_id"]), self.departments(spec["departments"]))
        for xmlid, realm in LINKED_JOBS:
            self.link_job(self.ref(xmlid), self.company(realm))
        for spec in COMPANIES:
            self.set_pull_start(self.company(spec["realm_id"]))
            self.set_labor(self.company(spec["realm_id"]), spec)
        self.push()
        # The pull of Coastal comes before Intuit refuses its authorization below.
        self.run_bridge()
        for spec in COMPANIES:
            self.link_classes(self.company(spec["realm_id"]), spec["classes"])
            self.map_workers(self.company(spec["realm_id"]), spec["crews"], spec["unmapped"])
        for spec in COMPANIES:
            later = self.unassociated(spec["departments_after_refusal"])
            if later:
                company = self.company(spec["realm_id"])
                if company.state == "connected":
                    self.refuse_authorization(company)
                self.associate(company, later)
        self.push()
        self.report()

    def set_urls(self):
        """The redirect URI sent to Intuit is built on web.base.url: the demo's address. The local
        sandbox is the one this demo started, on whatever port it was given: Settings' Local
        sandbox URL (what Add company offers) and the companies already connected follow it."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param("web.base.url") != self.odoo_url:
            params.set_param("web.base.url", self.odoo_url)
        if params.get_param(PARAM_LOCAL_BASE_URL) != self.sandbox_url:
            params.set_param(PARAM_LOCAL_BASE_URL, self.sandbox_url)
        moved = self.env["qbo.company"].with_context(active_test=False).search(
            [("environment", "=", "local"), ("local_base_url", "!=", self.sandbox_url)]
        )
        if moved:
            moved.write({"local_base_url": self.sandbox_url})
            self.say(f"{', '.join(moved.mapped('name'))}: local sandbox now at {self.sandbox_url}")
        self.commit()

    def company(self, realm):
        return self.env["qbo.company"].with_context(active_test=False).search([("realm_id", "=", realm)], limit=1)

    def ensure_company(self, spec):
        """Add company, or Reconnect a company left disconnected (a person's doing when it is
        "Needs reconnection", such as Coastal's in this demo: theirs to reconnect)."""
        company = self.company(spec["realm_id"])
        if company.state in ("connected", "needs_reauth"):
            return
        Wizard = self.env["qbo.connect.wizard"]
        wizard = Wizard.browse(Wizard.action_open(qbo_company=company or None)["res_id"])
        wizard.write(
            {
                "environment": "local",
                "local_base_url": self.sandbox_url,
                "qb_version": spec["qb_version"],
                "name": spec["name"],
            }
        )
        authorize_url = wizard.action_get_authorization_code()["url"]
        answer = sign_in(authorize_url, spec["intuit_user"], spec["realm_id"])
        connected = wizard._qbo_authenticate(answer["code"], answer["realm_id"])
        if not company:
            connected.jobs_only = spec["jobs_only"]
        self.commit()
        self.say(f"{'Reconnected' if company else 'Added'} {connected.name} (Realm ID {spec['realm_id']}) "
                 f"as {spec['intuit_user']}")

    def departments(self, xmlids):
        return self.env["hr.department"].browse([self.ref(xmlid).id for xmlid in xmlids])

    def unassociated(self, xmlids):
        """The departments that belong to no QuickBooks company yet."""
        return self.departments(xmlids).filtered(lambda department: not department.qbo_mapping_ids)

    def associate(self, company, departments):
        """Associate Department, for those of the departments that belong to no QuickBooks company yet."""
        free = departments.filtered(lambda department: not department.qbo_mapping_ids)
        if not free:
            return
        action = company.action_qbo_associate_departments()
        wizard = self.env["qbo.department.wizard"].with_context(**action["context"]).create(
            {"department_ids": [(6, 0, free.ids)]}
        )
        wizard.action_associate()
        self.commit()
        self.say(f"Associated {', '.join(free.mapped('name'))} with {company.name}")

    def link_job(self, job, company):
        """Link job: the QuickBooks job with the job's number, under the job's customer."""
        sync = job.qbo_job_sync_ids.filtered(lambda sync: sync.qbo_company_id == company)
        if sync.qbo_job_id or company.state != "connected":
            return
        wizard = self.env["qbo.link.wizard"].browse(job.action_qbo_link_job()["res_id"])
        if wizard.qbo_company_id != company:
            wizard.qbo_company_id = company
        wizard.search_text = job.job_number
        wizard.action_search()
        line = wizard.line_ids.filtered(lambda line: line.is_job and line.name.startswith(f"{job.job_number} - "))
        if len(line) != 1:
            self.say(f"Link job: no QuickBooks job {job.job_number} found in {company.name}; not linked")
            return
        line.selected = True
        wizard.action_link()
        if wizard.step == "confirm":
            self.say(f"Link job {job.job_number}: the dialog asks first ({wizard.confirm_message}); "
                     "not linked")
            return
        self.commit()
        self.say(f"Linked job {job.job_number} to QuickBooks job {line.fully_qualified_name} "
                 f"in {company.name}")

    def set_pull_start(self, company):
        """Job costing page: Pull documents from, a year ago, unless it is that far back already."""
        start = date.today() - relativedelta(years=PULL_YEARS_BACK)
        if not company or company.pull_start_date <= start:
            return
        company.pull_start_date = start
        self.commit()
        self.say(f"{company.name}: job costing pulls documents from {start.isoformat()}")

    def set_labor(self, company, spec):
        """Departments page: Import labor from a year ago, indefinitely, for the departments whose
        crews log their time in QuickBooks; Job costing page: the labor burden."""
        if not company:
            return
        start = date.today() - relativedelta(years=PULL_YEARS_BACK)
        departments = self.departments(spec["labor_departments"])
        mappings = company.department_mapping_ids.filtered(
            lambda m: m.department_id in departments and not m.labor_start_date)
        if mappings:
            mappings.write({"labor_start_date": start, "labor_indefinitely": True})
            self.say(f"{company.name}: labor imported from QuickBooks from {start.isoformat()} for "
                     f"{', '.join(mappings.department_id.mapped('name'))}")
        if company.labor_burden_percent != spec["labor_burden_percent"]:
            company.labor_burden_percent = spec["labor_burden_percent"]
            self.say(f"{company.name}: labor burden {spec['labor_burden_percent']:g} %")
        self.commit()

    def map_workers(self, company, crews, unmapped=()):
        """Employee mapping: the proposed matches accepted, and each agency's crew picked."""
        if not company:
            return
        workers = self.env["qbo.worker"].search([("qbo_company_id", "=", company.id), ("employee_id", "=", False)])
        proposed = workers.filtered(lambda worker: worker.proposed_employee_id and worker.name not in unmapped)
        proposed.action_qbo_accept_proposals()
        for name, xmlid in crews.items():
            agency = (workers - proposed).filtered(lambda worker: worker.name == name)
            agency.employee_id = self.ref(xmlid)
            proposed |= agency
        if proposed:
            self.commit()
            self.say(f"{company.name}: mapped {', '.join(proposed.mapped('name'))} to Odoo employees")

    def push(self):
        """The scheduled push, run as the scheduler runs it, when some job waits for it."""
        if not self.env["qbo.job.sync"].search_count([("state", "=", "pending")]):
            return
        self.commit()
        self.ref("ir_cron_qbo_push_jobs").method_direct_trigger()
        self.run_lanes()
        self.say("Ran QuickBooks: push jobs")

    def run_bridge(self):
        """The whole bridge, run as the scheduler runs it at night (the push, then the pull of each
        connected company without Push jobs only), when such a company was not pulled yet since
        its start date was set."""
        waiting = self.env["qbo.company"].search(
            [("state", "=", "connected"), ("jobs_only", "=", False), ("pull_position", "=", False)]
        )
        if not waiting:
            return
        self.commit()
        self.ref("ir_cron_qbo_run_bridge").method_direct_trigger()
        self.run_lanes()
        for company in waiting:
            run = self.last_run(company)
            if not run:
                self.say(f"Ran QuickBooks: run the whole bridge; {company.name} was not pulled")
            elif run.state != "done":
                self.say(f"Ran QuickBooks: run the whole bridge; the pull of {company.name} failed: "
                         f"{run.error}")
            else:
                self.say(f"Ran QuickBooks: run the whole bridge; pulled {company.name}: "
                         f"{self.cost_lines(company)} job cost lines on its jobs, "
                         f"{run.lines_skipped} lines skipped")

    def run_lanes(self):
        """The global scheduled actions wake each company's own; run those now, as the scheduler
        would, one after the other."""
        self.commit()
        triggers = self.env["ir.cron.trigger"].sudo()
        for company in self.env["qbo.company"].search([]):
            cron = company.sudo().lane_cron_id
            woken = triggers.search([("cron_id", "=", cron.id)]) if cron else triggers
            if woken:
                woken.unlink()
                cron.method_direct_trigger()
        # The runs committed in cursors of their own: a new transaction sees what they did.
        self.commit()
        self.env.invalidate_all()

    def last_run(self, company):
        return self.env["qbo.bridge.run"].search([("qbo_company_id", "=", company.id)], limit=1)

    def cost_lines(self, company):
        return self.env["qbo.job.cost.line"].search_count([("qbo_company_id", "=", company.id)])

    def link_classes(self, company, classes):
        """The company's Departments page: QuickBooks classes linked to each department, as a
        manager ticks them, for the classes the pull mirrored that belong to no department yet."""
        from odoo import Command

        if not company:
            return
        commands, linked = [], []
        for xmlid, names in classes.items():
            department = self.ref(xmlid)
            mapping = company.department_mapping_ids.filtered(lambda m: m.department_id == department)
            if not mapping:
                continue
            found = self.env["qbo.class"].search(
                [("qbo_company_id", "=", company.id), ("full_name", "in", names)])
            free = found.filtered(lambda qbo_class: not qbo_class.department_mapping_ids)
            for qbo_class in found - free:
                if qbo_class.department_id != department:
                    self.say(f"{company.name}: class {qbo_class.full_name} is linked to "
                             f"{qbo_class.department_id.name} already; left there")
            if free:
                links = [Command.link(qbo_class.id) for qbo_class in free]
                commands.append(Command.update(mapping.id, {"qbo_class_ids": links}))
                linked.append(f"{', '.join(free.mapped('full_name'))} to {department.name}")
        if commands:
            company.write({"department_mapping_ids": commands})
            self.commit()
            self.say(f"{company.name}: linked classes {'; '.join(linked)}")

    def refuse_authorization(self, company):
        """Intuit refuses the company's refresh token (the sandbox revokes it), as when someone
        disconnects the app at Intuit: the token refresh turns the company "Needs reconnection"."""
        response = requests.post(
            f"{self.sandbox_url}/_sandbox/faults",
            json={"kind": "revoke_refresh_token", "times": 1, "realm_id": company.realm_id},
            timeout=10,
        )
        response.raise_for_status()
        refreshed = company._qbo_refresh()
        self.commit()
        if refreshed:
            requests.delete(f"{self.sandbox_url}/_sandbox/faults", timeout=10).raise_for_status()
            self.say(f"{company.name}: the sandbox did not refuse the refresh; the company stays connected")
        else:
            self.say(f"{company.name}: Intuit refused the saved authorization, it needs reconnection")

    def report(self):
        def labels(model):
            return dict(self.env[model]._fields["state"]._description_selection(self.env))

        print("\n  QuickBooks companies:")
        for company in self.env["qbo.company"].search([]):
            print(f"    {company.name:24} {labels('qbo.company')[company.state]:19} Realm ID {company.realm_id}, "
                  f"departments: {', '.join(company.department_mapping_ids.department_id.mapped('name'))}")
        print("  Jobs:")
        syncs = self.env["qbo.job.sync"].search([], order="project_id, qbo_company_id")
        for sync in syncs:
            job = sync.project_id
            detail = sync.last_error or sync.qbo_job_name or ""
            print(f"    {job.job_number} {job.name[:38]:38} {sync.qbo_company_id.name[:22]:22} "
                  f"{labels('qbo.job.sync')[sync.state]:8} {detail[:90]}")
        print("  Job cost of the linked jobs:")
        for xmlid, _realm in LINKED_JOBS:
            job = self.ref(xmlid)
            labor = {}
            for row in job.qbo_cost_category_ids:  # one row per department and category
                labor[row.cost_category_id.code] = labor.get(row.cost_category_id.code, 0.0) + row.cost
            hours = sum(self.env["account.analytic.line"].search([("project_id", "=", job.id)]).mapped("unit_amount"))
            print(f"    {job.job_number} {job.name[:38]:38} invoiced {job.qbo_invoiced:>10,.2f}  "
                  f"collected {job.qbo_collected:>10,.2f}  cost {job.qbo_cost:>10,.2f}  "
                  f"(labor {labor.get('labor', 0):,.2f} for {hours:g} h, burden {labor.get('burden', 0):,.2f})")
        print("  Last bridge run:")
        modes = dict(self.env["qbo.bridge.run"]._fields["mode"]._description_selection(self.env))
        for company in self.env["qbo.company"].search([]):
            run = self.last_run(company)
            if not run:
                print(f"    {company.name:24} none")
                continue
            outcome = labels("qbo.bridge.run")[run.state]
            if run.error:
                outcome = f"{outcome}: {run.error[:80]}"
            print(f"    {company.name:24} {modes.get(run.mode, '-'):23} {run.read_requests:3} read requests, "
                  f"{run.lines_written:3} lines written, {run.lines_skipped:3} skipped; {outcome}; "
                  f"{self.cost_lines(company)} job cost lines held")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--sandbox-url", default="http://127.0.0.1:8765")
    parser.add_argument("--odoo-url", default="http://localhost:8069")
    args = parser.parse_args(argv)

    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        ["--addons-path", args.addons_path, "--log-level", "warn", "--no-http"], setup_logging=True
    )
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        env = env(user=admin, context=dict(admin.context_get()))
        DemoSetup(env, args.sandbox_url, args.odoo_url).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
