"""The durable outbox against the real reference back office (uvicorn on loopback, SQLite).

Crashes of the whole kiosk process are in test_outbox_crash.py; here: commit before the
call, deferral while the back office is down, delivery by the retry thread, replay of a
lost answer, refusals, the submission grant outliving the session, and scrubbing.
"""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest

from backoffice.settings import DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET
from kiosk.backoffice_client import BackofficeClient
from kiosk.outbox import CONFIRMED, PENDING, REJECTED, Outbox, OutboxError, OutboxSender, reference_for

MOBILE = "13912345678"


class Recorder:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict]] = []

    def __call__(self, kind: str, **fields) -> None:
        self.entries.append((kind, fields))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.entries]


def open_session(client: BackofficeClient, citizen):
    return client.open_card_session(citizen.ssn, citizen.card_number, citizen.card_id_code)


def transfer_count(server) -> int:
    with sqlite3.connect(server.settings.db_path) as conn:
        return conn.execute("SELECT count(*) FROM pension_transfers").fetchone()[0]


def wait_until(predicate, what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def server(backoffice_factory):
    return backoffice_factory()


@pytest.fixture
def client(server):
    with BackofficeClient(server.base_url, DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET, retries=0,
                          connect_timeout_s=1.0, read_timeout_s=5.0) as signed:
        yield signed


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "outbox.sqlite3")
    yield box
    box.close()


def make_sender(outbox, client, recorder, **options) -> OutboxSender:
    return OutboxSender(outbox, lambda: client, retry_interval_s=options.pop("retry_interval_s", 0.2),
                        max_backoff_s=options.pop("max_backoff_s", 0.5), record=recorder, **options)


def test_a_submission_is_committed_then_confirmed_once_and_scrubbed(server, client, outbox, tmp_path):
    recorder = Recorder()
    sender = make_sender(outbox, client, recorder)
    session = open_session(client, server.citizen("chen_jing"))
    assert session.submission_grant
    before = transfer_count(server)
    key = uuid.uuid4().hex
    delivery = sender.submit("pension_transfer", key, {"from_region": "440100", "contact_mobile": MOBILE},
                             session.submission_grant)
    assert delivery.status == CONFIRMED
    assert delivery.resource.id and delivery.resource.from_area.code == "440100"
    assert transfer_count(server) == before + 1
    assert outbox.depth() == 0
    entry = outbox.get(key)
    assert entry.status == CONFIRMED and entry.payload == {} and entry.grant == ""
    assert entry.reference == reference_for(key)
    assert recorder.kinds() == ["submission.queued", "submission.confirmed"]
    # Delivering again answers from the outbox: nothing new on the server.
    assert sender.deliver(key).resource.id == delivery.resource.id
    assert transfer_count(server) == before + 1
    # The contact number is gone from the file once the back office has it.
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("outbox.sqlite3*"))
    assert MOBILE.encode() not in raw


def test_back_office_down_defers_and_the_retry_thread_delivers_after_it_returns(server, client, outbox):
    recorder = Recorder()
    sender = make_sender(outbox, client, recorder)
    session = open_session(client, server.citizen("chen_jing"))
    before = transfer_count(server)
    server.server.stop()
    key = uuid.uuid4().hex
    delivery = sender.submit("pension_transfer", key, {"from_region": "440100", "contact_mobile": MOBILE},
                             session.submission_grant)
    assert delivery.status == PENDING
    assert delivery.entry.reference.startswith("R-") and delivery.entry.attempts == 1
    assert outbox.depth() == 1
    sender.start()
    try:
        time.sleep(0.5)          # retries while it is down fail and are counted
        assert outbox.get(key).status == PENDING
        server.server.start()    # back on the same port
        wait_until(lambda: outbox.get(key).status == CONFIRMED, "the retry thread to deliver")
    finally:
        sender.stop()
    assert transfer_count(server) == before + 1
    assert "submission.deferred" in recorder.kinds() and recorder.kinds()[-1] == "submission.confirmed"


def test_an_answer_lost_after_the_server_created_it_is_replayed_not_duplicated(server, client, outbox):
    sender = make_sender(outbox, client, Recorder())
    session = open_session(client, server.citizen("chen_jing"))
    key = uuid.uuid4().hex
    # The first call reached the server, but its answer never reached the kiosk.
    first = client.apply_pension_transfer("", "440100", MOBILE, idempotency_key=key, grant=session.submission_grant)
    before = transfer_count(server)
    delivery = sender.submit("pension_transfer", key, {"from_region": "440100", "contact_mobile": MOBILE},
                             session.submission_grant)
    assert delivery.status == CONFIRMED and delivery.resource.id == first.id
    assert transfer_count(server) == before


def test_the_grant_outlives_the_session_but_not_another_terminal(server, client, outbox):
    session = open_session(client, server.citizen("chen_jing"))
    client.close_session(session.token)
    sender = make_sender(outbox, client, Recorder())
    delivery = sender.submit("certificate", uuid.uuid4().hex,
                             {"kind": "contribution", "period_from": "202401", "period_to": "202412"},
                             session.submission_grant)
    assert delivery.status == CONFIRMED and delivery.resource.number
    other = server.settings.terminals
    second_id = next(terminal for terminal in other if terminal != DEMO_TERMINAL_ID)
    with BackofficeClient(server.base_url, second_id, other[second_id], retries=0) as second_client:
        recorder = Recorder()
        stolen = make_sender(outbox, second_client, recorder).submit(
            "certificate", uuid.uuid4().hex, {"kind": "contribution", "period_from": "202401", "period_to": "202412"},
            session.submission_grant)
    assert stolen.status == REJECTED and stolen.error.code == "session_required"
    assert recorder.kinds()[-1] == "submission.rejected"
    assert stolen.entry.payload == {} and stolen.entry.grant == ""


def test_a_refusal_is_final_and_kept_with_its_code(server, client, outbox):
    session = open_session(client, server.citizen("chen_jing"))
    sender = make_sender(outbox, client, Recorder())
    payload = {"from_region": "440100", "contact_mobile": MOBILE}
    assert sender.submit("pension_transfer", uuid.uuid4().hex, payload, session.submission_grant).status == CONFIRMED
    again = sender.submit("pension_transfer", uuid.uuid4().hex, payload, session.submission_grant)
    assert again.status == REJECTED and again.error.code == "active_application"
    assert outbox.depth() == 0


def test_the_same_key_twice_is_one_entry(outbox):
    first = outbox.add("pension_transfer", "k" * 16, {"from_region": "440100"}, "g" * 20)
    second = outbox.add("pension_transfer", "k" * 16, {"from_region": "999999"}, "x" * 20)
    assert first == second and outbox.depth() == 1


def test_an_unusable_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "outbox.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match="cannot be used"):
        Outbox(broken)
