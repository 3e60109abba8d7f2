"""Customer, Vendor and Employee as QBO keeps them: create, full and sparse update with
the SyncToken check, the shared display-name namespace, jobs under customers, and the
read-only values QBO computes.

A realm's records are stored as the client wrote them (cleaned); FullyQualifiedName,
Level and BalanceWithJobs are derived when a record is read, so renaming a parent or
moving a job never leaves a stale copy behind. Two indexes kept with the records (display
names, parent -> jobs) keep writes constant-time in companies with thousands of jobs.
"""

import copy

from . import errors
from .clock import qbo_datetime
from .schema import (
    HOME_CURRENCY,
    MAX_LEVEL,
    SCHEMAS,
    SSN_MASK,
    clean_payload,
    derived_display_name,
)


def _name_key(name):
    return " ".join(name.split()).casefold()


def _check_unique_name(realm, name, entity, own_id=None):
    holder = realm["names"].get(_name_key(name))
    if holder is not None and holder != [entity, own_id]:
        raise errors.duplicate_name()


def _index_name(realm, entity, record, old_name=None):
    """Keep the name index (one namespace for the three entities) in step with a write."""
    if old_name is not None:
        realm["names"].pop(_name_key(old_name), None)
    realm["names"][_name_key(record["DisplayName"])] = [entity, record["Id"]]


# ---------------------------------------------------------------- customer hierarchy


def _parent_id(record):
    return record.get("ParentRef", {}).get("value")


def _ancestors(customers, record):
    chain, seen = [], set()
    parent_id = _parent_id(record)
    while parent_id and parent_id in customers and parent_id not in seen:
        seen.add(parent_id)
        chain.append(customers[parent_id])
        parent_id = _parent_id(customers[parent_id])
    return chain


def _index_parent(realm, record, old_parent=None):
    """Keep the parent -> jobs index in step with a customer write."""
    children = realm["children"]
    new_parent = _parent_id(record)
    if old_parent == new_parent:
        return
    if old_parent in children:
        children[old_parent].remove(record["Id"])
        if not children[old_parent]:
            del children[old_parent]
    if new_parent:
        children.setdefault(new_parent, []).append(record["Id"])


def _subtree_ids(children, root_id):
    ids, stack = [], [root_id]
    while stack:
        current = stack.pop()
        ids.append(current)
        stack.extend(children.get(current, []))
    return ids


def _depth_below(children, root_id):
    kids = children.get(root_id, [])
    return 1 + max(_depth_below(children, kid) for kid in kids) if kids else 0


def _check_parent(realm, fields, own_id=None):
    """A job's parent must exist, be active (unless the job is not), not be the job itself
    or below it, and keep every level within QBO's five."""
    parent_id = _parent_id(fields)
    if not parent_id:
        fields.pop("ParentRef", None)
        return
    customers = realm["entities"]["Customer"]
    parent = customers.get(parent_id)
    if parent is None:
        raise errors.invalid_reference("ParentRef", parent_id)
    if fields.get("Active", True) and not parent.get("Active", True):
        raise errors.not_found("ParentRef")
    fields["ParentRef"] = {"value": parent_id}
    depth_below = 0
    if own_id is not None:
        if parent_id in _subtree_ids(realm["children"], own_id):
            raise errors.business_rule(
                "A customer cannot be its own parent or a parent of its parent.", "ParentRef"
            )
        depth_below = _depth_below(realm["children"], own_id)
    if len(_ancestors(customers, parent)) + 1 + depth_below > MAX_LEVEL:
        raise errors.business_rule(
            "Sub-customers and jobs can be nested at most 4 levels below a customer.", "ParentRef"
        )


# ---------------------------------------------------------------- writes


def _next_id(realm, entity):
    realm["next_ids"][entity] = realm["next_ids"].get(entity, 1) + 1
    return str(realm["next_ids"][entity] - 1)


def create(realm, entity, payload, now):
    """Create a record; returns it as QBO renders it."""
    fields, _ = clean_payload(entity, payload)
    schema = SCHEMAS[entity]
    if not fields.get("DisplayName"):
        derived = derived_display_name(fields)
        if not derived:
            raise errors.required_missing("DisplayName")
        fields["DisplayName"] = derived
    _check_unique_name(realm, fields["DisplayName"], entity)
    if entity == "Customer":
        _check_parent(realm, fields)
    record = dict(schema["defaults"])
    record.update(fields)
    record.setdefault("PrintOnCheckName", record["DisplayName"][:110])
    if "CurrencyRef" in schema["fields"]:
        record.setdefault("CurrencyRef", dict(HOME_CURRENCY))
    stamp = qbo_datetime(now)
    record.update(
        {
            "Id": _next_id(realm, entity),
            "SyncToken": "0",
            "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
        }
    )
    realm["entities"][entity][record["Id"]] = record
    _index_name(realm, entity, record)
    if entity == "Customer":
        _index_parent(realm, record)
    return render(realm, entity, record)


def update(realm, entity, payload, now):
    """Full or sparse update with QBO's SyncToken check; returns the rendered record."""
    if not isinstance(payload, dict):
        raise errors.unsupported_property(f"the {entity} body must be a JSON object")
    existing = realm["entities"][entity].get(str(payload.get("Id")))
    if existing is None:
        raise errors.not_found("Id")
    if payload.get("SyncToken") in (None, ""):
        raise errors.required_missing("SyncToken")
    if str(payload["SyncToken"]) != existing["SyncToken"]:
        raise errors.stale_object()
    fields, sent = clean_payload(entity, payload)
    if fields.get("SSN") == SSN_MASK:
        if existing.get("SSN"):
            fields["SSN"] = existing["SSN"]
        else:
            del fields["SSN"]
    schema = SCHEMAS[entity]
    sparse = payload.get("sparse") in (True, "true")
    kept = {
        key: existing[key]
        for key in {"Id", "SyncToken", "MetaData"} | schema["write_on_create"]
        if key in existing
    }
    if sparse:
        record = {key: value for key, value in existing.items() if key not in sent or key in kept}
        record.update({key: value for key, value in fields.items() if key not in schema["write_on_create"]})
        if "DisplayName" not in record:
            record["DisplayName"] = existing["DisplayName"]
    else:
        record = {key: value for key, value in fields.items() if key not in schema["write_on_create"]}
        record.update(kept)
        for key, value in schema["defaults"].items():
            record.setdefault(key, value)
        if not record.get("DisplayName"):
            record["DisplayName"] = derived_display_name(record) or existing["DisplayName"]
    record.setdefault("PrintOnCheckName", record["DisplayName"][:110])
    _check_unique_name(realm, record["DisplayName"], entity, own_id=existing["Id"])
    if entity == "Customer":
        _check_parent(realm, record, own_id=existing["Id"])
    _stamp(record, now)
    realm["entities"][entity][record["Id"]] = record
    _index_name(realm, entity, record, old_name=existing["DisplayName"])
    if entity == "Customer":
        _index_parent(realm, record, old_parent=_parent_id(existing))
        if existing.get("Active", True) and not record.get("Active", True):
            _deactivate_descendants(realm, record["Id"], now)
    return render(realm, entity, record)


def _stamp(record, now):
    record["SyncToken"] = str(int(record["SyncToken"]) + 1)
    record["MetaData"] = dict(record["MetaData"], LastUpdatedTime=qbo_datetime(now))


def _deactivate_descendants(realm, root_id, now):
    """Making a customer inactive makes its sub-customers and jobs inactive too, as in QBO."""
    customers = realm["entities"]["Customer"]
    for child_id in _subtree_ids(realm["children"], root_id)[1:]:
        child = customers[child_id]
        if child.get("Active", True):
            child["Active"] = False
            _stamp(child, now)


# ---------------------------------------------------------------- reads


def get(realm, entity, entity_id):
    record = realm["entities"][entity].get(str(entity_id))
    if record is None:
        raise errors.not_found("Id")
    return render(realm, entity, record)


# The members render() adds or masks (lower case): a query condition on one of them must see the
# rendered record; conditions on the others can be checked on the stored one.
COMPUTED_MEMBERS = frozenset(
    {"fullyqualifiedname", "level", "balancewithjobs", "isproject", "domain", "sparse", "ssn"}
)


def render(realm, entity, record):
    """The record as QBO returns it, with its computed members."""
    out = copy.deepcopy(record)
    out["domain"] = "QBO"
    out["sparse"] = False
    if entity == "Customer":
        customers = realm["entities"]["Customer"]
        chain = _ancestors(customers, record)
        out["FullyQualifiedName"] = ":".join(
            [c["DisplayName"] for c in reversed(chain)] + [record["DisplayName"]]
        )
        out["Level"] = len(chain)
        subtree = _subtree_ids(realm["children"], record["Id"])
        total = sum(float(customers[i].get("Balance", 0) or 0) for i in subtree)
        out["BalanceWithJobs"] = int(total) if total == int(total) else round(total, 2)
        out["IsProject"] = False
    if entity == "Employee" and out.get("SSN"):
        out["SSN"] = SSN_MASK
    return out


def render_all(realm, entity, keep=None):
    """Every record rendered, or those whose stored form passes ``keep``: a look-up among
    thousands of records then renders only the few it can match."""
    records = realm["entities"][entity].values()
    return [render(realm, entity, record) for record in records if keep is None or keep(record)]
