"""Two builds of the same inputs are byte-identical whatever the environment; nothing local leaks out."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from ..conftest import tree

ROOT = Path(__file__).resolve().parents[2]


def build_in(project: Path, out: Path, cwd: Path, env: dict[str, str], umask: int) -> None:
    script = f"import os; os.umask({umask}); from sitegen.cli import app; app(prog_name='sitegen')"
    done = subprocess.run(
        [sys.executable, "-c", script, "build", "--project", str(project), "--out", str(out), "--quiet"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_environment_does_not_change_the_output(tiny: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "copy"
    shutil.copytree(tiny, other)
    build_in(tiny, tmp_path / "one", tmp_path, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C"}, 0o022)
    build_in(
        other,
        tmp_path / "two",
        Path("/"),
        {"PYTHONHASHSEED": "987", "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"},
        0o077,
    )
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_no_local_paths_users_or_hosts_in_the_output(tiny: Path, tmp_path: Path) -> None:
    build_in(tiny, tmp_path / "out", tmp_path, {}, 0o022)
    text = b"".join(tree(tmp_path / "out").values())
    for secret in {str(tiny), str(tmp_path), str(Path.home())}:
        assert secret.encode() not in text
    user, host = getpass.getuser(), socket.gethostname()
    for word in (f"/home/{user}", f"{user}@", host):
        if len(word) > 3:
            assert word.encode() not in text


def test_manifest_lists_every_file_with_its_sha256(tiny: Path, tmp_path: Path) -> None:
    import hashlib

    build_in(tiny, tmp_path / "out", tmp_path, {}, 0o022)
    files = tree(tmp_path / "out")
    listed = dict(line.split("  ", 1)[::-1] for line in files.pop("manifest.sha256").decode().splitlines())
    files.pop(".sitegen-output")
    assert listed == {path: hashlib.sha256(content).hexdigest() for path, content in files.items()}
