"""``python -m qbo_sandbox``: run the local QuickBooks Online until Ctrl-C."""

import argparse
import ipaddress
import signal
import sys
from urllib.parse import urlencode

from .clock import MAX_TIME_SCALE
from .faults import MAX_SECONDS
from .seed import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, USERS
from .server import SandboxServer
from .tokens import ACCOUNTING_SCOPE


def _time_scale(text):
    value = float(text)
    if not 0 < value <= MAX_TIME_SCALE:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {MAX_TIME_SCALE}")
    return value


def _latency(text):
    value = float(text)
    if not 0 <= value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to {MAX_SECONDS}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m qbo_sandbox",
        description="A local QuickBooks Online: Intuit's OAuth 2.0 server and Accounting API v3 with seeded "
        "companies, throttles, injectable faults and a control API under /_sandbox/.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; anything but loopback must be asked for)",
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port to listen on (default 8765, 0 = any free)"
    )
    parser.add_argument(
        "--client-id", default=None, help=f"the app's client id (default {DEFAULT_CLIENT_ID})"
    )
    parser.add_argument(
        "--client-secret", default=None, help=f"the app's client secret (default {DEFAULT_CLIENT_SECRET})"
    )
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=None,
        metavar="URI",
        help="a registered redirect URI; repeat for several (default: "
        + ", ".join(DEFAULT_REDIRECT_URIS)
        + ")",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        default=None,
        help="keep companies, apps and tokens in this JSON file across restarts (default: in memory only)",
    )
    parser.add_argument(
        "--time-scale",
        type=_time_scale,
        default=1.0,
        help="sandbox seconds per real second for token lifetimes and rate windows "
        "(default 1; 60 makes a minute last a second)",
    )
    parser.add_argument(
        "--no-limits",
        action="store_true",
        help="turn off the throttles (500 requests/min, 40 batches/min, 10 in flight per company)",
    )
    parser.add_argument(
        "--latency", type=_latency, default=0.0, help="real seconds added to every Intuit request (default 0)"
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="start the companies with no records (customers, vendors, employees, accounts, items, classes)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def banner(srv, client_id, client_secret, redirect_uris):
    example = (
        srv.url
        + "/connect/oauth2?"
        + urlencode(
            {
                "client_id": client_id,
                "response_type": "code",
                "scope": ACCOUNTING_SCOPE,
                "redirect_uri": redirect_uris[0],
                "state": "demo",
                "stay": "1",
            }
        )
    )
    lines = [
        f"QuickBooks Online sandbox on {srv.url}",
        "",
        "Intuit app registration:",
        f"  client id      {client_id}",
        f"  client secret  {client_secret}",
        *[f"  redirect URI   {uri}" for uri in redirect_uris],
        "",
        f"Discovery URL (intuit-oauth environment): {srv.discovery_url}",
        f"Accounting API base (python-quickbooks api_url_v3): {srv.api_url_v3}",
        "",
        "Authorize in a browser (stay=1 keeps the code on screen to copy):",
        f"  {example}",
        "",
        "Sandbox users (password 'sandbox'):",
        *[
            f"  {email:28} realms {', '.join(user['realms'])}"
            f"{'' if user['recognized'] else '  (text-message check)'}"
            for email, user in USERS.items()
        ],
        "",
        "Documents as QuickBooks' web app opens them (invoice, creditmemo, recvpayment, bill, check,",
        "expense, creditcardcredit, vendorcredit):",
        f"  {srv.url}/app/invoice?txnId=<Id>&realmId=<Realm ID>",
        "",
        f"Control API: {srv.url}/_sandbox  (state: {srv.store.state_file or 'in memory'})",
        "Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def _interrupt(signum, frame):
    """Stop on SIGTERM as on Ctrl-C, so the state file gets its last write."""
    raise KeyboardInterrupt


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = args.host == "localhost"
    if not loopback:
        print(f"warning: listening on {args.host}, reachable from other machines", file=sys.stderr)
    srv = SandboxServer(
        host=args.host,
        port=args.port,
        time_scale=args.time_scale,
        limits=not args.no_limits,
        state_file=args.state,
        seed=not args.no_seed,
        latency=args.latency,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uris=args.redirect_uri,
        verbose=args.verbose,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    srv.start()
    app = next(iter(srv.store.data["apps"].items()))
    print(banner(srv, app[0], app[1]["client_secret"], app[1]["redirect_uris"]), flush=True)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
