"""Reusable kiosk widgets (buttons, labels, pictograms)."""
