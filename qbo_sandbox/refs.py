"""References between records (``{"value": Id, "name": ...}``) on transactions and lists.

A write may only point at a record that exists (else 2500 Invalid Reference Id) and is
active (else 610, QBO's "Something you're trying to use has been made inactive"). On a read
each reference shows the current name of what it points at, whatever name the writer sent.
References to lists the sandbox does not keep (tax codes, terms, payment methods...) are
taken as they are.
"""

from . import errors, types

TARGETS = {
    "CustomerRef": "Customer",
    "VendorRef": "Vendor",
    "EmployeeRef": "Employee",
    "ItemRef": "Item",
    "ClassRef": "Class",
    "AccountRef": "Account",
    "APAccountRef": "Account",
    "ARAccountRef": "Account",
    "AssetAccountRef": "Account",
    "DepositToAccountRef": "Account",
    "ExpenseAccountRef": "Account",
    "IncomeAccountRef": "Account",
}
# Purchase.EntityRef names its payee's type.
PAYEES = ("Vendor", "Customer", "Employee")


def _target(member, ref):
    if member == "EntityRef":
        kind = ref.get("type") or "Vendor"
        return kind if kind in PAYEES else None
    return TARGETS.get(member)


def _references(record):
    """(member, reference, target type) for each checked reference: header and line details."""
    for member, value in record.items():
        if isinstance(value, dict) and _target(member, value):
            yield member, value, _target(member, value)
    for line in record.get("Line", ()):
        for detail in line.values():
            if not isinstance(detail, dict):
                continue
            for member, value in detail.items():
                if isinstance(value, dict) and _target(member, value):
                    yield member, value, _target(member, value)


def check(realm, fields):
    """Refuse references, among the members a request sent, to missing or inactive records."""
    for member, ref, target in _references(fields):
        value = ref.get("value")
        if not value:
            raise errors.required_missing(f"{member}.value")
        record = realm["entities"][target].get(value)
        if record is None:
            raise errors.invalid_reference(member, value)
        if not record.get("Active", True):
            raise errors.not_found(member)


def name_of(realm, entity, record):
    """What a reference to ``record`` shows as its name: an account's or a class's full name,
    anything else's name (as python-quickbooks' ``to_ref`` builds them)."""
    etype = types.get(entity)
    if etype.own_named and etype.hierarchy is not None:
        return etype.hierarchy.full_name(realm, etype, record)
    return record[etype.naming.member]


def show_names(realm, out):
    for _member, ref, target in _references(out):
        record = realm["entities"][target].get(ref.get("value"))
        if record is not None:
            ref["name"] = name_of(realm, target, record)
