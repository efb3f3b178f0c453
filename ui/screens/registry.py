"""Builds one widget per flow screen: the shared screens and each service's (the composition root asks)."""

from __future__ import annotations

from kiosk.flow_state import Screen
from kiosk.messages import MessageCatalog
from ui.screens.base import FlowScreen
from ui.screens.busy import BusyScreen
from ui.screens.menu import MenuScreen
from ui.screens.message import GoodbyeScreen, MessageScreen, OutOfServiceScreen
from ui.screens.pin import PinScreen
from ui.theme import Theme

# The attract screen is not a FlowScreen: the window shows it first, before the others exist.
SHARED_SCREENS: tuple[type[FlowScreen], ...] = (BusyScreen, PinScreen, MessageScreen, GoodbyeScreen,
                                                OutOfServiceScreen)


def flow_screen_classes(service_screens=None) -> dict[str, type[FlowScreen]]:
    """Every screen class by the screen it draws; a screen drawn twice is a bug."""
    from ui.services import built_in_screens

    classes: dict[str, type[FlowScreen]] = {MenuScreen.SCREEN: MenuScreen}
    services = built_in_screens() if service_screens is None else service_screens
    for cls in (*SHARED_SCREENS, *(cls for service in services for cls in service.screens)):
        if cls.SCREEN in classes:
            raise RuntimeError(f"{cls.SCREEN} is drawn by both {classes[cls.SCREEN].__name__} and {cls.__name__}")
        classes[cls.SCREEN] = cls
    return classes


def build_flow_screens(catalog: MessageCatalog, theme: Theme, service_screens=None) -> dict[str, FlowScreen]:
    from ui.services import built_in_screens

    services = built_in_screens() if service_screens is None else service_screens
    classes = flow_screen_classes(services)
    missing = [screen for screen in Screen if screen is not Screen.ATTRACT and screen not in classes]
    if missing:
        raise RuntimeError(f"no screen widget for {', '.join(s.value for s in missing)}")
    icons = {entry: drawing for service in services for entry, drawing in service.menu_icons.items()}
    return {screen: cls(catalog, theme, icons) if cls is MenuScreen else cls(catalog, theme)
            for screen, cls in classes.items()}
