"""The soak in CI: fewer tasks, same faults, same restart, same audit (full run: `make soak`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import LONG
from tests.reliability.secretscan import SecretScan
from tests.reliability.soak import API_KEY, SoakConfig, run_soak


@pytest.mark.skipif(LONG, reason="make soak runs the full soak as a script")
def test_soak_batch_survives_faults_and_a_simulator_restart(
    tmp_path: Path, secret_scan: SecretScan
) -> None:
    secret_scan.keys.append(API_KEY)
    config = SoakConfig(tasks=45, fault_rate=0.10, seed=11, time_limit=120)
    result = run_soak(config, tmp_path, secret_scan, log=print)
    print(result.summary())
    assert result.ok, "\n".join(result.problems)
    c = result.counts
    assert c["done"] + c["failed"] + c["ambiguous"] == config.tasks
    assert c["lost"] == c["duplicated"] == c["recreated"] == 0
    assert result.restarts == 1 and result.resumes >= 1
    assert sum(result.faults.values()) >= 0.05 * result.requests
    # The run exercised each kind of fault at least once.
    for kind in ("expired-url", "server-error", "drop", "slow"):
        assert result.faults.get(kind, 0) > 0, result.faults
    assert secret_scan.checked > 0
