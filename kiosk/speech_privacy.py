"""The privacy guard for speech: identifiers, PIN-like digit runs and amounts become a neutral word.

A loudspeaker is heard by the whole hall, so `SpeechService.speak` passes every text
through here before anything is queued, recorded or sent to the worker; short numbers
(years, the 12333 hotline, "3 tries left") stay.
"""

from __future__ import annotations

import re

_NEUTRAL_WORDS = {"zh": {"number": "号码", "amount": "金额"}, "en": {"number": "number", "amount": "amount"}}
_NUMBER = r"\d(?:[\d,，]*\d)?(?:[.．]\d+)?"
_CURRENCY_BEFORE = r"(?:[¥￥$]|(?<![A-Za-z])(?:RMB|CNY))"
_CURRENCY_AFTER = r"(?:[万千百亿]?元(?!旦)|块钱|(?i:yuan)(?![A-Za-z])|RMB(?![A-Za-z])|CNY(?![A-Za-z]))"
_AMOUNT = re.compile(
    rf"{_CURRENCY_BEFORE}\s*{_NUMBER}(?:\s*{_CURRENCY_AFTER})?"     # ¥300, RMB 1,200.50
    rf"|\d[\d,，]*[.．]\d+(?:\s*{_CURRENCY_AFTER})?"                # 1234.56 (a decimal point)
    rf"|{_NUMBER}\s*{_CURRENCY_AFTER}")                              # 300元, 3万元, 120 yuan
# Latin letters, digits and masks glued together, digit groups joined by one space,
# hyphen or comma ("138 0013 8000", "A0****019", "3201**********1234", "ID123456").
_TOKEN = re.compile(r"[A-Za-z\d*＊]+(?:(?<=[\d*＊])[ \-,](?=[\d*＊])[A-Za-z\d*＊]+)*")
_DIGITS_OR_MASKS = re.compile(r"[\d*＊]")
_HANZI_DIGIT_RUN = re.compile(r"[〇零一二三四五六七八九幺]{6,}")   # 一三八〇〇一三八〇〇〇
_CJK = re.compile(r"[\u3400-\u9fff]")
MIN_HIDDEN_RUN = 6


def speakable(text: str, language: str | None = None) -> str:
    """`text` with every identifier, long digit run and amount replaced by a neutral
    word ("号码"/"number", "金额"/"amount"); short numbers (years, the 12333 hotline,
    "3 tries left") stay. `language` picks the words; by default Chinese if the text
    has any CJK character."""
    return speakable_counted(text, language)[0]


def speakable_counted(text: str, language: str | None = None) -> tuple[str, int]:
    """`speakable(text, language)` and how many runs it replaced (the service logs the count, never the text)."""
    words = _NEUTRAL_WORDS[language or ("zh" if _CJK.search(text) else "en")]
    replaced = 0

    def neutral(match: re.Match[str], word: str) -> str:
        nonlocal replaced
        replaced += 1
        if words is _NEUTRAL_WORDS["zh"]:
            return word
        before = match.string[match.start() - 1] if match.start() else " "
        after = match.string[match.end()] if match.end() < len(match.string) else " "
        return (" " if before.isalnum() else "") + word + (" " if after.isalnum() else "")

    def token(match: re.Match[str]) -> str:
        hidden = len(_DIGITS_OR_MASKS.findall(match.group(0))) >= MIN_HIDDEN_RUN
        return neutral(match, words["number"]) if hidden else match.group(0)

    text = _AMOUNT.sub(lambda match: neutral(match, words["amount"]), text)
    text = _TOKEN.sub(token, text)
    text = _HANZI_DIGIT_RUN.sub(lambda match: neutral(match, words["number"]), text)
    return text, replaced
