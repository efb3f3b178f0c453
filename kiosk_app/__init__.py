"""The composition root and the `kiosk` command: the one place that wires core, UI and back office.

Kept outside `kiosk/` so the core stays Qt-free and never sees the UI or the server
(docs/architecture.md, "Rules the layout keeps").
"""
