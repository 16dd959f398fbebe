"""The catalogue: each operation's facts, derived from the spec's schemas and `x-` extensions.

Where a fact lives in the spec:

* body fields, their types and required flags: the request schemas; a field that refers to
  `FileKey` is a file key (nested objects such as `top.imageKey` included);
* `x-masks` on a request schema: mask field -> the image field it must match;
* `x-preset-fields` on a request schema: field -> preset type (or the type per `replaceType`);
* `x-required-by-replace-type`, `x-one-of-required` on a request schema;
* `x-results-per-task`, `x-results-by-replace-type`, `x-concurrency-limit`, `x-credits`,
  `x-result-kind` and `x-image-rules` (exceptions to the common rules) on an operation;
* `x-url-lifetime` on an operation whose answer carries a temporary URL;
* `x-image-rules` and `x-mask-rules` under `components`: the common input rules;
* the `UploadFormat` enum (accepted uploads), `x-formats-by-result-kind` on `DownloadFormat`, the
  `maxLength` of each upload body (bytes per upload flow).

Each extension carries its own `x-evidence`; `make spec-report` lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

# Imported for type checkers only: the CLI imports this module at start-up, and `typing`,
# `pathlib` and `fractions` would cost it more than this module's own code.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from typing import Any

_BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sellerpic.json")
_METHODS = ("get", "put", "post", "delete", "patch")
_CREATE_TAG = "Create Task"
_FILE_KEY_REF = "#/components/schemas/FileKey"


def spec_path() -> Path:
    """The bundled spec (JSON); OpenAPI tools such as schemathesis read it as they read YAML."""
    from pathlib import Path

    return Path(_BUNDLED)


@cache
def document() -> dict[str, Any]:
    """The bundled spec as parsed, `$ref`s kept. Shared by every caller: do not mutate it."""
    import json

    with open(_BUNDLED, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@cache
def catalog() -> Catalog:
    """The catalogue of the bundled spec, built once per process."""
    return Catalog(document())


def resolved_document() -> dict[str, Any]:
    """The bundled spec with every local `$ref` inlined. Shared: do not mutate it."""
    return catalog().resolved


def resolve_refs(node: Any, root: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """A copy of `node` with every local `$ref` inlined (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            # The target is rebuilt, not shared: every dict and list of the result is new.
            return resolve_refs(_target(ref, root), root, (*seen, ref))
        return {key: resolve_refs(value, root, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_refs(item, root, seen) for item in node]
    return node


def _target(ref: str, root: Mapping[str, Any]) -> Any:
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def _facts(extension: Any) -> dict[str, Any]:
    """An `x-` extension's values without its `x-evidence` label."""
    if not isinstance(extension, dict):
        return {}
    return {key: value for key, value in extension.items() if not key.startswith("x-")}


@dataclass(frozen=True)
class ImageRules:
    """What an input image must be: the common rules, or an operation's with its exceptions."""

    max_bytes: int
    max_side: int
    #: the shorter edge must be at least this long (0: no rule)
    min_short_side: int = 0
    #: width : height must lie within these bounds, each as (width, height), e.g. (2, 5)
    aspect_min: tuple[int, int] | None = None
    aspect_max: tuple[int, int] | None = None
    animated: bool = False


@dataclass(frozen=True)
class MaskRules:
    """What a mask must be: black and white, and (when `same_size`) the size of its image."""

    same_size: bool
    #: a pixel this close to 0 or 255 counts as black or white (JPEG ringing at edges)
    tolerance: int
    #: share of pixels that may be neither (anti-aliased edges)
    max_grey_share: float


@dataclass(frozen=True)
class Credits:
    """Credits charged per result (refunded for a failed one)."""

    per_result: int
    #: a longer video costs more: (body field, seconds beyond which, credits per result)
    long_video: tuple[str, int, int] | None = None

    def per_result_for(self, body: Mapping[str, Any]) -> int:
        if self.long_video is not None:
            name, seconds, credits = self.long_video
            if int(body.get(name) or 0) > seconds:
                return credits
        return self.per_result


@dataclass(frozen=True)
class Field:
    """One field of a request body; nested fields are named by their path (`top.imageKey`)."""

    name: str
    type: str
    required: bool
    file_key: bool = False
    enum: tuple[str, ...] = ()
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Parameter:
    """A query, path or header parameter of an operation."""

    name: str
    location: str  # query, path or header
    type: str
    required: bool
    enum: tuple[str, ...] = ()
    default: Any = None
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class PresetField:
    """A body field holding a preset id: its preset type, fixed or chosen by `replaceType`."""

    preset_type: str | None = None
    by_replace_type: Mapping[str, str] = field(default_factory=dict)

    def type_for(self, body: Mapping[str, Any]) -> str | None:
        if self.preset_type is not None:
            return self.preset_type
        replace_type = body.get("replaceType")
        return self.by_replace_type.get(replace_type) if isinstance(replace_type, str) else None


@dataclass(frozen=True)
class OperationFacts:
    """Everything the spec says about one operation that a client or a simulator acts on."""

    operation_id: str
    method: str
    path: str
    tags: tuple[str, ...]
    summary: str
    evidence: str
    #: JSON body fields in spec order (nested fields after their parent)
    fields: tuple[Field, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    concurrency_limit: int | None = None
    results_per_task: int = 1
    results_by_replace_type: Mapping[str, int] = field(default_factory=dict)
    required_by_replace_type: Mapping[str, str] = field(default_factory=dict)
    one_of_required: tuple[str, ...] = ()
    #: mask field -> the image field whose size it must have
    masks: Mapping[str, str] = field(default_factory=dict)
    preset_fields: Mapping[str, PresetField] = field(default_factory=dict)
    credits: Credits | None = None
    #: rules of the images a task takes (None: not a create operation)
    image_rules: ImageRules | None = None
    result_kind: str = "image"
    #: formats a result can be downloaded in; the first is the default
    result_formats: tuple[str, ...] = ()
    #: largest request body accepted, when the spec bounds a binary body
    max_body_bytes: int | None = None
    #: how long a URL in the answer stays valid (presigned upload, download, result file)
    url_lifetime_seconds: int | None = None

    @property
    def is_create(self) -> bool:
        return _CREATE_TAG in self.tags

    @property
    def default_format(self) -> str:
        return self.result_formats[0]

    @property
    def limit(self) -> int:
        """The concurrency limit; LookupError when the spec gives none (not a create)."""
        if self.concurrency_limit is None:
            raise LookupError(f"the spec gives {self.operation_id} no x-concurrency-limit")
        return self.concurrency_limit

    @cached_property
    def file_key_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.file_key)

    @cached_property
    def _file_key_paths(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        # Walked on every create: split once.
        return tuple((name, tuple(name.split("."))) for name in self.file_key_fields)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.operation_id} has no body field {name!r}")

    def results_for(self, body: Mapping[str, Any]) -> int:
        """How many results a task of this body produces (replaceBackground: by replaceType)."""
        replace_type = body.get("replaceType")
        if isinstance(replace_type, str) and replace_type in self.results_by_replace_type:
            return self.results_by_replace_type[replace_type]
        return self.results_per_task

    def credits_per_result(self, body: Mapping[str, Any]) -> int:
        return 0 if self.credits is None else self.credits.per_result_for(body)

    def cost(self, body: Mapping[str, Any]) -> int:
        """Credits a task of this body is charged when it is created."""
        return self.results_for(body) * self.credits_per_result(body)

    def file_keys(self, body: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(field, file key) for every file-key field the body fills, nested ones included."""
        found = []
        for name, parts in self._file_key_paths:
            value: Any = body
            for part in parts:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str):
                found.append((name, value))
        return found

    def presets_in(self, body: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(field, preset type) for every preset id the body refers to."""
        found = []
        for name, preset in self.preset_fields.items():
            kind = preset.type_for(body)
            if body.get(name) and kind is not None:
                found.append((name, kind))
        return found


class Catalog:
    """The facts of one spec document (the bundled one: `catalog()`)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.document = spec

    @cached_property
    def resolved(self) -> dict[str, Any]:
        resolved: dict[str, Any] = resolve_refs(self.document, self.document)
        return resolved

    def _schema(self, name: str) -> dict[str, Any]:
        schema: dict[str, Any] = self.document["components"]["schemas"][name]
        return schema

    @cached_property
    def upload_formats(self) -> tuple[str, ...]:
        """Formats `getUploadUrl` accepts, as named there (`jpg` and `jpeg` both)."""
        return tuple(self._schema("UploadFormat")["enum"])

    @cached_property
    def preset_types(self) -> tuple[str, ...]:
        return tuple(self._schema("PresetType")["enum"])

    @cached_property
    def replace_types(self) -> tuple[str, ...]:
        return tuple(self._schema("ReplaceType")["enum"])

    def result_formats(self, kind: str) -> tuple[str, ...]:
        """Download formats of a result kind (`image`, `video`); the first is the default."""
        return self._formats_by_result_kind[kind]

    @cached_property
    def _formats_by_result_kind(self) -> dict[str, tuple[str, ...]]:
        # Read on every status poll (a result's default format): built once.
        by_kind = _facts(self._schema("DownloadFormat")["x-formats-by-result-kind"])
        return {kind: tuple(formats) for kind, formats in by_kind.items()}

    @cached_property
    def image_rules(self) -> ImageRules:
        """The common rules of a task's input images (`components.x-image-rules`)."""
        return _image_rules(_facts(self.document["components"]["x-image-rules"]), None)

    @cached_property
    def mask_rules(self) -> MaskRules:
        rules = _facts(self.document["components"]["x-mask-rules"])
        return MaskRules(
            same_size=bool(rules["sameSizeAsImage"]),
            tolerance=int(rules["blackWhiteTolerance"]),
            max_grey_share=float(rules["maxGreyShare"]),
        )

    def upload_rules(self, operation_id: str) -> ImageRules:
        """The rules an upload flow checks: the common ones, with that flow's byte limit (the
        file must still respect the limits of the task it is used in)."""
        limit = self.operation(operation_id).max_body_bytes
        if limit is None:
            raise KeyError(f"{operation_id} is not an upload operation")
        return replace(self.image_rules, max_bytes=limit)

    def url_lifetime(self, operation_id: str) -> int:
        """Seconds a URL in the operation's answers stays valid (its `x-url-lifetime`)."""
        seconds = self.operation(operation_id).url_lifetime_seconds
        if seconds is None:
            raise KeyError(f"{operation_id} answers with no temporary URL (no x-url-lifetime)")
        return seconds

    @cached_property
    def operations(self) -> dict[str, OperationFacts]:
        found = {}
        for route, item in self.document["paths"].items():
            for method in _METHODS:
                if method in item:
                    facts = self._operation(route, method, item[method])
                    found[facts.operation_id] = facts
        return found

    @cached_property
    def create_operations(self) -> dict[str, OperationFacts]:
        return {op_id: op for op_id, op in self.operations.items() if op.is_create}

    def operation(self, operation_id: str) -> OperationFacts:
        try:
            return self.operations[operation_id]
        except KeyError:
            known = ", ".join(self.operations)
            raise KeyError(f"no operation {operation_id!r} in the spec; known: {known}") from None

    def _operation(self, route: str, method: str, raw: Mapping[str, Any]) -> OperationFacts:
        tags = tuple(raw.get("tags", ()))
        body = _json_body_schema(raw)
        schema = self._resolve_schema(body) if body is not None else {}
        kind = str(raw.get("x-result-kind", "image"))
        is_create = _CREATE_TAG in tags
        credits = _facts(raw.get("x-credits"))
        long_video = _facts(credits.get("longVideo"))
        return OperationFacts(
            operation_id=str(raw["operationId"]),
            method=method.upper(),
            path=route,
            tags=tags,
            summary=str(raw.get("summary", "")),
            evidence=str(raw.get("x-evidence", {}).get("source", "")),
            fields=tuple(self._fields(schema)),
            parameters=tuple(self._parameters(raw)),
            concurrency_limit=_int_or_none(raw.get("x-concurrency-limit")),
            results_per_task=int(raw.get("x-results-per-task", 1)),
            results_by_replace_type=_ints(_facts(raw.get("x-results-by-replace-type"))),
            required_by_replace_type=_strs(_facts(schema.get("x-required-by-replace-type"))),
            one_of_required=tuple(schema.get("x-one-of-required", ())),
            masks=_strs(_facts(schema.get("x-masks"))),
            preset_fields={
                name: PresetField(
                    spec.get("presetType"), _strs(spec.get("presetTypeByReplaceType", {}))
                )
                for name, spec in _facts(schema.get("x-preset-fields")).items()
            },
            credits=Credits(
                int(credits["perResult"]),
                (
                    str(long_video["field"]),
                    int(long_video["longerThanSeconds"]),
                    int(long_video["perResult"]),
                )
                if long_video
                else None,
            )
            if credits
            else None,
            image_rules=(
                _image_rules(_facts(raw.get("x-image-rules")), self.image_rules)
                if is_create
                else None
            ),
            result_kind=kind,
            result_formats=self.result_formats(kind) if is_create else (),
            max_body_bytes=_binary_body_limit(raw, self.document),
            url_lifetime_seconds=_int_or_none(_facts(raw.get("x-url-lifetime")).get("seconds")),
        )

    def _resolve_schema(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """The schema behind a `$ref`, one level (its properties keep theirs)."""
        while "$ref" in schema:
            schema = _target(str(schema["$ref"]), self.document)
        return dict(schema)

    def _parameters(self, raw: Mapping[str, Any]) -> list[Parameter]:
        found = []
        for param in raw.get("parameters", ()):
            schema = self._resolve_schema(param.get("schema", {}))
            found.append(
                Parameter(
                    name=str(param["name"]),
                    location=str(param["in"]),
                    type=str(schema.get("type", "")),
                    required=bool(param.get("required")),
                    enum=tuple(schema.get("enum", ())),
                    default=schema.get("default"),
                    description=str(param.get("description", "")),
                    minimum=schema.get("minimum"),
                    maximum=schema.get("maximum"),
                )
            )
        return found

    def _fields(self, schema: Mapping[str, Any], prefix: str = "") -> list[Field]:
        found: list[Field] = []
        required = set(schema.get("required", ()))
        for name, prop in (schema.get("properties") or {}).items():
            ref = _described_ref(prop)
            is_key = ref == _FILE_KEY_REF
            target = self._resolve_schema({"$ref": ref} if ref else prop)
            if "description" in prop:
                target["description"] = prop["description"]
            found.append(
                Field(
                    name=prefix + name,
                    type=str(target.get("type", "")),
                    required=name in required,
                    file_key=is_key,
                    enum=tuple(target.get("enum", ())),
                    description=str(target.get("description", "")),
                    minimum=target.get("minimum"),
                    maximum=target.get("maximum"),
                    max_length=target.get("maxLength"),
                )
            )
            if target.get("type") == "object" and not is_key:
                found.extend(self._fields(target, f"{prefix}{name}."))
        return found


def _described_ref(prop: Mapping[str, Any]) -> str | None:
    """The `$ref` of a property, seen through the `{description, allOf: [{$ref}]}` wrapper that
    OAS 3.0 needs to give a referenced schema a description of its own."""
    ref = prop.get("$ref")
    if ref is None and len(prop.get("allOf") or ()) == 1:
        ref = prop["allOf"][0].get("$ref")
    return None if ref is None else str(ref)


def _json_body_schema(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    content = raw.get("requestBody", {}).get("content", {})
    body = content.get("application/json")
    return None if body is None else body.get("schema")


def _binary_body_limit(raw: Mapping[str, Any], root: Mapping[str, Any]) -> int | None:
    """The `maxLength` of a binary body (the presigned PUT) or binary part (the multipart)."""
    for media in raw.get("requestBody", {}).get("content", {}).values():
        schema = resolve_refs(media.get("schema", {}), root)
        candidates = [schema, *(schema.get("properties") or {}).values()]
        for candidate in candidates:
            if candidate.get("format") == "binary" and "maxLength" in candidate:
                return int(candidate["maxLength"])
    return None


def _image_rules(spec: Mapping[str, Any], base: ImageRules | None) -> ImageRules:
    aspect = spec.get("aspectRatio") or {}
    changes: dict[str, Any] = {}
    if "maxBytes" in spec:
        changes["max_bytes"] = int(spec["maxBytes"])
    if "maxSide" in spec:
        changes["max_side"] = int(spec["maxSide"])
    if "minShortSide" in spec:
        changes["min_short_side"] = int(spec["minShortSide"])
    if "animated" in spec:
        changes["animated"] = bool(spec["animated"])
    if "min" in aspect:
        changes["aspect_min"] = (int(aspect["min"][0]), int(aspect["min"][1]))
    if "max" in aspect:
        changes["aspect_max"] = (int(aspect["max"][0]), int(aspect["max"][1]))
    if base is None:
        return ImageRules(**changes)
    return replace(base, **changes)


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _ints(values: Mapping[str, Any]) -> dict[str, int]:
    return {str(key): int(value) for key, value in values.items()}


def _strs(values: Mapping[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in values.items()}
