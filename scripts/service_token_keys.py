"""Print a new key pair for the gateway's service tokens (services/kit/service_tokens.py).

    python -m scripts.service_token_keys

The first line goes in the gateway's Secret (SERVICE_TOKEN_PRIVATE_KEY), the second in the
configuration of the eligibility and document services (SERVICE_TOKEN_PUBLIC_KEY).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ed25519

from services.kit.service_tokens import private_key_setting, public_key_setting


def main() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    print(f"SERVICE_TOKEN_PRIVATE_KEY={private_key_setting(key)}")
    print(f"SERVICE_TOKEN_PUBLIC_KEY={public_key_setting(key)}")


if __name__ == "__main__":
    main()
