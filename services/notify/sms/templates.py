"""The SMS templates the worker sends by; they live in services/kit/sms_templates.py,
since the gateway renders the same text into its message centre."""

from __future__ import annotations

from services.kit.sms_templates import (
    MASK,
    MAX_PARAM_CHARS,
    MULTI_PART,
    SINGLE_PART,
    TEMPLATES,
    Kind,
    Template,
    TemplateError,
    char_count,
    get_template,
    parts,
    provider_params,
    render_text,
    with_signature,
)

__all__ = [
    "MASK",
    "MAX_PARAM_CHARS",
    "MULTI_PART",
    "SINGLE_PART",
    "TEMPLATES",
    "Kind",
    "Template",
    "TemplateError",
    "char_count",
    "get_template",
    "parts",
    "provider_params",
    "render_text",
    "with_signature",
]
