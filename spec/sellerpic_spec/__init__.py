"""Every fact about the SellerPic API, answered from one bundled copy of the spec.

`sellerpic.json` is `openapi/sellerpic.yaml` as JSON, written by `make generate` (and checked by
`make check-generated`), so reading it needs neither PyYAML nor the repository. Nothing is read at
import: the first question parses the spec, once per process.

>>> from sellerpic_spec import catalog
>>> catalog().operation("tryOnAccessories").results_per_task
2

The client (`sellerpic`) and the simulator (`sellerpic_mock`) both ask here; this package imports
neither. The local image and mask checks live in `sellerpic_spec.images` (it needs Pillow).
"""

from __future__ import annotations

from ._catalog import (
    Catalog,
    Credits,
    Field,
    ImageRules,
    MaskRules,
    OperationFacts,
    Parameter,
    catalog,
    document,
    resolved_document,
    spec_path,
)

__all__ = [
    "Catalog",
    "Credits",
    "Field",
    "ImageRules",
    "MaskRules",
    "OperationFacts",
    "Parameter",
    "catalog",
    "document",
    "resolved_document",
    "spec_path",
]
