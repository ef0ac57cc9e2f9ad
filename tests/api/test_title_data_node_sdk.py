"""Title data, internal title data, publisher data and GetTime through the official Node SDK over HTTPS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.support.node_sdk import run_node_calls
from tests.support.server import Server


def _node(srv: Server, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
    plan = [{"api": api, "method": method, "request": request} for api, method, request in calls]
    return run_node_calls(srv.url, srv.extra["ca"], plan)


def _error(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["ok"] is False, answer
    return {k: answer["error"].get(k) for k in ("code", "status", "error", "errorCode", "errorMessage", "errorDetails")}


def test_title_wide_data_and_time_through_the_node_sdk(tls_server):
    tag = uuid.uuid4().hex[:12]
    title, internal, publisher = f"title-{tag}", f"internal-{tag}", f"publisher-{tag}"
    answers = _node(
        tls_server,
        [
            ("PlayFabServer", "SetTitleData", {"Key": title, "Value": "1.03"}),
            ("PlayFabAdmin", "SetTitleInternalData", {"Key": internal, "Value": "secret"}),
            ("PlayFabAdmin", "SetPublisherData", {"Key": publisher, "Value": "shared"}),
            (
                "PlayFabClient",
                "LoginWithCustomID",
                {
                    "CustomId": f"node-td-{tag}",
                    "CreateAccount": True,
                    "InfoRequestParameters": {"GetTitleData": True, "TitleDataKeys": [title, internal]},
                },
            ),
            ("PlayFabClient", "GetTitleData", {"Keys": [title, internal]}),
            ("PlayFabClient", "GetPublisherData", {"Keys": [publisher]}),
            ("PlayFabServer", "GetTitleInternalData", {"Keys": [internal]}),
            ("PlayFabAdmin", "GetTitleData", {"Keys": [title], "OverrideLabel": "Holiday"}),
            ("PlayFabServer", "GetPublisherData", {"Keys": [publisher]}),
            ("PlayFabClient", "GetTime", {}),
            ("PlayFabServer", "GetTime", {}),
            ("PlayFabServer", "SetTitleData", {"Key": title}),
            ("PlayFabServer", "GetTitleData", {"Keys": [title]}),
            ("PlayFabAdmin", "SetTitleData", {"Key": title, "Value": "x" * 300_001}),
            ("PlayFabAdmin", "GetPublisherData", {}),
            ("PlayFabServer", "SetTitleInternalData", {"Key": "!bang", "Value": "v"}),
        ],
    )
    assert all(answer["ok"] for answer in answers[:13]), answers
    assert [answer["data"] for answer in answers[:3]] == [{}, {}, {}]
    assert answers[3]["data"]["InfoResultPayload"]["TitleData"] == {title: "1.03"}
    assert answers[4]["data"] == {"Data": {title: "1.03"}}
    assert answers[5]["data"] == {"Data": {publisher: "shared"}}
    assert answers[6]["data"] == {"Data": {internal: "secret"}}
    assert answers[7]["data"] == {"Data": {title: "1.03"}}
    assert answers[8]["data"] == {"Data": {publisher: "shared"}}
    for answer in answers[9:11]:
        assert set(answer["data"]) == {"Time"}
        stamp = datetime.strptime(answer["data"]["Time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert stamp.year >= 2024
    assert answers[11]["data"] == {} and answers[12]["data"] == {"Data": {}}
    too_long = _error(answers[13])
    assert too_long["code"] == 400 and too_long["status"] == "BadRequest"
    assert (too_long["error"], too_long["errorCode"]) == ("DataLengthExceeded", 1146)
    assert too_long["errorMessage"] == f"The value of {title!r} is 300001 bytes; the limit is 300000."
    assert _error(answers[14]) == {
        "code": 400,
        "status": "BadRequest",
        "error": "InvalidParams",
        "errorCode": 1000,
        "errorMessage": "Invalid input parameters",
        "errorDetails": {"Keys": ["The Keys field is required."]},
    }
    bang = _error(answers[15])
    assert (bang["code"], bang["error"], bang["errorCode"]) == (400, "InvalidParams", 1000)
    assert list(bang["errorDetails"]) == ["Key"]
