"""Which SPSE detail fetches fit tonight's request budget (``[sources.spse]
max_requests_per_night``, per host): a pure planner, shared by the nightly run and
``bench/spse_national.py``.

spse.inaproc.id is one host for every LPSE: at the polite default it serves about 60,000
requests a night, and a national crawl has more detail candidates than that. The listings are
fetched first and whole (they are how a change is seen at all); their requests are spent before
this planner runs. The rest of the host's budget goes to the candidates in this order:

1. every candidate of a watched region (``[[regions]] watched``, default true);
2. new packages and packages whose listing row changed since their detail was fetched;
3. unfinished packages whose row did not change (a detail page may still have: a registration,
   an evaluation), by priority.

Within each tier the priority is ``(nights waiting + 1) x (1 + closeness)``, highest first.
Nights waiting count from the later of the package's last detail fetch and the night its current
listing row was first seen: for a new package since it was first listed, for a changed one since
the change, for an unfinished one since its last fetch. So a deferred package gains on the ones
that came after it, and one near award (where the winner, the prices and the contract appear) is
refreshed twice as often as one just announced.

Closeness is read from the listing's stage (``tahap``), by the first rule that matches: contract
or finished 1.0; award (winner, objection, ``penetapan``) 0.8; evaluation, qualification (not
``Pascakualifikasi``, an announcement), negotiation 0.6; bid submission or opening 0.4;
registration, document download, clarification 0.2; a record in progress (``Paket Sedang
Berjalan``) 0.5; anything else (announcement, an unknown stage) 0.0. A package whose stage is
final (finished, failed, cancelled) is 1.0: its last pages hold the outcome.

Each package costs its detail pages (one request each); the first package of a (region, list,
year) also costs the session it opens. Candidates are taken in order while they fit; one that
does not fit is deferred and a cheaper one after it may still be taken. A deferred package is
not fetched and stays a candidate (it is still new, changed or unfinished), so the next night
it comes back a night older, ahead of the newer ones of its tier.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

Reason = Literal["new", "changed", "unfinished"]

_CLOSENESS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), value) for pattern, value in (
        (r"kontrak|penunjukan|sppbj|selesai", 1.0),
        (r"pemenang|sanggah|penetapan", 0.8),
        (r"evaluasi|pembuktian|\bkualifikasi|klarifikasi|negosiasi", 0.6),
        (r"penawaran|pembukaan|pemasukan|upload", 0.4),
        (r"pendaftaran|download|pengambilan|penjelasan|aanwijzing", 0.2),
        (r"berjalan", 0.5),
    ))


_ANNOUNCED = re.compile(r"pengumuman", re.IGNORECASE)  # after the rules: "Pengumuman Pemenang"
FINAL = 2.0  # the stage of a final package (finished, failed, cancelled): past every other


def _matched(tahap: str | None) -> float | None:
    for pattern, value in _CLOSENESS:
        if pattern.search(tahap or ""):
            return value
    return None


def closeness(tahap: str | None, *, final: bool = False) -> float:
    """How near award a listing's stage is, 0.0 (announced) to 1.0 (contract, or final)."""
    if final:
        return 1.0
    found = _matched(tahap)
    return 0.0 if found is None else found


def stage(tahap: str | None, *, final: bool = False) -> float | None:
    """Where a package stands, for which of its detail pages have filled
    (``spse.PAGE_STAGES``): its closeness, ``FINAL``, or None where it cannot be told: a stage
    no rule knows (``Tidak Ada Jadwal``, a name the portal starts using) or one shown with
    ``[...]``, the portal's mark that more stages run beside it (Kota Semarang's real listing:
    ``Pengumuman Pascakualifikasi [...]``); then every page is fetched."""
    if final:
        return FINAL
    if "[...]" in (tahap or ""):
        return None
    found = _matched(tahap)
    if found is None and _ANNOUNCED.search(tahap or ""):
        return 0.0
    return found


class Candidate(NamedTuple):  # a tuple: a national night plans some 100,000 of them
    """A package whose detail pages could be fetched tonight."""

    key: str
    group: Hashable  # one portal session: (region, list, year)
    cost: int  # requests: its detail pages
    watched: bool
    reason: Reason
    nights_waiting: int  # see the module docstring
    closeness: float

    @property
    def priority(self) -> float:
        return (self.nights_waiting + 1) * (1 + self.closeness)


@dataclass
class Choice:
    fetch: list[Candidate] = field(default_factory=list)
    deferred: list[Candidate] = field(default_factory=list)
    requests: int = 0  # what the fetched ones cost, sessions included


def _order(c: Candidate) -> tuple[bool, bool, float, str]:
    return (not c.watched, c.reason == "unfinished", -c.priority, c.key)


def choose(candidates: Iterable[Candidate], budget: int, session_cost: int = 1) -> Choice:
    """The candidates that fit ``budget`` requests, in the module's order, and those deferred."""
    choice = Choice()
    opened: set[Hashable] = set()
    for c in sorted(candidates, key=_order):
        cost = c.cost + (0 if c.group in opened else session_cost)
        if choice.requests + cost > budget:
            choice.deferred.append(c)
            continue
        choice.fetch.append(c)
        choice.requests += cost
        opened.add(c.group)
    return choice
