"""Pension-transfer screens (养老保险关系转移接续): rules, where from,
contact mobile, review and done.

The screens draw `FlowState.transfer` and send intents; the flow machine decides where
to go. Local paging (ui.services.pension_transfer.frame) shows what does not fit without scrolling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk import documents
from kiosk.contract import areas
from kiosk.flow_state import FlowState, Intent
from kiosk.messages import in_language
from ui.services.pension_transfer.frame import (Badge, IconLine, PagedBlocks, Pager, TransferScreenBase, area_label, chosen_area_label,
                                 icon_pixmap, icon_size, keep_focus, label_block, masked_mobile, needed_height,
                                 outside_text, relayout, set_button, set_tone)
from ui.widgets.kiosk_button import KioskButton
from ui.widgets.labels import plain_label
from kiosk.services.pension_transfer import TransferIntent, TransferScreens
from kiosk.services.pension_transfer import transfer_view


# --- 1. rules -----------------------------------------------------------------------------------

RULES = (
    ("apply_here", "place"),
    ("same_province", "province"),
    ("pensioners", "pension"),
    ("paid_years", "years"),
    ("one_place", "one_place"),
)
PROCESS_STEPS = ("certificate", "acceptance", "funds")


class TransferRulesScreen(TransferScreenBase):
    """What a citizen should know before applying, in five points and three steps."""

    SCREEN = TransferScreens.TRANSFER_RULES

    def build_body(self) -> None:
        self.paged = PagedBlocks(self, "transfer_rules")
        self.rule_rows: dict[str, QFrame] = {}
        self.rule_labels: dict[str, object] = {}
        self.rule_icons: dict[str, object] = {}
        self.badges: list[Badge] = []
        blocks: list[QWidget] = []
        for number, (key, _icon) in enumerate(RULES, start=1):
            row = self._row(number, f"transfer_rule_{key}", with_icon=True)
            self.rule_rows[key] = row
            blocks.append(row)
        # The three steps are read together: one block, on a page of its own when paging.
        self.process = QFrame()
        self.process.setObjectName("transfer_rules_process")
        self.process.setProperty("role", "plain")
        process_layout = QVBoxLayout(self.process)
        process_layout.setContentsMargins(0, 0, 0, 0)
        self.process_heading = self.label("heading", name="transfer_rules_process_heading")
        process_layout.addWidget(self.process_heading)
        self.step_rows: dict[str, QFrame] = {}
        for number, key in enumerate(PROCESS_STEPS, start=1):
            row = self._row(number, f"transfer_step_{key}", with_icon=False)
            self.step_rows[key] = row
            process_layout.addWidget(row)
        self._process_layout = process_layout
        blocks.append(self.process)
        self.paged.set_blocks(blocks, break_before=[len(RULES)])

        self.progress_button = self.button("secondary", Intent.VIEW_PROGRESS, None, "transfer_rules_progress")
        self.apply_button = self.button("primary", Intent.START_APPLICATION, None, "transfer_rules_apply")
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.progress_button)
        actions.addWidget(self.apply_button)
        self._actions = actions
        self.body.addWidget(self.paged.area, 1)
        self.body.addWidget(self.paged.pager)
        self.body.addLayout(actions)

    def _row(self, number: int, name: str, *, with_icon: bool) -> QFrame:
        row = QFrame()
        row.setObjectName(name)
        row.setProperty("role", "plain")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        badge = Badge(number, self.theme)
        self.badges.append(badge)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        if with_icon:
            icon = plain_label("", "body")
            icon.setObjectName(f"{name}_icon")
            layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
            self.rule_icons[name] = icon
        text = self.label("body", name=f"{name}_text")
        layout.addWidget(text, 1)
        self.rule_labels[name] = text
        row.badge = badge
        row.text_label = text
        return row

    def title_key(self, state: FlowState) -> str:
        return "transfer_rules.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self._actions.setSpacing(gap)
        self.paged.set_spacing(round(gap * 0.6), spread=2.5)
        self._process_layout.setSpacing(round(gap * 0.6))
        line = round(self.theme.font_px("body", self.elder) * 1.45)   # one text line
        for badge in self.badges:
            badge.set_size(round(self.theme.font_px("body", self.elder) * 1.2))
            badge.setContentsMargins(0, 0, 0, 0)
        for row in list(self.rule_rows.values()) + list(self.step_rows.values()):
            row.layout().setSpacing(gap)
        px = icon_size(self, "body", 1.25)
        for (key, kind), name in zip(RULES, self.rule_icons):
            icon = self.rule_icons[name]
            icon.setPixmap(icon_pixmap(kind, px, self.theme.primary))
            icon.setFixedSize(px, max(px, line))
        self.size_main_buttons(self.progress_button, self.apply_button)

    def first_focus(self) -> QWidget | None:
        return self.apply_button

    def draw(self, state: FlowState) -> None:
        for key, _kind in RULES:
            self.rule_rows[key].text_label.setText(self.t(f"transfer_rules.rule.{key}"))
            self.rule_rows[key].setAccessibleName(self.t(f"transfer_rules.rule.{key}"))
        self.process_heading.setText(self.t("transfer_rules.process_heading"))
        for key in PROCESS_STEPS:
            self.step_rows[key].text_label.setText(self.t(f"transfer_rules.step.{key}"))
        set_button(self, self.apply_button, self.t("transfer_rules.apply"), "check", on_primary=True)
        set_button(self, self.progress_button, self.t("transfer_rules.progress"), "clock")
        self.fit()

    def fit(self) -> None:
        self.paged.fit()


# --- 2. where from --------------------------------------------------------------------------

class ChoiceGrid:
    """Big buttons in a grid, as many per page as fit; the page is local display state.

    `choose(code)` is called with the code of the button pressed. The pool of buttons
    grows as needed and is reused from page to page.
    """

    def __init__(self, screen: TransferScreenBase, name: str, choose: Callable[[str], None]) -> None:
        self.screen = screen
        self.name = name
        self._choose = choose
        self.area = QWidget()
        self.area.setObjectName(f"{name}_area")
        self.area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        outer = QVBoxLayout(self.area)
        outer.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        outer.addLayout(self.grid)
        outer.addStretch(1)
        self.pager = Pager(screen, f"{name}_pager", self.turn)
        self.buttons: list[KioskButton] = []
        self.items: list[areas.AreaName] = []
        self.selected = ""
        self.page = 0
        self.per_page = 1
        self.columns = 1

    def set_items(self, items: Sequence[areas.AreaName], selected: str) -> None:
        if [i.code for i in items] != [i.code for i in self.items]:
            self.page = 0
        self.items = list(items)
        self.selected = selected

    def page_count(self) -> int:
        return max(1, -(-len(self.items) // self.per_page))

    def fit(self) -> None:
        screen = self.screen
        language, gap = screen.language, screen.theme.spacing_px(screen.elder)
        self.grid.setHorizontalSpacing(gap)
        self.grid.setVerticalSpacing(gap)
        probe = self._button(0)
        probe.ensurePolished()
        metrics = probe.fontMetrics()
        px = icon_size(screen, "button", 1.0)
        padding = 2 * (24 + 4) + 8      # the stylesheet's padding and border, and a little air
        widths = [metrics.horizontalAdvance(item.name(language)) + padding for item in self.items]
        # Only the chosen item carries the check icon.
        widths += [metrics.horizontalAdvance(item.name(language)) + padding + px + 4
                   for item in self.items if item.code == self.selected]
        cell_width = max([screen.theme.min_target_px(screen.elder)] + widths)
        probe.setText(self.items[0].name(language) if self.items else "")
        cell_height = max(screen.theme.min_target_px(screen.elder), probe.sizeHint().height())

        for button in self.buttons:
            button.hide()
        self.pager.hide()
        relayout(screen)
        width, height = self.area.width(), self.area.height()
        self.columns = max(1, (width + gap) // (cell_width + gap))
        rows = max(1, (height + gap) // (cell_height + gap))
        if rows * self.columns < len(self.items):
            self.pager.show()
            relayout(screen)
            rows = max(1, (self.area.height() + gap) // (cell_height + gap))
        elif self.items:
            # Everything on one page with room to spare: taller buttons are easier to hit.
            needed_rows = -(-len(self.items) // self.columns)
            roomy = (height + gap) // needed_rows - gap
            cell_height = max(cell_height, min(round(cell_height * 1.4), roomy))
        self.per_page = rows * self.columns
        self.cell_height = cell_height
        if self.selected and self.page == 0:
            for index, item in enumerate(self.items):
                if item.code == self.selected:
                    self.page = index // self.per_page
        self.page = max(0, min(self.page, self.page_count() - 1))
        self._show_page()

    def turn(self, step: int) -> None:
        focused = self.screen.focusWidget()
        self.page = max(0, min(self.page + step, self.page_count() - 1))
        self._show_page()
        keep_focus(self.screen, (self.pager.next_button, self.pager.previous_button), focused)

    def visible_buttons(self) -> list[KioskButton]:
        return [b for b in self.buttons if b.isVisibleTo(self.screen)]

    def _button(self, index: int) -> KioskButton:
        while len(self.buttons) <= index:
            button = self.screen.button("secondary", name=f"{self.name}_choice_{len(self.buttons)}")
            button.setParent(self.area)     # styled (and measured) like its neighbours from the start
            button.setProperty("textrole", "control")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.activated.connect(lambda b=button: self._choose(str(b.property("code") or "")))
            button.hide()
            self.buttons.append(button)
            # Keypad order: the grid's buttons, then the page buttons, then the rest.
            if len(self.buttons) > 1:
                self.screen.setTabOrder(self.buttons[-2], button)
            self.screen.setTabOrder(button, self.pager.previous_button)
            self.screen.setTabOrder(self.pager.previous_button, self.pager.next_button)
        return self.buttons[index]

    def _show_page(self) -> None:
        screen = self.screen
        start = self.page * self.per_page
        shown = self.items[start:start + self.per_page]
        for button in self.buttons:
            self.grid.removeWidget(button)
        for index, item in enumerate(shown):
            button = self._button(index)
            row, column = divmod(index, self.columns)
            self.grid.addWidget(button, row, column)
            button.setProperty("code", item.code)
            button.setObjectName(f"{self.name}_{item.code}")
            chosen = item.code == self.selected
            button.set_active(chosen)
            set_button(screen, button, item.name(screen.language), "check" if chosen else "")
            button.setMinimumHeight(self.cell_height)
            button.show()
        for button in self.buttons[len(shown):]:
            button.hide()
            button.setProperty("code", "")
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < self.columns else 0)
        count = self.page_count()
        self.pager.setVisible(count > 1)
        if count > 1:
            self.pager.show_position(self.page + 1, count)
        screen.apply_targets()
        relayout(screen)


class TransferFromScreen(TransferScreenBase):
    """Where the citizen was insured before: a province, then one of its cities."""

    SCREEN = TransferScreens.TRANSFER_FROM

    def build_body(self) -> None:
        self.step_label = self.label("body", name="transfer_from_step")
        set_tone(self.step_label, "strong")
        self.change_button = self.button("secondary", TransferIntent.SELECT_PROVINCE, "", "transfer_from_change_province")
        top = QHBoxLayout()
        top.addWidget(self.step_label, 1)
        top.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._top = top
        self.chosen_label = self.label("body", name="transfer_from_chosen")
        set_tone(self.chosen_label, "strong")
        self.empty_label = self.label("body", name="transfer_from_no_cities")
        self.grid = ChoiceGrid(self, "transfer_from", self._choose)
        self.body.addLayout(top)
        self.body.addWidget(self.chosen_label)
        self.body.addWidget(self.empty_label)
        self.body.addWidget(self.grid.area, 1)
        self.body.addWidget(self.grid.pager)
        self._mode = ""
        self._last_province = ""

    def _choose(self, code: str) -> None:
        if not code:
            return
        if self._mode == "cities":
            self.emit_intent(TransferIntent.SELECT_CITY, code)
        else:
            self.emit_intent(TransferIntent.SELECT_PROVINCE, code)

    def title_key(self, state: FlowState) -> str:
        return "transfer_from.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        self._top.setSpacing(self.theme.spacing_px(self.elder))

    def first_focus(self) -> QWidget | None:
        shown = self.grid.visible_buttons()
        chosen = [b for b in shown if b.is_active()]
        return (chosen or shown or [self.back_button])[0]

    def draw(self, state: FlowState) -> None:
        view = transfer_view(state)
        language = state.language
        province = areas.area_name(view.province) if view.province else None
        if province is not None:
            self._mode = "cities"
            self._last_province = province.code
            items = areas.cities_of(province.code)
            self.step_label.setText(self.t("transfer_from.choose_city", province=province.name(language)))
            self.grid.set_items(items, view.city)
            chosen = chosen_area_label(view.province, view.city, self.t, language)
        else:
            self._mode = "provinces"
            items = areas.provinces()
            self.step_label.setText(self.t("transfer_from.choose_province"))
            self.grid.set_items(items, self._last_province)
            chosen = ""
        self.chosen_label.setText(self.t("transfer_from.chosen", area=chosen) if chosen else "")
        self.chosen_label.setVisible(bool(chosen))
        self.empty_label.setText(self.t("transfer_from.no_cities"))
        self.empty_label.setVisible(province is not None and not items)
        self.change_button.setVisible(province is not None)
        set_button(self, self.change_button, self.t("transfer_from.change_province"), "back")
        self.fit()

    def fit(self) -> None:
        self.grid.fit()


# --- 3. contact mobile ----------------------------------------------------------------------

KEYPAD = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"), ("clear", "0", "delete"))


class TransferContactScreen(TransferScreenBase):
    """The contact mobile number, typed on the screen's keypad or the tactile one.

    Left: the number as typed, a validation error, and the back office's yes (from -> to
    and its explanation). When the explanation does not fit beside the keypad it sits
    behind a "read the full note" button that shows it in place of the keypad.
    """

    SCREEN = TransferScreens.TRANSFER_CONTACT
    accepts_digits = True

    def build_body(self) -> None:
        self._note_open = False
        self._shown_length = 0
        self.why_label = self.label("body", name="transfer_contact_why")
        self.number_panel = QFrame()
        self.number_panel.setObjectName("transfer_contact_number_panel")
        self.number_panel.setProperty("role", "panel")
        self.number_caption = self.label("muted", wrap=False, name="transfer_contact_number_label")
        self.count_label = self.label("muted", wrap=False, name="transfer_contact_count")
        self.mobile_label = self.label("digits", wrap=False, name="transfer_contact_mobile")
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.number_caption)
        caption_row.addStretch(1)
        caption_row.addWidget(self.count_label)
        number_layout = QVBoxLayout(self.number_panel)
        number_layout.addLayout(caption_row)
        number_layout.addWidget(self.mobile_label)
        self._number_layout = number_layout

        self.error_line = IconLine("transfer_contact_error")

        self.eligible_panel = QFrame()
        self.eligible_panel.setObjectName("transfer_contact_eligibility")
        self.eligible_panel.setProperty("role", "note")
        self.eligible_line = IconLine("transfer_contact_eligible")
        self.route_label = self.label("body", name="transfer_contact_route")
        self.message_label = self.label("body", name="transfer_contact_message")
        self.note_button = self.button("secondary", name="transfer_contact_read_note")
        self.note_button.activated.connect(lambda: self._open_note(not self._note_open))
        eligible_layout = QVBoxLayout(self.eligible_panel)
        eligible_layout.addWidget(self.eligible_line)
        eligible_layout.addWidget(self.route_label)
        eligible_layout.addWidget(self.message_label)
        eligible_layout.addWidget(self.note_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._eligible_layout = eligible_layout

        self.left = QWidget()
        self.left.setObjectName("transfer_contact_left")
        left = QVBoxLayout(self.left)
        left.setContentsMargins(0, 0, 0, 0)
        for widget in (self.why_label, self.number_panel, self.error_line, self.eligible_panel):
            left.addWidget(widget)
        left.addStretch(1)
        self._left_layout = left

        # Right: a keypad laid out like a phone's, and Next.
        self.right = QWidget()
        self.right.setObjectName("transfer_contact_keypad")
        self.right.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, KioskButton] = {}
        for row, keys in enumerate(KEYPAD):
            for column, key in enumerate(keys):
                if key == "clear":
                    button = self.button("secondary", Intent.CLEAR, None, "transfer_contact_key_clear")
                    button.setProperty("textrole", "control")
                elif key == "delete":
                    button = self.button("secondary", Intent.DELETE, None, "transfer_contact_key_delete")
                    button.setProperty("textrole", "control")
                else:
                    button = self.button("secondary", Intent.DIGIT, key, f"transfer_contact_key_{key}")
                    button.setProperty("textrole", "digit")
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
                grid.addWidget(button, row, column)
                self.keys[key] = button
        self._grid = grid
        self.next_button = self.button("primary", Intent.CONFIRM, None, "transfer_contact_next")
        self.next_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        right = QVBoxLayout(self.right)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(grid, 1)
        right.addWidget(self.next_button)
        self._right_layout = right

        columns = QHBoxLayout()
        columns.addWidget(self.left, 1)
        columns.addWidget(self.right, 0)
        self._columns = columns
        self.body.addLayout(columns, 1)
        # Keypad users go through the digits, then Next, then the note.
        order = [self.keys[k] for row in KEYPAD for k in row] + [self.next_button, self.note_button]
        for first, second in zip(order, order[1:]):
            self.setTabOrder(first, second)

    def title_key(self, state: FlowState) -> str:
        return "transfer_contact.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        th, elder = self.theme, self.elder
        gap = th.spacing_px(elder)
        for layout in (self._left_layout, self._right_layout, self._columns):
            layout.setSpacing(gap)
        self._grid.setSpacing(gap)
        pad = round(gap * 0.8)
        self._number_layout.setContentsMargins(pad, pad // 3, pad, pad // 3)
        self._number_layout.setSpacing(0)
        self._eligible_layout.setContentsMargins(pad, pad // 2, pad, pad // 2)
        self._eligible_layout.setSpacing(round(gap * 0.3))
        for button in self.keys.values():
            button.setMinimumHeight(th.min_target_px(elder))
        self.size_main_buttons(self.next_button)

    def first_focus(self) -> QWidget | None:
        if self._note_open:
            return self.note_button
        return self.keys["1"]

    def _open_note(self, open_: bool) -> None:
        focused = self.focusWidget()
        self._note_open = open_
        if self.state is not None:
            self.fit()
        keep_focus(self, (self.note_button, self.keys["1"]), focused)

    def draw(self, state: FlowState) -> None:
        view, th = transfer_view(state), self.theme
        if view.mobile_length != self._shown_length:
            self._note_open = False       # typing: show the number being typed
            self._shown_length = view.mobile_length
        px = icon_size(self)
        self.why_label.setText(self.t("transfer_contact.why"))
        self.number_caption.setText(self.t("transfer_contact.number_label"))
        # The citizen's own number on their own screen: shown as typed (never spoken).
        self.mobile_label.setText(outside_text(view.mobile_display) if view.mobile_display else "—")
        typed = self.t("transfer_contact.digits_typed", count=view.mobile_length)
        self.mobile_label.setAccessibleName(typed)
        self.count_label.setText(typed)
        if view.mobile_error_key:
            self.error_line.set("warning", self.t(view.mobile_error_key), th.danger, px, tone="danger")

        eligibility = view.eligibility
        if eligibility is not None:
            self.eligible_line.set("check", self.t("transfer_contact.eligible"), th.primary, px, tone="good")
            from_text = area_label(eligibility.from_area, state.language) if eligibility.from_area is not None \
                else chosen_area_label(view.province, view.city, self.t, state.language)
            self.route_label.setText(self.t("transfer.route", from_area=from_text,
                                            to_area=area_label(eligibility.to_area, state.language)))
            message = in_language(state.language, zh=eligibility.message_zh, en=eligibility.message_en)
            self.message_label.setText(outside_text(message))
        else:
            self.message_label.setText("")
        for key, button in self.keys.items():
            text = self.t(f"transfer_contact.{key}") if key in ("clear", "delete") else key
            button.setText(text)
            button.setAccessibleName(text)
        set_button(self, self.next_button, self.t("transfer_contact.next"), "back", on_primary=True, mirrored=True)
        self._size_keypad()
        self.fit()

    def _size_keypad(self) -> None:
        """Three equal columns, wide enough for the widest key's words."""
        th = self.theme
        widest = 0
        for button in self.keys.values():
            button.ensurePolished()
            widest = max(widest, button.fontMetrics().horizontalAdvance(button.text()) + 2 * (24 + 4) + 4)
        column = max(th.min_target_px(self.elder), widest, round(th.font_px("heading", self.elder) * 2.2))
        for index in range(3):
            self._grid.setColumnMinimumWidth(index, column)
            self._grid.setColumnStretch(index, 1)
        self.right.setFixedWidth(3 * column + 2 * self._grid.horizontalSpacing())

    def fit(self) -> None:
        """Show as much as fits: the full explanation, else a button to it; drop the least needed first."""
        view = transfer_view(self.state) if self.state is not None else None
        has_error = bool(view and view.mobile_error_key)
        has_eligibility = bool(view and view.eligibility is not None)
        note_open = self._note_open and has_eligibility
        for widget in (self.why_label, self.number_panel, self.right):
            widget.setVisible(not note_open)
        self.error_line.setVisible(has_error and not note_open)
        self.eligible_panel.setVisible(has_eligibility)
        self.route_label.setVisible(has_eligibility)
        self.message_label.setVisible(note_open)
        self.note_button.setVisible(note_open)
        if note_open:
            set_button(self, self.note_button, self.t("transfer_contact.close_note"), "back")
        elif has_eligibility:
            # Measure without the explanation: the room is then what the body really gets.
            relayout(self)
            room, width = self.body_widget.height(), self.left.width()
            margins = self._eligible_layout.contentsMargins()
            message_width = width - margins.left() - margins.right() - 4
            extra = self.message_label.heightForWidth(message_width) + self._eligible_layout.spacing()
            if needed_height(self.left, width) + extra <= room:
                self.message_label.setVisible(True)
            else:
                self.note_button.setVisible(True)
                set_button(self, self.note_button, self.t("transfer_contact.read_note"), "info")
                self.apply_targets()
                # Still too tall (an error shown in elder mode): the title already asks for the
                # number, and the explanation behind the button names the places.
                for optional in (self.why_label, self.route_label):
                    if needed_height(self.left, width) <= room:
                        break
                    optional.setVisible(False)
        self.apply_targets()
        relayout(self)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001 (QKeyEvent)
        # Enter with the note open closes it rather than submitting a half-typed number.
        if self._note_open and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not isinstance(self.focusWidget(), KioskButton):
            self._open_note(False)
            event.accept()
            return
        super().keyPressEvent(event)


# --- 4. review ------------------------------------------------------------------------------

REVIEW_ROWS = ("from", "to", "mobile", "applicant")


class TransferReviewScreen(TransferScreenBase):
    """Everything the application will say, for a last look before submitting."""

    SCREEN = TransferScreens.TRANSFER_REVIEW

    def build_body(self) -> None:
        self.paged = PagedBlocks(self, "transfer_review")
        self.captions: dict[str, object] = {}
        self.values: dict[str, object] = {}
        self.rows: list[QFrame] = []
        for key in REVIEW_ROWS:
            row = QFrame()
            row.setObjectName(f"transfer_review_row_{key}")
            row.setProperty("role", "plain")
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            caption = self.label("muted", name=f"transfer_review_{key}_caption")
            value = self.label("body", name=f"transfer_review_{key}")
            set_tone(value, "strong")
            layout.addWidget(caption, 0, Qt.AlignmentFlag.AlignTop)
            layout.addWidget(value, 1)
            self.captions[key], self.values[key] = caption, value
            self.rows.append(row)
        self.table = QFrame()
        self.table.setObjectName("transfer_review_table")
        self.table.setProperty("role", "panel")
        table_layout = QVBoxLayout(self.table)
        for row in self.rows:
            table_layout.addWidget(row)
        self._table_layout = table_layout
        self.note = QFrame()
        self.note.setObjectName("transfer_review_note")
        self.note.setProperty("role", "note")
        self.note_line = IconLine("transfer_review_confirm")
        note_layout = QVBoxLayout(self.note)
        note_layout.addWidget(self.note_line)
        self._note_layout = note_layout
        self.paged.set_blocks([self.table, self.note])

        self.change_button = self.button("secondary", Intent.BACK, None, "transfer_review_change")
        self.submit_button = self.button("primary", Intent.SUBMIT, None, "transfer_review_submit")
        actions = QHBoxLayout()
        actions.addWidget(self.change_button)
        actions.addStretch(1)
        actions.addWidget(self.submit_button)
        self._actions = actions
        self.body.addWidget(self.paged.area, 1)
        self.body.addWidget(self.paged.pager)
        self.body.addLayout(actions)

    def title_key(self, state: FlowState) -> str:
        return "transfer_review.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self._actions.setSpacing(gap)
        self.paged.set_spacing(gap)
        self._table_layout.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._table_layout.setSpacing(round(gap * 0.6))
        self._note_layout.setContentsMargins(gap, gap // 2, gap, gap // 2)
        for row in self.rows:
            row.layout().setSpacing(gap)
        self.size_main_buttons(self.change_button, self.submit_button)

    def first_focus(self) -> QWidget | None:
        return self.submit_button

    def draw(self, state: FlowState) -> None:
        view, language = transfer_view(state), state.language
        citizen = state.citizen
        for key in REVIEW_ROWS:
            self.captions[key].setText(self.t(f"transfer_review.{key}"))
        self.values["from"].setText(chosen_area_label(view.province, view.city, self.t, language)
                                    or (area_label(view.eligibility.from_area, language)
                                        if view.eligibility is not None else documents.NO_VALUE))
        self.values["to"].setText(area_label(view.eligibility.to_area, language)
                                  if view.eligibility is not None else documents.NO_VALUE)
        self.values["mobile"].setText(masked_mobile(view.mobile_display) or documents.NO_VALUE)
        if citizen is not None:
            self.values["applicant"].setText(f"{outside_text(citizen.name)}  {outside_text(citizen.ssn_masked)}")
        else:
            self.values["applicant"].setText(documents.NO_VALUE)
        # One caption width, so the values line up.
        widest = max(caption.fontMetrics().horizontalAdvance(caption.text()) + 4
                     for caption in self.captions.values())
        for caption in self.captions.values():
            caption.setFixedWidth(widest)
        self.note_line.set("warning", self.t("transfer_review.confirm_note"), self.theme.warning, icon_size(self))
        set_button(self, self.change_button, self.t("transfer_review.change"), "back")
        set_button(self, self.submit_button, self.t("transfer_review.submit"), "check", on_primary=True)
        self.fit()

    def fit(self) -> None:
        self.paged.fit()


# --- 5. done -------------------------------------------------------------------------------------

RECEIPT_ICONS = {
    "transfer.receipt.printed": ("printer", "primary", ""),
    "transfer.receipt.printing": ("printer", "muted", "muted"),
}


class TransferDoneScreen(TransferScreenBase):
    """The application is in: its number, where it stands, what happens next, the receipt."""

    SCREEN = TransferScreens.TRANSFER_DONE

    def build_body(self) -> None:
        self.paged = PagedBlocks(self, "transfer_done")
        self.number_panel = QFrame()
        self.number_panel.setObjectName("transfer_done_number_panel")
        self.number_panel.setProperty("role", "panel")
        self.success_line = IconLine("transfer_done_success")
        self.number_label = self.label("digits", name="transfer_done_application_id")
        self.status_label = self.label("body", name="transfer_done_status")
        number_layout = QVBoxLayout(self.number_panel)
        number_layout.addWidget(self.success_line)
        number_layout.addWidget(self.number_label)
        number_layout.addWidget(self.status_label)
        self._number_layout = number_layout
        self.next_heading = label_block(self, "heading", "transfer_done_next_heading")
        self.next_text = label_block(self, "body", "transfer_done_next_steps")
        self.sms_text = label_block(self, "body", "transfer_done_sms")
        self.receipt_line = IconLine("transfer_done_receipt")
        self.paged.set_blocks([self.number_panel, self.receipt_line, self.next_heading, self.next_text,
                               self.sms_text], keep_with_next=[2])

        self.retry_button = self.button("secondary", Intent.PRINT_RECEIPT, None, "transfer_done_print_again")
        self.progress_button = self.button("secondary", Intent.VIEW_PROGRESS, None, "transfer_done_progress")
        self.ok_button = self.button("primary", Intent.CONFIRM, None, "transfer_done_ok")
        actions = QHBoxLayout()
        actions.addWidget(self.retry_button)
        actions.addStretch(1)
        actions.addWidget(self.progress_button)
        actions.addWidget(self.ok_button)
        self._actions = actions
        self.body.addWidget(self.paged.area, 1)
        self.body.addWidget(self.paged.pager)
        self.body.addLayout(actions)

    def title_key(self, state: FlowState) -> str:
        return "transfer_done.deferred_title" if transfer_view(state).deferred_reference else "transfer_done.title"

    def on_style_changed(self) -> None:
        super().on_style_changed()
        gap = self.theme.spacing_px(self.elder)
        self._actions.setSpacing(gap)
        self.paged.set_spacing(round(gap * 0.7), spread=2.0)
        self._number_layout.setContentsMargins(gap, gap // 2, gap, gap // 2)
        self._number_layout.setSpacing(round(gap * 0.3))
        self.size_main_buttons(self.progress_button, self.ok_button)

    def first_focus(self) -> QWidget | None:
        return self.ok_button

    def draw(self, state: FlowState) -> None:
        view, th, language = transfer_view(state), self.theme, state.language
        application = view.application
        if view.deferred_reference:
            # Held in this terminal's outbox: never "submitted" until the back office confirms.
            self.success_line.set("clock", self.t("transfer_done.deferred_number"), th.warning, icon_size(self),
                                  tone="warning")
            self.number_label.setText(outside_text(view.deferred_reference))
            self.status_label.setText(self.t("transfer_done.deferred_status"))
        else:
            self.success_line.set("check", self.t("transfer_done.number"), th.primary, icon_size(self), tone="good")
            self.number_label.setText(outside_text(application.id) if application is not None
                                      else documents.NO_VALUE)
            if application is not None:
                status = documents.transfer_status_name(application.status, language, catalog=self.catalog)
                self.status_label.setText(self.t("transfer_done.status", status=status))
        self.status_label.setVisible(application is not None or bool(view.deferred_reference))
        self.progress_button.setVisible(not view.deferred_reference)
        self.next_heading.label.setText(self.t("transfer_done.next_heading"))
        self.next_text.label.setText(self.t("transfer_done.next_steps"))
        self.sms_text.label.setText(self.t("transfer_done.sms"))
        key = f"transfer.receipt.{state.receipt_status}" if state.receipt_status else ""
        if key:
            kind, color, tone = RECEIPT_ICONS.get(key, ("warning", "warning", "warning"))
            text = self.t(key) if key in self.catalog else self.t("transfer.receipt.failed")
            self.receipt_line.set(kind, text, getattr(th, color), icon_size(self), tone=tone)
        failed = bool(key) and key not in RECEIPT_ICONS
        self.retry_button.setVisible(failed)
        set_button(self, self.retry_button, self.t("transfer.receipt.retry"), "printer")
        set_button(self, self.progress_button, self.t("transfer_done.view_progress"), "clock")
        set_button(self, self.ok_button, self.t("transfer_done.ok"), "check", on_primary=True)
        blocks = [self.number_panel] + ([self.receipt_line] if key else []) \
            + [self.next_heading, self.next_text, self.sms_text]
        self.paged.set_blocks(blocks, keep_with_next=[blocks.index(self.next_heading)])
        self.fit()

    def fit(self) -> None:
        self.paged.fit()
