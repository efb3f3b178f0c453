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
    "message.certificate_deferred.title": {
        "zh": "本机已受理，稍后出具",
        "en": "Accepted by this kiosk, to be issued later",
    },
    "message.certificate_deferred.body": {
        "zh": "暂时连不上社保经办系统。本机已受理您的参保证明申请，网络恢复后会自动提交，不需要再次申请。"
              "之后再来时，在“打印参保证明”的“已开具的证明”中可以打印。请取走回执，受理编号是：",
        "en": "The social insurance system cannot be reached right now. This kiosk has accepted your request and "
              "will send it when the connection is back; you need not ask again. Next time, print it from "
              "\"Earlier certificates\" under Certificate. Please take your receipt. Your reference is:",
    },
    "message.transfer_not_eligible.title": {
        "zh": "无需办理转移",
        "en": "No transfer to apply for",
    },
    "message.transfer_not_eligible.body": {
        "zh": "根据您的情况，现在不需要或不能在这里申请养老保险关系转移，原因如下。",
        "en": "In your situation a pension insurance transfer is not needed or cannot be applied for here, "
              "for the reason below.",
    },
}
