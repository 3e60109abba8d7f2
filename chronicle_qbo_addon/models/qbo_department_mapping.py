from odoo import api, fields, models
from odoo.exceptions import ValidationError


class QboDepartmentMapping(models.Model):
    """A production department associated with the QuickBooks company file its jobs go to."""

    _name = "qbo.department.mapping"
    _description = "QuickBooks Department Association"
    _order = "qbo_company_id, department_id"
    _rec_name = "department_id"

    qbo_company_id = fields.Many2one(
        "qbo.company", string="QuickBooks company", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="qbo_company_id.company_id", store=True, index=True)
    department_id = fields.Many2one(
        "hr.department",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('is_production', '=', True), ('company_id', 'in', [company_id, False]), "
        "('qbo_mapping_ids', '=', False)]",
    )
    active = fields.Boolean(
        related="department_id.active", store=True, help="Jobs are pushed for active departments only."
    )

    _department_uniq = models.Constraint(
        "UNIQUE(department_id)",
        "A department belongs to one QuickBooks company only.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_free([vals.get("department_id") for vals in vals_list])
        mappings = super().create(vals_list)
        mappings._jobs()._qbo_mark_pending()
        return mappings

    def unlink(self):
        jobs = self._jobs()
        result = super().unlink()
        jobs._qbo_mark_pending()
        return result

    @api.model
    def _check_free(self, department_ids):
        """Name the QuickBooks company a department already belongs to, before the database's
        unique constraint refuses it with no name at all."""
        taken = self.sudo().search([("department_id", "in", [d for d in department_ids if d])])
        if taken:
            raise ValidationError(
                self.env._(
                    "A department belongs to one QuickBooks company only: %(list)s.",
                    list=", ".join(
                        self.env._("%(department)s is associated with %(qbo)s",
                                   department=m.department_id.display_name, qbo=m.qbo_company_id.name)
                        for m in taken
                    ),
                )
            )

    def _jobs(self):
        return self.env["project.project"].sudo().search([("department_ids", "in", self.department_id.ids)])

    @api.constrains("department_id", "qbo_company_id")
    def _check_department(self):
        for mapping in self:
            department = mapping.department_id
            if not department.is_production:
                raise ValidationError(
                    self.env._(
                        "%(department)s is not a production department: only production "
                        "departments are associated with QuickBooks.",
                        department=department.display_name,
                    )
                )
            if department.company_id and department.company_id != mapping.qbo_company_id.company_id:
                raise ValidationError(
                    self.env._(
                        "%(department)s belongs to %(company)s, not to the company of %(qbo)s.",
                        department=department.display_name,
                        company=department.company_id.display_name,
                        qbo=mapping.qbo_company_id.display_name,
                    )
                )
