"""The accounting-log operations the services report are listed once, with their labels."""
import ast
from pathlib import Path

import pytest

from chronicle_qbo_addon.services.events import EVENT_OPERATIONS, make_event

QBO_LOG = Path(__file__).resolve().parents[1] / "chronicle_qbo_addon" / "models" / "qbo_log.py"


def test_event_operations_are_unique_and_labelled():
    codes = [code for code, _label in EVENT_OPERATIONS]
    assert len(codes) == len(set(codes)) and all(label for _code, label in EVENT_OPERATIONS)
    assert {"push", "create_customer", "update_job", "link_customer"} <= set(codes)


def test_the_host_log_offers_every_event_operation():
    source = QBO_LOG.read_text()
    literal = next((node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Assign)
                    and any(getattr(target, "id", None) == "OPERATIONS" for target in node.targets)
                    and isinstance(node.value, ast.List)), None)
    if literal is None:
        assert "EVENT_OPERATIONS" in source, "qbo.log builds its operations from services.events"
    else:
        assert set(EVENT_OPERATIONS) <= set(ast.literal_eval(literal)), "same codes, same labels"


def test_events_name_only_listed_operations():
    event = make_event("link_job", "info", "Job found.", "Customer", "12", None, "tid")
    assert event == {"operation": "link_job", "level": "info", "message": "Job found.",
                     "qbo_entity": "Customer", "qbo_id": "12", "request_id": None, "intuit_tid": "tid"}
    with pytest.raises(ValueError):
        make_event("delete_job", "info", "?")
    with pytest.raises(ValueError):
        make_event("push", "debug", "?")
