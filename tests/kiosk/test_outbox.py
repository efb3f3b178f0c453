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
from kiosk.outbox import CONFIRMED, PENDING, REJECTED, Outbox, OutboxError, OutboxSender, reference_for, scoped_grant

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
    # Delivering again answers from the outbox (references only): nothing new on the server.
    again = sender.deliver(key)
    assert again.status == CONFIRMED and again.entry.result["id"] == delivery.resource.id
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
    first = client.apply_pension_transfer("", "440100", MOBILE, idempotency_key=key,
                                          grant=scoped_grant("pension_transfer", key, session.submission_grant))
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
    # A refused grant is not a refusal of the submission: it is held for staff, not dropped.
    assert stolen.status == PENDING and stolen.error.credential_refused
    assert recorder.kinds()[-2:] == ["submission.held", "submission.deferred"]
    assert [entry.key for entry in outbox.held()] == [stolen.entry.key]


def test_only_a_grant_for_this_submission_is_written_to_disk(server, client, outbox, tmp_path):
    session = open_session(client, server.citizen("chen_jing"))
    server.server.stop()
    key = uuid.uuid4().hex
    delivery = make_sender(outbox, client, Recorder()).submit(
        "certificate", key, {"kind": "contribution", "period_from": "202401", "period_to": "202412"},
        session.submission_grant)
    assert delivery.status == PENDING
    grant_key = session.submission_grant.partition(".")[2]
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("outbox.sqlite3*"))
    assert grant_key.encode() not in raw and session.submission_grant.encode() not in raw
    assert outbox.get(key).grant and outbox.get(key).grant != session.submission_grant


class SwitchableClient:
    """The sender asks for its client at every attempt; a test swaps it (a rotated secret, a fixed clock)."""

    def __init__(self, client) -> None:
        self.current = client

    def __call__(self):
        return self.current


@pytest.mark.parametrize("fault", ["wrong_secret", "clock_skew"])
def test_a_refused_terminal_never_drops_a_submission(server, client, outbox, fault):
    recorder = Recorder()
    session = open_session(client, server.citizen("chen_jing"))
    refused = BackofficeClient(server.base_url, DEMO_TERMINAL_ID,
                               "rotated-secret-0123456789" if fault == "wrong_secret" else DEMO_TERMINAL_SECRET,
                               retries=0, clock=(lambda: time.time() - 3600) if fault == "clock_skew" else time.time)
    switch = SwitchableClient(refused)
    sender = OutboxSender(outbox, switch, retry_interval_s=0.05, max_backoff_s=0.1, record=recorder)
    before = transfer_count(server)
    key = uuid.uuid4().hex
    delivery = sender.submit("pension_transfer", key, {"from_region": "440100", "contact_mobile": MOBILE},
                             session.submission_grant)
    assert delivery.status == PENDING and delivery.error.terminal_refused
    for _ in range(3):   # and again, and again: still kept
        time.sleep(0.12)
        assert sender.deliver(key).status == PENDING
    entry = outbox.get(key)
    assert entry.status == PENDING and entry.attempts == 4 and entry.payload["contact_mobile"] == MOBILE
    assert [held.key for held in outbox.held()] == [key]
    assert "submission.held" in recorder.kinds() and "submission.rejected" not in recorder.kinds()
    switch.current = client   # the technician mended the secret or the clock
    assert sender.deliver(key).status == CONFIRMED
    assert transfer_count(server) == before + 1 and outbox.held() == []


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_gateway_refusal_never_drops_a_submission(outbox, status):
    from tests.client.scripted_server import ScriptedReply, ScriptedServer

    page = ScriptedReply(status, b"<html><body>gateway says no</body></html>", "text/html")
    with ScriptedServer([page]) as gateway:
        with BackofficeClient(gateway.base_url, DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET, retries=0) as behind:
            recorder = Recorder()
            delivery = make_sender(outbox, behind, recorder).submit(
                "pension_transfer", uuid.uuid4().hex, {"from_region": "440100", "contact_mobile": MOBILE},
                "0123456789abcdef.grant-key-value")
    assert delivery.status == PENDING and delivery.error.code == "gateway_refused"
    assert len(outbox.held()) == 1 and "submission.rejected" not in recorder.kinds()


def test_a_confirmed_certificate_keeps_references_only(server, client, outbox, tmp_path):
    citizen = server.citizen("chen_jing")
    session = open_session(client, citizen)
    key = uuid.uuid4().hex
    delivery = make_sender(outbox, client, Recorder()).submit(
        "certificate", key, {"kind": "contribution", "period_from": "202401", "period_to": "202412"},
        session.submission_grant)
    assert delivery.status == CONFIRMED
    certificate = delivery.resource
    entry = outbox.get(key)
    assert entry.result == {"number": certificate.number, "valid_until": str(certificate.valid_until)}
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("outbox.sqlite3*"))
    for secret in (certificate.verification_code, citizen.ssn, certificate.content.name,
                   certificate.content.personal_number, *(period.employer for period in certificate.content.periods)):
        assert secret.encode("utf-8") not in raw, secret
    # The same submission again is answered by the back office from its idempotency record.
    again = make_sender(outbox, client, Recorder()).deliver(key)
    assert again.status == CONFIRMED and again.resource is None


def test_finished_rows_are_pruned_after_their_keep_time(tmp_path):
    now = [1_000_000.0]
    box = Outbox(tmp_path / "outbox.sqlite3", clock=lambda: now[0], keep_confirmed_s=100, keep_rejected_s=1000)
    try:
        for name in ("a", "b", "c"):
            box.add("certificate", name * 16, {"kind": "contribution"}, "g")
        box.confirmed("a" * 16, {"number": "NJ1", "citizen": {"name": "张三"}, "verification_code": "V"})
        box.rejected("b" * 16, "active_application")
        assert box.get("a" * 16).result == {"number": "NJ1"}
        now[0] += 101
        assert box.prune() == 1
        assert box.get("a" * 16) is None and box.get("b" * 16).reference and box.get("c" * 16).status == PENDING
        now[0] += 1000
        box.prune()
        assert box.get("b" * 16) is None and box.get("c" * 16) is not None   # pending is never pruned
    finally:
        box.close()


def test_delivery_locks_do_not_pile_up(server, client, outbox):
    session = open_session(client, server.citizen("chen_jing"))
    sender = make_sender(outbox, client, Recorder())
    for _ in range(5):
        sender.submit("certificate", uuid.uuid4().hex,
                      {"kind": "contribution", "period_from": "202401", "period_to": "202412"},
                      session.submission_grant)
    assert sender._key_locks == {}


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
