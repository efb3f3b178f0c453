"""The committed OpenAPI schema must match what the app generates."""

from __future__ import annotations

import json

from backoffice.openapi import SCHEMA_PATH, render_schema


def test_committed_schema_is_current():
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(render_schema()), (
        "backoffice/openapi.json is stale: run `python -m backoffice.openapi` and commit it")
    assert committed == render_schema()


def test_schema_documents_security_and_problems():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schemes = schema["components"]["securitySchemes"]
    assert {"TerminalId", "TerminalTimestamp", "TerminalNonce", "TerminalSignature", "CitizenSession"} <= set(schemes)
    assert schema["paths"]["/v1/certificates/{verification_code}"]["get"]["security"] == []
    assert "CitizenSession" in schema["paths"]["/v1/me/enrolment"]["get"]["security"][0]
    assert "application/problem+json" in schema["paths"]["/v1/sessions"]["post"]["responses"]["401"]["content"]
    assert schema["info"]["title"] == "Social-insurance back office (reference)"
