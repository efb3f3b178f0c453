"""One worker thread per device: device I/O never runs on the GUI thread,
and two operations on one device never overlap."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")


class DeviceWorker:
    def __init__(self, device_name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"device-{device_name}")

    def submit(self, operation: Callable[..., T], *args, **kwargs) -> "Future[T]":
        return self._executor.submit(operation, *args, **kwargs)

    def shutdown(self) -> None:
        # Running operations see their CancelToken; we do not wait for a stuck native call.
        self._executor.shutdown(wait=False, cancel_futures=True)
