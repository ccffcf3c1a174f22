"""pantau's OCDS merge against the official schema and OCP's own merge conformance cases.

The merge rules pantau ships (connectors/schema/ocds-merge-rules.json) must be the ones ocdsmerge
derives from the official OCDS 1.1.5 release schema with the bid extension (../shared). The 1.1
cases (``X.json`` -> ``X-compiled.json``) ship in the ocdsmerge sdist, which ``make test``
unpacks into var/ocds-merge/; its own tests/test_merge.py merges them with the official 1.1
release schema, so they run here through pantau's connector with pantau's rules.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest
from ocds_schema import official_release_schema
from ocdsmerge.rules import get_merge_rules
from pantau.connectors import ocds
from pantau.connectors.base import Provenance

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = (
    ROOT / "var" / "ocds-merge" / f"ocdsmerge-{version('ocdsmerge')}" / "tests" / "fixtures" / "1.1"
)
CASES = sorted(p.name.removesuffix("-compiled.json") for p in CASES_DIR.glob("*-compiled.json"))
N_CASES = 17  # the 1.1 compiled cases of ocds-merge's test suite
MISSING = pytest.mark.skip(
    reason=f"ocds-merge conformance cases not found at {CASES_DIR}: run `make ocds-merge-cases`"
)
PROV = Provenance("ocds", "file://conformance", datetime(2025, 1, 1, tzinfo=UTC))


def test_merge_rules_are_those_of_the_official_schema_and_bid_extension() -> None:
    derived = get_merge_rules(official_release_schema())
    assert ocds.merge_rules() == derived
    # The extension is part of it: bid tenderers' identifiers are replaced whole.
    assert derived[("bids", "details", "tenderers", "additionalIdentifiers")] == "wholeListMerge"


@pytest.mark.parametrize("case", CASES or [pytest.param("none", marks=MISSING)])
def test_ocds_merge_conformance_case(case: str) -> None:
    releases = json.loads((CASES_DIR / f"{case}.json").read_text(encoding="utf-8"))
    expected = json.loads((CASES_DIR / f"{case}-compiled.json").read_text(encoding="utf-8"))
    package = json.dumps({"releases": releases}).encode()
    batch = ocds.to_batch(package, PROV, region="x", year=None, name=f"{case}.json")
    assert not batch.rejected
    assert batch.records == [expected]


@pytest.mark.skipif(not CASES, reason=MISSING.kwargs["reason"])
def test_every_conformance_case_is_there() -> None:
    assert len(CASES) == N_CASES
