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
    qbo_class_ids = fields.Many2many(
        "qbo.class", "qbo_class_department_mapping_rel", "mapping_id", "class_id",
        string="QuickBooks classes linked to this department",
        domain="[('qbo_company_id', '=', qbo_company_id)]",
        help="Pulled lines of these classes count for this department on the Job Cost page. "
        "A class belongs to one department at most.",
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

    @api.constrains("qbo_class_ids", "qbo_company_id")
    def _check_classes(self):
        for mapping in self:
            for qbo_class in mapping.qbo_class_ids:
                if qbo_class.qbo_company_id != mapping.qbo_company_id:
                    raise ValidationError(
                        self.env._(
                            "Class %(cls)s is a class of %(other)s, not of %(qbo)s.",
                            cls=qbo_class.full_name,
                            other=qbo_class.qbo_company_id.name,
                            qbo=mapping.qbo_company_id.name,
                        )
                    )
                others = qbo_class.department_mapping_ids - mapping
                if others:
                    raise ValidationError(
                        self.env._(
                            "Class %(cls)s is already linked to %(department)s: a class belongs to one "
                            "department only. Remove it there first.",
                            cls=qbo_class.full_name,
                            department=others[:1].department_id.display_name,
                        )
                    )
