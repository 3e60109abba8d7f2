"""Intuit's webhook events as received: each kept once by its id, for a month, and each delivery
that concerns the bridge wakes its company's run, whose pull reads what changed."""
from datetime import timedelta, timezone

from odoo import api, fields, models
from odoo.tools import SQL

EVENT_RETENTION = timedelta(days=30)


class QboWebhookEvent(models.Model):
    _name = "qbo.webhook.event"
    _description = "QuickBooks Webhook Event"
    _order = "id desc"
    _rec_name = "event_id"

    event_id = fields.Char(string="Event id", required=True, readonly=True)
    realm_id = fields.Char(string="Realm ID", readonly=True, index=True)
    qbo_company_id = fields.Many2one("qbo.company", string="QuickBooks company", readonly=True,
                                     ondelete="cascade", index=True)
    company_id = fields.Many2one(related="qbo_company_id.company_id", store=True)
    entity = fields.Char(readonly=True)
    operation = fields.Char(readonly=True)
    entity_id = fields.Char(string="Entity Id", readonly=True)
    event_time = fields.Datetime(string="Changed at", readonly=True)
    pulled = fields.Boolean(readonly=True, help="The pull reads this entity type: the event woke the company's run.")

    _event_uniq = models.Constraint("UNIQUE(event_id)", "An event is received once.")

    @api.model
    def _qbo_receive(self, events):
        """Keep the events not seen before, and wake the run of each company a new event of a
        pulled type concerns.

        :param events: :class:`..services.webhooks.Event` of one verified delivery
        :return: the number of new events
        """
        companies = {company.realm_id: company for company in self.env["qbo.company"].search(
            [("realm_id", "in", list({event.realm_id for event in events})), ("state", "=", "connected")])}
        now = fields.Datetime.now()
        rows = [
            SQL("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", event.id, event.realm_id,
                companies[event.realm_id].id if event.realm_id in companies else None,
                companies[event.realm_id].company_id.id if event.realm_id in companies else None,
                event.entity, event.operation, event.entity_id,
                event.time.astimezone(timezone.utc).replace(tzinfo=None) if event.time else None,
                bool(event.realm_id in companies and event.pulled), self.env.uid, now, self.env.uid, now)
            for event in events
        ]
        # One statement for the whole delivery; the ids seen before are left as they are.
        self.env.cr.execute(SQL(
            """INSERT INTO qbo_webhook_event (event_id, realm_id, qbo_company_id, company_id, entity, operation,
                                              entity_id, event_time, pulled, create_uid, create_date,
                                              write_uid, write_date)
               VALUES %s ON CONFLICT (event_id) DO NOTHING RETURNING event_id, qbo_company_id, pulled""",
            SQL(", ").join(rows),
        ))
        inserted = self.env.cr.fetchall()
        new = len(inserted)
        woken = {company_id for _event_id, company_id, pulled in inserted if company_id and pulled}
        self.env["qbo.company"].browse(sorted(woken)).filtered(lambda c: not c.jobs_only)._qbo_wake(bridge=True)
        return new

    @api.autovacuum
    def _gc_events(self):
        self.search([("create_date", "<", fields.Datetime.now() - EVENT_RETENTION)]).unlink()
