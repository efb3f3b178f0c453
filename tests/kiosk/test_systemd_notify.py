"""sd_notify against a real AF_UNIX datagram socket, as systemd would listen on it."""

from __future__ import annotations

import os
import socket

import pytest

from kiosk.systemd_notify import SystemdNotifier


@pytest.fixture
def path_socket(tmp_path):
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "notify.sock")
    receiver.bind(address)
    receiver.settimeout(5)
    yield address, receiver
    receiver.close()


@pytest.fixture
def abstract_socket():
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"si-kiosk-test-{os.getpid()}-{id(receiver)}"
    receiver.bind("\0" + name)
    receiver.settimeout(5)
    yield "@" + name, receiver
    receiver.close()


def received(receiver: socket.socket) -> str:
    return receiver.recv(4096).decode("utf-8")


def test_messages_arrive_on_a_socket_path(path_socket):
    address, receiver = path_socket
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "30000000"})
    assert notifier.enabled
    assert notifier.ready()
    assert received(receiver) == "READY=1"
    assert notifier.watchdog()
    assert received(receiver) == "WATCHDOG=1"
    assert notifier.status("attract screen; card reader online")
    assert received(receiver) == "STATUS=attract screen; card reader online"
    assert notifier.stopping()
    assert received(receiver) == "STOPPING=1"
    notifier.close()


def test_messages_arrive_on_an_abstract_socket(abstract_socket):
    address, receiver = abstract_socket
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": address})
    assert notifier.ready(status="ready")
    assert received(receiver).split("\n") == ["READY=1", "STATUS=ready"]
    assert notifier.watchdog()
    assert received(receiver) == "WATCHDOG=1"
    notifier.close()


def test_status_is_one_bounded_line(path_socket):
    address, receiver = path_socket
    notifier = SystemdNotifier(address)
    notifier.status("first line\nREADY=1\n" + "x" * 500)
    message = received(receiver)
    assert "\n" not in message  # a status text cannot smuggle a second assignment
    assert message.startswith("STATUS=first line READY=1 x")
    assert len(message) <= len("STATUS=") + 200


def test_watchdog_interval_is_half_of_watchdog_usec():
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": "/run/none", "WATCHDOG_USEC": "30000000"})
    assert notifier.watchdog_interval_s == 15.0
    assert SystemdNotifier.from_environment({"NOTIFY_SOCKET": "/run/none"}).watchdog_interval_s is None
    assert SystemdNotifier.from_environment({"NOTIFY_SOCKET": "/run/none", "WATCHDOG_USEC": "x"}).watchdog_interval_s is None
    assert SystemdNotifier.from_environment({"NOTIFY_SOCKET": "/run/none", "WATCHDOG_USEC": "0"}).watchdog_interval_s is None


def test_without_systemd_everything_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")  # without a socket a watchdog means nothing
    notifier = SystemdNotifier.from_environment()
    assert not notifier.enabled
    assert notifier.watchdog_interval_s is None
    assert not notifier.ready()
    assert not notifier.watchdog()
    assert not notifier.status("x")
    assert not notifier.stopping()


def test_reads_the_process_environment(monkeypatch, path_socket):
    address, receiver = path_socket
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    notifier = SystemdNotifier.from_environment()
    assert notifier.watchdog_interval_s == 1.0
    assert notifier.ready()
    assert received(receiver) == "READY=1"


def test_a_vanished_socket_is_reported_once_and_never_raises(tmp_path, caplog):
    notifier = SystemdNotifier(str(tmp_path / "gone.sock"))
    with caplog.at_level("WARNING", logger="kiosk.systemd"):
        assert not notifier.watchdog()
        assert not notifier.watchdog()
    assert len([record for record in caplog.records if "notification failed" in record.getMessage()]) == 1
