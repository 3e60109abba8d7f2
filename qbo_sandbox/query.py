"""The QBO query language: a parser that fails the way QBO's does, and its evaluation.

    SELECT * [, <field> ...] | COUNT(*) FROM <Entity>
        [WHERE <field> <op> <value> [AND ...]]      op: = < > <= >= IN (...) LIKE '%x%'
        [ORDERBY <field> [ASC|DESC], ...]           (ORDER BY is accepted too)
        [STARTPOSITION n] [MAXRESULTS n]

Keywords, entity and field names are case-insensitive; string literals are quoted with
``'`` and a quote inside one is written ``\\'``. There is no OR, no join and no projection:
fields named after ``*`` (python-quickbooks asks for items' ``*, Sku``) must exist, and
every member comes back either way.
"""

import re
from dataclasses import dataclass, field

from . import errors
from .clock import parse_qbo_datetime

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS_LIMIT = 1000
KEYWORDS = {
    "select",
    "from",
    "where",
    "and",
    "or",
    "in",
    "like",
    "orderby",
    "order",
    "by",
    "asc",
    "desc",
    "startposition",
    "maxresults",
    "count",
    "true",
    "false",
}
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:\\.|[^'\\])*')
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<ident>[A-Za-z_][\w.]*)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),*])
""",
    re.VERBOSE,
)
_KIND_NAMES = {
    "ident": "IDENTIFIER",
    "string": "STRING",
    "number": "NUMBER",
    "op": "OPERATOR",
    "punct": "SYMBOL",
}


@dataclass
class Token:
    kind: str  # keyword, ident, string, number, op, punct, eof
    text: str
    column: int
    value: object = None


@dataclass
class Condition:
    field: str
    op: str
    values: list
    # Values folded once per query, not once per record: bulk lookups send hundreds of names,
    # and a LIKE pattern is split into its parts only once.
    folded: object = field(default=None, repr=False, compare=False)

    def folded_values(self):
        if self.folded is None:
            self.folded = frozenset(str(value).casefold() for value in self.values)
        return self.folded

    def like_parts(self):
        if self.folded is None:
            self.folded = like_parts(self.values[0])
        return self.folded


@dataclass
class Query:
    entity: str
    count: bool = False
    conditions: list = field(default_factory=list)
    order: list = field(default_factory=list)
    start: int = 1
    max_results: int = DEFAULT_MAX_RESULTS
    also: list = field(default_factory=list)


def tokenize(text):
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            # Like QBO's generated lexer, a bad character only matters once the parser reaches it.
            tokens.append(
                Token(
                    "error",
                    text[pos],
                    pos + 1,
                    errors.query_parser_error(
                        f'Invalid content. Lexical error at line 1, column {pos + 1}.  Encountered: "{text[pos]}"'
                    ),
                )
            )
            return tokens
        kind, raw = match.lastgroup, match.group()
        column = pos + 1
        pos = match.end()
        if kind == "ws":
            continue
        if kind == "string":
            tokens.append(Token("string", raw, column, re.sub(r"\\(.)", r"\1", raw[1:-1])))
        elif kind == "number":
            tokens.append(Token("number", raw, column, float(raw) if "." in raw else int(raw)))
        elif kind == "ident" and raw.lower() in KEYWORDS:
            tokens.append(Token("keyword", raw, column, raw.lower()))
        else:
            tokens.append(Token(kind, raw, column, raw))
    tokens.append(Token("eof", "<EOF>", len(text) + 1))
    return tokens


class Parser:
    def __init__(self, text):
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self):
        token = self.tokens[self.index]
        if token.kind == "error":
            raise token.value
        return token

    def fail(self, expected):
        token = self.current
        if token.kind == "eof":
            shown = "<EOF>"
        else:
            kind = token.value.upper() if token.kind == "keyword" else _KIND_NAMES[token.kind]
            shown = f' <{kind}> "{token.text} "'
        raise errors.query_parser_error(
            f'Encountered "{shown}" at line 1, column {token.column}.\nWas expecting one of:\n    {expected} ...'
        )

    def accept(self, kind, value=None):
        token = self.current
        if token.kind == kind and (value is None or token.value == value):
            self.index += 1
            return token
        return None

    def expect(self, kind, value=None, expected=None):
        token = self.accept(kind, value)
        if token is None:
            self.fail(expected or f'"{value or kind}"')
        return token

    def parse(self):
        if self.current.kind == "eof":
            self.fail('"select"')
        self.expect("keyword", "select")
        count = False
        if self.accept("keyword", "count"):
            self.expect("punct", "(")
            self.expect("punct", "*")
            self.expect("punct", ")")
            count = True
        else:
            self.expect("punct", "*", expected='"*" or "count"')
        also = []
        while not count and self.accept("punct", ","):
            also.append(self.expect("ident", expected="<IDENTIFIER>").value)
        self.expect("keyword", "from")
        query = Query(entity=self.expect("ident", expected="<IDENTIFIER>").value, count=count, also=also)
        if self.accept("keyword", "where"):
            query.conditions.append(self.condition())
            while self.accept("keyword", "and"):
                query.conditions.append(self.condition())
        if self.accept("keyword", "orderby") or (
            self.accept("keyword", "order") and self.expect("keyword", "by")
        ):
            query.order.append(self.order_item())
            while self.accept("punct", ","):
                query.order.append(self.order_item())
        seen = set()
        while (
            self.current.kind == "keyword"
            and self.current.value in ("startposition", "maxresults")
            and self.current.value not in seen
        ):
            word = self.accept("keyword").value
            seen.add(word)
            number = self.expect("number", expected="<INTEGER>")
            if not isinstance(number.value, int):
                self.index -= 1
                self.fail("<INTEGER>")
            if word == "startposition":
                query.start = max(number.value, 1)
            else:
                query.max_results = min(max(number.value, 1), MAX_RESULTS_LIMIT)
        if self.current.kind != "eof":
            self.fail('<EOF> "and" "orderby" "startposition" "maxresults"')
        return query

    def condition(self):
        name = self.expect("ident", expected="<IDENTIFIER>")
        if self.accept("keyword", "in"):
            self.expect("punct", "(")
            values = [self.literal()]
            while self.accept("punct", ","):
                values.append(self.literal())
            self.expect("punct", ")")
            return Condition(name.value, "in", values)
        if self.accept("keyword", "like"):
            pattern = self.expect("string", expected="<STRING>")
            return Condition(name.value, "like", [pattern.value])
        op = self.current
        if op.kind != "op" or op.value in ("!=", "<>"):
            self.fail('"=" "<" ">" "<=" ">=" "in" "like"')
        self.index += 1
        return Condition(name.value, op.value, [self.literal()])

    def literal(self):
        token = self.current
        if token.kind in ("string", "number") or (
            token.kind == "keyword" and token.value in ("true", "false")
        ):
            self.index += 1
            return token.value == "true" if token.kind == "keyword" else token.value
        self.fail('<STRING> <NUMBER> "true" "false"')
        return None

    def order_item(self):
        name = self.expect("ident", expected="<IDENTIFIER>").value
        descending = False
        if self.accept("keyword", "desc"):
            descending = True
        else:
            self.accept("keyword", "asc")
        return name, descending


def parse(text):
    if not isinstance(text, str) or not text.strip():
        raise errors.query_parser_error(
            'Encountered "<EOF>" at line 1, column 0.\nWas expecting:\n    "select" ...'
        )
    return Parser(text.strip()).parse()


# ---------------------------------------------------------------- evaluation


def resolve_path(record, path):
    """Follow a dotted, case-insensitive field path; a reference compares on its value."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        key = next((k for k in value if k.lower() == part.lower()), None)
        if key is None:
            return None
        value = value[key]
    if isinstance(value, dict):
        for inner in ("value", "Address", "FreeFormNumber", "URI"):
            if inner in value:
                return value[inner]
    return value


def _comparable(stored, literal):
    """Bring a stored value and a literal to one type, as QBO compares them."""
    if isinstance(stored, bool):
        if isinstance(literal, str) and literal.lower() in ("true", "false"):
            return stored, literal.lower() == "true"
        return stored, literal
    if isinstance(stored, (int, float)) or (
        isinstance(stored, str) and _is_number(stored) and _is_number(literal)
    ):
        try:
            return float(stored), float(literal)
        except (TypeError, ValueError):
            return str(stored).casefold(), str(literal).casefold()
    if isinstance(stored, str) and isinstance(literal, str) and _looks_like_datetime(stored):
        try:
            return parse_qbo_datetime(stored), parse_qbo_datetime(literal)
        except ValueError:
            pass
    return str(stored).casefold(), str(literal).casefold()


def _is_number(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) is not None


def _looks_like_datetime(value):
    return re.match(r"^\d{4}-\d{2}-\d{2}", value) is not None


# What a case-insensitive regular expression takes for another letter although case folding
# does not: dotless i, and letters whose folding is longer than one character.
_FOLD_EXTRA = {"\u0131": "i", "\u0130": "i", "\u0390": "\u1fd3", "\u03b0": "\u1fe3", "\ufb05": "\ufb06"}


def _fold_char(char):
    if char in _FOLD_EXTRA:
        return _FOLD_EXTRA[char]
    for folded in (char.casefold(), char.lower()):
        if len(folded) == 1:
            return folded
    return char


def fold(text):
    """Case-fold one character for one, so LIKE is exactly as case-insensitive as a regular
    expression with IGNORECASE: final and medial sigma are one letter, "\u00df" and "ss" are not."""
    folded = text.casefold()
    if len(folded) == len(text):
        # Every character folded to one: of the extras, only the dotless i can be among them.
        return folded.replace("\u0131", "i")
    return "".join(_fold_char(char) for char in text)


def like_parts(pattern):
    """A LIKE pattern folded and cut at each ``%``: (prefix, non-empty middle parts, suffix);
    without a ``%``, (the whole pattern, None, None)."""
    prefix, *rest = fold(pattern).split("%")
    if not rest:
        return prefix, None, None
    return prefix, [part for part in rest[:-1] if part], rest[-1]


def like(text, parts):
    """QBO's LIKE, where only ``%`` is a wildcard, in one greedy pass: the prefix starts the
    text, the suffix ends it, and each middle part is the first one found after the one
    before. Linear in the text whatever the pattern, where a backtracking regular expression
    is exponential in the number of ``%``."""
    prefix, middle, suffix = parts
    text = fold(text)
    if middle is None:
        return text == prefix
    end = len(text) - len(suffix)
    if end < len(prefix) or not text.startswith(prefix) or not text.endswith(suffix):
        return False
    position = len(prefix)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def matches(record, condition):
    stored = resolve_path(record, condition.field)
    if stored is None:
        return False
    if condition.op == "like":
        return like(str(stored), condition.like_parts())
    if condition.op == "in":
        if isinstance(stored, str) and not _is_number(stored) and not _looks_like_datetime(stored):
            # What _comparable does with such text: compare case-folded strings.
            return stored.casefold() in condition.folded_values()
        return any(a == b for a, b in (_comparable(stored, v) for v in condition.values))
    left, right = _comparable(stored, condition.values[0])
    try:
        return {
            "=": left == right,
            "<": left < right,
            ">": left > right,
            "<=": left <= right,
            ">=": left >= right,
        }[condition.op]
    except TypeError:
        return False


def _sort_key(record, name):
    value = resolve_path(record, name)
    if value is None:
        return (1, 0, "")
    if isinstance(value, bool):
        return (0, 0, int(value))
    if _is_number(value):
        return (0, 0, float(value))
    if isinstance(value, str) and _looks_like_datetime(value):
        try:
            return (0, 1, parse_qbo_datetime(value).timestamp())
        except ValueError:
            pass
    return (0, 2, str(value).casefold())


def check_fields(query, allowed):
    """Refuse filters and sorts on properties the entity does not have."""
    allowed_lower = {name.lower() for name in allowed}
    for name in [c.field for c in query.conditions] + [name for name, _ in query.order] + query.also:
        if name.split(".")[0].lower() not in allowed_lower:
            raise errors.query_validation_error(f"property '{name}' is not queryable")


def run(query, records, active_filter=True):
    """Filter, sort and page rendered records; returns (page, total matching)."""
    rows = [r for r in records if all(matches(r, c) for c in query.conditions)]
    if active_filter and not any(c.field.lower() == "active" for c in query.conditions):
        rows = [r for r in rows if r.get("Active", True)]
    rows.sort(key=lambda r: float(r.get("Id", 0)) if _is_number(r.get("Id")) else 0)
    for name, descending in reversed(query.order):
        rows.sort(key=lambda r, n=name: _sort_key(r, n), reverse=descending)
    start = query.start - 1
    return rows[start : start + query.max_results], len(rows)
