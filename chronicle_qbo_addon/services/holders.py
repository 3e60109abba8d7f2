"""Who holds which QuickBooks record during a push: no two jobs of the host on one QuickBooks job,
no two contacts of the host on one QuickBooks customer.

Job numbers and names that differ only in case, in a colon (made a space) or past the cut of long
names give one QuickBooks name, so a job could find, or adopt after a 6240, the QuickBooks job of
another: a job takes a record by name only when no other job of the host is linked to it (the
host's ``taken_job_ids``, and the links of the jobs of the push).

People share names, and QuickBooks allows a name once: a customer found by name or e-mail, or
holding the name on create, is taken only when it is the request's own ``customer_id`` or bound to
no other contact (the host's ``customer_bindings``, the links of the push and the customers its
jobs took or created). A name that a contact earlier in the push will create is claimed for it.
"""
from .rules import customer_bound_elsewhere


class Holders:
    """The jobs and contacts of the host that hold QuickBooks records, as one push learns them."""

    def __init__(self, requests, taken_job_ids=frozenset(), customer_bindings=None):
        """
        :param requests: the push's :class:`.push.JobPushRequest` objects
        :param taken_job_ids: QuickBooks Ids of the jobs linked to jobs of the host, pushed now or not
        :param customer_bindings: {QuickBooks customer Id: contact key} of the customers bound to a
            contact of the host, pushed now or not; None binds none
        """
        self.taken_job_ids = frozenset(taken_job_ids)
        # QuickBooks job Id -> key of the job of this push that holds it: its link, or the record it
        # created or took.
        self.jobs = {request.job_id: request.key for request in requests if request.job_id}
        # QuickBooks customer Id -> key of the contact it belongs to: the host's bindings, else the
        # link of a job of this push, or the record its customer took or created.
        self.customers = {request.customer_id: request.customer_key for request in requests
                          if request.customer_id and request.customer_key}
        self.customers.update(customer_bindings or {})
        # Case-folded name -> (contact key, key of its first job) of the customers of this push
        # still to be created under that name.
        self.name_claims = {}

    # === JOBS === #

    def may_take_job(self, request, record_id):
        """Whether a job may be linked to the QuickBooks job found holding its name.

        :param request: the job's push request
        :param record_id: the QuickBooks job's Id
        """
        if record_id == request.job_id:
            return True
        return record_id not in self.taken_job_ids and self.jobs.get(record_id) in (None, request.key)

    def hold_job(self, record_id, key):
        """The job of ``key`` now holds this QuickBooks job (it created, took or updated it)."""
        self.jobs[record_id] = key

    # === CUSTOMERS === #

    def may_take_customer(self, contact, linked_id, record_id):
        """Whether a contact's customer may be linked to a QuickBooks customer found by name or
        e-mail, or holding its name on create.

        :param contact: the contact's key (None: a contact the host does not tell apart)
        :param linked_id: the QuickBooks customer the contact's job is linked to, if any
        :param record_id: the QuickBooks customer's Id
        """
        return record_id == linked_id or self.customers.get(record_id) in (None, contact)

    def hold_customer(self, record_id, contact):
        """A contact's customer is this QuickBooks customer, unless another contact holds it already."""
        if self.customers.get(record_id) is None:
            self.customers[record_id] = contact

    def refusal(self, contact, linked_id, record, name, retryable=False):
        """Why a contact's customer may not have a name, or None when it may.

        :param contact: the contact's key
        :param linked_id: the QuickBooks customer the contact's job is linked to, if any
        :param record: the QuickBooks customer holding the name, None when none was found
        :param name: the name, for a customer still to be created
        :param retryable: whether the error says that the same push may succeed later
        :return: a :class:`.errors.QboError` of code :data:`.errors.CUSTOMER_BOUND_ELSEWHERE` when the
            record belongs to another contact, or the name to a customer of another contact that a
            job earlier in this push creates; None otherwise
        """
        if record is not None:
            if self.may_take_customer(contact, linked_id, record["Id"]):
                return None
            return customer_bound_elsewhere(record.get("DisplayName"), qbo_id=record["Id"],
                                            retryable=retryable)
        claimant, first_job = self.name_claims.get(name.casefold(), (None, None))
        if claimant in (None, contact):
            return None
        return customer_bound_elsewhere(name, job_key=first_job)

    def claim(self, contact, name, job_key):
        """A contact's customer will be created under this name: no other contact's customer may
        have it.

        :param job_key: the key of the contact's first job in the push, named in the refusals
        """
        # Without a contact key a customer binds nothing, as a customer missing from the bindings.
        if contact is not None:
            self.name_claims.setdefault(name.casefold(), (contact, job_key))
