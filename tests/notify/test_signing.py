"""Request signing, checked against the fake gateway's own implementation of each scheme
(tests/notify/fakesms.py) and against properties of the documented algorithms."""

from __future__ import annotations

import base64
import hashlib

from services.notify.sms.providers import aliyun, tencent
from tests.notify import fakesms


def test_aliyun_percent_encoding_is_rfc3986() -> None:
    assert aliyun.percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"
    assert aliyun.canonical_query({"b": "2", "A": "1", "a": "x y"}) == "A=1&a=x%20y&b=2"


def test_aliyun_signature_matches_the_gateway() -> None:
    params = {
        "AccessKeyId": "id",
        "Action": "SendSms",
        "SignName": "职称申报",
        "TemplateParam": '{"name":"张三"}',
        "Timestamp": "2023-09-01T00:00:00Z",
    }
    ours = aliyun.sign(params, "secret")
    assert ours == fakesms._aliyun_signature(params, "secret")
    assert len(base64.b64decode(ours)) == 20  # HMAC-SHA1
    assert aliyun.sign({**params, "SignName": "别的"}, "secret") != ours
    assert aliyun.sign(params, "other") != ours


def test_aliyun_documented_example() -> None:
    # The worked example of the SMS API's signature documentation (GET, secret testSecret).
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }  # fmt: skip
    assert aliyun.sign(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tencent_documented_canonical_request() -> None:
    # The worked example of the API 3.0 signature documentation (cvm DescribeInstances).
    payload = (
        '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    canonical = tencent.canonical_request(
        host="cvm.tencentcloudapi.com", action="DescribeInstances", payload=payload,
        sign_action=False,
    )  # fmt: skip
    assert canonical.endswith("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert digest == "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"


def test_tencent_scope_and_signature_shape() -> None:
    scope, sig = tencent.signature(
        secret_key="k", host="sms.tencentcloudapi.com", action="SendSms",
        payload="{}", timestamp=1693526400,
    )  # fmt: skip
    assert scope == "2023-09-01/sms/tc3_request"
    assert len(sig) == 64 and int(sig, 16) >= 0
    _, other = tencent.signature(
        secret_key="k", host="sms.tencentcloudapi.com", action="SendSms",
        payload='{"a":1}', timestamp=1693526400,
    )  # fmt: skip
    assert other != sig


def test_error_codes_map_to_the_four_classes() -> None:
    from services.notify.sms.providers.base import Failover, Permanent, RetryLater, Unknown

    assert isinstance(aliyun.classify("isv.MOBILE_NUMBER_ILLEGAL", ""), Permanent)
    assert isinstance(aliyun.classify("isv.BLACK_KEY_CONTROL_LIMIT", ""), Permanent)
    assert isinstance(aliyun.classify("isv.TEMPLATE_MISSING_PARAMETERS", ""), Permanent)
    assert isinstance(aliyun.classify("isv.BUSINESS_LIMIT_CONTROL", ""), RetryLater)
    # Documented "not sent" (signature, key, API throttling): another provider may.
    assert isinstance(aliyun.classify("SignatureDoesNotMatch", ""), Failover)
    assert isinstance(aliyun.classify("Throttling.User", ""), Failover)
    # The provider's own fault, or a code we do not know: it may have taken it.
    assert isinstance(aliyun.classify("isp.SYSTEM_ERROR", ""), Unknown)
    assert isinstance(aliyun.classify("isv.SOMETHING_NEW", ""), Unknown)
    assert isinstance(tencent.classify("InvalidParameterValue.IncorrectPhoneNumber", ""), Permanent)
    assert isinstance(tencent.classify("FailedOperation.PhoneNumberInBlacklist", ""), Permanent)
    limit = tencent.classify("LimitExceeded.PhoneNumberDailyLimit", "")
    assert isinstance(limit, RetryLater) and limit.after == 86400
    assert isinstance(tencent.classify("AuthFailure.SignatureFailure", ""), Failover)
    assert isinstance(tencent.classify("RequestLimitExceeded", ""), Failover)
    assert isinstance(tencent.classify("InternalError.RequestTimeException", ""), Failover)
    assert isinstance(tencent.classify("InternalError.Timeout", ""), Unknown)
    assert isinstance(tencent.classify("InternalError.SendAndRecvFail", ""), Unknown)
    assert isinstance(tencent.classify("FailedOperation.Something", ""), Unknown)
