"""Property-based tests of the name rules: what is created is what is searched for."""
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronicle_qbo_addon.services.mapping import (
    DISPLAY_NAME_MAX_LENGTH,
    WORD_CUT_MIN_SHARE,
    customer_payload,
    customer_typed_name,
    job_payload,
    job_typed_name,
    name_fit_notice,
    payload_hash,
    quote_query_literal,
    render_name,
    sanitize_display_name,
)
from chronicle_qbo_addon.services.reads import name_query

# Names as people type them, plus every character QuickBooks refuses and a few that look like space.
awkward = st.sampled_from(":\t\n\r\x0b\x0c\x85\u2028\xa0'\\%- ")
# Long names made of words and separators, so that cuts meet word ends, commas and dashes.
wordy = st.lists(st.one_of(st.text(st.sampled_from("abcXYZ09:.'"), min_size=1, max_size=25),
                           st.sampled_from(["-", ",", " - ", "&", "/", "\t", "\n"])),
                 max_size=60).map(" ".join)
names = st.one_of(st.text(st.one_of(st.characters(), awkward), max_size=700), wordy)
optional_names = st.one_of(st.none(), st.just(False), names)
limits = st.one_of(st.just(DISPLAY_NAME_MAX_LENGTH), st.integers(min_value=1, max_value=600))
# What a cut may leave at the end of a name and is then dropped (see mapping._TRAILING_SEPARATORS).
SEPARATORS = " -\u2013\u2014,;/|&+"


def flattened(name):
    """The name on one line, as QuickBooks takes it: colons and control characters are spaces,
    whitespace runs are one space, the ends stripped; nothing cut."""
    text = "".join(" " if char == ":" or unicodedata.category(char) in ("Cc", "Cs") else char
                   for char in ("" if name is None or name is False else str(name)))
    return " ".join(text.split())


def unquote(literal):
    """The QuickBooks rule for a string literal: quoted with ', a backslash escapes the next character."""
    assert literal[0] == literal[-1] == "'"
    return re.sub(r"\\(.)", r"\1", literal[1:-1], flags=re.DOTALL)


@given(names, limits)
def test_sanitized_names_are_acceptable(name, max_length):
    clean = sanitize_display_name(name, max_length)
    assert ":" not in clean
    assert not [char for char in clean if unicodedata.category(char) in ("Cc", "Cs")]
    assert len(clean) <= max_length
    assert clean == clean.strip()
    assert "  " not in clean


@given(names, limits)
def test_a_cut_name_is_a_prefix_of_the_flattened_name(name, max_length):
    flat = flattened(name)
    clean = sanitize_display_name(name, max_length)
    assert flat.startswith(clean)
    assert bool(clean) == bool(flat), "a name is never cut away"
    if len(flat) <= max_length:
        assert clean == flat, "a name that fits is not cut"


@given(names, limits)
def test_long_names_are_cut_at_a_word_that_keeps_most_of_the_limit(name, max_length):
    flat = flattened(name)
    clean = sanitize_display_name(name, max_length)
    if len(flat) <= max_length:
        return
    rest = flat[len(clean):]
    # What the cut dropped from the end of the name: separators only, up to the cut itself.
    dropped = len(rest) - len(rest.lstrip(SEPARATORS))
    assert len(clean) + dropped >= max_length * WORD_CUT_MIN_SHARE
    last_word_end = flat.rfind(" ", 0, max_length + 1)
    if last_word_end >= max_length * WORD_CUT_MIN_SHARE:
        assert rest[0] in SEPARATORS, "the cut falls between words, not inside one"
    if clean.rstrip(SEPARATORS):
        assert clean == clean.rstrip(SEPARATORS), "no dangling separator is left at the cut"


@given(names, limits)
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
    parsed = query.parse(name_query("Customer", name))
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
    searched = unquote(name_query("Customer", created).rsplit("DisplayName = ", 1)[1])
    assert searched == created == sanitize_display_name(created)
    try:
        job_name_created = job_payload({"number": number, "name": job_name}, "1", customer)["DisplayName"]
    except ValueError:
        return
    assert unquote(name_query("Customer", job_name_created).rsplit("DisplayName = ", 1)[1]) == \
        job_name_created == sanitize_display_name(job_name_created)


@given(name=names, ref=optional_names, number=optional_names, job_name=optional_names)
def test_the_fit_notice_is_given_when_a_name_is_not_sent_as_typed(name, ref, number, job_name):
    customer = {"name": name, "ref": ref}
    job = {"number": number, "name": job_name}
    for typed, build in ((customer_typed_name(customer), lambda: customer_payload(customer)),
                         (job_typed_name(job, customer), lambda: job_payload(job, "1", customer))):
        try:
            sent = build()["DisplayName"]
        except ValueError:
            continue
        notice = name_fit_notice(typed, sent, "job")
        refused = [char for char in typed if char == ":" or unicodedata.category(char) in ("Cc", "Cs")]
        if refused or len(" ".join(typed.split())) > DISPLAY_NAME_MAX_LENGTH:
            assert notice is not None
        if notice is None:
            assert sent == " ".join(typed.split()), "only spacing differs"
        else:
            assert '" became "%s" (' % sent in notice


@given(st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers(), st.booleans()),
                       max_size=6))
def test_payload_hash_ignores_key_order_and_write_metadata(payload):
    reordered = dict(reversed(list(payload.items())))
    assert payload_hash(payload) == payload_hash(reordered)
    assert payload_hash(payload) == payload_hash(dict(payload, Id="1", SyncToken="9", sparse=True))
