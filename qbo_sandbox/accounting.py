"""The Accounting API v3 under ``/v3/company/<realmId>/``: reads, writes (create, full and
sparse update, ``?operation=delete``, ``?operation=void`` or ``?operation=update&include=void``),
query, batch, change data capture, company info and preferences, with ``minorversion`` and
``requestid`` handled as Intuit does.

Handlers run after authentication and throttling (see ``server``); each returns
``(status, body)`` and raises ``QboFault`` for Intuit's faults.
"""

import json

from . import cdc, entities, errors, query, types
from .clock import parse_qbo_datetime, qbo_response_time

MAX_BATCH_ITEMS = 30
MAX_REQUEST_ID = 50
# Entities QBO has that the sandbox does not keep: queries on them answer with no rows.
EMPTY_ENTITIES = {
    "Attachable",
    "BillPayment",
    "CustomerType",
    "Department",
    "Deposit",
    "Estimate",
    "JournalEntry",
    "PaymentMethod",
    "PurchaseOrder",
    "TaxCode",
    "TaxRate",
    "Term",
    "Transfer",
}
BATCH_OPERATIONS = ("create", "update", "delete", "void")


def check_minor_version(params):
    """Intuit answers a missing minor version, or one below 75, as 75: the sandbox has only
    that one. A value that is not a number is refused."""
    raw = params.get("minorversion")
    if raw in (None, ""):
        return
    try:
        int(raw)
    except ValueError:
        raise errors.unsupported_property(f"minorversion={raw}", "minorversion") from None


def request_id(params):
    value = params.get("requestid")
    if value and len(value) > MAX_REQUEST_ID:
        raise errors.bad_length("requestid", MAX_REQUEST_ID, len(value))
    return value or None


class AccountingApi:
    """Operations on one company; the caller holds the company's lock (``Store.realm_lock``).

    Reads (entity reads, queries, batch query items, CDC, company info, preferences) are
    counted as metered reads, writes (create, update, delete, void) as writes. Each write
    is told to ``on_change(realm_id, entity, Id, operation, time)`` (the webhooks)."""

    def __init__(self, store, counters, on_change=None):
        self.store = store
        self.clock = store.clock
        self.counters = counters
        self.on_change = on_change

    def _time(self):
        return qbo_response_time(self.clock.now())

    def _ok(self, payload):
        payload["time"] = self._time()
        return 200, payload

    # ------------------------------------------------------------ reads

    def company_info(self, realm, realm_id, entity_id):
        if entity_id not in (realm_id, "1"):
            raise errors.not_found("Id")
        self.counters.read(realm_id)
        return self._ok({"CompanyInfo": dict(realm["company"])})

    def preferences(self, realm, realm_id):
        self.counters.read(realm_id)
        return self._ok({"Preferences": dict(realm["preferences"])})

    def read(self, realm, realm_id, entity, entity_id):
        record = entities.get(realm, entity, entity_id)
        self.counters.read(realm_id)
        return self._ok({entity: record})

    # ------------------------------------------------------------ writes

    def write(self, realm, realm_id, entity, body, params):
        """POST to an entity: create, update (when the body has an Id), delete or void."""
        payload = parse_json(body)
        operation, include = params.get("operation"), params.get("include")
        return self._ok({entity: self._apply(realm, realm_id, entity, payload, operation, include)})

    def _apply(self, realm, realm_id, entity, payload, operation, include=None):
        now = self.clock.now()
        if operation == "delete":
            record, done = entities.delete(realm, entity, payload, now), "delete"
        elif operation == "void" or (operation == "update" and include == "void"):
            record, done = entities.void(realm, entity, payload, now), "void"
        elif operation not in (None, "", "create", "update"):
            raise errors.operation_not_supported(operation)
        elif operation == "update" or (operation != "create" and _has_id(payload)):
            if not _has_id(payload):
                raise errors.required_missing("Id")
            record, done = entities.update(realm, entity, payload, now), "update"
        else:
            record, done = entities.create(realm, entity, payload, now), "create"
        self.counters.write(realm_id)
        self.store.mark_dirty()
        if self.on_change is not None:
            self.on_change(realm_id, entity, record["Id"], done, now)
        return record

    # ------------------------------------------------------------ query

    def query(self, realm, realm_id, text):
        return self._ok({"QueryResponse": self._query(realm, realm_id, text)})

    def _query(self, realm, realm_id, text):
        parsed = query.parse(text)
        name = _entity_name(parsed.entity)
        if name in types.TYPES:
            etype = types.get(name)
            query.check_fields(parsed, etype.queryable)
            rendered = etype.rendered_members
            stored = [c for c in parsed.conditions if c.field.split(".")[0].lower() not in rendered]
            records = entities.render_all(
                realm, name, lambda record: all(query.matches(record, c) for c in stored)
            )
            active_filter = True
        elif name in ("CompanyInfo", "Preferences"):
            records, active_filter = (
                [dict(realm["company" if name == "CompanyInfo" else "preferences"])],
                False,
            )
        elif name in EMPTY_ENTITIES:
            records, active_filter = [], False
        else:
            raise errors.query_validation_error(f"{parsed.entity} is not a valid entity")
        page, total = query.run(parsed, records, active_filter)
        self.counters.read(realm_id)
        if parsed.count:
            return {"totalCount": total}
        if not page:
            return {}
        return {name: page, "startPosition": parsed.start, "maxResults": len(page)}

    # ------------------------------------------------------------ batch

    def batch(self, realm, realm_id, body):
        payload = parse_json(body)
        items = payload.get("BatchItemRequest") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not items:
            raise errors.required_missing("BatchItemRequest")
        if len(items) > MAX_BATCH_ITEMS:
            raise errors.business_rule(
                f"A batch request can have at most {MAX_BATCH_ITEMS} BatchItemRequest objects; it has {len(items)}.",
                "BatchItemRequest",
            )
        return self._ok({"BatchItemResponse": [self._batch_item(realm, realm_id, item) for item in items]})

    def _batch_item(self, realm, realm_id, item):
        if not isinstance(item, dict):
            return {"Fault": errors.unsupported_property("BatchItemRequest must be an object").fault()}
        answer = {"bId": item.get("bId")}
        try:
            if not item.get("bId"):
                raise errors.required_missing("bId")
            if "Query" in item:
                answer["QueryResponse"] = self._query(realm, realm_id, item["Query"])
                return answer
            names = [key for key in item if key not in ("bId", "operation", "optionsData")]
            entity = names[0] if len(names) == 1 else None
            if entity not in types.TYPES:
                raise errors.unsupported_property(
                    f"BatchItemRequest {', '.join(names) or 'without a payload'}"
                )
            operation = item.get("operation")
            if operation not in BATCH_OPERATIONS:
                raise errors.required_missing("operation")
            answer[entity] = self._apply(realm, realm_id, entity, item[entity], operation)
        except errors.QboFault as fault:
            answer["Fault"] = fault.fault()
        return answer

    # ------------------------------------------------------------ change data capture

    def cdc(self, realm, realm_id, params):
        now = parse_qbo_datetime(self._time())
        answer = cdc.changes(realm, params, now, _cdc_entity)
        self.counters.read(realm_id)
        return self._ok(answer)


def _has_id(payload):
    return isinstance(payload, dict) and payload.get("Id") not in (None, "")


def _entity_name(raw):
    """QBO's spelling of an entity name written in any case; unknown names come back as sent."""
    return _known_entity(raw) or raw


def _known_entity(raw):
    known = types.NAMES + ("CompanyInfo", "Preferences") + tuple(EMPTY_ENTITIES)
    return next((name for name in known if name.lower() == raw.lower()), None)


def _cdc_entity(raw):
    """An entity change data capture can be asked about (company info and preferences are not)."""
    name = _known_entity(raw)
    return name if name in types.TYPES or name in EMPTY_ENTITIES else None


def parse_json(body):
    """Decode a request body; malformed JSON is the fault QBO's deserializer answers with."""
    try:
        return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.unsupported_property(
            f"Unexpected character in the request body ({exc.__class__.__name__})"
        ) from None
