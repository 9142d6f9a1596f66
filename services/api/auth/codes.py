"""The service behind auth/applicants.py. Applicants sign in with their phone: a 6-digit
SMS code, or WeChat after a phone check.

Sending a code never looks at whether an account exists: the answer, the throttles and
the work done are the same for every well-formed number (the account is created on the
first successful verification). The code is kept only as an HMAC in Redis, for
`sms_code_ttl_seconds`, and dies after `sms_code_tries` wrong guesses; `sms_lock_failures`
wrong guesses for one phone (with or without a live code) lock it for `sms_lock_seconds`.
Throttles: one code per phone per `sms_phone_interval_seconds`, `sms_phone_per_hour`
per phone and `sms_ip_per_hour` per client address; `sms_ip_failures_per_hour` wrong
codes from one address (guessing across many phones) stop its verifications for the hour.
Each guess is checked and counted in one atomic step, so these limits hold under a burst.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.applicants.identity import PHONE
from services.api.auth.problems import AccountDisabled, InvalidLoginCode
from services.api.auth.schemas import CodeRequest, CodeSent, SmsLogin, TokenPair
from services.api.auth.tokens import applicant_signed_in, client_ip, record_sign_in
from services.api.models import Applicant
from services.api.notices import e164
from services.api.ratelimit import hit, too_many
from services.kit.outbox import add_notification
from services.kit.pii import PiiCipher, mask_phone
from services.kit.problems import ProblemError

HOUR = 3600


def _keys(cipher: PiiCipher, phone: str) -> tuple[str, str]:
    # Valkey keys and MACs that expire within the hour: the current index key alone.
    bidx = cipher.keyed_hash(PHONE, phone)
    return bidx, f"login:{bidx[:32]}"


def _code_mac(cipher: PiiCipher, bidx: str, code: str) -> str:
    return cipher.keyed_hash("login-code", f"{bidx}:{code}")


def phone_locked(seconds: int = 900) -> ProblemError:
    return too_many(
        seconds,
        "该手机号验证码错误次数过多，已暂时锁定，请按 Retry-After 稍后再试。",
        code="phone-locked",
    )


async def _locked(request: Request, prefix: str) -> None:
    ttl = await request.app.state.redis.ttl(prefix + ":lock")
    if ttl and ttl > 0:
        raise phone_locked(ttl)


async def applicant_by_phone(session: AsyncSession, cipher: PiiCipher, phone: str) -> Applicant:
    """The applicant holding this phone; created (with a new subject) when there is none."""
    # The phone's digest under every index key still listed (keys rotate).
    candidates = cipher.index_candidates(PHONE, phone)
    query = select(Applicant).where(Applicant.phone_bidx.in_(candidates))
    found = (await session.exec(query)).first()
    if found is not None:
        return found
    applicant = Applicant(
        sub=f"applicant-{uuid.uuid4().hex}",
        phone_enc=cipher.encrypt(PHONE, phone),
        phone_bidx=candidates[0],
    )
    try:
        async with session.begin_nested():
            session.add(applicant)
            await session.flush()
    except IntegrityError:  # the same phone signed in twice at once: use the winner
        found = (await session.exec(query)).first()
        if found is None:
            raise
        return found
    return applicant


# One guess, checked and counted in one step inside Valkey: concurrent guesses are
# serialised there, so no guess is compared with the code before the ones ahead of it
# have been counted. Every guess at a live code uses one of its tries (the right code
# too), so at most `tries` guesses are ever compared with it; a wrong guess counts
# toward the phone's lock and the address's hourly limit, and the guess that reaches
# the lock's count sets the lock at once.
#   KEYS: code hash, phone failures, phone lock, address failures
#   ARGV: candidate MAC, tries per code, failures before the lock, lock seconds,
#         wrong codes per address per window, address window seconds
_GUESS = """
local lock_ttl = redis.call('TTL', KEYS[3])
if lock_ttl > 0 then return {'locked', lock_ttl} end
local ip_failures = tonumber(redis.call('GET', KEYS[4]) or '0')
if ip_failures >= tonumber(ARGV[5]) then
    return {'address-blocked', math.max(redis.call('TTL', KEYS[4]), 1)}
end
local mac = redis.call('HGET', KEYS[1], 'mac')
if mac then
    local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
    if tries <= tonumber(ARGV[2]) and mac == ARGV[1] then
        redis.call('DEL', KEYS[1], KEYS[2])
        return {'ok', 0}
    end
    if tries >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
end
local failures = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[4], 'NX')
redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], ARGV[6], 'NX')
if failures >= tonumber(ARGV[3]) then
    redis.call('SET', KEYS[3], '1', 'EX', ARGV[4])
    return {'locked-now', tonumber(ARGV[4])}
end
return {'wrong', 0}
"""


async def check_code(request: Request, phone: str, code: str) -> None:
    """Raise unless `code` is the live code sent to `phone`; a good code is used up.

    The check and every counter it moves are one atomic step (`_GUESS`), so the limits
    hold however many guesses arrive at once: a code is compared at most
    `sms_code_tries` times, the phone locks at the `sms_lock_failures`th wrong guess,
    and an address stops at `sms_ip_failures_per_hour` wrong guesses.
    """
    settings = request.app.state.settings
    redis = request.app.state.redis
    cipher: PiiCipher = request.app.state.pii
    bidx, prefix = _keys(cipher, phone)
    keys = [
        prefix + ":code",
        prefix + ":failures",
        prefix + ":lock",
        f"login:ipfail:{client_ip(request)}",
    ]
    args = [
        _code_mac(cipher, bidx, code),
        settings.sms_code_tries,
        settings.sms_lock_failures,
        settings.sms_lock_seconds,
        settings.sms_ip_failures_per_hour,
        HOUR,
    ]
    outcome, seconds = await redis.register_script(_GUESS)(keys=keys, args=args)
    outcome = outcome.decode() if isinstance(outcome, bytes) else outcome
    if outcome == "ok":
        return
    if outcome == "locked":
        raise phone_locked(int(seconds))
    if outcome == "address-blocked":
        raise too_many(int(seconds), "本网络验证码错误次数过多，请稍后再试。")
    await record_sign_in(
        request,
        method="sms",
        subject=mask_phone(phone),
        outcome="failure",
        reason="wrong_code",
    )
    if outcome == "locked-now":
        raise too_many(
            int(seconds),
            "验证码错误次数过多，该手机号已暂时锁定，请按 Retry-After 稍后再试。",
            code="phone-locked",
        )
    raise InvalidLoginCode()


def disabled() -> ProblemError:
    return AccountDisabled()


async def send_code(session: AsyncSession, request: Request, *, body: CodeRequest) -> CodeSent:
    """Throttle, then keep a new code's HMAC and queue the SMS (after the commit)."""
    settings = request.app.state.settings
    redis = request.app.state.redis
    cipher: PiiCipher = request.app.state.pii
    bidx, prefix = _keys(cipher, body.phone)
    await _locked(request, prefix)
    count, ttl = await hit(redis, f"login:ip:{client_ip(request)}", HOUR)
    if count > settings.sms_ip_per_hour:
        raise too_many(ttl, "本网络获取验证码过于频繁，请稍后再试。")
    interval = settings.sms_phone_interval_seconds
    if interval > 0 and not await redis.set(prefix + ":interval", "1", ex=interval, nx=True):
        raise too_many(
            max(await redis.ttl(prefix + ":interval"), 1), "验证码已发送，请稍后再获取。"
        )
    count, ttl = await hit(redis, prefix + ":sent", HOUR)
    if count > settings.sms_phone_per_hour:
        raise too_many(ttl, "该手机号今天获取验证码次数过多，请稍后再试。")
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = settings.sms_code_ttl_seconds
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(prefix + ":code")
        pipe.hset(prefix + ":code", mapping={"mac": _code_mac(cipher, bidx, code), "tries": 0})
        pipe.expire(prefix + ":code", ttl)
        await pipe.execute()
    notification_id = await add_notification(
        session,
        event="auth.login_code",
        template_code="LOGIN_CODE",
        phone=e164(body.phone),
        params={"code": code, "minutes": str(ttl // 60)},
        dedupe_key=f"login-code:{uuid.uuid4()}",
        not_after=datetime.now(UTC) + timedelta(seconds=ttl),
    )
    if notification_id is not None:
        session.info.setdefault("notification_ids", []).append(notification_id)
    return CodeSent(expires_in=ttl, resend_after=interval)


async def sign_in(session: AsyncSession, request: Request, *, body: SmsLogin) -> TokenPair:
    """Check the code (one atomic step), find or create the applicant, start a session."""
    cipher: PiiCipher = request.app.state.pii
    await check_code(request, body.phone, body.code)
    applicant = await applicant_by_phone(session, cipher, body.phone)
    if applicant.status != "active":
        raise disabled()
    return await applicant_signed_in(
        session, request, applicant.sub, method="sms", subject=mask_phone(body.phone)
    )
