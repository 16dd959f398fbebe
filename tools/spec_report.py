"""Print each operation of the spec with its evidence, then the fields not plainly documented."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "sellerpic.yaml"
METHODS = ("get", "put", "post", "delete", "patch")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    rows = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                rows.append((op["operationId"], method.upper(), path, op))
    return rows


def guessed_fields(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    for name, schema in spec["components"]["schemas"].items():
        for field, prop in (schema.get("properties") or {}).items():
            evidence = prop.get("x-evidence") if isinstance(prop, dict) else None
            if evidence and evidence.get("source") != "documented":
                rows.append((f"{name}.{field}", evidence["source"], evidence.get("note", "")))
    return rows


def markdown_table(spec: dict[str, Any]) -> str:
    """The README's table of operations, so the README can be checked against the spec."""
    lines = ["| operation | method and path | evidence | summary |", "|---|---|---|---|"]
    for op_id, method, path, op in operations(spec):
        source = op.get("x-evidence", {}).get("source", "MISSING")
        lines.append(f"| `{op_id}` | `{method} {path}` | {source} | {op['summary']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    spec = yaml.safe_load(SPEC.read_text())
    if sys.argv[1:] == ["--markdown"]:
        sys.stdout.write(markdown_table(spec))
        return 0
    ops = operations(spec)
    width = max(len(op_id) for op_id, *_ in ops)
    print(f"{'operation':<{width}}  {'evidence':<17} method path")
    for op_id, method, path, op in ops:
        evidence = op.get("x-evidence", {})
        print(f"{op_id:<{width}}  {evidence.get('source', 'MISSING'):<17} {method:<6} {path}")
        if evidence.get("note"):
            print(f"{'':<{width}}  note: {evidence['note']}")
    print("\nfields not plainly documented:")
    for field, source, note in guessed_fields(spec):
        print(f"  {field}: {source}" + (f" ({note})" if note else ""))
    missing = [op_id for op_id, *_rest, op in ops if "x-evidence" not in op]
    if missing:
        print(f"operations without x-evidence: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
