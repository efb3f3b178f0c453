"""Replace a file so that a power cut leaves either the old or the new content, never half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def replaced_atomically(target: Path, *, suffix: str = ".part") -> Iterator[BinaryIO]:
    """Yield a binary handle to a temporary file beside `target` (mode 0600); on success it is
    flushed to disk and renamed over `target`, on any error it is removed and `target` is untouched."""
    descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
        temp_name = None
        fsync_directory(target.parent)
    finally:
        if temp_name is not None:
            try:
                os.unlink(temp_name)
            except OSError:
                pass


def fsync_directory(directory: Path) -> None:
    """Make a rename itself survive a power cut."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
