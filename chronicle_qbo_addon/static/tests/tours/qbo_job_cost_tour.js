import { registry } from "@web/core/registry";

// The figures the test computed from the documents it entered in QuickBooks, formatted as Odoo
// shows amounts, are in localStorage before the tour starts.
const given = (key) => localStorage.getItem(`chronicle_qbo_tour.${key}`);

registry.category("web_tour.tours").add("chronicle_qbo_job_cost", {
    steps: () => [
        {
            content: "Open the job's Job Cost page",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Job Cost')",
            run: "click",
        },
        {
            content: "What was invoiced on the job, net of credit memos",
            trigger: `.o_form_view div[name='qbo_invoiced']:contains('${given("invoiced")}')`,
        },
        {
            content: "What was collected, and what is still open",
            trigger: `.o_form_view div[name='qbo_collected']:contains('${given("collected")}')`,
        },
        {
            trigger: `.o_form_view div[name='qbo_open_balance']:contains('${given("open_balance")}')`,
        },
        {
            content: "What was spent, and the gross profit",
            trigger: `.o_form_view div[name='qbo_cost']:contains('${given("cost")}')`,
        },
        {
            trigger: `.o_form_view div[name='qbo_gross_profit']:contains('${given("gross_profit")}')`,
        },
        {
            content: "The figures per department",
            trigger: ".o_qbo_cost_summary .o_data_row:contains('Water Damage')",
        },
        {
            content: "The cost per category",
            trigger: ".o_qbo_cost_categories .o_data_row:contains('Material')",
        },
        {
            content: "The lines, each with its link into QuickBooks",
            trigger:
                ".o_qbo_cost_lines .o_data_row:contains('Bill') a[href*='/app/bill?txnId=']",
        },
        {
            content: "Open the job costing report",
            trigger: ".o_form_view button[name='action_qbo_open_job_costing']",
            run: "click",
        },
        {
            content: "The report shows the job's invoiced, cost and gross profit",
            trigger:
                ".o_pivot_view .o_pivot_measure_row:contains('Invoiced') ~ .o_pivot_measure_row:contains('Cost')",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_control_panel .o_switch_view.o_graph",
            run: "click",
        },
        {
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
    ],
});
