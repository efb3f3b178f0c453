"""The technician window's panels, in navigation order."""

from __future__ import annotations

from ui.technician.panels.backoffice import BackofficePanel
from ui.technician.panels.config import ConfigPanel
from ui.technician.panels.counters import CountersPanel
from ui.technician.panels.devices import DevicesPanel
from ui.technician.panels.export import ExportPanel
from ui.technician.panels.health import HealthPanel
from ui.technician.panels.journal import JournalPanel
from ui.technician.panels.logs import LogsPanel
from ui.technician.panels.system import SystemPanel

PANEL_CLASSES = (DevicesPanel, HealthPanel, CountersPanel, BackofficePanel, ConfigPanel, JournalPanel,
                 LogsPanel, ExportPanel, SystemPanel)

__all__ = ["PANEL_CLASSES"]
