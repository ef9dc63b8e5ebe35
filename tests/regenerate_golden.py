"""Regenerate tests/golden/tiny from tests/projects/tiny. Run explicitly: python tests/regenerate_golden.py"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden" / "tiny"
VENDORED = "assets/js/vendor"
# Checked through manifest.sha256 instead of stored: vendored files, binary social images, the search bundle.
NOT_STORED = (VENDORED, "social", "pagefind")
sys.path.insert(0, str(TESTS.parent))  # this checkout's sitegen, whatever is installed

from sitegen.build import build  # noqa: E402

if __name__ == "__main__":
    os.environ["SOURCE_DATE_EPOCH"] = "1620691200"
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    build(TESTS / "projects" / "tiny", {"build.output": str(GOLDEN)})
    for folder in NOT_STORED:
        shutil.rmtree(GOLDEN / folder, ignore_errors=True)
    print(f"wrote {GOLDEN}")
