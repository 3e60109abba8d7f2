"""The QBO query language of the sandbox, through python-quickbooks' query helpers and raw
``qb.query``: operators, ordering, paging, counting, quoting, and QBO's parser faults."""

import re
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from quickbooks.exceptions import ValidationException
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.vendor import Vendor

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_COASTAL, Control, query
from qbo_sandbox.errors import QboFault

ROOT = Path(__file__).resolve().parents[1]


def names(rows):
    return [row.DisplayName for row in rows]


def test_equality_in_like_and_and(qb):
    assert names(Customer.filter(DisplayName="Daniel Reyes - 1003", qb=qb)) == ["Daniel Reyes - 1003"]
    assert names(Customer.filter(DisplayName="daniel reyes - 1003", qb=qb)) == ["Daniel Reyes - 1003"]
    assert names(Customer.where("FullyQualifiedName LIKE '%Reyes%' AND Job = true", qb=qb)) == [
        "24-0126 - Storm damage, roof tarp and dry-out"
    ]
    assert names(Customer.where("DisplayName LIKE 'margaret%'", qb=qb)) == ["Margaret Hollis - 1001"]
    chosen = Customer.choose(["1", "4"], qb=qb)
    assert [c.Id for c in chosen] == ["1", "4"]
    assert len(Customer.where("Id IN ('1', '4', '999')", qb=qb)) == 2
    assert names(Vendor.where("Vendor1099 = true", qb=qb)) == ["Mountain Drywall Subcontracting LLC"]


def test_comparisons_on_numbers_and_dates(qb):
    balances = {c.DisplayName: c.Balance for c in Customer.where("Balance > '1000'", qb=qb)}
    assert set(balances) == {
        "24-0117 - Water mitigation, kitchen supply line",
        "24-0122 - Fire damage, unit 4B smoke cleaning",
        "24-0126 - Storm damage, roof tarp and dry-out",
    }
    assert len(Customer.where("Balance >= 1250", qb=qb)) == 3
    assert len(Customer.where("Balance < 1250 AND Balance > 0", qb=qb)) == 0
    assert len(Customer.where("Balance <= 0", qb=qb)) == 6
    created = Customer.get("1", qb=qb).MetaData["CreateTime"]
    later = Customer.where(f"MetaData.CreateTime > '{created}'", qb=qb)
    assert "1" not in [c.Id for c in later] and len(later) == 8
    assert len(Customer.where("Metadata.LastUpdatedTime > '2000-01-01'", qb=qb)) == 9


def test_active_filter_is_implicit_as_in_qbo(qb):
    assert "Henderson Family Trust - 1005" not in names(Customer.all(qb=qb))
    assert names(Customer.where("Active = false", qb=qb)) == ["Henderson Family Trust - 1005"]
    assert len(Customer.where("Active IN (true, false)", qb=qb)) == 10
    assert Customer.count(qb=qb) == 9
    assert Customer.count("Active IN (true, false)", qb=qb) == 10


def test_order_paging_and_counts(qb):
    ordered = names(Customer.where("Job = false", order_by="DisplayName DESC", qb=qb))
    assert ordered == sorted(ordered, key=str.lower, reverse=True)
    assert (
        names(Customer.all(order_by="DisplayName", qb=qb))[0]
        == "24-0117 - Water mitigation, kitchen supply line"
    )
    page = qb.query("SELECT * FROM Customer ORDERBY Id STARTPOSITION 3 MAXRESULTS 4")["QueryResponse"]
    assert [c["Id"] for c in page["Customer"]] == ["3", "4", "5", "6"]
    assert page["startPosition"] == 3 and page["maxResults"] == 4
    tail = qb.query("select * from customer orderby Id desc maxresults 2 startposition 1")["QueryResponse"]
    assert [c["Id"] for c in tail["Customer"]] == ["9", "8"]
    assert qb.query("SELECT COUNT(*) FROM Vendor")["QueryResponse"] == {"totalCount": 5}
    assert qb.query("SELECT * FROM Customer WHERE DisplayName = 'nobody'")["QueryResponse"] == {}
    assert qb.query("SELECT * FROM SalesReceipt")["QueryResponse"] == {}
    assert qb.query("SELECT * FROM CompanyInfo")["QueryResponse"]["CompanyInfo"][0]["CompanyName"] == (
        "Blue Ridge Restoration LLC"
    )


def test_maxresults_is_capped_at_1000(qb):
    for index in range(3):
        customer = Customer()
        customer.DisplayName = f"Paging {index}"
        customer.save(qb=qb)
    answer = qb.query("SELECT * FROM Customer MAXRESULTS 5000")["QueryResponse"]
    assert answer["maxResults"] == 12 and len(answer["Customer"]) == 12
    default = qb.query("SELECT * FROM Customer")["QueryResponse"]
    assert default["startPosition"] == 1


def test_escaped_quotes(sandbox_connect):
    coastal = sandbox_connect(REALM_COASTAL)
    assert names(Employee.filter(FamilyName="O'Neal", qb=coastal)) == ["Kevin O'Neal"]
    assert names(Employee.where(r"DisplayName = 'Kevin O\'Neal'", qb=coastal)) == ["Kevin O'Neal"]


def test_get_query_endpoint(qb):
    response = requests.get(
        f"{qb.api_url}/company/{qb.company_id}/query",
        params={"query": "SELECT * FROM Employee WHERE GivenName = 'Jenna'", "minorversion": 75},
        headers={"Authorization": f"Bearer {qb.auth_client.access_token}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["QueryResponse"]["Employee"][0]["FamilyName"] == "Park"


MALFORMED = [
    "",
    "SELEC * FROM Customer",
    "SELECT FROM Customer",
    "SELECT * Customer",
    "SELECT * FROM",
    "SELECT DisplayName FROM Customer",
    "SELECT * FROM Customer WHERE",
    "SELECT * FROM Customer WHERE DisplayName = 'unterminated",
    "SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'",
    "SELECT * FROM Customer WHERE DisplayName != 'a'",
    "SELECT * FROM Customer WHERE Id IN ()",
    "SELECT * FROM Customer WHERE Balance > ",
    "SELECT * FROM Customer MAXRESULTS ten",
    "SELECT * FROM Customer MAXRESULTS 1.5",
    "SELECT * FROM Customer ORDER DisplayName",
    "SELECT * FROM Customer; DROP TABLE Customer",
    'SELECT * FROM Customer WHERE DisplayName = "double"',
    "SELECT COUNT(DisplayName) FROM Customer",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_queries_get_the_parser_fault(qb, text):
    with pytest.raises(ValidationException) as raised:
        qb.query(text)
    assert raised.value.error_code == 4000
    assert raised.value.message == "Error parsing query"
    assert raised.value.detail.startswith("QueryParserError:")


def test_unknown_properties_and_entities_get_the_validation_fault(qb):
    for text in (
        "SELECT * FROM Customer WHERE Colour = 'red'",
        "SELECT * FROM Customer ORDERBY Shoe",
        "SELECT * FROM Spaceship",
    ):
        with pytest.raises(ValidationException) as raised:
            qb.query(text)
        assert raised.value.error_code == 4001


def test_parser_error_names_the_place(qb):
    with pytest.raises(ValidationException) as raised:
        qb.query("SELECT * FROM Customer WHERE DisplayName = 'Cutlery 'R Us'")
    assert 'Encountered " <IDENTIFIER> "R "" at line 1, column 54.' in raised.value.detail


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SELCTFROMWHEAND*()',=<>%\\ 0123456789abcxyz.")), max_size=60))
def test_the_parser_answers_any_text_with_a_result_or_a_fault(text):
    try:
        query.parse(text)
    except QboFault as fault:
        assert fault.code == "4000"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_the_parser_survives_arbitrary_unicode(text):
    try:
        query.parse("SELECT * FROM Customer WHERE DisplayName = " + text)
    except QboFault as fault:
        assert fault.code == "4000"


# ---------------------------------------------------------------- LIKE


def like(text, pattern):
    return query.like(text, query.like_parts(pattern))


@pytest.mark.parametrize(
    "text, pattern, expected",
    [
        ("Margaret Hollis - 1001", "margaret%", True),
        ("Margaret Hollis - 1001", "%- 1001", True),
        ("Margaret Hollis - 1001", "%hollis%", True),
        ("Margaret Hollis - 1001", "m%ret%ol%1", True),
        ("Margaret Hollis - 1001", "%r%a%e%", True),
        ("Margaret Hollis - 1001", "MARGARET HOLLIS - 1001", True),
        ("Margaret Hollis - 1001", "Margaret", False),
        ("Margaret Hollis - 1001", "%Hollis", False),
        ("Margaret Hollis - 1001", "%1001%Hollis%", False),
        ("Margaret Hollis - 1001", "%a%a%a%", False),
        ("abab", "ab%ab", True),
        ("aba", "ab%ba", False),
        ("", "%", True),
        ("", "", True),
        ("x", "", False),
        ("anything", "%%%", True),
        ("a_c", "a_c", True),
        ("abc", "a_c", False),
        ("abc", "a.c", False),
        ("abc", "a*", False),
        ("a+b", "%+%", True),
        ("line\nbreak", "line%break", True),
        ("\u039f\u0394\u039f\u03a3", "%\u03bf\u03c2", True),
        ("Stra\u00dfe", "strasse", False),
        ("STRASSE", "stra\u00dfe", False),
    ],
)
def test_like_semantics(text, pattern, expected):
    assert like(text, pattern) is expected


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("aAbB_.*\n\u00df\u0131I\u0130\u03a3\u03c3\u03c2")), max_size=10),
    st.text(alphabet=st.sampled_from(list("aAbB_.*%%\n\u00dfsi\u03c3")), max_size=8),
)
def test_like_is_a_case_insensitive_whole_match_where_only_percent_is_a_wildcard(text, pattern):
    reference = ".*".join(re.escape(part) for part in pattern.split("%"))
    assert like(text, pattern) is (re.fullmatch(reference, text, re.IGNORECASE | re.DOTALL) is not None)


def test_like_is_linear_whatever_the_pattern():
    """A backtracking match of these patterns never ends; run in a child so that it fails
    on the timeout instead of freezing the test run."""
    code = textwrap.dedent(
        """
        from qbo_sandbox import query
        pattern = "%a" * 20 + "%b"
        parsed = query.parse(f"SELECT * FROM Customer WHERE DisplayName LIKE '{pattern}'")
        records = [{"Id": str(i), "DisplayName": f"{i:03d}" + "a" * 197} for i in range(200)]
        assert query.run(parsed, records) == ([], 0)
        text = "a" * 100_000
        assert not query.like(text, query.like_parts("%a" * 2000 + "%b"))
        assert query.like(text + "b", query.like_parts("%a" * 2000 + "%b"))
        assert query.like(text, query.like_parts("%" * 100_000 + "a"))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def api_query(api_url_v3, realm_id, access_token, text, timeout=10):
    return requests.get(
        f"{api_url_v3}/company/{realm_id}/query",
        params={"query": text, "minorversion": 75},
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        timeout=timeout,
    )


@pytest.fixture
def child_sandbox():
    """A sandbox in its own process: a runaway query there times the client out instead of
    taking this interpreter down with it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "qbo_sandbox", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = process.stdout.readline().split(" on ")[-1].strip()
        assert url.startswith("http://"), url
        yield url
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_pathological_like_answers_at_once(child_sandbox):
    api_url_v3 = child_sandbox + "/v3"
    token = Control(child_sandbox).connect(REALM_BLUE_RIDGE)["access_token"]
    for first in range(0, 200, 25):
        names = [f"{index:03d}" + "a" * 197 for index in range(first, first + 25)]
        items = [
            {"bId": name[:3], "operation": "create", "Customer": {"DisplayName": name}} for name in names
        ]
        created = requests.post(
            f"{api_url_v3}/company/{REALM_BLUE_RIDGE}/batch",
            json={"BatchItemRequest": items},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=10,
        )
        assert all("Customer" in item for item in created.json()["BatchItemResponse"])
    text = "SELECT * FROM Customer WHERE DisplayName LIKE '" + "%a" * 20 + "%b'"
    answer = api_query(api_url_v3, REALM_BLUE_RIDGE, token, text)
    assert answer.status_code == 200 and answer.json()["QueryResponse"] == {}
    count = api_query(
        api_url_v3, REALM_BLUE_RIDGE, token, "SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE '1%a%a%A'"
    )
    assert count.json()["QueryResponse"]["totalCount"] == 100


def test_a_query_on_one_company_never_holds_up_another(sandbox, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    plain_matches = query.matches

    def held_matches(record, condition):
        entered.set()
        release.wait(10)
        return plain_matches(record, condition)

    monkeypatch.setattr(query, "matches", held_matches)
    blue_ridge = sandbox.control.connect(REALM_BLUE_RIDGE)["access_token"]
    coastal = sandbox.control.connect(REALM_COASTAL)["access_token"]
    with ThreadPoolExecutor(1) as pool:
        text = "SELECT * FROM Customer WHERE DisplayName LIKE '%Reyes%'"
        held = pool.submit(api_query, sandbox.api_url_v3, REALM_BLUE_RIDGE, blue_ridge, text)
        try:
            assert entered.wait(5)
            other = api_query(sandbox.api_url_v3, REALM_COASTAL, coastal, "SELECT * FROM Employee", timeout=5)
            assert other.status_code == 200 and other.json()["QueryResponse"]["Employee"]
            assert sandbox.control.state(REALM_COASTAL)["realms"][REALM_COASTAL]["employees"]
            assert not held.done()
        finally:
            release.set()
        assert held.result().status_code == 200
