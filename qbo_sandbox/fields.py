"""The writable members of each entity the sandbox keeps, as QBO defines them.

Transactions accept what python-quickbooks serializes for a fresh object (its defaults
include members such as ExchangeRate or PrintStatus), so a client built on it can create
them unchanged. Which members are read-only, required or derived is declared in ``types``.
"""

from .schema import ADDRESS, BOOL, DATE, EMAIL, ENUM, NUM, PHONE, REF, STR, WEB, Detail, Lines, ListOf

CONTACT = {"Type": (STR, 50), "Telephone": PHONE}
BANK = {
    "BankAccountName": (STR, 100),
    "BankBranchIdentifier": (STR, 50),
    "BankAccountNumber": (STR, 50),
    "StatementText": (STR, 100),
}
MEMO = {"value": (STR, 1000)}
LINKED_TXN = {"TxnId": (STR, 100), "TxnType": (STR, 100), "TxnLineId": (STR, 100)}
CUSTOM_FIELD = {"DefinitionId": (STR, 100), "Name": (STR, 100), "Type": (STR, 100), "StringValue": (STR, 100)}
BILLABLE = (ENUM, ("Billable", "NotBillable", "HasBeenBilled"))

# ---------------------------------------------------------------- names

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
CUSTOMER = {
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
}
VENDOR = {
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
}
EMPLOYEE = {
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
}

# ---------------------------------------------------------------- lists

ACCOUNT_TYPES = (
    "Bank",
    "Other Current Asset",
    "Fixed Asset",
    "Other Asset",
    "Accounts Receivable",
    "Equity",
    "Expense",
    "Other Expense",
    "Cost of Goods Sold",
    "Accounts Payable",
    "Credit Card",
    "Long Term Liability",
    "Other Current Liability",
    "Income",
    "Other Income",
)
ACCOUNT = {
    "Name": (STR, 100),
    "AcctNum": (STR, 20),
    "Description": (STR, 100),
    "Active": (BOOL, None),
    "AccountType": (ENUM, ACCOUNT_TYPES),
    "AccountSubType": (STR, 100),
    "ParentRef": REF,
    "CurrencyRef": REF,
    "TaxCodeRef": REF,
}
ITEM = {
    "Name": (STR, 100),
    "Sku": (STR, 100),
    "Description": (STR, 4000),
    "Active": (BOOL, None),
    "Type": (ENUM, ("Service", "Inventory", "NonInventory")),
    "SubItem": (BOOL, None),
    "Taxable": (BOOL, None),
    "SalesTaxIncluded": (BOOL, None),
    "UnitPrice": (NUM, None),
    "PurchaseDesc": (STR, 1000),
    "PurchaseTaxIncluded": (BOOL, None),
    "PurchaseCost": (NUM, None),
    "TrackQtyOnHand": (BOOL, None),
    "QtyOnHand": (NUM, None),
    "InvStartDate": (DATE, None),
    "IncomeAccountRef": REF,
    "ExpenseAccountRef": REF,
    "AssetAccountRef": REF,
    "SalesTaxCodeRef": REF,
    "PurchaseTaxCodeRef": REF,
}
CLASS = {"Name": (STR, 100), "Active": (BOOL, None), "ParentRef": REF}

# ---------------------------------------------------------------- transaction lines

LINE = {
    "Id": (STR, 20),
    "LineNum": (NUM, None),
    "Description": (STR, 4000),
    "Amount": (NUM, None),
    "LinkedTxn": ListOf(LINKED_TXN),
    "CustomField": ListOf(CUSTOM_FIELD),
}
SALES_ITEM = Detail(
    "SalesItemLineDetail",
    {
        "ItemRef": REF,
        "ClassRef": REF,
        "Qty": (NUM, None),
        "UnitPrice": (NUM, None),
        "ServiceDate": (DATE, None),
        "TaxCodeRef": REF,
        "TaxInclusiveAmt": (NUM, None),
    },
)
DESCRIPTION_ONLY = Detail(
    "DescriptionLineDetail", {"ServiceDate": (DATE, None), "TaxCodeRef": REF}, counted=False
)
ACCOUNT_EXPENSE = Detail(
    "AccountBasedExpenseLineDetail",
    {
        "AccountRef": REF,
        "CustomerRef": REF,
        "ClassRef": REF,
        "BillableStatus": BILLABLE,
        "TaxCodeRef": REF,
        "TaxInclusiveAmt": (NUM, None),
    },
    required=("AccountRef",),
)
ITEM_EXPENSE = Detail(
    "ItemBasedExpenseLineDetail",
    {
        "ItemRef": REF,
        "CustomerRef": REF,
        "ClassRef": REF,
        "BillableStatus": BILLABLE,
        "Qty": (NUM, None),
        "UnitPrice": (NUM, None),
        "TaxCodeRef": REF,
        "TaxInclusiveAmt": (NUM, None),
    },
    required=("ItemRef",),
)
SALES_LINES = Lines(LINE, {"SalesItemLineDetail": SALES_ITEM, "DescriptionOnly": DESCRIPTION_ONLY})
EXPENSE_LINES = Lines(
    LINE, {"AccountBasedExpenseLineDetail": ACCOUNT_EXPENSE, "ItemBasedExpenseLineDetail": ITEM_EXPENSE}
)
PAYMENT_LINES = Lines(
    {"Id": (STR, 20), "LineNum": (NUM, None), "Amount": (NUM, None), "LinkedTxn": ListOf(LINKED_TXN)}
)

# ---------------------------------------------------------------- transactions

TRANSACTION = {
    "TxnDate": (DATE, None),
    "DocNumber": (STR, 21),
    "PrivateNote": (STR, 4000),
    "CurrencyRef": REF,
    "ExchangeRate": (NUM, None),
    "GlobalTaxCalculation": (ENUM, ("TaxExcluded", "TaxInclusive", "NotApplicable")),
    "DepartmentRef": REF,
    "LinkedTxn": ListOf(LINKED_TXN),
}
SALES_FORM = {
    **TRANSACTION,
    "CustomerRef": REF,
    "ClassRef": REF,
    "Line": SALES_LINES,
    "BillAddr": ADDRESS,
    "ShipAddr": ADDRESS,
    "BillEmail": EMAIL,
    "CustomerMemo": MEMO,
    "SalesTermRef": REF,
    "ShipDate": (DATE, None),
    "TrackingNum": (STR, 30),
    "PrintStatus": (ENUM, ("NotSet", "NeedToPrint", "PrintComplete")),
    "EmailStatus": (ENUM, ("NotSet", "NeedToSend", "EmailSent")),
    "ApplyTaxAfterDiscount": (BOOL, None),
    "CustomField": ListOf(CUSTOM_FIELD),
}
INVOICE = {
    **SALES_FORM,
    "DueDate": (DATE, None),
    "Deposit": (NUM, None),
    "DepositToAccountRef": REF,
    "AllowIPNPayment": (BOOL, None),
    "AllowOnlinePayment": (BOOL, None),
    "AllowOnlineACHPayment": (BOOL, None),
    "AllowOnlineCreditCardPayment": (BOOL, None),
}
CREDIT_MEMO = SALES_FORM
RECEIPT = {
    **SALES_FORM,
    "PaymentRefNum": (STR, 21),
    "PaymentMethodRef": REF,
    "DepositToAccountRef": REF,
}
REFUND_RECEIPT = {**RECEIPT, "PaymentType": (STR, 30)}
PAYMENT = {
    **TRANSACTION,
    "CustomerRef": REF,
    "TotalAmt": (NUM, None),
    "Line": PAYMENT_LINES,
    "PaymentRefNum": (STR, 21),
    "PaymentMethodRef": REF,
    "DepositToAccountRef": REF,
    "ARAccountRef": REF,
    "ProcessPayment": (BOOL, None),
    "TxnSource": (STR, 30),
    "TxnStatus": (STR, 30),
}
VENDOR_FORM = {
    **TRANSACTION,
    "VendorRef": REF,
    "APAccountRef": REF,
    "Line": EXPENSE_LINES,
}
BILL = {**VENDOR_FORM, "DueDate": (DATE, None), "SalesTermRef": REF, "VendorAddr": ADDRESS}
VENDOR_CREDIT = VENDOR_FORM
PURCHASE = {
    **TRANSACTION,
    "PaymentType": (ENUM, ("Cash", "Check", "CreditCard")),
    "Credit": (BOOL, None),
    "AccountRef": REF,
    "EntityRef": REF,
    "PaymentMethodRef": REF,
    "PrintStatus": (ENUM, ("NotSet", "NeedToPrint", "PrintComplete")),
    "RemitToAddr": ADDRESS,
    "TxnSource": (STR, 30),
    "Line": EXPENSE_LINES,
}
TIME_ACTIVITY = {
    "TxnDate": (DATE, None),
    "NameOf": (ENUM, ("Employee", "Vendor")),
    "EmployeeRef": REF,
    "VendorRef": REF,
    "CustomerRef": REF,
    "ItemRef": REF,
    "ClassRef": REF,
    "DepartmentRef": REF,
    "BillableStatus": BILLABLE,
    "Taxable": (BOOL, None),
    "HourlyRate": (NUM, None),
    "CostRate": (NUM, None),
    "Hours": (NUM, None),
    "Minutes": (NUM, None),
    "BreakHours": (NUM, None),
    "BreakMinutes": (NUM, None),
    "StartTime": (STR, 30),
    "EndTime": (STR, 30),
    "Description": (STR, 4000),
}
