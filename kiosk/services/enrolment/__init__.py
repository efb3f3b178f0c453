"""参保信息: the citizen's enrolment per insurance type, with a receipt."""

from kiosk.services.enrolment.steps import (
    EnrolmentScreens, EnrolmentView, LoadEnrolment, SERVICE, enrolment_view,
)

__all__ = ["EnrolmentScreens", "EnrolmentView", "LoadEnrolment", "SERVICE", "enrolment_view"]
