"""Reads: the query builder, paging, look-ups by entity type, CDC answers, and Link job's search."""
import pytest

from chronicle_qbo_addon.services import reads
from chronicle_qbo_addon.services.errors import QboError
from chronicle_qbo_addon.services.reads import (
    CDC_MAX_OBJECTS,
    Index,
    cdc_changes,
    find_by_name,
    lookup_statements,
    name_holder,
    name_query,
    page,
    query_rows,
    read_all,
    search_customers,
    select,
)

# === STATEMENTS AND ANSWERS (no request) === #


def test_select_includes_inactive_records_of_the_types_that_have_active():
    assert select("Customer", [("PrimaryEmailAddr", "=", "o'neil@example.com")]) == (
        "SELECT * FROM Customer WHERE Active IN (true, false) AND PrimaryEmailAddr = 'o\\'neil@example.com'")
    assert select("Invoice", [("DocNumber", "IN", ["1001", "1002"])], order_by="TxnDate") == (
        "SELECT * FROM Invoice WHERE DocNumber IN ('1001', '1002') ORDERBY TxnDate")
    assert select("Bill") == "SELECT * FROM Bill"
    assert name_query("Item", "Drywall") == (
        "SELECT * FROM Item WHERE Active IN (true, false) AND Name = 'Drywall'")


def test_lookup_statements_chunk_sorted_values(monkeypatch):
    monkeypatch.setattr(reads, "LOOKUP_SIZE", 2)
    assert lookup_statements("Class", "Name", {"b", "a", "c"}) == [
        (["a", "b"], "SELECT * FROM Class WHERE Active IN (true, false) AND Name IN ('a', 'b')"),
        (["c"], "SELECT * FROM Class WHERE Active IN (true, false) AND Name IN ('c')"),
    ]


def test_page_adds_paging_once():
    assert page("SELECT * FROM Bill", 1001) == "SELECT * FROM Bill STARTPOSITION 1001 MAXRESULTS 1000"
    assert page("SELECT * FROM Bill", size=5).endswith("STARTPOSITION 1 MAXRESULTS 5")
    with pytest.raises(ValueError):
        page("SELECT * FROM Bill MAXRESULTS 5")
    named = select("Customer", [("DisplayName", "=", "Maxresults Startposition LLC")])
    assert page(named).endswith("'Maxresults Startposition LLC' STARTPOSITION 1 MAXRESULTS 1000"), \
        "words inside a name are no paging"


def test_query_rows_takes_the_list_of_any_entity():
    assert query_rows({"Item": [{"Id": "1"}], "maxResults": 1, "startPosition": 1}) == [{"Id": "1"}]
    assert query_rows({"startPosition": 1}) == [] and query_rows(None) == []


def test_read_all_pages_every_statement_together(monkeypatch):
    monkeypatch.setattr(reads, "PAGE_SIZE", 2)
    rows = {"SELECT * FROM A": [{"Id": str(i)} for i in range(5)], "SELECT * FROM B": [{"Id": "b"}]}
    sent = []

    def send(statements):
        sent.append(statements)
        answers = []
        for statement in statements:
            base, start = statement.split(" STARTPOSITION ")
            start = int(start.split()[0])
            answers.append(QboError("http_503", "down") if base == "SELECT * FROM C"
                           else rows[base][start - 1:start + 1])
        return answers

    results = read_all(["SELECT * FROM A", "SELECT * FROM B", "SELECT * FROM C"], send)
    assert [len(result) for result in results[:2]] == [5, 1] and isinstance(results[2], QboError)
    assert [len(statements) for statements in sent] == [3, 1, 1], "the pages of all statements go together"


def test_index_names_by_the_entity_types_name_field():
    items = Index("Item", [{"Id": "3", "Name": "Drywall"}, {"Id": "4", "Name": "Labor"}])
    assert items.by_name["drywall"]["Id"] == "3" and items.by_id["4"]["Name"] == "Labor"
    ann = {"Id": "1", "DisplayName": "Ann", "PrimaryEmailAddr": {"Address": "A@x.org"}}
    people = Index("Customer", [ann])
    assert people.by_name["ann"]["Id"] == "1" and list(people.by_email["a@x.org"]) == ["1"]


def test_cdc_answers_are_read_per_entity_with_deleted_objects_and_caps():
    answer = {"CDCResponse": [{"QueryResponse": [
        {"Customer": [{"Id": "1", "DisplayName": "A"}, {"Id": "2", "status": "Deleted"}],
         "startPosition": 1, "maxResults": 2},
        {"startPosition": 1, "maxResults": 0, "totalCount": 0},
        {"Bill": [{"Id": str(i)} for i in range(CDC_MAX_OBJECTS)], "maxResults": CDC_MAX_OBJECTS},
    ]}], "time": "2026-01-05T04:00:00.000-08:00"}
    changes = cdc_changes(answer, ["Customer", "Invoice", "bill"])
    assert changes["Customer"] == [{"Id": "1", "DisplayName": "A"}, {"Id": "2", "status": "Deleted"}]
    assert changes["Invoice"] == [] and len(changes["bill"]) == CDC_MAX_OBJECTS
    assert changes.capped == {"bill"} and changes.time == "2026-01-05T04:00:00.000-08:00"


# === AGAINST THE SANDBOX === #


def test_names_are_found_in_any_entity_type(client):
    assert find_by_name(client, "Customer", "margaret hollis - 1001")["Id"] == "1"
    assert find_by_name(client, "Customer", "Nobody at all") is None
    assert name_holder(client, "ferguson plumbing supply") == "Vendor"
    assert name_holder(client, "Margaret Hollis - 1001") is None, "a customer is neither vendor nor employee"


def test_search_customers_lists_customers_and_jobs(client):
    rows = search_customers(client, "mold")
    assert rows == [{"id": rows[0]["id"], "name": "24-0140 - Mold remediation, basement storage",
                     "fully_qualified_name": "Asheville Property Group - 1002:24-0140 - Mold remediation, "
                                             "basement storage",
                     "is_job": True, "parent_id": rows[0]["parent_id"],
                     "parent_name": "Asheville Property Group - 1002", "active": True}]
    hollis = search_customers(client, "Margaret Hollis")
    assert [row["fully_qualified_name"] for row in hollis] == [
        "Margaret Hollis - 1001",
        "Margaret Hollis - 1001:24-0117 - Water mitigation, kitchen supply line",
        "Margaret Hollis - 1001:24-0131 - Drywall and cabinet rebuild",
    ], "a customer's name finds its jobs too"
    [henderson] = search_customers(client, "henderson")
    assert (henderson["active"], henderson["is_job"]) == (False, False)
    assert len(search_customers(client, "", limit=3)) == 3
    assert search_customers(client, "o'brien") == []


def recording(client):
    """Keep the statements the client sends, in ``client.sent``."""
    real_query = client.query
    client.sent = []

    def query(statement, params=None):
        client.sent.append(statement)
        return real_query(statement, params)

    client.query = query
    return client


def test_search_text_percent_signs_are_no_wildcards(client):
    recording(client)
    rows = search_customers(client, "%%0131%%%hollis%")
    assert [row["fully_qualified_name"] for row in rows] == [
        "Margaret Hollis - 1001:24-0131 - Drywall and cabinet rebuild"], "every word, in any order"
    assert client.sent[-1].count("%") == 2 and "LIKE '%hollis%'" in client.sent[-1]
    assert search_customers(client, "0131%reyes") == [], "a % is no wildcard: both words must appear"
    assert search_customers(client, "%%%", limit=3) == search_customers(client, "", limit=3)
    assert "LIKE" not in client.sent[-2], "a text of only % is no filter"
    assert search_customers(client, "24_0131") == [], "_ is looked for as it is"
    assert search_customers(client, "24-01%hollis", limit=1)[0]["fully_qualified_name"] == (
        "Margaret Hollis - 1001:24-0117 - Water mitigation, kitchen supply line")


def test_search_text_quotes_and_backslashes_are_looked_for_as_they_are(client):
    made = client.create("Customer", {"DisplayName": "O'Neil \\ Sons - 1400"})
    recording(client)
    [row] = search_customers(client, "o'neil \\ sons")
    assert row["id"] == made["Id"]
    assert "LIKE '%o\\'neil \\\\ sons%'" in client.sent[-1]
