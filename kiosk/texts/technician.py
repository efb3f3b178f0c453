"""Texts (zh/en) of the technician diagnostics mode (hall technicians, bank staff).

Never spoken: technician mode has no speech. Placeholders are filled by the panels;
what fills them (device details, journal fields, log lines) comes from outside and
is shown as plain text after `kiosk.redaction.redact`.
"""

TEXTS: dict[str, dict[str, str]] = {
    # --- frame ---------------------------------------------------------------------------
    "technician.title": {"zh": "技术维护模式", "en": "Technician mode"},
    "technician.terminal": {"zh": "终端 {terminal}", "en": "Terminal {terminal}"},
    "technician.leave": {"zh": "退出维护", "en": "Leave"},
    "technician.language": {"zh": "English", "en": "中文"},
    "technician.page_up": {"zh": "上一页", "en": "Page up"},
    "technician.page_down": {"zh": "下一页", "en": "Page down"},
    "technician.refresh": {"zh": "刷新", "en": "Refresh"},
    "technician.working": {"zh": "正在处理…", "en": "Working…"},
    "technician.error": {"zh": "出错：{error}", "en": "Error: {error}"},

    # --- PIN -----------------------------------------------------------------------------
    "technician.login.title": {"zh": "技术人员登录", "en": "Technician sign-in"},
    "technician.login.instruction": {
        "zh": "请输入技术维护密码（6 到 12 位数字），输完按“确定”。",
        "en": "Enter the technician PIN (6 to 12 digits), then press OK.",
    },
    "technician.login.entered": {"zh": "已输入 {count} 位", "en": "{count} digits entered"},
    "technician.login.ok": {"zh": "确定", "en": "OK"},
    "technician.login.cancel": {"zh": "取消", "en": "Cancel"},
    "technician.login.clear": {"zh": "清除", "en": "Clear"},
    "technician.login.delete": {"zh": "退格", "en": "Delete"},
    "technician.login.checking": {"zh": "正在核对密码…", "en": "Checking the PIN…"},
    "technician.login.ready": {"zh": "还可尝试 {count} 次。", "en": "{count} tries left."},
    "technician.login.wrong": {
        "zh": "密码不正确，还可尝试 {count} 次。",
        "en": "Wrong PIN, {count} tries left.",
    },
    "technician.login.locked": {
        "zh": "密码错误次数过多，已锁定，剩余 {time}。",
        "en": "Too many wrong PINs: locked for {time}.",
    },
    "technician.login.disabled": {
        "zh": "本机未设置技术维护模式（配置中没有密码哈希）。",
        "en": "Technician mode is not set up on this terminal (no PIN hash in the profile).",
    },
    "technician.login.invalid": {"zh": "密码应为 6 到 12 位数字。", "en": "The PIN is 6 to 12 digits."},
    "technician.login.failed": {"zh": "无法核对密码：{error}", "en": "The PIN could not be checked: {error}"},

    # --- navigation ------------------------------------------------------------------------
    "technician.nav.devices": {"zh": "设备状态", "en": "Devices"},
    "technician.nav.health": {"zh": "设备自检", "en": "Self-tests"},
    "technician.nav.counters": {"zh": "计数器", "en": "Counters"},
    "technician.nav.backoffice": {"zh": "后台连接", "en": "Back office"},
    "technician.nav.config": {"zh": "运行配置", "en": "Configuration"},
    "technician.nav.journal": {"zh": "电子日志", "en": "Journal"},
    "technician.nav.logs": {"zh": "运行日志", "en": "Log file"},
    "technician.nav.export": {"zh": "导出诊断包", "en": "Export"},
    "technician.nav.system": {"zh": "系统", "en": "System"},

    # --- devices -------------------------------------------------------------------------
    "technician.devices.title": {"zh": "设备状态（实时）", "en": "Device status (live)"},
    "technician.devices.none": {"zh": "设备尚未启动。", "en": "The devices have not started yet."},
    "technician.devices.state": {"zh": "状态：{value}", "en": "State: {value}"},
    "technician.devices.media": {"zh": "卡：{value}", "en": "Card: {value}"},
    "technician.devices.paper": {"zh": "纸：{value}", "en": "Paper: {value}"},
    "technician.devices.cover": {"zh": "机盖：{value}", "en": "Cover: {value}"},
    "technician.devices.detail": {"zh": "详情：{value}", "en": "Detail: {value}"},
    "technician.devices.driver": {"zh": "驱动：{value}", "en": "Driver: {value}"},
    "technician.devices.capabilities": {"zh": "能力：{value}", "en": "Capabilities: {value}"},
    "technician.devices.statistics": {"zh": "计数：{value}", "en": "Counters: {value}"},
    "technician.class.card_reader": {"zh": "读卡器", "en": "Card reader"},
    "technician.class.qr_scanner": {"zh": "扫码器", "en": "QR scanner"},
    "technician.class.receipt_printer": {"zh": "凭条打印机", "en": "Receipt printer"},
    "technician.class.document_printer": {"zh": "A4 打印机", "en": "A4 printer"},
    "technician.value.online": {"zh": "在线", "en": "online"},
    "technician.value.offline": {"zh": "离线", "en": "offline"},
    "technician.value.no_device": {"zh": "未连接", "en": "no device"},
    "technician.value.hardware_error": {"zh": "硬件故障", "en": "hardware error"},
    "technician.value.busy": {"zh": "忙", "en": "busy"},
    "technician.value.unknown": {"zh": "未知", "en": "unknown"},
    "technician.value.not_supported": {"zh": "不支持", "en": "not supported"},
    "technician.value.present": {"zh": "有卡", "en": "card present"},
    "technician.value.not_present": {"zh": "无卡", "en": "no card"},
    "technician.value.jammed": {"zh": "卡住", "en": "jammed"},
    "technician.value.full": {"zh": "充足", "en": "full"},
    "technician.value.low": {"zh": "将尽", "en": "low"},
    "technician.value.out": {"zh": "缺纸", "en": "out"},
    "technician.value.closed": {"zh": "已关闭", "en": "closed"},
    "technician.value.open": {"zh": "打开", "en": "open"},

    # --- health checks -------------------------------------------------------------------
    "technician.health.title": {"zh": "设备自检", "en": "Device self-tests"},
    "technician.health.internal": {"zh": "内部检查", "en": "Internal"},
    "technician.health.external": {"zh": "外部检查", "en": "External"},
    "technician.health.interactive": {"zh": "交互检查", "en": "Interactive"},
    "technician.health.idle": {
        "zh": "选择设备和检查级别。交互检查会请您插卡、扫码或判断打印效果。",
        "en": "Choose a device and a check level. Interactive checks ask you to insert, scan or judge.",
    },
    "technician.health.running": {"zh": "正在检查：{device}（{level}）…", "en": "Checking {device} ({level})…"},
    "technician.health.scan_hint": {
        "zh": "请用本机扫码器扫描右侧的测试二维码。",
        "en": "Scan the test code on the right with the kiosk's scanner.",
    },
    "technician.health.pass": {"zh": "通过 PASS", "en": "PASS"},
    "technician.health.fail": {"zh": "失败 FAIL", "en": "FAIL"},
    "technician.health.skip": {"zh": "跳过 SKIP", "en": "SKIP"},
    "technician.health.not_run": {"zh": "尚未检查", "en": "Not checked yet"},
    "technician.health.yes": {"zh": "是", "en": "Yes"},
    "technician.health.no": {"zh": "否", "en": "No"},
    "technician.health.cancel": {"zh": "取消检查", "en": "Cancel check"},
    "technician.health.failed": {"zh": "检查无法运行：{error}", "en": "The check could not run: {error}"},
    # What a driver's interactive check says (devices.base.Interaction passes these ids).
    "technician.check.insert_card": {"zh": "请插入一张社会保障卡。", "en": "Insert a social security card now."},
    "technician.check.card_in_reader": {"zh": "卡片已插入读卡器了吗？", "en": "Is the card in the reader?"},
    "technician.check.scan_test_qr": {"zh": "请扫描测试二维码。", "en": "Scan the test QR code now."},
    "technician.check.test_page_readable": {
        "zh": "测试页是否清晰可读（中文、二维码、切纸）？",
        "en": "Is the test page readable (Chinese text, QR code, cut)?",
    },
    "technician.check.sample_clear": {
        "zh": "样张是否清晰（文字、表格、二维码）？",
        "en": "Is the sample page clear (text, table, QR code)?",
    },

    # --- counters ------------------------------------------------------------------------
    "technician.counters.title": {"zh": "计数器（掉电不丢失）", "en": "Counters (kept across restarts)"},
    "technician.counters.scope": {"zh": "范围", "en": "Scope"},
    "technician.counters.name": {"zh": "计数项", "en": "Counter"},
    "technician.counters.value": {"zh": "数值", "en": "Value"},
    "technician.counters.kiosk": {"zh": "本机", "en": "Kiosk"},
    "technician.counters.empty": {"zh": "暂无计数。", "en": "No counters yet."},
    "technician.counters.paper_replaced": {"zh": "{device}已换纸", "en": "{device}: paper replaced"},
    "technician.counters.replaced_done": {
        "zh": "{device}的纸张计数已清零（清零前：{before}）。",
        "en": "{device}: paper counters zeroed (before: {before}).",
    },

    # --- back office -----------------------------------------------------------------------
    "technician.backoffice.title": {"zh": "后台连接", "en": "Back-office connection"},
    "technician.backoffice.check": {"zh": "立即检测", "en": "Check now"},
    "technician.backoffice.checking": {"zh": "正在检测后台连接…", "en": "Checking the back office…"},
    "technician.backoffice.tls_none": {
        "zh": "加密：无（http，未使用 TLS）",
        "en": "Encryption: none (http, no TLS)",
    },
    "technician.backoffice.tls_yes": {"zh": "加密：TLS（https）", "en": "Encryption: TLS (https)"},
    "technician.backoffice.latency": {"zh": "延迟（每次请求）：{samples} 毫秒", "en": "Latency per request: {samples} ms"},
    "technician.backoffice.heartbeat_off": {"zh": "心跳：未启用", "en": "Heartbeat: off"},
    "technician.backoffice.heartbeat_none": {"zh": "心跳：尚未收到确认", "en": "Heartbeat: not acknowledged yet"},
    "technician.backoffice.heartbeat_ok": {
        "zh": "心跳：{time} 已确认，时钟偏差 {skew} 秒",
        "en": "Heartbeat: acknowledged at {time}, clock difference {skew} s",
    },
    "technician.backoffice.heartbeat_error": {
        "zh": "心跳失败（连续 {count} 次）：{error}",
        "en": "Heartbeat failing ({count} in a row): {error}",
    },
    "technician.backoffice.outbox": {
        "zh": "待发送的业务：{count} 笔",
        "en": "Submissions waiting to be sent: {count}",
    },
    "technician.backoffice.outbox_unknown": {"zh": "待发送的业务：不可用", "en": "Outbox: not available"},
    "technician.backoffice.outbox_held": {
        "zh": "⚠ {count} 笔业务被扣留：后台拒绝了本终端（{codes}）。业务已保存，不会丢失。"
              "请核对终端密钥（secret_file）和系统时间，修复后自动重发。受理编号：{references}",
        "en": "⚠ {count} held: the back office refuses this terminal ({codes}). They are kept, not lost. "
              "Check the terminal secret (secret_file) and the clock; they are sent again once fixed. "
              "References: {references}",
    },

    # --- configuration, journal, logs --------------------------------------------------
    "technician.config.title": {"zh": "运行配置（密钥已隐藏）", "en": "Configuration (secrets hidden)"},
    "technician.config.key": {"zh": "配置项", "en": "Setting"},
    "technician.config.value": {"zh": "值", "en": "Value"},
    "technician.journal.title": {"zh": "电子日志（最新在前）", "en": "Electronic journal (newest first)"},
    "technician.journal.verify": {"zh": "防篡改校验：{summary}", "en": "Tamper check: {summary}"},
    "technician.journal.intact": {
        "zh": "防篡改校验通过：哈希链完整，已校验 {count} 条（#{first}–#{last}）",
        "en": "Tamper check passed: hash chain intact, {count} entries verified (#{first}–#{last})",
    },
    "technician.journal.verify_bad": {"zh": "⚠ 防篡改校验未通过：{summary}", "en": "⚠ Tamper check failed: {summary}"},
    "technician.journal.newest": {"zh": "最新", "en": "Newest"},
    "technician.journal.older": {"zh": "更早的记录", "en": "Older entries"},
    "technician.journal.seq": {"zh": "序号", "en": "No."},
    "technician.journal.at": {"zh": "时间", "en": "Time"},
    "technician.journal.kind": {"zh": "类型", "en": "Kind"},
    "technician.journal.fields": {"zh": "内容", "en": "Details"},
    "technician.journal.empty": {"zh": "没有日志记录。", "en": "No entries."},
    "technician.logs.title": {"zh": "运行日志（最近 {count} 行，已遮盖个人信息）",
                              "en": "Log file (last {count} lines, personal data masked)"},
    "technician.logs.empty": {"zh": "没有日志文件。", "en": "No log file."},

    # --- export ----------------------------------------------------------------------------
    "technician.export.title": {"zh": "导出诊断包", "en": "Export a diagnostics bundle"},
    "technician.export.hint": {
        "zh": "诊断包含配置（不含密钥）、设备状态、自检结果、计数、电子日志、后台连接和运行日志，个人信息均已遮盖。",
        "en": "The bundle holds the configuration (no secrets), device states, self-tests, counters, journal, "
              "back-office check and logs, with personal data masked.",
    },
    "technician.export.path": {"zh": "保存位置：", "en": "Save to:"},
    "technician.export.export": {"zh": "导出", "en": "Export"},
    "technician.export.writing": {"zh": "正在写入诊断包…", "en": "Writing the bundle…"},
    "technician.export.done": {"zh": "已写入（{size}）：{path}", "en": "Written ({size}): {path}"},
    "technician.export.failed": {"zh": "未导出：{error}", "en": "Not exported: {error}"},

    # --- system ----------------------------------------------------------------------------
    "technician.system.title": {"zh": "系统", "en": "System"},
    "technician.system.about": {
        "zh": "版本 {version} · 配置 {profile} · 终端 {terminal}",
        "en": "Version {version} · profile {profile} · terminal {terminal}",
    },
    "technician.system.idle_note": {
        "zh": "无操作 {minutes} 分钟后自动退出维护模式。",
        "en": "Technician mode closes after {minutes} minutes without input.",
    },
    "technician.system.restart": {"zh": "重启自助服务程序", "en": "Restart the kiosk app"},
    "technician.system.restart_confirm": {
        "zh": "确定要重启自助服务程序吗？重启需要几秒钟。",
        "en": "Restart the kiosk application now? It takes a few seconds.",
    },
    "technician.system.restart_yes": {"zh": "确定重启", "en": "Restart now"},
    "technician.system.restart_no": {"zh": "不重启", "en": "Don't restart"},
    "technician.system.restarting": {"zh": "正在重启…", "en": "Restarting…"},
}
