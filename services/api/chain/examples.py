"""Examples of the request and response bodies, as the OpenAPI document shows them."""

from services.api.deadlines.examples import DECLARATION_PLAN_READ
from services.api.declarations.examples import PROGRESS_READ as _PROGRESS

# The progress carries the declaration's plan (the /plan route's answer).
PROGRESS_READ = {
    **_PROGRESS,
    "plan": {**DECLARATION_PLAN_READ, "status": _PROGRESS["status"]},
    "plan_unavailable": None,
}

QUEUE_ITEM = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "name": "李明",
    "level": "intermediate",
    "specialty": "eng-mechanical",
    "status": "unit_review",
    "submission_count": 1,
    "reached_at": "2022-08-01T02:00:00Z",
    "risk": {
        "flagged_papers": 0,
        "new_flagged_papers": 0,
        "consistency_warnings": 0,
        "duplicate_claims": 0,
    },
    "papers": [
        {
            "index": 0,
            "title": "某型减速器齿轮的疲劳寿命分析",
            "journal": "机械传动",
            "issn_cn": "1004-2539",
            "flagged": False,
            "level": "none",
            "matched_by": None,
            "entry": None,
            "message": None,
            "basis": "submission",
            "basis_zh": "按提交时的期刊名录核对",
            "recorded_at": "2022-08-01T02:00:00Z",
            "submission": 1,
            "submitted_level": "none",
            "new_since_submission": False,
            "now": None,
        }
    ],
    "open_judgements": 0,
}

UNIT_REVIEW_WRITE = {
    "defence_on": None,
    "defence_at": None,
    "defence_place": None,
    "defence_note": None,
    "deliberation_on": "2022-08-03",
    "panel": ["王强", "刘洋", "陈静", "赵磊", "孙丽"],
    "deliberation_note": "审议通过。",
    "posting_start_on": "2022-08-04",
    "posting_end_on": "2022-08-10",
    "posting_objections": None,
    "recommendation": {
        "moral_character": "遵纪守法，作风正派。",
        "work_results": "主持完成减速器齿轮改进设计，年节约成本约40万元。",
        "professional_level": "熟练掌握机械设计与强度分析。",
        "competence": "能独立解决生产中的技术难题。",
        "work_attitude": "工作认真负责。",
        "agree": True,
        "recommended_on": "2022-08-12",
    },
}

UNIT_REVIEW_READ = {
    "defence_on": None,
    "defence_at": None,
    "defence_place": None,
    "defence_note": None,
    "deliberation_on": "2022-08-03",
    "panel": ["王强", "刘洋", "陈静", "赵磊", "孙丽"],
    "deliberation_note": "审议通过。",
    "posting_start_on": "2022-08-04",
    "posting_end_on": "2022-08-10",
    "posting_objections": None,
    "recommendation": {
        "moral_character": "遵纪守法，作风正派。",
        "work_results": "主持完成减速器齿轮改进设计，年节约成本约40万元。",
        "professional_level": "熟练掌握机械设计与强度分析。",
        "competence": "能独立解决生产中的技术难题。",
        "work_attitude": "工作认真负责。",
        "agree": True,
        "recommended_on": "2022-08-12",
    },
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "posting_working_days": 5,
    "agree": True,
    "recommended_on": "2022-08-12",
    "updated_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
}

RETURN_SWEEP = {"ran": True, "abandoned": ["7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c"]}

ORIGINAL_CHECK_WRITE = {"seen_original": True, "note": None}

ORIGINAL_CHECK_READ = {
    "document_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
    "kind": "education_proof",
    "checked": True,
    "seen_original": True,
    "note": None,
    "checked_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "checked_at": "2022-08-02T03:00:00Z",
}

UNIT_PLEDGE_READ = {
    "text": "本单位已履行推荐申报主体责任：对申报人的学历、资历、专业技术工作经历、业绩成果和论文著作等材料审核原件并核实真实性，按规定履行审核审议、公示、推荐程序，推荐材料真实、完整。如有不实，本单位及审核责任人愿按规定承担相应责任。",
    "text_version": "2023-1",
    "basis": "2023年度广西工艺美术系列职称评审工作通知 三（一）：“明确审核责任人，签署承诺书，落实审核责任”；长工信〔2022〕139号 十（二）：“申报人员及推荐单位对所提交材料的真实性负全责，实行‘双承诺’制”。",
    "signed": True,
    "signed_version": "2023-1",
    "signed_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "signed_at": "2022-08-12T02:00:00Z",
}

UNIT_PLEDGE_WRITE = {"text_version": "2023-1"}

OBJECTION_CREATE = {"received_on": "2022-08-05", "content": "反映该同志论文署名情况与实际不符。"}

OBJECTION_READ = {
    "id": "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f",
    "received_on": "2022-08-05",
    "content": "反映该同志论文署名情况与实际不符。",
    "recorded_at": "2022-08-05T03:00:00Z",
    "recorded_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "resolved": True,
    "resolution": "经核对期刊原件及作者说明，署名属实，异议不成立。",
    "resolved_at": "2022-08-08T06:00:00Z",
    "resolved_by": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
}

OBJECTION_RESOLVE = {"resolution": "经核对期刊原件及作者说明，署名属实，异议不成立。"}

EVALUATION_REPLAY = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "n": 1,
    "replayable": True,
    "request_matches": True,
    "evaluation_matches": True,
    "matches": True,
    "differences": [],
    "message": "按快照重新评估，结果与提交时一致。",
}
