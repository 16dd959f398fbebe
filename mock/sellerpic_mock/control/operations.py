"""The operation id of a request, from its method and path: what the journal records and what
one-shot fault rules match.

Operations of the spec keep their operationId; the simulator's own routes (the presigned file
URLs, preset pictures) get names of the same style.
"""

from __future__ import annotations

from ..spec import CREATE_PREFIX, Spec

_FIXED = {
    ("GET", "/v1/api/generate"): "getTaskStatus",
    ("GET", "/v1/api/upload/url"): "getUploadUrl",
    ("POST", "/v1/api/upload"): "uploadAssetFile",
    ("GET", "/v1/api/download"): "getDownloadUrl",
    ("GET", "/v1/api/presets"): "listPresets",
    ("GET", "/v1/api/usage"): "getCreditUsage",
}
#: Path prefixes of the simulator's own routes, and the operation of each method on them. The
#: presigned URLs are object keys (`/UPLOAD/...`, `/RESULT/...`): a request to one is named
#: by its route, signed or not, because the route answers it (a refused URL still gets its 403).
_PREFIXED = {
    ("PUT", "/UPLOAD/"): "uploadFile",
    ("GET", "/RESULT/"): "downloadFile",
    ("GET", "/presets/"): "getPresetPicture",
}


class OperationNames:
    def __init__(self, spec: Spec) -> None:
        self._creates = frozenset(spec.create_operations)
        self._fixed = dict(_FIXED)
        # Creates are the requests that matter most: one lookup, like the fixed paths.
        for name in self._creates:
            self._fixed[("POST", CREATE_PREFIX + name)] = name
        for method, path in list(self._fixed):
            if method == "GET":
                self._fixed[("HEAD", path)] = self._fixed[(method, path)]

    def is_create(self, path: str) -> bool:
        return path.startswith(CREATE_PREFIX)

    def of(self, method: str, path: str) -> str | None:
        """The operation id, or None for a path the simulator does not serve. A presigned URL
        (`/<object key>?X-Amz-...&X-Amz-Signature=...`) is an upload when PUT to an `UPLOAD/`
        key, a download when a `RESULT/` key is read."""
        found = self._fixed.get((method, path))
        if found is not None:
            return found
        if method == "POST" and path.startswith(CREATE_PREFIX):
            name = path[len(CREATE_PREFIX) :]
            return name if name in self._creates else None
        verb = "GET" if method == "HEAD" else method
        for (route_method, prefix), name in _PREFIXED.items():
            if verb == route_method and path.startswith(prefix):
                return name
        return None
