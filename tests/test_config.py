"""The typed configuration: unknown keys named with their section, overlay on the embedded
defaults, the budget-year default, bad types, and docs/configuration.md in step with the code."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pantau.connectors.http import HttpSettings
from pantau.flows import config
from pantau.flows.config import ConfigError, build_config, load_config, overlay

from pantau.web.settings import web_settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = tomllib.loads(config.DEFAULT_CONFIG.read_text(encoding="utf-8"))

# A misspelt key in each section, and how the error names its section.
MISSPELT = [
    ({"database": {"paht": "x.duckdb"}}, "'paht' in [database]"),
    ({"run": {"max_worker": 3}}, "'max_worker' in [run]"),
    ({"http": {"timeout": 5}}, "'timeout' in [http]"),
    ({"regions": [{"name": "Kota Semarang", "kd_lpes": 1}]}, "'kd_lpes' in [[regions]] #1"),
    ({"sources": {"isb": {"satudata": "http://x"}}}, "'satudata' in [sources.isb]"),
    ({"sources": {"spse": {"page_sise": 10}}}, "'page_sise' in [sources.spse]"),
    ({"sources": {"ocds": {"publication": []}}}, "'publication' in [sources.ocds]"),
    ({"sources": {"inaproc": {"page_sise": 10}}}, "'page_sise' in [sources.inaproc]"),
    ({"alerts": {"retry_day": 3}}, "'retry_day' in [alerts]"),
    ({"schedule": {"nightlyy": "0 2 * * *"}}, "'nightlyy' in [schedule]"),
    ({"alerts": {"metrics": [{"metric": "m", "above": 1, "satkr": True}]}},
     "'satkr' in [[alerts.metrics]] #1"),
    ({"inspectorates": {"wacth": []}}, "'wacth' in [inspectorates]"),
    ({"inspectorates": {"sources": [{"path": "a.csv", "fromat": "csv"}]}},
     "'fromat' in [[inspectorates.sources]] #1"),
    ({"web": {"query_timeout": 5}}, "'query_timeout' in [web]"),
]


@pytest.mark.parametrize(("raw", "named"), MISSPELT, ids=[m[1] for m in MISSPELT])
def test_a_misspelt_key_names_its_section_and_key(raw: dict, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_config(raw)
    assert str(info.value) == f"config: unknown key {named}"


def test_misspelt_indicator_settings_are_named_too() -> None:
    with pytest.raises(ConfigError, match=r"^config: unknown setting\(s\) in \[indicators\]: "
                                          "id_c03_window_dayz"):
        build_config({"indicators": {"id_c03_window_dayz": 30}})
    with pytest.raises(ConfigError, match=r"^config: \[indicators.cardinal\] .*'enable'"):
        build_config({"indicators": {"cardinal": {"enable": ["R003"]}}})


@pytest.mark.parametrize("section", ["metrics", "report", "schedules", "sourcez"])
def test_sections_nothing_reads_are_unknown(section: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_config({section: {}})
    assert str(info.value) == f"config: unknown section [{section}]"


def test_every_section_of_the_model_is_covered_by_a_misspelling() -> None:
    covered = {next(iter(raw)) for raw, _ in MISSPELT} | {"indicators"}
    assert covered == set(config.ConfigFile.model_fields)
    sources = {next(iter(raw["sources"])) for raw, _ in MISSPELT if "sources" in raw}
    assert sources == set(config.SourcesSection.model_fields)


@pytest.mark.parametrize(("raw", "message"), [
    ({"http": {"timeout_seconds": "soon"}}, "config: [http] timeout_seconds: must be a number"),
    ({"run": {"max_workers": "four"}}, "config: [run] max_workers: must be a whole number"),
    ({"run": {"years": 2025}}, "config: [run] years: must be a list"),
    ({"run": {"task_runner": "processes"}},
     "config: [run] task_runner: must be 'threads' or 'dask'"),
    ({"run": {"memory_limit": "lots"}}, "config: [run] memory_limit: must be a size such as '1GB'"),
    ({"sources": {"isb": {"enabled": "yes please"}}},
     "config: [sources.isb] enabled: must be true or false"),
    ({"alerts": {"metrics": [{"metric": "m"}]}},
     "config: [[alerts.metrics]] #1: metric 'm': give exactly one of above or below"),
    ({"alerts": {"language": "fr"}}, "config: [alerts] language: must be 'id' or 'en'"),
    ({"run": {"years": []}},
     "config: [run] years must list at least one budget year, e.g. years = [2025]"),
    ({"regions": [{"name": "A"}, {"name": "A"}]}, "config: two [[regions]] share a name"),
    ({"regions": [{"kd_klpd": "D107"}]}, "config: every [[regions]] entry needs a name"),
    ({"regions": [{"name": "A", "kd_lpse": "x"}]},
     "config: [[regions]] #1 kd_lpse: must be a whole number"),
    ({"sources": {"inaproc": {"api": "v2"}}},
     'config: [sources.inaproc]: api must be "v1" or "legacy", not \'v2\''),
    ({"sources": {"inaproc": {"datasets": ["tender/pengumuman", "tender/pengumman"]}}},
     "config: [sources.inaproc]: unknown dataset(s) tender/pengumman (known: docs/inaproc.md)"),
    ({"web": {"query_timeout_seconds": 0}},
     "config: [web] query_timeout_seconds: must be greater than 0"),
    ({"web": {"max_rows_shown": "all"}}, "config: [web] max_rows_shown: must be a whole number"),
])
def test_bad_values_are_one_line_errors(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_config(raw)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pantau.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_only_inspectorates_loads_over_the_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, '[inspectorates]\nwatch = ["Kota Semarang"]\n'
                            'sources = [{path = "mine.csv", name = "mine"}]\n')
    cfg = load_config(path)
    assert cfg.inspectorates is not None
    assert cfg.inspectorates.watch == ("Kota Semarang",)
    assert [s.name for s in cfg.inspectorates.sources] == ["mine"]  # arrays replace
    assert [r.name for r in cfg.regions] == [r["name"] for r in DEFAULTS["regions"]]
    assert cfg.years == (datetime.now(ZoneInfo("Asia/Jakarta")).year,)
    assert cfg.source("inaproc") is not None  # LKPP's live source, on in the defaults
    assert cfg.source("isb") is None  # switched off by LKPP: off in the defaults
    assert cfg.source("spse") is None  # off in the defaults
    assert [(r.kd_klpd, r.kd_lpse, r.spse_slug) for r in cfg.regions] == [
        ("D122", 42, "jatengprov"), ("D129", 108, "semarangkota")]  # the verified codes
    assert cfg.database_path == tmp_path / config.DatabaseSection().path
    assert cfg.analyst_path == tmp_path / "var" / "pantau-analyst.duckdb"


def test_web_paths_are_read_beside_the_config_file(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, '[web]\ncases_path = "follow-up/cases.sqlite"\n'
                                       "session_idle_minutes = 15\n"))
    assert cfg.cases_path == tmp_path / "follow-up" / "cases.sqlite"
    assert cfg.web.session_idle_minutes == 15
    default = config.WebSection.model_fields["users_file"].default
    assert web_settings(cfg).users_file == tmp_path / default  # the rest keep their defaults
    assert web_settings(cfg).query_timeout_seconds == 30  # issue 17: "default 30"


def test_the_budget_year_defaults_to_this_year_in_jakarta() -> None:
    # Asked twice around the call, so that a run across midnight in Jakarta cannot fail it.
    before = datetime.now(ZoneInfo("Asia/Jakarta")).year
    years = build_config({}).years
    after = datetime.now(ZoneInfo("Asia/Jakarta")).year
    assert years in {(before,), (after,)}
    assert build_config({"run": {"years": [2023, 2024]}}).years == (2023, 2024)


def test_overlay_merges_tables_and_replaces_arrays(tmp_path: Path) -> None:
    assert overlay({"a": {"x": 1, "y": [1, 2]}, "b": 1}, {"a": {"y": [3]}, "c": 2}) == {
        "a": {"x": 1, "y": [3]}, "b": 1, "c": 2}
    path = _write(tmp_path, '[sources.spse]\nenabled = true\nlists = ["pl"]\n'
                            '[[regions]]\nspse_slug = "bandungkab"\n'
                            "[http]\ntimeout_seconds = 7\n")
    cfg = load_config(path)
    spse = cfg.source("spse")
    assert spse is not None
    assert spse.lists == ("pl",)
    assert spse.base_url == "https://spse.inaproc.id"  # the model's default, not the file's
    assert [r.name for r in cfg.regions] == ["bandungkab"]  # [[regions]] replace
    assert cfg.http == HttpSettings(timeout_seconds=7)  # the other [http] keys keep defaults
    assert cfg.inspectorates is not None  # still the defaults' register
    assert list(cfg.inspectorates.watch) == DEFAULTS["inspectorates"]["watch"]


def test_lookup_order_and_the_defaults_alone(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PANTAU_CONFIG", raising=False)
    assert load_config().path is None  # nothing found: the embedded defaults alone
    local = _write(tmp_path, "[run]\nyears = [2021]\n")
    assert load_config().years == (2021,)
    env = tmp_path / "env.toml"
    env.write_text("[run]\nyears = [2022]\n", encoding="utf-8")
    monkeypatch.setenv("PANTAU_CONFIG", str(env))
    assert load_config().years == (2022,)
    assert load_config(local).years == (2021,)  # --config wins


def test_secrets_are_read_but_never_printed(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[alerts]\nchannels = ["tgram://123456:SECRETTOKEN/42"]\n',
                       encoding="utf-8")
    monkeypatch.setenv("PANTAU_SECRETS", str(secrets))
    cfg = load_config(_write(tmp_path, "[run]\nyears = [2025]\n"))
    assert "tgram://123456:SECRETTOKEN/42" in cfg.secret_values()
    assert "SECRETTOKEN" not in repr(cfg)


def test_each_layer_gets_its_own_settings() -> None:
    cfg = build_config({"run": {"max_workers": 3}, "sources": {"spse": {}},
                        "http": {"max_attempts": 2}})
    spse = cfg.source("spse")
    polite = spse.http(cfg.http)
    assert (polite.per_host_concurrency, polite.min_interval_seconds) == (
        spse.per_host_concurrency, spse.min_interval_seconds)
    assert polite.max_attempts == 2  # the rest is [http]'s
    assert cfg.run.in_flight == 6  # twice max_workers unless set


def test_configuration_doc_is_generated_from_the_models() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert doc == config.configuration_markdown(), "run `make docs` and commit the result"
    for section, model in (("[run]", config.RunSection), ("[database]", config.DatabaseSection)):
        assert f"## `{section}`" in doc
        for key in model.model_fields:
            assert f"| `{key}` |" in doc
