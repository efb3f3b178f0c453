"""Citizen-facing wording by area; kiosk.messages merges these tables into one catalogue."""

from __future__ import annotations

from kiosk.texts import flow, screens_identify, screens_services, screens_transfer

TEXT_TABLES = (flow.TEXTS, screens_identify.TEXTS, screens_services.TEXTS, screens_transfer.TEXTS)
