"""The kiosk's error taxonomy (docs/architecture.md).

Every failure the core reports is a `KioskError` of one `ErrorKind`. The kind decides
what the citizen is told (one message per kind, zh/en, below); `code` and `detail`
are for technicians and logs and never hold personal data.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"
    HARDWARE = "hardware"
    USER = "user"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    BACKOFFICE_REJECTED = "backoffice_rejected"
    BACKOFFICE_UNAVAILABLE = "backoffice_unavailable"
    # The back office answered, but not as the contract says (malformed, oversized, unexpected):
    # it is reachable, so the kiosk stays in service and says the answer could not be used.
    BACKOFFICE_FAULT = "backoffice_fault"


# The back office (or a gateway in front of it) refused this *terminal*, not the citizen's
# request: credentials, clock, a gateway's 401/403/404. Never a refusal of a card or a
# submission; the kiosk goes out of service and the technician is told (docs/operator-guide.md).
TERMINAL_REFUSAL_CODES = frozenset({"terminal_unauthenticated", "clock_skew", "nonce_replayed",
                                    "terminal_mismatch", "gateway_refused"})
# A submission grant or session token the back office no longer accepts: the submission itself
# was not refused, staff can still complete it from the citizen's reference.
CREDENTIAL_REFUSAL_CODES = frozenset({"session_required", "session_expired", "grant_invalid", "grant_expired"})


# Shown to the citizen when the failure carries no more specific message of its own.
_CITIZEN_MESSAGES: dict[ErrorKind, tuple[str, str]] = {
    ErrorKind.NOT_FOUND: ("未查询到相关信息。", "No matching record was found."),
    ErrorKind.HARDWARE: ("设备暂时无法使用，请联系工作人员或拨打12333。",
                         "A device is not working. Please ask staff or call 12333."),
    ErrorKind.USER: ("输入的信息有误，请检查后重试。", "Some of the information is not valid. Please check and try again."),
    ErrorKind.TIMEOUT: ("操作超时，请重试。", "The operation took too long. Please try again."),
    ErrorKind.CANCELLED: ("操作已取消。", "The operation was cancelled."),
    ErrorKind.BACKOFFICE_REJECTED: ("业务系统未能办理此业务。", "The service could not be completed."),
    ErrorKind.BACKOFFICE_UNAVAILABLE: ("业务系统暂时无法连接，请稍后再试或拨打12333。",
                                       "The service system cannot be reached. Please try later or call 12333."),
    ErrorKind.BACKOFFICE_FAULT: ("业务系统返回的信息无法识别，请稍后再试或联系工作人员。",
                                 "The service system gave an answer this terminal cannot use. "
                                 "Please try again later or ask staff."),
}


class KioskError(Exception):
    """A classified failure. `message_zh`/`message_en` default to the kind's message."""

    def __init__(self, kind: ErrorKind, code: str, detail: str = "", *,
                 message_zh: str | None = None, message_en: str | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(f"{kind}:{code}: {detail}" if detail else f"{kind}:{code}")
        self.kind = kind
        self.code = code
        self.detail = detail
        default_zh, default_en = _CITIZEN_MESSAGES[kind]
        self.message_zh = message_zh or default_zh
        self.message_en = message_en or default_en
        self.http_status = http_status

    def citizen_message(self, language: str) -> str:
        return self.message_en if language == "en" else self.message_zh

    @property
    def retryable(self) -> bool:
        return self.kind in (ErrorKind.TIMEOUT, ErrorKind.BACKOFFICE_UNAVAILABLE)

    @property
    def terminal_refused(self) -> bool:
        """The terminal was refused (credentials, clock, gateway): nothing the citizen did."""
        return self.code in TERMINAL_REFUSAL_CODES

    @property
    def credential_refused(self) -> bool:
        """A session token or submission grant was refused (expired, unknown)."""
        return self.code in CREDENTIAL_REFUSAL_CODES

    @property
    def refuses_submission(self) -> bool:
        """A business refusal of the request itself: the only failure that ends a queued submission."""
        if self.terminal_refused or self.credential_refused or self.retryable:
            return False
        return self.kind in (ErrorKind.BACKOFFICE_REJECTED, ErrorKind.NOT_FOUND, ErrorKind.USER)


# Device completion codes, mapped once: kind, citizen message zh/en.
_DEVICE_ERRORS: dict[str, tuple[ErrorKind, str, str]] = {
    "cancelled": (ErrorKind.CANCELLED, "操作已取消。", "The operation was cancelled."),
    "timeout": (ErrorKind.TIMEOUT, "设备响应超时，请重试。", "The device took too long. Please try again."),
    "no_device": (ErrorKind.HARDWARE, "设备暂时无法使用，请联系工作人员或拨打12333。",
                  "A device is not working. Please ask staff or call 12333."),
    "hardware_error": (ErrorKind.HARDWARE, "设备故障，请联系工作人员。", "A device failed. Please ask staff."),
    "busy": (ErrorKind.HARDWARE, "设备忙，请稍候再试。", "The device is busy. Please try again in a moment."),
    "unsupported": (ErrorKind.HARDWARE, "本机不支持此操作。", "This terminal cannot do that."),
    "no_media": (ErrorKind.USER, "请插入社会保障卡。", "Please insert your social security card."),
    "media_removed": (ErrorKind.USER, "社保卡已拔出，请重新插卡。", "The card was removed. Please insert it again."),
    "media_invalid": (ErrorKind.USER, "无法读取此卡，请确认芯片朝上插入，或联系工作人员。",
                      "This card cannot be read. Insert it chip first, or ask staff."),
    "pin_incorrect": (ErrorKind.USER, "密码错误，请重新输入。", "Wrong PIN. Please try again."),
    "pin_blocked": (ErrorKind.USER, "社保卡密码已锁定，请携带身份证到服务窗口或银行网点解锁。",
                    "The card's PIN is blocked. Please bring your ID card to a service counter or bank branch."),
    "invalid_input": (ErrorKind.USER, "输入的信息有误，请检查后重试。", "Some of the information is not valid."),
    "paper_out": (ErrorKind.HARDWARE, "打印机缺纸，请联系工作人员。", "The printer is out of paper. Please ask staff."),
    "paper_jam": (ErrorKind.HARDWARE, "打印机卡纸，请联系工作人员。", "The printer has a paper jam. Please ask staff."),
    "cover_open": (ErrorKind.HARDWARE, "打印机盖未关闭，请联系工作人员。", "The printer cover is open. Please ask staff."),
}


def error_from_device(code: str, detail: str = "") -> KioskError:
    """A failed device `OperationResult` (its `code` and `detail`) as a classified kiosk error."""
    kind, message_zh, message_en = _DEVICE_ERRORS.get(str(code), (ErrorKind.HARDWARE, None, None))
    return KioskError(kind, f"device_{code}", detail, message_zh=message_zh, message_en=message_en)
