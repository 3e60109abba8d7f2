{
    "name": "Chronicle QuickBooks Online Bridge",
    "summary": "Push jobs and their customers to QuickBooks Online company files, "
    "and pull job costs and revenue back",
    "version": "19.0.1.0.0",
    "category": "Services/Project",
    "author": "Chronicle QBO Bridge",
    "website": "https://github.com/chronicle-qbo/chronicle_qbo_addon",
    "license": "LGPL-3",
    "depends": ["project", "hr", "mail"],
    "external_dependencies": {"python": ["python-quickbooks", "intuit-oauth"]},
    "data": [
        "security/qbo_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence.xml",
        "data/ir_cron.xml",
        "data/qbo_cost_category_data.xml",
        "views/qbo_company_views.xml",
        "views/qbo_log_views.xml",
        "views/qbo_job_cost_views.xml",
        "views/project_project_views.xml",
        "views/hr_department_views.xml",
        "views/res_config_settings_views.xml",
        "views/qbo_oauth_templates.xml",
        "wizard/qbo_connect_wizard_views.xml",
        "wizard/qbo_department_wizard_views.xml",
        "wizard/qbo_link_wizard_views.xml",
        "views/qbo_menus.xml",
    ],
    "demo": [
        "demo/qbo_demo.xml",
        "demo/qbo_demo_jobs.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "chronicle_qbo_addon/static/src/js/*.js",
        ],
        "web.assets_tests": [
            "chronicle_qbo_addon/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
