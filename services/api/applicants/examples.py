"""Examples of the request and response bodies, as the OpenAPI document shows them."""

IDENTITY_READ = {
    "name": "张三",
    "id_number": "11010519491231002X",
    "id_number_masked": "1101**********002X",
}

IDENTITY_WRITE = {"name": "张三", "id_number": "11010519491231002X"}
