"""Problems of the draft declaration."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class DeclarationNotFound(Problem):
    # The same answer for a declaration that does not exist and for one the caller may
    # not see: nothing about it leaks.
    status = 404
    code = "declaration-not-found"
    title = "Not found"
    text = "申报不存在或您无权查看。"


class DeclarationNotEditable(Problem):
    status = 409
    code = "declaration-not-editable"
    title = "declaration not editable"
    text = "申报已提交审核，只有草稿或被退回补正的申报才能修改、上传或删除材料、获取共享数据。"
