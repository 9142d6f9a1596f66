"""Named problem kinds: one type, status and text each, documented on the routes."""

from __future__ import annotations

import pytest

from services.kit.problem_kinds import Problem, documented
from services.kit.problems import PROBLEM_MEDIA_TYPE


class _Gone(Problem):
    status = 410
    code = "test-gone"
    title = "Gone"
    text = "已不存在。"


class _Late(Problem):
    status = 410
    code = "test-late"
    title = "Late"
    text = "已过期。"


def test_a_kind_renders_its_type_status_and_one_text() -> None:
    body = _Gone(status_now="x").body("/v1/x")
    assert body == {
        "type": "urn:zhicheng:problem:test-gone",
        "title": "Gone",
        "status": 410,
        "detail": "已不存在。",
        "instance": "/v1/x",
        "status_now": "x",
    }
    assert _Gone("该申报已不存在。").detail == "该申报已不存在。"
    assert Problem.kinds["test-gone"] is _Gone


def test_documented_lists_every_type_under_its_status() -> None:
    responses = documented(_Late, _Gone)
    assert list(responses) == [410]
    # Each type is an example of the shared Problem schema under problem+json.
    examples = responses[410]["content"][PROBLEM_MEDIA_TYPE]["examples"]
    assert list(examples) == ["test-gone", "test-late"]
    assert examples["test-late"]["value"] == {
        "type": "urn:zhicheng:problem:test-late",
        "title": "Late",
        "status": 410,
        "detail": "已过期。",
    }
    assert responses[410]["description"].splitlines() == [
        "`urn:zhicheng:problem:test-gone`: 已不存在。",
        "`urn:zhicheng:problem:test-late`: 已过期。",
    ]


def test_one_code_cannot_name_two_kinds() -> None:
    with pytest.raises(TypeError):

        class _Again(Problem):
            status = 404
            code = "test-gone"
            title = "Again"
            text = "重复。"
