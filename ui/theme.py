"""The kiosk's look in one place: colours, font, sizes, and the Qt stylesheet.

`Theme` is plain data built from a plain dict (branding colours come from config), so
the contrast rules (WCAG minimums for every text) can be checked without a GUI: `contrast_ratio`
implements the WCAG 2.x relative-luminance formula and `Theme.contrast_pairs()` lists
every foreground/background combination the stylesheet actually uses.
`brand_theme(settings)` builds a profile's theme from config (colours, logo, sizes)
and refuses brand colours that fail those checks, naming the config key; it needs
no display, so `kiosk config check` runs it before a deployment.

Physical sizes. Touch targets and text are specified in millimetres on the panel and
converted with `mm_per_pixel`. The default, 0.248 mm/px, is a 21.5" 16:9 panel at
1920x1080 (476.6 mm / 1920 px); it is also the conservative choice for the 17"-19"
1280x1024 panels some terminals use (0.264-0.294 mm/px), since fewer millimetres per
pixel means more pixels for the same 12 mm. Set it per panel in config.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

# Plain-Python config (no Qt): `kiosk config check` builds the brand theme without a display.
from kiosk.config import ConfigError, KioskSettings

# Font size of each text role, as a multiple of `Theme.base_font_px`. Nothing is below
# 1.0: body text is the smallest text on a citizen screen.
FONT_ROLES: Mapping[str, float] = {
    "title": 1.8,
    "heading": 1.35,
    "button": 1.1,
    "control": 1.0,
    "brand": 1.0,
    "body": 1.0,
}

# Text at or above this size (CSS px, i.e. 18 pt) is "large" for WCAG (3:1 suffices).
LARGE_TEXT_PX = 24.0

# The header logo's height as a multiple of the brand font: a little taller than the
# name's capitals so the mark reads, short enough not to grow the header much.
LOGO_TO_BRAND_FONT = 1.5

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

COLOR_FIELDS: tuple[str, ...] = (
    "background", "surface", "primary", "primary_active", "primary_tint", "text",
    "text_on_primary", "muted", "warning", "danger", "focus_ring", "border",
)


def normalize_color(value: str) -> str:
    """`#abc` / `#aabbcc` -> `#AABBCC`; anything else raises ValueError."""
    if not isinstance(value, str) or not _HEX.match(value.strip()):
        raise ValueError(f"not a #RRGGBB colour: {value!r}")
    value = value.strip()[1:]
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return "#" + value.upper()


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour given as #RRGGBB."""
    hexes = normalize_color(color)[1:]
    channels = [int(hexes[i:i + 2], 16) / 255.0 for i in (0, 2, 4)]

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.x contrast ratio, 1.0 .. 21.0 (order of the arguments does not matter)."""
    hi, lo = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class ContrastPair:
    name: str
    fg: str
    bg: str
    required: float
    fg_field: str = ""   # the Theme colour fields the pair is made of (to name the config key at fault)
    bg_field: str = ""

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.fg, self.bg)

    @property
    def ok(self) -> bool:
        return self.ratio >= self.required


@dataclass(frozen=True)
class Theme:
    # Calm, official palette: deep blue on white / light blue-grey.
    background: str = "#EEF2F7"
    surface: str = "#FFFFFF"
    primary: str = "#0A4A8F"
    primary_active: str = "#073766"   # pressed primary button
    primary_tint: str = "#DDE7F3"     # pressed secondary button, "on" toggles
    text: str = "#1B2430"
    text_on_primary: str = "#FFFFFF"
    muted: str = "#4B5565"
    warning: str = "#8A4B00"
    danger: str = "#B42318"
    focus_ring: str = "#FFCC00"       # keypad focus: yellow fill + dark border
    border: str = "#C5CFDC"           # decorative dividers only (no contrast duty)
    font_family: str = "Noto Sans CJK SC"
    base_font_px: int = 28            # cap height 0.733 em -> 5.1 mm at 0.248 mm/px
    elder_scale: float = 1.3
    min_target_mm: float = 12.0
    target_spacing_mm: float = 2.0
    mm_per_pixel: float = 0.248
    corner_radius_px: int = 12
    # The brand logo (PNG/SVG) shown beside the branding name; an absolute path resolved
    # by whoever builds the theme (`brand_theme`); "" = the name alone.
    logo_path: str = ""

    def __post_init__(self) -> None:
        for name in COLOR_FIELDS:
            object.__setattr__(self, name, normalize_color(getattr(self, name)))
        if not self.font_family.strip():
            raise ValueError("font_family must not be empty")
        for name in ("base_font_px", "elder_scale", "min_target_mm", "mm_per_pixel"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if self.elder_scale < 1.0:
            raise ValueError("elder_scale must be >= 1.0 (elder mode enlarges)")
        if self.target_spacing_mm < 0 or self.corner_radius_px < 0:
            raise ValueError("spacing and radius must not be negative")

    # --- construction ---------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Theme:
        """Build from a plain dict, e.g. a config table.

        Colours may be given flat (``{"primary": "#123456"}``) or under a ``colors``
        (or ``colours``) sub-table; missing entries keep the defaults; unknown keys
        raise so a typo in config is noticed.
        """
        data = dict(data or {})
        for sub in ("colors", "colours"):
            nested = data.pop(sub, None)
            if nested is not None:
                if not isinstance(nested, Mapping):
                    raise ValueError(f"{sub} must be a table")
                data.update(nested)
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"unknown theme keys: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for key, value in data.items():
            default = known[key].default
            if isinstance(default, bool) or isinstance(value, bool):
                raise ValueError(f"theme key {key!r} has an invalid value {value!r}")
            if isinstance(default, int):
                if not isinstance(value, int):
                    raise ValueError(f"theme key {key!r} must be an integer")
            elif isinstance(default, float):
                if not isinstance(value, (int, float)):
                    raise ValueError(f"theme key {key!r} must be a number")
                value = float(value)
            elif not isinstance(value, str):
                raise ValueError(f"theme key {key!r} must be a string")
            values[key] = value
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_changes(self, **changes: Any) -> Theme:
        return replace(self, **changes)

    # --- sizes ------------------------------------------------------------------------
    def scale(self, elder: bool) -> float:
        return self.elder_scale if elder else 1.0

    def px(self, mm: float) -> int:
        """Pixels needed to cover `mm` millimetres on this panel (rounded up)."""
        return math.ceil(mm / self.mm_per_pixel - 1e-9)

    def mm(self, px: float) -> float:
        return px * self.mm_per_pixel

    def font_px(self, role: str, elder: bool = False) -> int:
        return round(self.base_font_px * FONT_ROLES[role] * self.scale(elder))

    def min_target_px(self, elder: bool = False) -> int:
        """Smallest side of any touch target, in pixels."""
        return math.ceil(self.px(self.min_target_mm) * self.scale(elder))

    def logo_px(self, elder: bool = False) -> int:
        """Height of the brand logo in the header, in pixels."""
        return round(self.font_px("brand", elder) * LOGO_TO_BRAND_FONT)

    def spacing_px(self, elder: bool = False) -> int:
        """Spacing between touch targets; never below `target_spacing_mm`."""
        return max(self.px(self.target_spacing_mm), round(16 * self.scale(elder)))

    # --- contrast ---------------------------------------------------------------------
    def contrast_pairs(self) -> list[ContrastPair]:
        """Every text/background and control/background pair the stylesheet uses.

        Text needs 4.5:1 (3:1 when large); control boundaries and the focus
        indicator need 3:1 against what they sit on.
        """
        def text_req(role: str) -> float:
            return 3.0 if self.font_px(role) >= LARGE_TEXT_PX else 4.5

        body, button = 4.5, text_req("button")
        pairs = [
            ("text on background", "text", "background", body),
            ("text on surface", "text", "surface", body),
            ("muted on background", "muted", "background", body),
            ("muted on surface", "muted", "surface", body),
            ("title (primary) on background", "primary", "background", body),
            ("heading (primary) on surface", "primary", "surface", body),
            ("text on primary (header, primary button)", "text_on_primary", "primary", body),
            ("text on pressed primary", "text_on_primary", "primary_active", body),
            ("secondary button text", "primary", "surface", button),
            ("footer control text", "primary", "surface", text_req("control")),
            ("pressed / on secondary button text", "primary", "primary_tint", button),
            ("warning text on surface", "warning", "surface", body),
            ("warning text on background", "warning", "background", body),
            ("text on warning (call staff)", "text_on_primary", "warning", button),
            ("danger text on surface", "danger", "surface", body),
            ("danger text on background", "danger", "background", body),
            ("text on danger", "text_on_primary", "danger", body),
            ("focused button text", "text", "focus_ring", button),
            ("primary button edge vs background", "primary", "background", 3.0),
            ("primary button edge vs surface", "primary", "surface", 3.0),
            ("call-staff button edge vs background", "warning", "background", 3.0),
            ("focus indicator border vs background", "text", "background", 3.0),
            ("focus indicator border vs surface", "text", "surface", 3.0),
            ("focus indicator border vs focus fill", "text", "focus_ring", 3.0),
        ]
        return [ContrastPair(name, getattr(self, fg), getattr(self, bg), required, fg, bg)
                for name, fg, bg, required in pairs]

    def contrast_problems(self) -> list[ContrastPair]:
        return [p for p in self.contrast_pairs() if not p.ok]


# A profile may name only its primary colour; the pressed shade and the light tint follow
# in the proportions of the default palette (#0A4A8F -> pressed #073766, tint #DDE7F3).
PRESSED_SHADE = 0.28                  # share of black (or white) mixed into the pressed primary
TINT_STRENGTHS = (0.13, 0.09, 0.05)   # share of primary in the tint, tried strongest first


def mix_colours(colour: str, other: str, share_of_other: float) -> str:
    """`colour` with `share_of_other` (0..1) of `other` mixed in, channel by channel in sRGB."""
    a, b = normalize_color(colour)[1:], normalize_color(other)[1:]
    channels = [round(int(a[i:i + 2], 16) * (1 - share_of_other) + int(b[i:i + 2], 16) * share_of_other)
                for i in (0, 2, 4)]
    return "#" + "".join(f"{c:02X}" for c in channels)


def derive_brand_colours(colours: Mapping[str, str]) -> dict[str, str]:
    """`primary_active` and `primary_tint` for a configured `primary`, unless configured too.

    The pressed shade moves away from the text drawn on it (darker under white text);
    the tint is a whisper of primary on the surface, as strong as keeps primary text on
    it readable (the "pressed / on secondary button" pair).
    """
    if "primary" not in colours:
        return {}
    defaults = Theme()
    primary = colours["primary"]
    text_on_primary = colours.get("text_on_primary", defaults.text_on_primary)
    derived: dict[str, str] = {}
    if "primary_active" not in colours:
        lighter_text = relative_luminance(text_on_primary) > relative_luminance(primary)
        derived["primary_active"] = mix_colours(primary, "#000000" if lighter_text else "#FFFFFF", PRESSED_SHADE)
    if "primary_tint" not in colours:
        surface = colours.get("surface", defaults.surface)
        candidates = [mix_colours(surface, primary, strength) for strength in TINT_STRENGTHS]
        probe = Theme(**{**colours, **derived})
        required = next(p.required for p in probe.contrast_pairs() if p.bg_field == "primary_tint")
        derived["primary_tint"] = next((tint for tint in candidates if contrast_ratio(primary, tint) >= required),
                                       candidates[-1])
    return derived


def brand_theme(settings: KioskSettings, source: str | Path | None = None) -> Theme:
    """The citizen screens' theme for a profile: sizes from [ui], colours from [ui.colours], the logo.

    Brand colours must keep every text readable: a configured colour that is
    not a colour, or that leaves a text/background pair of `Theme.contrast_pairs` below
    its WCAG minimum, raises `ConfigError(source, "ui.colours.<name>", reason)` so the
    profile is refused by `kiosk config check` and at start, not discovered on the panel.
    `source` is the file the error names (the profile file); by default config/<profile>.toml
    when it exists, else "profile". Needs no QApplication.
    """
    ui = settings.ui
    where = source or _profile_file(settings)
    colours: dict[str, str] = {}
    for name, value in ui.colours.overrides().items():
        try:
            colours[name] = normalize_color(value)
        except ValueError:
            raise ConfigError(where, f"ui.colours.{name}",
                              f"must be a colour like \"#0A4A8F\" (got {value!r})") from None
    derived = derive_brand_colours(colours)
    theme = Theme(elder_scale=ui.elder_scale, mm_per_pixel=ui.mm_per_pixel,
                  logo_path=str(settings.resolve_path(ui.logo)) if ui.logo else "", **colours, **derived)
    problems = theme.contrast_problems()
    if problems:
        key, reason = _contrast_complaint(theme.contrast_pairs(), problems[0], colours, derived)
        raise ConfigError(where, key, reason)
    return theme


def _profile_file(settings: KioskSettings) -> str:
    shipped = settings.base_dir / "config" / f"{settings.profile}.toml"
    return str(shipped) if shipped.is_file() else "profile"


def _contrast_complaint(pairs: list[ContrastPair], failing: ContrastPair, configured: Mapping[str, str],
                        derived: Mapping[str, str]) -> tuple[str, str]:
    """The config key to blame for a failing pair, and the reason in plain words.

    When both colours of the pair come from config, the one that fails more of the
    pairs it is part of is at fault: a tint too dark for the primary on it fails its
    only pair, while the primary still reads well everywhere else.
    """
    def failure_share(name: str) -> float:
        mine = [pair for pair in pairs if name in (pair.fg_field, pair.bg_field)]
        return sum(not pair.ok for pair in mine) / len(mine)

    ratio = math.floor(failing.ratio * 100) / 100   # never show 4.50 for a 4.499 that failed
    reason = (f"{failing.name}: {failing.fg} on {failing.bg} has a contrast of {ratio:.2f}:1, "
              f"needs at least {failing.required:g}:1")
    suspects = [name for name in (*configured, *derived) if name in (failing.fg_field, failing.bg_field)]
    if not suspects:   # the defaults pass on their own, so this is a configured colour's doing
        suspects = list(configured)
    if not suspects:
        return "ui.colours", reason
    blamed = max(suspects, key=failure_share)   # max keeps the first on a tie: primary before the rest
    if blamed in derived:
        # A derived shade fails only when the configured colours leave it no room.
        return "ui.colours.primary", (f"{reason} ({blamed} {derived[blamed]} was derived from primary; "
                                      f"set ui.colours.{blamed} or choose another primary)")
    return f"ui.colours.{blamed}", reason


def build_stylesheet(theme: Theme, elder: bool = False) -> str:
    """The Qt stylesheet for a screen, in normal or elder (适老) mode.

    Widgets opt in with a dynamic ``role`` property (labels, frames) or ``variant``
    property (buttons). Minimum target sizes are set in code from the theme
    (`Theme.min_target_px`), so the 12 mm rule does not depend on the box model.
    """
    t = theme
    s = t.scale(elder)
    radius = round(t.corner_radius_px * s)
    border = max(3, round(3 * s))
    pad_v = round(10 * s)
    pad_h = 24  # fixed: wider padding in elder mode would push the footer off a 1280 px panel
    font = f'font-family: "{t.font_family}";'

    def fpx(role: str) -> str:
        return f"font-size: {t.font_px(role, elder)}px;"

    return f"""
QWidget#AttractScreen, QWidget[role="screen"] {{
    background: {t.background};
}}
QLabel {{ {font} {fpx("body")} color: {t.text}; background: transparent; }}
QLabel[role="title"] {{ {fpx("title")} font-weight: 700; color: {t.primary}; }}
QLabel[role="heading"] {{ {fpx("heading")} font-weight: 700; color: {t.text}; }}
QLabel[role="body"] {{ {fpx("body")} color: {t.text}; }}
QLabel[role="muted"] {{ {fpx("body")} color: {t.muted}; }}
QLabel[role="brand"] {{ {fpx("brand")} font-weight: 700; color: {t.text_on_primary}; }}
QFrame[role="header"] {{
    background: {t.primary};
    border: none;
}}
QFrame[role="panel"] {{
    background: {t.surface};
    border: 2px solid {t.border};
    border-radius: {radius}px;
}}
QFrame[role="footer"] {{
    background: {t.surface};
    border: none;
    border-top: 2px solid {t.border};
}}
QPushButton {{
    {font} {fpx("button")}
    font-weight: 700;
    border-radius: {radius}px;
    padding: {pad_v}px {pad_h}px;
    border: {border}px solid {t.primary};
    background: {t.surface};
    color: {t.primary};
}}
QPushButton[textrole="control"] {{
    {fpx("control")}
}}
QPushButton:pressed, QPushButton[active="true"] {{
    background: {t.primary_tint};
}}
QPushButton[variant="primary"] {{
    background: {t.primary};
    color: {t.text_on_primary};
    border-color: {t.primary};
}}
QPushButton[variant="primary"]:pressed {{
    background: {t.primary_active};
    border-color: {t.primary_active};
}}
QPushButton[variant="call"] {{
    background: {t.warning};
    color: {t.text_on_primary};
    border-color: {t.warning};
}}
QPushButton[variant="call"]:pressed {{
    background: {t.text};
    border-color: {t.text};
}}
QPushButton:focus {{
    background: {t.focus_ring};
    color: {t.text};
    border-color: {t.text};
}}
QPushButton:disabled {{
    background: {t.background};
    color: {t.muted};
    border-color: {t.muted};
    border-style: dashed;
}}
"""
