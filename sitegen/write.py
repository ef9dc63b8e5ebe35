"""The write stage, the only one that touches the output: stage beside it, then swap it in."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from .errors import OutputError

MARKER = ".sitegen-output"  # tells a later build that sitegen made this directory
MANIFEST = "manifest.sha256"
_KEEP = (".git", "CNAME", ".nojekyll", ".well-known")  # dotfiles a host needs survive rebuilds


def write_site(files: dict[str, bytes], output_dir: Path) -> int:
    """Write files into a staging directory beside output_dir, then replace output_dir with it."""
    parent = output_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    recover(output_dir)
    staging = parent / f".{output_dir.name}.staging"
    old = parent / f".{output_dir.name}.old"
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        staging.mkdir()
        for relative, content in sorted(files.items()):
            target = contained(staging, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (staging / MANIFEST).write_text(manifest(files), encoding="utf-8")
        (staging / MARKER).write_text("This directory is written by sitegen build.\n", encoding="utf-8")
        for name in _KEEP:
            if (output_dir / name).exists() and not (staging / name).exists():
                os.replace(output_dir / name, staging / name)
        if output_dir.exists():
            os.replace(output_dir, old)
        os.replace(staging, output_dir)
    except OSError as exc:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the site: {exc.strerror or exc}", path=output_dir) from None
    shutil.rmtree(old, ignore_errors=True)
    return len(files)


def recover(output_dir: Path) -> None:
    """If a build stopped between the two renames, put the previous site back."""
    old = output_dir.parent / f".{output_dir.name}.old"
    if old.exists() and not output_dir.exists():
        os.replace(old, output_dir)


def contained(root: Path, relative: str) -> Path:
    """root/relative, refusing any path that would land outside root."""
    parts = relative.split("/")
    if relative.startswith("/") or any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
        raise OutputError(f"refusing to write outside the output directory: {relative!r}")
    return root.joinpath(*parts)


def manifest(files: dict[str, bytes]) -> str:
    """sha256 and path of every output file, sorted, in `sha256sum` format."""
    return "".join(f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in sorted(files))
