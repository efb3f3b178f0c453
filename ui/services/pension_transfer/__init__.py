"""The pension-transfer screens (rules to done, progress) and the two menu pictures."""

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPolygonF

from ui.services import ServiceScreens
from ui.services.pension_transfer.application import (TransferContactScreen, TransferDoneScreen, TransferFromScreen,
                                                      TransferReviewScreen, TransferRulesScreen)
from ui.services.pension_transfer.progress import TransferProgressScreen


def draw_transfer_icon(p: QPainter, c: QColor) -> None:
    """From there to here and back."""
    p.drawLine(QPointF(3, 8), QPointF(20, 8))
    p.drawPolyline(QPolygonF([QPointF(16, 4), QPointF(20, 8), QPointF(16, 12)]))
    p.drawLine(QPointF(21, 16), QPointF(4, 16))
    p.drawPolyline(QPolygonF([QPointF(8, 12), QPointF(4, 16), QPointF(8, 20)]))


def draw_progress_icon(p: QPainter, c: QColor) -> None:
    """Progress: steps done and to come."""
    p.drawLine(QPointF(6.5, 12), QPointF(9.5, 12))
    p.drawLine(QPointF(14.5, 12), QPointF(17.5, 12))
    p.setBrush(c)
    p.drawEllipse(QPointF(4, 12), 2.5, 2.5)
    p.drawEllipse(QPointF(12, 12), 2.5, 2.5)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(20, 12), 2.5, 2.5)


SCREENS = ServiceScreens(
    "pension_transfer",
    (TransferRulesScreen, TransferFromScreen, TransferContactScreen, TransferReviewScreen, TransferDoneScreen,
     TransferProgressScreen),
    {"pension_transfer": draw_transfer_icon, "transfer_progress": draw_progress_icon})
