import { registry } from "@web/core/registry";

// Import Jobs and the employee mapping, from a QuickBooks company the bridge has pulled once.
registry.category("web_tour.tours").add("chronicle_qbo_import_jobs_and_crews", {
    steps: () => [
        {
            content: "Run customer import on the QuickBooks company",
            trigger: ".o_form_view button[name='action_qbo_run_customer_import']",
            run: "click",
        },
        {
            content: "Import Jobs lists the QuickBooks jobs no Odoo job is linked to",
            trigger: ".o_list_view .o_data_row:contains('24-0131 - Drywall and cabinet rebuild')",
        },
        {
            content: "Pick the job that started in QuickBooks",
            trigger: ".o_data_row:contains('24-0131 - Drywall and cabinet rebuild') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Import it",
            trigger: ".o_selection_container button:contains('Import')",
            run: "click",
        },
        {
            content: "The company's only department is proposed for the new job",
            trigger: ".modal .o_field_widget[name='department_id'] input:value('Water Damage')",
        },
        {
            content: "Import as person: the customer is a homeowner",
            trigger: ".modal button[name='action_import_person']",
            run: "click",
        },
        {
            content: "The imported job leaves the list of jobs not linked",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('24-0131 - Drywall and cabinet rebuild')))",
        },
        {
            content: "Back to the company",
            trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb li.breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "Its Job costing page",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Job costing')",
            run: "click",
        },
        {
            content: "Open the employee mapping",
            trigger: ".o_form_view button[name='action_qbo_open_employee_mapping']",
            run: "click",
        },
        {
            content: "QuickBooks' employees, each with the Odoo employee of the same name proposed",
            trigger: ".o_list_view .o_data_row:contains('Carlos Mendoza') td[name='proposed_employee_id']:contains('Carlos Mendoza')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Ms. Jenna Park') td[name='proposed_employee_id']:contains('Jenna Park')",
        },
        {
            content: "Tick the proposed matches",
            trigger: ".o_data_row:contains('Carlos Mendoza') .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains('Ms. Jenna Park') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Accept them",
            trigger: ".o_selection_container button:contains('Accept proposed matches')",
            run: "click",
        },
        {
            content: "Carlos Mendoza's time lands as Carlos Mendoza's timesheets",
            trigger: ".o_data_row:contains('Carlos Mendoza') td[name='employee_id']:contains('Carlos Mendoza')",
        },
        {
            content: "The temp labor agency logs its crew's time: pick the employee standing for the crew",
            trigger: ".o_data_row:contains('Labor Finders Asheville') td[name='employee_id']",
            run: "click",
        },
        {
            trigger: ".o_data_row.o_selected_row td[name='employee_id'] input",
            run: "edit Labor Finders crew",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Labor Finders crew')",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains('Labor Finders Asheville') td[name='employee_id']:contains('Labor Finders crew')",
        },
    ],
});
