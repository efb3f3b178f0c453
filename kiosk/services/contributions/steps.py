"""Contributions (缴费明细): a year's months, by insurance type, a page at a time."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.contract.enums import InsuranceType
from kiosk.flow_state import Intent, Screen
from kiosk.service_api import Journey, MenuEntry, ServiceModule, ServiceTask, Step, TaskContext
from kiosk.services.contributions.texts import TEXTS

if TYPE_CHECKING:
    from kiosk.contract import models

NAME = "contributions"
# Rows asked of the back office per page: what the contributions screen shows at 1280x1024,
# normal and elder text size (ui/services/contributions splits a page that does not fit).
ROWS_PER_PAGE = {False: 6, True: 3}
MAX_YEARS_BACK = 49                  # the year list stops here, whatever the first insured month


class ContributionsScreens(StrEnum):
    CONTRIBUTIONS = "contributions"


class ContributionsIntent(StrEnum):
    SELECT_YEAR = "select_year"      # value: int year
    SELECT_TYPE = "select_type"      # value: InsuranceType value or "" for all


@dataclasses.dataclass(frozen=True)
class ContributionsView:
    years: tuple[int, ...] = ()   # newest first
    year: int | None = None
    insurance_type: InsuranceType | None = None  # None: all types
    page: models.ContributionPage | None = None
    page_number: int = 1
    page_count: int = 1


def contributions_view(state) -> ContributionsView:
    """What this service's screens draw (a fresh view when the state has none: the wipe, a test)."""
    return state.views.get(NAME) or ContributionsView()


@dataclasses.dataclass(frozen=True)
class ContributionsLoaded:
    years: tuple[int, ...]
    year: int
    page: models.ContributionPage


@dataclasses.dataclass(frozen=True)
class LoadContributions(ServiceTask):
    token: str = dataclasses.field(repr=False)
    year: int | None
    insurance_type: InsuranceType | None
    page: int
    page_size: int

    def perform(self, context: TaskContext, cancel) -> ContributionsLoaded:
        client = context.client()
        today = context.paper.wall_clock.today()
        enrolment = client.enrolment(self.token)
        firsts = [item.first_insured for item in enrolment.items if item.first_insured]
        first = min(firsts) if firsts else f"{today.year}01"
        first_year = max(int(first[:4]), today.year - MAX_YEARS_BACK)
        years = tuple(range(today.year, first_year - 1, -1))
        year = self.year
        if year is None:
            # Open on the latest year with records (a retiree's last year, not an empty current one).
            latest = client.contributions(self.token, f"{first_year}01", f"{today.year}12", None,
                                          page=1, page_size=1)
            year = max((int(row.period[:4]) for row in latest.rows), default=today.year)
        page = client.contributions(self.token, f"{year}01", f"{year}12", self.insurance_type,
                                    page=self.page, page_size=self.page_size)
        return ContributionsLoaded(years=years, year=year, page=page)

    def done(self, journey: Journey, value: object) -> None:
        loaded: ContributionsLoaded = value
        page = loaded.page
        page_count = max(1, -(-page.total_rows // max(1, page.page_size)))
        journey.go(ContributionsScreens.CONTRIBUTIONS, replace(
            journey.view, years=loaded.years, year=loaded.year, page=page, page_number=page.page,
            page_count=page_count))


def start(journey: Journey) -> None:
    journey.set_view(ContributionsView())
    reload(journey, page=1)


def reload(journey: Journey, page: int) -> None:
    view = journey.view
    journey.run(LoadContributions(journey.token, view.year, view.insurance_type, page,
                                  ROWS_PER_PAGE[journey.state.elder_mode]), "busy.loading")


def on_contributions(journey: Journey, intent, value: object) -> bool:
    view: ContributionsView = journey.view
    if intent is Intent.PAGE and isinstance(value, int):
        page = view.page_number + (1 if value > 0 else -1)
        if 1 <= page <= view.page_count:
            reload(journey, page=page)
    elif intent == ContributionsIntent.SELECT_YEAR and isinstance(value, int) and value in view.years:
        journey.set_view(replace(view, year=value))
        reload(journey, page=1)
    elif intent == ContributionsIntent.SELECT_TYPE:
        try:
            chosen = InsuranceType(value) if value else None
        except ValueError:
            return True
        journey.set_view(replace(view, insurance_type=chosen))
        reload(journey, page=1)
    elif intent is Intent.PRINT_RECEIPT and view.page is not None:
        from kiosk.services.contributions import receipt  # the paper layout (and pydantic) loads after the first frame

        journey.print_receipt(view.page, receipt.receipt_layout)
    else:
        return False
    return True


SERVICE = ServiceModule(
    name=NAME,
    menu=(MenuEntry(NAME, start),),
    steps=(Step(ContributionsScreens.CONTRIBUTIONS, "contributions.speech", on_contributions, back=Screen.MENU,
                on_elder_mode=lambda journey: reload(journey, page=1)),),
    new_view=ContributionsView,
    texts=TEXTS,
)
