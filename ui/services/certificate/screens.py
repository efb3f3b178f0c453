"""Certificate screens (参保证明): choose kind and period, preview the A4 page, see what printed.

- `CertificateScreen`: the kind (参保证明 / 缴费明细证明) and the period (last 12 months,
  last 3 years, all years), the period that results, a big Preview; below, certificates
  issued earlier that can be printed again (as many as fit, at most three).
- `CertificatePreviewScreen`: the A4 page's text on a white "paper" panel, paged when
  long (text is never drawn below body size, so the page is read, not shrunk), with the
  certificate number, valid-until date and a big Print.
- `CertificateDoneScreen`: the printers' real outcome in words and icons, the number and
  verification code in large type (how to print it again later), Print again when the
  A4 part failed, OK.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout,
                               QWidget)

from kiosk import documents
from kiosk.contract import models
from kiosk.flow_state import FlowState, Intent
from ui.screens.base import FlowScreen
from ui.screens.service_frame import (IconText, PagerBar, ServiceScreen, button_width, clear_layout, icon_px,
                                  keep_focus_on_pager, make_bar_button, needed_height, paginate,
                                  text_width)
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.pictograms import make_icon, mirrored_icon
from kiosk.services.certificate import CertificateIntent, CertificateRange, CertificateScreens
from kiosk.services.certificate import certificate_view

log = logging.getLogger(__name__)

MAX_REPRINTS = 3


def _flush_layouts() -> None:
    """Apply posted size changes now, so what is measured next is what will be drawn."""
    for _ in range(2):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _body_overflow(screen: FlowScreen) -> int:
    """Pixels the body's content needs beyond the height the frame gives it, wrapped text
    counted at the width it has (a layout's minimum size leaves that out)."""
    _flush_layouts()
    layout = screen.body
    layout.activate()
    return max(0, needed_height(layout, screen.body_widget.width()) - screen.body_widget.height())


def _option_icon(button: KioskButton, active: bool, screen: FlowScreen, px: int) -> None:
    """The chosen option is ticked as well as tinted (not colour alone); the others carry no
    icon, which keeps three period choices beside their label on a 1280 px panel in elder mode."""
    th = screen.theme
    button.set_active(active)
    button.setIcon(make_icon("checkbox_on", px, th.primary, th.primary_tint) if active else QIcon())
    button.setIconSize(QSize(px, px))
    button.setAccessibleDescription(screen.t("certificate.chosen") if active else "")


def _set_role(label: QLabel, role: str, cell: str | None = None) -> None:
    """Restyle `label` for a text role and cell style (its font comes from the stylesheet)."""
    if label.property("role") != role or label.property("cell") != cell:
        label.setProperty("role", role)
        label.setProperty("cell", cell)
        label.style().unpolish(label)
        label.style().polish(label)
    label.ensurePolished()


def _period(period: str) -> str:
    return documents.format_period(period)


# --- choose ------------------------------------------------------------------------------------

class CertificateScreen(ServiceScreen):
    """Choose the kind and period of a new certificate, or print an earlier one again."""

    SCREEN = CertificateScreens.CERTIFICATE

    KINDS = (models.CertificateKind.ENROLMENT, models.CertificateKind.CONTRIBUTION)
    RANGES = (CertificateRange.LAST_12_MONTHS, CertificateRange.LAST_3_YEARS, CertificateRange.ALL)

    def build_body(self) -> None:
        self.kind_label = self.label("body", wrap=False, name="certificate_kind_label")
        self.range_label = self.label("body", wrap=False, name="certificate_range_label")
        kind_row, range_row = QHBoxLayout(), QHBoxLayout()
        kind_row.addWidget(self.kind_label)
        range_row.addWidget(self.range_label)
        for label in (self.kind_label, self.range_label):
            label.setProperty("cell", "strong")
        self.kind_buttons: dict[models.CertificateKind, KioskButton] = {}
        for kind in self.KINDS:
            button = self.button("secondary", CertificateIntent.SELECT_KIND, kind.value, f"certificate_kind_{kind.value}")
            make_bar_button(button)     # choices in a row: the target size, not more (room for earlier ones)
            self.kind_buttons[kind] = button
            kind_row.addWidget(button)
        self.range_buttons: dict[CertificateRange, KioskButton] = {}
        for choice in self.RANGES:
            button = self.button("secondary", CertificateIntent.SELECT_RANGE, choice.value, f"certificate_range_{choice.value}")
            make_bar_button(button)
            self.range_buttons[choice] = button
            range_row.addWidget(button)
        kind_row.addStretch(1)
        range_row.addStretch(1)
        self._choice_rows = (kind_row, range_row)

        self.period_label = self.label("heading", wrap=True, name="certificate_period")
        self.note = IconText(wrap=True, name="certificate_note")
        texts = QVBoxLayout()
        texts.setSpacing(0)
        texts.addWidget(self.period_label)
        texts.addWidget(self.note)
        self.preview_button = self.button("primary", Intent.PREVIEW, None, "certificate_preview")
        action = QHBoxLayout()
        action.addLayout(texts, 1)
        action.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._action = action

        self.reprints = QFrame()
        self.reprints.setObjectName("certificate_reprints")
        self.reprints.setProperty("role", "panel")
        reprints_layout = QVBoxLayout(self.reprints)
        self.reprint_heading = self.label("body", wrap=True, name="certificate_reprint_heading")
        self.reprint_heading.setProperty("cell", "strong")
        reprints_layout.addWidget(self.reprint_heading)
        self._reprint_rows = QVBoxLayout()
        reprints_layout.addLayout(self._reprint_rows)
        self.reprint_none = self.label("muted", wrap=True, name="certificate_reprint_none")
        reprints_layout.addWidget(self.reprint_none)
        self._reprints_layout = reprints_layout
        self.reprint_buttons: dict[str, KioskButton] = {}

        self.body.addLayout(kind_row)
        self.body.addLayout(range_row)
        self.body.addLayout(action)
        self.body.addWidget(self.reprints)
        self.body.addStretch(1)
        # The body takes the height the frame leaves; rows that would not fit are left out.
        self.body_widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)

    def title_key(self, state: FlowState) -> str:
        return "certificate.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        for row in self._choice_rows:
            row.setSpacing(gap)
        self._action.setSpacing(gap)
        self._reprints_layout.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._reprints_layout.setSpacing(gap // 2)
        self._reprint_rows.setSpacing(gap // 2)
        target = self.theme.min_target_px(self.elder)
        self.preview_button.setMinimumHeight(round(target * 1.3))
        self.preview_button.setMinimumWidth(round(target * 3))

    def first_focus(self) -> QWidget | None:
        return self.preview_button

    def draw(self, state: FlowState) -> None:
        view = certificate_view(state)
        t, th = self.t, self.theme
        px = round(th.font_px("control", self.elder) * 1.1)
        self.kind_label.setText(t("certificate.kind_label"))
        self.range_label.setText(t("certificate.range_label"))
        label_width = max(self.kind_label.sizeHint().width(), self.range_label.sizeHint().width())
        for label in (self.kind_label, self.range_label):
            label.setFixedWidth(label_width)    # the choices line up in two columns
        for kind, button in self.kind_buttons.items():
            button.setText(t(f"certificate.kind.{kind.value}"))
            button.setAccessibleName(documents.certificate_kind_name(kind, self.language, catalog=self.catalog))
            _option_icon(button, kind == view.kind, self, px)
        for choice, button in self.range_buttons.items():
            button.setText(t(f"certificate.range.{choice.value}"))
            button.setAccessibleName(button.text())
            _option_icon(button, choice == view.range, self, px)
        if view.period_from and view.period_to:
            self.period_label.setText(t("certificate.period", start=_period(view.period_from),
                                        end=_period(view.period_to)))
        else:
            self.period_label.setText("")
        self.note.set("printer", t("certificate.note"), th.muted, icon_px(self), tone="muted")
        big = round(th.font_px("button", self.elder) * 1.1)
        self.preview_button.setText(t("certificate.preview"))
        self.preview_button.setAccessibleName(self.preview_button.text())
        self.preview_button.setIcon(mirrored_icon("back", big, th.text_on_primary))
        self.preview_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)   # the arrow after the word
        self.preview_button.setIconSize(QSize(big, big))
        self.preview_button.setEnabled(bool(view.period_from and view.period_to))
        self._draw_reprints(view.issued)

    def _draw_reprints(self, issued: tuple[models.CertificateSummary, ...]) -> None:
        """Earlier certificates, as many as fit (at most three). Where not even one fits (English,
        elder mode, 1280x1024), first the period drops to body size, then the rows' buttons say
        "Print" rather than "Print again" (the heading says "again"), so their lines do not wrap."""
        t = self.t
        self.reprint_heading.setText(t("certificate.reprint.heading"))
        # Valid ones first (they can be printed), newest first; expired ones only inform.
        ordered = sorted(issued, key=lambda item: (item.status != "valid", -item.issued_at.timestamp()))
        self.reprint_none.setText(t("certificate.reprint.none"))
        self.reprint_none.setVisible(not any(item.status == "valid" for item in issued))
        self.reprints.setVisible(bool(issued))
        for period_role, short_button in (("heading", False), ("body", False), ("body", True)):
            _set_role(self.period_label, period_role, "strong" if period_role == "body" else None)
            clear_layout(self._reprint_rows)
            self.reprint_buttons = {}
            self.layout().activate()
            shown = 0
            for item in ordered[:MAX_REPRINTS]:
                row = self._reprint_row(item, short_button)
                self._reprint_rows.addWidget(row)
                row.show()
                row.ensurePolished()
                self.apply_targets()
                if _body_overflow(self) > 0:
                    # No room for this one: leave it out, never squeeze it.
                    self._reprint_rows.removeWidget(row)
                    row.hide()
                    row.setParent(None)
                    row.deleteLater()
                    self.reprint_buttons.pop(item.number, None)
                    break
                shown += 1
            if shown or not ordered:
                return
        log.warning("no earlier certificate fits the certificate screen at %dx%d", self.width(), self.height())

    def _reprint_row(self, item: models.CertificateSummary, short_button: bool = False) -> QFrame:
        t, th, px = self.t, self.theme, icon_px(self)
        row = QFrame()
        row.setObjectName(f"certificate_reprint_{item.number}")
        row.setProperty("role", "row")
        layout = QHBoxLayout(row)
        gap = th.spacing_px(self.elder)
        layout.setContentsMargins(0, gap // 3, 0, 0)
        layout.setSpacing(gap)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        what = self.label("body", wrap=True, name=f"certificate_reprint_{item.number}_what")
        what.setText(t("certificate.reprint.what", kind=documents.certificate_kind_name(item.kind, self.language, catalog=self.catalog),
                       start=_period(item.period_from), end=_period(item.period_to)))
        what.setProperty("cell", "strong")
        valid = item.status == "valid"
        when = IconText(wrap=True, name=f"certificate_reprint_{item.number}_when")
        key = "certificate.reprint.when" if valid else "certificate.reprint.expired_when"
        when.set("" if valid else "warning",
                 t(key, number=documents.plain_line(item.number), date=item.valid_until.isoformat()),
                 th.warning, px, tone="muted" if valid else "warning")
        texts.addWidget(what)
        texts.addWidget(when)
        layout.addLayout(texts, 1)
        if valid:
            button = self.button("secondary", Intent.REPRINT, item.number, f"certificate_reprint_{item.number}_button")
            button.setText(t("certificate.reprint.button_short" if short_button else "certificate.reprint.button"))
            button.setAccessibleName(f"{button.text()} {item.number}")
            big = round(th.font_px("button", self.elder) * 1.1)
            button.setIcon(make_icon("printer", big, th.primary))
            button.setIconSize(QSize(big, big))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            button.show()
            self.reprint_buttons[item.number] = button
        return row


# --- preview -----------------------------------------------------------------------------------

class CertificatePreviewScreen(ServiceScreen):
    """The certificate's text on a paper-like panel, a page at a time, and a big Print."""

    SCREEN = CertificateScreens.CERTIFICATE_PREVIEW

    def build_body(self) -> None:
        self._page = 0
        self._page_count = 1
        self._shown_number: str | None = None
        self.paper = QFrame()
        self.paper.setObjectName("certificate_paper")
        self.paper.setProperty("role", "paper")
        self.paper.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self._paper_layout = QVBoxLayout(self.paper)
        self._paper_layout.setSpacing(0)
        self._lines_box = QVBoxLayout()
        self._lines_box.setSpacing(0)
        self._paper_layout.addLayout(self._lines_box)
        self._paper_layout.addStretch(1)
        self.lines: list[QLabel] = []

        side = QVBoxLayout()
        self.number_caption = self.label("muted", wrap=True, name="certificate_preview_number_caption")
        self.number_label = self.label("heading", wrap=False, name="certificate_preview_number")
        self.valid_caption = self.label("muted", wrap=True, name="certificate_preview_valid_caption")
        self.valid_label = self.label("heading", wrap=False, name="certificate_preview_valid_until")
        self.pager = PagerBar(self, "certificate_preview", lambda: self._turn(-1), lambda: self._turn(+1))
        self.print_button = self.button("primary", Intent.PRINT, None, "certificate_print")
        for widget in (self.number_caption, self.number_label, self.valid_caption, self.valid_label):
            side.addWidget(widget)
        side.addStretch(1)
        side.addWidget(self.pager)
        side.addWidget(self.print_button)
        side.setContentsMargins(0, 0, 0, 0)
        self._side = side
        self.side_widget = QWidget()
        self.side_widget.setLayout(side)

        row = QHBoxLayout()
        row.addWidget(self.paper, 1)
        row.addWidget(self.side_widget)
        self._row = row
        self.body.addLayout(row, 1)

    def title_key(self, state: FlowState) -> str:
        return "certificate_preview.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self._row.setSpacing(gap)
        self._side.setSpacing(gap // 2)
        self._paper_layout.setContentsMargins(2 * gap, gap, 2 * gap, gap)
        target = self.theme.min_target_px(self.elder)
        self.print_button.setMinimumHeight(round(target * 1.5))

    def first_focus(self) -> QWidget | None:
        return self.print_button

    def draw(self, state: FlowState) -> None:
        view = certificate_view(state)
        t, th = self.t, self.theme
        certificate = view.certificate
        number = certificate.number if certificate is not None else ""
        if number != self._shown_number:
            self._page, self._shown_number = 0, number
        self.number_caption.setText(t("certificate_preview.number"))
        self.number_label.setText(documents.plain_line(number) or documents.NO_VALUE)
        self.valid_caption.setText(t("certificate_preview.valid_until"))
        self.valid_label.setText(certificate.valid_until.isoformat() if certificate is not None else documents.NO_VALUE)
        big = round(th.font_px("button", self.elder) * 1.3)
        self.print_button.setText(t("certificate_preview.print"))
        self.print_button.setAccessibleName(self.print_button.text())
        self.print_button.setIcon(make_icon("printer", big, th.text_on_primary, th.primary))
        self.print_button.setIconSize(QSize(big, big))
        self.print_button.setEnabled(certificate is not None)
        # The side column: wide enough for the number, the pager and the Print button.
        self.pager.show_position(1, 2, compact=True)
        self.side_widget.setFixedWidth(self._side_width())

        lines = [documents.plain_line(line) for line in view.preview_lines if documents.plain_line(line)]
        if not lines:
            lines = [t("certificate_preview.empty")]
        clear_layout(self._lines_box)
        self.lines = []
        self.layout().activate()
        paper_width = self._paper_inner()[0]
        for index, text in enumerate(lines):
            label = self.label("heading" if index == 0 else "body", wrap=True, name=f"certificate_line_{index}")
            label.setText(text)
            self._lines_box.addWidget(label)
            label.ensurePolished()     # fonts come from the stylesheet: measure with them
            if index == 0:
                # The paper's title, centred; in heading size only when that keeps it on one line.
                label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
                if label.fontMetrics().horizontalAdvance(text) > paper_width:
                    label.setProperty("role", "body")
                    label.setProperty("cell", "strong")
                    label.style().unpolish(label)
                    label.style().polish(label)
            self.lines.append(label)
        self.layout().activate()
        self._show_page()

    def _side_width(self) -> int:
        """The side column: wide enough for the number, the date, the pager and Print, within 28-45 %
        of the body (60 % for an unusually long number). A number too long for heading size there is
        shown in bold body text instead (it is read and typed in later, so it is never wrapped or cut)."""
        body = self.body_widget.width()
        widest = round(body * 0.45)
        minimum = self.theme.min_target_px(self.elder)
        pager = self.pager
        pager_width = (button_width(pager.previous_button, minimum) + button_width(pager.next_button, minimum)
                       + text_width(pager.position_label) + 2 * pager.layout().spacing())
        fixed = [pager_width, button_width(self.print_button, minimum), round(body * 0.28)]
        for role in ("heading", "body"):
            for label in (self.number_label, self.valid_label):
                _set_role(label, role, "strong" if role == "body" else None)
            texts = max(text_width(self.number_label), text_width(self.valid_label)) + 2
            if texts <= widest:
                break
        # A number longer than the back office's usual ones: a wider column rather than a cut number.
        widest = max(widest, min(texts, round(body * 0.6)))
        return min(max(fixed + [texts]), widest)

    def _paper_inner(self) -> tuple[int, int]:
        margins = self._paper_layout.contentsMargins()
        width = self.body_widget.width() - self.side_widget.width() - self._row.spacing()
        return (width - margins.left() - margins.right() - 4,
                self.body_widget.height() - margins.top() - margins.bottom() - 4)

    def _show_page(self) -> None:
        width, height = self._paper_inner()
        heights = [label.heightForWidth(width) for label in self.lines]
        # Keep a line free on long documents for the "continued" feel of a page break.
        pages = paginate(heights, height)
        self._pages = pages
        self._page_count = len(pages)
        self._page = min(self._page, self._page_count - 1)
        shown = set(pages[self._page])
        for index, label in enumerate(self.lines):
            label.setVisible(index in shown)
        self.pager.setVisible(self._page_count > 1)
        self.pager.show_position(self._page + 1, self._page_count, compact=True)
        self.apply_targets()

    def _turn(self, step: int) -> None:
        focused = self.focusWidget()
        self._page = max(0, min(self._page + step, self._page_count - 1))
        self._show_page()
        keep_focus_on_pager(self.pager, focused)

    def page_count(self) -> int:
        return self._page_count

    def keyPressEvent(self, event) -> None:
        """PageUp / PageDown turn the preview's pages like the buttons."""
        if event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self._turn(-1 if event.key() == Qt.Key.Key_PageUp else +1)
            event.accept()
            return
        super().keyPressEvent(event)


# --- done --------------------------------------------------------------------------------------

DOCUMENT_KEYS = {"printing": "printing", "printed": "printed", "paper_out": "paper_out", "failed": "failed"}
RECEIPT_KEYS = {"printing": "printing", "printed": "receipt_printed", "receipt_printed": "receipt_printed",
                "failed": "receipt_failed", "receipt_failed": "receipt_failed", "paper_out": "receipt_failed"}
STATUS_ICONS = {"printing": "printer", "printed": "check", "receipt_printed": "check"}


def document_status(key: str) -> str:
    """`certificate.status.*` short name of the A4 outcome ("" when there was none)."""
    if not key:
        return ""
    return DOCUMENT_KEYS.get(key.rsplit(".", 1)[-1], "failed")


def receipt_status(key: str) -> str:
    if not key:
        return ""
    return RECEIPT_KEYS.get(key.rsplit(".", 1)[-1], "receipt_failed")


class CertificateDoneScreen(ServiceScreen):
    """What the printers really did, the number to print it again with, OK."""

    SCREEN = CertificateScreens.CERTIFICATE_DONE

    def build_body(self) -> None:
        self.document_status = IconText(wrap=True, name="certificate_document_status")
        self.receipt_status = IconText(wrap=True, name="certificate_receipt_status")
        self.card = QFrame()
        self.card.setObjectName("certificate_codes")
        self.card.setProperty("role", "panel")
        grid = QGridLayout(self.card)
        self.number_caption = self.label("body", wrap=True, name="certificate_done_number_caption")
        self.number_label = self.label("heading", wrap=True, name="certificate_done_number")
        self.code_caption = self.label("body", wrap=True, name="certificate_done_code_caption")
        self.code_label = self.label("heading", wrap=True, name="certificate_done_code")
        for label in (self.number_label, self.code_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.keep_note = self.label("muted", wrap=True, name="certificate_done_keep")
        self._grid = grid
        self._codes_side_by_side: bool | None = None
        self._arrange_codes(side_by_side=True)

        self.reprint_button = self.button("secondary", Intent.REPRINT, "", "certificate_done_reprint")
        self.ok_button = self.button("primary", Intent.CONFIRM, None, "certificate_done_ok")
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.reprint_button)
        actions.addWidget(self.ok_button)
        self._actions = actions

        self.body.addWidget(self.document_status)
        self.body.addWidget(self.receipt_status)
        self.body.addWidget(self.card)
        self.body.addStretch(1)
        self.body.addLayout(actions)

    def title_key(self, state: FlowState) -> str:
        return "certificate_done.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self._grid.setContentsMargins(2 * gap, gap, 2 * gap, gap)
        self._grid.setHorizontalSpacing(3 * gap)
        self._grid.setVerticalSpacing(gap // 3)
        self._actions.setSpacing(gap)
        target = self.theme.min_target_px(self.elder)
        for button in (self.reprint_button, self.ok_button):
            button.setMinimumHeight(round(target * 1.3))
        self.ok_button.setMinimumWidth(round(target * 3))

    def first_focus(self) -> QWidget | None:
        return self.reprint_button if self.reprint_button.isVisibleTo(self) else self.ok_button

    def _size_status(self, largest: str = "heading") -> None:
        """The outcome in heading size when it takes at most two lines, else in bold body text."""
        label = self.document_status.text_label
        width = self.body_widget.width() - self.document_status.icon_label.width() - 8
        for role in ("heading", "body") if largest == "heading" else ("body",):
            _set_role(label, role)
            if label.heightForWidth(width) <= 2.2 * label.fontMetrics().height():
                break

    def _fit(self) -> None:
        """The largest type that fits the panel: for the outcome, then for the number and code
        (side by side under their captions, else one a line after its caption); never cut."""
        for status_role in ("heading", "body"):
            self._size_status(status_role)
            fallback = None
            for side_by_side, role in ((True, "title"), (True, "heading"), (False, "heading"),
                                       (True, "body"), (False, "body")):
                if not self.card.isVisibleTo(self):
                    break
                if not self._codes_fit(side_by_side, role):
                    continue
                fallback = fallback or (side_by_side, role)
                if _body_overflow(self) == 0:
                    return
            if not self.card.isVisibleTo(self):
                if _body_overflow(self) == 0:
                    return
            elif fallback is not None:
                self._codes_fit(*fallback)

    def _arrange_codes(self, *, side_by_side: bool) -> None:
        """Number and code side by side, each under its caption; or one a line, after its caption."""
        if side_by_side == self._codes_side_by_side:
            return
        self._codes_side_by_side = side_by_side
        grid = self._grid
        widgets = (self.number_caption, self.number_label, self.code_caption, self.code_label, self.keep_note)
        for widget in widgets:
            grid.removeWidget(widget)
        if side_by_side:
            places = ((0, 0), (1, 0), (0, 1), (1, 1))
        else:
            places = ((0, 0), (0, 1), (1, 0), (1, 1))
        for widget, (row, column) in zip(widgets, places):
            grid.addWidget(widget, row, column)
        grid.addWidget(self.keep_note, 2, 0, 1, 2)
        for column in (0, 1):
            grid.setColumnStretch(column, 1 if side_by_side or column == 1 else 0)
        for caption in (self.number_caption, self.code_caption):
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | (Qt.AlignmentFlag.AlignTop if side_by_side
                                                               else Qt.AlignmentFlag.AlignVCenter))

    def _codes_fit(self, side_by_side: bool, role: str) -> bool:
        """Show number and code so (arranged, in `role`); False, and nothing changed, if too wide."""
        margins = self._grid.contentsMargins()
        inner = self.body_widget.width() - margins.left() - margins.right() - 4
        gap = self._grid.horizontalSpacing()
        codes = (self.number_label, self.code_label)
        kept = [(label.property("role"), label.property("cell")) for label in codes]
        for label in codes:
            _set_role(label, role, "strong" if role == "body" else None)
        code_width = max(text_width(label) for label in codes)
        if side_by_side:
            fits = code_width <= (inner - gap) // 2
        else:
            caption_width = max(text_width(label) for label in (self.number_caption, self.code_caption))
            fits = caption_width + gap + code_width <= inner
        if fits:
            self._arrange_codes(side_by_side=side_by_side)
        else:
            for label, (old_role, old_cell) in zip(codes, kept):
                _set_role(label, old_role, old_cell)
        return fits

    def draw(self, state: FlowState) -> None:
        view = certificate_view(state)
        t, th = self.t, self.theme
        document = document_status(view.document_status_key)
        receipt = receipt_status(view.receipt_status_key)
        for widget, short, role_px in ((self.document_status, document, round(icon_px(self) * 1.3)),
                                       (self.receipt_status, receipt, icon_px(self))):
            widget.setVisible(bool(short))
            if short:
                kind = STATUS_ICONS.get(short, "warning")
                warn = kind == "warning"
                widget.set(kind, t(f"certificate.status.{short}"), th.warning if warn else th.primary, role_px,
                           tone="warning" if warn else ("strong" if widget is self.document_status else ""))
        certificate = view.certificate
        failed = document in ("paper_out", "failed")
        self.card.setVisible(certificate is not None)
        if certificate is not None:
            # Smallest first, so nothing is measured while a larger size pushes the panel wider.
            for label in (self.number_label, self.code_label):
                _set_role(label, "body", "strong")
            self._arrange_codes(side_by_side=False)
            self.number_caption.setText(t("certificate_done.number"))
            self.number_label.setText(documents.plain_line(certificate.number))
            self.code_caption.setText(t("certificate_done.code"))
            self.code_label.setText(documents.plain_line(certificate.verification_code))
            self.keep_note.setText(t("certificate_done.keep"))
            # A failure's words already say the number is kept and how to print again.
            self.keep_note.setVisible(not failed)
        self.reprint_button.setVisible(failed and certificate is not None)
        self.reprint_button.setText(t("certificate_done.reprint"))
        self.reprint_button.setAccessibleName(self.reprint_button.text())
        big = round(th.font_px("button", self.elder) * 1.1)
        self.reprint_button.setIcon(make_icon("printer", big, th.primary))
        self.reprint_button.setIconSize(QSize(big, big))
        self.ok_button.setText(t("common.ok"))
        self.ok_button.setAccessibleName(self.ok_button.text())
        self.ok_button.setIcon(make_icon("check", big, th.text_on_primary, th.primary))
        self.ok_button.setIconSize(QSize(big, big))
        self.apply_targets()
        self._fit()
