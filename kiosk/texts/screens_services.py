"""Texts (zh/en) for screens_services."""

TEXTS: dict[str, dict[str, str]] = {
}
