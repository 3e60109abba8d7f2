"""The accounting-log events the services report, and the operations they name.

A service never writes the log: it returns events, dicts with the keys operation, level, message,
qbo_entity, qbo_id, request_id and intuit_tid, for the host to record. :data:`EVENT_OPERATIONS`
lists every operation the services emit, with its label; a host builds its selection of log
operations from it (adding its own), and a new service adds its operations here.
"""

EVENT_OPERATIONS = [
    ("push", "Push"),
    ("create_customer", "Customer created"),
    ("update_customer", "Customer updated"),
    ("link_customer", "Customer found"),
    ("unlink_customer", "Customer gone"),
    ("create_job", "Job created"),
    ("update_job", "Job updated"),
    ("link_job", "Job found"),
    ("unlink_job", "Job gone"),
]
LEVELS = ("info", "warning", "error")
_OPERATIONS = frozenset(operation for operation, _label in EVENT_OPERATIONS)


def make_event(operation, level, message, qbo_entity=None, qbo_id=None, request_id=None, intuit_tid=None):
    """One accounting-log event.

    :param operation: one of :data:`EVENT_OPERATIONS`
    :param level: one of :data:`LEVELS`
    :param message: what happened, in English
    :param qbo_entity: the QuickBooks entity type concerned, e.g. "Customer"
    :param qbo_id: its QuickBooks Id
    :param request_id: the ``requestid`` of the write, if one was sent
    :param intuit_tid: Intuit's transaction id of the answer
    :return: the event dict
    :raise ValueError: for an operation or level not listed, so a host never meets one it cannot show
    """
    if operation not in _OPERATIONS or level not in LEVELS:
        raise ValueError("Unknown accounting-log event %s/%s: list it in services.events." % (
            operation, level))
    return {"operation": operation, "level": level, "message": message, "qbo_entity": qbo_entity,
            "qbo_id": qbo_id, "request_id": request_id, "intuit_tid": intuit_tid}
