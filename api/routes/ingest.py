"""``POST /ingest``: import a zipped CSV bundle or an ``.xlsx`` workbook (admins).

The same checks and all-or-nothing write as ``kg ingest``. The upload is unpacked into a private
temporary folder: only ``*.csv`` members are taken (by their base name, so a zip of the bundle
folder works), nothing is written outside it, and the unpacked size is capped.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from api.deps import AdminDep, SettingsDep, StoreDep
from api.schemas import IngestAnswer
from kg.errors import ImportValidationError, Problem, UploadTooLarge
from kg.ingest import ingest_path

router = APIRouter(tags=["ingest"])

_UNPACK_FACTOR = 20  # CSV compresses well, but a bundle 20x its zip is no real bundle


def too_large(limit_mb: int) -> str:
    return (
        f"the upload is larger than the {limit_mb} MB limit (KG_MAX_UPLOAD_MB); split the "
        "bundle or ask an admin to raise the limit"
    )


def _refuse(name: str, message: str) -> ImportValidationError:
    return ImportValidationError([Problem(name, None, None, message)])


def _unpack(upload: Path, name: str, into: Path, limit: int) -> Path:
    """Write the bundle under ``into``; return the path to ingest."""
    if name.lower().endswith(".xlsx"):
        target = into / "bundle.xlsx"
        shutil.move(upload, target)
        return target
    if not zipfile.is_zipfile(upload):
        raise _refuse(name, "not a zip of CSV files or an .xlsx workbook")
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
        budget = limit * _UNPACK_FACTOR
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
                            f"unpacks to more than {limit * _UNPACK_FACTOR // 2**20} MB; split it",
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
            description="A .zip of the bundle's CSV files, or an "
            ".xlsx workbook with the same sheets"
        ),
    ],
    dry_run: Annotated[bool, Query(description="Check every row, write nothing")] = False,
) -> dict:
    """Every problem is reported at once (file, row, column) with status 422, and then
    nothing is written; importing the same bundle again changes nothing."""
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
        bundle = _unpack(upload, name, Path(tmp), limit)
        report = ingest_path(store, bundle, dry_run=dry_run)
    out = report.as_dict()
    out["revision"] = store.revision()
    return out
