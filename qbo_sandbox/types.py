"""Every entity type the sandbox keeps, declared once: its members, how it is named, whether
it nests, whether it can be deleted or voided, whether change data capture covers it, what
QBO computes on it, and the hooks that do what is particular to it.

``entities`` runs create, update, delete, void and read from these declarations alone;
adding a type means adding an ``EntityType`` here (and its members in ``fields``).

- Names (Customer, Vendor, Employee) share one DisplayName space; lists (Account, Item,
  Class) are named in a space of their own; transactions are not named.
- Names and lists are never deleted (they are made inactive with ``Active: false``);
  transactions are deleted, and leave a tombstone change data capture reports.
- Invoice, Payment and SalesReceipt can be voided: the document stays, its amounts go to 0.
- Intuit's change data capture covers every entity but TimeActivity (among those kept here).
"""

from dataclasses import dataclass, field
from typing import Callable

from . import fields as f
from . import people, transactions
from .hierarchy import Hierarchy
from .names import DISPLAY_NAME, OwnName

CLASSIFICATIONS = {
    "Bank": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Receivable": "Asset",
    "Equity": "Equity",
    "Expense": "Expense",
    "Other Expense": "Expense",
    "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Long Term Liability": "Liability",
    "Other Current Liability": "Liability",
    "Income": "Revenue",
    "Other Income": "Revenue",
}


def _nothing(*args):
    return None


@dataclass(frozen=True)
class EntityType:
    """One entity type.

    Members: ``fields`` are the writable ones (specs from ``fields``); ``read_only`` ones are
    computed by QBO, accepted in a body and ignored (Id, SyncToken, MetaData and ``domain``
    always are); ``rendered`` ones are what a read shows other than as stored: derived on
    each read (FullyQualifiedName, an invoice's Balance), or masked (an employee's SSN);
    ``required`` ones must be there once a create or update is merged (2020 otherwise);
    ``defaults`` fill a create or full update; ``write_on_create`` ones keep their first value.

    What it is: ``naming`` (``DISPLAY_NAME``, an ``OwnName`` or None), ``hierarchy`` (how it
    nests through ParentRef, or None), ``checks_refs`` (references must exist and be active),
    ``deletable``, ``voidable``, ``in_cdc``.

    Hooks, all optional:
    - ``on_write(realm, etype, record, existing, now)``: before a create (``existing`` None),
      update or void is stored; derives stored values, may refuse with a fault;
    - ``on_stored(realm, etype, record, existing, now)``: after it is stored;
    - ``on_delete(realm, etype, record, now)``: after a delete;
    - ``on_void(record)``: what voiding changes, before ``on_write`` recomputes;
    - ``on_render(realm, etype, record, out)``: ``rendered`` members, on each read.
    """

    name: str
    fields: dict
    read_only: frozenset = frozenset()
    rendered: frozenset = frozenset()
    required: tuple = ()
    defaults: dict = field(default_factory=dict)
    write_on_create: frozenset = frozenset()
    naming: object = None
    hierarchy: Hierarchy = None
    checks_refs: bool = True
    deletable: bool = False
    voidable: bool = False
    in_cdc: bool = True
    on_write: Callable = _nothing
    on_stored: Callable = _nothing
    on_delete: Callable = _nothing
    on_void: Callable = _nothing
    on_render: Callable = _nothing

    @property
    def own_named(self):
        return isinstance(self.naming, OwnName)

    @property
    def queryable(self):
        return set(self.fields) | self.read_only | {"Id", "SyncToken", "MetaData"}

    @property
    def rendered_members(self):
        """Members (lower case) only a rendered record has: a query condition on one of them
        is checked on the rendered record, any other on the stored one."""
        return frozenset(name.lower() for name in self.rendered | {"domain", "sparse"})


def _classify(realm, etype, record, existing, now):
    record["Classification"] = CLASSIFICATIONS[record["AccountType"]]


def _item_full_name(realm, etype, record, out):
    """Items do not nest here: an item's full name is its name."""
    out["FullyQualifiedName"] = record["Name"]


def _transaction(name, members, write, read_only=(), rendered=(), **kwargs):
    """A deletable transaction; QBO's totals are read-only unless ``members`` makes one writable
    (a Payment's TotalAmt is what was paid)."""
    computed = {"TotalAmt", "Balance", "HomeTotalAmt", "HomeBalance"} | set(read_only) | set(rendered)
    return EntityType(
        name,
        members,
        read_only=frozenset(computed - set(members)),
        rendered=frozenset(rendered),
        deletable=True,
        on_write=write,
        **kwargs,
    )


_SALES_READ_ONLY = {"FreeFormAddress", "InvoiceLink", "RemainingCredit", "TxnTaxDetail"}
_CUSTOMER_COMPUTED = frozenset({"FullyQualifiedName", "Level", "BalanceWithJobs", "IsProject"})
_CUSTOMER_JOBS = Hierarchy(
    "customer",
    max_level=4,
    too_deep="Sub-customers and jobs can be nested at most 4 levels below a customer.",
    level=True,
)

TYPES = {
    etype.name: etype
    for etype in (
        EntityType(
            "Customer",
            f.CUSTOMER,
            read_only=_CUSTOMER_COMPUTED,
            rendered=_CUSTOMER_COMPUTED,
            defaults={
                "Active": True,
                "Job": False,
                "BillWithParent": False,
                "Taxable": False,
                "PreferredDeliveryMethod": "Print",
                "Balance": 0,
            },
            write_on_create=frozenset({"Balance", "OpenBalanceDate", "CurrencyRef"}),
            naming=DISPLAY_NAME,
            hierarchy=_CUSTOMER_JOBS,
            checks_refs=False,
            on_write=people.in_home_currency,
            on_stored=people.deactivate_jobs,
            on_render=people.render_customer,
        ),
        EntityType(
            "Vendor",
            f.VENDOR,
            defaults={"Active": True, "Vendor1099": False, "Balance": 0},
            write_on_create=frozenset({"Balance", "CurrencyRef"}),
            naming=DISPLAY_NAME,
            checks_refs=False,
            on_write=people.in_home_currency,
        ),
        EntityType(
            "Employee",
            f.EMPLOYEE,
            read_only=frozenset({"V4IDPseudonym"}),
            rendered=frozenset({"SSN"}),
            defaults={"Active": True, "BillableTime": False, "Organization": False},
            naming=DISPLAY_NAME,
            checks_refs=False,
            on_write=people.keep_ssn,
            on_render=people.render_employee,
        ),
        EntityType(
            "Account",
            f.ACCOUNT,
            read_only=frozenset(
                {
                    "FullyQualifiedName",
                    "SubAccount",
                    "Classification",
                    "CurrentBalance",
                    "CurrentBalanceWithSubAccounts",
                }
            ),
            rendered=frozenset({"FullyQualifiedName", "SubAccount"}),
            required=("AccountType",),
            defaults={"Active": True},
            naming=OwnName("account"),
            hierarchy=Hierarchy("account", flag="SubAccount"),
            on_write=_classify,
        ),
        EntityType(
            "Item",
            f.ITEM,
            read_only=frozenset({"FullyQualifiedName", "Level"}),
            rendered=frozenset({"FullyQualifiedName"}),
            required=("Type",),
            defaults={"Active": True},
            naming=OwnName("product or service"),
            on_render=_item_full_name,
        ),
        EntityType(
            "Class",
            f.CLASS,
            read_only=frozenset({"FullyQualifiedName", "SubClass"}),
            rendered=frozenset({"FullyQualifiedName", "SubClass"}),
            defaults={"Active": True},
            naming=OwnName("class"),
            hierarchy=Hierarchy("class", flag="SubClass"),
        ),
        _transaction(
            "Invoice",
            f.INVOICE,
            transactions.totals(),
            read_only=_SALES_READ_ONLY,
            rendered={"Balance"},
            required=("CustomerRef", "Line"),
            voidable=True,
            on_void=transactions.zero_amounts,
            on_render=transactions.render_invoice,
        ),
        _transaction(
            "CreditMemo",
            f.CREDIT_MEMO,
            transactions.totals("total"),
            read_only=_SALES_READ_ONLY,
            required=("CustomerRef", "Line"),
        ),
        _transaction(
            "SalesReceipt",
            f.RECEIPT,
            transactions.totals("settled"),
            read_only=_SALES_READ_ONLY,
            required=("Line",),
            voidable=True,
            on_void=transactions.zero_amounts,
        ),
        _transaction(
            "RefundReceipt",
            f.REFUND_RECEIPT,
            transactions.totals("settled"),
            read_only=_SALES_READ_ONLY,
            required=("Line", "DepositToAccountRef"),
        ),
        _transaction(
            "Payment",
            f.PAYMENT,
            transactions.payment_write,
            read_only={"UnappliedAmt"},
            required=("CustomerRef", "TotalAmt"),
            voidable=True,
            on_void=transactions.clear_payment,
            on_stored=transactions.payment_stored,
            on_delete=transactions.payment_deleted,
        ),
        _transaction("Bill", f.BILL, transactions.totals("total"), required=("VendorRef", "Line")),
        _transaction(
            "Purchase", f.PURCHASE, transactions.totals(), required=("PaymentType", "AccountRef", "Line")
        ),
        _transaction("VendorCredit", f.VENDOR_CREDIT, transactions.totals(), required=("VendorRef", "Line")),
        _transaction(
            "TimeActivity",
            f.TIME_ACTIVITY,
            transactions.time_activity_write,
            required=("NameOf",),
            in_cdc=False,
        ),
    )
}
NAMES = tuple(TYPES)


def get(name):
    return TYPES[name]


def for_path(segment):
    """``customer`` -> the Customer type (URIs are lower case, as python-quickbooks sends them)."""
    for etype in TYPES.values():
        if etype.name.lower() == segment:
            return etype
    return None
