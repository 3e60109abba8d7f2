from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


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

    labor_start_date = fields.Date(
        string="Import labor from",
        help="From this day the department's crew time is entered in QuickBooks: the bridge brings it "
        "to the jobs' timesheets, and a timesheet entered in Odoo on its jobs is refused. Empty: no "
        "labor is imported.",
    )
    labor_indefinitely = fields.Boolean(
        string="Import indefinitely", default=True,
        help="Keep importing labor with no end; otherwise up to the stop date.",
    )
    labor_stop_date = fields.Date(
        string="Import labor until",
        help="The last day whose QuickBooks time is imported; later time is skipped, and timesheets "
        "are entered in Odoo again.",
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

    @api.constrains("labor_start_date", "labor_stop_date", "labor_indefinitely")
    def _check_labor_dates(self):
        for mapping in self:
            if not mapping.labor_start_date:
                continue
            if not mapping.labor_indefinitely and not mapping.labor_stop_date:
                raise ValidationError(self.env._(
                    "%(department)s: give the day labor import stops, or tick Import indefinitely.",
                    department=mapping.department_id.display_name))
            if not mapping.labor_indefinitely and mapping.labor_stop_date < mapping.labor_start_date:
                raise ValidationError(self.env._(
                    "%(department)s: labor import cannot stop (%(stop)s) before it starts (%(start)s).",
                    department=mapping.department_id.display_name,
                    stop=format_date(self.env, mapping.labor_stop_date),
                    start=format_date(self.env, mapping.labor_start_date)))

    def write(self, vals):
        result = super().write(vals)
        if {"labor_start_date", "labor_stop_date", "labor_indefinitely", "qbo_class_ids"} & set(vals):
            self.env["qbo.time.activity"].sudo().search(
                [("qbo_company_id", "in", self.qbo_company_id.ids)])._qbo_apply()
        return result

    def _qbo_imports_labor_on(self, day):
        """True when this department's time of ``day`` comes from QuickBooks."""
        self.ensure_one()
        if not self.labor_start_date or not day or day < self.labor_start_date:
            return False
        return self.labor_indefinitely or not self.labor_stop_date or day <= self.labor_stop_date

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
