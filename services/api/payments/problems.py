"""Problems of the review fee: its order and the provider's callback."""

from __future__ import annotations

from services.kit.problem_kinds import Problem


class PaymentOrderNotFound(Problem):
    status = 404
    code = "payment-order-not-found"
    title = "payment order not found"
    text = "缴费订单不存在（该申报尚未发出缴费通知）。"


class PaymentSignatureInvalid(Problem):
    status = 401
    code = "payment-signature-invalid"
    title = "Invalid payment signature"
    text = "缴费回调签名无效：须在 X-Payment-Signature 请求头中提供对请求原文的 HMAC-SHA256 签名。"


class PaymentCallbackInvalid(Problem):
    # `errors` lists what is missing or malformed.
    status = 422
    code = "payment-callback-invalid"
    title = "payment callback invalid"
    text = "缴费回调内容不完整或格式有误。"


class PaymentCallbackConflict(Problem):
    status = 409
    code = "payment-callback-conflict"
    title = "payment callback conflict"
    text = "同一交易号的缴费回调内容与已入账的不一致，请核对。"


class PaymentAmountMismatch(Problem):
    # The detail names both amounts.
    status = 422
    code = "payment-amount-mismatch"
    title = "payment amount mismatch"
    text = "缴费金额与应缴评审费不符，未入账。"


class PaymentAlreadySettled(Problem):
    status = 409
    code = "payment-already-settled"
    title = "payment already settled"
    text = "该订单已有另一笔缴费入账（或已退费），本笔不入账，已登记由支付机构原路退回。"


class PaymentTimeInFuture(Problem):
    status = 422
    code = "payment-time-in-future"
    title = "payment time in future"
    text = "回调中的支付时间晚于当前时间。"


class PaymentAfterDeadline(Problem):
    # The detail names the deadline.
    status = 409
    code = "payment-after-deadline"
    title = "payment after deadline"
    text = (
        "支付时间晚于缴费截止时间，按规定逾期不缴费者视为放弃，本笔不入账，"
        "已登记由支付机构原路退回。"
    )


class DeclarationNotPayable(Problem):
    status = 409
    code = "declaration-not-payable"
    title = "declaration not payable"
    text = "该申报当前不处于待缴费状态，本笔不入账，已登记由支付机构原路退回。"


class PaymentTransactionReused(Problem):
    status = 409
    code = "payment-transaction-reused"
    title = "payment transaction reused"
    text = "该交易号已用于另一缴费订单，本笔不入账。"


class PaymentProviderUnavailable(Problem):
    # `reason` says what went wrong (no provider, timeout, bad answer signature).
    status = 503
    code = "payment-provider-unavailable"
    title = "payment provider unavailable"
    text = "支付机构暂时无法连接，请稍后再试；已缴费的不受影响，稍后再进行缴费验证即可。"


class PaymentNotReceived(Problem):
    # The detail names the provider's state of the order.
    status = 409
    code = "payment-not-received"
    title = "payment not received"
    text = (
        "暂未查询到该订单缴费成功的记录。请点击“缴费”扫描缴费码缴费，成功后有提示成功信息，"
        "再进行缴费验证。"
    )


class PaymentOrderNotPending(Problem):
    status = 409
    code = "payment-order-not-pending"
    title = "payment order not pending"
    text = "该缴费订单已不是待缴费状态（已缴费、已逾期或已退费），不能再生成缴费码。"


# Everything the provider's callback can be answered besides its receipt.
CALLBACK_PROBLEMS = (
    PaymentSignatureInvalid,
    PaymentOrderNotFound,
    PaymentCallbackInvalid,
    PaymentCallbackConflict,
    PaymentAmountMismatch,
    PaymentAlreadySettled,
    PaymentTimeInFuture,
    PaymentAfterDeadline,
    DeclarationNotPayable,
    PaymentTransactionReused,
)
