"""Intuit's webhooks, in the CloudEvents format: the signature of a delivery and its events.

A delivery is a JSON array of events, signed in the ``intuit-signature`` header with
base64(HMAC-SHA256(the app's verifier token, the raw body)). Each event names its realm
(``intuitaccountid``), the entity (``type`` ``qbo.<entity>.<created|updated|deleted|voided|
merged>.v1``) and its Id (``intuitentityid``). Intuit may send an event twice and out of order:
the host keeps the ids it has seen, and reads what changed through Change Data Capture, which an
event only prompts.
"""
import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from .job_cost import PULLED_ENTITIES
from .labor import TIME_ENTITY

SIGNATURE_HEADER = "intuit-signature"
_TYPE = re.compile(r"^qbo\.([a-z]+)\.([a-z]+)\.v\d+$")
OPERATIONS = frozenset({"created", "updated", "deleted", "voided", "merged"})
# The entity names that wake the pull, as event types spell them: its lists, documents and crew
# time. Customers, employees and vendors do not: the push's own writes would wake a read each, and
# the nightly run keeps Import Jobs and the employee mapping current.
NAMES = frozenset({"Customer", "Employee", "Vendor"})
PULLED = {entity.lower(): entity for entity in PULLED_ENTITIES + (TIME_ENTITY,) if entity not in NAMES}
MAX_EVENTS = 1000  # a delivery with more is no delivery of Intuit's
MAX_ID_LENGTH = 100


@dataclass(frozen=True)
class Event:
    """One event: ``entity`` as the event type spells it (lower case), ``pulled`` the entity
    name when the pull reads that type, else None."""

    id: str
    realm_id: str
    entity: str
    operation: str
    entity_id: str
    time: datetime = None

    @property
    def pulled(self):
        return PULLED.get(self.entity)


def signature(verifier, body):
    """The ``intuit-signature`` of a body.

    :param verifier: the app's verifier token
    :param body: the raw body (bytes)
    """
    digest = hmac.new(verifier.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(verifier, body, signed):
    """Whether a delivery is signed with the verifier token, compared in constant time.

    :param signed: the ``intuit-signature`` header as received (None when missing)
    """
    if not verifier or not signed:
        return False
    return hmac.compare_digest(signature(verifier, body).encode("ascii"), signed.strip().encode("ascii", "replace"))


def parse(body):
    """The events of a signed delivery.

    :param body: the raw body
    :return: list of :class:`Event`
    :raise ValueError: when the body is no CloudEvents array Intuit would send
    """
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("the body is not JSON") from error
    if not isinstance(payload, list) or not payload or len(payload) > MAX_EVENTS:
        raise ValueError("the body is not an array of events")
    return [_event(item) for item in payload]


def _event(item):
    if not isinstance(item, dict) or item.get("specversion") != "1.0":
        raise ValueError("an event is not a CloudEvents 1.0 object")
    texts = {name: item.get(name) for name in ("id", "type", "intuitaccountid", "intuitentityid")}
    for name, value in texts.items():
        if not isinstance(value, (str, int)) or not str(value).strip() or len(str(value)) > MAX_ID_LENGTH:
            raise ValueError("an event has no valid %s" % name)
    kind = _TYPE.match(str(texts["type"]))
    if not kind or kind.group(2) not in OPERATIONS:
        raise ValueError("an event's type is not qbo.<entity>.<operation>.v1")
    realm = str(texts["intuitaccountid"])
    if not realm.isdigit():
        raise ValueError("an event's intuitaccountid is not a Realm ID")
    return Event(str(texts["id"]), realm, kind.group(1), kind.group(2), str(texts["intuitentityid"]),
                 _time(item.get("time")))


_FRACTION = re.compile(r"(\.\d{6})\d+")


def _time(text):
    # Intuit writes nanoseconds; Python reads microseconds at most.
    try:
        moment = datetime.fromisoformat(_FRACTION.sub(r"\1", str(text)).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
