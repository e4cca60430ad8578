"""The pages (`/ui`): log in with an API key, look up an employee, see the ranked units with
their gain, interval, probability of helping and eligibility, and the explanation as a chart
with its narrative and a data table under it.

The same guards as the API: a key is exchanged once for a signed session cookie
(`serving.pages.session`); roles are checked exactly as the API checks them
(`serving.keys.PERMISSIONS`); every form carries a CSRF token and a post from another origin
is refused; every page view is in the audit log (`serving.middleware.RequestLog`, with the
session's key name); `Content-Security-Policy: default-src 'self'` and no script at all;
protected attributes are never shown (the engine's answers do not carry them). Indonesian by
default, English with `?lang=en`; numbers in id-ID.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.datastructures import UploadFile

from features.contract.schema import NIP_PATTERN
from features.formats import number, wita
from features.nip import nip_as_typed
from features.spreadsheet import write_workbook
from oversight.committee import form_lists, import_decisions, round_form
from oversight.minutes import STYLE_HASH, minutes_html, unit_label
from oversight.reasons import FINAL, REASONS, STAGES, labels, signed_as
from oversight.store import STAGE_ROLES, DecisionStore, Refused
from planning.report import FORM_TITLE
from serving.deps import not_suspended
from serving.engine import Engine, NotFound
from serving.keys import PERMISSIONS, KeyFileError, KeyStore
from serving.pages.session import COOKIE, SESSION_HOURS, Session, Sessions
from serving.records import record_shown
from serving.routes.model import feature_importance
from serving.routes.model import model as model_info
from serving.routes.monitor import monitor_report
from training.explain import ADVISORY, ADVISORY_ID

router = APIRouter(prefix="/ui", include_in_schema=False)
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(default=True),
)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make a browser send `Origin: null` on posts
    "Cache-Control": "no-store",
}
ROUND_ID = r"rd_[0-9a-f]{4,32}"  # as `oversight.records.record_round` names rounds
PAPER_UPLOAD = "/ui/round/import"  # the one page route allowed a larger body (`BodyLimit`)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The pages' words, Indonesian and English (a translator edits the file, not the code)
TEXT: dict[str, dict[str, str]] = json.loads(
    Path(__file__).with_name("text.json").read_text("utf-8")
)


@pass_context
def _num(context: Context, value: Any, digits: int = 1, sign: bool = False) -> str:
    """A number in the page's language's decimals: an English page wrote `89,9` in its tables
    beside `89.9` in its narrative, and `1.234` reads as two different numbers in the two."""
    return number(value, str(context.get("lang", "id")), digits, sign)


def _when(at: str | None) -> str:
    """An ISO timestamp as every page writes a time, `dd-mm-yyyy HH:MM WITA` (the model page
    wrote the registry's `2026-12-04T21:51:23.031000+00:00`); `–` without one."""
    return f"{wita(at)} WITA" if at else "–"


TEMPLATES.filters["num"] = _num
TEMPLATES.filters["when"] = _when


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "id"


def _session(request: Request) -> Session | None:
    """The signed-in session, while the key it was made from is still in the key file: a
    revoked key's session showed every page for the rest of its hours."""
    sessions: Sessions = request.app.state.sessions
    session = sessions.read(request.cookies.get(COOKIE))
    if session is None:
        return None
    keys: KeyStore = request.app.state.keys
    try:
        holder = keys.holder(session.kid)
    except KeyFileError:  # no key can be checked: nobody is signed in (the login says why)
        return None
    if holder is None or (holder.name, holder.role) != (session.name, session.role):
        return None
    request.state.key_name = session.name  # the audit row names who looked
    return session


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    other = "id" if lang == "en" else "en"
    query = {k: v for k, v in request.query_params.items() if k != "lang"} | {"lang": other}
    session = context.get("session")
    may = {p: session is not None and _may(session, p) for p in ("recommend", "candidates", "model")}  # fmt: skip
    html = TEMPLATES.get_template(template).render(
        lang=lang, t=TEXT[lang], other_lang=other, other_lang_query=urlencode(query), may=may,
        advisory=ADVISORY if lang == "en" else ADVISORY_ID, root=_root(request), **labels(lang),
        **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _root(request: Request) -> str:
    """The path a reverse proxy serves the pages under (`PENATAAN_ROOT_PATH`, `""` at the
    host's root): every link, form, redirect and the session cookie's path start with it."""
    return str(request.scope.get("root_path", ""))


def _redirect(request: Request, to: str) -> RedirectResponse:
    """See other: `to`, a path of this app (`/ui/...`), under the root path."""
    return RedirectResponse(_root(request) + to, status_code=303, headers=HEADERS)


def _same_origin(request: Request) -> bool:
    """A form post from this site (the Origin header, where the browser sends one)."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=20).items()}


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html", title=TEXT[_lang(request)]["login_title"], session=None)


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    t = TEXT[_lang(request)]
    if not _same_origin(request):
        return _page(request, "login.html", 403, title=t["login_title"], session=None, error=t["bad_form"])  # fmt: skip
    keys: KeyStore = request.app.state.keys
    try:
        holder = keys.verify((await _form(request)).get("api_key"))
    except KeyFileError:
        return _page(request, "login.html", 503, title=t["login_title"], session=None, error=t["keys_down"])  # fmt: skip
    if holder is None:
        return _page(request, "login.html", 401, title=t["login_title"], session=None, error=t["bad_key"])  # fmt: skip
    request.state.key_name = holder.name
    sessions: Sessions = request.app.state.sessions
    response = _redirect(request, f"/ui/?lang={_lang(request)}")
    response.set_cookie(
        COOKIE, sessions.issue(holder.name, holder.role, holder.kid), max_age=SESSION_HOURS * 3600,
        httponly=True, samesite="strict", secure=request.url.scheme == "https", path=f"{_root(request)}/ui",
    )  # fmt: skip
    return response


@router.post("/logout", response_model=None)
async def logout(request: Request) -> Response:
    session = _session(request)
    sessions: Sessions = request.app.state.sessions
    if session is None or not _same_origin(request) or not sessions.csrf_ok(session, (await _form(request)).get("csrf")):  # fmt: skip
        t = TEXT[_lang(request)]
        return _page(request, "home.html", 403, title=t["home_title"], session=session, error=t["bad_form"])  # fmt: skip
    response = _redirect(request, "/ui/login")
    response.delete_cookie(COOKIE, path=f"{_root(request)}/ui")
    return response


@router.get("/", response_model=None)
def home(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _redirect(request, f"/ui/login?lang={_lang(request)}")
    rounds = []
    if _may(session, "suggestions"):
        store: DecisionStore = request.app.state.decisions
        rounds = store.rounds()
    return _page(request, "home.html", title=TEXT[_lang(request)]["home_title"], session=session, rounds=rounds)  # fmt: skip


def _missing(t: dict[str, str], what: str, value: str) -> str:
    """What was asked for and not found, in the page's language (the engine's message is the
    API's, in English)."""
    return f"{t[what]} {value}".rstrip() + f": {t['not_found']}"


def _may(session: Session, permission: str) -> bool:
    """The API's rule: the session's role has `permission` (`serving.keys.PERMISSIONS`)."""
    return permission in PERMISSIONS.get(session.role, frozenset())  # type: ignore[call-overload]


@router.get("/round", response_model=None)
def round_page(
    request: Request, id: str = "", status: str = "", open: str = "",
    recorded: str = "", undecided: str = "", stage: str = "", already: str = "",
) -> Response:  # fmt: skip
    """A round's moves as shown, each folded to a line that opens on its decisions and, for
    a role that may decide, the decision form (the stages that role may record); `status`
    pending or decided filters the moves; `open` the move shown open (else the first);
    `recorded`, `undecided`, `already` and `stage` what an uploaded workbook just recorded
    (numbers and a stage's code only: the words are the page's)."""
    lang = _lang(request)
    t, stages = TEXT[lang], labels(lang)["stage_labels"]
    said = ""
    if recorded.isdigit() and undecided.isdigit() and stage in stages:  # else no notice
        said = t["paper_recorded"].format(recorded=int(recorded), stage=stages[stage], undecided=int(undecided))  # fmt: skip
        if already.isdigit() and int(already):
            said += " " + t["paper_already"].format(already=int(already))
    return _round(request, id, status, opened=open, notice=said)


def _unit_names(request: Request) -> dict[str, str]:
    """Unit id -> name in the served data (none while it loads: the ids stand)."""
    engine: Engine | None = request.app.state.holder.engine
    return engine.unit_names if engine is not None else {}


def _round(request: Request, id: str, status: str = "", error: str = "", code: int = 200, opened: str = "", notice: str = "") -> Response:  # fmt: skip
    got = _signed_in(request, "suggestions")
    if isinstance(got, Response):
        return got
    session, t = got
    request.state.subject = id[:40]
    store: DecisionStore = request.app.state.decisions
    moves = store.round(id) if re.fullmatch(ROUND_ID, id) else []
    if not moves:
        return _page(request, "home.html", 404, title=t["not_found"], session=session, error=_missing(t, "round", id))  # fmt: skip
    names = _unit_names(request)
    for m in moves:
        m["from_name"] = m["snapshot"].get("from_unit_name") or m["from_unit_id"]
        m["to_name"] = m["snapshot"].get("to_unit_name") or m["to_unit_id"]
        m["final"] = any(  # the path has ended: the PPK decided, or a stage rejected
            (d["stage"] == FINAL and d["decision"] != "tunda") or d["decision"] == "tolak" for d in m["decisions"]
        )  # fmt: skip
        for d in m["decisions"]:
            d["at_wita"] = wita(d["at"])
            d["alt_unit"] = unit_label(d["alt_unit_id"], names)  # an `ubah`'s unit
            d["signed"] = signed_as(d, " · ")
    shown = [m for m in moves if status == "" or (status == "decided") == m["final"]]
    units: dict[str, dict[str, Any]] = {}  # the change per unit: who leaves, who arrives
    for m in moves:
        for name, way in ((m["from_name"], "out"), (m["to_name"], "in")):
            unit = units.setdefault(name, {"name": name, "out": 0, "in": 0, "gain": 0.0})
            unit[way] += 1
        units[m["to_name"]]["gain"] += float(m["snapshot"].get("gain") or 0.0)
    stages = [st for st in STAGES if session.role in STAGE_ROLES[st]] if _may(session, "decide") else []  # fmt: skip
    return _page(
        request, "round.html", code, title=f"{t['round']} {id}", session=session, round_id=id,
        moves=moves, shown=shown, decided=sum(m["final"] for m in moves), stages=stages,
        units=sorted(units.values(), key=lambda u: (-abs(u["in"] - u["out"]), u["name"])),
        reasons=REASONS,
        error=error or None, opened=opened, notice=notice or None,
    )  # fmt: skip


@router.get("/minutes", response_model=None)
def minutes(request: Request, id: str = "") -> Response:
    """The round's berita acara, printable: the paper `penataan decisions minutes` writes,
    with the unit an `ubah` decided instead named from the served data (the command reads no
    data, and gives its id)."""

    def page(store: DecisionStore) -> Response:
        csp = f"{HEADERS['Content-Security-Policy']}; style-src 'self' '{STYLE_HASH}'"  # its one style block
        html = minutes_html(store, id, _unit_names(request))
        return HTMLResponse(html, headers={**HEADERS, "Content-Security-Policy": csp})

    return _paper(request, id, page)


@router.get("/round.xlsx", response_model=None)
def round_workbook(request: Request, id: str = "") -> Response:
    """The round's paper as a workbook (`oversight.committee.round_form`, the same as
    `penataan decisions form`): a committee fills it in offline and `penataan decisions
    import` reads it back."""

    def workbook(store: DecisionStore) -> Response:
        buffer = io.BytesIO()
        write_workbook(round_form(store, id), buffer, FORM_TITLE, form_lists())
        disposition = f'attachment; filename="usulan-{id}.xlsx"'
        return Response(buffer.getvalue(), media_type=XLSX, headers={**HEADERS, "Content-Disposition": disposition})  # fmt: skip

    return _paper(request, id, workbook)


def _paper(request: Request, id: str, write: Callable[[DecisionStore], Response]) -> Response:
    """A round's paper for a session whose role may read suggestions: `write` from the
    record, or the page saying so where the record holds no round `id`."""
    got = _signed_in(request, "suggestions")
    if isinstance(got, Response):
        return got
    session, t = got
    request.state.subject = id[:40]
    try:
        if re.fullmatch(ROUND_ID, id):
            return write(request.app.state.decisions)
    except ValueError:  # no such round in the record
        pass
    return _page(request, "home.html", 404, title=t["not_found"], session=session, error=_missing(t, "round", id))  # fmt: skip


@router.post(PAPER_UPLOAD.removeprefix("/ui"), response_model=None)
async def import_paper(request: Request) -> Response:
    """The round's workbook as a committee filled it in, recorded as one stage's decisions
    exactly as `penataan decisions import` records it (`oversight.committee`: every row
    checked first, nothing recorded while a problem is listed), by the session's key and
    role, refusing rows that are no move of this round."""
    session = _session(request)
    t = TEXT[_lang(request)]
    if session is None:
        return _redirect(request, f"/ui/login?lang={_lang(request)}")
    form = await request.form(max_files=1, max_fields=10)
    round_id = str(form.get("round_id", ""))
    sessions: Sessions = request.app.state.sessions
    csrf = form.get("csrf")
    if not _same_origin(request) or not sessions.csrf_ok(session, csrf if isinstance(csrf, str) else None):  # fmt: skip
        return _round(request, round_id, error=t["bad_form"], code=403)
    stage = str(form.get("stage", ""))
    if not _may(session, "decide") or session.role not in STAGE_ROLES.get(stage, ()):
        return _round(request, round_id, error=t["forbidden"], code=403)
    paper = form.get("paper")
    name = Path(paper.filename or "").name if isinstance(paper, UploadFile) else ""
    if not isinstance(paper, UploadFile) or not name:
        return _round(request, round_id, error=t["paper_missing"], code=422)
    request.state.subject = round_id[:40]
    safe = re.sub(r"[^A-Za-z0-9._ -]", "_", name)[-80:]  # named in every problem, as sent
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe
        path.write_bytes(await paper.read())
        store: DecisionStore = request.app.state.decisions
        try:
            done = await run_in_threadpool(import_decisions, store, path, stage, session.name, session.role, round_id)  # fmt: skip
        except ValueError as unreadable:  # not a round's paper at all: nothing recorded
            return _round(request, round_id, error=str(unreadable).replace(str(path), safe), code=422)  # fmt: skip
    if done.problems:  # rows the record refused as it wrote leave the others recorded
        words = t["paper_partly"] if done.recorded else t["paper_problems"]
        head = words.format(file=safe, count=len(done.problems), recorded=done.recorded)
        shown = "; ".join(done.problems[:10]) + (" ..." if len(done.problems) > 10 else "")
        return _round(request, round_id, error=f"{head} {shown}", code=422)
    told = {"id": round_id, "lang": _lang(request), "recorded": done.recorded, "undecided": done.undecided, "stage": stage, "already": done.already}  # fmt: skip
    # a reload shows the page, never posts again
    return _redirect(request, f"/ui/round?{urlencode(told)}")


@router.post("/decide", response_model=None)
async def decide(request: Request) -> Response:
    """The round page's form: one decision, as `POST /v1/decisions` records it."""
    session = _session(request)
    lang = _lang(request)
    t = TEXT[lang]
    form = await _form(request)
    sessions: Sessions = request.app.state.sessions
    if session is None:
        return _redirect(request, f"/ui/login?lang={lang}")
    round_id = form.get("round_id", "")
    if not _same_origin(request) or not sessions.csrf_ok(session, form.get("csrf")):
        return _round(request, round_id, error=t["bad_form"], code=403)
    if not _may(session, "decide"):
        return _round(request, round_id, error=t["forbidden"], code=403)
    request.state.subject = form.get("suggestion_id", "")[:40]
    store: DecisionStore = request.app.state.decisions
    try:
        await run_in_threadpool(
            store.decide, form.get("suggestion_id", ""), form.get("stage", ""), form.get("decision", ""),
            form.get("reason_code", ""), session.name, session.role, form.get("note") or None,
            form.get("alt_unit_id") or None,
        )  # fmt: skip
    except Refused as refused:
        return _round(request, round_id, error=f"{refused.field}: {refused}", code=refused.status, opened=form.get("suggestion_id", ""))  # fmt: skip
    decided = form.get("suggestion_id", "")  # an id the store just recorded a decision on
    return _redirect(request, f"/ui/round?{urlencode({'id': round_id, 'lang': lang, 'open': decided})}#{decided}")  # fmt: skip


def _stopped(request: Request, session: Session, t: dict[str, str]) -> Response | None:
    """The page saying suggestions are suspended, who did it, when and why (None: they are
    not): the pages showed suggestions while the API refused them."""
    try:
        not_suspended(request)
    except HTTPException as stopped:
        return _page(request, "home.html", 503, title=t["home_title"], session=session, error=f"{t['suspended']} ({stopped.detail})")  # fmt: skip
    return None


@router.get("/employee", response_model=None)
def employee(request: Request, nip: str = "") -> Response:
    """An employee's ranked units and why, as `/v1/recommend` answers (the same engine)."""
    got = _engine_page(request, "recommend")
    if isinstance(got, Response):
        return got
    session, engine, t = got
    if stopped := _stopped(request, session, t):
        return stopped
    lang = _lang(request)
    nip = nip_as_typed(nip)  # pasted from an SK: `19850312 201001 1 001`
    if not re.fullmatch(NIP_PATTERN, nip):  # the contract's form; a wrong date: not found
        return _page(request, "home.html", 422, title=t["home_title"], session=session, error=f"NIP: {t['nip_rule']}")  # fmt: skip
    request.state.subject = nip
    try:
        answer = engine.recommend(nip, 10, None, True, lang)  # type: ignore[arg-type]
    except NotFound as missing:
        error = _missing(t, "employee", missing.value)
        if missing.status is not None:  # the data knows the NIP: say why it is not served
            why = t["no_unit"] if missing.status == "aktif" else t["not_active"].format(status=missing.status)  # fmt: skip
            error = f"{t['employee']} {missing.value}: {why}"
        return _page(request, "home.html", 404, title=t["not_found"], session=session, error=error)  # fmt: skip
    current = answer.current.unit_id if answer.current else None
    try:
        record_shown(request, engine, "recommend", answer.suggestions, lambda _: current)
    except HTTPException as refused:
        return _page(request, "home.html", refused.status_code, title=t["home_title"], session=session, error=str(refused.detail))  # fmt: skip
    top = next((s for s in answer.suggestions if not s.is_current), None)
    return _page(request, "employee.html", title=f"{t['employee']} {nip}", session=session,
                 r=answer, top=top, chart=_bars(top.explanation.factors) if top else [])  # fmt: skip


@router.get("/vacancy", response_model=None)
def vacancy(request: Request, unit_id: str = "") -> Response:
    """A unit's best candidates from other units, as `/v1/candidates` answers (those a rule
    excludes shown too, with the rule: HR sees why the obvious candidate is not one)."""
    got = _engine_page(request, "candidates")
    if isinstance(got, Response):
        return got
    session, engine, t = got
    if stopped := _stopped(request, session, t):
        return stopped
    request.state.subject = unit_id[:40]
    try:
        answer = engine.candidates(unit_id, 10, True, _lang(request))  # type: ignore[arg-type]
        record_shown(request, engine, "candidates", answer.candidates, lambda p: engine.unit_of(p.nip))  # fmt: skip
    except NotFound as missing:
        return _page(request, "home.html", 404, title=t["not_found"], session=session, error=_missing(t, "unit", missing.value))  # fmt: skip
    except HTTPException as refused:
        return _page(request, "home.html", refused.status_code, title=t["home_title"], session=session, error=str(refused.detail))  # fmt: skip
    names = engine.units["unit_name"]
    current_of = {p.nip: str(names.get(engine.unit_of(p.nip), "–")) for p in answer.candidates}
    return _page(request, "vacancy.html", title=f"{t['vacancy']} {answer.unit_name}", session=session, c=answer, current_of=current_of)  # fmt: skip


@router.get("/model", response_model=None)
def model_page(request: Request) -> Response:
    """The model serving: provenance, the held-out table beside the baselines, the gain
    calibration, importance by factor and by feature, the gate's verdict and the fairness
    audit, and the monitor's outcomes and oversight signals; from the same functions as
    `/v1/model`, `/v1/feature-importance` and `/v1/monitor`."""
    got = _engine_page(request, "model")
    if isinstance(got, Response):
        return got
    session, engine, t = got
    info, importance = model_info(engine), feature_importance(engine, _lang(request))  # type: ignore[arg-type]
    metrics = engine.loaded.metrics
    columns = ["rmse", "mae", "r2", "top1_regret", "move_regret", "spearman"]
    baselines = [
        (name, {c: metrics.get(f"{name}_{c}") for c in columns})
        for name in ("model", "linear", "education_rule", "unit_mean", "global_mean", "stay")
        if any(f"{name}_{c}" in metrics for c in columns)
    ]  # fmt: skip
    largest = max((r.mean_abs_shap for r in importance.factors), default=0.0) or 1.0
    bars = [{"label": r.label, "width": round(330 * r.mean_abs_shap / largest, 1)} for r in importance.factors]  # fmt: skip
    state = request.app.state
    mon = monitor_report(engine, state.decisions, state.monitor_cache).model_dump()
    return _page(
        request, "model.html", title=f"{t['model_title']} v{info.version}", session=session,
        m=info, fi=importance, columns=columns, baselines=baselines, bars=bars, mon=mon,
        gain=engine.loaded.model.gain, promotion=engine.loaded.tags.get("promotion", "–"),
        fairness=engine.loaded.tags.get("fairness_flags", "–"),
    )  # fmt: skip


def _signed_in(request: Request, permission: str) -> tuple[Session, dict[str, str]] | Response:  # fmt: skip
    """The session and the words for a page `permission` opens, or the page saying why not:
    the login, or a 403 for a role the API would refuse."""
    session = _session(request)
    lang = _lang(request)
    t = TEXT[lang]
    if session is None:
        return _redirect(request, f"/ui/login?lang={lang}")
    if not _may(session, permission):
        return _page(request, "home.html", 403, title=t["home_title"], session=session, error=t["forbidden"])  # fmt: skip
    return session, t


def _engine_page(request: Request, permission: str) -> tuple[Session, Engine, dict[str, str]] | Response:  # fmt: skip
    """`_signed_in`, and the engine, or a 503 while it loads."""
    got = _signed_in(request, permission)
    if isinstance(got, Response):
        return got
    session, t = got
    engine: Engine | None = request.app.state.holder.engine
    if engine is None:
        return _page(request, "home.html", 503, title=t["home_title"], session=session, error=t["loading"])  # fmt: skip
    request.state.model_version = engine.loaded.version
    return session, engine, t


def _bars(factors: list[Any]) -> list[dict[str, Any]]:
    """Horizontal bars around a zero line at x=320 (a point = the largest bar's scale)."""
    largest = max((abs(f.contribution) for f in factors), default=0.0) or 1.0
    bars = []
    for f in factors:
        width = round(280 * abs(f.contribution) / largest, 1)
        right = f.contribution >= 0
        bars.append({
            "label": f.label, "value": f.contribution, "width": width,
            "x": 320 if right else 320 - width, "colour": "#2a6f97" if right else "#c0392b",
            "label_x": 316 if right else 324, "anchor": "end" if right else "start",
        })  # fmt: skip
    return bars
