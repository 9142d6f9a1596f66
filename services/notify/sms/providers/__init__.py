"""Provider adapters behind one interface (see base.py)."""

from __future__ import annotations

import httpx

from services.notify.config import NotifySettings
from services.notify.sms.providers.aliyun import AliyunProvider
from services.notify.sms.providers.base import Provider
from services.notify.sms.providers.log import LogProvider
from services.notify.sms.providers.tencent import TencentProvider


def build_providers(settings: NotifySettings, http: httpx.AsyncClient) -> dict[str, Provider]:
    """The configured providers by name, in order of preference."""
    made: dict[str, Provider] = {}
    for name in settings.notify_providers:
        if name == "aliyun":
            made[name] = AliyunProvider(settings, http)
        elif name == "tencent":
            made[name] = TencentProvider(settings, http)
        else:
            made[name] = LogProvider(inbox=settings.notify_dev_inbox)
    return made
