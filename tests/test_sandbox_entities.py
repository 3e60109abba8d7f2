"""Customers, jobs, vendors and employees as QBO keeps them, through python-quickbooks (and
raw HTTP where the library cannot send what a test needs): stored fields, computed fields,
SyncToken checks, name rules, faults, minorversion, several companies."""

import json

import pytest
import requests
from quickbooks.exceptions import (
    AuthorizationException,
    ObjectNotFoundException,
    QuickbooksException,
    UnsupportedException,
    ValidationException,
)
from quickbooks.objects.base import Address, EmailAddress, PhoneNumber, Ref
from quickbooks.objects.company_info import CompanyInfo
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.vendor import Vendor

from qbo_sandbox import REALM_BLUE_RIDGE, REALM_COASTAL, REALM_SUMMIT
from qbo_sandbox.errors import DUPLICATE_NAME_DETAIL


def raw(qb, method, path, body=None, params=None):
    """A request python-quickbooks cannot make (bad JSON, odd parameters), with its token."""
    url = f"{qb.api_url}/company/{qb.company_id}/{path}"
    headers = {
        "Authorization": f"Bearer {qb.auth_client.access_token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    return requests.request(method, url, data=body, params=params, headers=headers, timeout=10)


def new_customer(name, **fields):
    customer = Customer()
    customer.DisplayName = name
    for key, value in fields.items():
        setattr(customer, key, value)
    return customer


def fault_of(response):
    assert response.status_code == 400, response.text
    return response.json()["Fault"]["Error"][0]


def test_company_info_and_preferences(qb):
    info = CompanyInfo.get(REALM_BLUE_RIDGE, qb=qb)
    assert info.CompanyName == "Blue Ridge Restoration LLC"
    assert {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"} in info.NameValue
    prefs = Preferences.get(qb=qb)
    assert prefs.CurrencyPrefs.HomeCurrency.value == "USD"
    assert qb.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/companyinfo/1")["CompanyInfo"]["Id"] == "1"
    with pytest.raises(ObjectNotFoundException):
        CompanyInfo.get("42", qb=qb)


def test_create_stores_what_was_sent_and_computes_the_rest(qb):
    customer = new_customer("Grace Liu - 1010", GivenName="Grace", FamilyName="Liu", Notes="Gate code 4412")
    customer.BillAddr = Address()
    customer.BillAddr.Line1, customer.BillAddr.City = "77 Merrimon Ave", "Asheville"
    customer.BillAddr.CountrySubDivisionCode, customer.BillAddr.PostalCode = "NC", "28801"
    customer.PrimaryEmailAddr = EmailAddress()
    customer.PrimaryEmailAddr.Address = "grace@example.com"
    customer.PrimaryPhone = PhoneNumber()
    customer.PrimaryPhone.FreeFormNumber = "(828) 555-0101"
    saved = customer.save(qb=qb)

    assert saved.Id and saved.SyncToken == "0"
    assert saved.FullyQualifiedName == "Grace Liu - 1010" and saved.Level == 0
    assert saved.PrintOnCheckName == "Grace Liu - 1010", "defaults to the display name"
    assert saved.MetaData["CreateTime"] == saved.MetaData["LastUpdatedTime"]
    assert saved.CurrencyRef.value == "USD" and saved.Balance == 0 and saved.BalanceWithJobs == 0
    read = Customer.get(saved.Id, qb=qb)
    assert read.BillAddr.Line1 == "77 Merrimon Ave" and read.BillAddr.PostalCode == "28801"
    assert read.PrimaryEmailAddr.Address == "grace@example.com"
    assert read.PrimaryPhone.FreeFormNumber == "(828) 555-0101"
    assert read.Notes == "Gate code 4412" and read.GivenName == "Grace"
    body = qb.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/customer/{saved.Id}")["Customer"]
    assert "Title" not in body and "MiddleName" not in body, "empty strings are not kept, as in QBO"
    assert (
        body["domain"] == "QBO"
        and body["sparse"] is False
        and "time" in qb.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/customer/{saved.Id}")
    )


def test_display_name_is_derived_from_the_name_parts(qb):
    person = Customer()
    person.Title, person.GivenName, person.MiddleName, person.FamilyName, person.Suffix = (
        "Dr.",
        "Ana",
        "M",
        "Silva",
        "Jr",
    )
    assert person.save(qb=qb).DisplayName == "Dr. Ana M Silva Jr"
    with pytest.raises(ValidationException) as raised:
        Customer().save(qb=qb)
    assert raised.value.error_code == 2020


def test_jobs_are_sub_customers_with_computed_hierarchy(qb):
    parent = new_customer("Owen Price - 1011").save(qb=qb)
    job = new_customer("24-0200 - Water loss, laundry room", Job=True, BillWithParent=True, Balance=512.25)
    job.ParentRef = parent.to_ref()
    job = job.save(qb=qb)
    assert job.FullyQualifiedName == "Owen Price - 1011:24-0200 - Water loss, laundry room"
    assert job.Level == 1 and job.Job is True and job.ParentRef.value == parent.Id
    assert Customer.get(parent.Id, qb=qb).BalanceWithJobs == 512.25

    renamed = qb.update_object(
        "Customer",
        json.dumps({"sparse": True, "Id": parent.Id, "SyncToken": "0", "DisplayName": "Owen Price - 1011A"}),
    )["Customer"]
    assert renamed["SyncToken"] == "1"
    assert Customer.get(job.Id, qb=qb).FullyQualifiedName.startswith("Owen Price - 1011A:")

    chain = [parent]
    for level in range(2, 5):
        nested = new_customer(f"Sub level {level}", Job=True)
        nested.ParentRef = chain[-1].to_ref() if level > 2 else job.to_ref()
        chain.append(nested.save(qb=qb))
        assert chain[-1].Level == level
    too_deep = new_customer("Sub level 5", Job=True)
    too_deep.ParentRef = chain[-1].to_ref()
    with pytest.raises(QuickbooksException) as raised:
        too_deep.save(qb=qb)
    assert raised.value.error_code == 6000

    orphan = new_customer("Orphan job", Job=True)
    orphan.ParentRef = Ref()
    orphan.ParentRef.value = "99999"
    with pytest.raises(ValidationException) as raised:
        orphan.save(qb=qb)
    assert raised.value.error_code == 2500


def test_display_names_are_unique_across_customers_vendors_and_employees(qb):
    vendor = Vendor()
    vendor.DisplayName = "Sunbelt Rentals - Asheville"
    with pytest.raises(QuickbooksException) as raised:
        vendor.save(qb=qb)
    assert raised.value.error_code == 6240
    assert raised.value.message == "Duplicate Name Exists Error"
    assert raised.value.detail == DUPLICATE_NAME_DETAIL

    employee = Employee()
    employee.DisplayName = "  margaret HOLLIS - 1001 "
    with pytest.raises(QuickbooksException) as raised:
        employee.save(qb=qb)
    assert raised.value.error_code == 6240, "the comparison ignores case and spacing"

    inactive = new_customer("Henderson Family Trust - 1005")
    with pytest.raises(QuickbooksException) as raised:
        inactive.save(qb=qb)
    assert raised.value.error_code == 6240, "inactive names stay taken"


def test_string_rules(qb):
    with pytest.raises(ValidationException) as raised:
        new_customer("Bad: name").save(qb=qb)
    assert raised.value.error_code == 2050
    with pytest.raises(ValidationException) as raised:
        new_customer("x" * 501).save(qb=qb)
    assert raised.value.error_code == 2050
    assert "Max:500" in raised.value.detail
    with pytest.raises(ValidationException):
        new_customer("Tabbed\tname").save(qb=qb)
    email = new_customer("No at sign")
    email.PrimaryEmailAddr = EmailAddress()
    email.PrimaryEmailAddr.Address = "nobody.example.com"
    with pytest.raises(QuickbooksException) as raised:
        email.save(qb=qb)
    assert raised.value.error_code == 6000


def test_unknown_fields_and_bad_json_get_a_fault(qb):
    with pytest.raises(ValidationException) as raised:
        qb.create_object("Customer", json.dumps({"DisplayName": "Z", "FavouriteColour": "green"}))
    assert raised.value.error_code == 2010 and "FavouriteColour" in raised.value.detail
    with pytest.raises(ValidationException):
        qb.create_object("Customer", json.dumps({"DisplayName": "Z", "BillAddr": {"Planet": "Mars"}}))
    with pytest.raises(ValidationException):
        qb.create_object("Customer", json.dumps({"DisplayName": "Z", "Active": "maybe"}))
    for body in ("{not json", "[1, 2]", '"text"', "\xff"):
        error = fault_of(raw(qb, "POST", "customer", body=body.encode("latin-1")))
        assert error["code"] == "2010"
    assert fault_of(raw(qb, "POST", "batch", body=b"{"))["code"] == "2010"


def test_full_update_replaces_and_checks_the_sync_token(qb):
    saved = new_customer("Ivy Cole - 1012", Notes="first", CompanyName="Cole LLC").save(qb=qb)
    current = Customer.get(saved.Id, qb=qb)
    current.Notes = None
    current.GivenName = "Ivy"
    updated = current.save(qb=qb)
    assert updated.SyncToken == "1" and updated.GivenName == "Ivy" and updated.CompanyName == "Cole LLC"
    assert not getattr(updated, "Notes", None), "a full update clears what it leaves out"

    body = {"Id": saved.Id, "SyncToken": "0", "DisplayName": "Ivy Cole - 1012"}
    with pytest.raises(QuickbooksException) as raised:
        qb.update_object("Customer", json.dumps(body))
    assert raised.value.error_code == 5010 and raised.value.message == "Stale Object Error"
    with pytest.raises(ValidationException) as raised:
        qb.update_object("Customer", json.dumps({"Id": saved.Id, "DisplayName": "x"}))
    assert raised.value.error_code == 2020
    with pytest.raises(ObjectNotFoundException) as raised:
        qb.update_object("Customer", json.dumps({"Id": "424242", "SyncToken": "0", "DisplayName": "x"}))
    assert raised.value.error_code == 610
    with pytest.raises(ObjectNotFoundException):
        Customer.get("424242", qb=qb)

    with_balance = new_customer("Opening balance", Balance=100).save(qb=qb)
    again = Customer.get(with_balance.Id, qb=qb)
    again.Balance = 5
    assert again.save(qb=qb).Balance == 100, "Balance is write-on-create"


def test_sparse_update_changes_only_what_it_sends(qb):
    saved = new_customer("Jon Park - 1013", Notes="keep me", CompanyName="Park Dental").save(qb=qb)
    result = qb.update_object(
        "Customer", json.dumps({"sparse": True, "Id": saved.Id, "SyncToken": "0", "Notes": "changed"})
    )["Customer"]
    assert (
        result["Notes"] == "changed" and result["CompanyName"] == "Park Dental" and result["SyncToken"] == "1"
    )
    cleared = qb.update_object(
        "Customer",
        json.dumps({"sparse": True, "Id": saved.Id, "SyncToken": 1, "CompanyName": "", "DisplayName": ""}),
    )["Customer"]
    assert "CompanyName" not in cleared and cleared["DisplayName"] == "Jon Park - 1013"


def test_deactivating_a_customer_deactivates_its_jobs(qb):
    parent = Customer.filter(DisplayName="Margaret Hollis - 1001", qb=qb)[0]
    jobs = Customer.where(f"ParentRef = '{parent.Id}'", qb=qb)
    assert len(jobs) == 2
    qb.update_object(
        "Customer",
        json.dumps({"sparse": True, "Id": parent.Id, "SyncToken": parent.SyncToken, "Active": False}),
    )
    assert Customer.filter(DisplayName="Margaret Hollis - 1001", qb=qb) == []
    assert Customer.where(f"ParentRef = '{parent.Id}'", qb=qb) == []
    inactive = Customer.where("Active = false", qb=qb)
    assert {c.Id for c in inactive} >= {parent.Id} | {j.Id for j in jobs}
    job = Customer.get(jobs[0].Id, qb=qb)
    assert job.Active is False and job.SyncToken == str(int(jobs[0].SyncToken) + 1)

    reactivate = {"sparse": True, "Id": job.Id, "SyncToken": job.SyncToken, "Active": True}
    with pytest.raises(ObjectNotFoundException):
        qb.update_object("Customer", json.dumps(reactivate))


def test_vendors_and_employees(qb):
    vendor = Vendor()
    vendor.DisplayName, vendor.CompanyName, vendor.Vendor1099 = "Blue Ridge Tarp Co.", "BR Tarp", True
    vendor = vendor.save(qb=qb)
    assert (
        vendor.SyncToken == "0"
        and vendor.Vendor1099 is True
        and vendor.PrintOnCheckName == "Blue Ridge Tarp Co."
    )
    vendor = Vendor.get(vendor.Id, qb=qb)
    vendor.AcctNum = "A-77"
    assert vendor.save(qb=qb).SyncToken == "1"
    assert Vendor.filter(DisplayName="Blue Ridge Tarp Co.", qb=qb)[0].AcctNum == "A-77"

    employee = Employee()
    employee.GivenName, employee.FamilyName, employee.SSN = "Ruby", "Hale", "123-45-6789"
    employee.PrimaryAddr = Address()
    employee.PrimaryAddr.City = "Weaverville"
    employee = employee.save(qb=qb)
    assert employee.DisplayName == "Ruby Hale" and employee.SSN == "XXX-XX-XXXX"
    employee = Employee.get(employee.Id, qb=qb)
    employee.HiredDate = "2024-05-01"
    employee = employee.save(qb=qb)
    assert employee.HiredDate == "2024-05-01" and employee.PrimaryAddr.City == "Weaverville"
    stored = qb.get(f"{qb.api_url}/company/{REALM_BLUE_RIDGE}/employee/{employee.Id}")["Employee"]
    assert stored["SSN"] == "XXX-XX-XXXX"
    deactivated = qb.update_object(
        "Employee",
        json.dumps({"sparse": True, "Id": employee.Id, "SyncToken": employee.SyncToken, "Active": False}),
    )
    assert deactivated["Employee"]["Active"] is False
    assert Employee.filter(GivenName="Ruby", qb=qb) == []
    with pytest.raises(ValidationException):
        qb.update_object("Employee", json.dumps({"Id": employee.Id, "SyncToken": "2", "HiredDate": "May 1"}))


def test_delete_and_unknown_paths_are_refused_like_qbo(qb):
    with pytest.raises(UnsupportedException) as raised:
        qb.delete_object("Customer", json.dumps({"Id": "1", "SyncToken": "0"}))
    assert raised.value.error_code == 500
    for method, path in (
        ("GET", "widget/1"),
        ("POST", "widget"),
        ("GET", "estimate/1"),
        ("GET", "customer"),
        ("PUT", "customer"),
        ("GET", "customer/1/extra"),
    ):
        error = fault_of(raw(qb, method, path))
        assert error["code"] == "500" and error["Message"] == "Unsupported Operation"
    with pytest.raises(UnsupportedException):
        qb.create_object("Customer", json.dumps({"DisplayName": "x"}), params={"operation": "void"})


def test_minor_versions(qb):
    assert raw(qb, "GET", f"companyinfo/{REALM_BLUE_RIDGE}").status_code == 200
    assert raw(qb, "GET", f"companyinfo/{REALM_BLUE_RIDGE}", params={"minorversion": "40"}).status_code == 200
    assert raw(qb, "GET", f"companyinfo/{REALM_BLUE_RIDGE}", params={"minorversion": "75"}).status_code == 200
    error = fault_of(raw(qb, "GET", f"companyinfo/{REALM_BLUE_RIDGE}", params={"minorversion": "seventy"}))
    assert error["code"] == "2010" and error["element"] == "minorversion"


def test_every_response_has_an_intuit_tid(sandbox, qb):
    responses = [
        raw(qb, "GET", f"companyinfo/{REALM_BLUE_RIDGE}"),
        raw(qb, "GET", "customer/999999"),
        requests.get(f"{sandbox.api_url_v3}/company/{REALM_BLUE_RIDGE}/preferences", timeout=10),
        requests.get(sandbox.discovery_url, timeout=10),
        requests.post(sandbox.url + "/oauth2/v1/tokens/bearer", timeout=10),
        requests.get(sandbox.url + "/nowhere", timeout=10),
        requests.get(sandbox.url + "/_sandbox/counters", timeout=10),
    ]
    tids = [r.headers.get("intuit_tid") for r in responses]
    assert all(tids) and len(set(tids)) == len(tids)


def test_each_company_has_its_own_data(sandbox, sandbox_connect):
    blue, summit, coastal = (sandbox_connect(r) for r in (REALM_BLUE_RIDGE, REALM_SUMMIT, REALM_COASTAL))
    first = new_customer("Shared Name - 1").save(qb=blue)
    second = new_customer("Shared Name - 1").save(qb=summit)
    assert Customer.get(first.Id, qb=blue).DisplayName == Customer.get(second.Id, qb=summit).DisplayName
    assert Customer.filter(DisplayName="Shared Name - 1", qb=coastal) == []
    assert CompanyInfo.get(REALM_COASTAL, qb=coastal).CompanyName == "Coastal Packout Co."
    names = {
        realm: {c.DisplayName for c in Customer.all(qb=client)}
        for realm, client in ((REALM_SUMMIT, summit), (REALM_COASTAL, coastal))
    }
    assert "Robert Chen - 2001" in names[REALM_SUMMIT] and "Robert Chen - 2001" not in names[REALM_COASTAL]
    assert len(Vendor.all(qb=coastal)) == 4 and len(Employee.all(qb=summit)) == 3


def test_python_quickbooks_without_a_session_token_is_refused(qb):
    qb.session.access_token = "expired-or-made-up"
    with pytest.raises(AuthorizationException):
        Customer.all(qb=qb)


def test_moving_and_renaming_keep_names_and_hierarchy_consistent(qb):
    hollis = Customer.filter(DisplayName="Margaret Hollis - 1001", qb=qb)[0]
    reyes = Customer.filter(DisplayName="Daniel Reyes - 1003", qb=qb)[0]
    job = Customer.filter(DisplayName="24-0117 - Water mitigation, kitchen supply line", qb=qb)[0]

    moved = qb.update_object(
        "Customer",
        json.dumps(
            {"sparse": True, "Id": job.Id, "SyncToken": job.SyncToken, "ParentRef": {"value": reyes.Id}}
        ),
    )["Customer"]
    assert (
        moved["FullyQualifiedName"] == "Daniel Reyes - 1003:24-0117 - Water mitigation, kitchen supply line"
    )
    assert Customer.get(hollis.Id, qb=qb).BalanceWithJobs == 0
    assert Customer.get(reyes.Id, qb=qb).BalanceWithJobs == 1250 + 1840.5

    loop = {"sparse": True, "Id": reyes.Id, "SyncToken": reyes.SyncToken, "ParentRef": {"value": job.Id}}
    with pytest.raises(QuickbooksException) as raised:
        qb.update_object("Customer", json.dumps(loop))
    assert raised.value.error_code == 6000

    full = Customer.get(job.Id, qb=qb)
    full.ParentRef = None
    top = full.save(qb=qb)
    assert top.Level == 0 and top.FullyQualifiedName == "24-0117 - Water mitigation, kitchen supply line"
    assert Customer.get(reyes.Id, qb=qb).BalanceWithJobs == 1250

    renamed = qb.update_object(
        "Customer",
        json.dumps(
            {
                "sparse": True,
                "Id": hollis.Id,
                "SyncToken": hollis.SyncToken,
                "DisplayName": "Margaret Hollis-Grant - 1001",
            }
        ),
    )
    assert renamed["Customer"]["PrintOnCheckName"] == "Margaret Hollis - 1001", "set once, kept on rename"
    assert new_customer("Margaret Hollis - 1001").save(qb=qb).Id, "the old name is free again"
    with pytest.raises(QuickbooksException) as raised:
        new_customer("Margaret Hollis-Grant - 1001").save(qb=qb)
    assert raised.value.error_code == 6240
