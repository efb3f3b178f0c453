"""Texts (zh/en) printed on paper: the shared receipt labels and the names of contract values.

Receipt labels are `receipt.*` (a service's own labels are `receipt.*` in its texts.py);
the names of enum members are `name.<enum>.<value>`, read through the name helpers of
kiosk/documents.py, which screens reuse. Paper has short wording of its own, hence the
separate keys; a deployment's overrides reach paper like any other text.
"""

TEXTS: dict[str, dict[str, str]] = {
    # --- every receipt: head, foot, and the receipt of a held submission --------------------
    "receipt.title.deferred": {"zh": "本机受理凭证", "en": "Accepted by this kiosk"},
    "receipt.deferred.what.pension_transfer": {"zh": "养老保险关系转移申请", "en": "Pension transfer application"},
    "receipt.deferred.what.certificate": {"zh": "参保证明开具申请", "en": "Certificate request"},
    "receipt.deferred.item": {"zh": "受理事项", "en": "Request"},
    "receipt.deferred.reference": {"zh": "受理编号", "en": "Reference"},
    "receipt.deferred.status": {
        "zh": "本机已受理，尚未提交。网络恢复后将自动提交，无需再次办理。",
        "en": "Accepted by this terminal, not yet sent. It will be sent when the connection is back; "
              "you need not apply again.",
    },
    "receipt.deferred.follow": {
        "zh": "可在本机查询结果，或拨打12333告知受理编号。",
        "en": "Check the result at this kiosk, or call 12333 with the reference.",
    },
    "receipt.name": {"zh": "姓名", "en": "Name"},
    "receipt.ssn": {"zh": "社会保障号码", "en": "Soc. sec. no."},
    "receipt.time": {"zh": "时间", "en": "Time"},
    "receipt.terminal": {"zh": "终端编号", "en": "Terminal"},
    "receipt.range": {"zh": "{start} 至 {end}", "en": "{start} to {end}"},
    "receipt.explain_owed": {"zh": "欠缴：应缴未缴，请尽快补缴。", "en": "Owed: due but not paid; please pay soon."},
    "receipt.explain_deferred": {
        "zh": "缓缴：经批准暂缓缴纳，在缓缴期满前补缴不影响个人权益。",
        "en": "Deferred: postponed with approval; paying before the deferral ends keeps your rights.",
    },
    "receipt.thanks": {"zh": "谢谢使用  服务热线 12333", "en": "Thank you  Hotline 12333"},
    # --- names of contract values (kiosk.documents.*_name) -----------------------------------
    # insurance_type
    "name.insurance_type.pension": {"zh": "基本养老保险", "en": "Basic pension insurance"},
    "name.insurance_type.medical": {"zh": "基本医疗保险", "en": "Basic medical insurance"},
    "name.insurance_type.unemployment": {"zh": "失业保险", "en": "Unemployment insurance"},
    "name.insurance_type.work_injury": {"zh": "工伤保险", "en": "Work injury insurance"},
    "name.insurance_type.maternity": {"zh": "生育保险", "en": "Maternity insurance"},
    # insurance_type_short
    "name.insurance_type_short.pension": {"zh": "养老", "en": "Pension"},
    "name.insurance_type_short.medical": {"zh": "医疗", "en": "Medical"},
    "name.insurance_type_short.unemployment": {"zh": "失业", "en": "Unemployment"},
    "name.insurance_type_short.work_injury": {"zh": "工伤", "en": "Work injury"},
    "name.insurance_type_short.maternity": {"zh": "生育", "en": "Maternity"},
    # enrolment_status
    "name.enrolment_status.active": {"zh": "参保缴费", "en": "Contributing"},
    "name.enrolment_status.suspended": {"zh": "暂停缴费", "en": "Suspended"},
    "name.enrolment_status.terminated": {"zh": "终止参保", "en": "Terminated"},
    "name.enrolment_status.retired": {"zh": "退休", "en": "Retired"},
    "name.enrolment_status.not_enrolled": {"zh": "未参保", "en": "Not enrolled"},
    # contribution_status
    "name.contribution_status.paid": {"zh": "已缴", "en": "Paid"},
    "name.contribution_status.owed": {"zh": "欠缴", "en": "Owed"},
    "name.contribution_status.deferred": {"zh": "缓缴", "en": "Deferred"},
    # transfer_status
    "name.transfer_status.submitted": {"zh": "已提交，转入地受理中", "en": "Submitted, being accepted"},
    "name.transfer_status.certificate_issued": {
        "zh": "转出地已出具参保缴费凭证",
        "en": "Contribution certificate issued by the old office",
    },
    "name.transfer_status.acceptance_sent": {"zh": "转入地已发出接收函", "en": "Acceptance letter sent by the new office"},
    "name.transfer_status.funds_transferred": {"zh": "转出地已转移基金", "en": "Funds transferred by the old office"},
    "name.transfer_status.completed": {"zh": "转移完成", "en": "Transfer completed"},
    "name.transfer_status.rejected": {"zh": "未通过", "en": "Rejected"},
    "name.transfer_status.withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    # certificate_kind
    "name.certificate_kind.enrolment": {"zh": "参保证明", "en": "Enrolment certificate"},
    "name.certificate_kind.contribution": {"zh": "缴费明细证明", "en": "Contribution certificate"},
}
