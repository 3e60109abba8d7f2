from odoo import fields, models


class HrDepartment(models.Model):
    _inherit = "hr.department"

    is_production = fields.Boolean(
        string="Production department",
        help="Jobs of production departments are pushed to the QuickBooks company file the "
        "department is associated with.",
    )
    qbo_mapping_ids = fields.One2many("qbo.department.mapping", "department_id", readonly=True)
    qbo_company_id = fields.Many2one(
        "qbo.company",
        string="QuickBooks company",
        compute="_compute_qbo_company_id",
        search="_search_qbo_company_id",
    )

    def _compute_qbo_company_id(self):
        for department in self:
            department.qbo_company_id = department.sudo().qbo_mapping_ids[:1].qbo_company_id

    def _search_qbo_company_id(self, operator, value):
        return [("qbo_mapping_ids.qbo_company_id", operator, value)]
