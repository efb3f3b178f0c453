"""Redaction of personal identifiers before text leaves the process (logs, bundles).

Callers are not trusted to remember: the log handler runs every record through
`redact`, which masks anything shaped like a social security number or a mobile
number whatever its origin.
"""

from __future__ import annotations

import logging
import os
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from kiosk.contract.identifiers import mask_mobile, mask_ssn

# 18-character ids (digits with a final digit or X) not embedded in a longer number.
_SSN_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    text = _SSN_LIKE.sub(lambda match: mask_ssn(match.group(0).upper()), text)
    return _MOBILE_LIKE.sub(lambda match: mask_mobile(match.group(0)), text)


class RedactingFilter(logging.Filter):
    """Formats the record's message once and stores the redacted text in its place."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


LOG_FILE_NAME = "kiosk.log"
LOG_FILE_MAX_BYTES = 5 * 2**20
LOG_FILE_BACKUPS = 5
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_TAIL_BYTES_PER_LINE = 1024  # generous average; bounds how much of a file one tail reads


def configure_logging(level: str = "INFO", directory: Path | None = None) -> None:
    """Structured one-line records on stderr and, with `directory`, in `<directory>/kiosk.log`.

    Every record is redacted before either sees it. The file rotates at 5 MiB and keeps
    5 old files (kiosk.log.1 ... .5) for the technician's log viewer and bundles. A log
    directory that cannot be made is reported on stderr and the kiosk runs on without it.
    """
    formatter = logging.Formatter(_LOG_FORMAT)
    stream = logging.StreamHandler()
    stream.addFilter(RedactingFilter())
    stream.setFormatter(formatter)
    handlers: list[logging.Handler] = [stream]
    file_problem = ""
    if directory is not None:
        try:
            Path(directory).mkdir(parents=True, exist_ok=True)
            file_handler = RotatingFileHandler(Path(directory) / LOG_FILE_NAME, maxBytes=LOG_FILE_MAX_BYTES,
                                               backupCount=LOG_FILE_BACKUPS, encoding="utf-8")
        except OSError as error:
            file_problem = f"cannot write logs to {directory} ({error.strerror or error}); logging to stderr only"
        else:
            file_handler.addFilter(RedactingFilter())
            file_handler.setFormatter(formatter)
            handlers.append(file_handler)
    root = logging.getLogger()
    for previous in root.handlers:
        # A file handler from an earlier call would keep its file open for ever.
        if isinstance(previous, RotatingFileHandler):
            previous.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    if file_problem:
        logging.getLogger("kiosk.logging").warning(file_problem)


def read_log_tail(directory: Path, max_lines: int = 500) -> list[str]:
    """The last `max_lines` lines of kiosk.log (continuing into kiosk.log.1.. after a rotation).

    Redacted again on the way out: the file may predate redaction rules or have been
    written by something else. Missing files give an empty list; reads are bounded.
    """
    if max_lines <= 0:
        return []
    directory = Path(directory)
    budget = max_lines * _TAIL_BYTES_PER_LINE
    lines: list[str] = []
    for name in [LOG_FILE_NAME] + [f"{LOG_FILE_NAME}.{index}" for index in range(1, LOG_FILE_BACKUPS + 1)]:
        wanted = max_lines - len(lines)
        if wanted <= 0:
            break
        try:
            older = tail_lines(directory / name, wanted, budget)
        except FileNotFoundError:
            continue
        except OSError:
            break  # an unreadable file: show what we have rather than skip a gap silently
        lines[:0] = older
    return [redact(line) for line in lines]


def tail_lines(path: Path, max_lines: int, max_bytes: int) -> list[str]:
    """At most the last `max_lines` complete lines within the last `max_bytes` of `path`."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - max_bytes)
        handle.seek(start)
        data = handle.read(max_bytes)
    if start > 0:
        # The first line was cut by the byte budget: drop it rather than show half a line.
        data = data.partition(b"\n")[2]
    text = data.decode("utf-8", errors="replace")
    return text.splitlines()[-max_lines:] if max_lines > 0 else []
