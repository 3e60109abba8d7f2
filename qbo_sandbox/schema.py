"""How a request body is checked against an entity's members, as QBO's deserializer checks it:
types, lengths, allowed values, forbidden characters, unknown members, and the nested
objects and arrays of transactions (``Line[]`` and its detail objects, ``LinkedTxn[]``).

A member spec is one of:
- ``(kind, limit)``: a scalar; ``limit`` is a maximum length for STR, the allowed values for ENUM;
- a dict of member specs: a nested object (an address, a reference...);
- ``ListOf(item)``: an array of objects;
- ``Lines(...)``: ``Line[]``, whose detail object is the one each line's ``DetailType`` names.
"""

import re
from dataclasses import dataclass, field

from . import errors

STR, BOOL, NUM, DATE, ENUM = "str", "bool", "num", "date", "enum"

ADDRESS = {
    "Id": (STR, 20),
    "Line1": (STR, 500),
    "Line2": (STR, 500),
    "Line3": (STR, 500),
    "Line4": (STR, 500),
    "Line5": (STR, 500),
    "City": (STR, 255),
    "Country": (STR, 255),
    "CountryCode": (STR, 10),
    "CountrySubDivisionCode": (STR, 255),
    "PostalCode": (STR, 30),
    "Lat": (STR, 30),
    "Long": (STR, 30),
    "Note": (STR, 2000),
}
PHONE = {
    "FreeFormNumber": (STR, 30),
    "DeviceType": (STR, 50),
    "CountryCode": (STR, 10),
    "AreaCode": (STR, 10),
    "ExchangeCode": (STR, 10),
    "Extension": (STR, 10),
}
EMAIL = {"Address": (STR, 100)}
WEB = {"URI": (STR, 1000)}
REF = {"value": (STR, 100), "name": (STR, 500), "type": (STR, 100)}

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
HOUSEKEEPING = {"Id", "SyncToken", "sparse", "domain", "MetaData"}
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class ListOf:
    """A JSON array of objects that follow ``item``."""

    item: dict


@dataclass(frozen=True)
class Detail:
    """One kind of transaction line: the member holding its detail object, that object's
    members, the ones it must carry, and whether the line's Amount counts in TotalAmt."""

    member: str
    fields: dict
    required: tuple = ()
    counted: bool = True


@dataclass(frozen=True)
class Lines:
    """``Line[]``. With ``details`` ({DetailType: Detail}), each line names its kind in
    DetailType and may carry only that kind's detail object; without (Payment), lines are
    plain amounts."""

    base: dict
    details: dict = field(default_factory=dict)

    def counted(self, line):
        """Whether this stored line's Amount is part of the transaction's total."""
        detail = self.details.get(line.get("DetailType"))
        return detail.counted if detail else not self.details


def _clean_object(entity, name, spec, value):
    if not isinstance(value, dict):
        raise errors.unsupported_property(f"{name} must be an object", name)
    cleaned = {}
    for key, sub_value in value.items():
        if key not in spec:
            raise errors.unknown_field(entity, f"{name}.{key}")
        sub = _clean_value(entity, f"{name}.{key}", spec[key], sub_value)
        if sub is not None:
            cleaned[key] = sub
    return cleaned


def _clean_list(entity, name, value, clean_item):
    if not isinstance(value, list):
        raise errors.unsupported_property(f"{name} must be an array", name)
    items = [clean_item(item) for item in value]
    return [item for item in items if item] or None


def _clean_line(entity, spec, line):
    if not isinstance(line, dict):
        raise errors.unsupported_property("Line must be an object", "Line")
    members = dict(spec.base)
    detail = None
    if spec.details:
        kind = line.get("DetailType")
        if kind in (None, ""):
            raise errors.required_missing("Line.DetailType")
        detail = spec.details.get(kind)
        if detail is None:
            raise errors.unsupported_property(f"Line.DetailType={kind}", "Line.DetailType")
        members["DetailType"] = (STR, 100)
        members[detail.member] = detail.fields
    cleaned = _clean_object(entity, "Line", members, line)
    if detail is None or detail.counted:
        if "Amount" not in cleaned:
            raise errors.required_missing("Line.Amount")
    if detail is not None:
        for name in detail.required:
            if name not in cleaned.get(detail.member, {}):
                raise errors.required_missing(f"Line.{detail.member}.{name}")
    return cleaned


def _clean_scalar(name, kind, limit, value):
    if kind in (STR, ENUM):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise errors.unsupported_property(f"{name} must be a string", name)
        text = str(value)
        if kind == STR and limit is not None and len(text) > limit:
            raise errors.bad_length(name, limit, len(text))
        if kind == ENUM and text and text not in limit:
            raise errors.unsupported_property(f"{name}={text} (one of {', '.join(limit)})", name)
        return text or None
    if kind == BOOL:
        if value == "":
            return None
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise errors.unsupported_property(f"{name} must be true or false", name)
        return value
    if kind == NUM:
        if isinstance(value, bool):
            raise errors.unsupported_property(f"{name} must be a number", name)
        if isinstance(value, (int, float)):
            return value
        try:
            return float(value)
        except (TypeError, ValueError):
            raise errors.unsupported_property(f"{name} must be a number", name) from None
    if not isinstance(value, str):
        raise errors.unsupported_property(f"{name} must be a date (YYYY-MM-DD)", name)
    if not value:
        return None
    match = _DATE.match(value)
    if not match:
        raise errors.unsupported_property(f"{name} must be a date (YYYY-MM-DD)", name)
    return match.group(1)


def _clean_value(entity, name, spec, value):
    """A validated copy of one value, or None for "no value" (QBO drops empty strings)."""
    if value is None:
        return None
    if isinstance(spec, dict):
        return _clean_object(entity, name, spec, value) or None
    if isinstance(spec, ListOf):
        return _clean_list(entity, name, value, lambda item: _clean_object(entity, name, spec.item, item))
    if isinstance(spec, Lines):
        return _clean_list(entity, name, value, lambda line: _clean_line(entity, spec, line))
    kind, limit = spec
    return _clean_scalar(name, kind, limit, value)


def clean_payload(etype, payload):
    """Validate a request body; returns (writable members that carry a value, names sent).

    Unknown members are refused the way QBO's deserializer refuses them; read-only members
    (Id, SyncToken, MetaData, TotalAmt, FullyQualifiedName...) are accepted and ignored.
    """
    entity = etype.name
    if not isinstance(payload, dict):
        raise errors.unsupported_property(f"the {entity} body must be a JSON object")
    cleaned, sent = {}, set()
    for name, value in payload.items():
        if name in HOUSEKEEPING or name in etype.read_only:
            continue
        if name not in etype.fields:
            raise errors.unknown_field(entity, name)
        sent.add(name)
        clean = _clean_value(entity, name, etype.fields[name], value)
        if clean is not None:
            cleaned[name] = clean
    plain = etype.naming.plain_members if etype.naming else ()
    for name in plain:
        if name in cleaned and re.search(r"[:\t\n]", cleaned[name]):
            raise errors.invalid_characters(name)
    email = cleaned.get("PrimaryEmailAddr", {}).get("Address")
    if email and ("@" not in email or "." not in email):
        raise errors.business_rule(
            "The email address is not valid. It must contain @ and a dot (.).", "PrimaryEmailAddr"
        )
    return cleaned, sent


def derived_display_name(fields):
    return " ".join(fields[part] for part in NAME_PARTS if fields.get(part)).strip()
