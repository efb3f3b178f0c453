"""The catalogue as the kiosk's one text shape: spoken forms and the zh/en choice helper."""

from __future__ import annotations

import pytest

from kiosk.messages import MessageCatalog, in_language


def test_spoken_form_is_read_and_shown_form_is_shown():
    catalog = MessageCatalog({"a": {"zh": "热线 12333", "en": "Hotline 12333", "zh_spoken": "热线一二三三三"}})
    assert catalog.text("a", "zh") == "热线 12333"
    assert catalog.spoken("a", "zh") == "热线一二三三三"
    assert catalog.spoken("a", "en") == "Hotline 12333"          # no spoken form: the shown one


def test_the_hotline_is_shown_as_a_number_and_read_digit_by_digit():
    catalog = MessageCatalog()
    for key in ("attract.speech", "out_of_service.speech"):
        assert "12333" in catalog.text(key, "zh") and "12333" in catalog.text(key, "en")
        assert "一二三三三" in catalog.spoken(key, "zh") and "1 2 3 3 3" in catalog.spoken(key, "en")


def test_spoken_forms_only_beside_known_languages():
    with pytest.raises(ValueError):
        MessageCatalog({"a": {"zh": "甲", "en": "A", "fr_spoken": "a"}})
    with pytest.raises(TypeError):
        MessageCatalog({"a": {"zh": "甲", "en": "A", "zh_spoken": None}})


def test_overriding_the_shown_text_drops_the_stale_spoken_form():
    source = {"a": {"zh": "热线 12333", "en": "Hotline 12333", "zh_spoken": "热线一二三三三"}}
    assert MessageCatalog(source, overrides={"a": {"zh": "热线 96000"}}).spoken("a", "zh") == "热线 96000"
    own = MessageCatalog(source, overrides={"a": {"zh": "热线 96000", "zh_spoken": "热线九六零零零"}})
    assert own.spoken("a", "zh") == "热线九六零零零"
    only_reading = MessageCatalog(source, overrides={"a": {"zh_spoken": "热线幺二三三三"}})
    assert only_reading.text("a", "zh") == "热线 12333" and only_reading.spoken("a", "zh") == "热线幺二三三三"


def test_missing_reports_shown_texts_only():
    assert MessageCatalog({"a": {"zh": "甲", "zh_spoken": "甲"}}).missing() == [("a", "en")]


def test_in_language_chooses_and_rejects_unknown_languages():
    assert in_language("zh", zh="甲", en="A") == "甲"
    assert in_language("en", zh="甲", en="A") == "A"
    with pytest.raises(ValueError):
        in_language("fr", zh="甲", en="A")


def test_speech_reads_the_spoken_form():
    from kiosk.flow_controller import FlowController

    catalog = MessageCatalog({"s": {"zh": "拨打 {n}", "en": "Call {n}", "en_spoken": "Call {n} now"}})
    controller = FlowController.__new__(FlowController)   # speech_text needs only the catalogue
    controller.catalog = catalog
    assert controller.speech_text("s", (("n", "12333"),), "en") == "Call 12333 now"
    assert controller.speech_text("s", (("n", "12333"),), "zh") == "拨打 12333"


def test_every_error_kind_and_device_code_has_its_text():
    from devices.model import CompletionCode
    from kiosk.errors import ErrorKind, KioskError, error_from_device

    catalog = MessageCatalog()
    for kind in ErrorKind:
        assert KioskError(kind, "x").message_key in catalog
    for code in CompletionCode:
        if code is not CompletionCode.SUCCESS:
            assert error_from_device(code).message_key in catalog, code


def test_error_shows_the_back_office_wording_else_the_catalogue_with_its_overrides():
    from kiosk.errors import ErrorKind, KioskError

    own = KioskError(ErrorKind.BACKOFFICE_REJECTED, "c", message_zh="不予办理", message_en="Refused")
    assert own.citizen_message("zh") == "不予办理" and own.citizen_message("en") == "Refused"
    plain = KioskError(ErrorKind.NOT_FOUND, "c")
    assert plain.message_zh == "" and plain.citizen_message("en") == "No matching record was found."
    local = MessageCatalog(overrides={"error.kind.not_found": {"zh": "查无此人。"}})
    assert plain.citizen_message("zh", local) == "查无此人。"


def test_receipts_and_names_read_the_catalogue_they_are_given():
    import datetime as dt

    from kiosk import documents
    from kiosk.contract import models

    local = MessageCatalog(overrides={"receipt.thanks": {"zh": "谢谢  热线 96000"},
                                      "name.insurance_type.pension": {"en": "Old-age pension"}})
    assert documents.insurance_type_name("pension", "en", catalog=local) == "Old-age pension"
    assert documents.insurance_type_name("pension", "en") == "Basic pension insurance"
    citizen = models.CitizenSummary.model_construct(name="张伟", ssn_masked="3201**********1234")
    now = dt.datetime(2026, 11, 23, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    layout = documents.deferred_receipt(citizen, "certificate", "R-1", header="h", terminal_id="T", now=now,
                                        catalog=local)
    assert "谢谢  热线 96000" in layout.plain_text()


def test_the_controllers_catalogue_reaches_every_receipt_through_receipt_common():
    from kiosk.contract import models
    from kiosk.flow_controller import FlowController, PaperSettings
    from kiosk.flow_events import SubmissionDeferred, deferred_receipt

    local = MessageCatalog(overrides={"receipt.thanks": {"en": "Thanks  Hotline 96000"}})
    controller = FlowController.__new__(FlowController)   # receipt_common needs only these two
    controller.catalog, controller._paper = local, PaperSettings("社会保险自助服务", "Self-service", "T-1")
    common = controller.receipt_common("en")
    assert common.catalog is local and common.header == "Self-service"
    citizen = models.CitizenSummary.model_construct(name="Zhang", ssn_masked="3201**********1234")
    layout, _ = deferred_receipt(citizen, SubmissionDeferred("certificate", "R-1"), common)
    assert "Thanks  Hotline 96000" in layout.plain_text()
