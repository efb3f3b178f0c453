from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.messages import LANGUAGES, MessageCatalog, all_texts, message_keys


def test_every_key_has_every_language(catalog):
    assert catalog.missing() == []
    for key in message_keys():
        for language in LANGUAGES:
            assert catalog.text(key, language).strip()


@pytest.mark.parametrize(("key", "zh", "en"), [
    ("attract.title", "社会保险自助服务", "Social Insurance Self-Service"),
    ("attract.insert_card", "请插入社会保障卡", "Please insert your social security card"),
    ("attract.show_ecard", "或出示电子社保卡二维码",
     "or show your electronic social security card QR code"),
    ("attract.scan_ecard", "扫描电子社保卡", "Scan e-card"),
    ("common.elder_mode", "适老模式", "Large text"),
    ("common.call_staff", "呼叫工作人员", "Call staff"),
    ("common.hotline", "服务热线 12333", "Hotline 12333"),
    ("common.language_toggle", "English", "中文"),
])
def test_required_texts(catalog, key, zh, en):
    assert catalog.text(key, "zh") == zh
    assert catalog.text(key, "en") == en


def test_generic_error_and_out_of_service_keys_exist(catalog):
    for key in ("error.title", "error.generic", "out_of_service.title", "out_of_service.body",
                "attract.speech"):
        assert key in catalog


def test_unknown_key_or_language_raises(catalog):
    with pytest.raises(KeyError):
        catalog.text("attract.no_such_key", "zh")
    with pytest.raises(ValueError):
        catalog.text("attract.title", "fr")


def test_overrides_replace_wording_but_not_structure():
    cat = MessageCatalog(overrides={"attract.title": {"zh": "江苏人社自助服务"}})
    assert cat.text("attract.title", "zh") == "江苏人社自助服务"
    assert cat.text("attract.title", "en") == "Social Insurance Self-Service"
    with pytest.raises(KeyError):
        MessageCatalog(overrides={"nope": {"zh": "x"}})
    with pytest.raises(ValueError):
        MessageCatalog(overrides={"attract.title": {"fr": "x"}})


def test_incomplete_catalog_is_reported():
    cat = MessageCatalog({"a": {"zh": "甲"}, "b": {"zh": "乙", "en": " "}})
    assert cat.missing() == [("a", "en"), ("b", "en")]


def test_all_texts_lists_both_languages(catalog):
    assert len(all_texts(catalog)) == 2 * len(catalog)


def test_catalog_is_qt_free():
    code = "import sys, kiosk.messages; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
