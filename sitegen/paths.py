"""Project files on disk: symlinks may point anywhere inside the project, never outside it."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import SitegenError

# Device names that Windows refuses as a file or directory name, whatever the extension.
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(10)})
MAX_SEGMENT = 100  # characters of one path segment made from a slug (file systems allow 255 bytes)


def segment_problem(segment: str) -> str | None:
    """Why a slug segment cannot be a directory name on every host, or None."""
    if segment.split(".")[0].lower() in WINDOWS_DEVICES:
        return f"{segment!r} is a reserved device name on Windows"
    if len(segment) > MAX_SEGMENT:
        return f"a segment is longer than {MAX_SEGMENT} characters"
    return None


def shown_path(path: Path, project_dir: Path) -> Path:
    """path relative to the project when it is inside it (lexically), else as given."""
    absolute = Path(os.path.normpath(path.absolute()))
    project = Path(os.path.normpath(project_dir.absolute()))
    return absolute.relative_to(project) if absolute.is_relative_to(project) else path


def check_inside(path: Path, project_dir: Path, error_type: type[SitegenError]) -> None:
    """Refuse a path inside the project that, through a symlink, leads outside it."""
    absolute = Path(os.path.normpath(path.absolute()))
    project = Path(os.path.normpath(project_dir.absolute()))
    if not absolute.is_relative_to(project):
        return  # declared outside the project on purpose (e.g. `data = "../shared/data"`)
    real = path.resolve()
    if not real.is_relative_to(project_dir.resolve()):
        raise error_type(
            f"a symlink leads outside the project (to {real}); copy the file into the project instead",
            path=shown_path(path, project_dir),
        )


def project_files(root: Path, suffix: str, project_dir: Path, error_type: type[SitegenError]) -> list[Path]:
    """Every file ending in `suffix` under root, sorted, following symlinks that stay inside the project."""
    found: list[Path] = []
    seen: set[Path] = set()

    def walk(directory: Path) -> None:
        real = directory.resolve()
        if real in seen:  # a symlink loop, or two links to one directory
            return
        seen.add(real)
        for entry in sorted(directory.iterdir()):
            if entry.is_symlink():
                check_inside(entry, project_dir, error_type)
            if entry.is_dir():
                walk(entry)
            elif entry.name.endswith(suffix) and entry.is_file():
                found.append(entry)

    check_inside(root, project_dir, error_type)
    walk(root)
    return sorted(found)
