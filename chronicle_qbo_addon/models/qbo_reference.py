"""QuickBooks' reference lists, mirrored per company by the pull: accounts (each expense account
with its cost category), items (with their expense account) and classes (each linked to at most
one production department), and the editable list of cost categories."""
from odoo import api, fields, models

from ..const import COST_CATEGORY_BY_SUBTYPE, COST_CATEGORY_BY_WORD, EXPENSE_CLASSIFICATION
from ..utils import stored_value


class QboCostCategory(models.Model):
    _name = "qbo.cost.category"
    _description = "Job Cost Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable key of the category, for imports and defaults.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint("UNIQUE(code)", "Two cost categories cannot share a code.")

    @api.model
    def _qbo_other(self):
        """Where a cost falls when its account has no category."""
        return self.env.ref("chronicle_qbo_addon.cost_category_other")

    @api.model
    def _qbo_labor(self):
        """Where crew time from QuickBooks counts."""
        return self.env.ref("chronicle_qbo_addon.cost_category_labor")

    @api.model
    def _qbo_burden(self):
        """Where the company's labor burden on that time counts."""
        return self.env.ref("chronicle_qbo_addon.cost_category_burden")


class QboMirrorMixin(models.AbstractModel):
    """One QuickBooks list record of one company: kept as QuickBooks last sent it."""

    _name = "qbo.mirror.mixin"
    _description = "QuickBooks Reference Record"
    _rec_name = "full_name"
    _order = "full_name, id"

    qbo_company_id = fields.Many2one("qbo.company", string="QuickBooks company", required=True,
                                     index=True, ondelete="cascade")
    company_id = fields.Many2one(related="qbo_company_id.company_id", store=True, index=True)
    qbo_id = fields.Char(string="QuickBooks Id", required=True, readonly=True)
    name = fields.Char(readonly=True)
    full_name = fields.Char(readonly=True)
    active = fields.Boolean(default=True, readonly=True)

    def _qbo_prepare(self, company):
        """What ``_qbo_values`` needs of other mirrors, read once per page (hook)."""
        return {}

    def _qbo_scope(self):
        """The domain that tells this model's records of one QuickBooks type apart (hook: a model
        that mirrors two types, whose Ids may repeat between them)."""
        return []

    def _qbo_values(self, record, company, prepared):
        """The fields of a QuickBooks record (hook)."""
        return {
            "name": record.get("Name"),
            "full_name": record.get("FullyQualifiedName") or record.get("Name"),
            "active": record.get("Active", True),
        }

    def _qbo_new_values(self, record, company):
        """The fields set only when the record is first mirrored, a person's to change later."""
        return {}

    @api.model
    def _qbo_mirror(self, company, records):
        """Create or update the mirrors of these records; unchanged ones are not written.

        :return: number of records written
        """
        existing = {rec.qbo_id: rec for rec in self.with_context(active_test=False).search(
            [("qbo_company_id", "=", company.id), ("qbo_id", "in", [str(r["Id"]) for r in records])]
            + self._qbo_scope())}
        to_create, written, prepared = [], 0, self._qbo_prepare(company)
        for record in records:
            values = self._qbo_values(record, company, prepared)
            mirror = existing.get(str(record["Id"]))
            if mirror is None:
                to_create.append(dict(values, **self._qbo_new_values(record, company),
                                      qbo_company_id=company.id, qbo_id=str(record["Id"])))
                continue
            changed = {name: value for name, value in values.items() if stored_value(mirror, name) != value}
            if changed:
                mirror.write(changed)
                written += 1
        if to_create:
            self.create(to_create)
        return written + len(to_create)

    @api.model
    def _qbo_ids(self, company):
        """{QuickBooks Id: record id} of the company's mirrors."""
        rows = self.with_context(active_test=False).search_read(
            [("qbo_company_id", "=", company.id)] + self._qbo_scope(), ["qbo_id"])
        return {row["qbo_id"]: row["id"] for row in rows}


class QboAccount(models.Model):
    _name = "qbo.account"
    _inherit = "qbo.mirror.mixin"
    _description = "QuickBooks Account"

    account_type = fields.Char(readonly=True)
    account_sub_type = fields.Char(readonly=True)
    classification = fields.Char(readonly=True)
    is_expense = fields.Boolean(compute="_compute_is_expense", store=True)
    cost_category_id = fields.Many2one(
        "qbo.cost.category", string="Cost category", ondelete="set null",
        help="Costs booked to this account count in this category on the Job Cost page; "
        "without one they count as Other.",
    )

    _qbo_uniq = models.Constraint("UNIQUE(qbo_company_id, qbo_id)", "An account is mirrored once per company.")

    @api.depends("classification", "account_type")
    def _compute_is_expense(self):
        for account in self:
            account.is_expense = account.classification == EXPENSE_CLASSIFICATION

    def _qbo_values(self, record, company, prepared):
        return dict(
            super()._qbo_values(record, company, prepared),
            account_type=record.get("AccountType"),
            account_sub_type=record.get("AccountSubType"),
            classification=record.get("Classification"),
        )

    def _qbo_new_values(self, record, company):
        """A first guess of the cost category, from the account's detail type or its name."""
        if record.get("Classification") != EXPENSE_CLASSIFICATION:
            return {}
        code = COST_CATEGORY_BY_SUBTYPE.get(record.get("AccountSubType"))
        name = (record.get("Name") or "").casefold()
        code = code or next((code for word, code in COST_CATEGORY_BY_WORD if word in name), None)
        category = self.env["qbo.cost.category"].search([("code", "=", code)], limit=1) if code else None
        return {"cost_category_id": category.id} if category else {}


class QboItem(models.Model):
    _name = "qbo.item"
    _inherit = "qbo.mirror.mixin"
    _description = "QuickBooks Product or Service"

    item_type = fields.Char(string="Type", readonly=True)
    expense_account_id = fields.Many2one("qbo.account", string="Expense account", readonly=True,
                                         ondelete="set null")

    _qbo_uniq = models.Constraint("UNIQUE(qbo_company_id, qbo_id)", "An item is mirrored once per company.")

    def _qbo_prepare(self, company):
        return {"accounts": self.env["qbo.account"]._qbo_ids(company)}

    def _qbo_values(self, record, company, prepared):
        account = (record.get("ExpenseAccountRef") or {}).get("value")
        return dict(super()._qbo_values(record, company, prepared), item_type=record.get("Type"),
                    expense_account_id=prepared["accounts"].get(account, False))


class QboClass(models.Model):
    _name = "qbo.class"
    _inherit = "qbo.mirror.mixin"
    _description = "QuickBooks Class"

    department_mapping_ids = fields.Many2many(
        "qbo.department.mapping", "qbo_class_department_mapping_rel", "class_id", "mapping_id",
        string="Department associations",
    )
    department_id = fields.Many2one("hr.department", compute="_compute_department_id", store=True,
                                    index=True)

    _qbo_uniq = models.Constraint("UNIQUE(qbo_company_id, qbo_id)", "A class is mirrored once per company.")

    @api.depends("department_mapping_ids.department_id")
    def _compute_department_id(self):
        for qbo_class in self:
            qbo_class.department_id = qbo_class.department_mapping_ids[:1].department_id
