"""Examples of the request and response bodies, as the OpenAPI document shows them."""

PAYMENT_ORDER_READ = {
    "id": "8d9e0f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "campaign_id": "2f6d8b3a-1e4c-4a5b-9c7d-8e0f1a2b3c4d",
    "amount_fen": 30000,
    "opens_at": "2023-09-01T00:00:00Z",
    "deadline_at": "2023-10-10T10:00:00Z",
    "status": "paid",
    "transaction_id": "4200001234202309011234567890",
    "paid_at": "2023-09-02T01:20:00Z",
    "expired_at": None,
    "code_url": "weixin://wxpay/bizpayurl?pr=AbCdEf1",
    "refunds": [],
}

PAY_CODE_READ = {
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "order_id": "8d9e0f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
    "amount_fen": 30000,
    "amount_yuan": "300.00",
    "deadline_at": "2023-10-10T10:00:00Z",
    "code_url": "weixin://wxpay/bizpayurl?pr=AbCdEf1",
    "code_issued_at": "2023-09-02T01:18:00Z",
    "qr_png": "data:image/png;base64,iVBORw0KGgo=",
}

PAYMENT_CALLBACK = {
    "order_id": "8d9e0f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
    "transaction_id": "4200001234202309011234567890",
    "amount_fen": 30000,
    "paid_at": "2023-09-02T09:20:00+08:00",
}

CALLBACK_ANSWER = {
    "order_id": "8d9e0f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
    "declaration_id": "7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c",
    "status": "paid",
    "transaction_id": "4200001234202309011234567890",
    "amount_fen": 30000,
    "paid_at": "2023-09-02T01:20:00Z",
}

EXPIRY_SWEEP = {"ran": True, "expired": ["7c1e5a9b-2d4f-4e6a-8b0c-3d5e7f9a1b2c"]}
