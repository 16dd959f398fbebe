"""The path users take: the built wheel installed into fresh virtual environments outside the
repository, without and with the simulator extra, and the commands run there.

One wheel per session, one venv per install. The venvs are made without pip, and this venv's pip
installs into them (`pip --python`): site-packages then holds the wheel and its dependencies
only, not the venv's own pip and setuptools (about 28 MB on Python 3.11, whatever is installed).
Dependencies come from the package index through pip's cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sellerpic_mock.testing import DEMO_API_KEY, announced_server

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[2]
VERSION_FILE = ROOT / "src" / "sellerpic" / "_version.py"
LEAN_LIMIT_MB = 40
#: Distributions the client install must not bring: the simulator's server stack and FFmpeg.
SERVER_DISTRIBUTIONS = {
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "av",
    "orjson",
    "jsonschema",
    "fastjsonschema",
}
VIDEO_SAMPLE = "UPLOAD/MANAGE/SAMPLE/image-to-video/1-original.webp"


@dataclass(frozen=True)
class Venv:
    root: Path
    #: A folder outside the repository to run commands in.
    cwd: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def site_packages(self) -> Path:
        found = sorted(self.root.glob("lib/python3*/site-packages"))
        assert len(found) == 1, found
        return found[0]

    def run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """A command of this venv, run as a user of it would: from outside the repository,
        with nothing of this test run's interpreter in the environment."""
        program = str(self.bin / command[0])
        return subprocess.run(
            [program, *command[1:]],
            cwd=self.cwd,
            env=user_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def user_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.pop("SELLERPIC_API_KEY", None)
    env.pop("SELLERPIC_BASE_URL", None)
    return env


def repo_version() -> str:
    namespace: dict[str, str] = {}
    exec(VERSION_FILE.read_text(encoding="utf-8"), namespace)
    return namespace["__version__"]


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("packaging")
    assert not where.resolve().is_relative_to(ROOT), "the venvs must live outside the repository"
    return where


@pytest.fixture(scope="session")
def wheel(outside: Path) -> Path:
    out = outside / "dist"
    # No build isolation: the backend (hatchling, pinned in the dev extra) is already here.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (built,) = out.glob("sellerpic_kit-*.whl")
    return built


def make_venv(outside: Path, name: str, requirement: str) -> Venv:
    root = outside / name
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install",
         "--quiet", "--disable-pip-version-check", requirement],
        capture_output=True, text=True, timeout=600, cwd=outside, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cwd = outside / f"{name}-cwd"
    cwd.mkdir()
    return Venv(root, cwd)


@pytest.fixture(scope="session")
def lean(outside: Path, wheel: Path) -> Venv:
    return make_venv(outside, "lean", str(wheel))


@pytest.fixture(scope="session")
def full(outside: Path, wheel: Path) -> Venv:
    return make_venv(outside, "simulator", f"{wheel}[simulator]")


def installed_distributions(venv: Venv) -> set[str]:
    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps(sorted({d.metadata['Name'].lower() for d in m.distributions()})))"
    )
    done = venv.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


# --- the client install -------------------------------------------------------------------------
def test_lean_install_has_no_server_packages_and_fits(lean: Venv) -> None:
    installed = installed_distributions(lean)
    assert "sellerpic-kit" in installed
    assert not installed & SERVER_DISTRIBUTIONS, sorted(installed & SERVER_DISTRIBUTIONS)
    du = subprocess.run(
        ["du", "-sm", str(lean.site_packages)], capture_output=True, text=True, check=True
    )
    megabytes = int(du.stdout.split()[0])
    assert megabytes <= LEAN_LIMIT_MB, f"{megabytes} MB: {sorted(installed)}"


def test_cli_help_and_version(lean: Venv) -> None:
    helped = lean.run("sellerpic", "--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: sellerpic")
    versioned = lean.run("sellerpic", "--version")
    assert versioned.returncode == 0, versioned.stderr
    assert versioned.stdout.strip() == f"sellerpic {repo_version()}"


def test_packages_import_from_the_venv_with_one_version(lean: Venv) -> None:
    code = (
        "import importlib.metadata, json, sellerpic, sellerpic_client; "
        "print(json.dumps([sellerpic.__file__, sellerpic_client.__file__, sellerpic.__version__, "
        "importlib.metadata.version('sellerpic-kit')]))"
    )
    done = lean.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    client_file, generated_file, version, metadata_version = json.loads(done.stdout)
    for path in (client_file, generated_file):
        assert Path(path).is_relative_to(lean.site_packages), path
    assert version == metadata_version == repo_version()


def test_every_package_ships_py_typed(lean: Venv) -> None:
    (record,) = lean.site_packages.glob("sellerpic_kit-*.dist-info/RECORD")
    files = [line.split(",", 1)[0] for line in record.read_text(encoding="utf-8").splitlines()]
    packages = {name.split("/", 1)[0] for name in files if "/" in name and name.endswith(".py")}
    assert {"sellerpic", "sellerpic_client", "sellerpic_mock"} <= packages
    for package in packages:
        assert f"{package}/py.typed" in files, package


def test_cli_loads_no_simulator_module(lean: Venv) -> None:
    code = (
        "import sys, contextlib, io, sellerpic.cli as cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sellerpic_mock'))"
    )
    done = lean.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [(), ("serve", "--ephemeral", "--port", "0")])
def test_mock_without_the_extra_says_what_to_install(lean: Venv, args: tuple[str, ...]) -> None:
    done = lean.run("sellerpic-mock", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "pip install 'sellerpic-kit[simulator]'" in lines[0]


def test_simulator_import_without_the_extra_names_it(lean: Venv) -> None:
    done = lean.run("python", "-c", "from sellerpic_mock import create_app")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith("ModuleNotFoundError: sellerpic_mock.create_app")
    assert "pip install 'sellerpic-kit[simulator]'" in done.stderr


# --- the simulator install ----------------------------------------------------------------------
def test_simulator_install_serves(full: Venv) -> None:
    command = [str(full.bin / "sellerpic-mock"), "serve", "--ephemeral", "--port", "0"]
    with announced_server(command, stderr=subprocess.DEVNULL, cwd=full.cwd, env=user_env()) as (
        url,
        process,
    ):
        answer = httpx.get(
            f"{url}/v1/api/usage", headers={"Authorization": f"Bearer {DEMO_API_KEY}"}, timeout=10
        )
        assert process.poll() is None
    assert answer.status_code == 200
    assert answer.json()["success"] is True
    assert process.poll() is not None, "the simulator did not stop"
    assert "av" not in installed_distributions(full)


@pytest.fixture
def served(full: Venv) -> Iterator[str]:
    """The simulator of the full venv with tasks that finish at once."""
    command = [str(full.bin / "sellerpic-mock"), "serve", "--ephemeral", "--port", "0",
               "--created-seconds", "0", "--running-seconds", "0"]  # fmt: skip
    with announced_server(command, stderr=subprocess.DEVNULL, cwd=full.cwd, env=user_env()) as (
        url,
        _,
    ):
        yield url


def test_mp4_without_the_video_extra_names_it(served: str) -> None:
    auth = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    with httpx.Client(base_url=served, headers=auth, timeout=30) as client:
        created = client.post("/v1/api/generate/imageToVideo", json={"imageKey": VIDEO_SAMPLE})
        task_id = created.json()["data"]["id"]
        deadline = time.monotonic() + 20
        while True:
            items = client.get("/v1/api/generate", params={"id": task_id}).json()["data"]
            if items["resultList"][0]["status"] == "SUCCESS" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        result_id = items["resultList"][0]["id"]
        link = client.get("/v1/api/download", params={"id": result_id, "downloadFormat": "mp4"})
        video = client.get(link.json()["data"]["fileUrl"])
    assert video.status_code == 501
    assert "pip install 'sellerpic-kit[simulator-video]'" in video.json()["msg"]


def test_simulator_loads_no_client_module(full: Venv) -> None:
    # The simulator and the client share facts through the spec, not through each other.
    code = (
        "import sys, sellerpic_mock.cli, sellerpic_mock.testing\n"
        "from sellerpic_mock import MockConfig, create_app\n"
        "create_app(MockConfig(data_dir=None)).services.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sellerpic'))"
    )
    done = full.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- the pytest plugin, as a user installs it ----------------------------------------------------
USER_TEST = """
import socket

import pytest
from sellerpic_mock.testing import image_bytes


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("sockets are blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.sellerpic(credits=10, running_seconds=600)
def test_sync(sellerpic_client, sellerpic_simulator, tmp_path):
    result = sellerpic_client.run("remove_background", image=image_bytes((256, 256)),
                                  output_dir=tmp_path)
    assert len(result.files) == 1
    assert sellerpic_simulator.credits() == 9
    sellerpic_simulator.assert_no_double_charge()


@pytest.mark.anyio
async def test_async(async_sellerpic_client, tmp_path):
    result = await async_sellerpic_client.run("remove_background", image=image_bytes((256, 256)),
                                              output_dir=tmp_path)
    assert len(result.files) == 1
"""


def install_pytest(venv: Venv) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv.bin / "python"), "install",
         "--quiet", "--disable-pip-version-check", f"pytest=={pytest.__version__}"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_plugin_fixtures_pass_with_sockets_blocked(full: Venv) -> None:
    install_pytest(full)
    (full.cwd / "test_user.py").write_text(USER_TEST)
    done = full.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py",
                    timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


@pytest.fixture(scope="session")
def lean_with_pytest(outside: Path, wheel: Path) -> Venv:
    """The client-only install plus pytest (its own venv: the lean one is measured)."""
    venv = make_venv(outside, "lean-pytest", str(wheel))
    install_pytest(venv)
    return venv


def test_without_the_extra_pytest_starts_and_the_fixture_names_it(lean_with_pytest: Venv) -> None:
    venv = lean_with_pytest
    (venv.cwd / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    (venv.cwd / "test_fixture.py").write_text("def test_it(sellerpic_simulator):\n    pass\n")
    done = venv.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 1 error" in done.stdout
    assert "pip install 'sellerpic-kit[simulator]'" in done.stdout


# --- the newcomer's path: the docs' runnable examples, from the installed wheel ----------------
def test_the_docs_examples_run_from_the_installed_wheel(full: Venv) -> None:
    """The quick start (no picture files: the sample keys) and the async example, as written,
    run by the wheel's own `python` and `sellerpic` from outside the repository."""
    from sellerpic_mock.config import MockConfig
    from sellerpic_mock.testing import run_server
    from tests.client.test_docs_examples import BLOCKS, DOCUMENTED_ORIGIN

    assert any("Semaphore" in code for _, _, code in BLOCKS)
    config = MockConfig(created_seconds=0.05, running_seconds=0.1)
    with run_server(config) as url:
        for where, kind, code in BLOCKS:
            code = code.replace(DOCUMENTED_ORIGIN, url)
            folder = full.cwd / where.replace(":", "-")
            folder.mkdir()
            env = {k: v for k, v in user_env().items() if not k.startswith("SELLERPIC_")}
            env["PATH"] = f"{full.bin}{os.pathsep}{env.get('PATH', '')}"
            if kind == "python":
                env.update(SELLERPIC_BASE_URL=url, SELLERPIC_API_KEY=DEMO_API_KEY)
                command = [str(full.bin / "python"), "-c", code]
            else:
                command = ["bash", "-euo", "pipefail", "-c", code]
            done = subprocess.run(
                command, cwd=folder, env=env, capture_output=True, text=True, timeout=180
            )
            assert done.returncode == 0, f"{where}\n{done.stdout}\n{done.stderr}"
            assert "Traceback" not in done.stderr, f"{where}\n{done.stderr}"
