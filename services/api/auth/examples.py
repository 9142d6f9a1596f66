"""Examples of the request and response bodies, as the OpenAPI document shows them."""

CODE_REQUEST = {"phone": "13800000001"}

CODE_SENT = {"expires_in": 300, "resend_after": 60}

SMS_LOGIN = {"phone": "13800000001", "code": "246810"}

STAFF_LOGIN = {"username": "luzhou.unit01", "password": "Zc#2022-luzhou"}

WECHAT_LOGIN = {"code": "0a3Bc1000Xyz9e2f0Gh4000kLmN3Bc1X"}

WECHAT_ANSWER = {
    "phone_check_required": True,
    "ticket": "wx-bind-7f3a9c1e5b2d4f6a8c0e",
    "tokens": None,
}

WECHAT_BINDING = {
    "ticket": "wx-bind-7f3a9c1e5b2d4f6a8c0e",
    "phone": "13800000001",
    "code": "246810",
}

REFRESH_REQUEST = {"refresh_token": "r1.Qm9vZ2xlLXRva2VuLW9ubHktb25jZQ"}

TOKEN_PAIR = {
    "access_token": "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMzgwMDAwMDAwMSJ9.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "r1.Qm9vZ2xlLXRva2VuLW9ubHktb25jZQ",
    "scope": None,
}

STAFF_CREATE = {
    "username": "luzhou.unit02",
    "password": "Zc#2022-unit02",
    "org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "role": "unit_reviewer",
    "phone": "13800001234",
}

STAFF_UPDATE = {"status": "disabled"}

STAFF_READ = {
    "id": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
    "username": "luzhou.unit02",
    "org_id": "0b8c1a52-4f3e-4d6a-9e21-6f0d5c3b7a10",
    "role": "unit_reviewer",
    "status": "active",
    "locked_until": None,
    "phone_masked": "138****1234",
}

STAFF_PHONE = {"phone": "13800001234", "code": "123456"}

FIRST_ACCOUNT = {"username": "luzhou.unit01", "password": "Zc#2022-luzhou"}

CLIENT_CREATE = {
    "name": "柳州市人社业务平台",
    "scopes": ["eligibility:evaluate", "declarations:read"],
    "jurisdiction": ["450200"],
    "public_keys": [],
    "rate_limit_per_minute": 600,
}

CLIENT_UPDATE = {"rate_limit_per_minute": 1200}

CLIENT_READ = {
    "client_id": "portal-3f9a1c2b7d4e6f80",
    "name": "柳州市人社业务平台",
    "scopes": ["eligibility:evaluate", "declarations:read"],
    "jurisdiction": ["450200"],
    "key_ids": [],
    "has_secret": True,
    "rate_limit_per_minute": 600,
    "status": "active",
}

CLIENT_CREDENTIALS = {
    "client_id": "portal-3f9a1c2b7d4e6f80",
    "name": "柳州市人社业务平台",
    "scopes": ["eligibility:evaluate", "declarations:read"],
    "jurisdiction": ["450200"],
    "key_ids": [],
    "has_secret": True,
    "rate_limit_per_minute": 600,
    "status": "active",
    "client_secret": "vQ7m2Zk9xR4tL1pW8cN3bH6yJ0sD5fG2aE7uK4iO9qM",
}

KEYS_UPDATE = {
    "public_keys": [
        {
            "kid": "2026-01",
            "pem": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8b3Yq0m4a1yYh7bK3q3fJ8n0pX2d\nq6Qe9o2s5W8vQz1cF7kT3rL0pN6mB2xA4uH8jD9yV1wE5gS7tR3iU0oK2A==\n-----END PUBLIC KEY-----\n",
        }
    ]
}
