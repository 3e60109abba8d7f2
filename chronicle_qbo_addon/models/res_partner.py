from odoo import models

# Changing one of these changes the customer QuickBooks holds for the partner's jobs.
CUSTOMER_PUSH_FIELDS = {
    "name", "ref", "is_company", "parent_id", "street", "street2", "city", "state_id", "zip",
    "country_id", "email", "phone",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        result = super().write(vals)
        if CUSTOMER_PUSH_FIELDS & set(vals) and not self.env.context.get("qbo_no_push"):
            self._qbo_mark_jobs_pending()
        return result

    def _qbo_mark_jobs_pending(self):
        """A customer that QuickBooks knows changed: its pushed jobs carry the change there."""
        syncs = self.env["qbo.job.sync"].sudo().search(
            [
                "|",
                ("project_id.partner_id.commercial_partner_id", "in", self.ids),
                ("project_id.site_partner_id", "in", self.ids),
                ("state", "in", ("synced", "linked", "error")),
            ]
        )
        if syncs:
            syncs.write({"state": "pending"})
            self.env.ref("chronicle_qbo_addon.ir_cron_qbo_push_jobs").sudo()._trigger()

    def _qbo_address_values(self):
        self.ensure_one()
        return {
            "street": self.street,
            "street2": self.street2,
            "city": self.city,
            "state_code": self.state_id.code,
            "zip": self.zip,
            "country_code": self.country_id.code,
        }

    def _qbo_customer_values(self):
        """The customer as the service layer's mapping expects it."""
        self.ensure_one()
        values = dict(
            self._qbo_address_values(),
            name=self.name,
            ref=self.ref,
            is_company=self.is_company,
            company_name=self.company_name or self.parent_id.name,
            email=self.email,
            phone=self.phone,
        )
        if not self.is_company:
            first, _sep, last = (self.name or "").strip().rpartition(" ")
            values.update(first_name=first or last, last_name=last if first else False)
        return values
