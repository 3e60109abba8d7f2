"""The control API, persistence across restarts, change data capture and the command line."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from intuitlib.client import AuthClient
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.customer import Customer
from quickbooks.objects.vendor import Vendor

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_COASTAL, ControlError, SandboxServer
from qbo_sandbox.clock import LATEST, MAX_TIME_SCALE, Clock
from qbo_sandbox.control import MAX_ADVANCE
from qbo_sandbox.faults import MAX_SECONDS

ROOT = Path(__file__).resolve().parents[1]
DAY = 86400


def test_reset_back_to_the_seed_or_to_empty_companies(sandbox, sandbox_connect):
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    customer = Customer()
    customer.DisplayName = "Temporary - 1"
    customer.save(qb=qb)
    sandbox.control.inject_fault("500", rate=0.01)
    assert sandbox.control.reset()["realms"] == sorted(sandbox.store.data["realms"])
    assert sandbox.control.faults() == [] and sandbox.control.counters()["requests"] == {}

    qb = sandbox_connect(REALM_BLUE_RIDGE)
    assert Customer.filter(DisplayName="Temporary - 1", qb=qb) == []
    assert len(Customer.all(qb=qb)) == 9
    sandbox.control.reset(seed=False)
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    assert Customer.all(qb=qb) == [] and Vendor.all(qb=qb) == []
    first = Customer()
    first.DisplayName = "First after reset"
    assert first.save(qb=qb).Id == "1"


def test_reset_ends_every_connection(sandbox):
    tokens = sandbox.control.connect(REALM_BLUE_RIDGE)
    sandbox.control.reset()
    answer = requests.get(
        f"{sandbox.api_url_v3}/company/{REALM_BLUE_RIDGE}/preferences",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert answer.status_code == 401


def test_apps_can_be_registered(sandbox, insecure_local_oauth):
    sandbox.control.add_app("odoo-test-app", "s3cret", ["http://localhost:9999/cb"], name="Odoo tests")
    auth = AuthClient(
        "odoo-test-app", "s3cret", "http://localhost:9999/cb", environment=sandbox.discovery_url
    )
    code = sandbox.control.authorize(REALM_COASTAL, client_id="odoo-test-app", state="s1")
    assert code["redirect_url"].startswith("http://localhost:9999/cb?code=")
    assert code["redirect_url"].endswith(f"realmId={REALM_COASTAL}&state=s1")
    auth.get_bearer_token(code["code"], realm_id=REALM_COASTAL)
    assert auth.access_token
    apps = sandbox.control.state()["apps"]
    assert apps["odoo-test-app"]["client_secret"] != "s3cret"
    with pytest.raises(ControlError):
        sandbox.control.add_app("", "x", ["http://a"])
    bad = requests.post(
        sandbox.url + "/_sandbox/apps",
        timeout=10,
        json={"client_id": "x", "client_secret": "y", "redirect_uris": "http://not-a-list"},
    )
    assert bad.status_code == 400


def test_programmatic_authorize_is_checked_like_the_pages(sandbox):
    control = sandbox.control
    for kwargs in (
        {"realm_id": "1"},
        {"realm_id": REALM_BLUE_RIDGE, "client_id": "nobody"},
        {"realm_id": REALM_BLUE_RIDGE, "redirect_uri": "https://elsewhere.example"},
        {"realm_id": REALM_BLUE_RIDGE, "scope": "everything"},
        {"realm_id": REALM_COASTAL, "user": "owner@blueridge.example"},
    ):
        with pytest.raises(ControlError):
            control.authorize(**kwargs)
    assert control.authorize(REALM_COASTAL)["realm_id"] == REALM_COASTAL


def test_state_dump_masks_tokens(sandbox):
    tokens = sandbox.control.connect(REALM_BLUE_RIDGE, include_hard_expiry=True)
    assert tokens["x_refresh_token_hard_expires_in"] > 4 * 365 * DAY
    dump = sandbox.control.state(realm_id=REALM_BLUE_RIDGE)
    text = json.dumps(dump)
    assert tokens["access_token"] not in text and tokens["refresh_token"] not in text
    assert list(dump["realms"]) == [REALM_BLUE_RIDGE]
    realm = dump["realms"][REALM_BLUE_RIDGE]
    assert realm["company_name"] == "Blue Ridge Restoration LLC"
    assert len(realm["customers"]) == 10 and len(realm["vendors"]) == 5 and len(realm["employees"]) == 3
    grant = dump["grants"][0]
    digest = hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()[:16]
    assert grant["refresh_tokens"][0]["sha256"] == digest and grant["realm_id"] == REALM_BLUE_RIDGE


def test_clock_latency_counters_and_help(sandbox):
    control = sandbox.control
    before = control.now()["now"]
    assert control.advance_clock(3600)["now"] >= before + 3600
    with pytest.raises(ControlError):
        control.advance_clock(-5)
    assert control.set_latency(0.05) == {"seconds": 0.05}
    with pytest.raises(ControlError):
        control.set_latency("fast")
    control.set_latency(0)
    requests.get(sandbox.discovery_url, timeout=10)
    assert control.counters()["requests"]["GET /.well-known/openid_configuration"] == 1
    control.reset_counters()
    assert control.counters()["requests"] == {}
    index = requests.get(sandbox.url + "/_sandbox", timeout=10).json()
    assert "/_sandbox/faults" in " ".join(index["endpoints"])
    assert requests.get(sandbox.url + "/_sandbox/nothing", timeout=10).status_code == 404
    for body in ("not json", "[1]"):
        bad = requests.post(sandbox.url + "/_sandbox/faults", data=body, timeout=10)
        assert bad.status_code == 400 and "error" in bad.json()


def _post_raw(srv, path, text):
    return requests.post(
        f"{srv.url}/_sandbox/{path}", data=text, headers={"Content-Type": "application/json"}, timeout=10
    )


def _company_info(srv, realm_id):
    token = srv.control.connect(realm_id)["access_token"]
    return requests.get(
        f"{srv.api_url_v3}/company/{realm_id}/companyinfo/{realm_id}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=10,
    )


def test_clock_advances_are_bounded(sandbox):
    before = sandbox.control.now()["now"]
    for raw in (
        "1e300",
        str(10**30),
        str(10**400),
        str(MAX_ADVANCE + 1),
        "Infinity",
        "-Infinity",
        "NaN",
        "-1",
        "true",
        '"3600"',
        "null",
        "[60]",
    ):
        answer = _post_raw(sandbox, "clock", f'{{"advance": {raw}}}')
        assert answer.status_code == 400, raw
        assert answer.json()["error"] == f"advance must be a number of seconds from 0 to {MAX_ADVANCE}"
    assert sandbox.control.now()["now"] < before + 60
    assert sandbox.control.advance_clock(MAX_ADVANCE)["now"] >= before + MAX_ADVANCE
    assert _company_info(sandbox, REALM_BLUE_RIDGE).status_code == 200
    assert sandbox.control.state()["now"]


def test_the_clock_stops_short_of_the_end_of_datetime(sandbox):
    sandbox.clock.advance(LATEST - sandbox.clock.now() - 2 * DAY)
    answer = _post_raw(sandbox, "clock", json.dumps({"advance": 3 * DAY}))
    assert answer.status_code == 400
    assert answer.json()["error"] == "the sandbox clock cannot go past 9000-01-01T00:00:00+00:00"
    assert sandbox.control.advance_clock(DAY)["now_utc"].startswith("8999-12-31")
    info = _company_info(sandbox, REALM_BLUE_RIDGE)
    assert info.status_code == 200 and info.json()["time"].startswith("8999-12-")
    assert sandbox.control.state()["grants"][0]["hard_expires_at"].startswith("9004-")


def test_clock_checks_its_numbers():
    clock = Clock(start=LATEST - 10)
    for seconds in (float("nan"), float("inf"), -1, 11):
        with pytest.raises(ValueError):
            clock.advance(seconds)
    clock.advance(5)
    for scale in (float("nan"), float("inf"), MAX_TIME_SCALE + 1, 0, -1, True):
        with pytest.raises(ValueError):
            Clock(time_scale=scale)
    assert Clock(time_scale=MAX_TIME_SCALE).time_scale == MAX_TIME_SCALE


def test_latency_limits_and_fault_numbers_are_checked(sandbox):
    numbers = ("Infinity", "-Infinity", "NaN", "1e300", "-1", "true", '"10"', "null")
    cases = [("latency", "seconds", raw) for raw in numbers + (str(MAX_SECONDS + 1),)]
    for name in ("requests_per_minute", "batches_per_minute", "max_concurrent"):
        cases += [("limits", name, raw) for raw in numbers + ("0", "1.5")]
    cases += [("limits", "enabled", raw) for raw in ('"false"', "0", "1", "null")]
    cases += [("faults", "seconds", raw) for raw in numbers[:5] + (str(MAX_SECONDS + 1),)]
    for path, name, raw in cases:
        body = f'{{"{name}": {raw}' + (', "kind": "slow"}' if path == "faults" else "}")
        answer = _post_raw(sandbox, path, body)
        assert answer.status_code == 400, (path, name, raw)
        assert answer.json()["error"].startswith(name), (path, name, raw)
    assert sandbox.control.set_latency(MAX_SECONDS)["seconds"] == MAX_SECONDS
    assert sandbox.control.set_latency(0)["seconds"] == 0
    assert sandbox.control.set_limits(enabled=True, max_concurrent=10**40)["max_concurrent"] == 10**40
    assert sandbox.control.set_limits(max_concurrent=10)["enabled"] is True
    assert sandbox.control.faults() == []
    assert _company_info(sandbox, REALM_BLUE_RIDGE).status_code == 200


def test_command_line_checks_its_numbers():
    for flag, value in (
        ("--time-scale", "inf"),
        ("--time-scale", "0"),
        ("--latency", "nan"),
        ("--latency", "-1"),
    ):
        result = _run_cli(flag, value)
        assert result.returncode == 2 and flag in result.stderr, (flag, value)


def test_change_data_capture(sandbox, sandbox_connect):
    qb = sandbox_connect(REALM_BLUE_RIDGE)
    since = sandbox.control.now()["now_utc"]
    customer = Customer()
    customer.DisplayName = "Changed recently"
    customer.save(qb=qb)
    answer = qb.change_data_capture("Customer,Vendor,Invoice", since)
    blocks = answer["CDCResponse"][0]["QueryResponse"]
    assert [c["DisplayName"] for c in blocks[0]["Customer"]] == ["Changed recently"]
    assert "Vendor" not in blocks[1] and blocks[2]["totalCount"] == 0
    with pytest.raises(QuickbooksException) as raised:
        qb.change_data_capture("Customer", "2000-01-01")
    assert raised.value.error_code == 6000, "at most 30 days back"
    for params in (
        {"entities": "Customer"},
        {"changedSince": since},
        {"entities": "Spaceship", "changedSince": since},
        {"entities": "Customer", "changedSince": "last week"},
    ):
        response = requests.get(
            f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/cdc",
            params=params,
            headers={"Authorization": f"Bearer {qb.auth_client.access_token}"},
            timeout=10,
        )
        assert response.status_code == 400 and "Fault" in response.json()


def test_state_file_keeps_companies_and_connections_across_restarts(tmp_path, sandbox_connect):
    state = tmp_path / "sandbox.json"
    first = SandboxServer(state_file=str(state)).start()
    try:
        qb = sandbox_connect(REALM_BLUE_RIDGE, srv=first)
        customer = Customer()
        customer.DisplayName = "Survives restarts - 1030"
        saved = customer.save(qb=qb, request_id="persisted-request")
        first.control.advance_clock(2 * DAY)
        refresh_token = qb.auth_client.refresh_token
    finally:
        first.stop()
    saved_state = json.loads(state.read_text())
    assert (saved_state["format"], saved_state["version"]) == ("qbo_sandbox", 2)

    second = SandboxServer(state_file=str(state)).start()
    try:
        assert second.control.now()["now"] >= saved_state["clock"]
        auth = AuthClient(
            "sandbox-client-id",
            "sandbox-client-secret",
            "http://localhost:8069/qbo/oauth/callback",
            environment=second.discovery_url,
        )
        auth.refresh(refresh_token=refresh_token)
        assert auth.refresh_token != refresh_token, "two sandbox days passed before the restart"
        qb = sandbox_connect(REALM_BLUE_RIDGE, srv=second)
        assert Customer.filter(DisplayName="Survives restarts - 1030", qb=qb)[0].Id == saved.Id
        again = Customer()
        again.DisplayName = "Survives restarts - 1030"
        assert again.save(qb=qb, request_id="persisted-request").Id == saved.Id
    finally:
        second.stop()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".qbo_sandbox-")]


def test_a_state_file_of_something_else_is_refused(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    with pytest.raises(ValueError):
        SandboxServer(state_file=str(other))


def test_server_flags_replace_the_app_registration():
    with SandboxServer(
        client_id="my-app", client_secret="my-secret", redirect_uris=["http://localhost:8070/cb"], seed=False
    ) as srv:
        apps = srv.control.state()["apps"]
        assert list(apps) == ["my-app"] and apps["my-app"]["redirect_uris"] == ["http://localhost:8070/cb"]
        assert srv.control.state()["realms"][REALM_BLUE_RIDGE]["customers"] == []
        assert srv.control.authorize(REALM_BLUE_RIDGE)["redirect_url"].startswith("http://localhost:8070/cb?")


def _run_cli(*args, timeout=20):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "qbo_sandbox", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_command_line_help_documents_the_flags():
    result = _run_cli("--help")
    assert result.returncode == 0
    for flag in (
        "--host",
        "--port",
        "--client-id",
        "--client-secret",
        "--redirect-uri",
        "--state",
        "--time-scale",
        "--no-limits",
        "--latency",
        "--no-seed",
    ):
        assert flag in result.stdout
    assert "127.0.0.1" in result.stdout and "8765" in result.stdout


def test_command_line_starts_prints_the_registration_and_serves(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qbo_sandbox",
            "--port",
            "0",
            "--client-id",
            "cli-app",
            "--redirect-uri",
            "http://localhost:8069/a",
            "--redirect-uri",
            "http://localhost:8069/b",
            "--state",
            str(tmp_path / "s.json"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not lines or lines[-1].strip() != "Ctrl-C to stop.":
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        banner = "".join(lines)
        url = lines[0].split(" on ")[1].strip()
        assert url.startswith("http://127.0.0.1:")
        assert "cli-app" in banner and "http://localhost:8069/b" in banner
        assert f"{url}/.well-known/openid_configuration" in banner
        assert f"{url}/connect/oauth2?client_id=cli-app" in banner
        assert requests.get(url + "/.well-known/openid_configuration", timeout=10).json()[
            "token_endpoint"
        ] == (url + "/oauth2/v1/tokens/bearer")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "s.json").exists()
