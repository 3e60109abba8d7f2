"""The one place that talks to Intuit's Accounting API, through python-quickbooks, with timeouts,
retries, token refresh and rate limiting; the OAuth half (:class:`QboApp`) lives in :mod:`.oauth`.
"""
import json
import logging
import random
import threading
import time
from datetime import datetime, timedelta, timezone

import requests
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException

from .errors import MISSING_ANSWER, THROTTLED, QboAuthError, QboError, normalize_code, scrub
from .oauth import RETRYABLE_STATUSES, QboApp, QboTokens, utcnow
from .ratelimit import RateLimiter
from .reads import cdc_changes, query_rows, read_all
from .request_ids import chunk_request_id, new_request_id

__all__ = ["QboApp", "QboClient", "QboTokens", "QboError", "QboAuthError", "RateLimiter", "utcnow"]

_logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(seconds=60)
BATCH_SIZE = 30
MAX_BACKOFF = 60.0
# A 401 gets a refresh and a resend; a 401 right after a refresh Intuit accepted is not the saved
# authorization failing, so the fresh token gets one more refresh and resend before the call fails.
MAX_TOKEN_REFRESHES = 2
# For reads a person waits on (Link job's search): a host builds its client with
# ``timeout=INTERACTIVE_TIMEOUT, max_retries=INTERACTIVE_RETRIES``, so a slow or failing Intuit
# answers within seconds, not after the minutes of backoff a background push can afford.
INTERACTIVE_TIMEOUT = 10
INTERACTIVE_RETRIES = 1


class QboClient(QuickBooks):
    """The Accounting API of one QuickBooks company (realm).

    python-quickbooks does the requests and reads Intuit's faults; this class sends them through a
    plain ``requests.Session`` (timeout, bearer token, no OAuth2Session, so plain-http local
    sandboxes work), refreshes the access token before it expires and after a 401 (twice at most),
    retries throttled, failed and lost requests with backoff, and turns every failure into a
    :class:`QboError`. Writes are retried only when they carry a ``requestid``. ``query`` returns
    rows, so python-quickbooks' object helpers (``Customer.filter(qb=...)``) do not apply here.
    """

    def __new__(cls, *args, **kwargs):
        # QuickBooks.__new__ takes keywords only and opens an OAuth2Session; the state it would
        # set is set by __init__ below.
        return object.__new__(cls)

    def __init__(self, app, realm_id, tokens, on_tokens=None, minorversion=75, max_retries=4,
                 sleep=time.sleep, rate_limiter=None, timeout=None):
        """
        :param app: the :class:`QboApp` that refreshes tokens
        :param realm_id: the QuickBooks company id
        :param tokens: the saved :class:`QboTokens`
        :param on_tokens: called with the new :class:`QboTokens` after every refresh, to save them
        :param minorversion: Accounting API minor version (75 is Intuit's minimum)
        :param max_retries: retries after the first attempt for retryable failures
            (:data:`INTERACTIVE_RETRIES` for reads a person waits on)
        :param sleep: waits between retries (injectable for tests)
        :param rate_limiter: the realm's :class:`RateLimiter` (default: shared per realm)
        :param timeout: seconds per HTTP request (default: the app's; :data:`INTERACTIVE_TIMEOUT`
            for reads a person waits on)
        """
        self.app = app
        self.company_id = str(realm_id)
        self.minorversion = minorversion
        self.sandbox = app.environment == "sandbox"
        self.api_url_v3 = self.sandbox_api_url_v3 = app.api_url_v3
        self.session = requests.Session()
        self.tokens = tokens
        self.on_tokens = on_tokens
        self.max_retries = max_retries
        self.timeout = timeout or app.timeout
        self.rate_limiter = rate_limiter or RateLimiter.for_realm(self.company_id)
        self._sleep = sleep
        self._random = random.Random()
        self._token_lock = threading.Lock()
        self._local = threading.local()
        # Metered reads answered (Intuit's "CorePlus" calls); refused attempts are not counted.
        self.reads = 0

    def __repr__(self):
        return "QboClient(realm_id=%r, environment=%r)" % (self.company_id, self.app.environment)

    @property
    def last_intuit_tid(self):
        """Intuit's transaction id of the last response received by this thread, or None."""
        return getattr(self._local, "intuit_tid", None)

    # === ACCOUNTING API === #

    @property
    def last_answer_time(self):
        """QuickBooks' ``time`` of the last query, preferences or Change Data Capture answer this
        thread received (ISO 8601 text with offset), or None."""
        return getattr(self._local, "answer_time", None)

    def _answered(self, response):
        self._local.answer_time = response.get("time") or None
        return response

    def company_info(self):
        """Read the company's CompanyInfo (also a cheap check that the connection works).

        :return: the CompanyInfo object
        :raise QboError: on any failure
        """
        return self._call(self.get_single_object, "CompanyInfo", self.company_id)["CompanyInfo"]

    def query(self, statement, params=None):
        """Run one query.

        :param statement: e.g. ``SELECT * FROM Customer WHERE DisplayName = 'x'``
        :param params: extra URL parameters, as python-quickbooks takes them
        :return: the rows (entity dicts) of the response, [] when none
        :raise QboError: on any failure
        """
        response = self._answered(self._call(super().query, statement, params=params))
        return query_rows(response.get("QueryResponse"))

    def count(self, statement):
        """Run a ``SELECT COUNT(*)`` query.

        :return: QuickBooks' ``totalCount``
        :raise QboError: on any failure
        """
        response = self._answered(self._call(super().query, statement))
        return int((response.get("QueryResponse") or {}).get("totalCount") or 0)

    def preferences(self):
        """Read the company's Preferences (how it tracks classes, among others).

        :return: the Preferences object
        :raise QboError: on any failure
        """
        url = "%s/company/%s/preferences" % (self.api_url, self.company_id)
        return self._answered(self._call(self.get, url))["Preferences"]

    def query_all(self, statement):
        """Run a query page by page (:data:`.reads.PAGE_SIZE` rows a page) and return every row.

        :param statement: a query without STARTPOSITION / MAXRESULTS
        :return: all rows
        :raise ValueError: when the statement already pages
        :raise QboError: on any failure
        """
        [rows] = read_all([statement], lambda statements: [self.query(statement) for statement in statements])
        return rows

    def change_data_capture(self, entities, changed_since):  # pylint: disable=arguments-renamed
        """Read what changed since a moment, for several entity types in one request (one metered
        read instead of a query per type).

        QuickBooks goes back 30 days at most and sends at most :data:`.reads.CDC_MAX_OBJECTS`
        objects per entity type: the answer's ``capped`` names the types that reached it, to be
        asked again with a shorter window.

        :param entities: entity type names, e.g. ["Customer", "Invoice"]
        :param changed_since: an aware datetime (a naive one is taken as UTC, as the host stores
            them) or an ISO 8601 text with its offset
        :return: :class:`.reads.Changes`, {entity: [objects]}; deleted objects as QuickBooks sends
            them, ``{"Id", "status": "Deleted", ...}``
        :raise QboError: on any failure
        """
        entities = [entities] if isinstance(entities, str) else list(entities)
        if isinstance(changed_since, datetime):
            if changed_since.tzinfo is None:
                changed_since = changed_since.replace(tzinfo=timezone.utc)
            # python-quickbooks' own CDC helper formats datetimes without their offset.
            changed_since = changed_since.isoformat(timespec="seconds")
        response = self._answered(self._call(super().change_data_capture, ",".join(entities), changed_since))
        return cdc_changes(response, entities)

    # Not Odoo ORM methods, whatever pylint-odoo assumes of these names.
    def read(self, entity, entity_id):  # pylint: disable=method-required-super
        """Read one object.

        :param entity: e.g. "Customer"
        :param entity_id: its Id
        :return: the object
        :raise QboError: code "610" when it does not exist
        """
        return self._call(self.get_single_object, entity, entity_id)[entity]

    def create(self, entity, payload, request_id=None):  # pylint: disable=method-required-super
        """Create an object; retried safely since QuickBooks answers a repeated requestid with
        the original response.

        :param entity: e.g. "Customer"
        :param payload: the object as a dict
        :param request_id: idempotency key (<= 50 chars), stable across attempts; one is made if None
        :return: the created object
        :raise QboError: on any failure
        """
        request_id = request_id or new_request_id()
        return self._call(self.create_object, entity, json.dumps(payload), request_id=request_id)[entity]

    def update(self, entity, payload, request_id=None):
        """Update an object (sparse when the payload has ``"sparse": True``).

        :param entity: e.g. "Customer"
        :param payload: the object with Id and the current SyncToken
        :param request_id: idempotency key; without one, a lost response is not retried
        :return: the updated object (with its new SyncToken)
        :raise QboError: on any failure ("5010" when the SyncToken is stale)
        """
        return self._call(self.update_object, entity, json.dumps(payload), request_id=request_id,
                          retry_safe=bool(request_id))[entity]

    def batch(self, items, request_id=None):
        """Run operations as batch requests of 30.

        :param items: dicts ``{"entity": "Customer", "operation": "create"|"update"|"delete",
            "payload": {...}}`` or ``{"query": "SELECT ..."}``
        :param request_id: idempotency key of the first batch request; later ones derive theirs
        :return: per item, in order: the object (QueryResponse dict for a query) or a QboError
        :raise QboError: when a whole batch request fails
        """
        results = []
        url = "%s/company/%s/batch" % (self.api_url, self.company_id)
        for start in range(0, len(items), BATCH_SIZE):
            chunk = items[start:start + BATCH_SIZE]
            chunk_id = chunk_request_id(request_id, start)
            body = {"BatchItemRequest": [_batch_item(str(i), item) for i, item in enumerate(chunk)]}
            reads_only = all("query" in item for item in chunk)
            response = self._call(self.post, url, json.dumps(body), request_id=chunk_id,
                                  retry_safe=bool(chunk_id) or reads_only)
            answers = {entry.get("bId"): entry for entry in response.get("BatchItemResponse") or []}
            for i, item in enumerate(chunk):
                results.append(_batch_result(answers.get(str(i)), item, self.last_intuit_tid))
        return results

    # === TRANSPORT === #

    def process_request(self, request_type, url, headers="", params="", data=""):
        """Send one request (python-quickbooks' hook): bearer token, timeout, rate limit.

        :return: the ``requests.Response``
        """
        token = self.tokens.access_token
        headers = dict(headers or {}, Authorization="Bearer " + token)
        if isinstance(data, str):
            # urllib3 1.x sends text bodies as Latin-1: names with other characters would break.
            data = data.encode("utf-8", "replace")
        local = self._local
        local.token_used = token
        local.status = local.intuit_tid = local.retry_after = None
        with self.rate_limiter.slot(batch=url.endswith("/batch")):
            response = self.session.request(request_type, url, headers=headers, params=params or None,
                                            data=data or None, timeout=self.timeout)
        local.status = response.status_code
        metered = _metered_reads(request_type, url, data) if _answered_by_intuit(response.status_code) else 0
        if metered:
            with self._token_lock:
                self.reads += metered
        local.intuit_tid = response.headers.get("intuit_tid")
        local.retry_after = response.headers.get("Retry-After")
        _logger.debug("QuickBooks %s %s -> %s (intuit_tid %s)", request_type, url.split("?")[0],
                      response.status_code, local.intuit_tid)
        return response

    def _call(self, func, *args, retry_safe=True, **kwargs):
        attempt = 0
        refreshes = 0
        rejected_token = None
        while True:
            sent = False
            try:
                self._ensure_token(rejected_token)
                rejected_token = None
                sent = True
                return func(*args, **kwargs)
            except (QuickbooksException, requests.RequestException) as exc:
                error = self._error_from(exc)
            except QboAuthError:
                raise
            except QboError as exc:
                error = exc  # the token refresh failed: nothing was sent
            if sent and error.status == 401:
                if refreshes >= MAX_TOKEN_REFRESHES:
                    # The refresh itself was accepted, so the saved authorization holds: this is
                    # Intuit's to fix, and the same call may well pass in a few minutes.
                    raise QboError("401", "Intuit refused a freshly refreshed access token (HTTP 401); "
                                   "jobs being pushed stay pending and go again on the next run.",
                                   error.detail, error.intuit_tid, retryable=True, status=401)
                refreshes += 1
                rejected_token = self._local.token_used
                continue
            if not error.retryable or not (retry_safe or not sent) or attempt >= self.max_retries:
                raise error
            delay = self._backoff(attempt, error)
            attempt += 1
            _logger.warning("QuickBooks realm %s: %s (%s), retry %d/%d in %.1f s, intuit_tid %s",
                            self.company_id, error.message, error.code, attempt, self.max_retries,
                            delay, error.intuit_tid)
            self._sleep(delay)

    def _ensure_token(self, rejected_token=None):
        with self._token_lock:
            current = self.tokens.access_token
            if rejected_token is not None:
                if rejected_token != current:
                    return  # another thread already replaced the rejected token
            elif not self.tokens.access_expires_within(REFRESH_MARGIN, self.app.now()):
                return
            tokens = self.app.refresh(self.tokens.refresh_token)
            self.tokens = tokens
            _logger.info("QuickBooks realm %s: access token refreshed", self.company_id)
            if self.on_tokens:
                self.on_tokens(tokens)

    def _backoff(self, attempt, error):
        throttled = error.status == 429 or error.code == THROTTLED
        delay = min(MAX_BACKOFF, (2.0 if throttled else 1.0) * 2 ** attempt)
        delay = delay / 2 + self._random.uniform(0, delay / 2)
        retry_after = getattr(self._local, "retry_after", None)
        if throttled and retry_after and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), MAX_BACKOFF))
        return delay

    def _error_from(self, exc):
        secrets = (self.tokens.access_token, self.tokens.refresh_token)
        status = getattr(self._local, "status", None)
        tid = self.last_intuit_tid
        if isinstance(exc, requests.RequestException):
            if isinstance(exc, requests.Timeout):
                return QboError("timeout", "QuickBooks did not answer within %s s." % self.timeout,
                                retryable=True, params={"seconds": self.timeout})
            lost = isinstance(exc, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError))
            return QboError("network", "Could not reach QuickBooks (%s)." % type(exc).__name__,
                            detail=scrub(exc, secrets), retryable=lost,
                            params={"exception": type(exc).__name__})
        code = normalize_code(exc.error_code)
        message, detail = exc.message, exc.detail
        if status == 401:
            code, message = "401", "QuickBooks refused the access token (HTTP 401)."
        elif type(exc) is QuickbooksException and code == "10000":
            # python-quickbooks' code for a reply that is not JSON, or an error status without a Fault
            code, message, detail = "http_%s" % status, "QuickBooks answered HTTP %s." % status, exc.message
        retryable = code == THROTTLED or status in RETRYABLE_STATUSES
        params = {"status": status} if code == "http_%s" % status else None
        return QboError(code, scrub(message, secrets), scrub(detail, secrets), tid, retryable, status, params)


def _answered_by_intuit(status):
    """A request the API itself answered (so metered), not one refused at the gate: an expired
    token, a throttle, an outage."""
    return status not in (401, 429) and status < 500


def _metered_reads(request_type, url, data):
    """The metered reads a request makes: every GET (reads, Change Data Capture, company info,
    preferences), a query, each query of a batch request."""
    path = url.split("?")[0]
    if request_type == "GET" or path.endswith("/query"):
        return 1
    if path.endswith("/batch") and data:
        return sum(1 for item in json.loads(data).get("BatchItemRequest") or [] if "Query" in item)
    return 0


def _batch_item(batch_id, item):
    if "query" in item:
        return {"bId": batch_id, "Query": item["query"]}
    return {"bId": batch_id, "operation": item["operation"], item["entity"]: item["payload"]}


def _batch_result(answer, item, intuit_tid):
    if answer is None:
        return QboError(MISSING_ANSWER, "QuickBooks returned no answer for this batch item.",
                        intuit_tid=intuit_tid)
    if "Fault" in answer:
        errors = answer["Fault"].get("Error") or [{}]
        code = normalize_code(errors[0].get("code"))
        return QboError(code, errors[0].get("Message") or "QuickBooks refused this batch item.",
                        errors[0].get("Detail") or "", intuit_tid, retryable=code == THROTTLED)
    if "query" in item:
        return answer.get("QueryResponse") or {}
    return answer.get(item["entity"])
