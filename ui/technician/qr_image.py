"""A QR code drawn into a QImage (the scanner self-test shows one on screen)."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter

QUIET_ZONE_MODULES = 4   # ISO/IEC 18004: four modules of white around the symbol


def qr_image(payload: str, module_px: int = 8) -> QImage:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE_MODULES)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()           # includes the quiet zone
    side = len(matrix) * module_px
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#000000"))
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                painter.drawRect(QRect(column * module_px, row * module_px, module_px, module_px))
    painter.end()
    return image
