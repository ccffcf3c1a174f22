"""Parse a JSON answer that should be a list of records, salvaging what can be salvaged.

Government endpoints sometimes send one broken record in an otherwise good array (a stray
non-UTF-8 byte, a truncated object). ``json.loads`` would reject the whole page; here the array
is split into its top-level elements and each is parsed alone, so one bad record is quarantined
and the others land.

``parse_answer(..., fast=True)`` first parses the whole answer with orjson (2-3x faster than
``json``). orjson accepts a subset of what ``json.loads`` accepts and reads it to the same
values, with one exception its caller must rule out: an integer beyond 64 bits becomes a float
(of magnitude 9.2e18 or more). Anything orjson refuses (NaN, a lone surrogate, invalid UTF-8,
deep nesting, broken syntax) takes the ``json`` path, so every verdict on a broken answer is
the one ``json`` gives.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

import orjson
from pantau.connectors.base import Rejected, SourceError, without_bom

WRAPPER_KEYS = (
    "data",
    "result",
)  # ISB answers are a bare list or {"data": [...]}/{"result": [...]}


class Parsed(NamedTuple):
    elements: list[Any]
    rejected: list[Rejected]
    # Read by orjson: no NaN/Infinity, no lone surrogate, at most 1024 levels deep (so orjson
    # can write every element again), but an integer beyond 64 bits became a float.
    by_orjson: bool


def parse_records(body: bytes, *, url: str) -> tuple[list[Any], list[Rejected]]:
    """Return (elements, rejected) of a JSON array answer, unwrapping ``data``/``result``."""
    parsed = parse_answer(body, url=url, fast=False)
    return parsed.elements, parsed.rejected


def parse_answer(body: bytes, *, url: str, fast: bool) -> Parsed:
    """``parse_records``; with ``fast`` orjson reads the answer if it can (``Parsed.by_orjson``:
    the caller then rules out floats of magnitude 9.2e18 or more, see the module doc)."""
    stripped = without_bom(body).strip()
    if stripped[:1] not in (b"[", b"{"):
        preview = stripped[:80].decode("utf-8", errors="replace")
        raise SourceError(f"answer is not JSON: {preview!r}", url=url, body=body)
    doc: Any = None
    if fast:
        try:
            doc = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            fast = False
    if not fast:
        try:
            doc = json.loads(stripped)
        except (ValueError, RecursionError):
            if stripped[:1] != b"[":
                raise SourceError("answer is not valid JSON", url=url, body=body) from None
            return Parsed(*_salvage(stripped, url=url, body=body), by_orjson=False)
    return Parsed(*_records_of(doc, url=url, body=body), by_orjson=fast)


def _records_of(doc: object, *, url: str, body: bytes) -> tuple[list[Any], list[Rejected]]:
    if isinstance(doc, dict):
        for key in WRAPPER_KEYS:
            if isinstance(doc.get(key), list):
                return doc[key], []
        raise SourceError(
            f"JSON object without a records list (keys: {', '.join(list(doc)[:8])})",
            url=url,
            body=body,
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
        pieces = [raw]
        if _parse(raw)[1] is not None:
            # A truncated record swallows its neighbours until the brackets balance again:
            # cut the run of text where a new record visibly starts.
            pieces = _RECORD_START.split(raw)
        for piece in pieces:
            value, reason = _parse(piece)
            if reason is None:
                good.append(value)
            else:
                bad.append(Rejected(reason, piece))
    return good, bad


# Real records are flat objects, so inside a broken run ",{" starts the next record.
_RECORD_START = re.compile(rb",\s*(?=\{)")


def _parse(raw: bytes) -> tuple[Any, str | None]:
    try:
        return json.loads(raw), None
    except UnicodeDecodeError:
        return None, "record is not valid UTF-8"
    except RecursionError:
        return None, "record nested too deeply"
    except ValueError as exc:
        return None, f"record is not valid JSON: {exc}"


def split_top_level(text: bytes) -> list[bytes] | None:  # noqa: C901 - a small state machine
    """Split ``[a, b, ...]`` into the raw bytes of a, b, ... (None if it is not an array).

    Tolerant of a broken element: a closing bracket that does not match unwinds to the one it
    does match, and an array that never closes ends at the end of the text. The pieces are then
    parsed one by one, so the broken one is rejected and its neighbours survive.
    """
    if text[:1] != b"[":
        return None
    elements: list[bytes] = []
    stack: list[str] = []
    in_string = escaped = False
    start: int | None = None
    for i, ch in enumerate(text.decode("latin-1")):
        if in_string:
            escaped, in_string = _string_step(ch, escaped=escaped)
            continue
        if ch in "[{":
            stack.append(ch)
            if len(stack) == 2 and start is None:
                start = i
        elif ch in "]}":
            opener = "[" if ch == "]" else "{"
            while stack and stack[-1] != opener:
                stack.pop()  # unwind a broken element
            if stack:
                stack.pop()
            if not stack:
                _close(elements, text, start, i)
                return elements
        elif ch == '"':
            in_string = True
            start = i if start is None and len(stack) == 1 else start
        elif ch == "," and len(stack) == 1:
            _close(elements, text, start, i)
            start = None
        elif start is None and len(stack) == 1 and not ch.isspace():
            start = i
    _close(elements, text, start, len(text))
    return elements


def _string_step(ch: str, *, escaped: bool) -> tuple[bool, bool]:
    """(escaped, still in string) after one character inside a JSON string."""
    if escaped:
        return False, True
    if ch == "\\":
        return True, True
    return False, ch != '"'


def _close(elements: list[bytes], text: bytes, start: int | None, end: int) -> None:
    if start is not None and text[start:end].strip():
        elements.append(text[start:end].strip())
