"""缴费明细: monthly contributions by year and insurance type, paged, with a receipt."""

from kiosk.services.contributions.steps import (
    ContributionsIntent, ContributionsLoaded, ContributionsScreens, ContributionsView, LoadContributions,
    MAX_YEARS_BACK, ROWS_PER_PAGE, SERVICE, contributions_view,
)

__all__ = ["ContributionsIntent", "ContributionsLoaded", "ContributionsScreens", "ContributionsView",
           "LoadContributions", "MAX_YEARS_BACK", "ROWS_PER_PAGE", "SERVICE", "contributions_view"]
