"""The headless demo's live checks (Qt-free): the simulated devices at work and the embedded
back office answering for a demo citizen, printed as one line each, masked."""

from __future__ import annotations

from pathlib import Path


def print_device_check(devices, out_dir: Path) -> None:
    """The simulated devices at work: a demo card read and verified, a receipt and a certificate printed."""
    import shutil

    from devices.document.layout import sample_certificate
    from devices.receipt.escpos_decode import decode_escpos
    from devices.receipt.layout import test_page
    from kiosk_demo.cards import demo_card_record

    reader, receipt_printer, document_printer = devices.card_reader, devices.receipt_printer, devices.document_printer
    record = demo_card_record("A00000019")
    reader.insert_card(record)
    card = reader.read_card().unwrap()
    pin = reader.verify_pin(record.pin)
    reader.remove_card()
    print(f"card reader: {card.masked()['name']} {card.masked()['ssn']} card {card.masked()['card_number']}, "
          f"PIN {'verified' if pin.ok else pin.code.value}")
    printed = receipt_printer.print_receipt(test_page(receipt_printer.name, receipt_printer.capabilities)).unwrap()
    receipt_text = out_dir / "receipt-test-page.txt"
    receipt_text.write_text(decode_escpos(receipt_printer.spool[-1].data).render_text(), encoding="utf-8")
    print(f"receipt: {printed.bytes_sent} bytes of ESC/POS, decoded to {receipt_text}")
    document = document_printer.print_document(sample_certificate()).unwrap()
    certificate = out_dir / "certificate-sample.pdf"
    shutil.copyfile(document.document_path, certificate)
    document_printer.clear_spool()
    print(f"certificate: {document.pages} page(s) A4, {certificate}")


def print_backoffice_check(link) -> None:
    """A demo citizen's session, enrolment summary and session close through the signed client."""
    from backoffice.demo_data import demo_citizens

    client = link.client
    citizen = demo_citizens()[0]
    session = client.open_card_session(citizen.ssn, citizen.card_number, citizen.card_id_code)
    enrolment = client.enrolment(session.token)
    client.close_session(session.token)
    print(f"back office: {client.base_url} — {session.citizen.name} ({session.citizen.ssn_masked}): "
          + ", ".join(f"{item.insurance_type.value} {item.status.value} {item.months_paid} months"
                      for item in enrolment.items))
