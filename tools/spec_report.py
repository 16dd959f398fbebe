"""Print each operation of the spec with its evidence, the facts that clients and the simulator
take from its x- extensions (through `sellerpic_spec`), every inferred item, and the counts of
the full spec and of its vendor-only view.

The vendor-only view is the spec without what this project guessed (see the spec's
"Provenance" section): objects labelled `x-evidence: {source: inferred}` are removed, keywords
named in an `x-evidence.inferred` list are removed from their schema, and components nothing
refers to any more are pruned. `--vendor-only` prints that view as YAML, for tools that should
judge a real deployment only by what the vendor documents (the contract suite does).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sellerpic_spec import Catalog, ImageRules

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "sellerpic.yaml"
METHODS = ("get", "put", "post", "delete", "patch")
EVIDENCE_SOURCES = ("documented", "documented-1.0.1", "public-client", "inferred")
#: Schema keywords that restrict values: what "a constraint" means in the counts.
CONSTRAINT_KEYWORDS = frozenset(
    {
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "enum",
        "format",
    }
)
#: Component sections whose entries are reached through `$ref` and pruned when unreferenced.
PRUNED_SECTIONS = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    rows = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                rows.append((op["operationId"], method.upper(), path, op))
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


# --- labels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InferredItem:
    """One label: where it sits, what it covers (the whole object or some keywords), why."""

    location: str
    keywords: tuple[str, ...]  # empty: the whole object is inferred
    values: tuple[Any, ...]
    note: str

    def describe(self) -> str:
        if self.keywords:
            what = ", ".join(f"{k} {v!r}" for k, v in zip(self.keywords, self.values, strict=True))
        else:
            what = "the whole object"
        return f"{self.location}: {what}" + (f" ({self.note})" if self.note else "")


def _pointer(parts: tuple[str, ...]) -> str:
    """`paths[/v1/api/presets]/get/parameters/1/schema`: the path key kept readable."""
    if parts[:1] == ("paths",) and len(parts) > 1:
        return "/".join((f"paths[{parts[1]}]", *parts[2:]))
    return "/".join(parts)


Located = tuple[tuple[str, ...], dict[str, Any]]


def _walk(node: Any, parts: tuple[str, ...] = ()) -> Iterator[Located]:
    """Every object of the document with its location. Example values and labels are data, not
    walked into."""
    if isinstance(node, dict):
        yield parts, node
        for key, value in node.items():
            if key in ("example", "x-evidence"):
                continue
            yield from _walk(value, (*parts, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*parts, str(index)))


def _evidence(node: dict[str, Any]) -> dict[str, Any]:
    evidence = node.get("x-evidence")
    return evidence if isinstance(evidence, dict) else {}


def _constrained(node: dict[str, Any]) -> dict[str, Any]:
    """The schema an `inferred` keyword list applies to: a parameter's own schema, else the node."""
    schema = node.get("schema")
    return schema if "in" in node and isinstance(schema, dict) else node


def inferred_items(spec: dict[str, Any]) -> list[InferredItem]:
    """Every inferred label of the spec, whole objects and keyword lists, in document order."""
    items = []
    for parts, node in _walk(spec):
        evidence = _evidence(node)
        note = str(evidence.get("note", ""))
        if evidence.get("source") == "inferred":
            items.append(InferredItem(_pointer(parts), (), (), note))
        keywords = tuple(evidence.get("inferred") or ())
        if keywords:
            values = tuple(_constrained(node).get(k) for k in keywords)
            items.append(InferredItem(_pointer(parts), keywords, values, note))
    return items


def label_problems(spec: dict[str, Any]) -> list[str]:
    """Labels that are malformed: an unknown source, a keyword list on an object that is
    inferred as a whole, or a listed keyword the object does not have."""
    problems = []
    for parts, node in _walk(spec):
        if "x-evidence" not in node:
            continue
        where = _pointer(parts) or "(root)"
        evidence = _evidence(node)
        source = evidence.get("source")
        if source not in EVIDENCE_SOURCES:
            problems.append(f"{where}: x-evidence source {source!r} is not one of the known ones")
        keywords = evidence.get("inferred") or []
        if keywords and source == "inferred":
            problems.append(f"{where}: an inferred object needs no `inferred` keyword list")
        for keyword in keywords:
            if keyword not in _constrained(node):
                problems.append(f"{where}: `inferred` names {keyword!r}, which it does not have")
        for claim in evidence.get("claims") or []:
            if claim.get("source") not in EVIDENCE_SOURCES or not claim.get("claim"):
                problems.append(f"{where}: malformed claim {claim!r}")
    return problems


# --- the vendor-only view ------------------------------------------------------------------


def _target(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _is_inferred(spec: dict[str, Any], node: Any) -> bool:
    """Labelled inferred itself, or a `$ref` to something inferred."""
    seen: set[str] = set()
    while isinstance(node, dict):
        if _evidence(node).get("source") == "inferred":
            return True
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            return False
        seen.add(ref)
        node = _target(spec, ref)
    return False


def _strip(spec: dict[str, Any], node: Any) -> None:
    """Remove, in place, every inferred child of `node` and every inferred keyword below it."""
    if isinstance(node, list):
        node[:] = [item for item in node if not _is_inferred(spec, item)]
        for item in node:
            _strip(spec, item)
        return
    if not isinstance(node, dict):
        return
    evidence = _evidence(node)
    for keyword in evidence.get("inferred") or ():
        _constrained(node).pop(keyword, None)
    if "inferred" in evidence:
        node["x-evidence"] = {k: v for k, v in evidence.items() if k != "inferred"}
    properties = node.get("properties")
    if isinstance(properties, dict):
        dropped = [name for name, prop in properties.items() if _is_inferred(spec, prop)]
        for name in dropped:
            del properties[name]
        if dropped and isinstance(node.get("required"), list):
            node["required"] = [name for name in node["required"] if name not in dropped]
            if not node["required"]:
                del node["required"]
    for key in list(node):
        value = node[key]
        if key in ("example", "x-evidence") or key.startswith("x-known"):
            continue
        if _is_inferred(spec, value):
            del node[key]
        elif key == "examples" and isinstance(value, dict):
            for name in [n for n, ex in value.items() if _is_inferred(spec, ex)]:
                del value[name]
            if not value:
                del node[key]
        else:
            _strip(spec, value)
            if key == "content" and value == {}:
                del node[key]  # every media type was a guess: the body is undocumented


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _prune(spec: dict[str, Any]) -> None:
    """Drop components that nothing outside the pruned sections reaches any more."""
    components = spec.get("components", {})
    roots = {k: v for k, v in spec.items() if k != "components"}
    roots["components"] = {k: v for k, v in components.items() if k not in PRUNED_SECTIONS}
    reached: set[str] = set()
    pending = list(_refs(roots))
    while pending:
        ref = pending.pop()
        if ref in reached or not ref.startswith("#/components/"):
            continue
        reached.add(ref)
        pending.extend(_refs(_target(spec, ref)))
    for section in PRUNED_SECTIONS:
        entries = components.get(section)
        if not isinstance(entries, dict):
            continue
        for name in list(entries):
            if f"#/components/{section}/{name}" not in reached:
                del entries[name]


def vendor_view(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of the spec without anything inferred (see the module docstring)."""
    view = copy.deepcopy(spec)
    for path in list(view["paths"]):
        item = view["paths"][path]
        if _is_inferred(spec, item):
            del view["paths"][path]
            continue
        _strip(spec, item)
        if not any(method in item for method in METHODS):
            del view["paths"][path]
    _strip(spec, view.get("components", {}))
    _prune(view)
    leftover = [item.location for item in inferred_items(view)]
    if leftover:
        raise ValueError(f"the vendor-only view still holds inferred items: {leftover}")
    return view


# --- counts --------------------------------------------------------------------------------


def counts(spec: dict[str, Any]) -> dict[str, int]:
    ops = operations(spec)
    schemas = spec.get("components", {}).get("schemas", {})
    constraints = 0
    for _, node in _walk(spec):
        if "type" in node or "$ref" in node or "anyOf" in node or "allOf" in node:
            constraints += sum(1 for key in node if key in CONSTRAINT_KEYWORDS)
    return {
        "operations": len(ops),
        "responses": sum(len(op["responses"]) for *_, op in ops),
        "schemas": len(schemas),
        "properties": sum(len(s.get("properties") or {}) for s in schemas.values()),
        "constraints": constraints,
        "inferred items": len(inferred_items(spec)),
    }


def main() -> int:
    spec = yaml.safe_load(SPEC.read_text())
    args = sys.argv[1:]
    if args == ["--markdown"]:
        sys.stdout.write(markdown_table(spec))
        return 0
    if args == ["--vendor-only"]:
        sys.stdout.write(yaml.safe_dump(vendor_view(spec), sort_keys=False, allow_unicode=True))
        return 0
    ops = operations(spec)
    width = max(len(op_id) for op_id, *_ in ops)
    print(f"{'operation':<{width}}  {'evidence':<17} method path")
    for op_id, method, path, op in ops:
        evidence = op.get("x-evidence", {})
        print(f"{op_id:<{width}}  {evidence.get('source', 'MISSING'):<17} {method:<6} {path}")
        if evidence.get("note"):
            print(f"{'':<{width}}  note: {evidence['note']}")
        for claim in evidence.get("claims") or []:
            print(f"{'':<{width}}  claim ({claim['source']}): {claim['claim']}")
    print("\nfacts in x- extensions [evidence]:")
    for line in fact_lines(spec):
        print(f"  {line}")
    items = inferred_items(spec)
    print(f"\ninferred items ({len(items)}), left out of the vendor-only view:")
    for item in items:
        print(f"  {item.describe()}")
    full, vendor = counts(spec), counts(vendor_view(spec))
    print(f"\n{'':<16}{'full spec':>11}{'vendor-only':>13}")
    for name, value in full.items():
        print(f"{name:<16}{value:>11}{vendor[name]:>13}")
    status = 0
    missing = [op_id for op_id, *_rest, op in ops if "x-evidence" not in op]
    if missing:
        print(f"operations without x-evidence: {', '.join(missing)}", file=sys.stderr)
        status = 1
    for problem in label_problems(spec):
        print(f"malformed label: {problem}", file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
