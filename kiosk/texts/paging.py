"""Wording shared by every screen that pages or prints (a service's texts include what it uses)."""

PAGING = {
    "page_of": {"zh": "第 {page} 页，共 {count} 页", "en": "Page {page} of {count}"},
    "previous_page": {"zh": "上一页", "en": "Previous page"},
    "next_page": {"zh": "下一页", "en": "Next page"},
    "page_short": {"zh": "{page}/{count} 页", "en": "{page} / {count}"},
    # A page of the back office's that needs two screens here (elder mode): which part of it this is.
    "page_part_of": {"zh": "第 {page} 页（{part}/{parts}），共 {count} 页",
                     "en": "Page {page} ({part}/{parts}) of {count}"},
    "page_part_short": {"zh": "{page}({part}/{parts})/{count} 页", "en": "{page} ({part}/{parts}) / {count}"},
}
PRINT_THIS = {"zh": "打印凭条", "en": "Print this"}
PRINT_SHORT = {"zh": "打印", "en": "Print"}


def paging_texts(screen: str) -> dict[str, dict[str, str]]:
    """The paging controls' wording under `<screen>.`."""
    return {f"{screen}.{key}": text for key, text in PAGING.items()}


def print_texts(screen: str) -> dict[str, dict[str, str]]:
    return {f"{screen}.print": PRINT_THIS, f"{screen}.print_short": PRINT_SHORT}
