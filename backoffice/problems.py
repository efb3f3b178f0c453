"""The catalogue of problem codes and the one way errors leave the server.

Every error is `application/problem+json` shaped like `kiosk.contract.models.Problem`,
with a stable `code` a client can switch on and citizen-readable zh/en messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.responses import Response

PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    code: str
    status: int
    title: str
    message_zh: str
    message_en: str


_CATALOGUE = [
    # request shape
    ProblemType("invalid_request", 422, "Invalid request", "请求内容不正确。", "The request is not valid."),
    ProblemType("malformed_json", 400, "Malformed JSON", "请求内容不是有效的 JSON。", "The request body is not valid JSON."),
    ProblemType("payload_too_large", 413, "Payload too large", "请求内容过大。", "The request body is too large."),
    ProblemType("not_found", 404, "Not found", "没有找到所请求的资源。", "The requested resource does not exist."),
    ProblemType("method_not_allowed", 405, "Method not allowed", "不支持该请求方式。",
                "This method is not allowed here."),
    ProblemType("not_acceptable", 406, "Not acceptable", "无法提供所请求的格式。",
                "The requested representation is not available."),
    ProblemType("unsupported_media_type", 415, "Unsupported media type", "请求内容格式不受支持。",
                "The request content type is not supported."),
    ProblemType("internal_error", 500, "Internal error", "系统内部错误，请稍后再试或联系工作人员。",
                "Internal error. Please try again later or ask staff for help."),
    # terminal authentication
    ProblemType("terminal_unauthenticated", 401, "Terminal not authenticated", "终端认证失败，请联系工作人员。",
                "The terminal could not be authenticated. Please ask staff for help."),
    ProblemType("clock_skew", 401, "Clock skew", "终端时间与服务器相差过大，请联系工作人员。",
                "The terminal clock differs too much from the server. Please ask staff for help."),
    ProblemType("nonce_replayed", 401, "Nonce replayed", "重复的请求已被拒绝。", "A replayed request was refused."),
    ProblemType("terminal_mismatch", 403, "Terminal mismatch", "终端编号不符。",
                "The terminal id does not match the signing terminal."),
    # citizen session
    ProblemType("session_required", 401, "Session required", "请先刷卡或扫码登录。",
                "Please sign in with your card or e-card first."),
    ProblemType("session_expired", 401, "Session expired", "登录已超时，请重新刷卡或扫码。",
                "Your session has ended. Please sign in again."),
    ProblemType("grant_invalid", 401, "Submission grant invalid", "该申请的提交凭证无效，请联系工作人员。",
                "The submission grant is not valid for this request. Please ask staff for help."),
    ProblemType("grant_expired", 401, "Submission grant expired", "该申请的提交凭证已过期，请联系工作人员。",
                "The submission grant has expired. Please ask staff for help."),
    ProblemType("card_not_recognised", 401, "Card not recognised", "无法识别该社保卡，请确认卡片或到柜台咨询。",
                "This card is not recognised. Please check the card or ask at a counter."),
    ProblemType("pin_not_verified", 403, "PIN not verified", "请先输入社保卡密码。",
                "The card PIN has not been verified."),
    ProblemType("card_revoked", 403, "Card revoked", "该社保卡已挂失或停用，请到柜台办理。",
                "This card has been reported lost or is no longer valid. Please go to a counter."),
    ProblemType("citizen_not_found", 404, "Citizen not found", "没有找到该参保人。", "No insured person was found."),
    # e-card
    ProblemType("ecard_invalid", 422, "E-card code invalid", "电子社保卡二维码无效，请刷新后重新扫码。",
                "The e-card code is not valid. Please refresh it and scan again."),
    ProblemType("ecard_expired", 422, "E-card code expired", "电子社保卡二维码已过期，请刷新后重新扫码。",
                "The e-card code has expired. Please refresh it and scan again."),
    ProblemType("ecard_revoked", 422, "E-card code revoked", "该二维码已失效（已生成新码或电子社保卡已停用）。",
                "This e-card code is no longer valid (a newer code was issued or the e-card was revoked)."),
    ProblemType("ecard_used", 422, "E-card code already used", "该二维码已使用过，请刷新后重新扫码。",
                "This e-card code has already been used. Please refresh it and scan again."),
    # idempotency
    ProblemType("idempotency_key_reused", 422, "Idempotency key reused",
                "该请求编号已用于另一项不同的申请。",
                "This Idempotency-Key was already used for a different request."),
    # certificates
    ProblemType("certificate_not_found", 404, "Certificate not found", "没有找到该证明，请核对验证码。",
                "No certificate has this verification code. Please check the code."),
    ProblemType("certificate_number_not_found", 404, "Certificate not found",
                "没有找到您名下该编号的证明，请核对证明编号。",
                "You have no certificate with this number. Please check the number."),
    ProblemType("rate_limited", 429, "Too many requests", "查询过于频繁，请稍后再试。",
                "Too many requests. Please wait a moment and try again."),
    # pension transfer (codes equal to TransferEligibility.code)
    ProblemType("pensioner", 422, "Already drawing a pension", "您已领取养老金，不能办理养老保险关系转移。",
                "You already draw a pension, so your pension insurance cannot be transferred."),
    ProblemType("no_transfer_needed", 422, "No transfer needed", "同一统筹范围内无需办理转移。",
                "No transfer is needed within the same pooling area."),
    ProblemType("active_application", 409, "Active application", "您已有一笔正在办理的转移申请。",
                "You already have a transfer application in progress."),
    ProblemType("not_insured_here", 422, "Not insured here", "您目前未在本地参加养老保险，请在现参保地申请。",
                "You do not contribute to pension insurance here now; apply where you contribute now."),
    ProblemType("unknown_region", 422, "Unknown region", "无法识别该转出地区。",
                "The region you came from is not recognised."),
    ProblemType("no_records_in_area", 422, "No records in area", "未查到您在该地区的养老保险缴费记录。",
                "No pension contributions are recorded for you in that region."),
    ProblemType("transfer_not_found", 404, "Transfer not found", "没有找到该转移申请。",
                "No such transfer application."),
]

CATALOGUE: dict[str, ProblemType] = {problem.code: problem for problem in _CATALOGUE}

STATUS_FALLBACK_CODES = {400: "invalid_request", 401: "terminal_unauthenticated", 404: "not_found",
                         405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
                         415: "unsupported_media_type", 422: "invalid_request", 429: "rate_limited"}


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a catalogued problem."""

    def __init__(self, code: str, *, detail: str | None = None, message_zh: str | None = None,
                 message_en: str | None = None, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None, status: int | None = None):
        super().__init__(code)
        self.problem = CATALOGUE[code]
        self.detail = detail
        self.message_zh = message_zh
        self.message_en = message_en
        self.errors = errors
        self.headers = headers or {}
        self.status = status or self.problem.status


def problem_body(code: str, *, status: int | None = None, detail: str | None = None,
                 message_zh: str | None = None, message_en: str | None = None,
                 errors: list[dict] | None = None) -> dict:
    problem = CATALOGUE[code]
    body: dict = {
        "type": "about:blank",
        "title": problem.title,
        "status": status or problem.status,
        "code": problem.code,
        "message_zh": message_zh or problem.message_zh,
        "message_en": message_en or problem.message_en,
    }
    if detail is not None:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(code: str, *, status: int | None = None, headers: dict[str, str] | None = None,
                     **fields) -> Response:
    body = problem_body(code, status=status, **fields)
    return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), status_code=body["status"],
                    media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def from_error(error: ProblemError) -> Response:
    return problem_response(error.problem.code, status=error.status, headers=error.headers, detail=error.detail,
                            message_zh=error.message_zh, message_en=error.message_en, errors=error.errors)
