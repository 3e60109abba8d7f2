"""Property-based tests of the name rules: what is created is what is searched for."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronicle_qbo_addon.services.mapping import (
    DISPLAY_NAME_MAX_LENGTH,
    customer_payload,
    display_name_query,
    job_payload,
    payload_hash,
    quote_query_literal,
    render_name,
    sanitize_display_name,
)

# Names as people type them, plus every character QuickBooks refuses and a few that look like space.
awkward = st.sampled_from(":\t\n\r\x0b\x0c\x85\u2028\xa0'\\%- ")
names = st.text(st.one_of(st.characters(), awkward), max_size=700)
optional_names = st.one_of(st.none(), st.just(False), names)


def unquote(literal):
    """The QuickBooks rule for a string literal: quoted with ', a backslash escapes the next character."""
    assert literal[0] == literal[-1] == "'"
    return re.sub(r"\\(.)", r"\1", literal[1:-1], flags=re.DOTALL)


@given(names, st.integers(min_value=1, max_value=600))
def test_sanitized_names_are_acceptable(name, max_length):
    clean = sanitize_display_name(name, max_length)
    assert not set(clean) & set(":\t\n\r")
    assert len(clean) <= max_length
    assert clean == clean.strip()
    assert "  " not in clean


@given(names, st.integers(min_value=1, max_value=600))
def test_sanitizing_is_idempotent(name, max_length):
    once = sanitize_display_name(name, max_length)
    assert sanitize_display_name(once, max_length) == once


@given(names)
def test_sanitizing_keeps_acceptable_names(name):
    clean = sanitize_display_name(name)
    if clean and len(name) <= DISPLAY_NAME_MAX_LENGTH and name == clean:
        assert sanitize_display_name(name) == name


@given(names)
def test_quoting_round_trips(value):
    assert unquote(quote_query_literal(value)) == value


# No deadline: the first example also loads the sandbox, which takes longer than one example may.
@settings(max_examples=300, deadline=None)
@given(names)
def test_quoting_round_trips_through_the_sandbox_parser(value):
    query = pytest.importorskip("qbo_sandbox.query")
    name = sanitize_display_name(value)
    parsed = query.parse(display_name_query("Customer", name))
    assert parsed.conditions[-1].field == "DisplayName"
    assert parsed.conditions[-1].values == [name]


@given(optional_names, optional_names)
def test_missing_values_leave_no_dangling_separator(customer, ref):
    rendered = sanitize_display_name(render_name("{customer} - {customer_ref}", {
        "customer": customer, "customer_ref": ref}))
    present = [sanitize_display_name(value, 10_000) for value in (customer, ref)]
    present = [value for value in present if value]
    assert rendered == sanitize_display_name(" - ".join(present))


@given(name=names, ref=optional_names, number=optional_names, job_name=optional_names)
def test_searching_and_creating_use_the_same_name(name, ref, number, job_name):
    customer = {"name": name, "ref": ref}
    try:
        created = customer_payload(customer)["DisplayName"]
    except ValueError:
        assert not sanitize_display_name(render_name("{customer} - {customer_ref}", {
            "customer": name, "customer_ref": ref}))
        return
    searched = unquote(display_name_query("Customer", created).rsplit("DisplayName = ", 1)[1])
    assert searched == created == sanitize_display_name(created)
    try:
        job_name_created = job_payload({"number": number, "name": job_name}, "1", customer)["DisplayName"]
    except ValueError:
        return
    assert unquote(display_name_query("Customer", job_name_created).rsplit("DisplayName = ", 1)[1]) == \
        job_name_created == sanitize_display_name(job_name_created)


@given(st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers(), st.booleans()),
                       max_size=6))
def test_payload_hash_ignores_key_order_and_write_metadata(payload):
    reordered = dict(reversed(list(payload.items())))
    assert payload_hash(payload) == payload_hash(reordered)
    assert payload_hash(payload) == payload_hash(dict(payload, Id="1", SyncToken="9", sparse=True))
