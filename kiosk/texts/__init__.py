"""Wording of what every journey shares, by area; kiosk.messages merges these with each service's texts."""

from __future__ import annotations

from kiosk.texts import errors, flow, paper, screens_identify

TEXT_TABLES = (flow.TEXTS, screens_identify.TEXTS, paper.TEXTS, errors.TEXTS)
