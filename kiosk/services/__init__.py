"""The services the kiosk offers, one folder each (docs/adding-a-service.md).

`built_in_services()` is the registry: the composition root passes it (plus any a site
adds) to the flow machine, the message catalogue and the screens. A profile enables
services by name (`[services] enabled`).
"""

from __future__ import annotations

from kiosk.service_api import ServiceModule


def built_in_services() -> tuple[ServiceModule, ...]:
    """The services in menu order."""
    from kiosk.services import certificate, contributions, enrolment, pension_transfer

    return (enrolment.SERVICE, contributions.SERVICE, certificate.SERVICE, pension_transfer.SERVICE)
