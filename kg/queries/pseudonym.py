"""The partnership's pseudonymisation key: 32 random bytes in ``<data dir>/pseudonym.key``.

The key turns person ids into stable codes (:func:`kg.analysis.export.pseudonym`); losing or
replacing it changes every code, so it is created once and never rewritten. Creation is atomic
and race-free: the key is written in full to a private temporary file (created with mode 0600,
never wider), flushed to disk, then hard-linked to its final name, which fails if a key is
already there. Every concurrent creator (thread or process) therefore reads the one key that
won, complete and with mode 0600; nobody ever sees an empty, partial or world-readable key.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path

from kg.errors import ConfigError

__all__ = ["KEY_BYTES", "KEY_FILE", "pseudonym_key"]

KEY_FILE = "pseudonym.key"
KEY_BYTES = 32
# Only where hard links are unavailable is the key written in place (see _create_in_place);
# a reader then waits this long for the writer to finish.
_WAIT_SECONDS = 2.0


def pseudonym_key(data_dir: str | os.PathLike) -> bytes:
    """The partnership's pseudonymisation key, created on first use beside the store.

    Parameters
    ----------
    data_dir : str or path-like
        The data directory (``KG_DATA_DIR``); created if missing.

    Returns
    -------
    bytes
        The 32-byte key. Concurrent first calls, in threads or processes, all return the same
        key; the file has mode 0600 (an older, wider mode is narrowed).

    Raises
    ------
    ConfigError
        If the key file exists but does not hold a 32-byte key (damaged: restore it from a
        backup, since a new key would change every code).

    References
    ----------
    .. [1] POSIX ``link()``: "If path2 names an existing file, link() shall fail" (EEXIST),
       which makes a hard link an atomic create-if-absent.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     key = pseudonym_key(d)
    ...     same = pseudonym_key(d) == key
    ...     mode = oct((Path(d) / KEY_FILE).stat().st_mode & 0o777)
    >>> len(key), same, mode
    (32, True, '0o600')
    """
    if not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a path, not {type(data_dir).__name__}")
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    """Publish a new key at ``path`` unless one is there already (then keep that one)."""
    # A name unique to this call: threads of one process must not share a temporary file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # exactly 0600 whatever the umask (which may strip u+w)
        _write_all(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)  # the key is on disk before its name appears
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another creator won; everyone reads theirs
    except OSError:
        _create_in_place(path)  # no hard links here (some network or FAT filesystems)
    else:
        _fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _create_in_place(path: Path) -> None:
    # O_EXCL still makes one creator win, but readers may briefly see a short file: _read waits.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        _write_all(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform: the link is still atomic, only less durable
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read(path: Path) -> bytes:
    deadline = time.monotonic() + _WAIT_SECONDS
    while True:
        key = path.read_bytes()
        if len(key) == KEY_BYTES:
            break
        if time.monotonic() > deadline:
            raise ConfigError(
                f"{path} holds {len(key)} bytes, not a {KEY_BYTES}-byte pseudonymisation key; "
                "restore it from a backup (a new key would change every pseudonym)")
        time.sleep(0.01)
    mode = path.stat().st_mode
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        try:  # a key left readable by an older version: narrow it
            path.chmod(0o600)
        except PermissionError:
            pass
    return key
