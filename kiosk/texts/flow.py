"""Texts (zh/en) of the screen flow itself: common controls, progress, errors, speech."""

TEXTS: dict[str, dict[str, str]] = {
    "common.finish": {"zh": "退出办理", "en": "Finish"},
    "countdown.speech": {
        "zh": "您还在吗？{seconds}秒后将结束办理。如需继续，请按需要更多时间。",
        "en": "Are you still there? This session ends in {seconds} seconds. Press More time to continue.",
    },
    "pin.on_reader": {
        "zh": "请在读卡器的密码键盘上输入6位社保卡密码，输完按读卡器上的“确认”键。",
        "en": "Type your 6-digit card PIN on the card reader's own keypad, then press its Enter key.",
    },
    "message.speech": {"zh": "请查看屏幕上的提示。", "en": "Please read the message on the screen."},
}
