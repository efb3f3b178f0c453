"""The certificate screens (choose, preview, done) and the menu picture."""

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QPolygonF

from ui.services import ServiceScreens
from ui.services.certificate.screens import CertificateDoneScreen, CertificatePreviewScreen, CertificateScreen


def draw_menu_icon(p: QPainter, c: QColor) -> None:
    """A page with a seal."""
    p.drawPolygon(QPolygonF([QPointF(5, 2.5), QPointF(15, 2.5), QPointF(19.5, 7), QPointF(19.5, 21.5),
                             QPointF(5, 21.5)]))
    p.drawPolyline(QPolygonF([QPointF(15, 2.5), QPointF(15, 7), QPointF(19.5, 7)]))
    p.drawLine(QPointF(8, 9), QPointF(12, 9))
    p.drawLine(QPointF(8, 12.5), QPointF(16.5, 12.5))
    p.drawEllipse(QPointF(14, 17.2), 2.4, 2.4)


SCREENS = ServiceScreens("certificate", (CertificateScreen, CertificatePreviewScreen, CertificateDoneScreen),
                         {"certificate": draw_menu_icon})
