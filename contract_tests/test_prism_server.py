"""The Prism fixture survives a Prism crash: the crash fails one request, the server comes back."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from contract_tests.checking import SPEC_PATH
from contract_tests.prism import PrismServer, prism_available


@pytest.mark.skipif(not prism_available(), reason="Prism is not installed (`make setup`)")
def test_a_crashed_prism_is_restarted_on_the_same_port(tmp_path: Path) -> None:
    with PrismServer(SPEC_PATH, log_path=tmp_path / "prism.log") as server:
        port, first_pid = server.port, server.pid
        auth = {"Authorization": "Bearer contract-test-key"}
        # Prism 5.14.2 throws on an unparseable Content-Type header and exits (see README).
        with pytest.raises(httpx.HTTPError):
            httpx.get(
                f"{server.base_url}/v1/api/usage",
                headers={**auth, "Content-Type": "0000"},
                timeout=5,
            )
        deadline = time.monotonic() + 5
        while server.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not server.alive(), "Prism survived: the Content-Type work-around may be dropped"

        assert server.ensure_running()
        assert (server.port, server.restarts) == (port, 1)
        assert server.pid != first_pid
        answer = httpx.get(f"{server.base_url}/v1/api/usage", headers=auth, timeout=5)
        assert answer.status_code == 200
        assert "Could not parse MIME type" in (tmp_path / "prism.log").read_text()
    assert not server.alive()
