"""The enrolment screen and its menu picture."""

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath

from ui.services import ServiceScreens
from ui.services.enrolment.screens import EnrolmentScreen


def draw_menu_icon(p: QPainter, c: QColor) -> None:
    """A card with a person on it."""
    p.drawRoundedRect(QRectF(2, 5, 20, 14), 2, 2)
    p.setBrush(c)
    p.drawEllipse(QPointF(8, 10.5), 2, 2)
    person = QPainterPath(QPointF(4.5, 16.5))
    person.cubicTo(4.5, 13.5, 11.5, 13.5, 11.5, 16.5)
    p.drawPath(person)
    p.drawLine(QPointF(14, 10), QPointF(19, 10))
    p.drawLine(QPointF(14, 14), QPointF(18, 14))


SCREENS = ServiceScreens("enrolment", (EnrolmentScreen,), {"enrolment": draw_menu_icon})
