"""What ``servers_bench.py`` runs inside Odoo between the servers' runs, one process per step.
Each prints one JSON line.

    servers_child.py setup --db DB --addons-path PATH --url SANDBOX_URL --realms R1 [R2 ...]
        [--jobs N] [--second-push] [--webhook-port PORT --verifier TOKEN]
    servers_child.py wake --db DB --addons-path PATH --crons ID [ID ...] [--bridge ID ...]

- setup: the bridge turned on with the sandbox's app; one QuickBooks company per realm, connected
  through the addon's own authorization, each with a production department of its own and N jobs
  (each with a customer of its own) under it, so each company has N pending jobs. With
  ``--second-push``, a second scheduled action pushing the first company's jobs, for a second
  server to run beside its lane. With ``--webhook-port``: the settings a webhook needs (web.base.url
  on that port, the verifier token, Settings' local sandbox URL), and a vendor and a cost account
  created in the company file for the bills. Then every trigger is removed and the other scheduled
  actions are put off a day: nothing runs before the measurement wakes what it measures.
- wake: triggers the scheduled actions given (with ``--bridge``, those companies' lanes are asked
  for the whole bridge, as a webhook or Run bridge now asks) and commits; prints the commit's time.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position,import-outside-toplevel
from common import make_jobs  # noqa: E402

from qbo_sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, Control  # noqa: E402

CHUNK = 500  # jobs created in one go: one create marks them pending together


def odoo_env(options, context):
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", options.db, "--addons-path", options.addons_path, "--log-level", "warn",
                         "--http-interface", "127.0.0.1"])
    return api.Environment(Registry(options.db).cursor(), odoo.SUPERUSER_ID, context)


def setup(env, options):
    from odoo.addons.chronicle_qbo_addon import const

    control = Control(options.url)
    started = time.monotonic()
    params = env["ir.config_parameter"]
    settings = {const.PARAM_ENABLED: "True", const.PARAM_CLIENT_ID: DEFAULT_CLIENT_ID,
                const.PARAM_CLIENT_SECRET: DEFAULT_CLIENT_SECRET, const.PARAM_LOCAL_BASE_URL: options.url}
    if options.webhook_port:
        # As bin/demo_setup.py: Odoo's address, the sandbox the companies use, and the verifier
        # Intuit shows for the app's webhook.
        settings.update({"web.base.url": "http://127.0.0.1:%d" % options.webhook_port,
                         const.PARAM_WEBHOOK_VERIFIER: options.verifier})
    for key, value in settings.items():
        params.set_param(key, value)
    redirect = env["qbo.company"]._qbo_redirect_uri()
    redirects = DEFAULT_REDIRECT_URIS + [redirect] * (redirect not in DEFAULT_REDIRECT_URIS)
    control.add_app(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, redirects)
    companies = []
    for number, realm_id in enumerate(options.realms):
        company = env["qbo.company"].create({"name": "Bench %d" % (number + 1), "qb_version": "plus",
                                             "environment": "local", "local_base_url": options.url})
        code = control.authorize(realm_id, redirect_uri=redirect)["code"]
        company._qbo_mark_connected(*env["qbo.company"]._qbo_authorize(company._qbo_app(), code, realm_id),
                                    realm_id)
        department = env["hr.department"].create(
            {"name": "Production %d" % (number + 1), "is_production": True})
        env["qbo.department.mapping"].create({"qbo_company_id": company.id, "department_id": department.id})
        env.cr.commit()
        create_jobs(env, make_jobs(options.jobs, "S%d" % (number + 1)), department)
        companies.append({"id": company.id, "realm_id": realm_id, "lane": company.sudo().lane_cron_id.id})
    result = {"companies": companies}
    first = env["qbo.company"].browse(companies[0]["id"])
    if options.second_push:
        result["second_push"] = env["ir.cron"].create({
            "name": "Bench: push %s from a second server" % first.name,
            "model_id": env["ir.model"]._get_id("qbo.job.sync"),
            "state": "code",
            # The very call the company's lane makes (qbo.company._cron_run_lane).
            "code": "model._qbo_run('cron_push', env['qbo.company'].browse(%d))" % first.id,
            "interval_number": 7,
            "interval_type": "days",
            "user_id": env.ref("base.user_root").id,
        }).id
    if options.webhook_port:
        qbo = first._qbo_client()
        result["vendor_id"] = qbo.create("Vendor", {"DisplayName": "Bench Building Supply"})["Id"]
        result["account_id"] = qbo.create("Account", {
            "Name": "Job Materials", "AccountType": "Cost of Goods Sold",
            "AccountSubType": "SuppliesMaterialsCogs"})["Id"]
    quiet_scheduler(env)
    env.cr.commit()
    result["seconds"] = time.monotonic() - started
    return result


def create_jobs(env, jobs, department):
    """The jobs and their customers, CHUNK at a time, committed."""
    partners = {}
    for start in range(0, len(jobs), CHUNK):
        chunk = jobs[start:start + CHUNK]
        customers = {job["customer"]["ref"]: job["customer"] for job in chunk}
        created = env["res.partner"].create([
            {"name": customer["name"], "ref": ref, "email": customer["email"], "phone": customer["phone"],
             "street": customer["street"], "city": customer["city"], "zip": customer["zip"]}
            for ref, customer in customers.items()
        ])
        partners.update(zip(customers, created.ids))
        env["project.project"].create([
            {"name": job["job"]["name"], "job_number": job["job"]["number"],
             "description": job["job"]["description"], "partner_id": partners[job["customer"]["ref"]],
             "department_ids": [(6, 0, department.ids)]}
            for job in chunk
        ])
        env.cr.commit()


def quiet_scheduler(env):
    """Nothing waits to run when the servers start: the jobs' changes woke the lanes (those
    triggers go), and the scheduled actions of Odoo and the bridge that are due would take the
    cron workers first (they are put off a day). The measurement wakes what it measures."""
    env.cr.execute("DELETE FROM ir_cron_trigger")
    env.cr.execute("UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') + interval '1 day' WHERE active")


def wake(env, options):
    companies = env["qbo.company"].browse(options.bridge)
    companies._qbo_wake(bridge=True)
    for cron in env["ir.cron"].browse(options.crons) - companies.sudo().lane_cron_id:
        cron._trigger()
    env.cr.commit()  # the trigger's NOTIFY goes with the commit
    return {"at": time.time()}


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=("setup", "wake"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--url")
    parser.add_argument("--realms", nargs="+", default=[])
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--second-push", action="store_true")
    parser.add_argument("--webhook-port", type=int)
    parser.add_argument("--verifier")
    parser.add_argument("--crons", type=int, nargs="*", default=[])
    parser.add_argument("--bridge", type=int, nargs="*", default=[])
    options = parser.parse_args(argv)
    # Creating the jobs skips the chatter's bookkeeping, as odoo_child.py does.
    quiet = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    env = odoo_env(options, quiet if options.phase == "setup" else {})
    try:
        result = (setup if options.phase == "setup" else wake)(env, options)
        env.cr.commit()
    finally:
        env.cr.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
