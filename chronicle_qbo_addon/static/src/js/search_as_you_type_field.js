import { useEffect } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useDebounced } from "@web/core/utils/timing";
import { CharField, charField } from "@web/views/fields/char/char_field";

/**
 * A text field that hands its value to the record while the person types (after a short
 * pause), so the form's onchange searches as you type instead of waiting for the field to lose
 * focus.
 */
export class SearchAsYouTypeField extends CharField {
    setup() {
        super.setup();
        const commit = useDebounced(() => {
            const value = this.parse(this.input.el?.value ?? "");
            if (value !== (this.props.record.data[this.props.name] || "")) {
                this.props.record.update({ [this.props.name]: value });
            }
        }, 350);
        useEffect(
            (input) => {
                if (!input) {
                    return;
                }
                input.addEventListener("input", commit);
                return () => input.removeEventListener("input", commit);
            },
            () => [this.input.el]
        );
    }
}

registry.category("fields").add("qbo_search_as_you_type", {
    ...charField,
    component: SearchAsYouTypeField,
});
