"""The sandbox's starting point: one Intuit app, two Intuit users and three restoration
companies with customers, jobs (sub-customers), vendors, employees, the accounts, items and
classes of ``chart``, and the invoices, payments and costs of ``ledger``.

Customer and job names follow the convention of the bridge's users: customer
"<name> - <customer #>", job "<job number> - <description>".
"""

import copy

from . import chart, entities, ledger
from .clock import qbo_date, qbo_datetime

DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_REDIRECT_URIS = [
    "http://localhost:8069/qbo/oauth/callback",
    "http://127.0.0.1:8069/qbo/oauth/callback",
]
REALM_BLUE_RIDGE = "9341453050298551"
REALM_SUMMIT = "9341453050298552"
REALM_COASTAL = "9341453050298553"
DAY = 86400.0

USERS = {
    "owner@blueridge.example": {
        "password": "sandbox",
        "name": "Dana Whitaker",
        "recognized": True,
        "phone": "(828) 555-0117",
        "realms": [REALM_BLUE_RIDGE, REALM_SUMMIT],
    },
    "bookkeeper@summit.example": {
        "password": "sandbox",
        "name": "Priya Nair",
        "recognized": False,
        "phone": "(303) 555-0142",
        "realms": [REALM_SUMMIT, REALM_COASTAL],
    },
}


def _addr(line1, city, state, postal):
    return {
        "Line1": line1,
        "City": city,
        "CountrySubDivisionCode": state,
        "PostalCode": postal,
        "Country": "USA",
    }


def _person(given, family, **extra):
    return dict({"GivenName": given, "FamilyName": family}, **extra)


COMPANIES = {
    REALM_BLUE_RIDGE: {
        "name": "Blue Ridge Restoration LLC",
        "sku": "QuickBooks Online Plus",
        "class_tracking": "ClassTrackingPerTxn",
        "started": 2094,
        "ledger": ledger.BLUE_RIDGE,
        "addr": _addr("118 Sweeten Creek Rd", "Asheville", "NC", "28803"),
        "phone": "(828) 555-0100",
        "email": "office@blueridge.example",
        "web": "https://blueridge.example",
        "customers": [
            (
                _person(
                    "Margaret",
                    "Hollis",
                    DisplayName="Margaret Hollis - 1001",
                    PrimaryPhone={"FreeFormNumber": "(828) 555-0143"},
                    PrimaryEmailAddr={"Address": "mhollis@example.com"},
                    BillAddr=_addr("42 Laurel Ridge Rd", "Asheville", "NC", "28803"),
                ),
                [
                    ("24-0117 - Water mitigation, kitchen supply line", 1840.50),
                    ("24-0131 - Drywall and cabinet rebuild", 0),
                ],
            ),
            (
                {
                    "CompanyName": "Asheville Property Group",
                    "DisplayName": "Asheville Property Group - 1002",
                    "PrimaryPhone": {"FreeFormNumber": "(828) 555-0190"},
                    "PrimaryEmailAddr": {"Address": "maintenance@apg.example"},
                    "BillAddr": _addr("25 Page Ave Suite 300", "Asheville", "NC", "28801"),
                },
                [
                    ("24-0122 - Fire damage, unit 4B smoke cleaning", 3275.00),
                    ("24-0140 - Mold remediation, basement storage", 0),
                ],
            ),
            (
                _person(
                    "Daniel",
                    "Reyes",
                    DisplayName="Daniel Reyes - 1003",
                    PrimaryPhone={"FreeFormNumber": "(828) 555-0178"},
                    BillAddr=_addr("9 Beaverdam Rd", "Asheville", "NC", "28804"),
                ),
                [
                    ("24-0126 - Storm damage, roof tarp and dry-out", 1250.00),
                ],
            ),
            (
                {
                    "CompanyName": "Carolina Mutual Insurance",
                    "DisplayName": "Carolina Mutual Insurance - 1004",
                    "PrimaryEmailAddr": {"Address": "claims@carolinamutual.example"},
                },
                [],
            ),
            (_person("Ruth", "Henderson", DisplayName="Henderson Family Trust - 1005", Active=False), []),
        ],
        "vendors": [
            {
                "DisplayName": "Ferguson Plumbing Supply",
                "CompanyName": "Ferguson Enterprises",
                "PrimaryPhone": {"FreeFormNumber": "(828) 555-0211"},
                "AcctNum": "FPS-55120",
            },
            {
                "DisplayName": "Sunbelt Rentals - Asheville",
                "CompanyName": "Sunbelt Rentals",
                "PrimaryPhone": {"FreeFormNumber": "(828) 555-0230"},
            },
            {
                "DisplayName": "Mountain Drywall Subcontracting LLC",
                "Vendor1099": True,
                "GivenName": "Luis",
                "FamilyName": "Ortega",
                "TaxIdentifier": "XXXXXX4471",
            },
            {"DisplayName": "Labor Finders Asheville", "CompanyName": "Labor Finders"},
            {"DisplayName": "The Home Depot Pro", "CompanyName": "Home Depot Pro"},
        ],
        "employees": [
            _person("Carlos", "Mendoza", EmployeeNumber="E-101", BillableTime=True, BillRate=65, CostRate=28),
            _person("Jenna", "Park", EmployeeNumber="E-102", Title="Ms."),
            _person("Tyler", "Brooks", EmployeeNumber="E-103", BillableTime=True, BillRate=60, CostRate=26),
        ],
    },
    REALM_SUMMIT: {
        "name": "Summit Fire & Water Inc.",
        "sku": "QuickBooks Online Essentials",
        "class_tracking": None,
        "started": 1460,
        "ledger": (),
        "addr": _addr("4400 Brighton Blvd", "Denver", "CO", "80216"),
        "phone": "(303) 555-0100",
        "email": "dispatch@summitfw.example",
        "web": "https://summitfw.example",
        "customers": [
            (
                _person(
                    "Robert",
                    "Chen",
                    DisplayName="Robert Chen - 2001",
                    PrimaryPhone={"FreeFormNumber": "(303) 555-0161"},
                    BillAddr=_addr("1550 Race St", "Denver", "CO", "80206"),
                ),
                [
                    ("SF-3301 - Frozen pipe burst, 2nd floor", 4120.00),
                ],
            ),
            (
                {
                    "CompanyName": "Front Range HOA",
                    "DisplayName": "Front Range HOA - 2002",
                    "PrimaryEmailAddr": {"Address": "board@frontrangehoa.example"},
                    "BillAddr": _addr("800 Grant St", "Denver", "CO", "80203"),
                },
                [
                    ("SF-3307 - Clubhouse fire cleanup", 0),
                    ("SF-3312 - Unit 12 sewage backup", 2680.75),
                ],
            ),
            (
                _person(
                    "Alicia",
                    "Moreno",
                    DisplayName="Alicia Moreno - 2003",
                    PrimaryPhone={"FreeFormNumber": "(720) 555-0123"},
                ),
                [],
            ),
        ],
        "vendors": [
            {"DisplayName": "Grainger Industrial Supply", "CompanyName": "W.W. Grainger"},
            {"DisplayName": "Rocky Mountain Carpet Care", "Vendor1099": True},
            {"DisplayName": "Denver Temp Staffing", "CompanyName": "Denver Temp Staffing Inc."},
            {"DisplayName": "Xcel Energy"},
        ],
        "employees": [
            _person("Marcus", "Lee", EmployeeNumber="S-201", BillableTime=True, BillRate=70, CostRate=30),
            _person("Sofia", "Alvarez", EmployeeNumber="S-202"),
            _person("Nate", "Olsen", EmployeeNumber="S-203", BillableTime=True, BillRate=62, CostRate=27),
        ],
    },
    REALM_COASTAL: {
        "name": "Coastal Packout Co.",
        "sku": "QuickBooks Online Advanced",
        "class_tracking": "ClassTrackingPerTxnLine",
        "started": 2900,
        "ledger": ledger.COASTAL,
        "addr": _addr("2170 Ashley Phosphate Rd", "North Charleston", "SC", "29406"),
        "phone": "(843) 555-0100",
        "email": "ops@coastalpackout.example",
        "web": "https://coastalpackout.example",
        "customers": [
            (
                {
                    "CompanyName": "Lowcountry Insurance Adjusters",
                    "DisplayName": "Lowcountry Insurance Adjusters - 3001",
                    "PrimaryEmailAddr": {"Address": "adjusters@lowcountry.example"},
                },
                [
                    ("CP-0412 - Contents packout, 18 Tradd St", 5400.00),
                    ("CP-0419 - Storage and cleaning, hurricane claim", 0),
                ],
            ),
            (
                _person(
                    "Evelyn",
                    "Brooks",
                    DisplayName="Evelyn Brooks - 3002",
                    PrimaryPhone={"FreeFormNumber": "(843) 555-0155"},
                    BillAddr=_addr("31 Church St", "Charleston", "SC", "29401"),
                ),
                [
                    ("CP-0425 - Packout and pack-back after fire", 980.00),
                ],
            ),
            ({"CompanyName": "Harbor View Apartments", "DisplayName": "Harbor View Apartments - 3003"}, []),
        ],
        "vendors": [
            {"DisplayName": "U-Haul Moving & Storage", "CompanyName": "U-Haul"},
            {"DisplayName": "Uline Shipping Supplies", "CompanyName": "Uline"},
            {"DisplayName": "Palmetto Ozone Services", "Vendor1099": True},
            {"DisplayName": "Charleston Temp Labor"},
        ],
        "employees": [
            _person("Isaiah", "Grant", EmployeeNumber="C-301", BillableTime=True, BillRate=55, CostRate=24),
            _person("Maria", "Santos", EmployeeNumber="C-302"),
            _person("Kevin", "O'Neal", EmployeeNumber="C-303", BillableTime=True, BillRate=55, CostRate=24),
        ],
    },
}


def default_apps():
    return {
        DEFAULT_CLIENT_ID: {
            "client_secret": DEFAULT_CLIENT_SECRET,
            "redirect_uris": list(DEFAULT_REDIRECT_URIS),
            "name": "Chronicle QuickBooks bridge",
        }
    }


def _company_info(realm_id, spec, now):
    created = now - spec["started"] * DAY
    addr = dict(spec["addr"], Id="1")
    return {
        "Id": "1",
        "SyncToken": "4",
        "domain": "QBO",
        "sparse": False,
        "CompanyName": spec["name"],
        "LegalName": spec["name"],
        "CompanyAddr": dict(addr),
        "CustomerCommunicationAddr": dict(addr),
        "LegalAddr": dict(addr),
        "PrimaryPhone": {"FreeFormNumber": spec["phone"]},
        "Email": {"Address": spec["email"]},
        "WebAddr": {"URI": spec["web"]},
        "CompanyStartDate": qbo_date(created),
        "FiscalYearStartMonth": "January",
        "Country": "US",
        "SupportedLanguages": "en",
        "EmployerId": realm_id[-9:],
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Restoration and remediation services"},
            {"Name": "IndustryCode", "Value": "562910"},
            {"Name": "SubscriptionStatus", "Value": "PAID"},
            {"Name": "OfferingSku", "Value": spec["sku"]},
            {"Name": "PayrollFeature", "Value": "true"},
            {"Name": "AccountantFeature", "Value": "false"},
        ],
        "MetaData": {
            "CreateTime": qbo_datetime(created),
            "LastUpdatedTime": qbo_datetime(created + 30 * DAY),
        },
    }


def _tracks_classes(spec):
    """Class tracking comes with QuickBooks Online Plus and Advanced, not Essentials, where
    ``class_tracking`` is None."""
    return spec["class_tracking"] is not None


def _preferences(spec, now):
    """Class tracking is one of two preferences, or neither: a class per transaction (on a
    sales form's header) or per line. Expense lines carry their class either way."""
    classes = _tracks_classes(spec)
    stamp = qbo_datetime(now - 30 * DAY)
    return {
        "Id": "1",
        "SyncToken": "2",
        "domain": "QBO",
        "sparse": False,
        "AccountingInfoPrefs": {
            "FirstMonthOfFiscalYear": "January",
            "UseAccountNumbers": True,
            "TaxYearMonth": "January",
            "ClassTrackingPerTxn": spec["class_tracking"] == "ClassTrackingPerTxn",
            "ClassTrackingPerTxnLine": spec["class_tracking"] == "ClassTrackingPerTxnLine",
            "TrackDepartments": classes,
            "DepartmentTerminology": "Location",
            "CustomerTerminology": "Customers",
        },
        "ProductAndServicesPrefs": {
            "ForSales": True,
            "ForPurchase": True,
            "QuantityWithPriceAndRate": True,
            "QuantityOnHand": True,
        },
        "SalesFormsPrefs": {
            "AllowDeposit": True,
            "AllowDiscount": True,
            "DefaultTerms": {"value": "3"},
            "CustomTxnNumbers": False,
            "ETransactionEnabledStatus": "NotApplicable",
        },
        "VendorAndPurchasesPrefs": {
            "TrackingByCustomer": True,
            "BillableExpenseTracking": True,
            "DefaultTerms": {"value": "3"},
        },
        "TimeTrackingPrefs": {
            "UseServices": True,
            "BillCustomers": True,
            "ShowBillRateToAll": False,
            "WorkWeekStartDate": "Monday",
            "MarkTimeEntriesBillable": True,
        },
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
        "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
        "OtherPrefs": {"NameValue": [{"Name": "SalesFormsPrefs.DefaultCustomerMessage", "Value": ""}]},
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }


def empty_realm(realm_id, spec, now):
    return {
        "company": _company_info(realm_id, spec, now),
        "preferences": _preferences(spec, now),
        **entities.empty_stores(),
        "requests": {},
    }


# A company a developer adds (``POST /_sandbox/companies``), as Intuit's developer portal adds a
# sandbox company: the edition's name at Intuit and its class tracking.
EDITIONS = {
    "simple_start": ("QuickBooks Online Simple Start", None),
    "essentials": ("QuickBooks Online Essentials", None),
    "plus": ("QuickBooks Online Plus", "ClassTrackingPerTxn"),
    "advanced": ("QuickBooks Online Advanced", "ClassTrackingPerTxnLine"),
}


def added_realm(realm_id, name, edition, now):
    """A new company with its company info and preferences and no records."""
    sku, tracking = EDITIONS[edition]
    spec = {
        "name": name,
        "sku": sku,
        "class_tracking": tracking,
        "started": 0,
        "addr": _addr("1 Developer Way", "Mountain View", "CA", "94043"),
        "phone": "(650) 555-0100",
        "email": f"company{realm_id[-4:]}@sandbox.example",
        "web": "https://sandbox.example",
    }
    return empty_realm(realm_id, spec, now)


def _populate(realm, spec, now):
    """Create the seed records through the same code as API writes, a few hours apart: the
    lists first, then the documents at their own dates, the latest a few days ago."""
    moment = now - 120 * DAY

    def tick(at=None):
        """The next moment: a few hours after the last, or ``at`` if that is later."""
        nonlocal moment
        moment = max(moment + 0.25 * DAY, at or moment)
        return moment

    for customer, jobs in spec["customers"]:
        active = customer.get("Active", True)
        parent = entities.create(realm, "Customer", dict(customer, Active=True), tick())
        for name, balance in jobs:
            entities.create(
                realm,
                "Customer",
                {
                    "DisplayName": name,
                    "Job": True,
                    "BillWithParent": True,
                    "ParentRef": {"value": parent["Id"]},
                    "ShipAddr": customer.get("BillAddr"),
                    "Balance": balance,
                },
                tick(),
            )
        if not active:
            entities.update(
                realm,
                "Customer",
                {"Id": parent["Id"], "SyncToken": parent["SyncToken"], "sparse": True, "Active": False},
                tick(),
            )
    for vendor in spec["vendors"]:
        entities.create(realm, "Vendor", vendor, tick())
    for employee in spec["employees"]:
        entities.create(realm, "Employee", employee, tick())
    chart.populate(realm, _tracks_classes(spec), tick)
    ledger.populate(realm, spec["ledger"], now, tick)


def build_realms(now, with_records=True):
    realms = {}
    for realm_id, spec in COMPANIES.items():
        realm = empty_realm(realm_id, spec, now)
        if with_records:
            _populate(realm, spec, now)
        realms[realm_id] = realm
    return realms


def build_users():
    return copy.deepcopy(USERS)


def company_names():
    return {realm_id: spec["name"] for realm_id, spec in COMPANIES.items()}
