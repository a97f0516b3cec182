"""``POST /ingest``: import a bundle or a network file (admins).

The same checks and all-or-nothing write as ``kg ingest``. A bundle arrives as a zip of its CSV
files or an ``.xlsx`` workbook; a network file (GraphML, GEXF, Pajek, UCINET DL, NetDraw VNA, an
edge list or survey CSV, a Kumu or Polinode workbook, or a zip of their CSV pair) as itself, its
format told from its extension or the ``format`` parameter, with ``map`` and ``default`` as on
the command line. The upload is kept in a private temporary folder: a zip gives only its
``*.csv`` members (by their base name, so a zip of the bundle folder works), nothing is written
outside it, and the unpacked size is capped.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from api.deps import AdminDep, SettingsDep, StoreDep
from api.schemas import IngestAnswer
from kg.errors import ImportValidationError, Problem, UploadTooLarge
from kg.ingest import FORMATS, Mapping, ingest_path
from kg.ingest.foreign import EXTENSIONS

router = APIRouter(tags=["ingest"])

_UNPACK_FACTOR = 20  # CSV compresses well, but a bundle 20x its zip is no real bundle


def too_large(limit_mb: int) -> str:
    return (
        f"the upload is larger than the {limit_mb} MB limit (KG_MAX_UPLOAD_MB); split the "
        "bundle or ask an admin to raise the limit"
    )


def _refuse(name: str, message: str) -> ImportValidationError:
    return ImportValidationError([Problem(name, None, None, message)])


_SINGLE = {".xlsx", ".xml", ".txt", *EXTENSIONS}


def _safe_name(name: str) -> str:
    """The upload's base name with only plain characters, so problems can name it."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".")[-100:]
    return cleaned or "upload"


def _unpack(upload: Path, name: str, into: Path, limit: int, fmt: str | None) -> Path:
    """Write the upload under ``into``; return the path to ingest."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in _SINGLE or (fmt not in (None, "bundle", "kumu", "polinode") and suffix != ".zip"):
        folder = into / "file"
        folder.mkdir()
        target = folder / _safe_name(name)
        shutil.move(upload, target)
        return target
    if not zipfile.is_zipfile(upload):
        known = " ".join(sorted(_SINGLE))
        raise _refuse(name, f"not a zip of CSV files, nor a file ending in one of: {known}")
    folder = into / "bundle"
    folder.mkdir()
    with zipfile.ZipFile(upload) as archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and PurePosixPath(m.filename).suffix.lower() == ".csv"
            and not PurePosixPath(m.filename).name.startswith(".")
            and "__MACOSX" not in m.filename
        ]
        if not members:
            raise _refuse(name, "the zip holds no .csv files; zip the bundle's CSV files")
        seen: dict[str, str] = {}
        # The budget follows the upload, not the limit: a 165 KB zip may unpack to 3 MB of CSV,
        # never to 20 times the whole upload limit (4 GB by default).
        allowed = min(limit, max(upload.stat().st_size, 2**20)) * _UNPACK_FACTOR
        budget = allowed
        for m in members:
            base = PurePosixPath(m.filename).name  # a base name cannot climb out of folder
            if base in seen:
                raise _refuse(name, f"two files named {base} ({seen[base]}, {m.filename})")
            seen[base] = m.filename
            with archive.open(m) as src, open(folder / base, "wb") as dst:
                while chunk := src.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:
                        raise _refuse(
                            name,
                            f"unpacks to more than {allowed // 2**20} MB, {_UNPACK_FACTOR} times "
                            "the upload; no real bundle compresses that well",
                        )
                    dst.write(chunk)
    return folder


@router.post("/ingest", response_model=IngestAnswer, summary="Import a bundle")
def ingest(
    store: StoreDep,
    settings: SettingsDep,
    _: AdminDep,
    file: Annotated[
        UploadFile,
        File(
            description="A .zip of the bundle's CSV files, an .xlsx workbook with the same "
            "sheets, or a network file (.graphml .gexf .net .paj .dl .vna .csv, a Kumu or "
            "Polinode .xlsx, or a .zip of their CSV pair)"
        ),
    ],
    dry_run: Annotated[bool, Query(description="Check every row, write nothing")] = False,
    format: Annotated[
        str | None,
        Query(
            pattern="^(" + "|".join(FORMATS) + ")$",
            description="The upload's format; by default told from its extension "
            "(a survey export needs format=survey)",
        ),
    ] = None,
    maps: Annotated[
        list[str] | None,
        Query(
            alias="map",
            description="ATTRIBUTE=FIELD (club=organisation) or FIELD:VALUE=NEW "
            "(sector:Hospital=acute), as kg ingest --map; repeat",
        ),
    ] = None,
    defaults: Annotated[
        list[str] | None,
        Query(
            alias="default",
            description="FIELD=VALUE where the file gives none (sector=other), as kg ingest "
            "--default; repeat",
        ),
    ] = None,
) -> dict:
    """Every problem is reported at once (file, row or line, column) with status 422, and then
    nothing is written; importing the same upload again changes nothing."""
    mapping = Mapping.from_options(maps or (), defaults or ()) if maps or defaults else None
    name = PurePosixPath(file.filename or "upload").name
    limit = settings.max_upload_mb * 2**20
    with tempfile.TemporaryDirectory(prefix="carebridge-upload-") as tmp:
        upload = Path(tmp) / "upload"
        with open(upload, "wb") as out:
            size = 0
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(too_large(settings.max_upload_mb))
                out.write(chunk)
        bundle = _unpack(upload, name, Path(tmp), limit, format)
        report = ingest_path(store, bundle, dry_run=dry_run, fmt=format, mapping=mapping)
    out = report.as_dict()
    out["path"] = name  # the upload's own name, never the server's temporary folder
    out["revision"] = store.revision()
    return out
