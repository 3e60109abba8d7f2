"""The Job Cost page's figures, read from the job cost lines by SQL views: per QuickBooks company
and department, what was invoiced (net of credit memos), collected, still open, spent, and the
gross profit and margin; and the cost per department and category."""
from odoo import fields, models, tools
from odoo.tools import SQL


class QboJobCostView(models.AbstractModel):
    """What both views have: a job in a QuickBooks company, a department, the company's currency;
    a view model gives its query."""

    _name = "qbo.job.cost.view"
    _description = "Job Cost View"
    _auto = False

    project_id = fields.Many2one("project.project", string="Job", readonly=True)
    qbo_company_id = fields.Many2one("qbo.company", string="QuickBooks company", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    department_id = fields.Many2one("hr.department", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)

    def _qbo_view_query(self):
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._qbo_view_query()))


class QboJobCostSummary(models.Model):
    _name = "qbo.job.cost.summary"
    _inherit = "qbo.job.cost.view"
    _description = "Job Cost by Department"
    _auto = False
    _order = "project_id, qbo_company_id, department_id"

    invoiced = fields.Monetary(readonly=True)
    collected = fields.Monetary(readonly=True)
    open_balance = fields.Monetary(string="Open balance", readonly=True)
    cost = fields.Monetary(string="Total cost", readonly=True)
    gross_profit = fields.Monetary(string="Gross profit", readonly=True)
    margin = fields.Float(string="Margin (%)", readonly=True, aggregator=None, digits=(16, 1))

    def _qbo_view_query(self):
        return SQL("""
                SELECT MIN(line.id) AS id,
                       line.project_id,
                       line.qbo_company_id,
                       line.company_id,
                       line.department_id,
                       company.currency_id,
                       SUM(line.invoiced) AS invoiced,
                       SUM(line.collected) AS collected,
                       SUM(line.invoiced) - SUM(line.collected) AS open_balance,
                       SUM(line.cost) AS cost,
                       SUM(line.gross_profit) AS gross_profit,
                       CASE WHEN SUM(line.invoiced) <> 0
                            THEN 100.0 * SUM(line.gross_profit) / SUM(line.invoiced) END AS margin
                  FROM qbo_job_cost_line line
                  JOIN res_company company ON company.id = line.company_id
              GROUP BY line.project_id, line.qbo_company_id, line.company_id, line.department_id,
                       company.currency_id
        """)


class QboJobCostCategorySummary(models.Model):
    _name = "qbo.job.cost.category.summary"
    _inherit = "qbo.job.cost.view"
    _description = "Job Cost by Department and Category"
    _auto = False
    _order = "project_id, qbo_company_id, department_id, category_sequence"

    cost_category_id = fields.Many2one("qbo.cost.category", string="Category", readonly=True)
    category_sequence = fields.Integer(readonly=True)
    cost = fields.Monetary(readonly=True)

    def _qbo_view_query(self):
        return SQL("""
                SELECT MIN(line.id) AS id,
                       line.project_id,
                       line.qbo_company_id,
                       line.company_id,
                       line.department_id,
                       line.cost_category_id,
                       category.sequence AS category_sequence,
                       company.currency_id,
                       SUM(line.cost) AS cost
                  FROM qbo_job_cost_line line
                  JOIN res_company company ON company.id = line.company_id
                  JOIN qbo_cost_category category ON category.id = line.cost_category_id
                 WHERE line.kind = 'cost'
              GROUP BY line.project_id, line.qbo_company_id, line.company_id, line.department_id,
                       line.cost_category_id, category.sequence, company.currency_id
        """)
