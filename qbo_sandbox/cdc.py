"""Change data capture: ``GET /v3/company/<realm>/cdc?entities=A,B&changedSince=<time>``.

One request covers several entity types; each gets one block in
``CDCResponse[0].QueryResponse``, in the order asked: the full objects whose
MetaData.LastUpdatedTime is at or after ``changedSince`` and the ones deleted since
(``{"Id", "status": "Deleted", "domain", "MetaData": {"LastUpdatedTime"}}``, the time of the
deletion), merged by that time, oldest first (a change before a deletion of the same second).

- ``changedSince`` may be at most 30 days back (else a 6000 business-validation fault);
- a block holds at most 1000 objects, the oldest: a client that gets a full block asks again
  from the LastUpdatedTime of the last object it got, and misses neither a change nor a
  deletion (the objects of that second come again; Ids tell them apart);
- TimeActivity is refused: Intuit's change data capture does not cover it (query it by
  MetaData.LastUpdatedTime instead);
- entities QBO has but the sandbox does not keep answer with an empty block.
"""

from datetime import timedelta

from . import entities, errors, tombstones, types
from .clock import parse_qbo_datetime

MAX_DAYS = tombstones.CDC_DAYS
MAX_OBJECTS = 1000


def _since(params, now):
    if not params.get("changedSince"):
        raise errors.required_missing("changedSince")
    try:
        since = parse_qbo_datetime(params["changedSince"])
    except ValueError:
        raise errors.unsupported_property(f"changedSince={params['changedSince']}", "changedSince") from None
    if since < now - timedelta(days=MAX_DAYS):
        raise errors.business_rule(f"changedSince can be at most {MAX_DAYS} days ago.", "changedSince")
    return since


def _moment(item):
    return parse_qbo_datetime(item["MetaData"]["LastUpdatedTime"])


def _block(realm, name, since):
    if name not in types.TYPES:
        return {"startPosition": 1, "maxResults": 0, "totalCount": 0}
    # Tombstones and records both keep their time to the second; a tombstone sorts after a
    # change of the same second, and only the objects that make the block are rendered.
    changed = [
        (moment, 0, record)
        for record in realm["entities"][name].values()
        if (moment := _moment(record)) >= since
    ]
    deleted = [(_moment(stone), 1, stone) for stone in tombstones.since(realm, name, since.timestamp())]
    oldest = sorted(changed + deleted, key=lambda entry: entry[:2])[:MAX_OBJECTS]
    objects = [item if kind else entities.render(realm, name, item) for _, kind, item in oldest]
    block = {"startPosition": 1, "maxResults": len(objects), "totalCount": len(objects)}
    if objects:
        block[name] = objects
    return block


def changes(realm, params, now, resolve):
    """The CDC answer (without ``time``); ``resolve`` maps a requested name, in any case, to
    QBO's spelling, or to None when CDC knows no such entity."""
    names = [name.strip() for name in (params.get("entities") or "").split(",") if name.strip()]
    if not names:
        raise errors.required_missing("entities")
    since = _since(params, now)
    blocks = []
    for raw in names:
        name = resolve(raw)
        if name is None:
            raise errors.query_validation_error(f"{raw} is not a valid entity")
        if name in types.TYPES and not types.get(name).in_cdc:
            raise errors.unsupported_property(
                f"entities={name} (change data capture does not cover {name})", "entities"
            )
        blocks.append(_block(realm, name, since))
    return {"CDCResponse": [{"QueryResponse": blocks}]}
