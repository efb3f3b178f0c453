"""GB 18030-2022 text for what comes from and goes to cards and printers.

Names on social security cards and in vendor libraries are GB 18030 (a superset of
GBK); GB 18030-2022 is the mandatory edition. Python's `gb18030` codec follows the
2005 edition, which maps 18 two-byte codes to the Private Use Area (PUA); the 2022
edition maps them to the standard characters that Unicode has since encoded:

    A6D9 A6DA A6DB A6DC A6DD A6DE A6DF A6EC A6ED A6F3   U+FE10 FE12 FE11 FE13 FE14 FE15 FE16 FE17 FE18 FE19
    FE59 FE61 FE66 FE67 FE6D FE7E FE90 FEA0             U+9FB4 9FB5 9FB6 9FB7 9FB8 9FB9 9FBA 9FBB

(vertical punctuation and eight CJK ideographs). A name decoded with the 2005 table
would hold a PUA character, which no font shows and which `CardData` rejects.

`decode` reads those codes as the 2022 characters; every other byte sequence decodes
as Python's codec does (the four-byte codes that 2005 gave the eight ideographs still
decode to them). `encode` writes the 2022 two-byte codes for the 18 characters and,
as the Unicode Technical Committee recommends for a smooth transition (UTC L2/23-003),
also for their former PUA code points; everything else encodes as Python's codec does.
Characters such as 䶮 (U+4DAE, FE9F) or 㐀 (U+3400, 8139EE39) need no special case.
"""

from __future__ import annotations

# two-byte GB 18030 code -> (GB 18030-2022 character, the PUA character of the 2005 edition)
_CHANGED_2022: dict[bytes, tuple[str, str]] = {
    bytes.fromhex(code): (chr(standard), chr(pua)) for code, standard, pua in (
        ("A6D9", 0xFE10, 0xE78D), ("A6DA", 0xFE12, 0xE78E), ("A6DB", 0xFE11, 0xE78F), ("A6DC", 0xFE13, 0xE790),
        ("A6DD", 0xFE14, 0xE791), ("A6DE", 0xFE15, 0xE792), ("A6DF", 0xFE16, 0xE793), ("A6EC", 0xFE17, 0xE794),
        ("A6ED", 0xFE18, 0xE795), ("A6F3", 0xFE19, 0xE796),
        ("FE59", 0x9FB4, 0xE81E), ("FE61", 0x9FB5, 0xE826), ("FE66", 0x9FB6, 0xE82B), ("FE67", 0x9FB7, 0xE82C),
        ("FE6D", 0x9FB8, 0xE832), ("FE7E", 0x9FB9, 0xE843), ("FE90", 0x9FBA, 0xE854), ("FEA0", 0x9FBB, 0xE864),
    )
}
_DECODE_FIX = str.maketrans({pua: standard for standard, pua in _CHANGED_2022.values()})
_ENCODE_TABLE = {char: code for code, pair in _CHANGED_2022.items() for char in pair}
_ENCODE_SPECIAL = frozenset(_ENCODE_TABLE)


def decode(data: bytes, errors: str = "strict") -> str:
    """GB 18030-2022 bytes -> text. Raises UnicodeDecodeError on invalid bytes (with errors="strict")."""
    return data.decode("gb18030", errors).translate(_DECODE_FIX)


def encode(text: str, errors: str = "strict") -> bytes:
    """Text -> GB 18030-2022 bytes. Every Unicode scalar value has a GB 18030 code; lone surrogates do not."""
    if _ENCODE_SPECIAL.isdisjoint(text):
        return text.encode("gb18030", errors)
    out = bytearray()
    start = 0
    for index, char in enumerate(text):
        code = _ENCODE_TABLE.get(char)
        if code is not None:
            out += text[start:index].encode("gb18030", errors) + code
            start = index + 1
    out += text[start:].encode("gb18030", errors)
    return bytes(out)
