"""What the kiosk can offer now: the menu's tiles and whether it is out of service (Qt-free).

Part of the flow machine (kiosk/flow.py): a service is offered when the profile enables it,
the back office answers and the devices it needs work; the kiosk is out of service when
nothing can be offered or a required device is missing.
"""

from __future__ import annotations

from kiosk.flow_state import ServiceTile
from kiosk.service_api import ServiceModule

# A service the menu cannot offer without this device says why.
_DEVICE_REASONS = {"document_printer": "menu.unavailable.printer"}


def menu_tiles(services: tuple[ServiceModule, ...], enabled_services: tuple[str, ...], devices,
               backoffice_up: bool) -> tuple[ServiceTile, ...]:
    tiles = []
    enabled = set(enabled_services)
    for service in services:
        for entry in service.menu:
            reason = ""
            missing = [name for name in entry.needs if not getattr(devices, name, True)]
            if (entry.profile_name or service.name) not in enabled:
                reason = "menu.unavailable.profile"
            elif not backoffice_up:
                reason = "menu.unavailable.backoffice"
            elif missing:
                reason = _DEVICE_REASONS.get(missing[0], "menu.unavailable.device")
            tiles.append(ServiceTile(entry.name, not reason, reason))
    return tuple(tiles)


def out_of_service_key(required_devices: tuple[str, ...], devices, backoffice_up: bool, terminal_refused: bool,
                       maintenance: bool, tiles: tuple[ServiceTile, ...]) -> str:
    """The reason the kiosk cannot serve anyone now, or "" when it can."""
    if maintenance:
        return "out_of_service.maintenance"
    if any(not getattr(devices, name, True) for name in required_devices):
        return "out_of_service.device"
    if not backoffice_up:
        return "out_of_service.terminal" if terminal_refused else "out_of_service.backoffice"
    if not devices.card_reader and not devices.qr_scanner:
        return "out_of_service.no_identification"
    if not any(tile.available for tile in tiles):
        return "out_of_service.backoffice"
    return ""
