"""QboError: one exception type, never a token in it."""
from chronicle_qbo_addon.services.errors import QboAuthError, QboError, normalize_code, scrub


def test_codes_have_one_spelling():
    assert normalize_code("003001") == "3001"
    assert normalize_code(6240) == "6240"
    assert normalize_code("invalid_grant") == "invalid_grant"
    assert normalize_code(None) == ""


def test_scrub_removes_tokens():
    text = ('Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln '
            '{"access_token": "AT-123", "refresh_token":"RT-9"} '
            'refresh_token=RT-9&grant_type=refresh_token "token": "AB11xyz" Basic c2FuZGJveDpzZWNyZXQ=')
    clean = scrub(text, secrets=("AT-123", "RT-9"))
    for secret in ("eyJhbGciOi", "AT-123", "RT-9", "AB11xyz", "c2FuZGJveDpzZWNyZXQ="):
        assert secret not in clean
    assert "grant_type=refresh_token" in clean


def test_scrub_keeps_fault_codes():
    assert scrub('{"code": "6240", "Message": "Duplicate Name Exists Error"}') == \
        '{"code": "6240", "Message": "Duplicate Name Exists Error"}'


def test_error_text():
    error = QboError("003001", "Throttled", "Bearer abcdefghijkl too many", intuit_tid="tid-1",
                     retryable=True, status=429)
    assert error.code == "3001"
    assert str(error) == "Throttled: Bearer *** too many (code 3001, intuit_tid tid-1)"
    assert "abcdefghijkl" not in repr(error)
    assert error.retryable and not error.needs_reauth
    assert QboAuthError("invalid_grant", "Reconnect").needs_reauth
    assert isinstance(QboAuthError("invalid_grant", "Reconnect"), QboError)


def test_scrub_removes_intuit_token_prefixes():
    text = "Token expired: eyJlbmMiOiJB... refresh AB111787309142x9Q2k0aZ"
    assert scrub(text) == "Token expired: *** refresh ***"


def test_params_carry_the_values_a_host_translates_without_tokens():
    error = QboError("job_linked_elsewhere", 'QuickBooks job "A-101" (Id 7) is linked to another job.',
                     params={"name": "A-101", "qbo_id": "7", "note": "Bearer abcdefghijkl"})
    assert error.params == {"name": "A-101", "qbo_id": "7", "note": "Bearer ***"}
    assert QboError("timeout", "late").params == {}
