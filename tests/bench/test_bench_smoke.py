"""The benchmark suite's smoke run: every benchmark with tiny sizes, so the scripts never rot.

No timing is asserted; only that the run completes and writes the documented keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "mock" / "node_modules" / ".bin" / "prism"
KEYS = (
    "batch_wall_over_bound",
    "batch_polls_per_task",
    "naive_wall_over_bound",
    "client_overhead_vs_httpx",
    "layer_overhead_vs_httpx",
    "simulator_over_prism_rps",
    "simulator_p99_ms_50_clients",
    "upload_client_rss_mb_over_idle",
    "upload_simulator_rss_mb_over_idle",
    "cli_help_over_python_start",
    "simulator_cold_start_over_prism",
    "inprocess_simulator_ms_per_test",
    "inprocess_isolation_ms_per_test",
    "inprocess_bare_app_ms_per_test",
    "suite_served_over_fixtures",
    "machine",
    "date",
    "repetitions",
    "raw",
)


@pytest.mark.prism
@pytest.mark.skipif(not PRISM.exists(), reason="Prism is not installed (make setup)")
def test_smoke_run_writes_every_key(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    missing = [key for key in KEYS if key not in result]
    assert not missing, missing
    assert result["smoke"] is True
    for key in ("batch_wall_over_bound", "naive_wall_over_bound", "client_overhead_vs_httpx"):
        assert isinstance(result[key], float) and result[key] > 0
    assert set(result["simulator_over_prism_rps"]) == {
        "status_c1",
        "status_c50",
        "create_c1",
        "create_c50",
    }
    assert set(result["simulator_p99_ms_50_clients"]) == {"status", "create"}
    raw = result["raw"]
    assert raw["batch_async"]["done"] == raw["batch_async"]["n"]
    assert raw["batch_async"]["wall_over_bound"] > 0
    assert set(raw["mock_speed"]["simulator_persistent"]) == {"create_c1", "create_c50"}
    for key in (
        "cli_help_over_python_start",
        "simulator_cold_start_over_prism",
        "inprocess_simulator_ms_per_test",
        "inprocess_bare_app_ms_per_test",
        "suite_served_over_fixtures",
    ):
        assert isinstance(result[key], float) and result[key] > 0, key
    assert raw["fixtures"]["suite_tests"] == 3
    assert len(raw["cli_start"]["ratio_per_pair"]) == raw["cli_start"]["pairs"] > 0
    assert len(raw["cold_start"]["ms_each"]["prism"]) == raw["cold_start"]["pairs"] > 0
    assert len(raw["inprocess"]["asgi_ms"]) == raw["inprocess"]["tests"] > 0
    assert raw["inprocess"]["threaded_server_ms_per_test"] > 0
    # Every create of the smoke load was accepted: the figures measure the accepted path.
    for run in raw["mock_speed"]["simulator_persistent"]["create_c1"]["runs"]:
        assert run["ok"] == run["requests"] > 0
    assert not (ROOT / "bench" / "results" / "smoke.json").exists()
