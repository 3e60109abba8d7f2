"""What QBO does for customers, vendors and employees beyond their shared DisplayName:
the home currency they start in, a customer's balance with its jobs, the deactivation of a
customer's jobs with it, and an employee's SSN, which is never shown.
"""

from . import meta
from .hierarchy import subtree_ids

HOME_CURRENCY = {"value": "USD", "name": "United States Dollar"}
# QBO never returns an SSN; a client that saves what it read sends the mask back unchanged.
SSN_MASK = "XXX-XX-XXXX"


def in_home_currency(realm, etype, record, existing, now):
    """A new customer or vendor is in the company's currency unless it says otherwise."""
    if existing is None:
        record.setdefault("CurrencyRef", dict(HOME_CURRENCY))


def render_customer(realm, etype, record, out):
    customers = realm["entities"]["Customer"]
    subtree = subtree_ids(realm["children"]["Customer"], record["Id"])
    total = sum(float(customers[i].get("Balance", 0) or 0) for i in subtree)
    out["BalanceWithJobs"] = int(total) if total == int(total) else round(total, 2)
    out["IsProject"] = False


def deactivate_jobs(realm, etype, record, existing, now):
    """Making a customer inactive makes its sub-customers and jobs inactive too, as in QBO."""
    if existing is None or not existing.get("Active", True) or record.get("Active", True):
        return
    customers = realm["entities"]["Customer"]
    for child_id in subtree_ids(realm["children"]["Customer"], record["Id"])[1:]:
        child = customers[child_id]
        if child.get("Active", True):
            child["Active"] = False
            meta.touch(child, now)


def keep_ssn(realm, etype, record, existing, now):
    """An update that sends the mask back keeps the SSN on file (or none, if there was none)."""
    if existing is not None and record.get("SSN") == SSN_MASK:
        if existing.get("SSN"):
            record["SSN"] = existing["SSN"]
        else:
            del record["SSN"]


def render_employee(realm, etype, record, out):
    if out.get("SSN"):
        out["SSN"] = SSN_MASK
