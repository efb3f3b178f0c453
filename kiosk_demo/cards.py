"""The demo citizens' cards as `CardRecord`s, for the virtual card and the card simulator.

The demo citizens live in the reference back office's demo data; this is the one place
the kiosk side turns them into card content (both sides then agree on every card).
"""

from __future__ import annotations

from devices.card.profile import CardRecord


def demo_card_records() -> dict[str, CardRecord]:
    """Card number -> a fresh record (PIN tries as the demo data says)."""
    from backoffice.demo_data import demo_citizens

    return {citizen.card_number: CardRecord(
        ssn=citizen.ssn, name=citizen.name, sex="1" if citizen.sex == "M" else "2",
        birth_date=citizen.birth_date, card_number=citizen.card_number, card_id_code=citizen.card_id_code,
        pin=citizen.pin, pin_tries_left=citizen.pin_tries_left, birth_place=citizen.ssn[:6])
        for citizen in demo_citizens()}


def demo_card_record(card_number: str) -> CardRecord:
    records = demo_card_records()
    try:
        return records[card_number.strip().upper()]
    except KeyError:
        known = ", ".join(sorted(records))
        raise KeyError(f"no demo card {card_number!r}; demo cards: {known}") from None


def demo_people() -> list[tuple[str, str, str]]:
    """(key, name, card number) of each demo citizen, for the demo's control panel."""
    from backoffice.demo_data import demo_citizens

    return [(citizen.key, citizen.name, citizen.card_number) for citizen in demo_citizens()]


def demo_ecard_code(client, citizen_key: str) -> str:
    """The code a demo citizen's phone would show, issued by a demo back office (POST /v1/ecard/codes)."""
    from backoffice.demo_data import demo_citizen

    return client.create_demo_ecard_code(demo_citizen(citizen_key).ssn).qr


def demo_pin(card_number: str) -> str:
    return demo_card_record(card_number).pin
