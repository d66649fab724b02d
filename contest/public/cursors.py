"""Opaque leaderboard cursors for the public pages and the JSON API.

A keyset cursor has to name the row a page ends on, and rows tied on every ranking key are told
apart by the entrant's account id. Handed out as is, the cursor would give the account id of a
masked entrant, and so link the same person across rounds. The public layer therefore never
shows the plain cursor that :mod:`contest.quiz.results` makes: it encrypts it with AES-SIV, a
deterministic authenticated cipher (the same page always gets the same link, so shared caches
keep working), under a key derived from the app's ``SECRET_KEY``. The round id and the kind of
board (live or final) are the associated data, so a cursor only opens on the board of the round
that made it: the same entrant's cursors in two rounds have nothing in common, and a cursor
that was changed, cut or moved to another round fails to open (:class:`BadCursor`).

Opening a cursor costs one AES-SIV decryption of about 50 bytes; the page behind it is read by
the same keyset query as before.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["BadCursor", "open_cursor", "seal_cursor"]

# Plain cursors are about 45 characters; anything much longer is not one of ours.
_MAX_TOKEN_CHARS = 200
_KDF_INFO = b"binh-dang leaderboard cursor v1"


class BadCursor(ValueError):
    """A cursor that was not made by this app for this round and board."""


@lru_cache(maxsize=4)
def _cipher(secret_key: str | bytes) -> AESSIV:
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_KDF_INFO).derive(secret)
    return AESSIV(key)


def _context(kind: str, round_id: int) -> list[bytes]:
    return [f"{kind}:{round_id}".encode()]


def seal_cursor(plain: str, *, secret_key: str | bytes, kind: str, round_id: int) -> str:
    """The opaque form of ``plain`` (a cursor of :mod:`contest.quiz.results`), URL-safe."""
    sealed = _cipher(secret_key).encrypt(plain.encode(), _context(kind, round_id))
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def open_cursor(token: str, *, secret_key: str | bytes, kind: str, round_id: int) -> str:
    """The plain cursor inside ``token``; raises :class:`BadCursor` for anything else."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        raise BadCursor("bad cursor")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = _cipher(secret_key).decrypt(raw, _context(kind, round_id))
        return plain.decode("ascii")
    except (binascii.Error, ValueError, InvalidTag, UnicodeDecodeError):
        raise BadCursor("bad cursor") from None
