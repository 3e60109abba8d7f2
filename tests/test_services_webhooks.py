"""Intuit's webhook deliveries: the signature over the raw body, and the CloudEvents they hold."""
import base64
import hashlib
import hmac
import json

import pytest

from chronicle_qbo_addon.services.webhooks import parse, signature, verify

VERIFIER = "0f3e1c34-verifier"


def event(**changes):
    base = {"specversion": "1.0", "id": "4f2b6f1e-8c1e-4bb0-9a5e-0c4a2f1d7e11", "source": "intuit.abc=",
            "type": "qbo.bill.created.v1", "datacontenttype": "application/json",
            "time": "2026-12-01T22:15:30.123456789Z", "intuitentityid": "145",
            "intuitaccountid": "9341453050298551", "data": {}}
    base.update(changes)
    return base


def test_the_signature_is_intuit_s_hmac_of_the_raw_body():
    body = json.dumps([event()]).encode()
    expected = base64.b64encode(hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest()).decode()
    assert signature(VERIFIER, body) == expected
    assert verify(VERIFIER, body, expected)
    assert not verify(VERIFIER, body + b" ", expected), "one byte more"
    assert not verify("another-verifier", body, expected)
    assert not verify(VERIFIER, body, None) and not verify(VERIFIER, body, "")
    assert not verify("", body, signature("", body)), "no verifier, no delivery"
    assert not verify(VERIFIER, body, "é" + expected[1:]), "a header that is not even ASCII"


def test_events_of_a_delivery():
    [parsed] = parse(json.dumps([event()]).encode())
    assert (parsed.realm_id, parsed.entity, parsed.operation, parsed.entity_id) == (
        "9341453050298551", "bill", "created", "145")
    assert parsed.pulled == "Bill"
    assert parsed.time.isoformat() == "2026-12-01T22:15:30.123456+00:00", "nanoseconds cut to what Python reads"
    [customer] = parse(json.dumps([event(type="qbo.customer.updated.v1")]).encode())
    assert customer.pulled is None, "the pull does not read customers"
    [credit] = parse(json.dumps([event(type="qbo.vendorcredit.voided.v1")]).encode())
    assert credit.pulled == "VendorCredit"


@pytest.mark.parametrize("body", [
    b"", b"not json", b"{}", b"[]", b'"text"', json.dumps([1]).encode(),
    json.dumps([event(specversion="0.3")]).encode(),
    json.dumps([event(type="qbo.bill.exploded.v1")]).encode(),
    json.dumps([event(type="bill.created")]).encode(),
    json.dumps([event(intuitaccountid="realm-1")]).encode(),
    json.dumps([event(id="")]).encode(),
    json.dumps([event(id="x" * 101)]).encode(),
    json.dumps([event()] * 1001).encode(),
    "[\ud800]".encode("utf-8", "surrogatepass"),
])
def test_what_is_no_delivery_of_intuit_s_is_refused(body):
    with pytest.raises(ValueError):
        parse(body)
