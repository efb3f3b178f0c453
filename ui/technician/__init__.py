"""Technician diagnostics mode: PIN-protected device status, self-tests, counters, logs, export.

`install_technician_mode(kiosk)` is what the composition root calls: it installs the
hidden entry (corner long press, maintenance key) at once and builds the backend and
the window on first entry, when the kiosk's operations parts (journal, counters, gate)
exist.
"""

from __future__ import annotations

from ui.technician.mode import TechnicianMode


def install_technician_mode(kiosk, **options) -> TechnicianMode:
    """`options`: idle_timeout_s, login_timeout_s (see TechnicianMode).

    Call it any time after the kiosk's window exists: entry opens once the journal, counters
    and gate have arrived (the operations parts, opened after the first frame).
    """

    def build_backend():
        from kiosk import __version__
        from kiosk.technician_backend import TechnicianBackend

        def backoffice_url() -> str:
            return kiosk.wait_for_backoffice(timeout_s=5).client.base_url

        return TechnicianBackend(
            settings=kiosk.settings, version=__version__, gate=kiosk.technician_gate, journal=kiosk.journal,
            counters=kiosk.counters, devices=lambda: kiosk.devices, backoffice_url=backoffice_url,
            outbox=getattr(kiosk, "outbox", None), heartbeat=lambda: getattr(kiosk, "heartbeat", None),
            storage_dir=getattr(kiosk, "storage_dir", None), log_dir=getattr(kiosk, "log_dir", None),
            # Late-bound: the composition root's method, looked up when the technician asks.
            restart=lambda: kiosk.request_restart())

    # No entry before the operations parts are open: without the gate nobody can be let in.
    return TechnicianMode(kiosk, build_backend, ready=lambda: kiosk.technician_gate is not None, **options)


__all__ = ["TechnicianMode", "install_technician_mode"]
