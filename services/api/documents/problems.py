"""Problems of a declaration's documents (the files are the document service's)."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class DocumentNotFound(Problem):
    status = 404
    code = "document-not-found"
    title = "Document not found"
    text = "材料不存在或不属于该申报。"


class DocumentNotActive(Problem):
    status = 409
    code = "document-not-active"
    title = "Document not active"
    text = "要替换的材料已被替换或删除，本次替换未生效。请刷新材料列表后重试。"


class UploadInterrupted(Problem):
    status = 400
    code = "upload-interrupted"
    title = "upload interrupted"
    text = "上传中断，未保存任何内容，请重新上传。"


class DocumentItemInvalid(Problem):
    status = 422
    code = "document-item-invalid"
    title = "Document item invalid"
    text = (
        "材料对应的条目无效：item_section 与 item_index 须同时给出，且申报中须已填写该条目"
        "（如第1篇论文为 item_section=papers、item_index=0），再上传其证明材料。"
    )


class NotAtUnitStep(Problem):
    # A unit reviewer uploading to a declaration that is not at their unit's step.
    status = 409
    code = "not-at-unit-step"
    title = "Not at the unit's step"
    text = "该申报当前不在本单位审核环节，单位不能上传材料；申报人提交后、单位上报前方可上传。"


class UnitMaterialKindOnly(Problem):
    status = 422
    code = "unit-material-kind-only"
    title = "Only the unit's own materials"
    text = (
        "单位在审核环节只能上传单位出具的材料（答辩情况记录、审议推荐表、公示情况、"
        "单位推荐意见；申报系统操作注意事项 二），申报人的材料须退回由申报人补正。"
    )
