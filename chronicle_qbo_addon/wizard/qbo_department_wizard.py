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
        taken = self.env["qbo.department.mapping"].sudo().search(
            [("department_id", "in", self.department_ids.ids)]
        )
        if taken:
            raise UserError(
                self.env._(
                    "A department belongs to one QuickBooks company only: %(list)s.",
                    list=", ".join(
                        self.env._("%(department)s is associated with %(qbo)s",
                                   department=m.department_id.display_name, qbo=m.qbo_company_id.name)
                        for m in taken
                    ),
                )
            )
        self.env["qbo.department.mapping"].create(
            [
                {"qbo_company_id": self.qbo_company_id.id, "department_id": department.id}
                for department in self.department_ids
            ]
        )
        return {"type": "ir.actions.act_window_close"}
