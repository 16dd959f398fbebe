"""Back to the configured state: the services rebuilt over an emptied data dir.

Rebuilding, rather than deleting rows, empties every cache the services keep (the mask
verdicts, the settled tasks' answers) by construction. The URL-signing secret of a
persistent data dir stays: it signs nothing that still exists.
"""

from __future__ import annotations

import atexit
import shutil

from ..storage.files import FileStore
from .services import DB_FILE, Services, build_services


def rebuilt(old: Services) -> Services:
    """Close `old`, empty its data dir (tasks, uploads, results, accounts), build anew from
    the same configuration and spec."""
    old.close()  # an ephemeral data dir is removed with it
    if old.ephemeral:
        atexit.unregister(old.close)
    else:
        for suffix in ("", "-wal", "-shm"):
            (old.data_dir / f"{DB_FILE}{suffix}").unlink(missing_ok=True)
        files = FileStore(old.data_dir)
        for folder in (files.uploads, files.results):
            shutil.rmtree(folder, ignore_errors=True)
    fresh = build_services(old.config, old.spec)
    if fresh.ephemeral:
        atexit.register(fresh.close)
    return fresh
