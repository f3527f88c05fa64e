"""Files zoneverify writes for others to read (the metrics, the report
page): written whole or not at all."""

from __future__ import annotations

import os
import tempfile


def write_atomically(path: "str | os.PathLike[str]", text: str, prefix: str) -> None:
    """Writes ``text`` to ``path`` through a temporary file in the same
    directory (named ``prefix...tmp``), synced and renamed into place, mode
    0644 (readers may run as another user): a reader sees the old file or
    the new one, never half of one. Raises OSError; no temporary file is
    left behind."""
    path = os.fspath(path)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
