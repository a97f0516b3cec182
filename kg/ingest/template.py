"""Write empty bundle templates: a header and one commented example row per file."""

from __future__ import annotations

import csv
from pathlib import Path

from kg.ingest.formats import FILES

__all__ = ["write_templates"]


def write_templates(folder: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write one ``.csv`` per bundle file into ``folder``; refuse to overwrite unless asked."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / spec.filename for spec in FILES]
    clash = [p.name for p in targets if p.exists()]
    if clash and not overwrite:
        raise FileExistsError(
            f"{folder} already has {', '.join(clash)}; pass --force to overwrite them"
        )
    for spec, target in zip(FILES, targets, strict=True):
        with target.open("w", newline="", encoding="utf-8") as fh:
            fh.write(f"# {spec.about} Required: {', '.join(spec.required)}.")
            if spec.optional:
                fh.write(f" Optional: {', '.join(spec.optional)}.")
            fh.write(" Lines starting with # are ignored. Example:\n")
            writer = csv.writer(fh, lineterminator="\n")
            fh.write("# ")
            writer.writerow(spec.example)
            writer.writerow(spec.columns)
    return targets
