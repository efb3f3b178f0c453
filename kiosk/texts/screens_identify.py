"""Texts (zh/en) for screens_identify."""

TEXTS: dict[str, dict[str, str]] = {
}
