"""Print each operation of the spec with its evidence, the facts that clients and the simulator
take from its x- extensions (through `sellerpic_spec`), and the fields not plainly documented."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from sellerpic_spec import Catalog, ImageRules

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


def _label(extension: Any) -> str:
    evidence = extension.get("x-evidence", {}) if isinstance(extension, dict) else {}
    source = str(evidence.get("source", "")) or "see the operation"
    guessed = evidence.get("inferred")
    return f"{source}; inferred: {', '.join(guessed)}" if guessed else source


def _rules(rules: ImageRules) -> str:
    parts = [f"{rules.max_bytes} bytes", f"{rules.max_side} px per side"]
    if rules.min_short_side:
        parts.append(f"short edge >= {rules.min_short_side} px")
    if rules.aspect_min is not None and rules.aspect_max is not None:
        low, high = rules.aspect_min, rules.aspect_max
        parts.append(f"aspect {low[0]}:{low[1]} to {high[0]}:{high[1]}")
    if not rules.animated:
        parts.append("no animation")
    return ", ".join(parts)


def fact_lines(spec: dict[str, Any]) -> list[str]:
    """The catalogue's facts per create operation, each with the evidence of its extension."""
    facts = Catalog(spec)
    common = spec["components"]["x-image-rules"]
    masks = facts.mask_rules
    lines = [
        f"input images: {_rules(facts.image_rules)} [{_label(common)}]",
        f"masks: black and white (grey share <= {masks.max_grey_share:.0%}, tolerance "
        f"{masks.tolerance}), same size as the image: {masks.same_size} "
        f"[{_label(spec['components']['x-mask-rules'])}]",
        f"uploads: {', '.join(facts.upload_formats)}; presigned "
        f"{facts.upload_rules('uploadFile').max_bytes} bytes, multipart "
        f"{facts.upload_rules('uploadAssetFile').max_bytes} bytes",
    ]
    for op_id, op in facts.operations.items():
        if op.url_lifetime_seconds is not None:
            raw = next(o for i, _m, _p, o in operations(spec) if i == op_id)
            lines.append(
                f"{op_id}: URLs valid {op.url_lifetime_seconds} s [{_label(raw['x-url-lifetime'])}]"
            )
    for op_id, op in facts.create_operations.items():
        raw = next(o for i, _m, _p, o in operations(spec) if i == op_id)
        schema = _body_schema(spec, raw)
        credits = op.credits
        lines.append(
            f"{op_id}: {op.results_per_task} result(s) ({op.result_kind}), limit "
            f"{op.concurrency_limit}, credits per result "
            f"{credits.per_result if credits else '?'}"
            + (
                f" ({credits.long_video[2]} beyond {credits.long_video[1]} s)"
                if credits and credits.long_video
                else ""
            )
            + f" [{_label(raw.get('x-credits'))}]"
        )
        if "x-image-rules" in raw and op.image_rules is not None:
            lines.append(f"  images: {_rules(op.image_rules)} [{_label(raw['x-image-rules'])}]")
        if op.results_by_replace_type:
            by_type = ", ".join(f"{k} {v}" for k, v in op.results_by_replace_type.items())
            lines.append(f"  results by replaceType: {by_type}")
        if op.masks:
            pairs = ", ".join(f"{m} ~ {i}" for m, i in op.masks.items())
            lines.append(f"  masks: {pairs} [{_label(schema.get('x-masks'))}]")
        for name, preset in op.preset_fields.items():
            kind = preset.preset_type or ", ".join(
                f"{k} -> {v}" for k, v in preset.by_replace_type.items()
            )
            lines.append(f"  preset: {name} ({kind}) [{_label(schema.get('x-preset-fields'))}]")
    return lines


def _body_schema(spec: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    ref = raw["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


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
    print("\nfacts in x- extensions [evidence]:")
    for line in fact_lines(spec):
        print(f"  {line}")
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
