"""Regenerate tests/golden/tiny from tests/projects/tiny. Run explicitly: python tests/regenerate_golden.py"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sitegen.build import build

TESTS = Path(__file__).parent
GOLDEN = TESTS / "golden" / "tiny"

if __name__ == "__main__":
    os.environ["SOURCE_DATE_EPOCH"] = "1620691200"
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    build(TESTS / "projects" / "tiny", {"build.output": str(GOLDEN)})
    print(f"wrote {GOLDEN}")
