"""Crew time from QuickBooks: TimeActivity records turned into time entries for the jobs' labor.
Pure functions, no reads.

A TimeActivity is one worker's time on one customer or job: an employee (``NameOf`` Employee,
``EmployeeRef``) or a vendor that logs its crew's time (Vendor, ``VendorRef``). Its length is
``Hours`` and ``Minutes``, or ``StartTime`` to ``EndTime`` less ``BreakHours`` and
``BreakMinutes``. It carries a ``CostRate`` when the company keeps one for the worker (the host
then costs the hours at it; otherwise at its own rate for the person), and one ``ClassRef``
whatever the company's class tracking.

Intuit's Change Data Capture does not cover TimeActivity: the pull reads it by query on
``MetaData.LastUpdatedTime``, which never shows a deletion. A count of the activities dated from
the labor start tells the host whether it holds one QuickBooks no longer has; only then is the
time read in full (see :mod:`.pull`).
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .reads import select

TIME_ENTITY = "TimeActivity"
EMPLOYEE, VENDOR = "Employee", "Vendor"
_HOURS = Decimal("0.0001")


@dataclass(frozen=True)
class TimeEntry:
    """One TimeActivity as the host lands it. ``hours`` is a Decimal (quarter hours exact);
    ``cost_rate`` and ``hourly_rate`` are None when QuickBooks sends none; ``worker_kind`` is
    :data:`EMPLOYEE` or :data:`VENDOR`. A deleted activity has only its ``qbo_id``."""

    qbo_id: str
    deleted: bool = False
    date: str = None
    customer_id: str = None
    customer_name: str = None
    worker_kind: str = None
    worker_id: str = None
    worker_name: str = None
    hours: Decimal = Decimal(0)
    cost_rate: Decimal = None
    hourly_rate: Decimal = None
    class_id: str = None
    item_id: str = None
    billable: str = None
    description: str = None


def _ref(value):
    return (value or {}).get("value") or None


def _number(value):
    return None if value is None else Decimal(str(value))


def duration(record):
    """The hours a TimeActivity says were worked, as a Decimal: Hours and Minutes, or StartTime to
    EndTime less the break. Never negative."""
    def number(key):
        return Decimal(str(record.get(key) or 0))

    if record.get("StartTime") and record.get("EndTime"):
        start, end = (datetime.fromisoformat(record[key].replace("Z", "+00:00")) for key in ("StartTime", "EndTime"))
        minutes = Decimal(int((end - start).total_seconds())) / 60 - number("BreakHours") * 60 - number("BreakMinutes")
    else:
        minutes = number("Hours") * 60 + number("Minutes")
    return max(minutes / 60, Decimal(0)).quantize(_HOURS, rounding=ROUND_HALF_UP)


def time_entry(record):
    """The :class:`TimeEntry` of a TimeActivity as QuickBooks sends it (a deleted one:
    ``{"Id", "status": "Deleted"}``)."""
    if record.get("status") == "Deleted":
        return TimeEntry(str(record["Id"]), deleted=True)
    kind = VENDOR if record.get("NameOf") == VENDOR else EMPLOYEE
    worker = record.get("%sRef" % kind) or {}
    customer = record.get("CustomerRef") or {}
    return TimeEntry(
        qbo_id=str(record["Id"]),
        date=record.get("TxnDate"),
        customer_id=_ref(customer),
        customer_name=customer.get("name"),
        worker_kind=kind,
        worker_id=_ref(worker),
        worker_name=worker.get("name"),
        hours=duration(record),
        cost_rate=_number(record.get("CostRate")),
        hourly_rate=_number(record.get("HourlyRate")),
        class_id=_ref(record.get("ClassRef")),
        item_id=_ref(record.get("ItemRef")),
        billable=record.get("BillableStatus"),
        description=(record.get("Description") or "").strip() or None,
    )


def full_statement(start_date):
    """The query of a full read of the time dated on or after ``start_date``, in the order of Ids."""
    return select(TIME_ENTITY, [("TxnDate", ">=", start_date.isoformat())], order_by="Id")


def changes_statement(since):
    """The query of the time changed since a moment (an aware datetime), in the order of Ids."""
    return select(TIME_ENTITY, [("MetaData.LastUpdatedTime", ">=", since.isoformat(timespec="seconds"))],
                  order_by="Id")


def count_statement(start_date):
    """How many activities QuickBooks holds dated on or after ``start_date``."""
    return "SELECT COUNT(*) FROM %s WHERE TxnDate >= '%s'" % (TIME_ENTITY, start_date.isoformat())
