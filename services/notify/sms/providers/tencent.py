"""Tencent-Cloud-shaped SMS adapter (sms 2021-01-11, API v3).

Signing as documented for API 3.0, TC3-HMAC-SHA256: CanonicalRequest = method, URI
"/", empty query, the signed headers (content-type, host, x-tc-action) lower-cased and
the hex SHA-256 of the body; StringToSign = algorithm, timestamp,
"<UTC date>/sms/tc3_request", hex SHA-256 of the canonical request; the key is derived
as HMAC chain "TC3"+SecretKey → date → service → "tc3_request".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

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
)

SERVICE = "sms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host;x-tc-action"

PERMANENT_PREFIXES = (
    "InvalidParameterValue.",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.MissingTemplateToModify",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "UnsupportedOperation.",
)
RETRY_LATER = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 60.0,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600.0,
    "LimitExceeded.PhoneNumberDailyLimit": 86400.0,
    "LimitExceeded.PhoneNumberSameContentDailyLimit": 86400.0,
    "LimitExceeded.DeliveryFrequencyLimit": 600.0,
    "FailedOperation.InsufficientBalanceInSmsPackage": 3600.0,
}
# Documented refusals before sending: authentication and signature, permissions, the
# API's own rate limits, a request it could not read. This account sent nothing;
# another provider may.
FAILOVER_PREFIXES = (
    "AuthFailure.",
    "UnauthorizedOperation.",
    "MissingParameter.",
    "InvalidParameter.",
    "LimitExceeded.",
)
FAILOVER = {
    "RequestLimitExceeded",
    "InternalError.RequestTimeException",
    "InternalError.SigFieldMissing",
    "InternalError.SigVerificationFail",
    "InternalError.RestApiInterfaceNotExist",
    "FailedOperation.JsonParseFail",
    "FailedOperation.FailResolvePacket",
}


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def canonical_request(*, host: str, action: str, payload: str, sign_action: bool = True) -> str:
    headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\n"
    signed = "content-type;host"
    if sign_action:
        headers += f"x-tc-action:{action.lower()}\n"
        signed = SIGNED_HEADERS
    return "\n".join(
        ["POST", "/", "", headers, signed, hashlib.sha256(payload.encode()).hexdigest()]
    )


def signature(
    *,
    secret_key: str,
    host: str,
    action: str,
    payload: str,
    timestamp: int,
    service: str = SERVICE,
    sign_action: bool = True,
) -> tuple[str, str]:
    """(credential scope, hex signature) for one request.

    `sign_action=False` signs only content-type and host (the documentation's example)."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = canonical_request(
        host=host, action=action, payload=payload, sign_action=sign_action
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return scope, hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def classify(code: str, message: str) -> Exception:
    if code in RETRY_LATER:
        return RetryLater(code, message, after=RETRY_LATER[code])
    if code.startswith(PERMANENT_PREFIXES):
        return Permanent(code, message)
    if code in FAILOVER or code.startswith(FAILOVER_PREFIXES):
        return Failover(code, message)
    # InternalError.Timeout, .SendAndRecvFail, .UnknownError (the provider's own fault)
    # and anything undocumented: no proof that it was not taken, so only the query may
    # tell.
    return Unknown(code or "no_code", message)


class TencentProvider:
    name = "tencent"

    def __init__(self, settings: NotifySettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http
        self.url = settings.tencent_sms_base_url.rstrip("/") + "/"
        self.host = urlsplit(self.url).netloc

    async def _call(self, action: str, body: dict) -> dict:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        timestamp = int(time.time())
        scope, sig = signature(
            secret_key=self.settings.tencent_sms_secret_key,
            host=self.host,
            action=action,
            payload=payload,
            timestamp=timestamp,
        )
        headers = {
            "Authorization": f"{ALGORITHM} Credential={self.settings.tencent_sms_secret_id}/"
            f"{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={sig}",
            "Content-Type": CONTENT_TYPE,
            "Host": self.host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": self.settings.tencent_sms_region,
        }
        response = await http_call(
            self.http,
            "POST",
            self.url,
            timeout=self.settings.notify_provider_timeout,
            content=payload.encode(),
            headers=headers,
        )
        try:
            answer = response.json()["Response"]
            error = answer.get("Error")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Unknown(f"http_{response.status_code}", "not a v3 response") from exc
        if error:
            raise classify(str(error.get("Code", "")), str(error.get("Message", "")))
        return answer

    async def send(self, request: SmsRequest) -> Sent:
        templates = self.settings.tencent_sms_templates
        answer = await self._call(
            "SendSms",
            {
                "PhoneNumberSet": [request.phone],
                "SmsSdkAppId": self.settings.tencent_sms_sdk_app_id,
                "SignName": request.sign_name,
                "TemplateId": templates.get(request.template_code, request.template_code),
                "TemplateParamSet": list(request.params.values()),
                "SessionContext": request.out_id,
            },
        )
        status = (answer.get("SendStatusSet") or [{}])[0]
        code = str(status.get("Code", ""))
        if code != "Ok":
            raise classify(code, str(status.get("Message", "")))
        if not status.get("SerialNo"):
            raise Unknown("no_serial_no", "Ok without a SerialNo")
        return Sent(message_id=str(status["SerialNo"]))

    async def query(self, *, phone: str, out_id: str, sent_on: datetime) -> QueryResult:
        begin = int((sent_on - timedelta(minutes=5)).timestamp())
        answer = await self._call(
            "PullSmsSendStatusByPhoneNumber",
            {
                "BeginTime": begin,
                "EndTime": int(time.time()),
                "Offset": 0,
                "Limit": 100,
                "PhoneNumber": phone,
                "SmsSdkAppId": self.settings.tencent_sms_sdk_app_id,
            },
        )
        for item in answer.get("PullSmsSendStatusSet") or []:
            if item.get("SessionContext") != out_id:
                continue
            ok = item.get("ReportStatus") == "SUCCESS"
            return QueryResult(
                state="delivered" if ok else "failed",
                message_id=item.get("SerialNo"),
                error=None if ok else item.get("Description"),
            )
        return QueryResult(state="not_found")
