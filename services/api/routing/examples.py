"""Examples of the request and response bodies, as the OpenAPI document shows them."""

ROUTE_READ = {
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "unit_org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "policy": {
        "id": "changzhi-engineering-2022",
        "title": "长治市工程系列（非建筑、建材、环保专业）中、初级职称申报资格（2022年度）",
    },
    "committee": {
        "code": "cz-eng-intermediate-initial",
        "name": "长治市工程系列（非建筑、建材、环保专业）中、初级专业技术职务评审委员会",
        "office": None,
        "clause": {
            "ref": "长工信〔2022〕139号 四（三）",
            "text": "各县、区申报中级的，经市级人社部门备案后报送中级评委会。市直单位申报中级的，经市级人社部门审核后报中级评委会；市直单位申报初级的，由主管单位人事部门审核后报初级评委会。",
        },
    },
    "steps": [
        {
            "position": 1,
            "org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
            "org_name": "潞州区机械厂",
            "kind": "unit",
            "kind_name": "用人单位",
            "action": "审核推荐",
            "why": "申报人所在的用人单位先审核推荐。",
            "clause": None,
        },
        {
            "position": 2,
            "org_id": "5d2e9c41-7a3b-4c8e-8f10-2b6a9d4e1c37",
            "org_name": "潞州区工信局",
            "kind": "county_office",
            "kind_name": "县区职改办",
            "action": "备案",
            "why": "各县、区申报中级的，经市级人社部门备案后报送中级评委会。",
            "clause": {
                "ref": "长工信〔2022〕139号 四（三）",
                "text": "各县、区申报中级的，经市级人社部门备案后报送中级评委会。市直单位申报中级的，经市级人社部门审核后报中级评委会；市直单位申报初级的，由主管单位人事部门审核后报初级评委会。",
            },
        },
    ],
    "materials": [],
    "explanation": "潞州区单位申报中级，经市级备案后报送长治市工程系列中、初级评委会（长工信〔2022〕139号 四（三））。",
}
