"""Intuit's error bodies: the Accounting API ``Fault`` and the OAuth server's errors.

Messages and details follow what Intuit sends (its documentation's samples and real
responses quoted by client libraries), because clients match on them.
"""

import json

NOT_FOUND_DETAIL = (
    "Object Not Found : Something you're trying to use has been made inactive. "
    "Check the fields with accounts, customers, items, vendors or employees."
)
# Intuit's own text, line break included (it is in the documented sample).
DUPLICATE_NAME_DETAIL = (
    "The name supplied already exists. : Another customer, vendor or employee is already "
    "using this \nname. Please use a different name."
)
STALE_USER = "API API"
SYSTEM_FAILURE_DETAIL = (
    "System Failure Error: An unexpected error occurred while accessing or saving your data. "
    "Please wait a few minutes and try again. If the problem persists, contact customer support."
)


class QboFault(Exception):
    """An Accounting API error that becomes a ``Fault`` body."""

    def __init__(self, code, message, detail="", element="", fault_type="ValidationFault", status=400):
        super().__init__(f"{code} {message}: {detail}")
        self.code = str(code)
        self.message = message
        self.detail = detail
        self.element = element
        self.fault_type = fault_type
        self.status = status

    def fault(self):
        return {
            "Error": [
                {"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}
            ],
            "type": self.fault_type,
        }


def not_found(element=""):
    return QboFault("610", "Object Not Found", NOT_FOUND_DETAIL, element)


def duplicate_name(detail=DUPLICATE_NAME_DETAIL):
    return QboFault("6240", "Duplicate Name Exists Error", detail)


def stale_object():
    return QboFault(
        "5010",
        "Stale Object Error",
        f"Stale Object Error : You and {STALE_USER} were working on this at the same time. "
        f"{STALE_USER} finished before you did, so your work was not saved.",
    )


def required_missing(name):
    return QboFault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {name} is missing in the request",
        name,
    )


def bad_length(name, maximum, supplied):
    return QboFault(
        "2050",
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length. Min:0 Max:{maximum} supported. "
        f"Supplied length:{supplied}",
        name,
    )


def invalid_characters(name):
    return QboFault(
        "2050",
        "Invalid String",
        f"String contains invalid characters : {name} cannot contain a colon (:), a tab or a new line.",
        name,
    )


def unsupported_property(detail, element=""):
    return QboFault(
        "2010",
        "Request has invalid or unsupported property",
        f"Property Name:{detail} specified is unsupported or invalid",
        element,
    )


def unknown_field(entity, name):
    return unsupported_property(
        f'Unrecognized field "{name}" (class com.intuit.schema.finance.v3.{entity}), not marked as ignorable',
        name,
    )


def business_rule(detail, element=""):
    return QboFault(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def invalid_reference(element, value):
    return QboFault(
        "2500", "Invalid Reference Id", f"Invalid Reference Id : {element} {value} does not exist", element
    )


def unsupported_operation(path):
    return QboFault(
        "500",
        "Unsupported Operation",
        f"Operation Could not find resource for relative : {path} of full path: {path} is not supported.",
    )


def operation_not_supported(operation):
    return QboFault("500", "Unsupported Operation", f"Operation {operation} is not supported.")


def query_parser_error(detail):
    return QboFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail):
    return QboFault("4001", "Invalid query", f"QueryValidationError: {detail}")


def throttled():
    return QboFault(
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.  Try again later",
        fault_type="SERVICE",
        status=429,
    )


def system_failure():
    return QboFault(
        "10000",
        "An application error has occurred while processing your request",
        SYSTEM_FAILURE_DETAIL,
        fault_type="SystemFault",
        status=500,
    )


def fault_body(fault, time_text):
    return {"Fault": fault.fault(), "time": time_text}


def authentication_fault(detail, time_text):
    """401 body: Intuit's gateway answers in lower case, unlike the Accounting API."""
    return {
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": detail,
                    "code": "3200",
                }
            ],
            "type": "AUTHENTICATION",
        },
        "time": time_text,
    }


def authorization_fault(time_text):
    """403 body for a token used on a company it was not granted for."""
    return {
        "fault": {
            "error": [
                {
                    "message": "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                    "detail": None,
                    "code": "3100",
                }
            ],
            "type": "SERVICE",
        },
        "time": time_text,
    }


class OAuthError(Exception):
    """An OAuth server error: ``{"error": ...}`` with the status Intuit uses."""

    def __init__(self, error, status=400, description=None):
        super().__init__(error)
        self.error = error
        self.status = status
        self.description = description

    def body(self):
        payload = {"error": self.error}
        if self.description:
            payload["error_description"] = self.description
        return json.dumps(payload)


def invalid_grant():
    return OAuthError("invalid_grant")


def invalid_client():
    return OAuthError("invalid_client", status=401)
