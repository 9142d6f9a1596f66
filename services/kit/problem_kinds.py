"""Named kinds of problem: each with its stable `type`, its status and one Chinese text.

A domain declares its kinds in one module (`problems.py` beside its service):

    class DeclarationNotEditable(Problem):
        status = 409
        code = "declaration-not-editable"
        title = "Declaration not editable"
        text = "申报已提交审核……"

raises them where the situation arises (`raise DeclarationNotEditable(status_now=…)`),
and lists them on each route that can answer them (`responses=documented(...)`), so
the OpenAPI shows them. `scripts/problems.py` turns every kind, and every problem raised
by code and status alone, into the table in docs/problems.md.
"""

from __future__ import annotations

from typing import Any, ClassVar

from services.kit.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX, ProblemError


class Problem(ProblemError):
    status: ClassVar[int]
    code: ClassVar[str]
    title: ClassVar[str]
    text: ClassVar[str]
    # Every named kind, by code: what the table of problem types is made from.
    kinds: ClassVar[dict[str, type[Problem]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            known = Problem.kinds.get(cls.code)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise TypeError(f"problem code {cls.code} named twice: {known}, {cls}")
            Problem.kinds[cls.code] = cls

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        # `detail` only where the one text needs the case's particulars (a name, a date).
        super().__init__(
            self.status,
            self.code,
            detail or self.text,
            title=self.title,
            headers=headers,
            **extra,
        )


def _text(kind: type[Problem] | ProblemError) -> str:
    return kind.text if isinstance(kind, type) else kind.detail


def _example(kind: type[Problem] | ProblemError) -> dict[str, Any]:
    body = {
        "type": TYPE_PREFIX + kind.code,
        "title": kind.title,
        "status": kind.status,
        "detail": _text(kind),
    }
    return {"summary": _text(kind), "value": body}


# The description FastAPI gives the 422 of a route with parameters or a body.
VALIDATION_ERROR = "Validation Error"


def documented(
    *kinds: type[Problem] | ProblemError, keep: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with the problem types it may carry (a named
    kind, or a problem as a helper of the code raises it: `storage.unavailable()`).

    `keep` holds the descriptions a route gave a status before its problems were named
    (published, so they stay word for word); those statuses show their types only as
    problem+json examples, the others in the description as well.
    """
    keep = keep or {}
    by_status: dict[int, list[type[Problem] | ProblemError]] = {status: [] for status in keep}
    for kind in kinds:
        by_status.setdefault(kind.status, []).append(kind)
    answer: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        group = sorted(group, key=lambda k: k.code)
        # Each type as an example of the shared `Problem` schema, which create_app's
        # contract sets on every error answer (services/kit/openapi.py); the status
        # may carry other types too (a validation error, a problem common to every route).
        content = {PROBLEM_MEDIA_TYPE: {"examples": {k.code: _example(k) for k in group}}}
        if status in keep:
            description = keep[status]
        else:
            description = "\n".join(f"`{TYPE_PREFIX}{k.code}`: {_text(k)}" for k in group)
        answer[status] = {"description": description, "content": content}
    return answer


def validated(*kinds: type[Problem] | ProblemError) -> dict[int | str, dict[str, Any]]:
    """`documented(*kinds)` for a route with a body: its 422 keeps FastAPI's description
    ("Validation Error"); the contract adds the validation problem's example."""
    return documented(*kinds, keep={422: VALIDATION_ERROR})


def merged(*parts: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """`responses=` made of several: a status two of them give keeps every problem type
    (examples) and header of both (`{**a, **b}` would keep only b's)."""
    out: dict[int | str, dict[str, Any]] = {}
    by_text: dict[str, int | str] = {}
    for part in parts:
        for status, answer in part.items():
            key = by_text.setdefault(str(status), status)
            if key not in out:
                out[key] = _copy(answer)
                continue
            have = out[key]
            if "urn:zhicheng:problem:" in answer.get("description", ""):
                lines = [
                    line
                    for line in answer["description"].split("\n")
                    if line not in have.get("description", "")
                ]
                if "urn:zhicheng:problem:" in have.get("description", "") and lines:
                    have["description"] += "\n" + "\n".join(lines)
            have.setdefault("headers", {}).update(answer.get("headers", {}))
            if not have["headers"]:
                del have["headers"]
            for media, content in answer.get("content", {}).items():
                mine = have.setdefault("content", {}).setdefault(media, {})
                for name, value in content.items():
                    if name == "examples":
                        mine["examples"] = {**mine.get("examples", {}), **value}
                    else:
                        mine.setdefault(name, value)
    return out


def _copy(answer: dict[str, Any]) -> dict[str, Any]:
    import copy

    return copy.deepcopy(answer)
