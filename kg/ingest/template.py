"""Write empty bundle templates: CSV files, or one ``.xlsx`` workbook with a sheet per file.

Each template has the header, one commented example row and the allowed values of its closed
columns (in the CSV comments; as dropdowns in the workbook). An untouched template imports as an
empty bundle.
"""

from __future__ import annotations

import csv
from pathlib import Path

from kg.ingest.formats import FILES, FileSpec

__all__ = ["write_templates"]

_FIRST_ROW = 3  # in a workbook: the comment, the header, then the (commented) example
_LAST_ROW = 10_000  # how far down the dropdowns reach
_EXCEL_LIST_LIMIT = 255  # Excel refuses a longer inline list of allowed values


def write_templates(target: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write the templates; refuse to overwrite unless asked.

    ``target`` is a folder (one ``.csv`` per bundle file) or a file name ending in ``.xlsx``
    (one workbook). Returns the paths written.
    """
    target = Path(target)
    if target.suffix.lower() == ".xlsx":
        return [_write_workbook(target, overwrite)]
    target.mkdir(parents=True, exist_ok=True)
    paths = [target / spec.filename for spec in FILES]
    clash = [p.name for p in paths if p.exists()]
    if clash and not overwrite:
        raise FileExistsError(
            f"{target} already has {', '.join(clash)}; pass --force to overwrite them"
        )
    for spec, path in zip(FILES, paths, strict=True):
        with path.open("w", newline="", encoding="utf-8") as fh:
            fh.write(f"# {_about(spec)} Lines starting with # are ignored.\n")
            for column, vocabulary in spec.vocabularies.items():
                fh.write(f"# {column}: {', '.join(m.value for m in vocabulary)}\n")
            fh.write("# Example:\n# ")
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(spec.example)
            writer.writerow(spec.columns)
    return paths


def _about(spec: FileSpec) -> str:
    text = f"{spec.about} Required: {', '.join(spec.required)}."
    if spec.optional:
        text += f" Optional: {', '.join(spec.optional)}."
    return text


def _write_workbook(path: Path, overwrite: bool) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    comment = Font(italic=True, color="808080")
    wb = Workbook()
    wb.remove(wb.active)
    for spec in FILES:
        ws = wb.create_sheet(spec.name)
        ws.append([f"# {_about(spec)} Rows starting with # are ignored, like the example."])
        ws.append(list(spec.columns))
        ws.append([f"# {spec.example[0]}", *spec.example[1:]])
        ws["A1"].font = comment
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for cell in ws[_FIRST_ROW]:
            cell.font = comment
        ws.freeze_panes = f"A{_FIRST_ROW}"
        for i, (column, example) in enumerate(zip(spec.columns, spec.example, strict=True)):
            ws.column_dimensions[get_column_letter(i + 1)].width = (
                max(len(column), len(example)) + 4
            )
        for column, vocabulary in spec.vocabularies.items():
            allowed = ",".join(m.value for m in vocabulary)
            if len(allowed) + 2 > _EXCEL_LIST_LIMIT:
                continue  # the values are still refused by the import, with the allowed ones
            letter = get_column_letter(spec.columns.index(column) + 1)
            rule = DataValidation(
                type="list",
                formula1=f'"{allowed}"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"Not a {column}",
                error=f"Choose one of: {allowed.replace(',', ', ')}",
            )
            rule.add(f"{letter}{_FIRST_ROW}:{letter}{_LAST_ROW}")
            ws.add_data_validation(rule)
    wb.save(path)
    return path
