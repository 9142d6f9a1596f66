"""Aliyun-shaped SMS adapter (dysmsapi 2017-05-25, RPC style).

Signing as documented for RPC APIs, signature version 1.0: sort the parameters,
percent-encode names and values (RFC 3986: space %20, `*` %2A, `~` kept), join as a
query, StringToSign = METHOD & %2F & encode(query), Signature =
Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)). Sent as a POST form body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import httpx

from services.notify.config import NotifySettings
from services.notify.sms.providers.base import (
    Failover,
    Permanent,
    QueryResult,
    RetryLater,
    Sent,
    SmsRequest,
    Unknown,
    http_call,
    national_number,
)

VERSION = "2017-05-25"
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CHINA = timezone(timedelta(hours=8))

PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
}
# Per-number frequency control (1/min, 5/h, 10/day by default at Aliyun), quotas.
RETRY_LATER = {
    "isv.BUSINESS_LIMIT_CONTROL": 600.0,
    "isv.DAY_LIMIT_CONTROL": 3600.0,
    "isv.AMOUNT_NOT_ENOUGH": 3600.0,
    "isv.OUT_OF_SERVICE": 3600.0,
}
# Documented refusals before sending: the request's signature, key, timestamp or nonce,
# the account's permissions or subscription, the API's own flow control. This account
# sent nothing; another provider may.
FAILOVER = {
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "SignatureNonceUsed",
    "InvalidTimeStamp.Expired",
    "InvalidTimeStamp.Format",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "InvalidVersion",
    "InvalidAction.NotFound",
    "MissingParameter",
    "Forbidden.RAM",
    "Forbidden.AccessKeyDisabled",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "isp.RAM_PERMISSION_DENY",
    "isv.PRODUCT_UN_SUBSCRIPT",
    "isv.PRODUCT_UNSUBSCRIBE",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.DENY_IP_RANGE",
    "SIGNATURE_BLACKLIST",
}


def percent_encode(value: str) -> str:
    return quote(value, safe="~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def sign_query(query: str, secret: str, method: str = "POST") -> str:
    """The signature of an already canonicalised query."""
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def sign(params: dict[str, str], secret: str, method: str = "POST") -> str:
    return sign_query(canonical_query(params), secret, method)


def classify(code: str, message: str) -> Exception:
    if code in PERMANENT:
        return Permanent(code, message)
    if code in RETRY_LATER:
        return RetryLater(code, message, after=RETRY_LATER[code])
    if code in FAILOVER:
        return Failover(code, message)
    # isp.SYSTEM_ERROR (the provider's own fault) and anything undocumented: no proof
    # that it was not taken, so only the query may tell.
    return Unknown(code or "no_code", message)


class AliyunProvider:
    name = "aliyun"

    def __init__(self, settings: NotifySettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http
        self.url = settings.aliyun_sms_base_url.rstrip("/") + "/"

    def _body(self, action: str, params: dict[str, str]) -> bytes:
        """The signed form body: canonical query + Signature (encoded once)."""
        full = {
            "AccessKeyId": self.settings.aliyun_sms_access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            **params,
        }
        query = canonical_query(full)
        signature = sign_query(query, self.settings.aliyun_sms_access_key_secret)
        return f"Signature={percent_encode(signature)}&{query}".encode()

    async def _call(self, action: str, params: dict[str, str]) -> dict:
        # POST with a form body (the API takes either): the signed query goes as bytes,
        # not through URL parsing, which costs more than the rest of the call.
        response = await http_call(
            self.http,
            "POST",
            self.url,
            timeout=self.settings.notify_provider_timeout,
            content=self._body(action, params),
            headers=_FORM,
        )
        try:
            body = response.json()
            code = str(body.get("Code", ""))
        except (ValueError, AttributeError) as exc:
            raise Unknown(f"http_{response.status_code}", "not an RPC answer") from exc
        if code != "OK":
            raise classify(code, str(body.get("Message", "")))
        return body

    async def send(self, request: SmsRequest) -> Sent:
        templates = self.settings.aliyun_sms_templates
        body = await self._call(
            "SendSms",
            {
                "PhoneNumbers": national_number(request.phone),
                "SignName": request.sign_name,
                "TemplateCode": templates.get(request.template_code, request.template_code),
                "TemplateParam": json.dumps(request.params, ensure_ascii=False),
                "OutId": request.out_id,
            },
        )
        if not body.get("BizId"):
            raise Unknown("no_biz_id", "OK without a BizId")
        return Sent(message_id=str(body["BizId"]))

    async def query(self, *, phone: str, out_id: str, sent_on: datetime) -> QueryResult:
        local = sent_on.astimezone(CHINA).date()
        # A send just before midnight may be filed under the next day.
        for day in (local, local + timedelta(days=1)):
            body = await self._call(
                "QuerySendDetails",
                {
                    "PhoneNumber": national_number(phone),
                    "SendDate": day.strftime("%Y%m%d"),
                    "PageSize": "50",
                    "CurrentPage": "1",
                },
            )
            details = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
            for item in details:
                if item.get("OutId") != out_id:
                    continue
                status = int(item.get("SendStatus", 1))
                state = {3: "delivered", 2: "failed"}.get(status, "accepted")
                return QueryResult(
                    state=state, message_id=item.get("BizId"), error=item.get("ErrCode")
                )
        return QueryResult(state="not_found")
