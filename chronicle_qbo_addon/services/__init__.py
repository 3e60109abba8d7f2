"""Plain-Python service layer of the QuickBooks Online bridge: it never imports Odoo.

- :mod:`.client` talks to Intuit (:class:`~.client.QboApp` for OAuth, :class:`~.client.QboClient`
  for the Accounting API, Change Data Capture included) and raises only :class:`~.errors.QboError`,
  whose code and params a host turns into its own messages;
- :mod:`.mapping` turns the host's plain dicts into QuickBooks payloads and names;
- :mod:`.reads` builds every query and reads in bulk: look-ups by any entity type and field,
  paging, Change Data Capture answers, Link job's search;
- :mod:`.push` pushes jobs and their customers, its requests sent by :mod:`.dispatch`, by the rules
  of :mod:`.rules` and :mod:`.holders`; :mod:`.request_ids` makes every idempotency key;
  :mod:`.events` lists the accounting-log operations the services report;
- :mod:`.pull` reads what a company holds for job costing (a full read, then Change Data Capture;
  crew time by query, with a count for deletions) and hands it to the host, page by page, and
  reads customers alone for Import Jobs; :mod:`.job_cost` turns documents into job cost lines,
  :mod:`.labor` time activities into time entries;
- :mod:`.webhooks` checks Intuit's webhook deliveries and reads their events;
- :mod:`.ratelimit` keeps every request under Intuit's limits, in a budget the host may share
  between processes.
"""
