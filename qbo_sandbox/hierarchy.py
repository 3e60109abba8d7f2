"""Records under records through ``ParentRef``: customer jobs (sub-customers), sub-accounts
and sub-classes.

Only ParentRef is stored. FullyQualifiedName (the names from the top, joined by ``:``),
Level and the SubAccount / SubClass flag are derived when a record is read, so renaming a
parent or moving a child never leaves a stale copy behind. A parent -> children index kept
in the realm (``children[entity]``) keeps writes constant-time in companies with thousands
of jobs.
"""

from dataclasses import dataclass

from . import errors


def parent_id(record):
    return record.get("ParentRef", {}).get("value")


def ancestors(records, record):
    """The parent, its parent... up to the top (a cycle in stored data stops the walk)."""
    chain, seen = [], set()
    current = parent_id(record)
    while current and current in records and current not in seen:
        seen.add(current)
        chain.append(records[current])
        current = parent_id(records[current])
    return chain


def subtree_ids(children, root_id):
    ids, stack = [], [root_id]
    while stack:
        current = stack.pop()
        ids.append(current)
        stack.extend(children.get(current, []))
    return ids


def _depth_below(children, root_id):
    kids = children.get(root_id, [])
    return 1 + max(_depth_below(children, kid) for kid in kids) if kids else 0


@dataclass(frozen=True)
class Hierarchy:
    """How one entity type nests: ``noun`` names it in faults; ``flag`` is the derived member
    saying the record has a parent; ``max_level`` bounds the levels below the top one;
    ``level`` says whether records show their Level."""

    noun: str
    flag: str = None
    max_level: int = None
    too_deep: str = ""
    level: bool = False

    def check(self, realm, etype, record, own_id=None):
        """A parent must exist, be active (unless the child is not), not be the record itself
        or below it, and keep every level within ``max_level``. Leaves ParentRef as
        ``{"value": id}``, or removes an empty one."""
        wanted = parent_id(record)
        if not wanted:
            record.pop("ParentRef", None)
            return
        records = realm["entities"][etype.name]
        children = realm["children"][etype.name]
        parent = records.get(wanted)
        if parent is None:
            raise errors.invalid_reference("ParentRef", wanted)
        if record.get("Active", True) and not parent.get("Active", True):
            raise errors.not_found("ParentRef")
        record["ParentRef"] = {"value": wanted}
        depth_below = 0
        if own_id is not None:
            if wanted in subtree_ids(children, own_id):
                raise errors.business_rule(
                    f"A {self.noun} cannot be its own parent or a parent of its parent.", "ParentRef"
                )
            depth_below = _depth_below(children, own_id)
        if self.max_level is not None and len(ancestors(records, parent)) + 1 + depth_below > self.max_level:
            raise errors.business_rule(self.too_deep, "ParentRef")

    def index(self, realm, etype, record, existing=None):
        """Keep the parent -> children index in step with a write."""
        children = realm["children"][etype.name]
        old_parent = parent_id(existing) if existing is not None else None
        new_parent = parent_id(record)
        if old_parent == new_parent:
            return
        if old_parent in children:
            children[old_parent].remove(record["Id"])
            if not children[old_parent]:
                del children[old_parent]
        if new_parent:
            children.setdefault(new_parent, []).append(record["Id"])

    def full_name(self, realm, etype, record, chain=None):
        member = etype.naming.member
        if chain is None:
            chain = ancestors(realm["entities"][etype.name], record)
        return ":".join([r[member] for r in reversed(chain)] + [record[member]])

    def render(self, realm, etype, record, out):
        chain = ancestors(realm["entities"][etype.name], record)
        out["FullyQualifiedName"] = self.full_name(realm, etype, record, chain)
        if self.level:
            out["Level"] = len(chain)
        if self.flag:
            out[self.flag] = parent_id(record) is not None
