"""`pantau doctor`: is this machine ready for tonight's run? Each check gives a one-line verdict
and, when it fails, what to do.

The checks, in order: the config parses and every key is known; the secrets file is outside the
repository and not world-readable; each enabled source answers (its probe below asks what the
night would ask first: a token, a slug, a list); the regions' codes agree with LKPP's master
lists where they answer; the alert channels (a test message with ``send_test``); the warehouse
opens at the current schema version with room for another night; the Prefect home is writable.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from pantau.connectors import inaproc, isb, ocds, spse
from pantau.connectors import inspectorates as register
from pantau.connectors.base import Region, SourceError
from pantau.connectors.http import HttpClient, Redactor
from pantau.flows.config import Config, ConfigError, load_config, load_secrets
from pantau.models import alerts
from pantau.registers import REGISTERS_PARENT

MIN_FREE_BYTES = 1 << 30  # at least 1 GB free, and twice the warehouse's size


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    verdict: str
    fix: str = ""


def diagnose(config: str | None, *, send_test: bool = False) -> list[Finding]:
    findings = [_secrets_file()]
    try:
        cfg = load_config(config)
    except ConfigError as exc:
        return [Finding("config", ok=False, verdict=str(exc), fix=(
            "correct the section and key named (docs/configuration.md lists every key)")),
            *findings]
    where = str(cfg.path) if cfg.path else "the embedded defaults"
    findings.insert(0, Finding("config", ok=True, verdict=f"{where}: every key known"))
    client = HttpClient(cfg.http, Redactor(cfg.secret_values()))
    for name, probe in PROBES.items():
        settings = cfg.source(name)
        if settings is not None:
            findings += list(probe(cfg, settings, client))
    if cfg.inspectorates is not None:
        findings += list(_registers(cfg, client))
    findings.append(_channels(cfg, send_test=send_test))
    findings.append(_warehouse(cfg))
    findings.append(_prefect_home())
    return findings


# --- the secrets file -----------------------------------------------------------------------


def _secrets_file() -> Finding:
    env = os.environ.get("PANTAU_SECRETS")
    if not env:
        return Finding("secrets file", ok=True,
                       verdict="none (PANTAU_SECRETS is not set): sources run without keys")
    path = Path(env).expanduser().resolve()
    repo = _repository_of(path)
    if repo is not None:
        return Finding("secrets file", ok=False, verdict=f"{path} is inside the repository {repo}",
                       fix="move it outside any checkout (e.g. ~/.config/pantau/secrets.toml) "
                           "and point PANTAU_SECRETS at it: a repository gets copied and shared")
    try:
        load_secrets()
    except ConfigError as exc:
        return Finding("secrets file", ok=False, verdict=str(exc),
                       fix="point PANTAU_SECRETS at a readable TOML file")
    if path.stat().st_mode & stat.S_IROTH:
        return Finding("secrets file", ok=False, verdict=f"{path} is readable by every user",
                       fix=f"chmod 600 {path}")
    return Finding("secrets file", ok=True, verdict=f"{path}: outside the repository, private")


def _repository_of(path: Path) -> Path | None:
    return next((p for p in path.parents if (p / ".git").exists()), None)


# --- sources --------------------------------------------------------------------------------


Probe = Callable[[Config, Any, HttpClient], Iterator[Finding]]


def _failed(check: str, exc: Exception, fix: str) -> Finding:
    unreachable = isinstance(exc, SourceError) and exc.status is None and not exc.body
    verdict = f"unreachable: {exc}" if unreachable else str(exc)
    return Finding(check, ok=False, verdict=verdict, fix=(
        "check this machine's network (proxy, DNS) and the source's base_url" if unreachable
        else fix))


def _isb(cfg: Config, settings: isb.IsbSettings, client: HttpClient) -> Iterator[Finding]:
    check = "source isb"
    try:
        masters = isb.fetch_master(client, settings.satudata_url, isb.MASTER_KLPD).records
    except SourceError as exc:
        yield _failed(check, exc, "check [sources.isb] satudata_url")
        return
    keyed = len(cfg.secrets.get("isb", {}).get("datasets", {}))
    yield Finding(check, ok=True, verdict=(
        f"satudata answers ({len(masters)} K/L/PD); {keyed} keyed dataset URL(s) in the secrets"))
    yield from _codes(cfg, masters)


def _codes(cfg: Config, masters: list[dict[str, Any]]) -> Iterator[Finding]:
    """Each region's kd_klpd against MasterKLPD, by name."""
    for region in cfg.regions:
        if not region.kd_klpd:
            continue
        try:
            listed = str(isb.match_by_name(region.name, masters, "nama_klpd")["kd_klpd"])
        except SourceError:
            yield Finding(f"codes {region.name}", ok=True,
                          verdict=f"{region.kd_klpd}: the name is not in MasterKLPD to compare")
            continue
        if listed != region.kd_klpd:
            yield Finding(f"codes {region.name}", ok=False,
                          verdict=f"kd_klpd {region.kd_klpd}, but MasterKLPD lists {listed}",
                          fix=f'set kd_klpd = "{listed}" for {region.name} (or check the name)')
        else:
            yield Finding(f"codes {region.name}", ok=True,
                          verdict=f"kd_klpd {listed} agrees with MasterKLPD")


def _spse(cfg: Config, settings: spse.SpseSettings, client: HttpClient) -> Iterator[Finding]:
    polite = HttpClient(settings.http(cfg.http), Redactor(cfg.secret_values()))
    del client
    for region in cfg.regions:
        check = f"source spse {region.spse_slug or region.name}"
        if not region.spse_slug:
            yield Finding(check, ok=True, verdict=f"{region.name} has no spse_slug: not scraped")
            continue
        try:
            spse.Portal(polite, settings.base_url, region.spse_slug).open()
        except SourceError as exc:
            yield _failed(check, exc, f"set spse_slug of {region.name} to its entry in LKPP's "
                                      "slug list (sources.md §1.1)")
            continue
        yield Finding(check, ok=True, verdict="the slug exists and its session token was read")


def _ocds(cfg: Config, settings: ocds.OcdsSettings, client: HttpClient) -> Iterator[Finding]:
    polite = HttpClient(settings.http(cfg.http), Redactor(cfg.secret_values()))
    del client
    for location in settings.publications:
        check = f"source ocds {ocds.publication_name(str(location))}"
        try:
            batch = ocds.fetch_publication(polite, str(location), base=cfg.base)
        except SourceError as exc:
            yield _failed(check, exc, "check the publication's URL or path in [sources.ocds]")
            continue
        yield Finding(check, ok=True, verdict=f"{len(batch.keys)} compiled release(s)")
    if settings.opentender_lpse:
        check = "source ocds opentender"
        try:
            codes = ocds.opentender_lpse_codes(polite, settings.opentender_url, cfg.years[-1])
        except SourceError as exc:
            yield _failed(check, exc, "opentender.net may be down (it answered 502 in 2026): "
                                      "disable opentender_lpse until it returns")
            return
        missing = [c for c in settings.opentender_lpse if str(c) not in codes]
        yield Finding(check, ok=not missing, verdict=(
            f"LPSE list answers; not in it: {', '.join(missing)}" if missing
            else "LPSE list answers and has every configured code"),
            fix="use codes from opentender's own LPSE list" if missing else "")


def _inaproc(cfg: Config, settings: inaproc.InaprocSettings,
             client: HttpClient) -> Iterator[Finding]:
    """The token is accepted and which datasets it grants (one ``limit=1`` request per dataset
    for the first region and year); each region's kd_klpd against LKPP's satker list."""
    check = "source inaproc"
    token = str(cfg.secrets.get("inaproc", {}).get("token") or "")
    if not token:
        yield Finding(check, ok=False, verdict=inaproc.NO_TOKEN, fix=(
            'get one in the Developer Portal and set [inaproc] token = "..." in the secrets '
            "file (docs/inaproc.md)"))
        return
    regions = [r for r in cfg.regions if r.kd_klpd]
    if not regions:
        yield Finding(check, ok=False, verdict="no region has a kd_klpd to ask the gateway for",
                      fix="set kd_klpd of each [[regions]] entry (LKPP's K/L/PD code)")
        return
    inaproc.forget_blocks()  # a firewall met by an earlier probe is asked again

    def ask(path: str, kd_klpd: str) -> list[Any]:
        return inaproc.probe(client, inaproc.BY_PATH[path], base_url=settings.base_url,
                             api=settings.api, token=token, kd_klpd=kd_klpd, year=cfg.years[0])

    refused: list[str] = []
    for path in settings.datasets:
        try:
            ask(path, str(regions[0].kd_klpd))
        except SourceError as exc:
            if inaproc.FIREWALL in str(exc):
                yield Finding(check, ok=False, verdict=str(exc), fix=(
                    "register this machine's public IP with LKPP in the Developer Portal, or "
                    "run pantau from a registered machine (docs/inaproc.md)"))
                return
            if exc.status != 403:  # "not granted" is the gateway's 403
                yield _failed(check, exc, "check the token (401: missing or expired) and "
                                          "[sources.inaproc] base_url")
                return
            refused.append(path)
    granted = len(settings.datasets) - len(refused)
    if refused:
        yield Finding(check, ok=False, verdict=(
            f"the token is granted {granted} of {len(settings.datasets)} dataset(s); not "
            f"granted (HTTP 403): {', '.join(refused)}"), fix=(
            "tick those APIs for the token in the Developer Portal (and register this "
            "machine's IP), or leave them out of [sources.inaproc] datasets"))
    else:
        yield Finding(check, ok=True, verdict=(
            f"the token is accepted and granted all {granted} dataset(s)"))
    if inaproc.MASTER_SATKER.path not in refused:
        yield from _inaproc_codes(regions, ask)


def _inaproc_codes(regions: list[Region],
                   ask: Callable[[str, str], list[Any]]) -> Iterator[Finding]:
    """Each region's kd_klpd against the nama_klpd of LKPP's satker list, where it answers."""
    for region in regions:
        try:
            satkers = ask(inaproc.MASTER_SATKER.path, str(region.kd_klpd))
        except SourceError:
            continue  # compared only when the satker list answers
        if not satkers:
            continue
        notices = inaproc.region_name_notices([region], satkers)
        yield Finding(f"codes {region.name}", ok=not notices, verdict=(
            notices[0].removeprefix("inaproc: ") if notices
            else f"kd_klpd {region.kd_klpd} agrees with LKPP's satker list"), fix=(
            f"check kd_klpd of {region.name} (or its name)" if notices else ""))


PROBES: dict[str, Probe] = {"isb": _isb, "spse": _spse, "ocds": _ocds, "inaproc": _inaproc}


def _registers(cfg: Config, client: HttpClient) -> Iterator[Finding]:
    assert cfg.inspectorates is not None  # noqa: S101 - checked by the caller
    for index, entry in enumerate(cfg.inspectorates.sources):
        raw = entry.model_dump(exclude_none=True)
        try:
            source = register.source_from_config(raw, cfg.base, REGISTERS_PARENT, index)
            batch = register.fetch(client, source)
        except SourceError as exc:
            yield _failed(f"register #{index + 1}", exc,
                          "check its url or path in [inspectorates] sources")
            continue
        yield Finding(f"register {source.name}", ok=True,
                      verdict=f"{len(batch.keys)} row(s), {len(batch.rejected)} rejected")


# --- channels, warehouse, Prefect -----------------------------------------------------------


def _channels(cfg: Config, *, send_test: bool) -> Finding:
    channels = alerts.channels(cfg.secrets)
    if not channels:
        return Finding("alert channels", ok=True, verdict=(
            "none configured (the secrets file's [alerts] channels): alerts wait in the outbox"))
    if not send_test:
        return Finding("alert channels", ok=True, verdict=(
            f"{len(channels)} configured, not tried (--send-test sends each a test message)"))
    send = alerts.AppriseSender(alerts.redactor(cfg.secret_values(), channels))
    failed = [f"{channel}: {error}"
              for channel, error in alerts.send_test(channels, cfg.alerts.language, send) if error]
    if failed:
        return Finding("alert channels", ok=False, verdict="; ".join(failed),
                       fix="check the channel URLs in the secrets file's [alerts] channels")
    return Finding("alert channels", ok=True,
                   verdict=f"{len(channels)} channel(s) accepted a test message")


def _warehouse(cfg: Config) -> Finding:
    path = cfg.database_path
    folder = next((p for p in (path, *path.parents) if p.exists()), Path())
    need = MIN_FREE_BYTES + (2 * path.stat().st_size if path.exists() else 0)
    free = shutil.disk_usage(folder).free
    if free < need:
        return Finding("warehouse", ok=False,
                       verdict=f"{free >> 20} MB free at {folder}, the next night needs "
                               f"{need >> 20} MB", fix="free disk space or move [database] path")
    if not path.exists():
        return Finding("warehouse", ok=True, verdict=(
            f"{path} does not exist yet (the first run creates it); {free >> 30} GB free"))
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            version = con.execute("SELECT max(version) FROM ops.schema_version").fetchone()
    except duckdb.Error as exc:
        lock = "lock" in str(exc).lower()
        return Finding("warehouse", ok=False, verdict=str(exc).splitlines()[0], fix=(
            "another process holds it (a run?): try again when it ends" if lock
            else f"restore {path} from the last analyst copy, or move it away and rerun"))
    return Finding("warehouse", ok=True, verdict=(
        f"{path} opens (schema version {version[0] if version else '?'}); {free >> 30} GB free"))


def _prefect_home() -> Finding:
    from prefect.settings import get_current_settings  # noqa: PLC0415 - slow to import

    home = Path(get_current_settings().home).expanduser()  # prefect.toml, PREFECT_HOME, ~/.prefect
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home):
            pass
    except OSError as exc:
        return Finding("prefect home", ok=False, verdict=f"{home} is not writable: {exc}",
                       fix="set PREFECT_HOME to a folder this user can write (prefect.toml: home)")
    return Finding("prefect home", ok=True, verdict=f"{home} is writable")
