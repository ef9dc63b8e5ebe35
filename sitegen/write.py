"""The write stage, the only one that touches the output: stage beside it, then swap it in."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError

MARKER = ".sitegen-output"  # tells a later build that sitegen made this directory
MANIFEST = "manifest.sha256"
_KEEP_NAMES = ("CNAME",)
# id -> (bytes, sha256) of the large files of the last write in this process: under `serve` the data
# downloads are the same bytes objects build after build (the bytes are held, so an id is never reused).
_DIGESTS: dict[int, tuple[bytes, str]] = {}  # besides dotfiles: what a host put in the output survives rebuilds


def check_output_dir(output_dir: Path, project_dir: Path, *, force: bool = False) -> None:
    """Refuse an output directory whose replacement would delete what is not ours."""
    resolved = output_dir.resolve()
    project = project_dir.resolve()
    if output_dir.is_symlink():
        raise OutputError("the output directory is a symlink; refusing to replace what it points to", path=output_dir)
    dangerous = {Path("/"), Path.home().resolve(), project}
    if resolved in dangerous or resolved in project.parents:
        raise OutputError("refusing to use this directory as output: the build replaces it", path=output_dir)
    for name in ("content", "data", "templates", "sitegen.toml"):
        if (project / name).exists() and (project / name).resolve().is_relative_to(resolved):
            raise OutputError(
                f"refusing to use this directory as output: it holds the project's {name}", path=output_dir
            )
    if force or not resolved.exists():
        return
    if not resolved.is_dir():
        raise OutputError("the output path exists and is not a directory", path=output_dir)
    if not (resolved / MARKER).exists() and any(resolved.iterdir()):
        raise OutputError(
            "refusing to replace a non-empty directory that sitegen did not create (use --force to replace it)",
            path=output_dir,
        )


def write_site(
    files: dict[str, bytes],
    output_dir: Path,
    known: dict[str, tuple[int, int]] | None = None,
    on_swapped: Callable[[], None] | None = None,
) -> int:
    """Write files into a staging directory beside output_dir, then replace output_dir with it.

    Returns the number of files in the new output: 0 when the output already holds exactly these files.
    `known` maps output paths to the (size, mtime_ns) the last build left them with: such a file whose
    checksum is unchanged is hard-linked into the staging directory instead of written again.
    `on_swapped` is called as soon as output_dir holds these files, before the previous site is deleted
    (which takes a while on some file systems: `sitegen serve` reloads the open pages meanwhile).
    """
    parent = output_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    recover(output_dir)
    known = known or {}
    digests = {path: _sha256(content) for path, content in files.items()}
    _DIGESTS.clear()
    _DIGESTS.update({id(content): (content, digests[path]) for path, content in files.items() if len(content) > 65536})
    if unchanged(files, digests, output_dir, known):
        if on_swapped is not None:
            on_swapped()
        return 0
    previous = recorded_digests(output_dir)
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
            if previous.get(relative) != digests[relative] or not _link_unchanged(
                output_dir / relative, target, known.get(relative)
            ):
                target.write_bytes(content)
        (staging / MANIFEST).write_text(manifest(digests), encoding="utf-8")
        (staging / MARKER).write_text("This directory is written by sitegen build.\n", encoding="utf-8")
        for kept in kept_entries(output_dir):
            if not (staging / kept.name).exists():
                os.replace(kept, staging / kept.name)
        if output_dir.exists():
            os.replace(output_dir, old)
        os.replace(staging, output_dir)
    except OSError as exc:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the site: {exc.strerror or exc}", path=output_dir) from None
    if on_swapped is not None:
        on_swapped()
    shutil.rmtree(old, ignore_errors=True)
    return len(files)


def remember_digest(content: bytes, digest: str) -> None:
    """Take content's sha256, checked elsewhere (a download read back from the results snapshot), as known."""
    _DIGESTS[id(content)] = (content, digest)


def _sha256(content: bytes) -> str:
    """The hex sha256 of content; a large file handed over again as the very same object is not hashed again."""
    known = _DIGESTS.get(id(content))
    if known is not None and known[0] is content:
        return known[1]
    return hashlib.sha256(content).hexdigest()


def kept_entries(output_dir: Path) -> list[Path]:
    """Entries of the output a host or the author put there (dotfiles, CNAME), kept across builds."""
    if not output_dir.is_dir():
        return []
    return sorted(
        entry
        for entry in output_dir.iterdir()
        if (entry.name.startswith(".") and entry.name != MARKER) or entry.name in _KEEP_NAMES
    )


def _link_unchanged(existing: Path, target: Path, stat: tuple[int, int] | None) -> bool:
    """Hard-link existing to target when it still has the (size, mtime_ns) recorded after its write."""
    try:
        st = existing.stat()
        if stat is None or (st.st_size, st.st_mtime_ns) != stat:
            return False
        os.link(existing, target)
    except OSError:
        return False  # another file system, no hard links, or gone: write it
    return True


def recorded_digests(output_dir: Path) -> dict[str, str]:
    """path -> sha256 from the output's manifest (empty when there is none)."""
    try:
        lines = (output_dir / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    return {path: digest for digest, _, path in (line.partition("  ") for line in lines) if path}


def unchanged(
    files: dict[str, bytes], digests: dict[str, str], output_dir: Path, known: dict[str, tuple[int, int]]
) -> bool:
    """Whether output_dir, made by sitegen, already holds exactly these files (by its manifest).

    A file whose (size, mtime_ns) is still what `known` recorded after the last write is taken as written
    (its checksum is in the manifest); any other file is read and compared.
    """
    recorded = output_dir / MANIFEST
    if not (output_dir / MARKER).is_file() or not recorded.is_file():
        return False
    if recorded.read_text(encoding="utf-8") != manifest(digests):
        return False
    # The manifest matches; make sure nobody edited or removed a file since.
    for path, content in files.items():
        target = output_dir / path
        try:
            st = target.stat()
        except OSError:
            return False
        if known.get(path) == (st.st_size, st.st_mtime_ns) and st.st_size == len(content):
            continue
        if not target.is_file() or target.read_bytes() != content:
            return False
    return True


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


def manifest(digests: dict[str, str]) -> str:
    """sha256 and path of every output file (path -> sha256), sorted, in `sha256sum` format."""
    return "".join(f"{digests[p]}  {p}\n" for p in sorted(digests))
