"""Persisted statistics counters: real SQLite files and real simulator devices."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from devices.model import Statistics
from devices.receipt.layout import test_page as receipt_test_page
from devices.simulators.card_reader import SimulatedCardReader
from devices.simulators.faults import SimulatedFault
from devices.simulators.printers import SimulatedReceiptPrinter
from kiosk.counters import MAX_FLAT_ENTRIES, CounterStore, CounterStoreError, open_counter_store
from kiosk_demo.cards import demo_card_record


@pytest.fixture
def printer():
    device = SimulatedReceiptPrinter()
    device.open()
    yield device
    device.close()


def print_test_page(printer) -> None:
    assert printer.print_receipt(receipt_test_page(printer.name, printer.capabilities)).ok


def stored_rows(path) -> dict[tuple[str, str], int]:
    conn = sqlite3.connect(path)
    try:
        return {(scope, name): value for scope, name, value in conn.execute("SELECT scope, name, value FROM counters")}
    finally:
        conn.close()


# --- Statistics listeners (devices/model.py) -------------------------------------------------

def test_statistics_listeners_hear_every_change_in_order():
    statistics = Statistics(("a", "b"))
    heard: list[tuple[str, int]] = []
    unsubscribe = statistics.subscribe(lambda name, value: heard.append((name, value)))
    statistics.increment("a")
    statistics.increment("a", 4)
    statistics.restore({"b": 7})
    assert statistics.reset(("a",)) == {"a": 5}
    unsubscribe()
    statistics.increment("b")
    assert heard == [("a", 1), ("a", 5), ("b", 7), ("a", 0)]
    assert statistics.snapshot() == {"a": 0, "b": 8}


def test_a_failing_listener_does_not_stop_counting():
    statistics = Statistics(("a",))

    def broken(name: str, value: int) -> None:
        raise RuntimeError("disk full")

    statistics.subscribe(broken)
    statistics.increment("a")
    assert statistics.snapshot() == {"a": 1}


# --- persistence ----------------------------------------------------------------------------

def test_device_and_kiosk_counters_survive_a_restart(tmp_path, printer):
    path = tmp_path / "counters.sqlite3"
    with CounterStore(path) as store:
        store.attach([printer])
        print_test_page(printer)
        print_test_page(printer)
        assert store.increment("kiosk", "sessions_card") == 1
        store.increment("kiosk", "certificates_issued", 3)
        assert store.snapshot()["receipt_printer"]["receipts_printed"] == 2

    # A new process: a new store on the same file and a new device object.
    restarted = SimulatedReceiptPrinter()
    restarted.open()
    with CounterStore(path) as store:
        store.attach([restarted])
        assert restarted.statistics.snapshot()["receipts_printed"] == 2
        print_test_page(restarted)
        assert store.snapshot()["receipt_printer"]["receipts_printed"] == 3
        assert store.snapshot()["kiosk"] == {"certificates_issued": 3, "sessions_card": 1}
        assert store.flat()["kiosk.sessions_card"] == 1
    assert stored_rows(path)[("receipt_printer", "receipts_printed")] == 3


def test_counts_made_before_attach_are_added_to_the_stored_ones(tmp_path):
    path = tmp_path / "counters.sqlite3"
    reader = SimulatedCardReader()
    reader.open()
    with CounterStore(path) as store:
        store.attach([reader])
        reader.insert_card(demo_card_record("A00000019"))
    again = SimulatedCardReader()
    again.open()
    again.insert_card(demo_card_record("A00000019"))  # counted before the store is attached
    with CounterStore(path) as store:
        store.attach([again])
        assert again.statistics.snapshot()["cards_inserted"] == 2
        assert store.snapshot()["card_reader"]["cards_inserted"] == 2


def test_increment_of_an_attached_scope_counts_on_the_device(tmp_path, printer):
    with CounterStore(tmp_path / "c.sqlite3") as store:
        store.attach([printer])
        assert store.increment("receipt_printer", "print_errors") == 1
        assert printer.statistics.snapshot()["print_errors"] == 1
        with pytest.raises(ValueError):
            store.attach([SimulatedReceiptPrinter("second")])


def test_counting_from_many_threads_loses_nothing(tmp_path, printer):
    path = tmp_path / "c.sqlite3"
    with CounterStore(path) as store:
        store.attach([printer])

        def work() -> None:
            for _ in range(200):
                printer.statistics.increment("receipts_printed")
                store.increment("kiosk", "sessions_card")

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert store.snapshot()["kiosk"]["sessions_card"] == 1600
        assert printer.statistics.snapshot()["receipts_printed"] == 1600
    rows = stored_rows(path)
    assert rows[("receipt_printer", "receipts_printed")] == 1600 and rows[("kiosk", "sessions_card")] == 1600


# --- resets ------------------------------------------------------------------------------------

def test_paper_replaced_zeroes_the_paper_counters_in_memory_and_on_file(tmp_path, printer):
    path = tmp_path / "c.sqlite3"
    with CounterStore(path) as store:
        store.attach([printer])
        print_test_page(printer)
        printer.inject_fault(SimulatedFault.PAPER_OUT)
        assert not printer.print_receipt(receipt_test_page(printer.name, printer.capabilities)).ok
        printer.clear_fault()
        printer.inject_fault(SimulatedFault.COVER_OPEN)
        printer.print_receipt(receipt_test_page(printer.name, printer.capabilities))
        printer.clear_fault()
        before = store.paper_replaced("receipt_printer")
        assert before == {"paper_outs": 1, "jams": 0, "receipts_printed": 1}
        counted = printer.statistics.snapshot()
        assert (counted["paper_outs"], counted["jams"], counted["receipts_printed"]) == (0, 0, 0)
        assert counted["cover_opens"] == 1  # not about paper: kept
        print_test_page(printer)
    rows = stored_rows(path)
    assert rows[("receipt_printer", "paper_outs")] == 0 and rows[("receipt_printer", "receipts_printed")] == 1
    assert rows[("receipt_printer", "cover_opens")] == 1


def test_paper_replaced_needs_a_printer_scope(tmp_path):
    with CounterStore(tmp_path / "c.sqlite3") as store:
        with pytest.raises(ValueError):
            store.paper_replaced("card_reader")
        # A printer that is not attached (disabled in this profile) is reset on file.
        store.increment("document_printer", "jams", 2)
        assert store.paper_replaced("document_printer") == {"paper_outs": 0, "jams": 2, "documents_printed": 0}
        assert store.snapshot()["document_printer"]["jams"] == 0


def test_reset_returns_the_values_before(tmp_path, printer):
    with CounterStore(tmp_path / "c.sqlite3") as store:
        store.attach([printer])
        store.increment("kiosk", "sessions_card", 5)
        store.increment("kiosk", "sessions_ecard", 2)
        assert store.reset("kiosk", ["sessions_ecard"]) == {"sessions_ecard": 2}
        assert store.reset("kiosk") == {"sessions_card": 5, "sessions_ecard": 0}
        assert store.snapshot()["kiosk"] == {"sessions_card": 0, "sessions_ecard": 0}
        print_test_page(printer)
        before = store.reset("receipt_printer")
        assert before["receipts_printed"] == 1 and set(before) >= set(printer.counter_names)
        assert set(printer.statistics.snapshot().values()) == {0}


# --- bounds and damage ---------------------------------------------------------------------------

def test_names_are_checked_and_flat_is_bounded(tmp_path):
    with CounterStore(tmp_path / "c.sqlite3") as store:
        for scope, name in (("Kiosk", "x"), ("kiosk", "has space"), ("kiosk", ""), ("kiosk", "n" * 60)):
            with pytest.raises(ValueError):
                store.increment(scope, name)
        with pytest.raises(ValueError):
            store.increment("kiosk", "sessions_card", -1)
        for index in range(MAX_FLAT_ENTRIES + 10):
            store.increment("kiosk", f"counter_{index:03d}")
        flat = store.flat()
        assert len(flat) == MAX_FLAT_ENTRIES
        assert all(len(key) <= 64 for key in flat)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "counters.sqlite3"
    path.write_bytes(b"this is not an SQLite file at all" * 200)
    with pytest.raises(CounterStoreError, match="counters.sqlite3"):
        CounterStore(path)


def test_a_foreign_schema_is_a_clear_error(tmp_path):
    path = tmp_path / "counters.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE counters (something_else TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(CounterStoreError, match="not usable"):
        CounterStore(path)


def test_hand_edited_rows_are_skipped(tmp_path):
    path = tmp_path / "counters.sqlite3"
    CounterStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO counters VALUES ('kiosk', 'fine', 3), ('kiosk', 'Bad Name', 1), ('kiosk', 'text', 'x')")
    conn.commit()
    conn.close()
    with CounterStore(path) as store:
        assert store.snapshot() == {"kiosk": {"fine": 3}}


def test_open_counter_store_moves_a_damaged_file_aside(tmp_path, caplog):
    path = tmp_path / "counters.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    with open_counter_store(path) as store:
        store.increment("kiosk", "sessions_card")
        assert store.snapshot() == {"kiosk": {"sessions_card": 1}}
    assert len(list(tmp_path.glob("counters.sqlite3.corrupt-*"))) == 1
    assert "counters start from zero" in caplog.text
