import { registry } from "@web/core/registry";

// The test puts what a person would have at hand (the sandbox's address, the code and the
// Realm ID Intuit showed) in localStorage before the tour starts.
const given = (key) => localStorage.getItem(`chronicle_qbo_tour.${key}`);
const QBO_BLOCK = ".app_settings_block[data-key='chronicle_qbo_addon']";

function choose(fieldName, label, content) {
    return [
        {
            content,
            trigger: `.modal div[name='${fieldName}'] input`,
            run: "click",
        },
        {
            trigger: `.o_select_menu_item:contains('${label}')`,
            run: "click",
        },
        {
            trigger: `.modal div[name='${fieldName}'] input:value('${label}')`,
        },
    ];
}

function fillConnectionTarget() {
    return [
        ...choose("qb_version", "Plus", "Pick the QuickBooks edition that was bought"),
        ...choose("environment", "Local sandbox", "This company file lives in the local sandbox"),
        {
            content: "The local sandbox's address",
            trigger: ".modal div[name='local_base_url'] input",
            run: async (helpers) => helpers.edit(given("sandbox_url")),
        },
    ];
}

registry.category("web_tour.tours").add("chronicle_qbo_setup_get_code", {
    steps: () => [
        {
            content: "Settings has a QuickBooks section",
            trigger: ".settings_tab a.tab[data-key='chronicle_qbo_addon']",
            run: "click",
        },
        {
            content: "QuickBooks Online is off: no Add company yet",
            trigger: `${QBO_BLOCK}:not(:has(button:contains('Add company')))`,
        },
        {
            content: "Turn QuickBooks Online on",
            trigger: `${QBO_BLOCK} div[name='qbo_enabled'] input[type='checkbox']`,
            run: "click",
        },
        {
            content: "The redirect URI to register at Intuit is shown",
            trigger: `${QBO_BLOCK} div[name='qbo_redirect_uri']:contains('/qbo/oauth/callback')`,
        },
        {
            content: "Save the settings",
            trigger: ".o_form_button_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Click Add company",
            trigger: `${QBO_BLOCK} button:contains('Add company')`,
            run: "click",
        },
        {
            content: "The Add company dialog follows Intuit's steps",
            trigger: ".modal .modal-title:contains('Add company')",
        },
        ...fillConnectionTarget(),
        {
            content: "Get authorization code opens Intuit's sign-in in a new tab",
            trigger: ".modal button[name='action_get_authorization_code']",
            async run(helpers) {
                const { browser } = odoo.loader.modules.get("@web/core/browser/browser");
                browser.open = (url) => {
                    localStorage.setItem("chronicle_qbo_tour.opened", url);
                    document.body.dataset.qboOpened = "1";
                    return { closed: false };
                };
                await helpers.click();
            },
        },
        {
            content: "The new tab is the sandbox's Intuit sign-in for this app, with a signed state",
            trigger: "body[data-qbo-opened] .modal div[name='auth_code'] input",
            run() {
                const opened = given("opened") || "";
                const expected = `${given("sandbox_url")}/connect/oauth2?`;
                if (!opened.startsWith(expected) || !opened.includes("client_id=sandbox-client-id")) {
                    throw new Error(`Get authorization code opened ${opened}`);
                }
                if (!/[?&]state=\d+\.[\w-]+\.[0-9a-f]{64}(&|$)/.test(opened)) {
                    throw new Error(`No signed state in ${opened}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("chronicle_qbo_setup_paste", {
    steps: () => [
        {
            content: "Click Add company",
            trigger: ".o_list_view .o_control_panel button:contains('Add company'), .o_control_panel button:contains('Add company')",
            run: "click",
        },
        ...fillConnectionTarget(),
        {
            content: "Paste the authorization code Intuit showed",
            trigger: ".modal div[name='auth_code'] input",
            run: async (helpers) => helpers.edit(given("code")),
        },
        {
            content: "Paste the Realm ID",
            trigger: ".modal div[name='realm_id'] input",
            run: async (helpers) => helpers.edit(given("realm_id")),
        },
        {
            content: "Type any company name",
            trigger: ".modal div[name='name'] input",
            run: "edit Summit in Chronicle",
        },
        {
            content: "Authenticate",
            trigger: ".modal footer button[name='action_authenticate']",
            run: "click",
        },
        {
            content: "The company is connected and shows the QuickBooks file's legal name",
            trigger:
                ".o_form_view:not(:has(.modal)) div[name='state'] .badge:contains('Connected')",
        },
        {
            trigger: ".o_form_view div[name='qbo_legal_name']:contains('Summit Fire & Water Inc.')",
        },
        {
            trigger: ".o_form_view div[name='name'] input:value('Summit in Chronicle')",
        },
        {
            content: "Click Associate Department",
            trigger: ".o_form_view button[name='action_qbo_associate_departments']",
            run: "click",
        },
        {
            content: "The company is already chosen",
            trigger: ".modal div[name='qbo_company_id'] input",
            run() {
                if (!this.anchor.value.includes("Summit in Chronicle")) {
                    throw new Error(`Associate Department chose ${this.anchor.value}`);
                }
            },
        },
        {
            content: "Look for the production department",
            trigger: ".modal div[name='department_ids'] input",
            run: "edit Water",
        },
        {
            content: "Only production departments are offered",
            trigger: ".o-autocomplete--dropdown-menu:not(:has(.dropdown-item:contains('Office')))",
        },
        {
            trigger: ".o-autocomplete--dropdown-item .dropdown-item:contains('Water Damage')",
            run: "click",
        },
        {
            trigger: ".modal div[name='department_ids'] .o_tag:contains('Water Damage')",
        },
        {
            content: "Associate",
            trigger: ".modal footer button[name='action_associate']",
            run: "click",
        },
        {
            content: "The department is listed on the company",
            trigger:
                ".o_form_view:not(:has(.modal)) div[name='department_mapping_ids'] .o_data_row:contains('Water Damage')",
        },
        {
            content: "Push jobs only",
            trigger: ".o_form_view div[name='jobs_only'] input[type='checkbox']",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: only jobs are pushed to this company",
            trigger: ".o_form_view:not(:has(.o_form_button_save:visible)) div[name='jobs_only'] input:checked",
        },
    ],
});

registry.category("web_tour.tours").add("chronicle_qbo_connected_by_redirect", {
    steps: () => [
        {
            content: "Back from Intuit, the company form shows the connection made by itself",
            trigger: ".o_form_view div[name='state'] .badge:contains('Connected')",
        },
        {
            trigger: ".o_form_view div[name='qbo_legal_name']:contains('Blue Ridge Restoration LLC')",
        },
        {
            trigger: ".o_form_view div[name='realm_id']:contains('9341453050298551')",
        },
    ],
});
