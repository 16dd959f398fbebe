"""The change report and release gate: what the working tree changes against a base revision.

`make api-diff BASE=<ref>` compares four things between BASE and the working tree and prints one
Markdown report, grouped by operation:

- the spec: Redocly's `diff` (the pinned CLI, with the `diff-recommended` rules of redocly.yaml),
  each change rated patch, minor or major;
- the generated client's Python API and `sellerpic`'s public API: griffe's breaking changes,
  plus the public objects and optional parameters that were added (compatible);
- evidence: every node of the spec whose `x-evidence` source moved (`inferred` -> `documented`),
  computed here from the two YAML documents.

It proposes the next version by the policy in docs/VERSIONING.md, drafts the CHANGELOG.md entry,
and exits 1 when a change is breaking and the version was not bumped accordingly, naming each
breaking change and its operation. BASE defaults to the latest `v*` tag reachable from HEAD, else
HEAD (so a fresh clone without tags compares HEAD with itself: no change, exit 0).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

# The C loader when PyYAML has it: the pure-Python one takes a fifth of a second per spec read.
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TOOLS_ROOT = Path(__file__).resolve().parent.parent
SPEC = "openapi/sellerpic.yaml"
#: Python packages whose API is compared, and the folder each lives in.
PACKAGES = {"sellerpic_client": "generated", "sellerpic": "src"}
VERSION_FILE = "src/sellerpic/_version.py"
SNAPSHOT = (SPEC, "generated/sellerpic_client", "src/sellerpic", "pyproject.toml")
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
LEVELS = ("none", "patch", "minor", "major")
#: Keep a Changelog sections, in the order the entry lists them.
SECTIONS = ("Removed", "Changed", "Added", "Evidence")
# The layer's methods that call one operation but are not named after it.
LAYER_METHODS = {"credits": "getCreditUsage", "presets": "listPresets"}


class GateError(Exception):
    """A problem running the comparison itself (bad ref, tool missing): exit 2."""


@dataclass(frozen=True)
class Change:
    layer: str  # spec | client | sellerpic | evidence
    level: str  # patch | minor | major
    section: str  # Removed | Changed | Added | Evidence
    text: str
    operations: tuple[str, ...] = ()  # empty: not tied to one operation

    @property
    def breaking(self) -> bool:
        return self.level == "major"


# --- the two trees -------------------------------------------------------------------------------
def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        raise GateError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def default_base(repo: Path, main_refs: tuple[str, ...] = ()) -> str:
    """The latest release tag reachable from HEAD; else the merge base of HEAD with the first of
    `main_refs` that exists (what CI compares a branch with); else HEAD itself."""
    tag = _git_out(repo, "describe", "--tags", "--abbrev=0", "--match", "v*", "HEAD")
    if tag:
        return tag
    for ref in main_refs:
        base = _git_out(repo, "merge-base", ref, "HEAD")
        if base:
            return base
    return "HEAD"


def _git_out(repo: Path, *args: str) -> str:
    """The output of a git command, or "" when it fails (no such tag or ref)."""
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def extract(repo: Path, ref: str, dest: Path) -> None:
    """Write the compared paths of `ref` under `dest` (paths absent at `ref` are skipped)."""
    present = [p for p in SNAPSHOT if git(repo, "ls-tree", "--name-only", ref, "--", p).strip()]
    if not present:
        return
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "--", *present], cwd=repo, capture_output=True
    )
    if archive.returncode != 0:
        raise GateError(f"git archive {ref}: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")


def load_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=YamlLoader)
    return data


def python_files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def read_version(tree: Path) -> str:
    """The toolkit's version: `src/sellerpic/_version.py` when it exists, else pyproject's."""
    version_file = tree / VERSION_FILE
    if version_file.exists():
        found = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", version_file.read_text())
        if found:
            return found.group(1)
    pyproject = tree / "pyproject.toml"
    if pyproject.exists():
        project = tomllib.loads(pyproject.read_text()).get("project", {})
        if isinstance(project.get("version"), str):
            return str(project["version"])
    return "0.0.0"


# --- versions ------------------------------------------------------------------------------------
def parse_version(text: str) -> tuple[int, int, int]:
    found = re.match(r"^\s*v?(\d+)\.(\d+)\.(\d+)", text)
    if not found:
        raise GateError(f"version {text!r} is not MAJOR.MINOR.PATCH")
    return int(found.group(1)), int(found.group(2)), int(found.group(3))


def next_version(base: str, level: str) -> str:
    """The version a change of `level` leads to (docs/VERSIONING.md). In 0.x the minor number is
    the breaking position: breaking changes and additions bump it, fixes bump the patch."""
    major, minor, patch = parse_version(base)
    if level == "none":
        return f"{major}.{minor}.{patch}"
    if major == 0:
        return f"0.{minor + 1}.0" if level in ("major", "minor") else f"0.{minor}.{patch + 1}"
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def bumped_enough(base: str, current: str, level: str) -> bool:
    return parse_version(current) >= parse_version(next_version(base, level))


# --- the spec: operations and what they reference ------------------------------------------------
def spec_operations(spec: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(path, method) -> operationId."""
    found = {}
    for path, item in (spec.get("paths") or {}).items():
        for method, definition in (item or {}).items():
            if method in HTTP_METHODS and isinstance(definition, dict):
                found[(path, method)] = str(definition.get("operationId", f"{method} {path}"))
    return found


def refs_of(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs_of(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_of(value)


def component_users(spec: dict[str, Any]) -> dict[str, set[str]]:
    """'schemas/Name' (and responses/, parameters/) -> the operations that use it, transitively."""
    users: dict[str, set[str]] = defaultdict(set)
    for (path, method), op_id in spec_operations(spec).items():
        seen: set[str] = set()
        pending = list(refs_of(spec["paths"][path][method]))
        while pending:
            ref = pending.pop()
            name = ref.removeprefix("#/components/")
            if name in seen or not ref.startswith("#/components/"):
                continue
            seen.add(name)
            target: Any = spec.get("components", {})
            for part in name.split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            pending.extend(refs_of(target))
        for name in seen:
            users[name].add(op_id)
    return users


def pointer_tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("#/").split("/") if t]


class Attribution:
    """Which operation a spec location, a generated module or a layer method belongs to."""

    def __init__(self, base: dict[str, Any], new: dict[str, Any], trees: list[Path]) -> None:
        self.ops = {**spec_operations(base), **spec_operations(new)}
        self.users: dict[str, set[str]] = defaultdict(set)
        for spec in (base, new):
            for name, ops in component_users(spec).items():
                self.users[name] |= ops
        self.by_snake = {snake(op_id): op_id for op_id in self.ops.values()}
        self.layer: dict[str, str] = dict(LAYER_METHODS)
        for tree in trees:
            source = tree / "src" / "sellerpic" / "_operations.py"
            if source.exists():
                for name, op_id in re.findall(r'_op\(\s*"(\w+)",\s*"(\w+)"', source.read_text()):
                    self.layer[name] = op_id

    def of_pointer(self, pointer: str) -> tuple[str, ...]:
        tokens = pointer_tokens(pointer)
        if tokens[:1] == ["paths"] and len(tokens) >= 2:
            if len(tokens) >= 3 and tokens[2] in HTTP_METHODS:
                op = self.ops.get((tokens[1], tokens[2]))
                return (op,) if op else ()
            return tuple(sorted(op for (path, _), op in self.ops.items() if path == tokens[1]))
        if tokens[:1] == ["components"] and len(tokens) >= 3:
            return self.of_component("/".join(tokens[1:3]))
        return ()

    def schema_of_model(self, path: str) -> str | None:
        """'schemas/Name' of a generated model path (models are named after their schema)."""
        parts = path.split(".")
        if parts[:2] != ["sellerpic_client", "models"]:
            return None
        for part in parts[2:4]:
            for name in self.users:
                if name.startswith("schemas/") and snake(name[8:]) in (part, snake(part)):
                    return name
        return None

    def python_note(self, path: str) -> str:
        schema = self.schema_of_model(path)
        return self.users_note(f"#/components/{schema}") if schema else ""

    def users_note(self, pointer: str) -> str:
        """' (used by a, b)' for a component several operations share, else ''."""
        tokens = pointer_tokens(pointer)
        if tokens[:1] != ["components"] or len(tokens) < 3:
            return ""
        users = sorted(self.users.get("/".join(tokens[1:3]), set()))
        return f" (used by {', '.join(users)})" if len(users) > 1 else ""

    def of_component(self, name: str) -> tuple[str, ...]:
        """The operation a component belongs to, when exactly one uses it."""
        users = self.users.get(name, set())
        return (next(iter(users)),) if len(users) == 1 else ()

    def of_python(self, path: str) -> tuple[str, ...]:
        parts = path.split(".")
        if parts[:2] == ["sellerpic_client", "api"] and len(parts) >= 4:
            op = self.by_snake.get(parts[3])
            return (op,) if op else ()
        schema = self.schema_of_model(path)
        if schema is not None:
            return self.of_component(schema)
        if parts[:1] == ["sellerpic"]:
            for part in parts[1:]:
                if part in self.layer:
                    return (self.layer[part],)
        return ()


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# --- the spec: Redocly's diff --------------------------------------------------------------------
def redocly_command(tools_root: Path) -> list[str]:
    explicit = os.environ.get("REDOCLY")
    if explicit:
        return [explicit]
    local = tools_root / "node_modules" / ".bin" / "redocly"
    if not local.exists():
        raise GateError(f"{local} is missing: run `make setup` (the pinned @redocly/cli)")
    return [str(local)]


def redocly_diff(base: Path, new: Path, tools_root: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="api-diff-redocly-") as tmp:
        out = Path(tmp) / "diff.json"
        cmd = [
            *redocly_command(tools_root),
            "diff",
            str(base),
            str(new),
            "--format=json",
            f"--output={out}",
            "--fail-on=none",
            f"--config={tools_root / 'redocly.yaml'}",
        ]
        env = dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true")
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        if not out.exists():
            raise GateError(f"redocly diff failed (exit {done.returncode}): {done.stderr[-2000:]}")
        data: dict[str, Any] = json.loads(out.read_text())
        return data


def spec_changes(report: dict[str, Any], where: Attribution) -> list[Change]:
    changes = []
    for item in report.get("changes", []):
        impact = item.get("impact", "patch")
        level = impact if impact in LEVELS else "patch"
        kind = item.get("kind", "modified")
        section = {"removed": "Removed", "added": "Added"}.get(kind, "Changed")
        location = "/".join(pointer_tokens(item.get("path", ""))[3:]) or item.get("path", "")
        prop = f" `{item['property']}` of" if item.get("property") else ""
        messages = [v.get("message", "") for v in item.get("verdicts", []) if v.get("message")]
        text = "; ".join(messages) or f"{kind}{prop} `{location}`"
        if messages and location:
            text += f" (`{location}`)"
        # Redocly reports a change of a shared component once, at the first operation that uses
        # it; the source pointer says where it lives and so which operations it concerns.
        source = (item.get("revision") or item.get("base") or {}).get("pointer", "")
        pointer = source if str(source).startswith("#/components/") else item.get("path", "")
        if pointer is source:
            text += f" (`{readable(source)}`)"
        text += where.users_note(pointer)
        changes.append(Change("spec", level, section, text, where.of_pointer(pointer)))
    return changes


# --- Python APIs: griffe -------------------------------------------------------------------------
def load_api(tree: Path, package: str) -> Any:
    import griffe

    loader = griffe.GriffeLoader(search_paths=[tree / folder for folder in PACKAGES.values()])
    module = loader.load(package)
    loader.resolve_aliases(implicit=False, external=None)
    return module


def public_objects(obj: Any, found: dict[str, Any] | None = None) -> dict[str, Any]:
    """Path -> object of every public module, class, function and attribute under `obj`."""
    found = {} if found is None else found
    exports = set(getattr(obj, "exports", None) or ())
    is_class = obj.kind.value == "class"
    # A class's public API includes what it inherits (SellerPic's methods live in _Client).
    members = obj.all_members if is_class else obj.members
    for name, member in members.items():
        if name.startswith("_") and not (is_class and name == "__init__"):
            continue
        path = f"{obj.path}.{name}"
        if member.is_alias and not getattr(member, "inherited", False):
            if name in exports:
                found[path] = member
            continue
        found[path] = member
        if not member.is_alias and member.kind.value in ("module", "class"):
            public_objects(member, found)
    return found


def parameters(obj: Any) -> dict[str, Any]:
    try:
        if obj.kind.value != "function":
            return {}
        return {p.name: p for p in obj.parameters}
    except Exception:  # an alias whose target is outside the loaded packages
        return {}


def breakage_text(breakage: Any) -> str:
    kind = breakage.kind.value
    path = breakage.obj.path
    old, new = breakage.old_value, breakage.new_value
    if hasattr(old, "name") and breakage.obj.kind.value == "function" and "Parameter" in kind:
        return f"{kind}: `{old.name}` of `{path}`"
    if old is not None and new is not None:
        return f"{kind}: `{path}` (`{old}` -> `{new}`)"
    return f"{kind}: `{path}`"


def python_changes(base_tree: Path, new_tree: Path, where: Attribution) -> list[Change]:
    import griffe

    changes: list[Change] = []
    for package, folder in PACKAGES.items():
        layer = "client" if package == "sellerpic_client" else "sellerpic"
        old_files = python_files(base_tree / folder / package)
        new_files = python_files(new_tree / folder / package)
        if old_files == new_files:
            continue
        if not old_files or not new_files:
            what = "added" if new_files else "removed"
            level = "minor" if new_files else "major"
            section = "Added" if new_files else "Removed"
            changes.append(Change(layer, level, section, f"package `{package}` {what}"))
            continue
        old_api, new_api = load_api(base_tree, package), load_api(new_tree, package)
        found = []
        for breakage in griffe.find_breaking_changes(old_api, new_api):
            path = breakage.obj.path
            section = "Removed" if "removed" in breakage.kind.value.lower() else "Changed"
            text = breakage_text(breakage) + where.python_note(path)
            found.append(Change(layer, "major", section, text, where.of_python(path)))
        found += additions(old_api, new_api, layer, where)
        if not found:
            touched = sorted(set(old_files) ^ set(new_files)) + sorted(
                name
                for name in set(old_files) & set(new_files)
                if old_files[name] != new_files[name]
            )
            found.append(
                Change(
                    layer,
                    "patch",
                    "Changed",
                    f"`{package}`: no public API change; {len(touched)} file(s) changed "
                    f"({', '.join(touched[:5])}{', ...' if len(touched) > 5 else ''})",
                )
            )
        changes += found
    return changes


def additions(old_api: Any, new_api: Any, layer: str, where: Attribution) -> list[Change]:
    """Compatible changes griffe does not report: new public objects and optional parameters."""
    old, new = public_objects(old_api), public_objects(new_api)
    changes = []
    for path in sorted(new.keys() - old.keys()):
        parent = path.rsplit(".", 1)[0]
        if parent in new and parent not in old:
            continue  # reported with its parent
        member = new[path]
        exported = member.is_alias and not getattr(member, "inherited", False)
        kind = "exported name" if exported else member.kind.value
        text = f"{kind} `{path}`{where.python_note(path)}"
        changes.append(Change(layer, "minor", "Added", text, where.of_python(path)))
    for path in sorted(new.keys() & old.keys()):
        before, after = parameters(old[path]), parameters(new[path])
        for name in after.keys() - before.keys():
            if after[name].default is not None or after[name].kind.value.startswith("variadic"):
                text = f"optional parameter `{name}` of `{path}`"
                changes.append(Change(layer, "minor", "Added", text, where.of_python(path)))
    return changes


# --- evidence ------------------------------------------------------------------------------------
def evidence_nodes(node: Any, pointer: str = "#") -> Iterator[tuple[str, str | None]]:
    """(pointer, evidence source or None) of every node that may carry `x-evidence`: operations,
    parameters, schemas, properties and responses."""
    if isinstance(node, dict):
        evidence = node.get("x-evidence")
        if isinstance(evidence, dict):
            yield pointer, str(evidence.get("source", "unknown"))
        elif _may_carry_evidence(pointer):
            yield pointer, None
        for key, value in node.items():
            if key == "x-evidence" or key.startswith("x-") or key in ("example", "examples"):
                continue
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            yield from evidence_nodes(value, f"{pointer}/{escaped}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from evidence_nodes(value, f"{pointer}/{index}")


def _may_carry_evidence(pointer: str) -> bool:
    tokens = pointer_tokens(pointer)
    if tokens[:1] == ["paths"]:
        return len(tokens) == 3 and tokens[2] in HTTP_METHODS
    if tokens[:2] == ["components", "schemas"]:
        return len(tokens) == 3 or (len(tokens) == 5 and tokens[3] == "properties")
    return (
        tokens[:2] in (["components", "parameters"], ["components", "responses"])
        and len(tokens) == 3
    )


def readable(pointer: str) -> str:
    tokens = pointer_tokens(pointer)
    if tokens[:2] == ["components", "schemas"]:
        return ".".join(t for t in tokens[2:] if t != "properties")
    return "/".join(tokens)


def evidence_changes(base: dict[str, Any], new: dict[str, Any], where: Attribution) -> list[Change]:
    """Nodes whose `x-evidence` source moved; no label means plainly documented."""
    before, after = dict(evidence_nodes(base)), dict(evidence_nodes(new))
    changes = []
    for pointer in sorted(after):
        was, now = before.get(pointer, "absent"), after[pointer]
        if pointer not in before:
            if now is None:
                continue
            text = f"`{readable(pointer)}` added with evidence `{now}`"
        elif was == now:
            continue
        else:
            unlabelled = "documented (no label)"
            text = f"`{readable(pointer)}`: {was or unlabelled} -> {now or unlabelled}"
        text += where.users_note(pointer)
        changes.append(Change("evidence", "patch", "Evidence", text, where.of_pointer(pointer)))
    return changes


# --- the report ----------------------------------------------------------------------------------
@dataclass
class Result:
    base_ref: str
    base_commit: str
    base_version: str
    version: str
    changes: list[Change]

    @property
    def level(self) -> str:
        return max((c.level for c in self.changes), key=LEVELS.index, default="none")

    @property
    def proposed(self) -> str:
        return next_version(self.base_version, self.level)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def gate_ok(self) -> bool:
        return not self.breaking or bumped_enough(self.base_version, self.version, "major")


def compare(repo: Path, base_ref: str, tools_root: Path = TOOLS_ROOT) -> Result:
    commit = git(repo, "rev-parse", "--verify", f"{base_ref}^{{commit}}").strip()
    with tempfile.TemporaryDirectory(prefix="api-diff-base-") as tmp:
        base_tree = Path(tmp)
        extract(repo, commit, base_tree)
        base_spec_path, new_spec_path = base_tree / SPEC, repo / SPEC
        base_spec = load_yaml(base_spec_path) if base_spec_path.exists() else {}
        new_spec = load_yaml(new_spec_path)
        where = Attribution(base_spec, new_spec, [base_tree, repo])
        changes: list[Change] = []
        if not base_spec_path.exists():
            changes.append(Change("spec", "minor", "Added", f"`{SPEC}` added"))
        elif base_spec_path.read_bytes() != new_spec_path.read_bytes():
            changes += spec_changes(redocly_diff(base_spec_path, new_spec_path, tools_root), where)
            changes += evidence_changes(base_spec, new_spec, where)
        changes += python_changes(base_tree, repo, where)
        return Result(base_ref, commit, read_version(base_tree), read_version(repo), changes)


def operation_title(op_id: str, spec_ops: dict[tuple[str, str], str]) -> str:
    for (path, method), found in spec_ops.items():
        if found == op_id:
            return f"`{op_id}` ({method.upper()} {path})"
    return f"`{op_id}`"


def render(result: Result, repo: Path) -> str:
    spec_ops = spec_operations(load_yaml(repo / SPEC))
    level = result.level
    lines = [
        f"# API change report: `{result.base_ref}` ({result.base_commit[:7]}) -> working tree",
        "",
        f"- version: {result.base_version} at the base, {result.version} in the working tree",
        f"- change level: **{level}**" + (" (breaking)" if level == "major" else ""),
        f"- proposed next version: **{result.proposed}**"
        + ("" if level != "none" else " (nothing to release)"),
    ]
    if result.breaking and not result.gate_ok:
        lines.append(
            f"- gate: **FAIL**: {len(result.breaking)} breaking change(s), and the version "
            f"({result.version}) is not bumped to {result.proposed} or later (docs/VERSIONING.md)"
        )
    else:
        lines.append("- gate: pass")
    if not result.changes:
        lines += ["", "No change to the spec, the generated client or `sellerpic`'s API."]
        return "\n".join(lines) + "\n"
    if result.breaking:
        lines += ["", "## Breaking changes", ""]
        for change in result.breaking:
            ops = ", ".join(f"`{op}`" for op in change.operations) or "(no single operation)"
            lines.append(f"- {ops}: {change.layer}: {change.text}")
    by_op: dict[str, list[Change]] = defaultdict(list)
    for change in result.changes:
        for op in change.operations or ("",):
            by_op[op].append(change)
    if any(by_op):
        lines += ["", "## By operation"]
    for op in sorted(o for o in by_op if o):
        lines += ["", f"### {operation_title(op, spec_ops)}", "", *table(by_op[op])]
    if by_op.get(""):
        lines += ["", "## Not tied to one operation", "", *table(by_op[""])]
    lines += ["", "## Draft CHANGELOG.md entry", "", "```markdown", *changelog_entry(result)]
    lines += ["```"]
    return "\n".join(lines) + "\n"


def table(changes: list[Change]) -> list[str]:
    rows = ["| layer | level | change |", "|---|---|---|"]
    order = sorted(changes, key=lambda c: (-LEVELS.index(c.level), c.layer, c.text))
    return rows + [f"| {c.layer} | {c.level} | {escape_cell(c.text)} |" for c in order]


def escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


def changelog_entry(result: Result) -> list[str]:
    lines = [f"## [{result.proposed}] - {date.today().isoformat()}"]
    for section in SECTIONS:
        items = [c for c in result.changes if c.section == section]
        if not items:
            continue
        heading = "Changed" if section == "Evidence" else section
        lines += ["", f"### {heading}" + (" (evidence)" if section == "Evidence" else "")]
        for c in sorted(items, key=lambda c: (not c.breaking, c.operations, c.text)):
            ops = ", ".join(c.operations)
            prefix = "**Breaking:** " if c.breaking else ""
            lines.append(f"- {prefix}{ops + ': ' if ops else ''}{c.layer}: {c.text}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base", default="", help="git ref to compare with (default: latest v* tag, else HEAD)"
    )
    parser.add_argument(
        "--main",
        action="append",
        default=[],
        metavar="REF",
        help="without --base and a v* tag, compare with the merge base of HEAD and the first "
        "REF that exists (repeatable; CI passes origin/main and main)",
    )
    parser.add_argument("--repo", type=Path, default=TOOLS_ROOT, help="the repository to compare")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    base = args.base or default_base(repo, tuple(args.main))
    try:
        result = compare(repo, base)
    except GateError as exc:
        print(f"api-diff: {exc}", file=sys.stderr)
        return 2
    report = render(result, repo)
    sys.stdout.write(report)
    if args.output:
        args.output.write_text(report)
    if not result.gate_ok:
        print(
            f"api-diff: breaking changes need version {result.proposed} or later "
            f"({VERSION_FILE} or pyproject.toml says {result.version}):",
            file=sys.stderr,
        )
        for change in result.breaking:
            ops = ", ".join(change.operations) or "no single operation"
            print(f"  {ops}: {change.layer}: {change.text}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
