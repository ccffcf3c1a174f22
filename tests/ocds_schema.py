"""The official OCDS 1.1.5 release schema with the bid extension, read in place from ../shared.

The files may not be copied into the project: tests read them here and skip when they are absent.
"""

from __future__ import annotations

import json
from typing import Any

from conftest import SHARED, require_shared

OFFICIAL = SHARED / "data" / "ocds-schema-1.1.5"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as OCDS applies an extension to the release schema."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def official_release_schema() -> dict[str, Any]:
    """The release schema with the bid extension merged in (skips when ../shared lacks them)."""
    base = require_shared(OFFICIAL / "release-schema.json")
    bids = require_shared(OFFICIAL / "bid-extension" / "release-schema.json")
    return merge_patch(
        json.loads(base.read_text(encoding="utf-8")), json.loads(bids.read_text(encoding="utf-8"))
    )
