"""Problems of the document service that carry a name (the others are raised in place)."""

from __future__ import annotations

from services.kit.openapi import NOTE_MAX_CHARS
from services.kit.problem_kinds import Problem


class NoteTooLong(Problem):
    # Refused whole, never stored cut short; `limit` and `length` say by how much.
    status = 422
    code = "note-too-long"
    title = "Note too long"
    text = f"备注最多 {NOTE_MAX_CHARS} 个字，未予接收；请删减后重新上传。"
