"""The two ways QBO names a record, and the uniqueness each enforces.

- ``DISPLAY_NAME``: Customer, Vendor and Employee share one space of DisplayName values
  (case and spacing ignored), derived from the name parts when none is sent.
- ``OwnName(...)``: Account, Item and Class are named by ``Name`` in a space of their own
  type; with a hierarchy, names need only be unique among siblings, which is what makes
  each FullyQualifiedName unique.

Each keeps an index in the realm so a write checks uniqueness in constant time.
"""

from . import errors
from .schema import NAME_PARTS, derived_display_name


def name_key(name):
    return " ".join(name.split()).casefold()


def _parent_id(record):
    return record.get("ParentRef", {}).get("value")


class DisplayName:
    """The shared DisplayName space of customers, vendors and employees."""

    member = "DisplayName"
    plain_members = NAME_PARTS + ("DisplayName", "PrintOnCheckName")

    def complete(self, record, existing, sparse=False):
        """Fill a missing DisplayName: a sparse update keeps the current one, a create or full
        update derives it from the name parts (a full update falls back on the current one).
        PrintOnCheckName defaults to it."""
        if not record.get("DisplayName"):
            derived = "" if sparse else derived_display_name(record)
            if not derived and existing is None:
                raise errors.required_missing("DisplayName")
            record["DisplayName"] = derived or existing["DisplayName"]
        record.setdefault("PrintOnCheckName", record["DisplayName"][:110])

    def check(self, realm, entity, record, own_id=None):
        holder = realm["names"].get(name_key(record["DisplayName"]))
        if holder is not None and holder != [entity, own_id]:
            raise errors.duplicate_name()

    def index(self, realm, entity, record, existing=None):
        if existing is not None:
            realm["names"].pop(name_key(existing["DisplayName"]), None)
        realm["names"][name_key(record["DisplayName"])] = [entity, record["Id"]]


class OwnName:
    """``Name``, unique among the records of one type that share a parent."""

    member = "Name"
    plain_members = ("Name",)

    def __init__(self, what):
        self.detail = (
            f"The name supplied already exists. : Another {what} is already using this name. "
            "Please use a different name."
        )

    @staticmethod
    def _key(record):
        return f"{_parent_id(record) or ''}/{name_key(record['Name'])}"

    def complete(self, record, existing, sparse=False):
        if not record.get("Name"):
            if existing is None:
                raise errors.required_missing("Name")
            record["Name"] = existing["Name"]

    def check(self, realm, entity, record, own_id=None):
        holder = realm["own_names"][entity].get(self._key(record))
        if holder is not None and holder != own_id:
            raise errors.duplicate_name(self.detail)

    def index(self, realm, entity, record, existing=None):
        names = realm["own_names"][entity]
        if existing is not None:
            names.pop(self._key(existing), None)
        names[self._key(record)] = record["Id"]


DISPLAY_NAME = DisplayName()
