"""The screens of each service, one folder each (docs/adding-a-service.md).

`ServiceScreens` is what a folder gives the window: its `FlowScreen` classes (each draws
one of the service's steps) and the pictograms of its menu tiles. `built_in_screens()`
lists the built-in ones, in the order of kiosk.services.built_in_services().
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ui.screens.base import FlowScreen
from ui.screens.menu import IconDrawing


@dataclasses.dataclass(frozen=True)
class ServiceScreens:
    name: str                                   # the service's name (kiosk/services/<name>/)
    screens: tuple[type[FlowScreen], ...]
    menu_icons: Mapping[str, IconDrawing] = dataclasses.field(default_factory=dict)   # by menu entry


def built_in_screens() -> tuple[ServiceScreens, ...]:
    from ui.services import certificate, contributions, enrolment, pension_transfer

    return (enrolment.SCREENS, contributions.SCREENS, certificate.SCREENS, pension_transfer.SCREENS)
