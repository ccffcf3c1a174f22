"""Every source pantau knows, in one list: each part of the pipeline reads it.

``models/db.py`` creates a raw table for every dataset of every source (an unconfigured source
is simply empty), ``models/loader.py`` lands a batch in ``batch.table``, ``flows/config.py``
types ``[sources.<name>]`` from each source's settings class (and the generated
docs/configuration.md documents it), and ``flows/steps.py`` plans and fetches the nightly jobs
of every enabled source by iterating ``SOURCES``.

How to add a source:

1. Write its connector module in ``connectors/`` (it knows nothing about the database). Its
   ``Batch`` objects name their raw table (``table=...``).
2. At the bottom of the module declare it once: a settings dataclass for ``[sources.<name>]``
   (``@with_config(ConfigDict(extra="forbid"))``, each field ``Annotated[type,
   Field(description=...)] = default``, an ``enabled`` flag and ``http(shared)`` giving its
   ``HttpSettings``), ``plan(settings, request) -> list[Job]`` and ``fetch_job(job, settings,
   client)``, and ``SPEC = Source(name, {dataset: raw table}, Settings, plan, fetch_job)``
   (``review=`` for notices once the night has landed, e.g. INAPROC's check of region codes).
   A secret the fetch sends goes in ``Job.credential`` (from ``request.secrets``), never in
   ``Job.target``.
3. Add ``SPEC`` to ``SOURCES`` below.
4. Read its raw table in a core SQL file (``sql/core/``) and, for the tests and benchmarks, serve
   it from the simulator (``pantau/simulator/``); run ``make docs`` for docs/configuration.md.
"""

from __future__ import annotations

from pantau.connectors import inaproc, inspectorates, isb, ocds, spse
from pantau.connectors.base import Source

SOURCES: tuple[Source, ...] = (isb.SPEC, spse.SPEC, ocds.SPEC, inaproc.SPEC, inspectorates.SPEC)
BY_NAME = {s.name: s for s in SOURCES}
# What the nightly run fetches (the others have steps of their own).
FETCHED = tuple(s for s in SOURCES if s.plan is not None and s.fetch is not None)
RAW_TABLES: tuple[str, ...] = tuple(t for s in SOURCES for t in s.raw_tables)
