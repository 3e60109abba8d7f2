"""Records as QBO keeps them: create, full and sparse update with the SyncToken check,
delete and void where the type allows them, and reads with the values QBO computes, all
driven by the declarations in ``types``.

A realm's records are stored as the client wrote them (validated), plus what QBO derives
from the record alone (TotalAmt, UnappliedAmt, Classification...). What depends on other
records (FullyQualifiedName, Level, an invoice's Balance, the names references show) is
derived when a record is read, so no write leaves a stale copy behind.
"""

import copy

from . import errors, meta, refs, schema, tombstones, types

VOIDED = "Voided"
MAX_NOTE = 4000


def empty_stores():
    """What a realm keeps of its records: the records and their next Ids per type, and the
    indexes beside them (display names, own names, parent -> children, deletions, amounts
    applied to invoices)."""
    return {
        "entities": {name: {} for name in types.NAMES},
        "next_ids": {name: 1 for name in types.NAMES},
        "names": {},
        "own_names": {name: {} for name, etype in types.TYPES.items() if etype.own_named},
        "children": {name: {} for name, etype in types.TYPES.items() if etype.hierarchy},
        "deleted": {name: {} for name, etype in types.TYPES.items() if etype.deletable},
        "applied": {},
    }


def _current(realm, etype, payload):
    """The stored record a write names, once its SyncToken is the current one."""
    if not isinstance(payload, dict):
        raise errors.unsupported_property(f"the {etype.name} body must be a JSON object")
    existing = realm["entities"][etype.name].get(str(payload.get("Id")))
    if existing is None:
        raise errors.not_found("Id")
    if payload.get("SyncToken") in (None, ""):
        raise errors.required_missing("SyncToken")
    if str(payload["SyncToken"]) != existing["SyncToken"]:
        raise errors.stale_object()
    return existing


def _prepare(realm, etype, record, existing, now, sent):
    """The checks every write passes (required members, the name, the parent, references
    among the members ``sent``), then the type's own ``on_write``."""
    for name in etype.required:
        if name not in record:
            raise errors.required_missing(name)
    own_id = existing["Id"] if existing is not None else None
    if etype.naming is not None:
        etype.naming.check(realm, etype.name, record, own_id)
    if etype.hierarchy is not None:
        etype.hierarchy.check(realm, etype, record, own_id)
    if etype.checks_refs:
        refs.check(realm, sent)
    etype.on_write(realm, etype, record, existing, now)


def _store(realm, etype, record, existing, now):
    realm["entities"][etype.name][record["Id"]] = record
    if etype.naming is not None:
        etype.naming.index(realm, etype.name, record, existing)
    if etype.hierarchy is not None:
        etype.hierarchy.index(realm, etype, record, existing)
    etype.on_stored(realm, etype, record, existing, now)


def create(realm, entity, payload, now):
    """Create a record; returns it as QBO renders it."""
    etype = types.get(entity)
    fields, _ = schema.clean_payload(etype, payload)
    record = dict(etype.defaults)
    record.update(fields)
    if etype.naming is not None:
        etype.naming.complete(record, None)
    _prepare(realm, etype, record, None, now, fields)
    meta.stamp_new(realm, etype.name, record, now)
    _store(realm, etype, record, None, now)
    return render(realm, entity, record)


def update(realm, entity, payload, now):
    """Full or sparse update with QBO's SyncToken check; returns the rendered record.

    A full update clears every writable member it leaves out; a sparse one (``"sparse":
    true``) changes only what it sends. Write-on-create members keep their first value."""
    etype = types.get(entity)
    existing = _current(realm, etype, payload)
    fields, sent = schema.clean_payload(etype, payload)
    sparse = payload.get("sparse") in (True, "true")
    kept = {
        key: existing[key]
        for key in {"Id", "SyncToken", "MetaData"} | etype.write_on_create
        if key in existing
    }
    if sparse:
        record = {
            key: copy.deepcopy(value) for key, value in existing.items() if key not in sent or key in kept
        }
        record.update({key: value for key, value in fields.items() if key not in etype.write_on_create})
    else:
        record = {key: value for key, value in fields.items() if key not in etype.write_on_create}
        record.update(kept)
        for key, value in etype.defaults.items():
            record.setdefault(key, value)
    if etype.naming is not None:
        etype.naming.complete(record, existing, sparse)
    _prepare(realm, etype, record, existing, now, fields)
    meta.touch(record, now)
    _store(realm, etype, record, existing, now)
    return render(realm, entity, record)


def delete(realm, entity, payload, now):
    """Delete a transaction (Id and current SyncToken); QBO answers with its tombstone."""
    etype = types.get(entity)
    if not etype.deletable:
        raise errors.operation_not_supported("Delete")
    existing = _current(realm, etype, payload)
    del realm["entities"][etype.name][existing["Id"]]
    tombstones.bury(realm, etype.name, existing["Id"], now)
    etype.on_delete(realm, etype, existing, now)
    return {"status": "Deleted", "domain": "QBO", "Id": existing["Id"]}


def void(realm, entity, payload, now):
    """Void a document (Id and current SyncToken): it stays, with its amounts at 0 and
    "Voided" at the head of its PrivateNote; it is a new version, as CDC will show."""
    etype = types.get(entity)
    if not etype.voidable:
        raise errors.operation_not_supported("void")
    existing = _current(realm, etype, payload)
    record = copy.deepcopy(existing)
    etype.on_void(record)
    note = record.get("PrivateNote")
    record["PrivateNote"] = (f"{VOIDED} - {note}" if note else VOIDED)[:MAX_NOTE]
    etype.on_write(realm, etype, record, existing, now)
    meta.touch(record, now)
    _store(realm, etype, record, existing, now)
    return render(realm, entity, record)


# ---------------------------------------------------------------- reads


def get(realm, entity, entity_id):
    record = realm["entities"][entity].get(str(entity_id))
    if record is None:
        raise errors.not_found("Id")
    return render(realm, entity, record)


def render(realm, entity, record):
    """The record as QBO returns it, with the members derived on read."""
    etype = types.get(entity)
    out = copy.deepcopy(record)
    out["domain"] = "QBO"
    out["sparse"] = False
    if etype.hierarchy is not None:
        etype.hierarchy.render(realm, etype, record, out)
    if etype.checks_refs:
        refs.show_names(realm, out)
    etype.on_render(realm, etype, record, out)
    return out


def render_all(realm, entity, keep=None):
    """Every record rendered, or those whose stored form passes ``keep``: a look-up among
    thousands of records then renders only the few it can match."""
    records = realm["entities"][entity].values()
    return [render(realm, entity, record) for record in records if keep is None or keep(record)]
