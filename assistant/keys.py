"""API and operator keys, held only as SHA-256 digests.

One reading of ``ASSISTANT_API_KEYS`` and ``ASSISTANT_OPERATOR_KEYS`` for every edge: the API's
authentication, the web UI's login and the operator console all identify a key here.
"""

from __future__ import annotations

import hashlib
import hmac

_SHA256_PREFIX = "sha256:"
#: Hex digits of a key's digest in its id: 64 bits (ids name keys in logs, feedback and marks).
KEY_ID_HEX = 16


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def _configured_digest(raw: str) -> bytes:
    """A `sha256:<64 hex>` entry is a digest already; anything else is a plain key."""
    hexpart = raw.removeprefix(_SHA256_PREFIX)
    if raw.startswith(_SHA256_PREFIX) and len(hexpart) == 64:
        try:
            return bytes.fromhex(hexpart)
        except ValueError:
            pass
    return _digest(raw)


class KeyRing:
    """The configured keys (a comma-separated spec), held only as digests.

    A presented key is hashed and compared with every digest using `hmac.compare_digest`, with
    no early exit: digests have a fixed length, so neither the length of a key nor which entry
    matched shows in the timing. Operators may configure `sha256:<hex>` so that the plain key
    is not in the environment at all. A key is known in logs and metrics only by its id
    (`key-` + the first 16 hex digits of its digest: 64 bits, so two keys never share an id).
    """

    def __init__(self, spec: str) -> None:
        digests = [_configured_digest(raw) for raw in (part.strip() for part in spec.split(",")) if raw]
        self._keys: list[tuple[bytes, str]] = [(d, "key-" + d.hex()[:KEY_ID_HEX]) for d in digests]

    @property
    def enabled(self) -> bool:
        """Whether any key is configured."""
        return bool(self._keys)

    def identify(self, presented: str) -> str | None:
        """The id of the matching key, or None (also for an empty key)."""
        if not presented:
            return None
        digest = _digest(presented)
        found = None
        for known, key_id in self._keys:
            if hmac.compare_digest(known, digest):
                found = key_id
        return found
