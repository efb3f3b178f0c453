"""Log file for the technician's log viewer: written redacted, read back redacted, bounded."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from kiosk.redaction import LOG_FILE_NAME, configure_logging, read_log_tail

SSN = "11010519491231002X"
MOBILE = "13912340004"


@pytest.fixture
def root_logger():
    """configure_logging replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    yield root
    for handler in root.handlers:
        if handler not in saved_handlers:
            handler.close()
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_records_reach_the_file_redacted(tmp_path: Path, root_logger: logging.Logger) -> None:
    directory = tmp_path / "var" / "log"  # does not exist yet
    configure_logging("INFO", directory=directory)
    log = logging.getLogger("kiosk.test")
    log.info("card read for %s, mobile %s", SSN, MOBILE)
    log.debug("below the level %s", SSN)
    try:
        raise ValueError(f"bad id {SSN}")
    except ValueError:
        log.exception("failure while reading")
    for handler in root_logger.handlers:
        handler.flush()
    text = (directory / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "card read for 1101**********002X, mobile 139****0004" in text
    assert "ValueError: bad id 1101**********002X" in text
    assert SSN not in text and MOBILE not in text and "below the level" not in text
    file_handlers = [handler for handler in root_logger.handlers if isinstance(handler, RotatingFileHandler)]
    assert len(file_handlers) == 1
    assert file_handlers[0].maxBytes == 5 * 2**20 and file_handlers[0].backupCount == 5


def test_configuring_again_replaces_the_file_handler(tmp_path: Path, root_logger: logging.Logger) -> None:
    configure_logging("INFO", directory=tmp_path / "a")
    first = next(handler for handler in root_logger.handlers if isinstance(handler, RotatingFileHandler))
    configure_logging("WARNING", directory=tmp_path / "b")
    handlers = [handler for handler in root_logger.handlers if isinstance(handler, RotatingFileHandler)]
    assert handlers != [first] and len(handlers) == 1
    assert first.stream is None  # closed, not leaked
    assert root_logger.level == logging.WARNING


def test_level_only_call_still_logs_to_stderr_only(root_logger: logging.Logger, capsys) -> None:
    configure_logging("INFO")
    assert not any(isinstance(handler, RotatingFileHandler) for handler in root_logger.handlers)
    logging.getLogger("kiosk.test").warning("mobile %s", MOBILE)
    assert "mobile 139****0004" in capsys.readouterr().err


def test_unusable_directory_warns_and_carries_on(tmp_path: Path, root_logger: logging.Logger, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    configure_logging("INFO", directory=blocker / "log")
    err = capsys.readouterr().err
    assert "cannot write logs to" in err and "stderr only" in err
    logging.getLogger("kiosk.test").warning("still logging")
    assert "still logging" in capsys.readouterr().err


def test_tail_is_redacted_and_continues_into_the_rotated_file(tmp_path: Path) -> None:
    # Written by hand, as an old or foreign file would be: unredacted.
    (tmp_path / "kiosk.log.1").write_text("".join(f"old {index}\n" for index in range(10)), encoding="utf-8")
    (tmp_path / LOG_FILE_NAME).write_text(f"new 0 {SSN}\nnew 1 {MOBILE}\nnew 2\n", encoding="utf-8")
    lines = read_log_tail(tmp_path, max_lines=5)
    assert lines == ["old 8", "old 9", "new 0 1101**********002X", "new 1 139****0004", "new 2"]
    assert read_log_tail(tmp_path, max_lines=2) == ["new 1 139****0004", "new 2"]
    assert read_log_tail(tmp_path / "missing") == []
    assert read_log_tail(tmp_path, max_lines=0) == []


def test_tail_reads_a_bounded_part_of_a_large_file(tmp_path: Path) -> None:
    with (tmp_path / LOG_FILE_NAME).open("w", encoding="utf-8") as handle:
        for index in range(200_000):
            handle.write(f"line {index:06d} {'y' * 40}\n")
    lines = read_log_tail(tmp_path, max_lines=3)
    assert [line.split()[1] for line in lines] == ["199997", "199998", "199999"]


def test_written_file_reads_back_through_the_tail(tmp_path: Path, root_logger: logging.Logger) -> None:
    configure_logging("INFO", directory=tmp_path)
    for index in range(3):
        logging.getLogger("kiosk.test").info("event %d for %s", index, SSN)
    for handler in root_logger.handlers:
        handler.flush()
    lines = read_log_tail(tmp_path, max_lines=2)
    assert len(lines) == 2
    assert lines[-1].endswith("INFO kiosk.test event 2 for 1101**********002X")
