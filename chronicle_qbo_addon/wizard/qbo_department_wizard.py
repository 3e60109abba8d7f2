from odoo import api, fields, models
from odoo.exceptions import UserError


class QboDepartmentWizard(models.TransientModel):
    """Associate Department: production departments whose jobs go to one QuickBooks company."""

    _name = "qbo.department.wizard"
    _description = "Associate production departments with a QuickBooks company"

    qbo_company_id = fields.Many2one(
        "qbo.company",
        string="QuickBooks company",
        required=True,
        help="With several company files, pick the company first.",
    )
    company_id = fields.Many2one(related="qbo_company_id.company_id")
    department_ids = fields.Many2many(
        "hr.department",
        string="Departments",
        domain="[('is_production', '=', True), ('company_id', 'in', [company_id, False]), "
        "('qbo_mapping_ids', '=', False)]",
    )

    free_department_count = fields.Integer(compute="_compute_free_department_count")

    @api.depends("company_id")
    def _compute_free_department_count(self):
        for wizard in self:
            wizard.free_department_count = self.env["hr.department"].search_count(
                [("is_production", "=", True), ("company_id", "in", [wizard.company_id.id, False]),
                 ("qbo_mapping_ids", "=", False)]
            )

    @api.model
    def action_open(self, qbo_company=None):
        context = {}
        if qbo_company:
            context["default_qbo_company_id"] = qbo_company.id
        elif self.env["qbo.company"].search_count([]) == 1:
            context["default_qbo_company_id"] = self.env["qbo.company"].search([]).id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Associate Department"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_associate(self):
        self.ensure_one()
        self.qbo_company_id._qbo_check_access()
        if not self.department_ids:
            raise UserError(self.env._("Choose at least one production department."))
        self.env["qbo.department.mapping"]._check_free(self.department_ids.ids)
        self.env["qbo.department.mapping"].create(
            [
                {"qbo_company_id": self.qbo_company_id.id, "department_id": department.id}
                for department in self.department_ids
            ]
        )
        return {"type": "ir.actions.act_window_close"}
