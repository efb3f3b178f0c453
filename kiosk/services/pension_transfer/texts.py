"""Texts (zh/en) of the pension-transfer screens (养老保险关系转移接续).

Plain words for elderly readers: short sentences, no jargon without an explanation,
the Chinese document names (参保缴费凭证, 接收函) kept in the Chinese text where staff
and letters use them.
"""

TEXTS: dict[str, dict[str, str]] = {
    # --- shared by the transfer screens -------------------------------------------------
    "transfer.page.previous": {"zh": "上一页", "en": "Previous"},
    "transfer.page.next": {"zh": "下一页", "en": "Next page"},
    "transfer.page.position": {"zh": "第 {page} 页，共 {count} 页", "en": "Page {page} of {count}"},
    "transfer.route": {"zh": "从 {from_area} 转到 {to_area}", "en": "From {from_area} to {to_area}"},
    "transfer.area_pair": {"zh": "{province} {city}", "en": "{city}, {province}"},
    "transfer.mobile.invalid": {
        "zh": "手机号码是11位数字，以13至19开头，请检查。",
        "en": "A mobile number has 11 digits and starts with 13 to 19.",
    },
    "transfer.mobile.incomplete": {
        "zh": "号码还不完整，手机号码是11位数字。",
        "en": "Not complete yet: a mobile number has 11 digits.",
    },
    "transfer.receipt.printing": {"zh": "正在打印回执……", "en": "Printing your receipt…"},
    "transfer.receipt.printed": {"zh": "回执已打印，请取走并保管好。", "en": "Receipt printed. Please take it with you."},
    "transfer.receipt.failed": {
        "zh": "回执没能打印，请记下上面的申请编号。",
        "en": "The receipt could not be printed. Please write down the number above.",
    },
    "transfer.receipt.failed_paper_out": {
        "zh": "打印机缺纸，回执没能打印，请记下上面的申请编号。",
        "en": "No receipt: the printer is out of paper. Please write down the number above.",
    },
    "transfer.receipt.retry": {"zh": "再打印一次回执", "en": "Print the receipt again"},

    # --- rules ----------------------------------------------------------------------------
    "transfer_rules.title": {"zh": "养老保险关系转移", "en": "Pension transfer"},
    "transfer_rules.rule.apply_here": {
        "zh": "在现在参保的地方申请，不用回原参保地。",
        "en": "Apply here, where you pay in now. No need to go back.",
    },
    "transfer_rules.rule.same_province": {
        "zh": "同一个省内换地方，不用转移，退休时合并计算。",
        "en": "Same province? No transfer: it adds up when you retire.",
    },
    "transfer_rules.rule.pensioners": {
        "zh": "已经在领养老金的人，不办理转移。",
        "en": "Already drawing a pension? Nothing to transfer.",
    },
    "transfer_rules.rule.paid_years": {
        "zh": "跨省转移，只转实际缴费的年限。",
        "en": "Between provinces, only the years you paid move.",
    },
    "transfer_rules.rule.one_place": {
        "zh": "同一时间只能在一地参保：原参保地要先停止缴费。",
        "en": "Insured in one place only: the old place stops first.",
    },
    "transfer_rules.process_heading": {
        "zh": "办理分三步，每步一般不超过15个工作日",
        "en": "Three steps, each about 15 working days",
    },
    "transfer_rules.step.certificate": {
        "zh": "原参保地开具《参保缴费凭证》",
        "en": "The old office issues a contribution certificate.",
    },
    "transfer_rules.step.acceptance": {
        "zh": "新参保地（这里）发出《接收函》",
        "en": "The new office (here) sends an acceptance letter.",
    },
    "transfer_rules.step.funds": {
        "zh": "原参保地转出转移表和资金",
        "en": "The old office sends the transfer form and funds.",
    },
    "transfer_rules.apply": {"zh": "申请转移", "en": "Apply for a transfer"},
    "transfer_rules.progress": {"zh": "查看申请进度", "en": "See my applications"},
    "transfer_rules.speech": {
        "zh": "养老保险关系转移。请先看屏幕上的说明。要申请，请按申请转移；要查看以前申请的进度，请按查看申请进度。",
        "en": "Moving your pension insurance. Please read the notes on the screen. To apply, press Apply for "
              "a transfer. To follow an earlier application, press See my applications.",
    },

    # --- where from -----------------------------------------------------------------------
    "transfer_from.title": {"zh": "您以前在哪里参保？", "en": "Where from?"},
    "transfer_from.choose_province": {
        "zh": "第1步：请选择您以前参保的省份。",
        "en": "Step 1: where were you insured before? Choose the province.",
    },
    "transfer_from.choose_city": {"zh": "第2步：请选择{province}的城市。", "en": "Step 2: choose the city in {province}."},
    "transfer_from.no_cities": {
        "zh": "这个省份暂时没有可以选择的城市，请换一个省份，或呼叫工作人员。",
        "en": "There are no cities to choose in this province yet. Please choose another province or call staff.",
    },
    "transfer_from.chosen": {"zh": "已选择：{area}", "en": "You chose: {area}"},
    "transfer_from.change_province": {"zh": "换省份", "en": "Change province"},
    "transfer_from.speech": {
        "zh": "您以前在哪里参加养老保险？请先选择省份，再选择城市。",
        "en": "Where were you insured before? Please choose the province first, then the city.",
    },

    # --- contact mobile -----------------------------------------------------------------------
    "transfer_contact.title": {"zh": "请输入您的手机号码", "en": "Your mobile number"},
    "transfer_contact.why": {
        "zh": "办理单位会用这个号码联系您。",
        "en": "So the office can contact you.",
    },
    "transfer_contact.number_label": {"zh": "手机号码", "en": "Mobile number"},
    "transfer_contact.digits_typed": {"zh": "已输入 {count} 位，共 11 位", "en": "{count} of 11 digits"},
    "transfer_contact.eligible": {"zh": "可以申请转移", "en": "A transfer is possible"},
    "transfer_contact.read_note": {"zh": "看完整说明", "en": "Read the full note"},
    "transfer_contact.close_note": {"zh": "返回输入号码", "en": "Back to the number"},
    "transfer_contact.delete": {"zh": "删除", "en": "Delete"},
    "transfer_contact.clear": {"zh": "清空", "en": "Clear"},
    "transfer_contact.next": {"zh": "下一步", "en": "Next"},
    "transfer_contact.speech": {
        "zh": "可以申请转移。请用数字键输入您的手机号码，办理单位会用它联系您。输完后请按下一步。",
        "en": "You can apply for a transfer. Please type your mobile phone number with the number keys; the "
              "office uses it to contact you. Then press Next.",
    },

    # --- review ---------------------------------------------------------------------------------
    "transfer_review.title": {"zh": "请核对申请信息", "en": "Check and submit"},
    "transfer_review.applicant": {"zh": "申请人", "en": "Applicant"},
    "transfer_review.from": {"zh": "原参保地", "en": "Insured before in"},
    "transfer_review.to": {"zh": "转入地", "en": "Moving to"},
    "transfer_review.mobile": {"zh": "联系手机", "en": "Mobile number"},
    "transfer_review.confirm_note": {
        "zh": "提交即表示您确认：原参保地已经停止为您缴费，您没有同时在两个地方参保。",
        "en": "By submitting you confirm that the old place has stopped your payments, and that you are not "
              "insured in two places.",
    },
    "transfer_review.submit": {"zh": "提交申请", "en": "Submit application"},
    "transfer_review.change": {"zh": "修改", "en": "Change"},
    "transfer_review.speech": {
        "zh": "请核对屏幕上的申请信息。没有问题请按提交申请；需要修改请按修改。",
        "en": "Please check your application on the screen. If it is right, press Submit application. "
              "To correct it, press Change.",
    },

    # --- done -----------------------------------------------------------------------------------
    "transfer_done.title": {"zh": "申请已提交", "en": "Submitted"},
    "transfer_done.number": {"zh": "提交成功，您的申请编号是", "en": "Done. Your application number is"},
    "transfer_done.status": {"zh": "当前状态：{status}", "en": "Status: {status}"},
    "transfer_done.next_heading": {"zh": "接下来", "en": "What happens next"},
    "transfer_done.next_steps": {
        "zh": "原参保地开具凭证，这里发出接收函，原参保地再转出资金。每一步一般不超过15个工作日，您不用来回跑。",
        "en": "The old office issues a certificate, this office sends an acceptance letter, then the old office "
              "sends your funds. Each step takes up to about 15 working days. You need not go anywhere.",
    },
    "transfer_done.sms": {
        "zh": "有进展会发短信通知您，也可以随时在这里查看进度。",
        "en": "You will get a text message as it moves on. You can also check the progress here.",
    },
    "transfer_done.deferred_title": {"zh": "本机已受理", "en": "Accepted by this kiosk"},
    "transfer_done.deferred_number": {
        "zh": "本机已受理您的申请，网络恢复后会自动提交。受理编号是",
        "en": "This kiosk has accepted your application and will send it as soon as the connection is back. "
              "Your reference is",
    },
    "transfer_done.deferred_status": {
        "zh": "尚未提交到社保经办机构。提交后可凭身份证或社保卡查询进度。",
        "en": "Not yet received by the social insurance office. Once it is, you can follow it here.",
    },
    "transfer_done.deferred_speech": {
        "zh": "本机已受理您的申请，网络恢复后会自动提交，不需要再次办理。请取走回执，回执上有受理编号。",
        "en": "This kiosk has accepted your application and will send it when the connection is back. You do "
              "not need to apply again. Please take your receipt with the reference.",
    },
    "transfer_done.view_progress": {"zh": "查看进度", "en": "See progress"},
    "transfer_done.ok": {"zh": "完成", "en": "OK"},
    "transfer_done.speech": {
        "zh": "您的转移申请已经提交成功。请取走回执。有进展会发短信通知您。",
        "en": "Your transfer application has been submitted. Please take your receipt. You will get a text "
              "message as it moves on.",
    },

    # --- progress ---------------------------------------------------------------------------------
    "transfer_progress.title": {"zh": "转移申请进度", "en": "Transfer progress"},
    "transfer_progress.none": {
        "zh": "您还没有养老保险转移申请。",
        "en": "You have no pension transfer applications.",
    },
    "transfer_progress.start": {"zh": "申请转移", "en": "Apply for a transfer"},
    "transfer_progress.number_of": {
        "zh": "申请编号：{id}（第{index}笔，共{count}笔）",
        "en": "Application number: {id} ({index} of {count})",
    },
    "transfer_progress.number": {"zh": "申请编号：{id}", "en": "Application number: {id}"},
    "transfer_progress.status": {"zh": "状态：{status}", "en": "Status: {status}"},
    "transfer_progress.reason": {"zh": "原因：{reason}", "en": "Reason: {reason}"},
    "transfer_progress.office.receiving": {"zh": "新参保地（这里）", "en": "New office (here)"},
    "transfer_progress.office.sending": {"zh": "原参保地", "en": "Old office"},
    "transfer_progress.state.done": {"zh": "已完成", "en": "Done"},
    "transfer_progress.state.current": {"zh": "正在办理", "en": "In progress"},
    "transfer_progress.state.pending": {"zh": "还没开始", "en": "Not started yet"},
    "transfer_progress.state.stopped": {"zh": "已停止", "en": "Stopped"},
    "transfer_progress.started": {"zh": "开始 {date}", "en": "Started {date}"},
    "transfer_progress.completed": {"zh": "完成 {date}", "en": "Done {date}"},
    "transfer_progress.due_by": {"zh": "应在 {date} 前办结", "en": "Due by {date}"},
    "transfer_progress.overdue": {
        "zh": "已超时：超过了{days}个工作日的办理时限。",
        "en": "Overdue: past the {days} working-day limit.",
    },
    "transfer_progress.overdue_help": {
        "zh": "可以拨打12333或请工作人员帮您询问。",
        "en": "You may call 12333 or ask staff.",
    },
    "transfer_progress.speech": {
        "zh": "这是您的养老保险转移申请进度。每一步的状态和日期都在屏幕上。",
        "en": "This is the progress of your pension transfer. Each step's state and dates are on the screen.",
    },
    # --- messages ------------------------------------------------------------------------
    "message.transfer_not_eligible.title": {
        "zh": "无需办理转移",
        "en": "No transfer to apply for",
    },
    "message.transfer_not_eligible.body": {
        "zh": "根据您的情况，现在不需要或不能在这里申请养老保险关系转移，原因如下。",
        "en": "In your situation a pension insurance transfer is not needed or cannot be applied for here, "
              "for the reason below.",
    },
    # --- receipt (receipt.py) ---------------------------------------------------------------
    "receipt.title.transfer": {"zh": "养老保险转移申请", "en": "Pension transfer"},
    "receipt.application_number": {"zh": "申请编号", "en": "Application no."},
    "receipt.from_area": {"zh": "转出地", "en": "From"},
    "receipt.to_area": {"zh": "转入地", "en": "To"},
    "receipt.mobile": {"zh": "联系电话", "en": "Mobile"},
    "receipt.status": {"zh": "办理状态", "en": "Status"},
    "receipt.submitted_at": {"zh": "提交时间", "en": "Submitted"},
    "receipt.next_step": {"zh": "下一环节", "en": "Next step"},
    "receipt.office.receiving": {"zh": "转入地办理", "en": "New office"},
    "receipt.office.sending": {"zh": "转出地办理", "en": "Old office"},
    "receipt.office": {"zh": "办理机构", "en": "Handled by"},
    "receipt.due_by": {"zh": "应办结日期", "en": "Due by"},
    "receipt.overdue": {
        "zh": "该环节已超过办理时限，可拨打12333或到服务窗口咨询。",
        "en": "This step is overdue; call 12333 or ask at a service counter.",
    },
    "receipt.step_limit": {
        "zh": "每个环节一般在{days}个工作日内办结。",
        "en": "Each step is normally done within {days} working days.",
    },
    "receipt.no_return": {
        "zh": "无需回原参保地办理，可凭申请编号查询进度。",
        "en": "No need to go back to the old place; follow progress with the application no.",
    },
}
