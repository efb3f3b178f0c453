"""The ESC/POS command bytes the receipt driver sends: the standard Epson command set.

Written out here instead of depending on python-escpos for a dozen constants (see
`escpos_encoder.py` for why its printer classes are not used either). The names follow
python-escpos's `escpos.constants`, which the tests use as an independent oracle.
"""

from __future__ import annotations

DLE = b"\x10"   # real-time commands (DLE EOT n: status)
EOT = b"\x04"
ESC = b"\x1b"
FS = b"\x1c"    # Chinese character commands (FS & on, FS . off)
GS = b"\x1d"

HW_INIT = ESC + b"@"                 # initialise: clears the previous job's styles
TXT_SIZE = GS + b"!"                 # character size; the next byte holds width and height
BOLD_OFF = ESC + b"E\x00"
BOLD_ON = ESC + b"E\x01"
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"
ALIGN_RIGHT = ESC + b"a\x02"
PAPER_FULL_CUT = GS + b"V\x00"
PAPER_PART_CUT = GS + b"V\x01"

# GS ( k, QR symbol: function 165 selects the model (2 = model 2), function 169 the error
# correction level (0 L, 1 M, 2 Q, 3 H); both are sent as 48 + n.
QR_MODEL_2 = 2
QR_ECLEVEL_M = 1
