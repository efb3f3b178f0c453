"""Texts (zh/en) for screens_transfer."""

TEXTS: dict[str, dict[str, str]] = {
}
