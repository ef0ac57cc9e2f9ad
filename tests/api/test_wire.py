"""The wire contract: envelopes, content types, encodings, size caps, unknown paths, error-as-success."""

from __future__ import annotations

import gzip
import json
import uuid

import httpx
import pytest

from tests.support.server import SECRET_KEY, TITLE_ID

LOGIN = "/Client/LoginWithCustomID"


def _login_body() -> dict:
    return {"TitleId": TITLE_ID, "CustomId": f"wire-{uuid.uuid4()}", "CreateAccount": True}


def _assert_error(resp: httpx.Response, status: int, name: str, code: int) -> dict:
    body = resp.json()
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/json")
    assert body["code"] == status and body["error"] == name and body["errorCode"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["errorMessage"], str) and body["errorMessage"]
    assert "Traceback" not in resp.text
    return body


def test_success_envelope_is_exact(server):
    resp = server.post(LOGIN + "?sdk=PythonSdk-0.0.201014", _login_body())
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"code", "status", "data"}
    assert body["code"] == 200 and body["status"] == "OK" and isinstance(body["data"], dict)


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"TitleId": ', b"not json", b'{"a": NaN}', b"\xff\xfe{}", b'{"a": 1}}'],
    ids=["open-brace", "truncated", "text", "nan", "bad-utf8", "trailing"],
)
def test_malformed_json_is_invalid_content_type(server, raw):
    _assert_error(server.post(LOGIN, raw=raw), 400, "InvalidContentType", 1144)


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"42", b"true"], ids=["array", "string", "number", "bool"])
def test_non_object_body_is_invalid_content_type(server, raw):
    body = _assert_error(server.post(LOGIN, raw=raw), 400, "InvalidContentType", 1144)
    assert "object" in body["errorMessage"]


def test_deep_nesting_is_refused_not_crashed(server):
    raw = b'{"a":' + b"[" * 30_000 + b"]" * 30_000 + b"}"  # under the 64 KB cap on anonymous bodies
    _assert_error(server.post(LOGIN, raw=raw), 400, "InvalidContentType", 1144)


def test_lone_surrogate_is_refused(server):
    raw = json.dumps({**_login_body(), "CustomId": "bad\ud800id"}).encode()
    _assert_error(server.post(LOGIN, raw=raw), 400, "InvalidContentType", 1144)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_json_in_other_unicode_encodings_is_refused(server, encoding):
    raw = json.dumps(_login_body()).encode(encoding)
    _assert_error(server.post(LOGIN, raw=raw), 400, "InvalidContentType", 1144)


def test_lone_surrogate_in_utf16_cannot_sneak_into_stored_data(server):
    ticket = server.post(LOGIN, _login_body()).json()["data"]["SessionTicket"]
    raw = '{"Data":{"k":"\\ud800x"}}'.encode("utf-16-le")
    resp = server.post("/Client/UpdateUserData", raw=raw, headers={"X-Authorization": ticket})
    _assert_error(resp, 400, "InvalidContentType", 1144)


def test_paired_surrogate_escapes_are_fine(server):
    raw = json.dumps({**_login_body(), "CustomId": f"emoji-\U0001f600-{uuid.uuid4()}"}).encode()
    assert b"\\ud83d" in raw
    assert server.post(LOGIN, raw=raw).json()["code"] == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/jsonp", None])
def test_other_content_types_are_refused(server, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    resp = httpx.post(server.url + LOGIN, content=json.dumps(_login_body()), headers=headers)
    _assert_error(resp, 400, "InvalidContentType", 1144)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"]
)
def test_json_content_type_with_parameters_is_accepted(server, content_type):
    resp = server.post(LOGIN, _login_body(), {"Content-Type": content_type})
    assert resp.status_code == 200 and resp.json()["code"] == 200


def test_gzip_body_is_accepted(server):
    raw = gzip.compress(json.dumps(_login_body()).encode())
    resp = server.post(LOGIN, raw=raw, headers={"Content-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.json()["data"]["NewlyCreated"] is True


@pytest.mark.parametrize(
    "raw",
    [b"\x1f\x8b not gzip at all", gzip.compress(b'{"TitleId":"x"}')[:-6], b"plain"],
    ids=["corrupt", "truncated", "not-gzip"],
)
def test_broken_gzip_is_an_error(server, raw):
    _assert_error(server.post(LOGIN, raw=raw, headers={"Content-Encoding": "gzip"}), 400, "InvalidContentType", 1144)


def test_unsupported_content_encoding_is_an_error(server):
    _assert_error(server.post(LOGIN, raw=b"{}", headers={"Content-Encoding": "br"}), 400, "InvalidContentType", 1144)


def test_oversized_body_is_body_too_large(server):
    raw = json.dumps({**_login_body(), "Pad": "x" * (5 * 1024 * 1024)}).encode()
    body = _assert_error(server.post(LOGIN, raw=raw), 413, "BodyTooLarge", 1068)
    assert body["status"] == "RequestEntityTooLarge"


def test_gzip_bomb_is_body_too_large(server):
    raw = gzip.compress(b'{"Pad":"' + b"0" * (64 * 1024 * 1024) + b'"}', compresslevel=9)
    assert len(raw) < 200_000
    _assert_error(server.post(LOGIN, raw=raw, headers={"Content-Encoding": "gzip"}), 413, "BodyTooLarge", 1068)
    assert server.post(LOGIN, _login_body()).status_code == 200  # still serving


@pytest.mark.parametrize("path", ["/Client/NoSuchCall", "/", "/Client", "/client/loginwithcustomid/extra"])
def test_unknown_paths_get_a_playfab_error(server, path):
    _assert_error(server.post(path, {}), 404, "InvalidAPIEndpoint", 1131)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_non_post_methods_get_a_playfab_error(server, method):
    resp = httpx.request(method, server.url + LOGIN)
    _assert_error(resp, 404, "InvalidAPIEndpoint", 1131)


def test_report_error_as_success_sends_http_200_with_the_error_envelope(server):
    resp = server.post(LOGIN, {"CustomId": "x"}, {"X-ReportErrorAsSuccess": "true"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["code"] == 400 and body["error"] == "InvalidParams" and body["errorCode"] == 1000
    assert body["errorDetails"] == {"TitleId": ["The TitleId field is required."]}


def test_report_error_as_success_false_keeps_the_http_status(server):
    resp = server.post(LOGIN, {"CustomId": "x"}, {"X-ReportErrorAsSuccess": "false"})
    assert resp.status_code == 400


def test_report_error_as_success_applies_to_body_too_large_and_unknown_paths(server):
    big = server.post(LOGIN, raw=b"{" + b" " * (5 * 1024 * 1024) + b"}", headers={"X-ReportErrorAsSuccess": "true"})
    assert big.status_code == 200 and big.json()["errorCode"] == 1068
    missing = server.post("/Client/Nope", {}, {"X-ReportErrorAsSuccess": "true"})
    assert missing.status_code == 200 and missing.json()["errorCode"] == 1131


def test_empty_and_null_bodies_are_an_empty_request(server):
    for raw in (b"", b"null"):
        resp = server.post("/Authentication/GetEntityToken", raw=raw, headers={"X-SecretKey": SECRET_KEY})
        assert resp.json()["data"]["Entity"]["Type"] == "title"


def test_unknown_fields_are_ignored(server):
    resp = server.post(LOGIN, {**_login_body(), "InfoRequestParameters": None, "SomethingNew": [1, 2]})
    assert resp.json()["code"] == 200


def test_every_request_is_logged_without_secrets(server):
    marker = f"wire-{uuid.uuid4()}"
    server.post(LOGIN, {"TitleId": TITLE_ID, "CustomId": marker, "CreateAccount": True})
    server.post("/Authentication/GetEntityToken", {}, {"X-SecretKey": SECRET_KEY})
    log = server.log()
    assert marker not in log and SECRET_KEY not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{") and '"request"' in line]
    assert any(line["path"] == LOGIN and line["outcome"] == "OK" and "ms" in line for line in lines)
