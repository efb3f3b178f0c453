"""Reference back office: the `/v1` contract on FastAPI + SQLite with deterministic demo data.

Entry points: `backoffice.app.create_app(settings)`, `backoffice.server.serve(...)` and
`backoffice.server.EmbeddedBackoffice`; `python -m backoffice` serves from the command line and
`python -m backoffice.openapi` rewrites the committed `openapi.json`. Imports nothing from the
kiosk but `kiosk.contract`.
"""
