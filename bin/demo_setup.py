#!/usr/bin/env python3
"""Bring the demo database to the state the demo shows, through the addon's own code.

Run by bin/demo once Odoo has the addon with its demo data and the local sandbox answers.
It does what a person would do on the screens, as the administrator:

- Add company twice (Get authorization code, Intuit's sign-in walked over HTTP, Authenticate):
  Blue Ridge Restoration (pushes jobs only) and Coastal Packout (its sign-in asks for the
  text-message code);
- Associate Department: water, fire, emergency and construction with Blue Ridge, packout with
  Coastal;
- Link job: job 24-0117 to the QuickBooks job that already exists under its customer;
- the scheduled push, then Intuit refusing Coastal's saved authorization (the company needs
  reconnection), then cleaning associated with Coastal and the push again: those jobs wait for
  the reconnection.

Every step looks first whether it was done, so running it again changes nothing.

    python3 bin/demo_setup.py --db chronicle_qbo_demo --addons-path /opt/odoo19/addons,. \\
        --sandbox-url http://127.0.0.1:8765 --odoo-url http://localhost:8069
"""

import argparse
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qbo_sandbox.consent import sign_in

MODULE = "chronicle_qbo_addon"
PARAM_LOCAL_BASE_URL = "chronicle_qbo.local_base_url"  # Settings > QuickBooks > Local sandbox
REALM_BLUE_RIDGE = "9341453050298551"
REALM_COASTAL = "9341453050298553"

# The QuickBooks companies of the demo, the Intuit user who connects each, and the departments
# associated with each before the first push ("departments") and after Intuit refused the
# company's authorization ("departments_after_refusal": their jobs wait for the reconnection).
COMPANIES = [
    {
        "name": "Blue Ridge Restoration",
        "realm_id": REALM_BLUE_RIDGE,
        "intuit_user": "owner@blueridge.example",
        "qb_version": "plus",
        "jobs_only": True,
        "departments": ["demo_department_water", "demo_department_fire", "demo_department_emergency",
                        "demo_department_construction"],
        "departments_after_refusal": [],
    },
    {
        "name": "Coastal Packout",
        "realm_id": REALM_COASTAL,
        "intuit_user": "bookkeeper@summit.example",
        "qb_version": "advanced",
        "jobs_only": False,
        "departments": ["demo_department_packout"],
        "departments_after_refusal": ["demo_department_cleaning"],
    },
]
LINKED_JOB = "demo_job_hollis_kitchen"


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
        self.link_job(self.ref(LINKED_JOB), self.company(REALM_BLUE_RIDGE))
        self.push()
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
        wizard.search_text = job.job_number
        wizard.action_search()
        line = wizard.line_ids.filtered(lambda line: line.is_job and line.name.startswith(f"{job.job_number} - "))
        if len(line) != 1:
            self.say(f"Link job: no QuickBooks job {job.job_number} found in {company.name}; not linked")
            return
        line.selected = True
        wizard.action_link()
        self.commit()
        self.say(f"Linked job {job.job_number} to QuickBooks job {line.fully_qualified_name}")

    def push(self):
        """The scheduled push, run as the scheduler runs it, when some job waits for it."""
        if not self.env["qbo.job.sync"].search_count([("state", "=", "pending")]):
            return
        self.commit()
        self.ref("ir_cron_qbo_push_jobs").method_direct_trigger()
        # The run committed in a cursor of its own: a new transaction sees what it did.
        self.commit()
        self.env.invalidate_all()
        self.say("Ran QuickBooks: push jobs")

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
