"""The web users: ``NAME:ARGON2-HASH`` lines in ``[web] users_file`` (argon2id, argon2-cffi's
defaults). No file, or an empty one, means no users: the server is then only for the person at
a loopback address."""

from __future__ import annotations

import os
import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_HASHER = PasswordHasher()
# Verified when the name is unknown, so an unknown name costs as long as a wrong password.
_DUMMY = _HASHER.hash("pantau: no such user")


def load(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    users = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, hashed = line.strip().partition(":")
        if sep and NAME.fullmatch(name):
            users[name] = hashed
    return users


def add(path: Path, name: str, password: str) -> None:
    """Add or replace a user (the file is rewritten whole, readable by its owner only)."""
    if not NAME.fullmatch(name):
        raise ValueError("a user name is 1-64 letters, digits, '.', '_' or '-'")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    users = {**load(path), name: _HASHER.hash(password)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(f"{n}:{h}\n" for n, h in sorted(users.items()))
    tmp.replace(path)


def verify(users: dict[str, str], name: str, password: str) -> bool:
    try:
        return _HASHER.verify(users.get(name, _DUMMY), password) and name in users
    except (VerificationError, InvalidHashError):
        return False
