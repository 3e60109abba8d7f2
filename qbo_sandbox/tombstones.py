"""Deleted transactions: QBO keeps their Id and the time of deletion, which is all change
data capture reports of them (``status: "Deleted"``). Kept per entity in the realm
(``deleted[entity][Id]`` = the epoch second of the deletion) for as long as change data
capture can look back, and no longer.
"""

from .clock import qbo_datetime

CDC_DAYS = 30
DAY = 86400


def bury(realm, entity, entity_id, now):
    """Record a deletion, and forget those change data capture can no longer reach.

    The sandbox clock never goes back, so deletions are kept in time order and the expired
    ones are at the front: each delete removes only what expired."""
    graves = realm["deleted"][entity]
    graves[entity_id] = now
    horizon = now - CDC_DAYS * DAY
    while graves:
        oldest = next(iter(graves))
        if graves[oldest] >= horizon:
            break
        del graves[oldest]


def since(realm, entity, moment):
    """What CDC shows of the records of ``entity`` deleted at epoch ``moment`` or later (to the
    second, as it compares the LastUpdatedTime of records)."""
    return [
        {
            "Id": entity_id,
            "status": "Deleted",
            "domain": "QBO",
            "MetaData": {"LastUpdatedTime": qbo_datetime(when)},
        }
        for entity_id, when in realm["deleted"].get(entity, {}).items()
        if int(when) >= moment
    ]
