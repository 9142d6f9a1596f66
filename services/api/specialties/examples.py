"""Examples of the request and response bodies, as the OpenAPI document shows them."""

SERIES_CATALOGUE_READ = {
    "series": "engineering",
    "series_name": "工程系列",
    "specialties": [
        {
            "code": "eng-mechanical",
            "name": "机械工程",
            "source": {
                "seed": "000",
                "point": "三（三）申报副高级职称审核流程举例1、3",
                "text": "东风柳汽人员申报机械工程专业副高级职称",
            },
        }
    ],
}
