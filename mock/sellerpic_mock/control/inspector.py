"""The inspector: `GET /_sellerpic/` serves one HTML page a developer keeps open while building
against the simulator: accounts and credits, tasks newest first with thumbnails of their inputs
and results, the request journal with its filters and duplicate marks, the fault settings, and
forms to advance the clock and to reset.

Rendered on the server from the control plane; no script, no build step. The forms post to
small form endpoints that answer with a redirect back to the page. A form post that names
another origin is refused: a web page elsewhere must not reset a developer's simulator.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..domain.errors import ApiError, bad_request
from ..domain.pictures import task_inputs, thumbnail
from ..routes.common import raw_query
from .journal import Entry
from .plane import Control, TaskView
from .routes import journal_query

PAGE_PATH = "/_sellerpic/"
UPLOAD_PICTURES = "/_sellerpic/pictures/uploads"
RESULT_PICTURES = "/_sellerpic/pictures/results"
#: What the page lists at most; the JSON calls give everything.
PAGE_TASKS = 50
PAGE_REQUESTS = 200
MAX_FORM_BYTES = 4096

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f4f4f4}
.SUCCESS{color:#176b24}.FAILED{color:#b00020}.RUNNING,.CREATED{color:#8a5a00}
.PARTIAL{color:#8a2be2}.dup{background:#fff0f0}img{border:1px solid #ccc;margin:2px}
form{display:inline-block;margin-right:1.5em}code{font-size:12px}
"""


def _control(request: Request) -> Control:
    plane: Control = request.app.control
    return plane


def _time(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _picture_url(kind: str, ref: str, full: bool = False) -> str:
    whole = {"full": "1"} if full else {}
    if kind == "upload":
        return f"{UPLOAD_PICTURES}?{urlencode({'key': ref, **whole})}"
    return f"{RESULT_PICTURES}/{ref}" + (f"?{urlencode(whole)}" if whole else "")


def _thumb(kind: str, ref: str, label: str) -> str:
    full = escape(_picture_url(kind, ref, full=True))
    small = escape(_picture_url(kind, ref))
    return (
        f'<a href="{full}" title="{escape(label)}">'
        f'<img src="{small}" alt="{escape(label)}" height="80"></a>'
    )


def _task_row(task: TaskView) -> str:
    inputs = " ".join(
        _thumb("upload", key, field) for field, key in task_inputs(task.operation, task.params)
    )
    results = []
    for result in task.results:
        if result.status == "SUCCESS":
            results.append(_thumb("result", result.id, f"result {result.id}"))
        else:
            error = f" {result.error_code}: {result.error_msg}" if result.error_code else ""
            results.append(
                f'<span class="{escape(result.status)}">{escape(result.status + error)}</span>'
            )
    return (
        "<tr>"
        f"<td><code>{escape(task.id)}</code></td><td>{escape(task.operation)}</td>"
        f'<td class="{escape(task.status)}">{escape(task.status)}</td>'
        f"<td>{_time(task.created_at)}<br>running {_time(task.running_at)}"
        f"<br>finish {_time(task.finish_at)}</td>"
        f"<td>{task.credits}</td><td>{inputs}</td><td>{' '.join(results)}</td>"
        "</tr>"
    )


def _request_row(entry: Entry) -> str:
    duplicate = entry.suspected_duplicate_of
    mark = f"repeats task <code>{escape(duplicate)}</code>" if duplicate else ""
    return (
        f'<tr class="{"dup" if duplicate else ""}">'
        f"<td>{entry.id}</td><td>{_time(entry.sim_time)}</td>"
        f"<td>{escape(entry.method)} <code>{escape(entry.path)}</code></td>"
        f"<td>{escape(entry.operation or '')}</td><td>{entry.status or 'dropped'}</td>"
        f"<td>{'' if entry.code is None else entry.code}</td>"
        f"<td><code>{escape(entry.task_id or '')}</code></td>"
        f"<td>{_credits(entry)}</td>"
        f"<td>{escape(entry.fault or '')}</td><td>{mark}</td>"
        "</tr>"
    )


def _credits(entry: Entry) -> str:
    moved = [f"+{entry.credits_charged}"] if entry.credits_charged else []
    if entry.credits_refunded:
        moved.append(f"-{entry.credits_refunded}")
    return " ".join(moved)


def render_page(plane: Control, query: dict[str, str]) -> str:
    clock = plane.clock()
    accounts = "".join(
        f"<tr><td><code>{view.id}</code></td><td>{escape(view.key_hint)}</td>"
        f"<td>{view.total}</td><td>{view.used}</td><td>{view.refunded}</td>"
        f"<td>{view.remaining}</td></tr>"
        for view in plane.accounts()
    )
    tasks = "".join(_task_row(task) for task in plane.tasks(PAGE_TASKS))
    # Empty fields of the page's own filter form mean no filter.
    wanted = journal_query({name: value for name, value in query.items() if value})
    entries = plane.requests(wanted)[-PAGE_REQUESTS:]
    requests = "".join(_request_row(entry) for entry in reversed(entries))
    faults = plane.faults
    rules = ", ".join(
        f"{rule.fault.kind} on {rule.operation or 'any request'} x{rule.times}"
        for rule in faults.rules
    )
    operation = escape(query.get("operation", ""))
    status = escape(query.get("status", ""))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>SellerPic simulator</title><link rel="icon" href="data:,"><style>{STYLE}</style></head>
<body>
<h1>SellerPic simulator</h1>
<p>Simulated time <strong id="now">{_time(clock["now"])}</strong> (UTC), speed {clock["speed"]:g},
advanced {clock["advanced"]:g} s in all.</p>
<form method="post" action="/_sellerpic/ui/advance">
<label>Advance <input name="seconds" type="number" min="0" step="any" value="60"> s</label>
<button type="submit" id="advance">Advance</button></form>
<form method="post" action="/_sellerpic/ui/reset">
<button type="submit" id="reset">Reset</button></form>
<a href="{PAGE_PATH}">Refresh</a>
<h2>Accounts</h2>
<table><tr><th>id</th><th>key</th><th>total</th><th>used</th><th>refunded</th>
<th>remaining</th></tr>{accounts}</table>
<h2>Tasks (newest first)</h2>
<table id="tasks"><tr><th>task</th><th>operation</th><th>status</th><th>times</th>
<th>credits</th><th>inputs</th><th>results</th></tr>{tasks}</table>
<h2>Faults</h2>
<p>latency {faults.latency_ms:g} ms, error rate {faults.error_rate:g}, drop rate
{faults.drop_rate:g}; one-shot rules: {escape(rules) or "none"}.</p>
<h2>Requests (newest first)</h2>
<form method="get" action="{PAGE_PATH}">
<label>operation <input name="operation" value="{operation}"></label>
<label>status <input name="status" value="{status}" placeholder="200, 4xx, dropped"></label>
<button type="submit">Filter</button></form>
<table id="requests"><tr><th>#</th><th>simulated time</th><th>request</th><th>operation</th>
<th>HTTP</th><th>code</th><th>task</th><th>credits</th><th>fault</th><th>duplicate</th></tr>
{requests}</table>
</body></html>
"""


def _html(text: str, status: int = 200) -> Response:
    return Response(text, status, media_type="text/html; charset=utf-8")


async def page(request: Request) -> Response:
    return _html(render_page(_control(request), raw_query(request)))


def _picture(path: Path, media: str, full: bool) -> Response:
    if full or not media.startswith("image/"):
        return Response(path.read_bytes(), media_type=media)
    return Response(thumbnail(path), media_type="image/png")


async def upload_picture(request: Request) -> Response:
    query = raw_query(request)
    key = query.get("key")
    if not key:
        raise bad_request("key: give the file key of the upload (UPLOAD/...)")
    path, media = _control(request).pictures().upload(key)
    return _picture(path, media, query.get("full") == "1")


async def result_picture(request: Request) -> Response:
    result_id = request.path_params["result_id"]
    if not result_id.isdigit():
        raise bad_request(f"result_id: {result_id!r} is not an id")
    path, media = _control(request).pictures().result(result_id)
    return _picture(path, media, raw_query(request).get("full") == "1")


def _same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin not in ("null", f"{request.url.scheme}://{request.headers.get('host')}"):
        raise ApiError(403, f"Origin {origin}: the inspector's forms are for its own page", 403)


async def _form(request: Request) -> dict[str, str]:
    _same_origin(request)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise bad_request("form: too large")
    return dict(parse_qsl(body.decode("utf-8", "replace")))


def _back() -> Response:
    return Response(status_code=303, headers={"Location": PAGE_PATH})


async def advance_form(request: Request) -> Response:
    form = await _form(request)
    try:
        seconds: Any = float(form.get("seconds", ""))
    except ValueError:
        raise bad_request(f"seconds: {form.get('seconds')!r} is not a number") from None
    _control(request).advance(seconds)
    return _back()


async def reset_form(request: Request) -> Response:
    await _form(request)
    _control(request).reset()
    return _back()


INSPECTOR_ROUTES = [
    ("GET", PAGE_PATH, page),
    ("GET", UPLOAD_PICTURES, upload_picture),
    ("GET", RESULT_PICTURES + "/{result_id}", result_picture),
    ("POST", "/_sellerpic/ui/advance", advance_form),
    ("POST", "/_sellerpic/ui/reset", reset_form),
]
