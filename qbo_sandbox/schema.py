"""The fields of Customer, Vendor and Employee as QBO defines them, and the validation of
a request body against them: types, lengths, forbidden characters, unknown members.
"""

import re

from . import errors

STR, BOOL, NUM, DATE = "str", "bool", "num", "date"

ADDRESS = {
    "Id": (STR, 20),
    "Line1": (STR, 500),
    "Line2": (STR, 500),
    "Line3": (STR, 500),
    "Line4": (STR, 500),
    "Line5": (STR, 500),
    "City": (STR, 255),
    "Country": (STR, 255),
    "CountryCode": (STR, 10),
    "CountrySubDivisionCode": (STR, 255),
    "PostalCode": (STR, 30),
    "Lat": (STR, 30),
    "Long": (STR, 30),
    "Note": (STR, 2000),
}
PHONE = {
    "FreeFormNumber": (STR, 30),
    "DeviceType": (STR, 50),
    "CountryCode": (STR, 10),
    "AreaCode": (STR, 10),
    "ExchangeCode": (STR, 10),
    "Extension": (STR, 10),
}
EMAIL = {"Address": (STR, 100)}
WEB = {"URI": (STR, 1000)}
REF = {"value": (STR, 100), "name": (STR, 500), "type": (STR, 100)}
CONTACT = {"Type": (STR, 50), "Telephone": PHONE}
BANK = {
    "BankAccountName": (STR, 100),
    "BankBranchIdentifier": (STR, 50),
    "BankAccountNumber": (STR, 50),
    "StatementText": (STR, 100),
}

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
NO_SEPARATORS = NAME_PARTS + ("DisplayName", "PrintOnCheckName")
HOUSEKEEPING = {"Id", "SyncToken", "sparse", "domain", "MetaData"}

PERSON = {
    "Title": (STR, 16),
    "GivenName": (STR, 100),
    "MiddleName": (STR, 100),
    "FamilyName": (STR, 100),
    "Suffix": (STR, 16),
    "DisplayName": (STR, 500),
    "PrintOnCheckName": (STR, 110),
    "Active": (BOOL, None),
    "PrimaryPhone": PHONE,
    "Mobile": PHONE,
    "PrimaryEmailAddr": EMAIL,
    "Source": (STR, 30),
}

SCHEMAS = {
    "Customer": {
        "fields": {
            **PERSON,
            "CompanyName": (STR, 100),
            "Notes": (STR, 2000),
            "Job": (BOOL, None),
            "BillWithParent": (BOOL, None),
            "ParentRef": REF,
            "Taxable": (BOOL, None),
            "PreferredDeliveryMethod": (STR, 10),
            "ResaleNum": (STR, 16),
            "PrimaryTaxIdentifier": (STR, 20),
            "SecondaryTaxIdentifier": (STR, 20),
            "BusinessNumber": (STR, 10),
            "GSTIN": (STR, 15),
            "GSTRegistrationType": (STR, 15),
            "TaxExemptionReasonId": (STR, 10),
            "AlternatePhone": PHONE,
            "Fax": PHONE,
            "WebAddr": WEB,
            "BillAddr": ADDRESS,
            "ShipAddr": ADDRESS,
            "DefaultTaxCodeRef": REF,
            "SalesTermRef": REF,
            "PaymentMethodRef": REF,
            "CurrencyRef": REF,
            "ARAccountRef": REF,
            "CustomerTypeRef": REF,
            "OpenBalanceDate": (DATE, None),
            "Balance": (NUM, None),
        },
        "computed": {"FullyQualifiedName", "Level", "BalanceWithJobs", "IsProject"},
        "write_on_create": {"Balance", "OpenBalanceDate", "CurrencyRef"},
        "defaults": {
            "Active": True,
            "Job": False,
            "BillWithParent": False,
            "Taxable": False,
            "PreferredDeliveryMethod": "Print",
            "Balance": 0,
        },
    },
    "Vendor": {
        "fields": {
            **PERSON,
            "CompanyName": (STR, 100),
            "TaxIdentifier": (STR, 20),
            "AcctNum": (STR, 100),
            "Vendor1099": (BOOL, None),
            "TaxReportingBasis": (STR, 10),
            "BillRate": (NUM, None),
            "CostRate": (NUM, None),
            "Balance": (NUM, None),
            "BillAddr": ADDRESS,
            "AlternatePhone": PHONE,
            "Fax": PHONE,
            "WebAddr": WEB,
            "TermRef": REF,
            "CurrencyRef": REF,
            "APAccountRef": REF,
            "OtherContactInfo": CONTACT,
            "GSTIN": (STR, 15),
            "BusinessNumber": (STR, 10),
            "GSTRegistrationType": (STR, 15),
            "T4AEligible": (BOOL, None),
            "T5018Eligible": (BOOL, None),
            "HasTPAR": (BOOL, None),
            "VendorPaymentBankDetail": BANK,
        },
        "computed": set(),
        "write_on_create": {"Balance", "CurrencyRef"},
        "defaults": {"Active": True, "Vendor1099": False, "Balance": 0},
    },
    "Employee": {
        "fields": {
            **PERSON,
            "EmployeeNumber": (STR, 100),
            "SSN": (STR, 20),
            "PrimaryAddr": ADDRESS,
            "BillableTime": (BOOL, None),
            "BillRate": (NUM, None),
            "CostRate": (NUM, None),
            "BirthDate": (DATE, None),
            "Gender": (STR, 10),
            "HiredDate": (DATE, None),
            "ReleasedDate": (DATE, None),
            "Organization": (BOOL, None),
        },
        "computed": {"V4IDPseudonym"},
        "write_on_create": set(),
        "defaults": {"Active": True, "BillableTime": False, "Organization": False},
    },
}
ENTITY_NAMES = tuple(SCHEMAS)
MAX_LEVEL = 4
HOME_CURRENCY = {"value": "USD", "name": "United States Dollar"}
# QBO never returns an SSN; a client that saves what it read sends the mask back unchanged.
SSN_MASK = "XXX-XX-XXXX"
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def entity_for_path(segment):
    """``customer`` -> ``Customer`` (URIs are lower case, as python-quickbooks sends them)."""
    for name in ENTITY_NAMES:
        if name.lower() == segment:
            return name
    return None


def queryable_fields(entity):
    schema = SCHEMAS[entity]
    return set(schema["fields"]) | schema["computed"] | {"Id", "SyncToken", "MetaData"}


# ---------------------------------------------------------------- validation


def _clean_value(entity, name, spec, value):
    """A validated copy of one value, or None for "no value" (QBO drops empty strings)."""
    if value is None:
        return None
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise errors.unsupported_property(f"{name} must be an object", name)
        cleaned = {}
        for key, sub_value in value.items():
            if key not in spec:
                raise errors.unknown_field(entity, f"{name}.{key}")
            sub = _clean_value(entity, f"{name}.{key}", spec[key], sub_value)
            if sub is not None:
                cleaned[key] = sub
        return cleaned or None
    kind, maximum = spec
    if kind == STR:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise errors.unsupported_property(f"{name} must be a string", name)
        text = str(value)
        if maximum is not None and len(text) > maximum:
            raise errors.bad_length(name, maximum, len(text))
        return text or None
    if kind == BOOL:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise errors.unsupported_property(f"{name} must be true or false", name)
        return value
    if kind == NUM:
        if isinstance(value, bool):
            raise errors.unsupported_property(f"{name} must be a number", name)
        if isinstance(value, (int, float)):
            return value
        try:
            return float(value)
        except (TypeError, ValueError):
            raise errors.unsupported_property(f"{name} must be a number", name) from None
    if not isinstance(value, str):
        raise errors.unsupported_property(f"{name} must be a date (YYYY-MM-DD)", name)
    if not value:
        return None
    match = _DATE.match(value)
    if not match:
        raise errors.unsupported_property(f"{name} must be a date (YYYY-MM-DD)", name)
    return match.group(1)


def clean_payload(entity, payload):
    """Validate a request body; returns (writable fields that carry a value, names sent).

    Unknown members are refused the way QBO's deserializer refuses them; read-only members
    (Id, SyncToken, MetaData, FullyQualifiedName...) are accepted and ignored.
    """
    if not isinstance(payload, dict):
        raise errors.unsupported_property(f"the {entity} body must be a JSON object")
    schema = SCHEMAS[entity]
    cleaned, sent = {}, set()
    for name, value in payload.items():
        if name in HOUSEKEEPING or name in schema["computed"]:
            continue
        if name not in schema["fields"]:
            raise errors.unknown_field(entity, name)
        sent.add(name)
        clean = _clean_value(entity, name, schema["fields"][name], value)
        if clean is not None:
            cleaned[name] = clean
    for name in NO_SEPARATORS:
        if name in cleaned and re.search(r"[:\t\n]", cleaned[name]):
            raise errors.invalid_characters(name)
    email = cleaned.get("PrimaryEmailAddr", {}).get("Address")
    if email and ("@" not in email or "." not in email):
        raise errors.business_rule(
            "The email address is not valid. It must contain @ and a dot (.).", "PrimaryEmailAddr"
        )
    return cleaned, sent


def derived_display_name(fields):
    return " ".join(fields[part] for part in NAME_PARTS if fields.get(part)).strip()
