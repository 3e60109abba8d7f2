"""Reading QuickBooks Online, for every entity type: the one query builder, paging, look-ups by the
values of any field, the rows of an answer, Change Data Capture answers, and Link job's search.

Every read is metered by Intuit (a "CorePlus" call, see QBO_FACTS): look-ups ask for many values
in one ``IN`` query, pages are as long as QuickBooks allows, and Change Data Capture reads only what
changed. Records of the types that have ``Active`` are read active or not: QuickBooks keeps an
inactive record's name reserved, and answers only active ones unless asked.

The functions that read take a :class:`.client.QboClient` (:func:`read_all` a function that sends
statements, so the client and the dispatcher page the same way); the others are pure.
"""
import re
from collections import defaultdict

from .errors import QboError
from .mapping import quote_query_literal, sanitize_display_name
from .rules import is_job, parent_id, parent_name, record_name, same_name

PAGE_SIZE = 1000  # QuickBooks' largest MAXRESULTS
LOOKUP_SIZE = 100  # values per IN query: a few kilobytes of query text
SEARCH_MAX_RESULTS = PAGE_SIZE
CDC_MAX_OBJECTS = 1000  # objects per entity type in one Change Data Capture answer, at most
# The entity types with an Active field (lists and names; transactions have none).
WITH_ACTIVE = frozenset({"Account", "Class", "Customer", "Department", "Employee", "Item", "PaymentMethod",
                         "TaxAgency", "TaxCode", "TaxRate", "Term", "Vendor"})
# The entity types named by DisplayName; the others have a Name.
DISPLAY_NAMED = frozenset({"Customer", "Employee", "Vendor"})
_PAGING = re.compile(r"(?i)\b(STARTPOSITION|MAXRESULTS)\b")
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'")


def name_field(entity):
    """The field that holds an entity type's names: DisplayName or Name."""
    return "DisplayName" if entity in DISPLAY_NAMED else "Name"


# === STATEMENTS === #

def select(entity, where=(), order_by=None):
    """The one query builder: a statement of QuickBooks' query language, without paging.

    :param entity: e.g. "Customer", "Invoice"
    :param where: conditions ``(field, operator, value)``, all to hold; values are text, quoted as
        literals (:func:`.mapping.quote_query_literal`), a list, tuple or set of them for ``IN``;
        inactive records are included for the types that have ``Active``
    :param order_by: e.g. "FullyQualifiedName"
    :return: the statement
    """
    conditions = ["Active IN (true, false)"] if entity in WITH_ACTIVE else []
    for field, operator, value in where:
        if isinstance(value, (list, tuple, set, frozenset)):
            literal = "(%s)" % ", ".join(quote_query_literal(item) for item in value)
        else:
            literal = quote_query_literal(value)
        conditions.append("%s %s %s" % (field, operator, literal))
    statement = "SELECT * FROM %s" % entity
    if conditions:
        statement += " WHERE " + " AND ".join(conditions)
    if order_by:
        statement += " ORDERBY " + order_by
    return statement


def page(statement, start=1, size=None):
    """One page of a statement.

    :param statement: a statement without STARTPOSITION / MAXRESULTS
    :param start: the 1-based position of the page's first row
    :param size: rows in the page (default :data:`PAGE_SIZE`)
    :raise ValueError: when the statement already pages (words in quoted literals do not count)
    """
    if _PAGING.search(_LITERAL.sub("''", statement)):
        raise ValueError("Paged reads page by themselves: leave STARTPOSITION and MAXRESULTS out.")
    return "%s STARTPOSITION %d MAXRESULTS %d" % (statement, start, size or PAGE_SIZE)


def name_query(entity, name):
    """The query that finds a name, active or not: QuickBooks keeps inactive names reserved.

    :param entity: e.g. "Customer", "Vendor", "Employee", "Account"
    :param name: a name already passed through :func:`.mapping.sanitize_display_name`
    :return: a query statement
    """
    return select(entity, [(name_field(entity), "=", name)])


def lookup_statements(entity, field, values):
    """The ``IN`` queries that find records by the values of one field, :data:`LOOKUP_SIZE` values
    a query.

    :return: list of (the values of the query, its statement)
    """
    values = sorted(values)
    chunks = [values[start:start + LOOKUP_SIZE] for start in range(0, len(values), LOOKUP_SIZE)]
    return [(chunk, select(entity, [(field, "IN", chunk)])) for chunk in chunks]


# === ANSWERS === #

def query_rows(query_response):
    """The rows of a QueryResponse (``{"Customer": [...], "maxResults": 2}``), [] when none."""
    return next((value for value in (query_response or {}).values() if isinstance(value, list)), [])


def read_all(statements, send):
    """Read every page of each statement, the pages of all statements asked for together.

    :param statements: statements without paging
    :param send: sends a list of statements; returns per statement its rows or a :class:`QboError`
        (or raises)
    :return: per statement, all its rows, or the :class:`QboError` of its first failed page
    """
    results = [[] for _statement in statements]
    pending = [(index, 1) for index in range(len(statements))]
    while pending:
        answers = send([page(statements[index], start) for index, start in pending])
        later = []
        for (index, start), answer in zip(pending, answers):
            if isinstance(answer, QboError):
                results[index] = answer
                continue
            results[index].extend(answer)
            if len(answer) == PAGE_SIZE:
                later.append((index, start + PAGE_SIZE))
        pending = later
    return results


class Index:
    """Records found by look-ups, by Id, by case-folded name and by case-folded e-mail."""

    def __init__(self, entity, rows):
        """
        :param entity: the records' type, e.g. "Customer" (named by DisplayName) or "Item" (by Name)
        :param rows: the records
        """
        self.by_id, self.by_name, self.by_email = {}, {}, defaultdict(dict)
        field = name_field(entity)
        for row in rows:
            self.by_id[row["Id"]] = row
            self.by_name[(row.get(field) or "").casefold()] = row
            email = ((row.get("PrimaryEmailAddr") or {}).get("Address") or "").casefold()
            if email:
                self.by_email[email][row["Id"]] = row


class Changes(dict):
    """A Change Data Capture answer: {entity: [objects]}, every entity type asked for present.

    Objects come as QuickBooks sends them: changed ones whole, deleted ones as
    ``{"Id", "status": "Deleted", ...}``. ``capped`` names the entity types that reached
    :data:`CDC_MAX_OBJECTS`: QuickBooks sent no more of them, so the caller asks again with a
    shorter window. ``time`` is QuickBooks' time of the answer, where a caller's next read starts.
    """

    def __init__(self, objects, capped=(), time=None):
        super().__init__(objects)
        self.capped = frozenset(capped)
        self.time = time


def cdc_changes(response, entities):
    """Read a Change Data Capture answer.

    :param response: the answer, ``{"CDCResponse": [{"QueryResponse": [{"Customer": [...]}, ...]}],
        "time": ...}``
    :param entities: the entity types asked for
    :return: :class:`Changes`
    """
    asked = {entity.casefold(): entity for entity in entities}
    objects = {entity: [] for entity in entities}
    for answer in response.get("CDCResponse") or []:
        for block in answer.get("QueryResponse") or []:
            for key, value in block.items():
                if isinstance(value, list):
                    objects.setdefault(asked.get(key.casefold(), key), []).extend(value)
    capped = [entity for entity, found in objects.items() if len(found) >= CDC_MAX_OBJECTS]
    return Changes(objects, capped, response.get("time"))


# === READS === #

def find_by_name(client, entity, name):
    """The record of an entity type holding a name, active or not.

    :return: the record, or None
    :raise QboError: when QuickBooks cannot answer
    """
    return next((row for row in client.query(name_query(entity, name)) if same_name(row, name)), None)


def name_holder(client, name, entities=("Vendor", "Employee")):
    """Which other entity type holds a name no customer holds (names are unique across them).

    :return: the first of ``entities`` with a record of that name, or None
    :raise QboError: when QuickBooks cannot answer
    """
    return next((entity for entity in entities if find_by_name(client, entity, name) is not None), None)


def search_customers(client, text, limit=20):
    """Find customers and jobs by name for linking a job by hand, shown as ``Customer:Job``.

    The text is looked for in FullyQualifiedName, so a customer's name also finds its jobs. A ``%``
    in the text separates words that must all appear, in any order: QuickBooks' LIKE has no escape,
    so a ``%`` sent would be a wildcard. QuickBooks is asked for the longest word (one read, its
    ``%`` only around it) and the rows are then kept when they hold the other words too. ``_`` is
    no wildcard in QuickBooks and is looked for as it is.

    :param client: a :class:`.client.QboClient` (one built with the interactive time-out and
        retries of :mod:`.client`, since a person waits)
    :param text: part of a name (sanitized like names are); empty, or only ``%``, lists the first
        names
    :param limit: most rows returned
    :return: list of dicts {id, name, fully_qualified_name, is_job, parent_id, parent_name, active}
    :raise QboError: when QuickBooks cannot answer
    """
    words = [word.strip() for word in sanitize_display_name(text).split("%")]
    words = sorted((word for word in words if word), key=len, reverse=True)
    limit = max(1, min(int(limit), SEARCH_MAX_RESULTS))
    where = [("FullyQualifiedName", "LIKE", "%" + words[0] + "%")] if words else []
    others = [word.casefold() for word in words[1:]]
    # The other words are matched here, after the read: ask for as many rows as a read gives.
    statement = select("Customer", where, order_by="FullyQualifiedName")
    rows = client.query(page(statement, size=SEARCH_MAX_RESULTS if others else limit))
    summaries = [_summary(row) for row in rows]
    found = [row for row in summaries
             if all(word in row["fully_qualified_name"].casefold() for word in others)]
    return found[:limit]


def _summary(row):
    return {
        "id": row.get("Id"),
        "name": row.get("DisplayName"),
        "fully_qualified_name": row.get("FullyQualifiedName") or record_name(row),
        "is_job": is_job(row),
        "parent_id": parent_id(row),
        "parent_name": parent_name(row),
        "active": row.get("Active", True),
    }
