import { registry } from "@web/core/registry";

const SYNC_ROW = "div[name='qbo_job_sync_ids'] .o_data_row:contains('Blue Ridge')";

function openJobCost() {
    return [
        {
            content: "Open the job's Job Cost page",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Job Cost')",
            run: "click",
        },
        {
            content: "It has the article's three buttons",
            trigger:
                ".o_form_view button[name='action_qbo_export_job']:contains('Export job') ~ button[name='action_qbo_link_job']:contains('Link job') ~ button[name='action_qbo_open_log']:contains('More')",
        },
    ];
}

registry.category("web_tour.tours").add("chronicle_qbo_job_push", {
    steps: () => [
        {
            content: "A job with a job number and no QuickBooks company yet",
            trigger: ".o_form_view div[name='job_number'] input:value(/\\d+-\\d+/)",
        },
        {
            content: "Give the job its production department",
            trigger: ".o_form_view div[name='department_ids'] input",
            run: "edit Water",
        },
        {
            trigger: ".o-autocomplete--dropdown-item .dropdown-item:contains('Water Damage')",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.o_form_button_save:visible))",
        },
        ...openJobCost(),
        {
            content: "The job waits for the push to Blue Ridge",
            trigger: `${SYNC_ROW} .badge:contains('Pending')`,
        },
        {
            content: "Export job",
            trigger: ".o_form_view button[name='action_qbo_export_job']",
            run: "click",
        },
        {
            content: "The person is told it went through, with the job's QuickBooks name",
            trigger: ".o_notification:contains('Job exported to QuickBooks'):contains('Blue Ridge')",
        },
        {
            content: "The page shows the job synced, with its QuickBooks customer and job",
            trigger: `${SYNC_ROW}:contains('Dana Whitfield - C-2001') .badge:contains('Synced')`,
        },
        {
            trigger: `${SYNC_ROW}:contains('Basement water loss')`,
        },
        {
            content: "More opens the job's accounting log",
            trigger: ".o_form_view button[name='action_qbo_open_log']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains('Accounting log')",
        },
        {
            content: "The log tells what was created in QuickBooks",
            trigger: ".o_list_view .o_data_row:contains('created in QuickBooks'):contains('Customer created')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Job created')",
        },
    ],
});

registry.category("web_tour.tours").add("chronicle_qbo_link_job", {
    steps: () => [
        ...openJobCost(),
        {
            content: "Link job",
            trigger: ".o_form_view button[name='action_qbo_link_job']",
            run: "click",
        },
        {
            content: "QuickBooks customers and their jobs, as Customer:Job",
            trigger:
                ".modal .o_data_row:contains('Margaret Hollis - 1001:24-0131 - Drywall and cabinet rebuild')",
        },
        {
            content: "Search as you type",
            trigger: ".modal div[name='search_text'] input",
            run: "edit 24-0117",
        },
        {
            trigger:
                ".modal div[name='line_ids']:not(:has(.o_data_row:contains('24-0131'))) .o_data_row:contains('Margaret Hollis - 1001:24-0117')",
        },
        {
            content: "Tick the QuickBooks job",
            trigger: ".modal .o_data_row:contains('24-0117') div[name='selected'] input",
            run: "click",
        },
        {
            content: "Link",
            trigger: ".modal footer button[name='action_link']",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('24-0117 - Water mitigation, kitchen supply line')",
        },
        {
            content: "The job is linked to that QuickBooks job",
            trigger: `body:not(:has(.modal)) ${SYNC_ROW}:contains('24-0117 - Water mitigation') .badge:contains('Linked')`,
        },
    ],
});

registry.category("web_tour.tours").add("chronicle_qbo_link_job_asks_first", {
    steps: () => [
        ...openJobCost(),
        {
            content: "Link job",
            trigger: ".o_form_view button[name='action_qbo_link_job']",
            run: "click",
        },
        {
            content: "Search another customer's job",
            trigger: ".modal div[name='search_text'] input",
            run: "edit 24-0126",
        },
        {
            trigger: ".modal .o_data_row:contains('Daniel Reyes - 1003:24-0126')",
        },
        {
            content: "Tick it",
            trigger: ".modal .o_data_row:contains('24-0126') div[name='selected'] input",
            run: "click",
        },
        {
            content: "Link",
            trigger: ".modal footer button[name='action_link']",
            run: "click",
        },
        {
            content: "The dialog asks what is meant",
            trigger: ".modal .alert-warning:contains('is not named for Margaret Hollis')",
        },
        {
            trigger: ".modal footer button[name='action_link_contact_too']",
        },
        {
            content: "Push the job under its own customer instead",
            trigger: ".modal footer button[name='action_push_own_customer']",
            run: "click",
        },
        {
            content: "Pushed under Margaret Hollis's own customer",
            trigger: `body:not(:has(.modal)) ${SYNC_ROW}:contains('Margaret Hollis - 1001') .badge:contains('Synced')`,
        },
    ],
});
