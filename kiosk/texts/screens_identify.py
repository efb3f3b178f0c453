"""Texts (zh/en) of the screens around identification and the session's frame.

PIN entry, the service menu, the busy screen, messages (errors, help, results),
goodbye, out of service and the idle countdown overlay. Keys ending in ``.speech``
and the ``busy.*``/``pin.*``/``message.*.body`` texts are also spoken: they never
hold amounts, PIN digits or identifiers, and speakable ones carry no placeholders.
"""

TEXTS: dict[str, dict[str, str]] = {
    # --- PIN ---------------------------------------------------------------------------------
    "pin.title": {"zh": "输入社保卡密码", "en": "Enter your card PIN"},
    "pin.instruction": {
        "zh": "请输入6位社保卡密码，输完按“确定”。",
        "en": "Type your 6-digit card PIN, then press OK.",
    },
    "pin.explain": {
        "zh": "这是社保卡的密码（在银行或领卡时设置），不是手机或网银密码。",
        "en": "This is your social security card's password, set at the bank or when you got the card.",
    },
    "pin.cover_hint": {
        "zh": "输入时请用手遮挡，保护密码安全。",
        "en": "Shield the keypad with your hand while you type.",
    },
    "pin.entered": {"zh": "已输入 {count} 位，共 {total} 位", "en": "{count} of {total} digits entered"},
    "pin.tries_left": {"zh": "密码还可尝试 {count} 次", "en": "{count} tries left"},
    "pin.tries_left_last": {
        "zh": "只剩最后 1 次机会，再输错社保卡将被锁定",
        "en": "Last try: one more wrong PIN blocks the card",
    },
    "pin.wrong": {"zh": "密码不正确，请重新输入。", "en": "Wrong PIN. Please enter it again."},
    "pin.too_short": {
        "zh": "密码是6位数字，请输满6位后再按“确定”。",
        "en": "The PIN has 6 digits. Enter all 6, then press OK.",
    },
    "pin.delete": {"zh": "退格", "en": "Delete"},
    "pin.clear": {"zh": "清空", "en": "Clear"},
    "pin.forgot": {
        "zh": "忘记密码？请携带身份证到社保卡服务网点或合作银行重置。",
        "en": "Forgot it? Bring your ID card to a card service point or partner bank to reset it.",
    },
    "pin.speech": {
        "zh": "请输入6位社保卡密码，然后按确定。输入时请用手遮挡键盘。",
        "en": "Please enter your 6-digit card PIN, then press OK. Shield the keypad with your hand.",
    },
    # --- service menu --------------------------------------------------------------------------
    "menu.title": {"zh": "请选择要办理的业务", "en": "Choose a service"},
    "menu.greeting": {"zh": "{name}，您好！", "en": "Hello, {name}"},
    "menu.ssn": {"zh": "社会保障号码 {ssn}", "en": "Social security no. {ssn}"},
    "menu.service.enrolment.title": {"zh": "参保信息查询", "en": "My enrolment"},
    "menu.service.enrolment.desc": {"zh": "各险种参保状态和缴费月数", "en": "Status and months paid"},
    "menu.service.contributions.title": {"zh": "缴费明细查询", "en": "Contributions"},
    "menu.service.contributions.desc": {"zh": "按年份查看每月缴费记录", "en": "Monthly payments by year"},
    "menu.service.certificate.title": {"zh": "打印参保证明", "en": "Print certificate"},
    "menu.service.certificate.desc": {"zh": "盖章的A4证明，可在线核验", "en": "Stamped A4, can be verified"},
    "menu.service.pension_transfer.title": {"zh": "养老保险关系转移申请", "en": "Pension transfer"},
    "menu.service.pension_transfer.desc": {"zh": "把外地的养老保险转到本地", "en": "Move your pension here"},
    "menu.service.transfer_progress.title": {"zh": "转移进度查询", "en": "Transfer progress"},
    "menu.service.transfer_progress.desc": {"zh": "查看转移申请办到哪一步", "en": "See how far it has got"},
    "menu.unavailable.backoffice": {
        "zh": "暂时连不上社保系统，请稍后再试",
        "en": "System unreachable, try later",
    },
    "menu.unavailable.printer": {
        "zh": "A4打印机暂不可用或缺纸",
        "en": "A4 printer not available",
    },
    "menu.unavailable.device": {
        "zh": "所需设备暂不可用",
        "en": "A device it needs is not working",
    },
    "menu.unavailable.receipt_printer": {
        "zh": "凭条打印机暂不可用或缺纸",
        "en": "Receipt printer not available",
    },
    "menu.unavailable.profile": {
        "zh": "本机不提供，请到服务大厅窗口办理",
        "en": "Not offered here: go to a counter",
    },
    "menu.unavailable.retired": {
        "zh": "您已领取养老金，无需转移",
        "en": "You already draw a pension",
    },
    "menu.unavailable.accessible": {"zh": "{title}，暂不可用：{reason}", "en": "{title}, not available: {reason}"},
    "menu.speech": {
        "zh": "请选择要办理的业务。办理完毕，请按退出办理。",
        "en": "Please choose a service. When you are done, press Finish.",
    },
    # --- busy -------------------------------------------------------------------------------------
    "busy.title": {"zh": "请稍候", "en": "Please wait"},
    "busy.reading_card": {"zh": "正在读取社保卡，请稍候。", "en": "Reading your card. Please wait."},
    "busy.verifying_pin": {"zh": "正在验证密码，请稍候。", "en": "Checking your PIN. Please wait."},
    "busy.opening_session": {"zh": "正在登录，获取您的信息。", "en": "Signing you in. Please wait."},
    "busy.verifying_ecard": {"zh": "正在核验电子社保卡，请稍候。", "en": "Checking your e-card. Please wait."},
    "busy.loading": {"zh": "正在查询，请稍候。", "en": "Looking up your information. Please wait."},
    "busy.printing": {"zh": "正在打印，请稍候。", "en": "Printing. Please wait."},
    "busy.issuing_certificate": {"zh": "正在出具参保证明，请稍候。", "en": "Issuing your certificate. Please wait."},
    "busy.submitting": {"zh": "正在提交您的申请，请稍候。", "en": "Sending your application. Please wait."},
    "busy.checking_eligibility": {
        "zh": "正在核对您能否办理转移，请稍候。",
        "en": "Checking whether you can transfer. Please wait.",
    },
    "busy.keep_card": {"zh": "请不要拔出社保卡", "en": "Please do not remove your card"},
    "busy.hint": {"zh": "通常只需几秒钟。", "en": "This usually takes a few seconds."},
    "busy.submitting_hint": {
        "zh": "通常只需几秒钟。如果系统15秒内没有答复，本机会保存您的申请并自动提交，并为您打印带受理编号的凭条。",
        "en": "This usually takes a few seconds. If the system does not answer within 15 seconds, this kiosk "
              "keeps your application, sends it automatically, and prints you a slip with a reference number.",
    },
    "busy.speech": {"zh": "正在处理，请稍候。", "en": "Working on it. Please wait."},
    # --- messages: results, help and errors -------------------------------------------------------
    "message.hotline": {
        "zh": "如需帮助，请拨打服务热线 12333，或按“呼叫工作人员”。",
        "en": "Need help? Call the hotline 12333 or press Call staff.",
    },
    "message.detail_label": {"zh": "经办机构答复：", "en": "The office replied:"},
    "message.action.view_progress": {"zh": "查看办理进度", "en": "View progress"},
    "message.action.start_application": {"zh": "申请转移", "en": "Apply for a transfer"},
    "message.action.print_receipt": {"zh": "打印凭条", "en": "Print a slip"},
    "message.action.try_again": {"zh": "重试", "en": "Try again"},
    "message.card_unreadable.title": {"zh": "无法读取社保卡", "en": "Your card could not be read"},
    "message.card_unreadable.body": {
        "zh": "请取出社保卡，芯片朝上、芯片一端朝里，重新插入。如果仍然无法读取，卡片可能已损坏，请呼叫工作人员。",
        "en": "Please take out your card and insert it again, chip facing up and going in first. "
              "If it still cannot be read, the card may be damaged: please call staff.",
    },
    "message.card_blocked.title": {"zh": "社保卡密码已锁定", "en": "Your card's PIN is blocked"},
    "message.card_blocked.body": {
        "zh": "密码输错次数过多，社保卡已被锁定。请取回社保卡，携带身份证到社保卡服务网点或合作银行解锁。",
        "en": "The PIN was entered wrongly too many times, so the card is blocked. Please take your card "
              "and bring your ID card to a social security card service point or a partner bank to unblock it.",
    },
    "message.card_invalid.title": {"zh": "这张社保卡不能使用", "en": "This card cannot be used"},
    "message.card_invalid.body": {
        "zh": "这张社保卡已挂失或已失效。请携带身份证到社保卡服务网点补换卡，也可以使用电子社保卡办理。",
        "en": "This card has been reported lost or is no longer valid. Please bring your ID card to a card "
              "service point for a new one. You can also use your electronic social security card.",
    },
    "message.ecard_invalid.title": {"zh": "二维码无法使用", "en": "This QR code cannot be used"},
    "message.ecard_invalid.body": {
        "zh": "电子社保卡二维码已过期或无效。请在手机上刷新二维码，再对准扫码窗口。",
        "en": "The e-card code has expired or is not valid. Please refresh the QR code on your phone "
              "and hold it under the scanner window again.",
    },
    "message.backoffice_unavailable.title": {
        "zh": "暂时连不上社保系统",
        "en": "The social insurance system cannot be reached",
    },
    "message.backoffice_unavailable.body": {
        "zh": "网络或系统暂时出现问题。请稍后再试，或到人工窗口办理。",
        "en": "There is a temporary network or system problem. Please try again later, or go to a service counter.",
    },
    "message.terminal_refused.title": {
        "zh": "本机暂时无法办理业务",
        "en": "This kiosk cannot serve you at the moment",
    },
    "message.terminal_refused.body": {
        "zh": "本机与社保系统的连接出现问题，与您的社保卡无关，已通知工作人员。请到其他自助终端或人工窗口办理。",
        "en": "This kiosk's connection to the social insurance system has a problem; your card is fine. "
              "Staff have been told. Please use another kiosk or a service counter.",
    },
    "message.backoffice_fault.title": {
        "zh": "系统答复无法识别",
        "en": "The system's answer could not be used",
    },
    "message.backoffice_fault.body": {
        "zh": "社保系统返回的信息有误，本次查询未能完成。请稍后再试，或到人工窗口办理。",
        "en": "The social insurance system sent an answer this kiosk cannot use, so this step was not "
              "completed. Please try again later, or go to a service counter.",
    },
    "message.backoffice_rejected.title": {"zh": "业务未能办理", "en": "Your request was not accepted"},
    "message.backoffice_rejected.body": {
        "zh": "社会保险经办机构未能办理您的请求，请咨询工作人员。",
        "en": "The social insurance office could not process your request. Please ask staff.",
    },
    "message.timeout.title": {"zh": "办理已自动结束", "en": "Your session has ended"},
    "message.timeout.body": {
        "zh": "由于较长时间没有操作，为保护您的个人信息，本次办理已自动结束。",
        "en": "Nothing was pressed for a while, so the session was ended to protect your personal information.",
    },
    "message.device_lost.title": {"zh": "读卡器出现故障", "en": "The card reader stopped working"},
    "message.device_lost.body": {
        "zh": "本次办理已结束。请取回您的社保卡，到其他自助终端或人工窗口办理。",
        "en": "Your session has ended. Please take your card and use another terminal or a service counter.",
    },
    "message.staff_called.title": {"zh": "已呼叫工作人员", "en": "Staff have been called"},
    "message.staff_called.body": {
        "zh": "工作人员马上就到，请在此稍候。",
        "en": "A member of staff is on the way. Please wait here.",
    },
    "message.error.title": {"zh": "暂时无法办理", "en": "This cannot be done right now"},
    "message.error.body": {
        "zh": "系统出现问题，请稍后再试，或呼叫工作人员。",
        "en": "Something went wrong. Please try again later, or call staff.",
    },
    "message.card_help.title": {"zh": "如何插入社保卡", "en": "How to insert your card"},
    "message.card_help.body": {
        "zh": "芯片朝上、芯片一端朝里，把社保卡平稳插入读卡口，直到插不动为止。办理期间请不要拔卡。",
        "en": "Hold the card with the chip facing up and the chip end first, and push it gently into "
              "the slot until it stops. Leave it in while you use the kiosk.",
    },
    "message.scan_help.title": {"zh": "如何出示电子社保卡", "en": "How to show your e-card"},
    "message.scan_help.body": {
        "zh": "在手机上打开“电子社保卡”（微信、支付宝或掌上12333中均可找到），点击“二维码”，"
              "将二维码放在扫码窗口下方约10厘米处。",
        "en": "On your phone, open the Electronic Social Security Card (in WeChat, Alipay or the 12333 app), "
              "tap QR code, and hold the code about 10 cm under the scanner window.",
    },
    # --- goodbye ------------------------------------------------------------------------------------
    "goodbye.title": {"zh": "感谢使用", "en": "Thank you"},
    "goodbye.take_all": {"zh": "请取走您的社保卡和打印的凭证", "en": "Please take your card and your papers"},
    "goodbye.take_phone": {"zh": "请带好您的手机和打印的凭证", "en": "Please take your phone and your papers"},
    "goodbye.remove_card": {"zh": "请现在拔出社保卡", "en": "Remove your card now"},
    "goodbye.cleared": {"zh": "您的信息已从本机清除。", "en": "Your information has been cleared from this kiosk."},
    "goodbye.thanks": {"zh": "感谢您的使用，再见！", "en": "Thank you for using the kiosk. Goodbye!"},
    "goodbye.speech": {
        "zh": "请取走您的社保卡和打印的凭证。感谢使用，再见。",
        "en": "Please take your card and your papers. Thank you, goodbye.",
    },
    # --- out of service -----------------------------------------------------------------------------
    "out_of_service.backoffice": {
        "zh": "原因：暂时连不上社会保险经办系统。",
        "en": "Reason: the social insurance system cannot be reached at the moment.",
    },
    "out_of_service.terminal": {
        "zh": "原因：本机未通过社保系统的终端认证，工作人员正在处理。",
        "en": "Reason: the social insurance system does not accept this kiosk at the moment; staff are on it.",
    },
    "out_of_service.no_identification": {
        "zh": "原因：读卡器和扫码器都暂不可用，无法识别身份。",
        "en": "Reason: the card reader and the code scanner are both unavailable, so no one can sign in here.",
    },
    "out_of_service.maintenance": {
        "zh": "原因：工作人员正在维护本机。",
        "en": "Reason: staff are servicing this kiosk.",
    },
    "out_of_service.device": {
        "zh": "原因：本机的一台必要设备暂不可用。",
        "en": "Reason: a device this kiosk needs is not working at the moment.",
    },
    "out_of_service.help": {
        "zh": "如需帮助，请按“呼叫工作人员”，或拨打服务热线：",
        "en": "For help, press Call staff or call the hotline:",
    },
    "out_of_service.hotline_number": {"zh": "12333", "en": "12333"},
    "out_of_service.speech": {
        "zh": "本机暂停服务。请前往其他自助终端或人工窗口办理，或拨打服务热线 12333。",
        "en": "This kiosk is out of service. Please use another terminal or a service counter, "
              "or call the hotline 12333.",
        "zh_spoken": "本机暂停服务。请前往其他自助终端或人工窗口办理，或拨打服务热线一二三三三。",
        "en_spoken": "This kiosk is out of service. Please use another terminal or a service counter, "
                     "or call the hotline 1 2 3 3 3.",
    },
    # --- idle countdown overlay ---------------------------------------------------------------------
    "countdown.title": {"zh": "您还在吗？", "en": "Are you still there?"},
    "countdown.seconds": {"zh": "{seconds} 秒", "en": "{seconds} s"},
    "countdown.body": {
        "zh": "本次办理将在 {seconds} 秒后结束，您的信息会被清除。",
        "en": "The session ends in {seconds} s and your information will be cleared.",
    },
    "countdown.finish_now": {"zh": "立即结束", "en": "Finish now"},
    "countdown.no_more_time": {
        "zh": "已不能再延长时间，请尽快完成办理。",
        "en": "No more extensions are possible. Please finish soon.",
    },
}
