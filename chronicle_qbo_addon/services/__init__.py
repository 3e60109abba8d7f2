"""Plain-Python service layer of the QuickBooks Online bridge: it never imports Odoo.

- :mod:`.client` talks to Intuit (:class:`~.client.QboApp` for OAuth, :class:`~.client.QboClient`
  for the Accounting API) and raises only :class:`~.errors.QboError`;
- :mod:`.mapping` turns the host's plain dicts into QuickBooks payloads, names and queries;
- :mod:`.sync` pushes a job and its customer with a client; :mod:`.bulk` pushes many at once, its
  requests sent by :mod:`.dispatch`; :mod:`.ratelimit` keeps every request under Intuit's limits.
"""
