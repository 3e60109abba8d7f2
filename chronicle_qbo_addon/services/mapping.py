"""Pure functions from the host's plain dicts to QuickBooks Online payloads and names, and the
quoting of query literals (the queries themselves are built in :mod:`.reads`).

Input shapes (built by the Odoo side from ``res.partner`` and ``project.project``; a missing key,
None or False all mean "no value", so Odoo's False for empty fields can be passed as is):

customer::

    {"name": "John Doe", "ref": "C-0042", "is_company": False,
     "company_name": "Doe Holdings",          # the person's company, if any
     "first_name": "John", "last_name": "Doe", # persons only
     "street": ..., "street2": ..., "city": ..., "state_code": "VA", "zip": ..., "country_code": "US",
     "email": "john@example.com", "phone": "(540) 555-0100"}

job::

    {"number": "2024-0137", "name": "Basement water loss", "description": "free text",
     "site": {"street": ..., "street2": ..., "city": ..., "state_code": ..., "zip": ...,
              "country_code": ...}}  # the job site address, or None

company settings (the QuickBooks company's configuration in the host)::

    {"customer_template": "{customer} - {customer_ref}", "job_template": "{job_number} - {job_name}",
     "bill_with_parent": True}
"""
import hashlib
import json
import string
import unicodedata

# Intuit's Customer reference allows 500 characters in DisplayName; older references, many
# importers and QuickBooks' own list screens work with 100, and PrintOnCheckName (110 at most) is
# copied from DisplayName when it is not sent. 100 is accepted under every one of those rules and
# keeps "Customer:Job" names readable, so names are cut there.
QBO_DISPLAY_NAME_LIMIT = 500
DISPLAY_NAME_MAX_LENGTH = 100
PERSON_NAME_MAX_LENGTH = 100
COMPANY_NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 100
PHONE_MAX_LENGTH = 30
NOTES_MAX_LENGTH = 2000
_ADDRESS_FIELDS = (  # (host key, QBO key, QBO max length)
    ("street", "Line1", 500),
    ("street2", "Line2", 500),
    ("city", "City", 255),
    ("state_code", "CountrySubDivisionCode", 255),
    ("zip", "PostalCode", 30),
    ("country_code", "Country", 255),
)

DEFAULT_CUSTOMER_TEMPLATE = "{customer} - {customer_ref}"
DEFAULT_JOB_TEMPLATE = "{job_number} - {job_name}"
CUSTOMER_TEMPLATE_FIELDS = ("customer", "customer_ref", "first_name", "last_name", "company_name")
JOB_TEMPLATE_FIELDS = ("job_number", "job_name", "job_description", "customer", "customer_ref")

# A long name is cut at its last word that ends within the limit, unless that word ends this early:
# cut any further back (before a long reference, a URL, a run of digits) the name would lose more
# than a cut word costs, and is cut at the limit instead.
WORD_CUT_MIN_SHARE = 0.6
# A notice quotes a name as typed up to this length: a template may hold a job's free-text
# description, and the person needs to see the cut, not pages of it.
NOTICE_NAME_MAX_LENGTH = 2 * DISPLAY_NAME_MAX_LENGTH

# Keys that change on every write without the content changing.
_UNHASHED_KEYS = ("Id", "SyncToken", "sparse")
# Cut a truncated name back to a word, not to a dangling separator.
_TRAILING_SEPARATORS = " -\u2013\u2014,;/|&+"


def _text(value):
    """The host's value as text: None and False (Odoo's empty field) give ""."""
    if value is None or value is False:
        return ""
    return str(value)


def _single_line(value):
    """Colon, tab, newline, other control characters and lone surrogates become spaces; spaces
    collapse."""
    text = "".join(
        " " if char == ":" or unicodedata.category(char) in ("Cc", "Cs") else char
        for char in _text(value))
    return " ".join(text.split())


def _cut(text, max_length):
    if len(text) <= max_length:
        return text
    return text[:max_length].rstrip(_TRAILING_SEPARATORS) or text[:max_length].strip()


def _cut_at_word(text, max_length):
    """Cut a one-line text (single spaces, stripped) to ``max_length`` at a word, see
    :data:`WORD_CUT_MIN_SHARE`, then drop the separators the cut leaves at its end."""
    if len(text) <= max_length:
        return text
    # A space right after the limit ends a word too: the name is then cut after that word.
    boundary = text.rfind(" ", 0, max_length + 1)
    head = text[:boundary] if boundary >= max_length * WORD_CUT_MIN_SHARE else text[:max_length]
    # A head made only of separators is kept rather than emptied: the name must not vanish.
    return head.rstrip(_TRAILING_SEPARATORS) or head.strip()


def sanitize_display_name(name, max_length=DISPLAY_NAME_MAX_LENGTH):
    """Turn any text into a name QuickBooks accepts for DisplayName (and the other name fields).

    QuickBooks refuses a colon (it separates levels in FullyQualifiedName), tabs and newlines:
    they and other control characters become spaces; runs of whitespace collapse to one space;
    the result is stripped. A longer name than ``max_length`` is cut after its last word that ends
    within the limit (at the limit itself when that would keep less than
    :data:`WORD_CUT_MIN_SHARE` of it), and the separators left at its end (" -", ",") are dropped:
    the result is always a prefix of the flattened name. Idempotent: sanitizing twice changes
    nothing. The same function shapes the names sent on create and the names looked up before
    creating.

    :param name: any value (None and False give "")
    :param max_length: longest name kept, see :data:`DISPLAY_NAME_MAX_LENGTH`
    :return: the sanitized name, possibly ""
    """
    return _cut_at_word(_single_line(name), max_length)


def quote_query_literal(value):
    """Quote a value as a string literal of the QuickBooks query language.

    :param value: the text to compare with (None and False give an empty literal)
    :return: the literal with its single quotes, ``\\`` and ``'`` escaped with a backslash
    """
    return "'%s'" % _text(value).replace("\\", "\\\\").replace("'", "\\'")


def check_template(template, fields):
    """Check a name template before it is saved.

    A template renders to its placeholders' values and the text between them: without a
    placeholder every name would be empty (see :func:`render_name`), and every push refused.

    :param template: text with ``{field}`` placeholders, e.g. ``"{job_number} - {job_name}"``
    :param fields: the placeholder names allowed
    :raise ValueError: on a syntax error, a format spec, a conversion, an unknown placeholder or
        no placeholder at all (``{{customer}}`` is the literal text "{customer}", not one)
    """
    placeholders = 0
    for _literal, field, spec, conversion in string.Formatter().parse(_text(template)):
        if field is None:
            continue
        if spec or conversion:
            raise ValueError("Name templates take plain {field} placeholders: {%s}" % field)
        if field not in fields:
            raise ValueError("Unknown placeholder {%s}; use one of: %s" % (
                field, ", ".join("{%s}" % name for name in fields)))
        placeholders += 1
    if not placeholders:
        example = next(iter(fields))
        raise ValueError("A name template needs at least one placeholder such as {%s}; doubled braces "
                         "such as {{%s}} are not placeholders but the text itself. Use one of: %s" % (
                             example, example, ", ".join("{%s}" % name for name in fields)))


def render_name(template, values):
    """Fill a name template, dropping the separators of missing values.

    The text before a placeholder is its separator; a missing value (None, False, blank) takes its
    separator with it, and the first value shown loses its separator unless it opens the
    template. The text after the last placeholder is kept only when the last value is present.
    ``"{customer} - {customer_ref}"`` gives ``"John Doe - C-42"``, or ``"John Doe"`` without a ref.
    Values are flattened to one line and stripped of colons first; the result is not cut.

    :param template: text with ``{field}`` placeholders
    :param values: dict of placeholder values; absent keys count as missing
    :return: the rendered name, "" when every value is missing
    :raise ValueError: when the template is malformed (see :func:`check_template`)
    """
    return _render(template, values, _single_line)


def render_typed_name(template, values):
    """Fill a name template like :func:`render_name`, with the values as typed: only the spaces
    around each value and the whole are stripped. This is the name the person expects, to compare
    with the one QuickBooks gets (see :func:`name_fit_notice`).

    :param template: text with ``{field}`` placeholders
    :param values: dict of placeholder values; absent keys count as missing
    :return: the rendered name, colons, tabs and line breaks kept, not cut
    :raise ValueError: when the template is malformed (see :func:`check_template`)
    """
    return _render(template, values, lambda value: _text(value).strip()).strip()


def _render(template, values, shape):
    """:func:`render_name` with each value passed through ``shape`` first; a value it makes empty
    counts as missing."""
    pieces = []
    pending = ""  # literal text not yet attached to a placeholder ("{{" comes as its own chunk)
    for literal, field, spec, conversion in string.Formatter().parse(template):
        pending += literal
        if field is None:
            continue
        if spec or conversion:
            raise ValueError("Name templates take plain {field} placeholders: {%s}" % field)
        pieces.append((pending, shape(values.get(field))))
        pending = ""
    tail = pending
    present = [(index, literal, value) for index, (literal, value) in enumerate(pieces) if value]
    if not present:
        return ""
    parts = []
    for position, (index, literal, value) in enumerate(present):
        parts.append(value if position == 0 and index > 0 else literal + value)
    if present[-1][0] == len(pieces) - 1:
        parts.append(tail)
    return "".join(parts)


def _email(value):
    email = _text(value).strip()
    local, _at, domain = email.rpartition("@")
    # QuickBooks refuses an address without "@" and "."; a push must not fail on a typo in it.
    if not local or "." not in domain or len(email) > EMAIL_MAX_LENGTH or " " in email:
        return ""
    return email


def address_payload(address):
    """Map a host address to a QuickBooks PhysicalAddress.

    :param address: dict with street, street2, city, state_code, zip, country_code (or None)
    :return: the PhysicalAddress dict, or None when every part is empty
    """
    result = {}
    for host_key, qbo_key, max_length in _ADDRESS_FIELDS:
        value = _cut(" ".join(_text((address or {}).get(host_key)).split()), max_length)
        if value:
            result[qbo_key] = value
    return result or None


def customer_name_values(customer):
    """The values a customer name template can use (see :data:`CUSTOMER_TEMPLATE_FIELDS`).

    :param customer: the customer dict described in this module's docstring
    :return: dict of placeholder values
    """
    return {
        "customer": customer.get("name"),
        "customer_ref": customer.get("ref"),
        "first_name": customer.get("first_name"),
        "last_name": customer.get("last_name"),
        "company_name": customer.get("company_name"),
    }


def customer_display_name(customer, company_settings=None):
    """The DisplayName a customer gets in QuickBooks.

    :param customer: the customer dict described in this module's docstring
    :param company_settings: dict with an optional ``customer_template``
    :return: the sanitized DisplayName, possibly ""
    """
    template = _customer_template(company_settings)
    return sanitize_display_name(render_name(template, customer_name_values(customer)))


def customer_typed_name(customer, company_settings=None):
    """The name a customer's template gives from the values as typed, before it is fitted to
    QuickBooks (see :func:`render_typed_name`).

    :param customer: the customer dict described in this module's docstring
    :param company_settings: dict with an optional ``customer_template``
    :return: the name as typed, possibly ""
    """
    return render_typed_name(_customer_template(company_settings), customer_name_values(customer))


def _customer_template(company_settings):
    return (company_settings or {}).get("customer_template") or DEFAULT_CUSTOMER_TEMPLATE


def customer_payload(customer, company_settings=None):
    """Build the QuickBooks Customer payload of a top-level customer.

    Only fields with a value are sent: used in a sparse update, an empty host field leaves the
    QuickBooks value alone.

    :param customer: the customer dict described in this module's docstring
    :param company_settings: dict with an optional ``customer_template``
    :return: dict with DisplayName and, when known, CompanyName, GivenName, FamilyName, BillAddr,
        PrimaryEmailAddr, PrimaryPhone
    :raise ValueError: when the customer has no name to build a DisplayName from
    """
    display_name = customer_display_name(customer, company_settings)
    if not display_name:
        raise ValueError("The customer has no name to build its QuickBooks display name from.")
    payload = {"DisplayName": display_name}
    if customer.get("is_company"):
        company_name = customer.get("name")
    else:
        company_name = customer.get("company_name")
        for host_key, qbo_key in (("first_name", "GivenName"), ("last_name", "FamilyName")):
            value = sanitize_display_name(customer.get(host_key), PERSON_NAME_MAX_LENGTH)
            if value:
                payload[qbo_key] = value
    company_name = sanitize_display_name(company_name, COMPANY_NAME_MAX_LENGTH)
    if company_name:
        payload["CompanyName"] = company_name
    bill_address = address_payload(customer)
    if bill_address:
        payload["BillAddr"] = bill_address
    email = _email(customer.get("email"))
    if email:
        payload["PrimaryEmailAddr"] = {"Address": email}
    phone = _cut(" ".join(_text(customer.get("phone")).split()), PHONE_MAX_LENGTH)
    if phone:
        payload["PrimaryPhone"] = {"FreeFormNumber": phone}
    return payload


def job_name_values(job, customer=None):
    """The values a job name template can use (see :data:`JOB_TEMPLATE_FIELDS`).

    :param job: the job dict described in this module's docstring
    :param customer: the job's customer dict, for ``{customer}`` and ``{customer_ref}``
    :return: dict of placeholder values
    """
    return {
        "job_number": job.get("number"),
        "job_name": job.get("name"),
        "job_description": job.get("description"),
        "customer": (customer or {}).get("name"),
        "customer_ref": (customer or {}).get("ref"),
    }


def job_display_name(job, customer=None, company_settings=None):
    """The DisplayName a job gets in QuickBooks.

    :param job: the job dict described in this module's docstring
    :param customer: the job's customer dict
    :param company_settings: dict with an optional ``job_template``
    :return: the sanitized DisplayName, possibly ""
    """
    template = _job_template(company_settings)
    return sanitize_display_name(render_name(template, job_name_values(job, customer)))


def job_typed_name(job, customer=None, company_settings=None):
    """The name a job's template gives from the values as typed, before it is fitted to QuickBooks
    (see :func:`render_typed_name`).

    :param job: the job dict described in this module's docstring
    :param customer: the job's customer dict
    :param company_settings: dict with an optional ``job_template``
    :return: the name as typed, possibly ""
    """
    return render_typed_name(_job_template(company_settings), job_name_values(job, customer))


def _job_template(company_settings):
    return (company_settings or {}).get("job_template") or DEFAULT_JOB_TEMPLATE


def name_fit_notice(typed, sent, role):
    """What to tell the person when the name sent to QuickBooks is not the name as typed.

    A colon made a space, a tab or line break flattened, a cut: the person would look for the name
    as typed and not find it. Spacing alone (a double or non-breaking space made one space) is not
    told: both names would read the same.

    :param typed: the name as typed (see :func:`customer_typed_name`, :func:`job_typed_name`)
    :param sent: the DisplayName sent to QuickBooks for it
    :param role: "customer" or "job"
    :return: the message, or None when the name went as typed
    """
    spaced = "".join(" " if unicodedata.category(char) == "Zs" else char for char in typed)
    if sent == " ".join(part for part in spaced.split(" ") if part):
        return None
    shown = typed if len(typed) <= NOTICE_NAME_MAX_LENGTH else typed[:NOTICE_NAME_MAX_LENGTH] + "\u2026"
    return ("The %s name was changed to fit QuickBooks: \"%s\" became \"%s\" (QuickBooks allows no colon, "
            "tab or line break, and at most %d characters)." % (role, shown, sent, DISPLAY_NAME_MAX_LENGTH))


def job_payload(job, parent_id, customer=None, company_settings=None):
    """Build the QuickBooks Customer payload of a job: a sub-customer of its customer.

    :param job: the job dict described in this module's docstring
    :param parent_id: QuickBooks Id of the parent customer
    :param customer: the job's customer dict, for templates that name the customer
    :param company_settings: dict with optional ``job_template`` and ``bill_with_parent``
        (default True: the job's invoices go to its customer)
    :return: dict with DisplayName, Job, ParentRef, BillWithParent and, when known, ShipAddr (the
        job site) and Notes (the description)
    :raise ValueError: when the job has nothing to build a DisplayName from
    """
    settings = company_settings or {}
    display_name = job_display_name(job, customer, settings)
    if not display_name:
        raise ValueError("The job has no number or name to build its QuickBooks display name from.")
    payload = {
        "DisplayName": display_name,
        "Job": True,
        "ParentRef": {"value": str(parent_id)},
        "BillWithParent": bool(settings.get("bill_with_parent", True)),
    }
    site = address_payload(job.get("site"))
    if site:
        payload["ShipAddr"] = site
    notes = _text(job.get("description")).strip()[:NOTES_MAX_LENGTH]
    if notes:
        payload["Notes"] = notes
    return payload


def payload_hash(payload):
    """Fingerprint a payload so an unchanged job can be skipped without asking QuickBooks.

    :param payload: a JSON-serializable dict; its top-level Id, SyncToken and sparse are ignored
    :return: the hex sha256 of the canonical JSON (sorted keys, no spaces, UTF-8)
    """
    content = {key: value for key, value in payload.items() if key not in _UNHASHED_KEYS}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# CompanyInfo's OfferingSku, e.g. "QuickBooks Online Plus", names the edition.
_EDITIONS = (("simple start", "simple_start"), ("essentials", "essentials"), ("plus", "plus"),
             ("advanced", "advanced"))


def qb_version_from_company_info(info):
    """The QuickBooks Online edition a CompanyInfo object names.

    :param info: CompanyInfo as QuickBooks returns it (``NameValue`` holds ``OfferingSku``)
    :return: "simple_start", "essentials", "plus" or "advanced"; None when it names none of them
    """
    for pair in (info or {}).get("NameValue") or ():
        if pair.get("Name") == "OfferingSku":
            sku = (pair.get("Value") or "").casefold()
            return next((edition for words, edition in _EDITIONS if words in sku), None)
    return None
