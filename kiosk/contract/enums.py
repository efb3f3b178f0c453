"""The contract's enumerations, without pydantic: the screen flow and the first frame need them, not the models."""

from __future__ import annotations

from enum import StrEnum


class InsuranceType(StrEnum):
    PENSION = "pension"              # 养老保险
    MEDICAL = "medical"              # 医疗保险
    UNEMPLOYMENT = "unemployment"    # 失业保险
    WORK_INJURY = "work_injury"      # 工伤保险
    MATERNITY = "maternity"          # 生育保险


class EnrolmentStatus(StrEnum):
    ACTIVE = "active"            # 参保缴费
    SUSPENDED = "suspended"      # 暂停缴费
    TERMINATED = "terminated"    # 终止参保
    RETIRED = "retired"          # 退休（享受待遇）
    NOT_ENROLLED = "not_enrolled"


class ContributionStatus(StrEnum):
    PAID = "paid"
    OWED = "owed"          # 欠缴
    DEFERRED = "deferred"  # 缓缴


class PayerKind(StrEnum):
    EMPLOYER = "employer"  # 单位职工
    PERSONAL = "personal"  # 灵活就业人员 (pays personally)


class TransferStatus(StrEnum):
    SUBMITTED = "submitted"                  # 转入地受理
    CERTIFICATE_ISSUED = "certificate_issued"  # 转出地出具参保缴费凭证
    ACCEPTANCE_SENT = "acceptance_sent"      # 转入地发出接收函
    FUNDS_TRANSFERRED = "funds_transferred"  # 转出地转移基金
    COMPLETED = "completed"                  # 转入地归集完成
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


ACTIVE_TRANSFER_STATUSES = frozenset({
    TransferStatus.SUBMITTED, TransferStatus.CERTIFICATE_ISSUED,
    TransferStatus.ACCEPTANCE_SENT, TransferStatus.FUNDS_TRANSFERRED,
})


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    PENDING = "pending"
    STOPPED = "stopped"  # the application ended (rejected/withdrawn) before this step


class CertificateKind(StrEnum):
    ENROLMENT = "enrolment"          # 参保证明
    CONTRIBUTION = "contribution"    # 缴费明细证明
