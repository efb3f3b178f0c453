"""Qt widgets of the kiosk: main window, screens, widgets, theme."""
