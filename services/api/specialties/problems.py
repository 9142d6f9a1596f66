"""Problems of the specialty catalogue."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class SpecialtyUnknown(Problem):
    # 柳州2022工程系列申报培训 二（一）: “申报人应根据自己所从事的专业技术工作按照职称评审专业目录
    # 正确选择拟评专业。”
    status = 422
    code = "specialty-unknown"
    title = "Specialty not in the catalogue"
    text = "拟评专业不在该系列的职称评审专业目录中，请按目录（GET /v1/specialties）选择专业代码。"
