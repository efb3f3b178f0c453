"""Assertions and request bodies shared by the back-office tests."""

from __future__ import annotations

import requests

from kiosk.contract.models import Problem


def assert_problem(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    Problem.model_validate(body)
    assert body["code"] == code
    assert body["status"] == status
    assert body["message_zh"] and body["message_en"]
    return body


def card_body(citizen, **changes) -> dict:
    body = {"method": "card", "ssn": citizen.ssn, "card_number": citizen.card_number,
            "card_id_code": citizen.card_id_code, "pin_verified": True}
    body.update(changes)
    return body
