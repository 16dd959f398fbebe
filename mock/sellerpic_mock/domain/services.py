"""Wiring: one instance of each domain service over one store, built from a MockConfig."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..config import MockConfig
from ..rendering.presets import sample_product, sample_product_mask, sample_video_source
from ..signing import Signer, load_secret
from ..spec import Spec, default_spec
from ..storage.datadir import DataDirLock, open_store
from ..storage.db import Store
from ..storage.files import FileStore
from .accounts import Accounts
from .credits import Credits
from .downloads import Downloads
from .lifecycle import Lifecycle
from .limits import Limits
from .presets import Presets
from .tasks import Tasks
from .uploads import Uploads

#: The database file inside a persistent data dir.
DB_FILE = "sellerpic-mock.sqlite3"

#: The sample keys used in the docs' 1.0.1 examples, usable by every account.
SAMPLE_FILES = {
    "UPLOAD/MANAGE/SAMPLE/product/1-original.png": sample_product,
    "UPLOAD/MANAGE/SAMPLE/product/1-mask.png": sample_product_mask,
    "UPLOAD/MANAGE/SAMPLE/image-to-video/1-original.webp": sample_video_source,
}


@dataclass
class Services:
    config: MockConfig
    spec: Spec
    data_dir: Path
    store: Store
    accounts: Accounts
    credits: Credits
    limits: Limits
    uploads: Uploads
    presets: Presets
    lifecycle: Lifecycle
    downloads: Downloads
    tasks: Tasks
    ephemeral: bool
    lock: DataDirLock | None = None

    def close(self) -> None:
        self.store.close()
        if self.lock is not None:
            self.lock.release()
        if self.ephemeral:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _ephemeral_root() -> str | None:
    """Where an ephemeral data dir goes: memory (/dev/shm) when the system has it, since the
    data dies with the process anyway; creating and removing folders on a disk costs a test
    suite that builds one simulator per test several milliseconds each."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def build_services(config: MockConfig, spec: Spec | None = None) -> Services:
    """Raises DataDirError when the data dir is in use, not writable or holds a broken
    database."""
    ephemeral = config.data_dir is None
    lock = None
    if config.data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="sellerpic-mock-", dir=_ephemeral_root()))
        # An ephemeral data dir dies with the process: its database need not be a file.
        store = Store(None)
    else:
        data_dir = config.data_dir.expanduser()
        lock = DataDirLock(data_dir)
        try:
            store = open_store(data_dir)
        except BaseException:
            lock.release()
            raise
    spec = spec or default_spec()
    files = FileStore(data_dir)
    signer = Signer(load_secret(data_dir))
    accounts = Accounts(store, config.accounts(), config.refused_keys())
    credits = Credits(store)
    limits = Limits(store)
    uploads = Uploads(store, files, signer, config.clock)
    for key, make in SAMPLE_FILES.items():
        uploads.install_sample(key, make())
    presets = Presets()
    lifecycle = Lifecycle(store, credits, config.clock)
    downloads = Downloads(store, files, signer, config.clock, lifecycle, uploads, presets)
    tasks = Tasks(store, config, uploads, presets, credits, limits, lifecycle, downloads)
    return Services(
        config,
        spec,
        data_dir,
        store,
        accounts,
        credits,
        limits,
        uploads,
        presets,
        lifecycle,
        downloads,
        tasks,
        ephemeral,
        lock,
    )
