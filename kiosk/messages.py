"""Citizen-facing texts (zh/en), keyed by stable ids: the kiosk's one text shape.

Qt-free on purpose: the flow state machine, speech, errors, receipts and the screens
read the same catalogue. Keys are dotted ids (``screen.element``) that never change
once shipped; the wording behind a key may. Every key carries every language in
`LANGUAGES` (a test enforces it), so switching language can never show a gap.

An entry is ``{"zh": shown, "en": shown}`` and may also carry a spoken form per
language, ``"zh_spoken"``/``"en_spoken"``, when the words are right but the reading is
not (the hotline 12333 is read digit by digit, 一二三三三 / 1 2 3 3 3). `text` gives the
shown form, `spoken` the spoken one (the shown one when there is none); speech reads
`spoken`, screens and paper read `text`.

A deployment may override wording (a province's own title, say) by passing
`overrides`; overrides are validated like the defaults and cannot add languages. An
override of a shown text drops the default spoken form of that language (it read the
old wording) unless the override gives its own.

Text that comes from outside in both languages (a back-office message, a configured
header) is not catalogued; `in_language` is the one place such a pair is chosen from.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from types import MappingProxyType

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
SPOKEN_SUFFIX = "_spoken"
_ENTRY_FIELDS = frozenset(LANGUAGES) | {language + SPOKEN_SUFFIX for language in LANGUAGES}


def in_language(language: str, *, zh: str, en: str) -> str:
    """The one of a zh/en pair from outside the catalogue (back-office wording, config) for `language`."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return en if language == "en" else zh

_DEFAULT_MESSAGES: dict[str, dict[str, str]] = {
    # --- attract screen (first screen, nobody identified) ----------------------------
    "attract.title": {
        "zh": "社会保险自助服务",
        "en": "Social Insurance Self-Service",
    },
    "attract.insert_card": {
        "zh": "请插入社会保障卡",
        "en": "Please insert your social security card",
    },
    "attract.show_ecard": {
        "zh": "或出示电子社保卡二维码",
        "en": "or show your electronic social security card QR code",
    },
    "attract.scan_ecard": {
        "zh": "扫描电子社保卡",
        "en": "Scan e-card",
    },
    "attract.insert_card_help": {
        "zh": "如何插卡",
        "en": "How to insert",
    },
    "attract.speech": {
        "zh": "欢迎使用社会保险自助服务。请插入社会保障卡，或出示电子社保卡二维码。"
              "如需帮助，请按呼叫工作人员，或拨打服务热线 12333。",
        "en": "Welcome to social insurance self-service. Please insert your social "
              "security card, or show your electronic social security card QR code. "
              "For help, press Call staff, or call the hotline 12333.",
        "zh_spoken": "欢迎使用社会保险自助服务。请插入社会保障卡，或出示电子社保卡二维码。"
                     "如需帮助，请按呼叫工作人员，或拨打服务热线一二三三三。",
        "en_spoken": "Welcome to social insurance self-service. Please insert your social "
                     "security card, or show your electronic social security card QR code. "
                     "For help, press Call staff, or call the hotline 1 2 3 3 3.",
    },
    # --- controls present on every screen ---------------------------------------------
    # The language button names the language it switches *to*, written in that
    # language, so someone who cannot read the current one still finds it.
    "common.language_toggle": {
        "zh": "English",
        "en": "中文",
    },
    "common.language_toggle.accessible": {
        "zh": "切换为英文 Switch to English",
        "en": "Switch to Chinese 切换为中文",
    },
    "common.elder_mode": {
        "zh": "适老模式",
        "en": "Large text",
    },
    "common.elder_mode.on": {
        "zh": "适老模式已开启",
        "en": "Large text is on",
    },
    "common.elder_mode.off": {
        "zh": "适老模式已关闭",
        "en": "Large text is off",
    },
    "common.call_staff": {
        "zh": "呼叫工作人员",
        "en": "Call staff",
    },
    "common.repeat": {
        "zh": "重复播报",
        "en": "Repeat",
    },
    "common.hotline": {
        "zh": "服务热线 12333",
        "en": "Hotline 12333",
    },
    "common.back": {
        "zh": "返回",
        "en": "Back",
    },
    "common.home": {
        "zh": "首页",
        "en": "Home",
    },
    "common.ok": {
        "zh": "确定",
        "en": "OK",
    },
    "common.cancel": {
        "zh": "取消",
        "en": "Cancel",
    },
    "common.more_time": {
        "zh": "需要更多时间",
        "en": "More time",
    },
    # --- errors and out of service ----------------------------------------------------
    "error.title": {
        "zh": "暂时无法办理",
        "en": "This cannot be done right now",
    },
    "error.generic": {
        "zh": "系统出现问题，请稍后再试，或呼叫工作人员。",
        "en": "Something went wrong. Please try again later, or call staff.",
    },
    "error.try_again": {
        "zh": "重试",
        "en": "Try again",
    },
    "error.card_unreadable": {
        "zh": "无法读取社会保障卡，请取出后重新插入，芯片朝上朝里。",
        "en": "The card could not be read. Please take it out and insert it again, "
              "chip facing up and in.",
    },
    "error.qr_invalid": {
        "zh": "无法识别该二维码，请打开电子社保卡后重新出示。",
        "en": "This QR code could not be recognised. Please open your electronic "
              "social security card and show it again.",
    },
    "out_of_service.title": {
        "zh": "本机暂停服务",
        "en": "Out of service",
    },
    "out_of_service.body": {
        "zh": "给您带来不便，敬请谅解。请前往其他自助终端或人工窗口办理，"
              "或拨打服务热线 12333。",
        "en": "We are sorry for the inconvenience. Please use another terminal or a "
              "service counter, or call the hotline 12333.",
    },
}


def default_messages(services=None) -> dict[str, dict[str, str]]:
    """The built-in texts: this module's, one module per shared area under `kiosk/texts/`, and
    each service's own (`services`, default the built-in registry, kiosk/services/).

    A key defined twice is a bug and raises.
    """
    from kiosk.services import built_in_services
    from kiosk.texts import TEXT_TABLES
    from kiosk.texts.technician import TEXTS as TECHNICIAN_TEXTS

    merged = dict(_DEFAULT_MESSAGES)
    service_tables = tuple(service.texts for service in (built_in_services() if services is None else services))
    for table in (*TEXT_TABLES, TECHNICIAN_TEXTS, *service_tables):
        for key, texts in table.items():
            if key in merged:
                raise KeyError(f"message key {key!r} defined twice")
            merged[key] = texts
    return merged


class MessageCatalog:
    """Immutable lookup of citizen-facing texts by key and language."""

    def __init__(
        self,
        messages: Mapping[str, Mapping[str, str]] | None = None,
        *,
        overrides: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        source = default_messages() if messages is None else messages
        merged: dict[str, dict[str, str]] = {k: dict(v) for k, v in source.items()}
        for key, texts in (overrides or {}).items():
            if key not in merged:
                raise KeyError(f"override for unknown message key {key!r}")
            for language in LANGUAGES:
                if language in texts and language + SPOKEN_SUFFIX not in texts:
                    merged[key].pop(language + SPOKEN_SUFFIX, None)
            merged[key].update(texts)
        for key, texts in merged.items():
            extra = set(texts) - _ENTRY_FIELDS
            if extra:
                raise ValueError(f"message {key!r} has unsupported languages {sorted(extra)}")
            for language, text in texts.items():
                if not isinstance(text, str):
                    raise TypeError(f"message {key!r} [{language}] is not a string")
        self._messages: Mapping[str, Mapping[str, str]] = MappingProxyType(
            {k: MappingProxyType(v) for k, v in merged.items()}
        )

    def text(self, key: str, language: str) -> str:
        """The text for `key` in `language` (``"zh"`` or ``"en"``).

        Unknown keys and languages raise: a typo must fail in tests, not show a blank
        to a citizen.
        """
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
        try:
            return self._messages[key][language]
        except KeyError:
            raise KeyError(f"no {language!r} text for message key {key!r}") from None

    def spoken(self, key: str, language: str) -> str:
        """What speech says for `key`: its spoken form in `language` when it has one, else its text."""
        shown = self.text(key, language)
        return self._messages[key].get(language + SPOKEN_SUFFIX) or shown

    def keys(self) -> list[str]:
        return sorted(self._messages)

    def languages(self) -> tuple[str, ...]:
        return LANGUAGES

    def missing(self) -> list[tuple[str, str]]:
        """(key, language) pairs with no text or an empty one; empty when complete."""
        gaps = []
        for key in self.keys():
            for language in LANGUAGES:
                if not self._messages[key].get(language, "").strip():
                    gaps.append((key, language))
        return gaps

    def __contains__(self, key: object) -> bool:
        return key in self._messages

    def __len__(self) -> int:
        return len(self._messages)


@functools.cache
def default_catalog() -> MessageCatalog:
    """The built-in catalogue, built once: for callers given no catalogue (tests, screens' helpers)."""
    return MessageCatalog()


def message_keys(catalog: MessageCatalog | None = None) -> list[str]:
    """All message keys, sorted (of `catalog`, or of the built-in defaults)."""
    return (catalog or MessageCatalog()).keys()


def all_texts(catalog: MessageCatalog, languages: Iterable[str] = LANGUAGES) -> list[str]:
    """Every text in the catalogue (for glyph-coverage and length checks)."""
    return [catalog.text(key, lang) for key in catalog.keys() for lang in languages]
