"""The rules a push applies to QuickBooks records, as pure functions: what changed, where a record
stands in the customer tree, whether a record found holding a name is the one wanted, and the
errors of a name held elsewhere. No request is sent from here (see :mod:`.reads` for the reads).
"""
from .errors import CUSTOMER_BOUND_ELSEWHERE, DUPLICATE_NAME, JOB_LINKED_ELSEWHERE, QboError
from .mapping import DISPLAY_NAME_MAX_LENGTH

SAME_NAME_HINT = ("Job numbers or names that differ only in case, in a colon or past the cut of long names "
                  "(at the last word within %d characters) give one QuickBooks name: change the number or "
                  "name of one of the jobs, or the job name template." % DISPLAY_NAME_MAX_LENGTH)
BOUND_HINT = ("Two contacts never share a QuickBooks customer: give this one a name or customer reference "
              "that sets it apart, or change the customer name template.")


def changed_fields(record, desired):
    """The desired fields whose value differs from the record: what a sparse update sends.

    :param record: the object as QuickBooks has it
    :param desired: the fields wanted; a nested dict (an address) differs when one of its keys
        differs, the keys QuickBooks has beyond it do not count
    :return: dict of the fields to write, {} when nothing changed
    """
    changes = {}
    for key, value in desired.items():
        current = record.get(key)
        if isinstance(value, dict):
            current = current if isinstance(current, dict) else {}
            if any(current.get(name) != inner for name, inner in value.items()):
                changes[key] = value
        elif current != value:
            changes[key] = value
    return changes


def parent_id(record):
    """The Id of a customer record's parent, None for a top-level customer."""
    return (record.get("ParentRef") or {}).get("value")


def parent_name(record):
    """The name of a customer record's parent (from ParentRef, else FullyQualifiedName), None for a
    top-level customer."""
    parent = record.get("ParentRef") or {}
    if not parent:
        return None
    levels = (record.get("FullyQualifiedName") or record.get("DisplayName") or "").split(":")
    return parent.get("name") or (levels[-2] if len(levels) > 1 else None)


def is_job(record):
    """Whether a customer record is a job (a sub-customer), not a top-level customer."""
    return bool(parent_id(record) or record.get("Job"))


def record_name(record):
    """The name of any record: DisplayName for customers, vendors and employees, else Name."""
    return record.get("DisplayName") or record.get("Name") or ""


def same_name(record, name):
    """Whether the record holds the name, as QuickBooks compares names (without case)."""
    return record_name(record).casefold() == name.casefold()


def is_wanted(record, role, parent):
    """Whether the record found holding a name is the customer or job a push wanted to create.

    :param record: the Customer record holding the name, or None (a vendor's or employee's name)
    :param role: "customer" or "job"
    :param parent: the Id of the wanted parent customer (None for a customer)
    :return: True when it is at the same place in the tree (a customer: top level, not a job)
    """
    return record is not None and parent_id(record) == parent and (role == "job" or not record.get("Job"))


def name_conflict(name, record=None, holder=None, error=None, intuit_tid=None):
    """The error of a name held by something other than the record wanted, saying what holds it.

    :param name: the name
    :param record: the Customer record holding it, if any
    :param holder: when no customer holds it, the entity that does ("Vendor" or "Employee"), None
        when unknown
    :param error: the 6240 fault QuickBooks answered, if any
    :param intuit_tid: Intuit's transaction id to report when there is no fault
    :return: a :class:`.errors.QboError` with code 6240 and params name, holder, parent
    """
    parent = None
    if record is not None:
        parent = parent_name(record)
        kind = "job" if parent else "customer"
        described = "a job under \"%s\"" % parent if parent else "a top-level customer"
    elif holder:
        kind = holder.lower()
        described = "a %s" % kind
    else:
        kind = "vendor_or_employee"
        described = "a vendor or an employee"
    message = ("QuickBooks already uses the name \"%s\" for %s, and names are unique across customers, "
               "jobs, vendors and employees (inactive ones included): rename one of them or change the "
               "name template." % (name, described))
    return QboError(DUPLICATE_NAME, message, detail=error.detail if error else "",
                    intuit_tid=error.intuit_tid if error else intuit_tid,
                    params={"name": name, "holder": kind, "parent": parent})


def job_linked_elsewhere(name, qbo_id=None, job_key=None):
    """The error of a QuickBooks job that another job of the host holds.

    :param name: the QuickBooks job's name
    :param qbo_id: its Id, when another job of the host is linked to it
    :param job_key: else the key of the job of the same push that takes the name first
    :return: a :class:`.errors.QboError` of code :data:`.errors.JOB_LINKED_ELSEWHERE`, its detail
        the Id or the key
    """
    if qbo_id:
        message = "QuickBooks job \"%s\" (Id %s) is already linked to another job. %s" % (
            name, qbo_id, SAME_NAME_HINT)
        return QboError(JOB_LINKED_ELSEWHERE, message, detail=qbo_id, params={"name": name, "qbo_id": qbo_id})
    message = ("QuickBooks job \"%s\" is already linked to another job pushed with this one, under the same "
               "customer. %s" % (name, SAME_NAME_HINT))
    return QboError(JOB_LINKED_ELSEWHERE, message, detail=job_key, params={"name": name, "job_key": job_key})


def customer_bound_elsewhere(name, qbo_id=None, job_key=None, retryable=False):
    """The error of a QuickBooks customer, or a name, that belongs to another contact of the host.

    :param name: the customer's name
    :param qbo_id: its Id, when the customer exists and is bound to another contact
    :param job_key: else the key of the job of the same push whose contact creates the name
    :param retryable: whether the same push may succeed later
    :return: a :class:`.errors.QboError` of code :data:`.errors.CUSTOMER_BOUND_ELSEWHERE`, its
        detail the Id or the key
    """
    if qbo_id:
        message = "QuickBooks customer \"%s\" (Id %s) belongs to another contact. %s" % (
            name, qbo_id, BOUND_HINT)
        return QboError(CUSTOMER_BOUND_ELSEWHERE, message, detail=qbo_id, retryable=retryable,
                        params={"name": name, "qbo_id": qbo_id})
    message = "QuickBooks customer \"%s\" belongs to another contact pushed with this one. %s" % (
        name, BOUND_HINT)
    return QboError(CUSTOMER_BOUND_ELSEWHERE, message, detail=job_key, retryable=retryable,
                    params={"name": name, "job_key": job_key})
