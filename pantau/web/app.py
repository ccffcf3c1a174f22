"""`pantau serve`: the web workbench, a Starlette application rendered on the server.

Pages work without JavaScript and the Content-Security-Policy forbids any script; the one CSS
file is served by pantau. Reads go to the published analyst copy through the same hardened
read-only connection as ``pantau sql``; follow-up cases go to their own SQLite store
(``models.cases``), committed before the answer is sent.

Who may enter: with no users configured the server is for the person at the machine (the
command binds only loopback then); with users every page but the login needs a signed session
cookie. Every POST carries the session's ``csrf_token`` or is refused with 403.
"""

from __future__ import annotations

import asyncio
import getpass
import hmac
import secrets
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import pyarrow as pa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pantau.errors import UserError
from pantau.flows.config import Config
from pantau.models import cases
from pantau.web import i18n, queries, users
from pantau.web.library import (
    connect_analyst,
    find_question,
    fmt_metric,
    fmt_number,
    fmt_rp,
    metric_label,
    run_sql,
    saved_questions,
    spse_url,
    views_from_db,
    write_result,
)
from pantau.web.settings import WebSettings, web_settings

HERE = Path(__file__).parent
SESSION_COOKIE = "pantau_session"
LANG_COOKIE = "lang"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
OPEN_PATHS = ("/login", "/static/")
# Failed logins: each one doubles the wait before the next check of that name, up to the cap.
LOGIN_BASE_DELAY = 0.5
LOGIN_MAX_DELAY = 10.0
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class Analyst:
    """The analyst copy, reopened when a publish has replaced the file (a rename gives a new
    inode); each request works on a cursor of its own, which a timer can interrupt."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise UserError(f"no analyst copy at {self.path}: run `pantau run` "
                            "(or `pantau demo`) first") from None
        with self._lock:
            if self._con is None or self._stamp != (st.st_ino, st.st_mtime_ns):
                self._con = connect_analyst(self.path)  # the old one closes with its last cursor
                self._stamp = (st.st_ino, st.st_mtime_ns)
            return self._con.cursor()


@dataclass
class Web:
    cfg: Config
    settings: WebSettings
    local_user: str
    analyst: Analyst
    signer: URLSafeTimedSerializer
    env: Environment
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def users(self) -> dict[str, str]:
        return users.load(self.settings.users_file)  # read each time: `users add` needs no restart


def create_app(cfg: Config, settings: WebSettings | None = None) -> Starlette:
    settings = settings or web_settings(cfg)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(fmt_rp=rupiah, fmt_number=fmt_number, fmt_metric=fmt_metric,
                       metric_label=metric_label, OUTCOMES=cases.OUTCOMES,
                       ACTION_KINDS=cases.ACTION_KINDS, CHANNELS=cases.CHANNELS,
                       SUBJECT_KINDS=cases.SUBJECT_KINDS)
    env.filters["href"] = web_link
    web = Web(cfg, settings, getpass.getuser(), Analyst(cfg.analyst_path),
              URLSafeTimedSerializer(secrets.token_bytes(32), salt="pantau-session"), env)
    routes = [
        Route("/", home), Route("/tenders", tenders),
        Route("/tenders/download/{fmt}", tenders_download),
        Route("/process/{source}/{kind}/{source_id:path}", process_page),
        Route("/supplier/{npwp}", supplier_page), Route("/agency/{kd_klpd}", agency_page),
        Route("/sql", sql_page, methods=["GET", "POST"]),
        Route("/cases", cases_page, methods=["GET", "POST"]),
        Route("/cases/{case_id:int}", case_page),
        Route("/cases/{case_id:int}/{what}", case_update, methods=["POST"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Gate)],
                    exception_handlers={HTTPException: http_error, UserError: user_error})
    app.state.web = web
    return app


def rupiah(value: object, lang: str) -> str:
    return fmt_rp(None if value is None else float(value), lang)  # type: ignore[arg-type]


def web_link(url: object) -> str:
    """Links taken from the data: only http(s), never ``javascript:`` or ``data:``."""
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else "#"


# ---------------------------------------------------------------- sessions, login, CSRF, headers


def _web(request: Request) -> Web:
    return request.app.state.web


class Gate(BaseHTTPMiddleware):
    """The session (signed, idle expiry), the language, the login wall and the headers."""

    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        web = _web(request)
        session: dict[str, Any] = {}
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            try:
                session = web.signer.loads(cookie, max_age=web.settings.session_idle_minutes * 60)
            except BadSignature:  # tampered, from another server run, or idle too long
                session = {}
        session.setdefault("csrf", secrets.token_urlsafe(32))
        request.state.session = session
        lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "id"
        request.state.lang = lang if lang in i18n.LANGUAGES else "id"
        known = web.users
        request.state.has_users = bool(known)
        if known and session.get("user") not in known and \
                not request.url.path.startswith(OPEN_PATHS):
            if request.method == "GET":
                response: Response = RedirectResponse(
                    "/login?" + urlencode({"next": request.url.path}), status_code=303)
            else:
                response = Response("login required", status_code=403)
        else:
            response = await call_next(request)
        secure = request.url.scheme == "https"
        # re-signed on every answer: the idle expiry counts from the last request
        response.set_cookie(SESSION_COOKIE, web.signer.dumps(request.state.session),
                            httponly=True, samesite="lax", secure=secure, path="/")
        if "lang" in request.query_params:
            response.set_cookie(LANG_COOKIE, request.state.lang, httponly=True, samesite="lax",
                                secure=secure, path="/", max_age=365 * 86400)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response


async def checked_form(request: Request) -> FormData:
    """The posted form, or 403 when its ``csrf_token`` is not this session's."""
    form = await request.form()
    token = str(form.get("csrf_token", ""))
    if not hmac.compare_digest(token.encode(), request.state.session["csrf"].encode()):
        raise HTTPException(403, "the form's csrf_token is missing or wrong: reload the page")
    return form


def who(request: Request) -> str:
    return request.state.session.get("user") or _web(request).local_user


def page(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:  # noqa: ANN401
    web = _web(request)
    lang = request.state.lang
    html = web.env.get_template(template).render(
        t=i18n.TEXT[lang], lang=lang, csrf=request.state.session["csrf"],
        user=request.state.session.get("user"), has_users=request.state.has_users,
        path=request.url.path, query=str(request.url.query), **ctx)
    return HTMLResponse(html, status_code=status_code)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    if not hasattr(request.state, "session"):
        return Response(exc.detail, status_code=exc.status_code)
    return page(request, "error.html", exc.status_code, message=exc.detail)


async def user_error(request: Request, exc: Exception) -> Response:
    return page(request, "error.html", 400, message=str(exc))


async def login(request: Request) -> Response:
    web = _web(request)
    nxt = request.query_params.get("next", "/")
    nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/"
    if request.method == "GET":
        return page(request, "login.html", next=nxt)
    form = await checked_form(request)
    name = str(form.get("user", ""))[:64]
    # counted per name and per client address: guessing many names from one place is slowed too
    keys = (f"user:{name}", f"client:{request.client.host if request.client else ''}")
    failed = max(web.failures.get(k, 0) for k in keys)
    if failed:
        await asyncio.sleep(min(LOGIN_BASE_DELAY * 2 ** (failed - 1), LOGIN_MAX_DELAY))
    ok = await asyncio.to_thread(users.verify, web.users, name, str(form.get("password", "")))
    if not ok:
        for k in keys:
            web.failures[k] = web.failures.get(k, 0) + 1
        return page(request, "login.html", 401, next=nxt, failed=True)
    for k in keys:
        web.failures.pop(k, None)
    request.state.session = {"user": name, "csrf": secrets.token_urlsafe(32)}  # a fresh session
    return RedirectResponse(nxt, status_code=303)


async def logout(request: Request) -> Response:
    await checked_form(request)
    request.state.session = {"csrf": secrets.token_urlsafe(32)}
    return RedirectResponse("/login" if request.state.has_users else "/", status_code=303)


# ------------------------------------------------------------------------------------ pages


def _cursor(request: Request) -> duckdb.DuckDBPyConnection:
    return _web(request).analyst.cursor()


def _slug(web: Web, kd_klpd: str | None) -> str | None:
    return next((r.spse_slug for r in web.cfg.regions if r.kd_klpd and r.kd_klpd == kd_klpd),
                None)


async def home(request: Request) -> Response:
    web = _web(request)
    with _cursor(request) as con:
        regions = [(kd, name, queries.scorecard(con, kd)) for kd, name in queries.watched_codes(
            con, [(r.name, r.kd_klpd) for r in web.cfg.regions])]
        data = queries.home(con)
    published = datetime.fromtimestamp(web.cfg.analyst_path.stat().st_mtime, UTC)
    open_cases = cases.list_cases(web.settings.cases_path, status="open")
    today = datetime.now(UTC).date().isoformat()
    overdue = [c for c in open_cases if c["deadline"] and c["deadline"] < today]
    return page(request, "home.html", regions=regions, published=published,
                open_cases=open_cases, overdue=overdue, **data)


async def tenders(request: Request) -> Response:
    s = queries.Search.of(request.query_params)
    with _cursor(request) as con:
        table, total = queries.search(con, s)
        options = queries.choices(con)
    pages = max(1, -(-total // queries.PER_PAGE))
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang")}

    def link(**change: Any) -> str:  # noqa: ANN401
        return "/tenders?" + urlencode({**params, **{k: str(v) for k, v in change.items()}})

    return page(request, "tenders.html", s=s, rows=table.to_pylist(), total=total, pages=pages,
                options=options, link=link, sortable=queries.SORTABLE,
                download_query=urlencode({**params, "page": s.page}))


def download(table: pa.Table, fmt: str, name: str,
             columns: dict[str, str] | None = None) -> Response:
    """A file pantau writes itself into a fresh temporary folder: no path comes from the
    request, the name is fixed."""
    if fmt not in DOWNLOADS:
        raise HTTPException(404, f"no download as {fmt!r}")
    with tempfile.TemporaryDirectory(prefix="pantau-web-") as tmp:
        out = Path(tmp) / f"{name}.{fmt}"
        write_result(table, fmt, out, sheet=name[:31], columns=columns)
        body = out.read_bytes()
    return Response(body, media_type=DOWNLOADS[fmt], headers={
        "Content-Disposition": f'attachment; filename="pantau-{name}.{fmt}"'})


async def tenders_download(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(404, f"no download as {fmt!r}")
    with _cursor(request) as con:
        table, _ = queries.search(con, queries.Search.of(request.query_params))
        docs = {v.name: v.column_docs() for v in views_from_db(con)}
    return download(table, fmt, "tenders", docs.get("tenders"))


async def process_page(request: Request) -> Response:
    p = request.path_params
    with _cursor(request) as con:
        found = queries.process(con, p["source"], p["kind"], p["source_id"])
        docs = {v.name: v.column_docs() for v in views_from_db(con)}
    if found is None:
        raise HTTPException(404, "no such process in the analyst copy")
    row = found["row"]
    subject = {"subject_kind": "process", "subject": row["source_id"],
               "process_source": row["source"], "process_kind": row["kind"],
               "kd_klpd": row["kd_klpd"] or "", "title": row["title"] or ""}
    return page(request, "process.html", row=row, bids=found["bids"], flags=found["flags"],
                docs=docs.get("tenders", {}),
                spse=spse_url(_slug(_web(request), row["kd_klpd"]), row["kind"],
                              row["source_id"]),
                case_link="/cases?" + urlencode(subject))


async def supplier_page(request: Request) -> Response:
    with _cursor(request) as con:
        found = queries.supplier(con, request.path_params["npwp"])
    if found is None:
        raise HTTPException(404, "no such supplier (NPWP) in the analyst copy")
    return page(request, "supplier.html", **found)


async def agency_page(request: Request) -> Response:
    kd = request.path_params["kd_klpd"]
    satker = request.query_params.get("satker") or None
    year = request.query_params.get("year", "")
    with _cursor(request) as con:
        found = queries.agency(con, kd, satker, int(year) if year.isdigit() else None)
    if found is None:
        raise HTTPException(404, "no such agency in the analyst copy")
    subject = {"subject_kind": "agency", "subject": satker or kd, "kd_klpd": kd,
               "title": found["name"]}
    return page(request, "agency.html", kd_klpd=kd, satker=satker, **found,
                case_link="/cases?" + urlencode(subject))


# ---------------------------------------------------------------------------------------- SQL


def run_limited(con: duckdb.DuckDBPyConnection, text: str, seconds: float) -> pa.Table | None:
    """``run_sql`` with a time limit: a timer interrupts the DuckDB connection, which stops the
    query where it is and leaves the connection usable."""
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        con.interrupt()

    timer = threading.Timer(seconds, stop)
    timer.start()
    try:
        return run_sql(con, text)
    except UserError:
        if fired.is_set():
            raise UserError(f"the query was stopped after {seconds:g} s, its time limit "
                            "([web] query_timeout_seconds)") from None
        raise
    finally:
        timer.cancel()


async def sql_page(request: Request) -> Response:
    web = _web(request)
    lang = request.state.lang
    questions = saved_questions()
    text = ""
    result: pa.Table | None = None
    error = None
    ran = False
    if request.method == "POST":
        form = await checked_form(request)
        text = str(form.get("query", ""))
        fmt = str(form.get("download", ""))
        with _cursor(request) as con:
            try:
                result = await asyncio.to_thread(run_limited, con, text,
                                                 web.settings.query_timeout_seconds)
                ran = True
            except UserError as exc:
                error = str(exc)
        if fmt and result is not None and error is None:
            return download(result, fmt, "sql")
    elif name := request.query_params.get("question"):
        q = find_question(name)
        if q is None:
            raise HTTPException(404, f"no saved question named {name!r}")
        text = q.sql
    with _cursor(request) as con:
        views = views_from_db(con)
    shown = result.slice(0, web.settings.max_rows_shown).to_pylist() if result is not None else []
    return page(request, "sql.html", 400 if error else 200, text=text, error=error, ran=ran,
                result=result, shown=shown, questions=[
                    (q.name, q.title_in(lang), q.description_in(lang)) for q in questions],
                views=views, case_tables=cases.TABLES, case_docs=cases.DESCRIPTIONS)


# -------------------------------------------------------------------------------------- cases


def _date(value: object) -> date | None:
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise HTTPException(400, f"not a date (YYYY-MM-DD): {text!r}") from None


async def cases_page(request: Request) -> Response:
    web = _web(request)
    if request.method == "POST":
        form = await checked_form(request)
        kind = str(form.get("subject_kind", "")) or None
        subject = cases.Subject(kind, str(form.get("subject", "")).strip() or None,
                                str(form.get("process_source", "")) or None,
                                str(form.get("process_kind", "")) or None,
                                str(form.get("kd_klpd", "")).strip() or None)
        try:
            case_id = await asyncio.to_thread(
                cases.open_case, web.settings.cases_path, title=str(form.get("title", "")),
                why=str(form.get("why", "")), subject=subject, by=who(request),
                deadline=_date(form.get("deadline")))
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    status = request.query_params.get("status") or None
    return page(request, "cases.html", cases=cases.list_cases(web.settings.cases_path,
                                                              status=status),
                prefill=request.query_params, status=status,
                today=datetime.now(UTC).date().isoformat())


async def case_page(request: Request) -> Response:
    found = cases.get_case(_web(request).settings.cases_path, request.path_params["case_id"])
    if found is None:
        raise HTTPException(404, "no such case")
    case, actions = found
    return page(request, "case.html", case=case, actions=actions,
                today=datetime.now(UTC).date().isoformat())


async def case_update(request: Request) -> Response:
    form = await checked_form(request)
    path = _web(request).settings.cases_path
    case_id = request.path_params["case_id"]
    what = request.path_params["what"]
    by = who(request)
    try:
        if what == "actions":
            await asyncio.to_thread(
                cases.add_action, path, case_id, kind=str(form.get("kind", "")), by=by,
                happened_on=_date(form.get("happened_on")) or datetime.now(UTC).date(),
                note=str(form.get("note", "")), url=str(form.get("url", "")).strip() or None,
                channel=str(form.get("channel", "")) or None)
        elif what == "deadline":
            await asyncio.to_thread(cases.set_deadline, path, case_id,
                                    _date(form.get("deadline")), by=by)
        elif what == "close":
            await asyncio.to_thread(cases.close_case, path, case_id,
                                    str(form.get("outcome", "")), by=by,
                                    note=str(form.get("note", "")))
        else:
            raise HTTPException(404, "no such case action")
    except KeyError:
        raise HTTPException(404, "no such case") from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
