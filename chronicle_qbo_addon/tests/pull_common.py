"""Jobs pushed to the sandbox's Blue Ridge company, and a bookkeeper entering documents on them
in QuickBooks, through the Accounting API, for the pull to bring back."""
from datetime import date, timedelta

from .test_job_push import JobPushCase


class PullCase(JobPushCase):
    """Blue Ridge runs the whole bridge for two jobs of two departments; Summit pushes jobs only."""

    def setUp(self):
        super().setUp()
        self.construction = self.env["hr.department"].create({"name": "Construction", "is_production": True})
        self.env["qbo.department.mapping"].create(
            {"qbo_company_id": self.blue_ridge.id, "department_id": self.construction.id})
        self.summit.jobs_only = True
        self.blue_ridge.pull_start_date = date.today() - timedelta(days=200)
        self.job_a = self.new_job(name="Basement water loss")
        self.job_b = self.new_job(name="Kitchen rebuild", departments=self.construction)
        self.push()
        self.env.invalidate_all()
        self.qbo = self.blue_ridge._qbo_client()
        self.job_a_id = self.sync_of(self.job_a).qbo_job_id
        self.job_b_id = self.sync_of(self.job_b).qbo_job_id
        self.assertTrue(self.job_a_id and self.job_b_id, "both jobs are in QuickBooks")

    # === QUICKBOOKS, AS A BOOKKEEPER SEES IT === #

    def ref(self, entity, name):
        field = "DisplayName" if entity in ("Customer", "Vendor", "Employee") else "Name"
        rows = self.qbo.query(f"SELECT * FROM {entity} WHERE {field} = '{name}'")
        self.assertEqual(len(rows), 1, f"{entity} {name} in the sandbox")
        return {"value": rows[0]["Id"], "name": rows[0].get(field)}

    def job_ref(self, qbo_id):
        return {"value": qbo_id}

    def sales_line(self, amount, item="Water Mitigation"):
        detail = {"ItemRef": self.ref("Item", item), "Qty": 1, "UnitPrice": amount}
        return {"DetailType": "SalesItemLineDetail", "Amount": amount, "SalesItemLineDetail": detail}

    def sales_form(self, job_id, lines, qbo_class, days):
        """Blue Ridge tracks one class per transaction: a sales form's class is on its header."""
        payload = {"CustomerRef": self.job_ref(job_id), "Line": list(lines), "TxnDate": self.days_ago(days)}
        if qbo_class:
            payload["ClassRef"] = self.ref("Class", qbo_class)
        return payload

    def expense_line(self, amount, job_id, account=None, item=None, qbo_class=None, description=None):
        if item:
            kind, detail = "ItemBasedExpenseLineDetail", {"ItemRef": self.ref("Item", item), "Qty": 1,
                                                         "UnitPrice": amount}
        else:
            kind, detail = "AccountBasedExpenseLineDetail", {"AccountRef": self.ref("Account", account)}
        if job_id:
            detail["CustomerRef"] = self.job_ref(job_id)
        if qbo_class:
            detail["ClassRef"] = self.ref("Class", qbo_class)
        line = {"DetailType": kind, "Amount": amount, kind: detail}
        if description:
            line["Description"] = description
        return line

    def days_ago(self, days):
        return (date.today() - timedelta(days=days)).isoformat()

    def invoice(self, job_id, *lines, qbo_class=None, number=None, days=10):
        payload = self.sales_form(job_id, lines, qbo_class, days)
        if number:
            payload["DocNumber"] = number
        return self.qbo.create("Invoice", payload)

    def credit_memo(self, job_id, *lines, qbo_class=None):
        return self.qbo.create("CreditMemo", self.sales_form(job_id, lines, qbo_class, 8))

    def payment(self, customer_id, applied):
        """``applied``: [(invoice, amount)]"""
        lines = [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}
                 for invoice, amount in applied]
        return self.qbo.create("Payment", {"CustomerRef": self.job_ref(customer_id), "Line": lines,
                                           "TotalAmt": sum(amount for _invoice, amount in applied),
                                           "TxnDate": self.days_ago(5)})

    def bill(self, *lines, vendor="Ferguson Plumbing Supply", days=7):
        return self.qbo.create("Bill", {"VendorRef": self.ref("Vendor", vendor), "Line": list(lines),
                                        "TxnDate": self.days_ago(days)})

    def purchase(self, kind, *lines, memo=None, credit=False, number=None):
        account = "Company Visa" if kind == "CreditCard" else "Checking"
        payload = {"PaymentType": kind, "AccountRef": self.ref("Account", account), "Line": list(lines),
                   "TxnDate": self.days_ago(6), "EntityRef": self.ref("Vendor", "The Home Depot Pro")}
        if memo:
            payload["PrivateNote"] = memo
        if credit:
            payload["Credit"] = True
        if number:
            payload["DocNumber"] = number
        return self.qbo.create("Purchase", payload)

    def vendor_credit(self, *lines):
        return self.qbo.create("VendorCredit", {"VendorRef": self.ref("Vendor", "Ferguson Plumbing Supply"),
                                                "Line": list(lines), "TxnDate": self.days_ago(4)})

    def operate(self, entity, operation, doc):
        """Void or delete a document, as QuickBooks' web app does through the API."""
        url = "%s/company/%s/%s?operation=%s" % (self.qbo.api_url, self.qbo.company_id, entity.lower(), operation)
        self.qbo._call(self.qbo.post, url, '{"Id": "%s", "SyncToken": "%s"}' % (doc["Id"], doc["SyncToken"]))

    # === THE BRIDGE === #

    def run_bridge(self):
        super().run_bridge()
        return self.env["qbo.bridge.run"].search([("qbo_company_id", "=", self.blue_ridge.id)], limit=1)

    def lines(self, job=None, **filters):
        domain = [("project_id", "=", job.id)] if job else [("qbo_company_id", "=", self.blue_ridge.id)]
        domain += [(name, "=", value) for name, value in filters.items()]
        return self.env["qbo.job.cost.line"].search(domain)

    def link_class(self, department, *class_names):
        mapping = self.blue_ridge.department_mapping_ids.filtered(lambda m: m.department_id == department)
        classes = self.env["qbo.class"].search(
            [("qbo_company_id", "=", self.blue_ridge.id), ("name", "in", list(class_names))])
        self.assertEqual(len(classes), len(class_names), "the classes were mirrored")
        mapping.qbo_class_ids = [(4, qbo_class.id) for qbo_class in classes]
