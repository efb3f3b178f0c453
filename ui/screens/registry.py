"""Builds one widget per flow screen from the screen modules (the composition root asks for them)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import ui.screens
from kiosk.flow_state import Screen
from kiosk.messages import MessageCatalog
from ui.screens.base import FlowScreen
from ui.theme import Theme


def flow_screen_classes() -> dict[Screen, type[FlowScreen]]:
    """Every `FlowScreen` subclass in ui/screens, by the screen it draws; a screen drawn twice is a bug."""
    classes: dict[Screen, type[FlowScreen]] = {}
    for module_info in pkgutil.iter_modules(ui.screens.__path__):
        if module_info.name in ("base", "registry", "attract"):
            continue
        module = importlib.import_module(f"ui.screens.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlowScreen) and cls is not FlowScreen and "SCREEN" in cls.__dict__ \
                    and cls.__module__ == module.__name__:
                if cls.SCREEN in classes and classes[cls.SCREEN] is not cls:
                    raise RuntimeError(f"{cls.SCREEN} is drawn by both {classes[cls.SCREEN].__name__} and {cls.__name__}")
                classes[cls.SCREEN] = cls
    return classes


def build_flow_screens(catalog: MessageCatalog, theme: Theme) -> dict[Screen, FlowScreen]:
    classes = flow_screen_classes()
    missing = [screen for screen in Screen if screen is not Screen.ATTRACT and screen not in classes]
    if missing:
        raise RuntimeError(f"no screen widget for {', '.join(s.value for s in missing)}")
    return {screen: cls(catalog, theme) for screen, cls in classes.items()}
