"""Child process of the memory benchmark: upload one file through the workflow layer and
report this process's RSS when idle (after a warm-up upload) and its peak during the upload."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

from sellerpic import SellerPic
from sellerpic_mock.testing import image_bytes

from .common import DEMO_KEY, proc_status_kb, reset_peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upload_client")
    parser.add_argument("url")
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    with SellerPic(DEMO_KEY, base_url=args.url) as client:
        # Warm-up: every code path and the connection exist before the baseline is read.
        client.upload(image_bytes((64, 64)))
        gc.collect()
        idle = proc_status_kb("self", "VmRSS")
        reset_peak("self")
        key = client.upload(args.file)
        peak = proc_status_kb("self", "VmHWM")
    json.dump({"idle_kb": idle, "peak_kb": peak, "file_key": key}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
