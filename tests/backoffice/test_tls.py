"""HTTPS and mutual TLS with the dev CA from scripts/dev-ca.sh."""

from __future__ import annotations

import pytest
import requests


def test_https_verified_against_the_dev_ca(backoffice_factory, dev_ca):
    server = backoffice_factory(tls_certfile=dev_ca / "server.crt", tls_keyfile=dev_ca / "server.key")
    assert server.base_url.startswith("https://127.0.0.1:")
    response = requests.get(server.base_url + "/v1/health", verify=str(dev_ca / "ca.crt"), timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    localhost_url = server.base_url.replace("127.0.0.1", "localhost")
    assert requests.get(localhost_url + "/v1/health", verify=str(dev_ca / "ca.crt"), timeout=10).ok
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(server.base_url + "/v1/health", timeout=10)  # system trust store does not know the dev CA
    client = server.client()
    client.http.verify = str(dev_ca / "ca.crt")
    assert client.post("/v1/sessions", json={"method": "card", "ssn": server.citizen("zhang_wei").ssn,
                                             "card_number": "A00000019",
                                             "card_id_code": server.citizen("zhang_wei").card_id_code,
                                             "pin_verified": True}).status_code == 201


def test_mutual_tls_needs_a_client_certificate(backoffice_factory, dev_ca):
    server = backoffice_factory(tls_certfile=dev_ca / "server.crt", tls_keyfile=dev_ca / "server.key",
                                tls_client_ca=dev_ca / "ca.crt")
    with_cert = requests.get(server.base_url + "/v1/health", verify=str(dev_ca / "ca.crt"), timeout=10,
                             cert=(str(dev_ca / "client.crt"), str(dev_ca / "client.key")))
    assert with_cert.status_code == 200
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(server.base_url + "/v1/health", verify=str(dev_ca / "ca.crt"), timeout=10)
