"""Measurement 3 of ``servers_bench.py``: Intuit's webhooks through a real Odoo server, from a bill
entered in the sandbox to its line in the job's Job Cost, and the reads that cost."""

import secrets
import time
from concurrent.futures import ThreadPoolExecutor

from common import MAX_CONCURRENT, client
from servers_run import DatabaseCopy, SandboxTime, Servers, Watch, child, fmt, free_port, sandbox_epoch

from qbo_sandbox import DEFAULT_CLIENT_ID

WEBHOOK_SANDBOX_SECONDS, WEBHOOK_READS, BURST_READS = 60, 1, 2
LANE = "QuickBooks: "


def webhook_run(options, sandbox):
    options.run_name = "webhook"
    realm = sandbox.control.add_company("webhook 1")["realm_id"]
    port, verifier = free_port(), secrets.token_urlsafe(24)
    with DatabaseCopy(options.database, options.copy):
        setup = child(options, "setup", "--url", sandbox.url, "--realms", realm, "--jobs", "1",
                      "--webhook-port", str(port), "--verifier", verifier)
        company = setup["companies"][0]
        with Servers(options, [2], ports=[port]) as servers:
            watch = Watch(options.copy)
            woken = child(options, "wake", "--bridge", str(company["id"]))["at"]
            first = wait_for(lambda: any(run[1] == "done" for run in watch.runs(company["id"])), 120)
            wait_idle(sandbox, servers, watch, company["lane"])
            job_id = watch.rows("SELECT qbo_job_id FROM qbo_job_sync WHERE qbo_company_id = %s",
                                company["id"])[0][0]
            sandbox.control.set_webhook(DEFAULT_CLIENT_ID, "http://127.0.0.1:%d/qbo/webhook" % port, verifier)
            app, tokens = sandbox.connect(realm)
            qbo = client(app, realm, tokens, options.time_scale)
            bill = {"VendorRef": {"value": setup["vendor_id"]}, "Line": [{
                "DetailType": "AccountBasedExpenseLineDetail", "Amount": 125.0,
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": setup["account_id"]},
                                                  "CustomerRef": {"value": job_id}}}]}
            measure = dict(options=options, sandbox=sandbox, servers=servers, watch=watch, company=company,
                           realm=realm, qbo=qbo, bill=bill)
            one = enter_bills(count=1, **measure)
            burst = enter_bills(count=options.burst, **measure)
            watch.close()
        problems = servers.problems()
    first_runs = [run for run in servers.cron_runs() if run["start"] >= woken - 1][:1]
    return {"first_pull": first, "first_runs": first_runs, "one": one, "burst": burst, "problems": problems}


def enter_bills(options, sandbox, servers, watch, company, realm, qbo, bill, count):
    """Enter ``count`` bills on the job at once; until their lines are in the job's Job Cost."""
    wait_idle(sandbox, servers, watch, company["lane"])
    sandbox.control.reset_counters()
    clock = SandboxTime(sandbox.control, options.time_scale)
    runs_before, attempts_before = len(watch.runs(company["id"])), len(sandbox.control.webhooks()["attempts"])
    started = time.time()
    with ThreadPoolExecutor(MAX_CONCURRENT) as pool:
        ids = [doc["Id"] for doc in pool.map(lambda _n: qbo.create("Bill", bill), range(count))]
    entered = time.time()
    landed = wait_for(lambda: watch.cost_lines(company["id"], ids) >= count, 60 + count)
    landed_at = time.time() if landed else None
    wait_idle(sandbox, servers, watch, company["lane"])
    counters = sandbox.control.counters()
    attempts = sandbox.control.webhooks()["attempts"][attempts_before:]
    lane_runs = [run for run in servers.cron_runs()
                 if run["start"] >= started and run["name"].startswith(LANE)]
    # The controller's line for each delivery it took: "QuickBooks webhook: N events, M new".
    received = [at for server in servers.all for at, _level, logger, message in server.lines()
                if at >= started and logger.endswith("controllers.main")
                and message.startswith("QuickBooks webhook:")]
    reactions = [min((run["start"] for run in lane_runs if run["start"] >= at), default=at) - at
                 for at in received]
    return {
        "count": count, "entered_seconds": entered - started, "lines": watch.cost_lines(company["id"], ids),
        "wall": landed_at - started if landed else None,
        "sandbox": (landed_at - started) * options.time_scale if landed else None,
        "delivered": [sandbox_epoch(a["at"]) - clock.at(started) for a in attempts],
        "statuses": [a["status"] for a in attempts], "events": sum(len(a["event_ids"]) for a in attempts),
        "received": [at - started for at in received], "reactions": reactions,
        "lane_runs": [(run["start"] - started, (run["end"] or run["start"]) - run["start"])
                      for run in lane_runs],
        "pulls": [row[1:] for row in watch.runs(company["id"])[runs_before:]],
        "reads": counters["by_realm"].get(realm, {}).get("reads", 0),
        "cdc": counters["requests"].get("GET cdc", 0),
        "rejected": counters["rejected"],
    }


def wait_idle(sandbox, servers, watch, lane, settle=0.5, timeout=60):
    """Until the sandbox has nothing queued, the lane is not running and no trigger waits for it,
    twice ``settle`` seconds apart."""
    end, quiet = time.monotonic() + timeout, 0
    while quiet < 2 and time.monotonic() < end:
        sandbox.control.wait_webhooks(timeout=10)
        running = any(not run["end"] for run in servers.cron_runs() if run["cron"] == lane)
        quiet = 0 if running or watch.triggers(lane) else quiet + 1
        time.sleep(settle)


def wait_for(condition, timeout, poll=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(poll)
    return False


def print_webhook(webhook):
    print()
    print("Webhook: a job pushed and pulled once (first pull %s), then bills entered on it" % (
        "done" if webhook["first_pull"] else "NOT DONE"))
    header = ("bills", "lines", "sandbox s", "wall s", "deliveries", "events", "delivered s", "reaction ms",
              "lane runs", "pulls", "reads", "CDC")
    print("%-8s %6s %9s %7s %10s %6s %12s %11s %9s %6s %5s %4s" % header)
    for run in (webhook["one"], webhook["burst"]):
        print("%-8d %6d %9s %7s %10d %6d %12s %11s %9d %6d %5d %4d" % (
            run["count"], run["lines"], fmt(run["sandbox"]), fmt(run["wall"], 2), len(run["delivered"]),
            run["events"], ",".join(fmt(s) for s in run["delivered"]) or "-",
            ",".join(fmt(1000 * s, 0) for s in run["reactions"]) or "-", len(run["lane_runs"]),
            len(run["pulls"]), run["reads"], run["cdc"]))
    print("sandbox s, wall s: from the bills' entry until every line is in qbo_job_cost_line; delivered s:\n"
          "sandbox seconds from the entry to each webhook delivery (the sandbox gathers events for 3 s);\n"
          "reaction ms: from the webhook's arrival in Odoo to the lane's start (the trigger's NOTIFY);\n"
          "reads: metered reads the sandbox counted, CDC: of them, change data capture requests")
    for run in (webhook["one"], webhook["burst"]):
        print("  %d bill(s): entered in %.2f s; delivery status %s; lane runs (start s, duration s) %s; "
              "pulls (state, mode, reads) %s" % (run["count"], run["entered_seconds"], run["statuses"],
                                           [(fmt(a), fmt(b, 2)) for a, b in run["lane_runs"]], run["pulls"]))


def webhook_checks(webhook, figures, checks):
    one, burst = webhook["one"], webhook["burst"]
    figures.update(webhook_seconds=fmt(one["sandbox"]), webhook_wall_seconds=fmt(one["wall"], 2),
                   webhook_reads=one["reads"], webhook_cdc=one["cdc"], burst_seconds=fmt(burst["sandbox"]),
                   burst_reads=burst["reads"], burst_deliveries=len(burst["delivered"]),
                   cron_reaction_ms=fmt(1000 * max(one["reactions"] + burst["reactions"], default=0), 0))
    checks += [
        ("webhook: the bill's line in %s s of sandbox time <= %d" % (
            fmt(one["sandbox"]), WEBHOOK_SANDBOX_SECONDS),
         one["sandbox"] is not None and one["sandbox"] <= WEBHOOK_SANDBOX_SECONDS),
        ("webhook: %d read (%d change-data) == %d change-data read" % (
            one["reads"], one["cdc"], WEBHOOK_READS),
         one["reads"] == WEBHOOK_READS and one["cdc"] == WEBHOOK_READS),
        ("burst: %d bills' lines all in (%d), %d reads <= %d" % (
            burst["count"], burst["lines"], burst["reads"], BURST_READS),
         burst["lines"] == burst["count"] and burst["reads"] <= BURST_READS),
    ]
