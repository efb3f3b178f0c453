"""The certificate's A4 document and its receipt, laid out from the back office's certificate."""

from __future__ import annotations

from kiosk.services.certificate import documents


def verify_url(context, certificate) -> str:
    """Where the certificate's QR code points: the public check, or the back office itself."""
    base = context.paper.verify_base_url or context.client().base_url
    return base.rstrip("/") + certificate.verify_path


def certificate_document(context, certificate):
    return documents.certificate_document(
        certificate, verify_url(context, certificate),
        seal_image=context.paper.seal_image(certificate.content.issuing_office), catalog=context.catalog)


def certificate_receipt(citizen, certificate, *, verify_url: str, printed_ok: bool, common):
    return documents.certificate_receipt(citizen, certificate, verify_url=verify_url, printed_ok=printed_ok,
                                         **common.as_kwargs())
