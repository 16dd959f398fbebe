"""Check recorded exchanges (`SELLERPIC_RECORD=DIR`) against the spec, per operation.

`make verify-recordings DIR=...` reads every `*.jsonl` under DIR, matches each exchange to its
operation by method and path, and runs the contract suite's exchange checks on it
(`contract_tests.checking`: the request body against the request schema, schemathesis' status,
content-type, header and schema checks on the response). It reports per operation:

- conforming exchanges;
- violations: field, expected, seen (exit 1 when there is any);
- undocumented statuses (a violation too) and envelope codes the spec does not list for the
  status (evidence, not a failure: clients treat any unknown code as an error);
- fields the spec does not have, with how often each was seen: candidates to add to the spec
  (evidence, not a failure: the spec asks clients to tolerate extra fields).

Exchanges that match no operation (the file downloads behind `fileUrl`, preset images) are
counted and otherwise ignored.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from schemathesis.schemas import BaseSchema

from contract_tests.checking import (
    OperationInfo,
    build_schema,
    documented_responses,
    load_spec,
    operations,
    request_body_problems,
    resolve,
    response_failures,
)

# Headers describing the recorded bytes rather than the decoded body rebuilt here.
WIRE_HEADERS = ("content-length", "content-encoding", "transfer-encoding")


@dataclass
class OperationReport:
    info: OperationInfo
    exchanges: int = 0
    conforming: int = 0
    violations: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    undocumented_statuses: Counter[int] = field(default_factory=Counter)
    undocumented_codes: Counter[tuple[int, int]] = field(default_factory=Counter)
    extra_fields: Counter[str] = field(default_factory=Counter)


@dataclass
class Verification:
    reports: dict[str, OperationReport]
    unmatched: Counter[str]
    unreadable: list[str]

    @property
    def failed(self) -> bool:
        return any(r.violations or r.undocumented_statuses for r in self.reports.values()) or bool(
            self.unreadable
        )


# --- matching ------------------------------------------------------------------------------------
def path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    # A base URL may carry a path prefix; the spec's paths are absolute below it.
    return re.compile(f"^(?:/.*)?{body}$")


def matcher(spec: dict[str, Any]) -> list[tuple[str, re.Pattern[str], OperationInfo]]:
    found = [
        (info.method.upper(), path_pattern(info.path), info) for info in operations(spec).values()
    ]
    # Literal paths before templated ones, longer first: /v1/api/upload/url before /v1/api/upload.
    return sorted(found, key=lambda row: ("{" in row[2].path, -len(row[2].path)))


def find_operation(
    rows: list[tuple[str, re.Pattern[str], OperationInfo]], method: str, url: str
) -> OperationInfo | None:
    path = httpx.URL(url).path
    for wanted, pattern, info in rows:
        if wanted == method.upper() and pattern.match(path):
            return info
    return None


# --- rebuilding an exchange ----------------------------------------------------------------------
def body_bytes(body: dict[str, Any] | None) -> bytes | None:
    """The bytes of a recorded body, or None for a binary body recorded as a summary."""
    if body is None:
        return b""
    if "json" in body:
        return json.dumps(body["json"]).encode()
    if "text" in body:
        return str(body["text"]).encode()
    return None


def rebuild(record: dict[str, Any]) -> tuple[httpx.Request, httpx.Response, bool]:
    """The recorded exchange as httpx objects; the flag says the request body could be rebuilt."""
    req, resp = record["request"], record["response"]
    req_headers = {k: v for k, v in req["headers"].items() if k not in WIRE_HEADERS}
    req_content = body_bytes(req.get("body"))
    request = httpx.Request(req["method"], req["url"], headers=req_headers, content=req_content)
    resp_headers = {k: v for k, v in resp["headers"].items() if k not in WIRE_HEADERS}
    response = httpx.Response(
        int(resp["status"]),
        headers=resp_headers,
        content=body_bytes(resp.get("body")) or b"",
        request=request,
    )
    response.read()
    response.elapsed = datetime.timedelta(milliseconds=float(record.get("duration_ms") or 0))
    return request, response, req_content is not None


# --- what the spec has ---------------------------------------------------------------------------
def merged(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` followed and its `allOf` parts' properties merged."""
    schema = resolve(spec, schema)
    if "allOf" not in schema:
        return schema
    out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    props: dict[str, Any] = dict(out.get("properties", {}))
    for part in schema["allOf"]:
        part = merged(spec, part)
        props.update(part.get("properties", {}))
        if "additionalProperties" in part:
            out["additionalProperties"] = part["additionalProperties"]
        if "items" in part:
            out["items"] = part["items"]
    out["properties"] = props
    return out


def undeclared_fields(
    spec: dict[str, Any], schema: dict[str, Any], value: Any, at: str
) -> list[str]:
    """Paths (`data.resultList[].name`) of object fields the schema does not declare."""
    schema = merged(spec, schema)
    found: list[str] = []
    if isinstance(value, dict) and (schema.get("properties") or schema.get("type") == "object"):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            where = f"{at}.{name}" if at else name
            if name in props:
                found += undeclared_fields(spec, props[name], item, where)
            elif isinstance(extra, dict):
                found += undeclared_fields(spec, extra, item, where)
            else:
                found.append(where)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            found += undeclared_fields(spec, schema["items"], item, f"{at}[]")
    return found


def response_schema(spec: dict[str, Any], op_id: str, status: int) -> dict[str, Any] | None:
    responses = documented_responses(spec, op_id)
    response = responses.get(str(status)) or responses.get("default")
    content = (response or {}).get("content", {}).get("application/json")
    return content.get("schema") if content else None


def documented_codes(spec: dict[str, Any]) -> set[tuple[int, int]]:
    """(envelope code, HTTP status) pairs the spec lists: the table under "Error codes" in the
    introduction and the codes of every response example."""
    pairs = {
        (int(code), int(status))
        for code, status in re.findall(
            r"^\|\s*(\d+)\s*\|\s*(\d+)\s*\|", spec["info"].get("description", ""), re.M
        )
    }
    for op_id in operations(spec):
        for status, response in documented_responses(spec, op_id).items():
            content = response.get("content", {}).get("application/json", {})
            examples = [content.get("example")] + [
                ex.get("value") for ex in content.get("examples", {}).values()
            ]
            for example in examples:
                if isinstance(example, dict) and isinstance(example.get("code"), int):
                    pairs.add((example["code"], int(status) if status.isdigit() else 0))
    return pairs


# --- checking ------------------------------------------------------------------------------------
def schema_violation(failure: Any) -> tuple[str, str, str]:
    """(field, expected, seen) of a schemathesis JsonSchemaError."""
    str(failure)  # renders the message and the sub-schema it names
    path = ".".join(str(p) for p in failure.instance_path) or "(body)"
    keyword = str(failure.schema_path[-1]) if failure.schema_path else ""
    sub = getattr(failure, "_schema", None)
    if isinstance(sub, dict) and keyword in sub:
        expected = f"{keyword}: {json.dumps(sub[keyword])}"
    else:
        expected = getattr(failure, "validation_message", "") or keyword
    return path, expected, json.dumps(failure.instance)[:120]


def check_record(
    schema: BaseSchema,
    spec: dict[str, Any],
    report: OperationReport,
    record: dict[str, Any],
    codes: set[tuple[int, int]],
) -> None:
    op_id = report.info.operation_id
    request, response, body_rebuilt = rebuild(record)
    report.exchanges += 1
    problems: list[tuple[str, str, str]] = []
    if body_rebuilt:
        for text in request_body_problems(spec, op_id, request):
            problems.append(("request body", "the request schema", text))
    operation = schema.find_operation_by_id(op_id)  # type: ignore[attr-defined]
    for failure in response_failures(operation, response):
        name = type(failure).__name__
        if name == "UndefinedStatusCode":
            report.undocumented_statuses[response.status_code] += 1
        elif name == "JsonSchemaError":
            problems.append(schema_violation(failure))
        else:
            title = getattr(failure, "title", name)
            detail = " ".join(str(failure).split())[:200]
            problems.append(
                (f"response ({title})", detail, str(response.headers.get("content-type")))
            )
    for problem in problems:
        report.violations[problem] += 1
    if not problems and response.status_code not in report.undocumented_statuses:
        report.conforming += 1
    body = (record["response"].get("body") or {}).get("json")
    resp_schema = response_schema(spec, op_id, response.status_code)
    if isinstance(body, dict):
        code = body.get("code")
        if isinstance(code, int) and (code, response.status_code) not in codes:
            report.undocumented_codes[(code, response.status_code)] += 1
        if resp_schema is not None:
            for path in set(undeclared_fields(spec, resp_schema, body, "")):
                report.extra_fields[f"response {path}"] += 1
    req_body = (record["request"].get("body") or {}).get("json")
    req_def = report.info.definition.get("requestBody")
    if isinstance(req_body, dict) and req_def:
        media = resolve(spec, req_def).get("content", {}).get("application/json")
        if media:
            for path in set(undeclared_fields(spec, media["schema"], req_body, "")):
                report.extra_fields[f"request {path}"] += 1


def records_in(directory: Path) -> tuple[list[dict[str, Any]], list[str]]:
    records, unreadable = [], []
    for path in sorted(directory.rglob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                record["request"]["method"], record["response"]["status"]
            except (ValueError, KeyError, TypeError) as exc:
                unreadable.append(f"{path.name}:{number}: {type(exc).__name__}: {exc}")
                continue
            records.append(record)
    return records, unreadable


def verify(directory: Path, spec: dict[str, Any] | None = None) -> Verification:
    spec = spec or load_spec()
    schema = build_schema(spec, base_url="http://recorded.invalid", api_key="recorded")
    rows = matcher(spec)
    codes = documented_codes(spec)
    reports: dict[str, OperationReport] = {}
    unmatched: Counter[str] = Counter()
    records, unreadable = records_in(directory)
    for record in records:
        info = find_operation(rows, record["request"]["method"], record["request"]["url"])
        if info is None:
            url = httpx.URL(record["request"]["url"])
            first = "/".join(url.path.split("/")[:2])
            unmatched[f"{record['request']['method']} {url.host}{first}/..."] += 1
            continue
        report = reports.setdefault(info.operation_id, OperationReport(info))
        check_record(schema, spec, report, record, codes)
    return Verification(reports, unmatched, unreadable)


# --- the report ----------------------------------------------------------------------------------
def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: Verification, directory: Path) -> str:
    total = sum(r.exchanges for r in result.reports.values())
    bad = sorted(op for op, r in result.reports.items() if r.violations or r.undocumented_statuses)
    lines = [
        f"# Recorded exchanges in `{directory}` against the spec",
        "",
        f"- {total} exchanges of {len(result.reports)} operations; "
        f"{sum(result.unmatched.values())} matched no operation",
        f"- verdict: **{'FAIL' if result.failed else 'pass'}**"
        + (f" (violations in {', '.join(f'`{op}`' for op in bad)})" if bad else ""),
    ]
    for op_id in sorted(result.reports):
        r = result.reports[op_id]
        lines += [
            "",
            f"## `{op_id}` ({r.info.label})",
            "",
            f"- conforming exchanges: {r.conforming} of {r.exchanges}",
        ]
        if r.violations:
            lines += [
                "",
                "Violations:",
                "",
                "| field | expected | seen | exchanges |",
                "|---|---|---|---|",
            ]
            for (where, expected, seen), count in sorted(r.violations.items()):
                lines.append(f"| {cell(where)} | {cell(expected)} | {cell(seen)} | {count} |")
        if r.undocumented_statuses:
            statuses = ", ".join(f"{s} ({n}x)" for s, n in sorted(r.undocumented_statuses.items()))
            lines.append(f"- undocumented statuses: {statuses}")
        if r.undocumented_codes:
            listed = ", ".join(
                f"code {c} with HTTP {s} ({n}x)"
                for (c, s), n in sorted(r.undocumented_codes.items())
            )
            lines.append(f"- envelope codes the spec does not list: {listed}")
        if r.extra_fields:
            lines += ["", "Fields the spec does not have (candidates to add):", ""]
            lines += ["| field | seen in exchanges |", "|---|---|"]
            for name, count in sorted(r.extra_fields.items()):
                lines.append(f"| `{cell(name)}` | {count} |")
    if result.unmatched:
        lines += ["", "## Exchanges that match no operation", ""]
        lines += [f"- {what}: {n}" for what, n in sorted(result.unmatched.items())]
    if result.unreadable:
        lines += ["", "## Unreadable lines", ""] + [f"- {line}" for line in result.unreadable]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="the SELLERPIC_RECORD folder")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"verify-recordings: {args.directory} is not a folder (set DIR=...)", file=sys.stderr)
        return 2
    result = verify(args.directory)
    if not result.reports and not result.unreadable:
        print(f"verify-recordings: no recorded exchange in {args.directory}", file=sys.stderr)
        return 2
    report = render(result, args.directory)
    sys.stdout.write(report)
    if args.output:
        args.output.write_text(report)
    return 1 if result.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
