"""Texts (zh/en) of failures: what the citizen is told for each error kind and device completion code.

kiosk/errors.py names the key (`KioskError.message_key`); a back office's own wording, when
it sent one, is shown instead (kiosk.errors.KioskError.citizen_message).
"""

TEXTS: dict[str, dict[str, str]] = {
    # --- per error kind, when the failure carries no more specific message ---------------------
    "error.kind.not_found": {"zh": "未查询到相关信息。", "en": "No matching record was found."},
    "error.kind.hardware": {
        "zh": "设备暂时无法使用，请联系工作人员或拨打12333。",
        "en": "A device is not working. Please ask staff or call 12333.",
    },
    "error.kind.user": {
        "zh": "输入的信息有误，请检查后重试。",
        "en": "Some of the information is not valid. Please check and try again.",
    },
    "error.kind.timeout": {"zh": "操作超时，请重试。", "en": "The operation took too long. Please try again."},
    "error.kind.cancelled": {"zh": "操作已取消。", "en": "The operation was cancelled."},
    "error.kind.backoffice_rejected": {"zh": "业务系统未能办理此业务。", "en": "The service could not be completed."},
    "error.kind.backoffice_unavailable": {
        "zh": "业务系统暂时无法连接，请稍后再试或拨打12333。",
        "en": "The service system cannot be reached. Please try later or call 12333.",
    },
    "error.kind.backoffice_fault": {
        "zh": "业务系统返回的信息无法识别，请稍后再试或联系工作人员。",
        "en": "The service system gave an answer this terminal cannot use. Please try again later or ask staff.",
    },
    # --- per device completion code (kiosk.errors.error_from_device) ----------------------------
    "error.device.timeout": {"zh": "设备响应超时，请重试。", "en": "The device took too long. Please try again."},
    "error.device.hardware_error": {"zh": "设备故障，请联系工作人员。", "en": "A device failed. Please ask staff."},
    "error.device.busy": {"zh": "设备忙，请稍候再试。", "en": "The device is busy. Please try again in a moment."},
    "error.device.unsupported": {"zh": "本机不支持此操作。", "en": "This terminal cannot do that."},
    "error.device.no_media": {"zh": "请插入社会保障卡。", "en": "Please insert your social security card."},
    "error.device.media_removed": {"zh": "社保卡已拔出，请重新插卡。", "en": "The card was removed. Please insert it again."},
    "error.device.media_invalid": {
        "zh": "无法读取此卡，请确认芯片朝上插入，或联系工作人员。",
        "en": "This card cannot be read. Insert it chip first, or ask staff.",
    },
    "error.device.pin_incorrect": {"zh": "密码错误，请重新输入。", "en": "Wrong PIN. Please try again."},
    "error.device.pin_blocked": {
        "zh": "社保卡密码已锁定，请携带身份证到服务窗口或银行网点解锁。",
        "en": "The card's PIN is blocked. Please bring your ID card to a service counter or bank branch.",
    },
    "error.device.invalid_input": {"zh": "输入的信息有误，请检查后重试。", "en": "Some of the information is not valid."},
    "error.device.paper_out": {"zh": "打印机缺纸，请联系工作人员。", "en": "The printer is out of paper. Please ask staff."},
    "error.device.paper_jam": {"zh": "打印机卡纸，请联系工作人员。", "en": "The printer has a paper jam. Please ask staff."},
    "error.device.cover_open": {"zh": "打印机盖未关闭，请联系工作人员。", "en": "The printer cover is open. Please ask staff."},
}
