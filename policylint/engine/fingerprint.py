"""Fingerprints: stable, keyed hashes that identify a finding across runs.

A fingerprint survives re-sorting the batch (it never includes the row number)
and never reveals the personal data it was computed from (it is an HMAC, the
way detect-secrets stores hashes, never secrets).
"""

from __future__ import annotations

import hashlib
import hmac
import os

DEFAULT_KEY = "policylint-fingerprint-v1"
KEY_ENV = "POLICYLINT_FINGERPRINT_KEY"


def fingerprint_key(policy_key: str | None) -> bytes:
    """The environment variable wins over the policy, so a CI secret can set it."""
    return (os.environ.get(KEY_ENV) or policy_key or DEFAULT_KEY).encode("utf-8")


def fingerprint(key: bytes, *parts: str) -> str:
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
