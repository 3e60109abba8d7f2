"""The state file's format and its versions, and the upgrade of older files on load.

A state file is ``{"format": "qbo_sandbox", "version": N, "clock": ..., "data": ...}``.
Version 1 files, from before transactions and lists, say ``"format": "qbo_sandbox/1"``
and carry no version: they kept customers, vendors and employees only, with one parent ->
jobs index (customers') as ``children``. Webhook endpoints (``data["webhooks"]``) came
later within version 2, as a key older readers ignore: a file without them loads with none.
"""

from . import entities

FORMAT = "qbo_sandbox"
VERSION = 2
_UNVERSIONED = {"qbo_sandbox/1": 1}


def _version(saved):
    if not isinstance(saved, dict):
        return None
    if saved.get("format") == FORMAT and isinstance(saved.get("version"), int):
        return saved["version"]
    return _UNVERSIONED.get(saved.get("format"))


def _from_1(data):
    """Give every company the stores of the types added since, and index customers' jobs
    under ``children["Customer"]`` beside the new hierarchies."""
    for realm in data["realms"].values():
        stores = entities.empty_stores()
        stores["children"]["Customer"] = realm.pop("children")
        for key, fresh in stores.items():
            kept = realm.setdefault(key, fresh)
            for name, empty in fresh.items():
                kept.setdefault(name, empty)


_UPGRADES = {1: _from_1}


def load(saved, where):
    """The ``data`` of a parsed state file, upgraded to the current version."""
    version = _version(saved)
    if version is None:
        raise ValueError(f"{where} is not a qbo_sandbox state file")
    if version > VERSION:
        raise ValueError(f"{where} is a version {version} state file; this sandbox reads up to {VERSION}")
    data = saved["data"]
    for step in range(version, VERSION):
        _UPGRADES[step](data)
    data.setdefault("webhooks", {})
    return data


def dump(clock_now, data):
    return {"format": FORMAT, "version": VERSION, "clock": clock_now, "data": data}
