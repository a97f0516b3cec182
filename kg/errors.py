"""One exception root with a subclass per failure.

Domain code raises these; only the edges (command line, HTTP API) turn them into exit codes or
HTTP statuses.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AnalysisError",
    "BackendUnavailable",
    "CarebridgeError",
    "ConfigError",
    "Ended",
    "ImportValidationError",
    "InvalidParameter",
    "NotFound",
    "NotNow",
    "Problem",
    "RateLimited",
    "StoreError",
    "UploadTooLarge",
]


class CarebridgeError(Exception):
    """Root of every error Carebridge raises on purpose."""


class ConfigError(CarebridgeError):
    """The configuration (environment, settings) is wrong or incomplete."""


class StoreError(CarebridgeError):
    """The graph store failed to read or write."""


class BackendUnavailable(StoreError):
    """The chosen backend cannot be used (driver not installed, server unreachable)."""


class NotFound(CarebridgeError):
    """An entity asked for by id does not exist."""

    def __init__(self, kind: str, id: str, *, hint: str | None = None):
        self.kind = kind
        self.id = id
        super().__init__(f"{kind} {id!r} not found" + (f"; {hint}" if hint else ""))


class InvalidParameter(CarebridgeError):
    """A caller passed an argument the operation cannot accept (unknown attribute, bad window)."""


class UploadTooLarge(CarebridgeError):
    """An upload is over the configured size limit (``KG_MAX_UPLOAD_MB``)."""


class NotNow(CarebridgeError):
    """Cannot be done at this moment (a survey that has not opened yet); later it may be."""


class Ended(CarebridgeError):
    """Something that has ended and takes no more changes (a closed survey)."""


class RateLimited(CarebridgeError):
    """Too many requests of one caller in a short time; ``retry_after`` says how long to wait."""

    def __init__(self, message: str, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


class AnalysisError(CarebridgeError):
    """An analysis could not be computed on the given network."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One defect in an import bundle, located by file, row and column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


class ImportValidationError(CarebridgeError):
    """A bundle has defects; every one is listed and nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the bundle; nothing was imported. "
            f"Fix them and import again:\n{head}{more}"
        )
