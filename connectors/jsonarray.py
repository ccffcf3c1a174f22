"""Parse a JSON answer that should be a list of records, salvaging what can be salvaged.

Government endpoints sometimes send one broken record in an otherwise good array (a stray
non-UTF-8 byte, a truncated object). ``json.loads`` would reject the whole page; here the array
is split into its top-level elements and each is parsed alone, so one bad record is quarantined
and the others land.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.base import Rejected, SourceError

WRAPPER_KEYS = ("data", "result")  # ISB answers are a bare list or {"data": [...]}/{"result": [...]}
MAX_DEPTH = 64  # deeper nesting than any real record: refuse instead of recursing


def parse_records(body: bytes, *, url: str) -> tuple[list[Any], list[Rejected]]:
    """Return (elements, rejected) of a JSON array answer, unwrapping ``data``/``result``."""
    stripped = body.strip()
    if stripped[:1] not in (b"[", b"{"):
        preview = stripped[:80].decode("utf-8", errors="replace")
        raise SourceError(f"answer is not JSON: {preview!r}", url=url, body=body)
    try:
        doc = json.loads(stripped)
    except (ValueError, RecursionError):
        if stripped[:1] != b"[":
            raise SourceError("answer is not valid JSON", url=url, body=body) from None
        return _salvage(stripped, url=url, body=body)
    if isinstance(doc, dict):
        for key in WRAPPER_KEYS:
            if isinstance(doc.get(key), list):
                return doc[key], []
        raise SourceError(
            f"JSON object without a records list (keys: {', '.join(list(doc)[:8])})",
            url=url, body=body,
        )
    if not isinstance(doc, list):
        raise SourceError("JSON answer is not a list of records", url=url, body=body)
    return doc, []


def _salvage(text: bytes, *, url: str, body: bytes) -> tuple[list[Any], list[Rejected]]:
    good: list[Any] = []
    bad: list[Rejected] = []
    elements = split_top_level(text)
    if elements is None:
        raise SourceError("answer is not valid JSON (unbalanced array)", url=url, body=body)
    for raw in elements:
        try:
            good.append(json.loads(raw))
        except UnicodeDecodeError:
            bad.append(Rejected("record is not valid UTF-8", raw))
        except RecursionError:
            bad.append(Rejected("record nested too deeply", raw))
        except ValueError as exc:
            bad.append(Rejected(f"record is not valid JSON: {exc}", raw))
    return good, bad


def split_top_level(text: bytes) -> list[bytes] | None:
    """Split ``[a, b, ...]`` into the raw bytes of a, b, ... (None if the brackets do not close)."""
    elements: list[bytes] = []
    depth = 0
    in_string = escaped = False
    start = None
    for i, byte in enumerate(text):
        ch = chr(byte)
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
            if depth == 1 and start is None:
                start = i
        elif ch in "[{":
            depth += 1
            if depth == 2 and start is None:
                start = i
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                if start is not None:
                    elements.append(text[start:i].strip())
                return [e for e in elements if e]
        elif ch == "," and depth == 1:
            if start is not None:
                elements.append(text[start:i].strip())
            start = None
        elif depth == 1 and start is None and not ch.isspace():
            start = i
    return None
