"""The Accounting API v3 under ``/v3/company/<realmId>/``: reads, writes, query, batch,
change data capture, company info and preferences, with ``minorversion`` and
``requestid`` handled as Intuit does.

Handlers run after authentication and throttling (see ``server``); each returns
``(status, body)`` and raises ``QboFault`` for Intuit's faults.
"""

import json
from datetime import timedelta

from . import entities, errors, query, schema
from .clock import parse_qbo_datetime, qbo_response_time

MAX_BATCH_ITEMS = 30
MAX_REQUEST_ID = 50
CDC_MAX_DAYS = 30
CDC_MAX_OBJECTS = 1000
# Entities QBO has that the sandbox keeps empty: queries on them answer with no rows.
EMPTY_ENTITIES = {
    "Account",
    "Attachable",
    "Bill",
    "BillPayment",
    "Class",
    "CreditMemo",
    "CustomerType",
    "Department",
    "Deposit",
    "Estimate",
    "Invoice",
    "Item",
    "JournalEntry",
    "Payment",
    "PaymentMethod",
    "Purchase",
    "PurchaseOrder",
    "RefundReceipt",
    "SalesReceipt",
    "TaxCode",
    "TaxRate",
    "Term",
    "TimeActivity",
    "Transfer",
    "VendorCredit",
}


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
    """Operations on one company; the caller holds the company's lock (``Store.realm_lock``)."""

    def __init__(self, store, counters):
        self.store = store
        self.clock = store.clock
        self.counters = counters

    def _time(self):
        return qbo_response_time(self.clock.now())

    def _ok(self, payload):
        payload["time"] = self._time()
        return 200, payload

    # ------------------------------------------------------------ reads

    def company_info(self, realm, realm_id, entity_id):
        if entity_id not in (realm_id, "1"):
            raise errors.not_found("Id")
        return self._ok({"CompanyInfo": dict(realm["company"])})

    def preferences(self, realm):
        return self._ok({"Preferences": dict(realm["preferences"])})

    def read(self, realm, entity, entity_id):
        return self._ok({entity: entities.get(realm, entity, entity_id)})

    # ------------------------------------------------------------ writes

    def write(self, realm, realm_id, entity, body, operation):
        """POST to an entity: create, update (when the body has an Id) or delete."""
        payload = parse_json(body)
        return self._ok({entity: self._apply(realm, realm_id, entity, payload, operation)})

    def _apply(self, realm, realm_id, entity, payload, operation):
        now = self.clock.now()
        if operation == "delete":
            raise errors.QboFault("500", "Unsupported Operation", "Operation Delete is not supported.")
        if operation not in (None, "", "create", "update"):
            raise errors.QboFault("500", "Unsupported Operation", f"Operation {operation} is not supported.")
        has_id = isinstance(payload, dict) and payload.get("Id") not in (None, "")
        if operation == "update" or (operation != "create" and has_id):
            if not has_id:
                raise errors.required_missing("Id")
            record = entities.update(realm, entity, payload, now)
        else:
            record = entities.create(realm, entity, payload, now)
        self.counters.write(realm_id)
        self.store.mark_dirty()
        return record

    # ------------------------------------------------------------ query

    def query(self, realm, text):
        return self._ok({"QueryResponse": self._query(realm, text)})

    def _query(self, realm, text):
        parsed = query.parse(text)
        name = _entity_name(parsed.entity)
        if name in schema.ENTITY_NAMES:
            query.check_fields(parsed, schema.queryable_fields(name))
            stored = [
                c for c in parsed.conditions if c.field.split(".")[0].lower() not in entities.COMPUTED_MEMBERS
            ]
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
                answer["QueryResponse"] = self._query(realm, item["Query"])
                return answer
            names = [key for key in item if key not in ("bId", "operation", "optionsData")]
            entity = names[0] if len(names) == 1 else None
            if entity not in schema.ENTITY_NAMES:
                raise errors.unsupported_property(
                    f"BatchItemRequest {', '.join(names) or 'without a payload'}"
                )
            operation = item.get("operation")
            if operation not in ("create", "update", "delete"):
                raise errors.required_missing("operation")
            answer[entity] = self._apply(realm, realm_id, entity, item[entity], operation)
        except errors.QboFault as fault:
            answer["Fault"] = fault.fault()
        return answer

    # ------------------------------------------------------------ change data capture

    def cdc(self, realm, params):
        names = [n.strip() for n in (params.get("entities") or "").split(",") if n.strip()]
        if not names:
            raise errors.required_missing("entities")
        if not params.get("changedSince"):
            raise errors.required_missing("changedSince")
        try:
            since = parse_qbo_datetime(params["changedSince"])
        except ValueError:
            raise errors.unsupported_property(
                f"changedSince={params['changedSince']}", "changedSince"
            ) from None
        now = parse_qbo_datetime(self._time())
        if since < now - timedelta(days=CDC_MAX_DAYS):
            raise errors.business_rule(
                f"changedSince can be at most {CDC_MAX_DAYS} days ago.", "changedSince"
            )
        responses = []
        for raw in names:
            name = _entity_name(raw)
            if name not in schema.ENTITY_NAMES and name not in EMPTY_ENTITIES:
                raise errors.query_validation_error(f"{raw} is not a valid entity")
            rows = entities.render_all(realm, name) if name in schema.ENTITY_NAMES else []
            changed = [r for r in rows if parse_qbo_datetime(r["MetaData"]["LastUpdatedTime"]) >= since]
            changed = changed[:CDC_MAX_OBJECTS]
            block = {"startPosition": 1, "maxResults": len(changed), "totalCount": len(changed)}
            if changed:
                block[name] = changed
            responses.append(block)
        return self._ok({"CDCResponse": [{"QueryResponse": responses}]})


def _entity_name(raw):
    known = schema.ENTITY_NAMES + ("CompanyInfo", "Preferences") + tuple(EMPTY_ENTITIES)
    return next((name for name in known if name.lower() == raw.lower()), raw)


def parse_json(body):
    """Decode a request body; malformed JSON is the fault QBO's deserializer answers with."""
    try:
        return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.unsupported_property(
            f"Unexpected character in the request body ({exc.__class__.__name__})"
        ) from None
