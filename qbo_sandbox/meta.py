"""The housekeeping members every record carries: Id, SyncToken and MetaData.

SyncToken counts the record's versions from "0"; an update must present the current one.
MetaData.LastUpdatedTime moves with every change, which is what change data capture reads.
"""

from .clock import qbo_datetime


def next_id(realm, entity):
    realm["next_ids"][entity] = realm["next_ids"].get(entity, 1) + 1
    return str(realm["next_ids"][entity] - 1)


def stamp_new(realm, entity, record, now):
    moment = qbo_datetime(now)
    record["Id"] = next_id(realm, entity)
    record["SyncToken"] = "0"
    record["MetaData"] = {"CreateTime": moment, "LastUpdatedTime": moment}


def touch(record, now):
    """A new version of ``record``: the next SyncToken and a new LastUpdatedTime."""
    record["SyncToken"] = str(int(record["SyncToken"]) + 1)
    record["MetaData"] = dict(record["MetaData"], LastUpdatedTime=qbo_datetime(now))
