"""Examples of the request and response bodies, as the OpenAPI document shows them."""

POLICY_SUMMARY_READ = {
    "id": "changzhi-engineering-2022",
    "title": "长治市工程系列（非建筑、建材、环保专业）中、初级职称申报资格（2022年度）",
    "series": "engineering",
    "regions": ["140400"],
    "in_force_from": "2022-01-01",
    "in_force_basis": "长工信〔2022〕139号 序言",
    "replaced_on": None,
    "levels": ["intermediate", "assistant"],
    "documents": ["长工信〔2022〕139号"],
}

POLICY_READ = {
    "id": "changzhi-engineering-2022",
    "title": "长治市工程系列（非建筑、建材、环保专业）中、初级职称申报资格（2022年度）",
    "series": "engineering",
    "regions": ["140400"],
    "in_force_from": "2022-01-01",
    "in_force_basis": "长工信〔2022〕139号 序言",
    "replaced_on": None,
    "notes": ["本通知只涵盖工程师、助理工程师、技术员（中、初级）；高级职称不在本包内。"],
    "documents": [
        {
            "id": "cz-gxj-2022-139",
            "number": "长工信〔2022〕139号",
            "short": None,
            "title": "关于开展2022年度工程系列（非建筑、建材、环保专业）中、初级专业技术职务任职资格评审工作的通知",
            "issuer": "长治市工业和信息化局、长治市人力资源和社会保障局",
            "date": None,
            "note": "发文日期不在种子文件中。",
        }
    ],
    "exclusions": [
        {
            "blocker": "retired",
            "kind": "retired",
            "allow_extended": False,
            "label": "退休人员不得申报",
            "clause": {
                "key": "cz-x-2",
                "ref": "长工信〔2022〕139号 二②",
                "document": "cz-gxj-2022-139",
                "point": "二②",
                "text": "下列人员不得申报：②退休人员。",
            },
        }
    ],
    "levels": [
        {
            "level": "intermediate",
            "name": "工程师",
            "fee_yuan": None,
            "paths": [
                {
                    "path": "normal",
                    "conditions": [
                        {
                            "kind": "number_at_least",
                            "id": "papers",
                            "fact": "papers",
                            "at_least": 2,
                            "unit": "篇（项）",
                            "clause": {
                                "key": "cz-int-papers",
                                "ref": "长工信〔2022〕139号 三（一）4",
                                "document": "cz-gxj-2022-139",
                                "point": "三（一）4",
                                "text": "任助理工程师期间，发表学术论文两篇以上或实用技术材料2项以上。",
                            },
                        }
                    ],
                    "rows": [
                        {
                            "label": "本科、专科",
                            "conditions": [
                                {
                                    "kind": "years_since_title",
                                    "level": "assistant",
                                    "years": 4,
                                    "clause": {
                                        "key": "cz-int-bachelor",
                                        "ref": "长工信〔2022〕139号 三（一）3·本科专科",
                                        "document": "cz-gxj-2022-139",
                                        "point": "三（一）3·本科专科",
                                        "text": "具备大学本科及专科学历，取得助理工程师职称后从事技术工作满4年（即2018年12月31日前聘任助理级）。",
                                    },
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    ],
    "materials": [
        {
            "id": "papers",
            "name": "学术论文或实用技术材料",
            "clause": {
                "key": "cz-int-papers",
                "ref": "长工信〔2022〕139号 三（一）4",
                "document": "cz-gxj-2022-139",
                "point": "三（一）4",
                "text": "任助理工程师期间，发表学术论文两篇以上或实用技术材料2项以上。",
            },
            "levels": ["intermediate"],
            "employer_types": [],
            "paths": [],
        }
    ],
    "committees": [],
    "deadlines": [],
    "clauses": [
        {
            "key": "cz-in-force",
            "ref": "长工信〔2022〕139号 序言",
            "document": "cz-gxj-2022-139",
            "point": "序言",
            "text": "现就做好2022年度全市工程系列（非建筑、建材、环保专业）中、初级专业技术职务任职资格评审工作安排如下",
        },
        {
            "key": "cz-int-papers",
            "ref": "长工信〔2022〕139号 三（一）4",
            "document": "cz-gxj-2022-139",
            "point": "三（一）4",
            "text": "任助理工程师期间，发表学术论文两篇以上或实用技术材料2项以上。",
        },
    ],
}
