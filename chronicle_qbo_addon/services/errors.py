"""The one exception type of the service layer, and the scrubbing that keeps secrets out of it."""
import re

# QuickBooks Online fault codes the bridge reacts to (Intuit sends some zero-padded: "003001").
NOT_FOUND = "610"
STALE_OBJECT = "5010"
DUPLICATE_NAME = "6240"
THROTTLED = "3001"
# The bridge's own code: a QuickBooks job that belongs to another job of the host. Names that differ
# only in case, in a colon or past the cut of long names are one name in QuickBooks, so a second
# job of the host could otherwise find, and take over, the first one's QuickBooks job.
JOB_LINKED_ELSEWHERE = "job_linked_elsewhere"
# The bridge's own code: a QuickBooks customer that belongs to another contact of the host. Two
# people may share a name, and QuickBooks allows a name once, so the second would otherwise find the
# first one's customer by name and overwrite its address and e-mail.
CUSTOMER_BOUND_ELSEWHERE = "customer_bound_elsewhere"
# The bridge's own code: the host's data gives nothing QuickBooks accepts (a job without a number or
# name, a customer without a name); no request was sent.
INVALID_DATA = "invalid_data"
# The bridge's own code: a batch request came back without the answer of one of its items.
MISSING_ANSWER = "missing"

# Longest detail kept: Intuit's HTML error pages would otherwise end up whole in the accounting log.
_DETAIL_LIMIT = 1000

_SECRET_PATTERNS = (
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/=]{8,}"), r"\1 ***"),
    (re.compile(r"(?i)((?:\"?(?:access_token|refresh_token|id_token|client_secret)\"?|\"token\")"
                r"\s*[:=]\s*\"?)[^\"&,\s}]+"), r"\1***"),
    # Intuit access tokens are JWEs ("eyJ..."), refresh tokens "AB11" + digits + letters; its 401
    # replies quote the first characters of the rejected token.
    (re.compile(r"\beyJ[A-Za-z0-9_\-.]{4,}"), "***"),
    (re.compile(r"\bAB11\d{6,}[A-Za-z0-9]*"), "***"),
)


def scrub(text, secrets=()):
    """Remove tokens and credentials from a text meant for an exception or a log line.

    :param text: any text, possibly an HTTP body or an exception message (None gives "")
    :param secrets: exact secret values known to the caller (access and refresh tokens...)
    :return: the text with every known secret and every token-looking value replaced by ``***``
    """
    text = "" if text is None else str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def normalize_code(code):
    """Give a fault code one spelling: ``3001`` for ``"003001"`` or ``3001``, text codes unchanged.

    :param code: a code as Intuit or a library reported it (int, str or None)
    :return: the code as a string, "" when there is none
    """
    text = "" if code is None else str(code).strip()
    return str(int(text)) if text.isdigit() else text


class QboError(Exception):
    """Any failure talking to QuickBooks Online, whatever raised it underneath.

    ``code`` is Intuit's fault code ("6240", "5010", "610"...), an OAuth error ("invalid_grant",
    "invalid_client"), a transport code ("http_503", "timeout", "network") or one of the bridge's
    own (:data:`INVALID_DATA`, :data:`JOB_LINKED_ELSEWHERE`, :data:`CUSTOMER_BOUND_ELSEWHERE`...).
    ``retryable`` tells whether the same call may succeed later unchanged. ``message`` is English,
    for logs; a host shows a person its own translated text, built from ``code`` and ``params``,
    the values the message names. Messages and params are scrubbed of tokens. The params by code:

    - ``6240`` from a push: ``name``; ``holder``: "job" (with ``parent``, its customer's name),
      "customer", "vendor", "employee" or "vendor_or_employee" (QuickBooks did not say which);
    - :data:`JOB_LINKED_ELSEWHERE`: ``name``; ``qbo_id`` (the QuickBooks job another job of the host
      holds) or ``job_key`` (the job of the same push that takes the name first);
    - :data:`CUSTOMER_BOUND_ELSEWHERE`: ``name``; ``qbo_id`` (another contact's QuickBooks customer)
      or ``job_key`` (the job of the same push whose contact creates the name);
    - :data:`INVALID_DATA`: ``role``, "customer" or "job": the one without a name;
    - "timeout": ``seconds``; "network": ``exception`` (its class name); "http_<status>": ``status``;
      from an OAuth call these and "invalid_grant", "invalid_client", "bad_reply" carry
      ``operation`` ("authorization link", "authorization", "token refresh", "revocation").
    """

    needs_reauth = False

    def __init__(self, code, message, detail="", intuit_tid=None, retryable=False, status=None, params=None):
        self.code = normalize_code(code)
        self.message = scrub(message)
        self.detail = scrub(detail)[:_DETAIL_LIMIT]
        self.intuit_tid = intuit_tid or None
        self.retryable = bool(retryable)
        self.status = status
        self.params = {key: scrub(value) if isinstance(value, str) else value
                       for key, value in (params or {}).items()}
        super().__init__(self.message)

    def __str__(self):
        text = self.message
        if self.detail and self.detail not in text:
            text = "%s: %s" % (text, self.detail)
        facts = ["code %s" % self.code] if self.code else []
        if self.intuit_tid:
            facts.append("intuit_tid %s" % self.intuit_tid)
        return "%s (%s)" % (text, ", ".join(facts)) if facts else text

    def __repr__(self):
        return "%s(code=%r, message=%r, intuit_tid=%r, retryable=%r, status=%r)" % (
            type(self).__name__, self.code, self.message, self.intuit_tid, self.retryable, self.status)


class QboAuthError(QboError):
    """The saved authorization no longer works: a person must connect the QuickBooks company again."""

    needs_reauth = True
