"""Unit tests of the mapping from the host's dicts to QuickBooks payloads."""
import pytest

from chronicle_qbo_addon.services import mapping
from chronicle_qbo_addon.services.mapping import (
    check_template,
    customer_payload,
    job_payload,
    job_typed_name,
    name_fit_notice,
    payload_hash,
    qb_version_from_company_info,
    quote_query_literal,
    render_name,
    render_typed_name,
    sanitize_display_name,
)
from chronicle_qbo_addon.services.reads import name_query

PERSON = {
    "name": "John Doe", "ref": "C-0042", "is_company": False, "first_name": "John", "last_name": "Doe",
    "street": "12 Main St", "street2": "Apt 4", "city": "Roanoke", "state_code": "VA", "zip": "24011",
    "country_code": "US", "email": "john@example.com", "phone": "(540) 555-0100",
}
JOB = {
    "number": "2024-0137", "name": "Basement water loss", "description": "Pipe burst.\nDry-out and rebuild.",
    "site": {"street": "9 Oak Rd", "city": "Salem", "state_code": "VA", "zip": "24153", "country_code": "US"},
}
# 120 characters: with its number, a job name of 130 whose 100th character is inside "flooring".
LONG_JOB_NAME = ("Basement water loss after the supply line to the upstairs laundry failed, drywall, "
                 "flooring and cabinets in the basement")


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


def test_long_names_are_cut_after_their_last_whole_word():
    name = "24-0137 - " + LONG_JOB_NAME
    assert len(name) == 130 and name[:100].endswith(", floorin")
    assert sanitize_display_name(name) == (
        "24-0137 - Basement water loss after the supply line to the upstairs laundry failed, drywall"), \
        "cut after a word, its comma dropped"
    assert sanitize_display_name(name, max_length=40) == "24-0137 - Basement water loss after the"


def test_a_word_ending_at_the_limit_is_kept_whole():
    exact = "w" * 95 + " four" + " tail"
    assert sanitize_display_name(exact) == "w" * 95 + " four"
    assert sanitize_display_name("w" * 95 + " four -" + " tail") == "w" * 95 + " four"


def test_names_are_cut_hard_when_the_last_word_ends_too_early():
    # The last space within the limit is at 26, under 60 of 100: a word cut would drop most of it.
    name = "24-0101 - Water mitigation " + "x" * 90
    assert sanitize_display_name(name) == name[:100]
    assert sanitize_display_name("a" * 59 + " " + "b" * 60) == "a" * 59 + " " + "b" * 40
    assert sanitize_display_name("a" * 60 + " " + "b" * 60) == "a" * 60
    assert sanitize_display_name("- " * 80) == "- " * 49 + "-", "a name of separators is kept, not emptied"


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


@pytest.mark.parametrize("template, values, expected", [
    ("{customer} - {customer_ref}", {"customer": " Re: roof\tleak\n", "customer_ref": "C-42"},
     "Re: roof\tleak - C-42"),
    ("{customer} - {customer_ref}", {"customer": "John Doe", "customer_ref": "  "}, "John Doe"),
    ("{customer} - {customer_ref}", {"customer": "John Doe", "customer_ref": ":"}, "John Doe - :"),
    (" {customer} ", {"customer": "John"}, "John"),
])
def test_render_typed_name_keeps_what_quickbooks_refuses(template, values, expected):
    assert render_typed_name(template, values) == expected


def test_name_fit_notice_says_what_was_changed():
    job = dict(JOB, number="24:0137")
    typed = job_typed_name(job)
    assert typed == "24:0137 - Basement water loss"
    assert name_fit_notice(typed, job_payload(job, 1)["DisplayName"], "job") == (
        'The job name was changed to fit QuickBooks: "24:0137 - Basement water loss" became '
        '"24 0137 - Basement water loss" (QuickBooks allows no colon, tab or line break, and at most 100 '
        'characters).')
    cut = name_fit_notice("24-0137 - " + LONG_JOB_NAME, sanitize_display_name("24-0137 - " + LONG_JOB_NAME),
                          "customer")
    assert cut.startswith('The customer name was changed to fit QuickBooks: "24-0137 - %s" became "24-0137 - '
                          'Basement water loss' % LONG_JOB_NAME)
    assert "Owner\tHomes" in name_fit_notice("Owner\tHomes", "Owner Homes", "customer")


@pytest.mark.parametrize("typed", ["John Doe - C-42", "John  Doe - C-42", "John\xa0Doe - C-42"])
def test_name_fit_notice_is_quiet_when_only_spacing_changed(typed):
    assert name_fit_notice(typed, sanitize_display_name(typed), "customer") is None


def test_name_fit_notice_quotes_a_long_name_in_part():
    typed = "24-0137 - " + "word " * 500
    notice = name_fit_notice(typed, sanitize_display_name(typed), "job")
    shown = notice.split('"')[1]
    assert shown == typed[:mapping.NOTICE_NAME_MAX_LENGTH] + "\u2026"


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


def test_name_query_includes_inactive_records():
    assert name_query("Vendor", "O'Brien") == (
        "SELECT * FROM Vendor WHERE Active IN (true, false) AND DisplayName = 'O\\'Brien'")


@pytest.mark.parametrize("sku, edition", [
    ("QuickBooks Online Plus", "plus"),
    ("QuickBooks Online Essentials", "essentials"),
    ("QuickBooks Online Simple Start", "simple_start"),
    ("QuickBooks Online Advanced", "advanced"),
    ("QuickBooks Online Something New", None),
])
def test_the_edition_is_read_from_company_info(sku, edition):
    info = {"NameValue": [{"Name": "IndustryType", "Value": "Construction"}, {"Name": "OfferingSku", "Value": sku}]}
    assert qb_version_from_company_info(info) == edition
    assert qb_version_from_company_info({}) is None
