"""A user's clone has nothing beside it: no code, test or script may name a folder outside the
repository (the developers' reference material sits beside their checkout, not a user's)."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Built in pieces so that this file does not match itself.
BESIDE = re.compile(r"\.\./" + "shared" + r"|\.parent\s*/\s*[\"']" + "shared" + r"[\"']")
SKIP = {".venv", ".git", "bench/out", "node_modules", "kg-out", "kg-data"}
SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ".yml", ".yaml", ".ipynb"}
SCRIPTS = {".ci/run", "scripts/setup", "scripts/test", "scripts/demo"}


def _sources():
    for folder, dirs, files in os.walk(REPO):
        here = Path(folder)
        dirs[:] = [d for d in dirs if (here / d).relative_to(REPO).as_posix() not in SKIP]
        for name in files:
            path = here / name
            rel = path.relative_to(REPO).as_posix()
            if path.suffix in SUFFIXES or rel in SCRIPTS:
                yield rel, path


def test_nothing_names_a_folder_beside_the_repository():
    found = [f"{rel}:{n}" for rel, path in _sources()
             for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1)
             if BESIDE.search(line)]
    assert not found, f"these lines name a folder outside the repository: {found}"
