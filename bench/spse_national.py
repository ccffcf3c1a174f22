"""A national SPSE year against the nightly request budget: how late are stage changes seen?

``python -m bench.spse_national`` simulates, night by night with no HTTP, about 700 LPSE on the
one host spse.inaproc.id publishing 1M packages in a year, and plans each night's detail
fetches with the nightly run's own planner (``connectors/spse_budget.choose``) within
``[sources.spse] max_requests_per_night``. It reports the lag between a stage change and the
first detail fetch that sees it, for the watched regions (36 LPSE, Jawa Tengah's count) and
nationally, and writes its section of bench/RESULTS.md (``--no-write``: print only).

The model, stated so that the figures can be judged:
- packages per LPSE are lognormal (sigma 1: a few big provinces and cities, many small
  districts); the 36 watched LPSE are drawn at random among them;
- the lists: tender (``lelang``) 12%, non-tender (``pl``) 22%, ``nonspk`` 48%, ``swakelola``
  15%, ``darurat-list`` 3%; a package appears in its listing on a day of January to November,
  twice as many in January as in November (budgets are tendered early);
- a tender or non-tender moves through announcement, registration, bid opening, evaluation,
  award, contract and finished, each stage lasting 2 to 6 days (uniform); 8% fail after
  evaluation (final). A record (``nonspk``, ``swakelola``, ``darurat-list``) appears finished
  half the time, else in progress for 5 to 45 days, then finished. Every stage change shows in
  the listing row (its ``tahap``), which is what makes it "changed" for the planner;
- requests as ``connectors/spse.py`` makes them: each of the 3,500 (LPSE, list) listings every
  night costs its session, one page per 100 rows and the empty last page asked twice; a detail
  fetch costs its pages (``DETAIL_PAGES``: 6 for a tender, 2 for a record) and the first of a
  listing its session. Retries and session renewals are not modelled;
- a detail fetch asks the pages its stage has opened and not yet settled
  (``connectors/spse.pages_due``, ``PAGE_STAGES``), as the night does; the comparison row asks
  every page of a package at each fetch, as the connector did before.

A change on day d is seen within 1 night when the detail is fetched the night of day d (the
first listing that shows it), within 3 nights by the night of d + 2.
"""

from __future__ import annotations

import argparse
import gc
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pantau.connectors.spse import (
    DEFAULT_MAX_REQUESTS_PER_NIGHT,
    DEFAULT_PAGE_SIZE,
    DETAIL_PAGES,
    pages_due,
)
from pantau.connectors.spse_budget import Candidate, choose, closeness
from pantau.connectors.spse_budget import stage as stage_of

from bench.report import SPSE_SECTION, machine, report_section

SECTION = SPSE_SECTION
RESULTS = Path(__file__).with_name("RESULTS.md")
LISTS = ("lelang", "pl", "nonspk", "swakelola", "darurat-list")
LIST_SHARE = (0.12, 0.22, 0.48, 0.15, 0.03)
TENDER_STAGES = ("Pengumuman Pascakualifikasi", "Pendaftaran dan Download Dokumen Pengadaan",
                 "Pembukaan Dokumen Penawaran", "Evaluasi Penawaran", "Penetapan Pemenang",
                 "Penandatanganan Kontrak", "Tender Sudah Selesai", "Tender Gagal")
RECORD_STAGES = ("Paket Sedang Berjalan", "Paket Sudah Selesai")
TENDER_DONE, TENDER_FAILED, RECORD_DONE = 6, 7, 1
FAIL_SHARE = 0.08
LAST_ARRIVAL = 335  # no new package in December
TARGET_WATCHED_1, TARGET_NATIONAL_3 = 1.0, 0.90
REASONS = ("new", "changed", "unfinished")


@dataclass
class Lags:
    """Stage changes by the nights until a detail fetch saw them (0: the same night)."""

    seen: list[int] = field(default_factory=lambda: [0] * 4)  # 0, 1, 2, later
    unseen: int = 0  # never seen before the year ended (older than 3 nights)

    def add(self, lag: int) -> None:
        self.seen[min(lag, 3)] += 1

    @property
    def total(self) -> int:
        return sum(self.seen) + self.unseen

    def within(self, nights: int) -> float:
        return sum(self.seen[:nights]) / self.total if self.total else 1.0


def listing_requests(rows: np.ndarray, page_size: int) -> int:
    """Every listing's requests tonight (``spse.fetch_listing``): the session, the pages with
    rows, the empty last page (asked twice after rows)."""
    pages = np.ceil(rows / page_size).astype(np.int64)
    return int((1 + pages + 1 + (rows > 0)).sum())


class Year:
    """The national year's packages as arrays, advanced night by night."""

    def __init__(self, args: argparse.Namespace, *, every_page: bool) -> None:
        n, rng = args.packages, np.random.default_rng(args.seed)
        self.rng, self.page_size, self.budget = rng, args.page_size, args.budget
        self.every_page = every_page
        weights = rng.lognormal(0, 1, args.lpse)
        lpse = rng.choice(args.lpse, n, p=weights / weights.sum())
        watched_lpse = np.zeros(args.lpse, dtype=bool)
        watched_lpse[rng.choice(args.lpse, args.watched, replace=False)] = True
        kind = rng.choice(len(LISTS), n, p=LIST_SHARE)
        self.tender = kind <= 1
        day_weight = 1 - 0.5 * np.arange(LAST_ARRIVAL) / LAST_ARRIVAL
        self.listed = rng.choice(LAST_ARRIVAL, n, p=day_weight / day_weight.sum())
        self.stage = np.zeros(n, dtype=np.int8)
        done_at_start = ~self.tender & (rng.random(n) < 0.5)
        self.stage[done_at_start] = RECORD_DONE
        # The day of the next stage change (-1: none, the package is final).
        self.next_change = np.where(self.tender, self.listed + rng.integers(2, 7, n),
                                    self.listed + rng.integers(5, 46, n))
        self.next_change[done_at_start] = -1
        self.fails = self.tender & (rng.random(n) < FAIL_SHARE)
        self.final_stage = np.where(self.tender, TENDER_DONE, RECORD_DONE)
        self.kind = kind
        self.cost = np.array([len(DETAIL_PAGES[j]) for j in LISTS])[kind]
        self.pages = stage_costs()
        self.group = lpse * len(LISTS) + kind
        self.watched = watched_lpse[lpse]
        # closeness by (is a tender, stage), from the stage names as the listing shows them
        self.near = np.zeros((2, len(TENDER_STAGES)))
        self.near[1] = [closeness(t, final=s >= TENDER_DONE) for s, t in enumerate(TENDER_STAGES)]
        self.near[0, :len(RECORD_STAGES)] = [closeness(t, final=s == RECORD_DONE)
                                             for s, t in enumerate(RECORD_STAGES)]
        self.fetched_at = np.full(n, -1, dtype=np.int32)  # the night of the last detail fetch
        self.row_since = self.listed.astype(np.int32)  # when its listing row took its content
        self.stage_fetched = np.full(n, -1, dtype=np.int8)
        self.rows = np.zeros(args.lpse * len(LISTS), dtype=np.int64)
        self.pending: dict[int, list[int]] = {}  # package -> days of its unseen stage changes
        self.lags = {"watched": Lags(), "national": Lags()}
        self.nightly: list[dict[str, int]] = []
        self.order = np.argsort(self.listed, kind="stable")
        self.arrived = 0

    def advance(self, night: int) -> None:
        """Today's new packages enter their listings; today's stage changes happen."""
        upto = int(np.searchsorted(self.listed[self.order], night, side="right"))
        np.add.at(self.rows, self.group[self.order[self.arrived:upto]], 1)
        self.arrived = upto
        changing = np.flatnonzero(self.next_change == night)
        for p in changing.tolist():
            self.pending.setdefault(p, []).append(night)
        s, t = self.stage[changing], self.tender[changing]
        s_next = s + 1
        s_next[t & (s == 3) & self.fails[changing]] = TENDER_FAILED
        self.stage[changing] = s_next
        self.row_since[changing] = night
        done = s_next >= self.final_stage[changing]
        gap = np.where(t, self.rng.integers(2, 7, changing.size), 0)
        self.next_change[changing] = np.where(done, -1, night + gap)

    def candidates(self, night: int) -> list[Candidate]:
        """Tonight's due packages, as models/spse_state.due_details finds them."""
        live = self.order[:self.arrived]
        never = self.fetched_at[live] < 0
        moved = self.stage[live] != self.stage_fetched[live]
        unfinished = self.stage_fetched[live] < self.final_stage[live]
        due = live[never | moved | unfinished]
        fetched, stage = self.fetched_at[due], self.stage[due]
        waiting = night - np.maximum(fetched, self.row_since[due])
        cost = (self.cost[due] if self.every_page else
                self.pages[self.kind[due], stage, self.stage_fetched[due] + 1])
        keep = cost > 0  # nothing left to ask: not a candidate (spse.plan_details)
        due, fetched, stage, waiting, cost = (a[keep] for a in (due, fetched, stage, waiting, cost))
        reason = np.where(fetched < 0, 0, np.where(stage != self.stage_fetched[due], 1, 2))
        return list(map(Candidate._make, zip(
            due.astype(str).tolist(), self.group[due].tolist(), cost.tolist(),
            self.watched[due].tolist(), [REASONS[r] for r in reason.tolist()], waiting.tolist(),
            self.near[self.tender[due].astype(int), stage].tolist(), strict=True)))

    def fetch(self, night: int) -> None:
        """Every listing, then the detail fetches the planner chooses within what is left."""
        spent = listing_requests(self.rows, self.page_size)
        candidates = self.candidates(night)
        choice = choose(candidates, max(0, self.budget - spent))
        got = np.array([int(c.key) for c in choice.fetch], dtype=np.int64)
        self.fetched_at[got] = night
        self.stage_fetched[got] = self.stage[got]
        for p in got.tolist():
            for day in self.pending.pop(p, ()):
                self.lags["national"].add(night - day)
                if self.watched[p]:
                    self.lags["watched"].add(night - day)
        self.nightly.append({
            "listing": spent, "details": choice.requests, "due": len(candidates),
            # what the rows that became new or changed today need (their wait is 0 nights)
            "demand": sum(c.cost for c in candidates
                          if c.nights_waiting == 0 and c.reason != "unfinished"),
            "deferred": len(choice.deferred), "fetched": len(choice.fetch),
            "deferred_watched": sum(c.watched for c in choice.deferred)})

    def finish(self, nights: int) -> None:
        """A change never seen is a miss, unless it happened in the last 3 nights."""
        for p, days in self.pending.items():
            for day in days:
                if day <= nights - 3:
                    self.lags["national"].unseen += 1
                    if self.watched[p]:
                        self.lags["watched"].unseen += 1


def stage_costs() -> np.ndarray:
    """The pages a fetch asks, by (list, stage now, stage last fetched + 1; 0: never), as
    ``spse.pages_due`` counts them: a fetch at a stage asks every page opened and not settled
    then, so a page's last reading is at that stage or settled before it."""
    names = (TENDER_STAGES, TENDER_STAGES, RECORD_STAGES, RECORD_STAGES, RECORD_STAGES)
    table = np.zeros((len(LISTS), len(TENDER_STAGES), len(TENDER_STAGES) + 1), dtype=np.int64)
    for k, (jenis, stages) in enumerate(zip(LISTS, names, strict=True)):
        done = (TENDER_DONE, TENDER_FAILED) if k <= 1 else (RECORD_DONE,)
        at = [stage_of(t, final=s in done) for s, t in enumerate(stages)]
        for now in range(len(stages)):
            table[k, now, 0] = len(pages_due(jenis, at[now]))
            for then in range(len(stages)):
                read = dict.fromkeys(pages_due(jenis, at[then]), at[then])
                table[k, now, then + 1] = len(pages_due(jenis, at[now], read))
    return table


def simulate(args: argparse.Namespace, *, every_page: bool) -> Year:
    year = Year(args, every_page=every_page)
    for night in range(args.nights):
        year.advance(night)
        year.fetch(night)
    year.finish(args.nights)
    return year


NIGHTLY_ROWS = (("requests: listings", "listing"),
                ("requests: detail pages (sessions included)", "details"),
                ("requests that the rows new or changed that day need", "demand"),
                ("packages due a detail fetch", "due"),
                ("deferred to the next night", "deferred"),
                ("of them in watched regions", "deferred_watched"))


def _mean(nightly: list[dict[str, int]], key: str) -> float:
    return sum(n[key] for n in nightly) / len(nightly)


def _peak(nightly: list[dict[str, int]], key: str) -> int:
    return max(n[key] for n in nightly)


def _lag_rows(year: Year, label: str) -> list[str]:
    watched, national = year.lags["watched"], year.lags["national"]
    w1, n3 = watched.within(1), national.within(3)
    return [
        (f"| {label}: watched regions | {w1:.1%} | {watched.within(3):.1%} | "
         f"{watched.total:,} | 100% within 1 night | "
         f"{'met' if w1 >= TARGET_WATCHED_1 else '**not met**'} |"),
        (f"| {label}: national | {national.within(1):.1%} | {n3:.1%} | {national.total:,} | "
         f"≥ 90% within 3 nights | {'met' if n3 >= TARGET_NATIONAL_3 else '**not met**'} |"),
    ]


def section(args: argparse.Namespace, year: Year, before: Year, seconds: float) -> str:
    nightly = year.nightly
    budget_left = args.budget - _mean(nightly, "listing")
    lines = [
        SECTION, "",
        (f"Written by `python -m bench.spse_national`: {args.lpse} LPSE on one host, "
         f"{args.packages:,} packages in {args.nights} nights "
         f"({int(year.watched.sum()):,} of them in the {args.watched} watched LPSE), a budget "
         f"of {args.budget:,} requests a night, planned by `connectors/spse_budget.choose` "
         "(the nightly run's planner); the model is in the module docstring. "
         f"{seconds:.0f} s on one core for both runs."), "",
        *machine(), "",
        ("| stage changes seen by a detail fetch | within 1 night | within 3 nights | changes "
         "| target | |"),
        "|---|---:|---:|---:|---|---|",
        *_lag_rows(year, "pantau now"),
        *_lag_rows(before, "before: every detail page at each fetch"), "",
        "| pantau now, a night | mean | peak |", "|---|---:|---:|",
        *(f"| {label} | {_mean(nightly, key):,.0f} | {_peak(nightly, key):,} |"
          for label, key in NIGHTLY_ROWS), "",
        ("A fetch asks the pages a package's stage has opened and not settled "
         "(`connectors/spse.PAGE_STAGES`): a new tender its announcement, participants and "
         "schedule, then at each stage change the pages it fills (participants, offers and "
         "evaluation, winner, contract) and the schedule; a record its payments page until "
         "it is finished. The comparison row keeps the planner and the listings and asks "
         "every detail page of a package at each fetch, as the connector did before. Mean "
         "detail pages a fetch: "
         f"{_mean(nightly, 'details') / max(_mean(nightly, 'fetched'), 1):.2f} now, "
         f"{_mean(before.nightly, 'details') / max(_mean(before.nightly, 'fetched'), 1):.2f} "
         "before (sessions included)."), "",
    ]
    national, watched = year.lags["national"], year.lags["watched"]
    misses = []
    if watched.within(1) < TARGET_WATCHED_1:
        misses.append(f"watched regions: up to {_peak(nightly, 'deferred_watched'):,} of their "
                      "packages were deferred in a night: the listings and the watched "
                      "candidates alone exceed the budget then")
    if national.within(3) < TARGET_NATIONAL_3:
        misses.append(
            f"nationally, the new and changed rows of a night need "
            f"{_mean(nightly, 'demand'):,.0f} detail requests on average "
            f"({_peak(nightly, 'demand'):,} at the peak) where {budget_left:,.0f} are left "
            f"after the listings ({_mean(nightly, 'listing'):,.0f}: each of the "
            f"{args.lpse * len(LISTS):,} listings costs its session and its empty last page "
            "asked twice, besides its pages of rows). So a backlog builds and the deferred "
            "packages wait their turn, "
            f"oldest first: {national.seen[3]:,} of the {national.total:,} changes were seen "
            f"after more than 3 nights, {national.unseen:,} not by the year's end")
    if misses:
        lines += ["Why a target is missed (measured): " + "; ".join(misses) + ".", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lpse", type=int, default=700)
    parser.add_argument("--packages", type=int, default=1_000_000)
    parser.add_argument("--watched", type=int, default=36)
    parser.add_argument("--budget", type=int, default=DEFAULT_MAX_REQUESTS_PER_NIGHT)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args()
    # The candidates hold no reference cycles; the collector would walk the millions of them
    # made in a year again and again (without it the two runs take 45% less time).
    gc.disable()
    started = time.perf_counter()
    year = simulate(args, every_page=False)
    before = simulate(args, every_page=True)
    text = section(args, year, before, time.perf_counter() - started)
    report_section(SECTION, text, RESULTS, write=not args.no_write)


if __name__ == "__main__":
    main()
