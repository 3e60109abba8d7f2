"""The reference lists each seeded company starts with: a small chart of accounts (a bank
account, a credit card, income, job costs split by category as the bridge's users split
them, overhead with a sub-account), products and services pointing at those accounts, and
classes where the QuickBooks edition tracks them (not Essentials).
"""

from . import entities

# (name, AccountType, AccountSubType, parent name)
ACCOUNTS = (
    ("Checking", "Bank", "Checking", None),
    ("Company Visa", "Credit Card", "CreditCard", None),
    ("Restoration Services", "Income", "ServiceFeeIncome", None),
    ("Job Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs", None),
    ("Subcontractors", "Cost of Goods Sold", "OtherCostsOfServiceCos", None),
    ("Temp Labor", "Cost of Goods Sold", "CostOfLaborCos", None),
    ("Equipment Rental", "Expense", "EquipmentRental", None),
    ("Vehicle Expenses", "Expense", "Auto", None),
    ("Fuel", "Expense", "Auto", "Vehicle Expenses"),
)
# (name, Type, income account, expense account)
ITEMS = (
    ("Water Mitigation", "Service", "Restoration Services", "Subcontractors"),
    ("Labor", "Service", "Restoration Services", "Temp Labor"),
    ("Materials", "NonInventory", "Restoration Services", "Job Materials"),
    ("Equipment Rental", "Service", "Restoration Services", "Equipment Rental"),
)
# (name, parent name)
CLASSES = (
    ("Mitigation", None),
    ("Reconstruction", None),
    ("Drywall", "Reconstruction"),
    ("Contents", None),
)


def populate(realm, with_classes, tick):
    """Create the lists through the same code as API writes; ``tick()`` gives each its time."""
    accounts = {}
    for name, kind, sub_type, parent in ACCOUNTS:
        payload = {"Name": name, "AccountType": kind, "AccountSubType": sub_type}
        if parent:
            payload["ParentRef"] = {"value": accounts[parent]}
        accounts[name] = entities.create(realm, "Account", payload, tick())["Id"]
    for name, kind, income, expense in ITEMS:
        payload = {
            "Name": name,
            "Type": kind,
            "IncomeAccountRef": {"value": accounts[income]},
            "ExpenseAccountRef": {"value": accounts[expense]},
        }
        entities.create(realm, "Item", payload, tick())
    if not with_classes:
        return
    classes = {}
    for name, parent in CLASSES:
        payload = {"Name": name}
        if parent:
            payload["ParentRef"] = {"value": classes[parent]}
        classes[name] = entities.create(realm, "Class", payload, tick())["Id"]
