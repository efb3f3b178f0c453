"""GB 18030-2022 on top of Python's GB 18030-2005 codec (devices/gb18030.py)."""

from __future__ import annotations

import pytest

from devices import gb18030

# The 18 two-byte codes GB 18030-2022 moved out of the Private Use Area: code, 2022 character, 2005 PUA character.
CHANGED = [
    ("A6D9", "\ufe10", "\ue78d"), ("A6DA", "\ufe12", "\ue78e"), ("A6DB", "\ufe11", "\ue78f"),
    ("A6DC", "\ufe13", "\ue790"), ("A6DD", "\ufe14", "\ue791"), ("A6DE", "\ufe15", "\ue792"),
    ("A6DF", "\ufe16", "\ue793"), ("A6EC", "\ufe17", "\ue794"), ("A6ED", "\ufe18", "\ue795"),
    ("A6F3", "\ufe19", "\ue796"), ("FE59", "\u9fb4", "\ue81e"), ("FE61", "\u9fb5", "\ue826"),
    ("FE66", "\u9fb6", "\ue82b"), ("FE67", "\u9fb7", "\ue82c"), ("FE6D", "\u9fb8", "\ue832"),
    ("FE7E", "\u9fb9", "\ue843"), ("FE90", "\u9fba", "\ue854"), ("FEA0", "\u9fbb", "\ue864"),
]


@pytest.mark.parametrize(("code", "standard", "pua"), CHANGED)
def test_the_18_codes_changed_in_2022(code: str, standard: str, pua: str) -> None:
    data = bytes.fromhex(code)
    assert data.decode("gb18030") == pua                 # what Python's 2005 table says
    assert gb18030.decode(data) == standard              # what GB 18030-2022 says
    assert gb18030.encode(standard) == data
    assert gb18030.encode(pua) == data                   # old text still encodes to the same bytes
    assert gb18030.decode(b"A" + data + b"B") == f"A{standard}B"


def test_rare_name_characters() -> None:
    assert gb18030.encode("王䶮") == bytes.fromhex("CDF5FE9F")
    assert gb18030.encode("㐀") == bytes.fromhex("8139EE39")
    assert gb18030.decode(bytes.fromhex("CDF5FE9F8139EE39")) == "王䶮㐀"
    with pytest.raises(UnicodeEncodeError):
        "王䶮".encode("gbk")


def test_every_scalar_value_round_trips_except_the_old_private_use_characters() -> None:
    pua = {pua for _, _, pua in CHANGED}
    text = "".join(chr(code) for code in range(0x110000)
                   if not 0xD800 <= code <= 0xDFFF and chr(code) not in pua)
    assert gb18030.decode(gb18030.encode(text)) == text


def test_invalid_bytes_raise() -> None:
    with pytest.raises(UnicodeDecodeError):
        gb18030.decode(b"\xff\xfe")
    assert gb18030.decode(b"\xff", errors="replace") == "\ufffd"
