"""Run technician backend calls on worker threads; hand their results back on the GUI thread.

The backend blocks on I/O (PBKDF2, SQLite, the network, a device check waiting for a
card); the GUI thread must not. `TaskRunner.run(job, done)` runs `job()` on a small
pool and calls `done(result, error)` on the GUI thread through a queued signal.
After `close()` late results are dropped, so nothing touches a window being torn down.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger("ui.technician")

Done = Callable[[object, BaseException | None], None]


class TaskRunner(QObject):
    _finished = Signal(object, object, object)   # done callback, result, error

    def __init__(self, parent: QObject | None = None, *, workers: int = 3) -> None:
        super().__init__(parent)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="technician")
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, job: Callable[[], object], done: Done | None = None) -> None:
        if self._closed:
            return

        def work() -> None:
            try:
                result, error = job(), None
            except Exception as failure:  # shown to the technician in plain words, never a crash
                log.warning("technician task failed: %s", failure, exc_info=True)
                result, error = None, failure
            self._finished.emit(done, result, error)

        self._pool.submit(work)

    @Slot(object, object, object)
    def _deliver(self, done, result, error) -> None:
        if self._closed or done is None:
            return
        done(result, error)

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
