"""Unit tests of the mapping from the host's dicts to QuickBooks payloads."""
import pytest

from chronicle_qbo_addon.services import mapping
from chronicle_qbo_addon.services.mapping import (
    check_template,
    customer_payload,
    display_name_query,
    job_payload,
    payload_hash,
    quote_query_literal,
    render_name,
    sanitize_display_name,
)

PERSON = {
    "name": "John Doe", "ref": "C-0042", "is_company": False, "first_name": "John", "last_name": "Doe",
    "street": "12 Main St", "street2": "Apt 4", "city": "Roanoke", "state_code": "VA", "zip": "24011",
    "country_code": "US", "email": "john@example.com", "phone": "(540) 555-0100",
}
JOB = {
    "number": "2024-0137", "name": "Basement water loss", "description": "Pipe burst.\nDry-out and rebuild.",
    "site": {"street": "9 Oak Rd", "city": "Salem", "state_code": "VA", "zip": "24153", "country_code": "US"},
}


# === NAMES === #

@pytest.mark.parametrize("raw, expected", [
    ("John Doe", "John Doe"),
    ("  John \t Doe\n", "John Doe"),
    ("Smith: kitchen", "Smith kitchen"),
    ("a\r\nb\x00c\x85d", "a b c d"),
    ("", ""),
    (None, ""),
    (False, ""),
    (42, "42"),
])
def test_sanitize_display_name(raw, expected):
    assert sanitize_display_name(raw) == expected


def test_sanitize_cuts_at_a_word_not_a_separator():
    name = "2024-0137 - " + "x" * 86 + " - tail"
    assert len(name) > mapping.DISPLAY_NAME_MAX_LENGTH
    assert sanitize_display_name(name) == "2024-0137 - " + "x" * 86
    assert len(sanitize_display_name("y" * 600)) == mapping.DISPLAY_NAME_MAX_LENGTH
    assert sanitize_display_name("y" * 600, max_length=mapping.QBO_DISPLAY_NAME_LIMIT) == "y" * 500


def test_quote_query_literal():
    assert quote_query_literal("O'Brien") == "'O\\'Brien'"
    assert quote_query_literal("back\\slash") == "'back\\\\slash'"
    assert quote_query_literal(None) == "''"


@pytest.mark.parametrize("template, values, expected", [
    ("{customer} - {customer_ref}", {"customer": "John Doe", "customer_ref": "C-42"}, "John Doe - C-42"),
    ("{customer} - {customer_ref}", {"customer": "John Doe", "customer_ref": False}, "John Doe"),
    ("{customer} - {customer_ref}", {"customer": "John Doe"}, "John Doe"),
    ("{customer} - {customer_ref}", {"customer_ref": "C-42"}, "C-42"),
    ("{job_number} - {job_name}", {"job_number": "2024-1", "job_name": "  "}, "2024-1"),
    ("{a} - {b} / {c}", {"a": "A", "c": "C"}, "A / C"),
    ("{a} - {b} / {c}", {"b": "B", "c": "C"}, "B / C"),
    ("Job {job_number}", {"job_number": "7"}, "Job 7"),
    ("Job {job_number}", {}, ""),
    ("{customer} ({customer_ref})", {"customer": "Acme"}, "Acme"),
    ("{customer} ({customer_ref})", {"customer": "Acme", "customer_ref": "9"}, "Acme (9)"),
    ("{customer}", {"customer": "Re: roof\nleak"}, "Re roof leak"),
    ("{{literal}} {customer}", {"customer": "X"}, "{literal} X"),
])
def test_render_name(template, values, expected):
    assert render_name(template, values) == expected


def test_templates_are_checked():
    check_template("{job_number} - {job_name}", mapping.JOB_TEMPLATE_FIELDS)
    with pytest.raises(ValueError, match="Unknown placeholder"):
        check_template("{job_nr}", mapping.JOB_TEMPLATE_FIELDS)
    with pytest.raises(ValueError, match="plain"):
        check_template("{job_number:>8}", mapping.JOB_TEMPLATE_FIELDS)
    with pytest.raises(ValueError):
        check_template("{job_number", mapping.JOB_TEMPLATE_FIELDS)
    with pytest.raises(ValueError, match="plain"):
        render_name("{customer!r}", {"customer": "x"})


@pytest.mark.parametrize("template", [
    "{{customer}}", "{{customer}} - {{customer_ref}}", "Customer", "", " - "])
def test_templates_without_a_placeholder_are_refused(template):
    assert render_name(template, {"customer": "John Doe", "customer_ref": "C-42"}) == "", \
        "every customer would get an empty name, and every push would fail"
    with pytest.raises(ValueError, match=r"at least one placeholder such as \{customer\}; doubled braces"):
        check_template(template, mapping.CUSTOMER_TEMPLATE_FIELDS)


@pytest.mark.parametrize("template, fields", [
    (mapping.DEFAULT_CUSTOMER_TEMPLATE, mapping.CUSTOMER_TEMPLATE_FIELDS),
    (mapping.DEFAULT_JOB_TEMPLATE, mapping.JOB_TEMPLATE_FIELDS),
    ("{{{job_number}}} {job_name}", mapping.JOB_TEMPLATE_FIELDS),
])
def test_templates_with_a_placeholder_are_accepted(template, fields):
    check_template(template, fields)


# === PAYLOADS === #

def test_customer_payload_person():
    assert customer_payload(PERSON) == {
        "DisplayName": "John Doe - C-0042",
        "GivenName": "John",
        "FamilyName": "Doe",
        "BillAddr": {"Line1": "12 Main St", "Line2": "Apt 4", "City": "Roanoke",
                     "CountrySubDivisionCode": "VA", "PostalCode": "24011", "Country": "US"},
        "PrimaryEmailAddr": {"Address": "john@example.com"},
        "PrimaryPhone": {"FreeFormNumber": "(540) 555-0100"},
    }


def test_customer_payload_company_and_odoo_empty_values():
    company = {"name": "Acme: Holdings", "ref": False, "is_company": True, "first_name": False,
               "last_name": False, "street": False, "city": "Roanoke", "email": "not-an-email",
               "phone": False}
    assert customer_payload(company, {"customer_template": "{customer}"}) == {
        "DisplayName": "Acme Holdings", "CompanyName": "Acme Holdings", "BillAddr": {"City": "Roanoke"}}


def test_customer_payload_contact_of_a_company():
    contact = dict(PERSON, company_name="Doe Holdings", ref=None, email="john @example.com")
    payload = customer_payload(contact)
    assert payload["DisplayName"] == "John Doe"
    assert payload["CompanyName"] == "Doe Holdings"
    assert "PrimaryEmailAddr" not in payload


def test_customer_without_name_is_refused():
    with pytest.raises(ValueError, match="no name"):
        customer_payload({"name": " : ", "ref": False})


def test_customer_lengths_are_kept_within_qbo_limits():
    long = dict(PERSON, first_name="F" * 150, zip="9" * 40, phone="5" * 40)
    payload = customer_payload(long)
    assert len(payload["GivenName"]) == 100
    assert len(payload["BillAddr"]["PostalCode"]) == 30
    assert len(payload["PrimaryPhone"]["FreeFormNumber"]) == 30


def test_job_payload():
    assert job_payload(JOB, 58, PERSON) == {
        "DisplayName": "2024-0137 - Basement water loss",
        "Job": True,
        "ParentRef": {"value": "58"},
        "BillWithParent": True,
        "ShipAddr": {"Line1": "9 Oak Rd", "City": "Salem", "CountrySubDivisionCode": "VA",
                     "PostalCode": "24153", "Country": "US"},
        "Notes": "Pipe burst.\nDry-out and rebuild.",
    }


def test_job_payload_settings_and_missing_parts():
    job = {"number": "2024-0138", "name": False, "description": False, "site": None}
    settings = {"job_template": "{job_number} - {job_name} ({customer})", "bill_with_parent": False}
    assert job_payload(job, "7", {"name": "Ann Lee"}, settings) == {
        "DisplayName": "2024-0138 (Ann Lee)", "Job": True, "ParentRef": {"value": "7"},
        "BillWithParent": False}
    with pytest.raises(ValueError, match="no number or name"):
        job_payload({"number": False, "name": ""}, "7")


def test_notes_are_cut_at_qbo_limit():
    assert len(job_payload(dict(JOB, description="d" * 3000), 1)["Notes"]) == mapping.NOTES_MAX_LENGTH


def test_payload_hash():
    payload = customer_payload(PERSON)
    reordered = dict(reversed(list(payload.items())))
    assert payload_hash(payload) == payload_hash(reordered)
    assert payload_hash(payload) == payload_hash(dict(payload, Id="5", SyncToken="3", sparse=True))
    assert payload_hash(payload) != payload_hash(dict(payload, DisplayName="Other"))
    assert len(payload_hash(payload)) == 64


def test_display_name_query_includes_inactive_records():
    assert display_name_query("Vendor", "O'Brien") == (
        "SELECT * FROM Vendor WHERE Active IN (true, false) AND DisplayName = 'O\\'Brien'")
