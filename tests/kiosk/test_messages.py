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
