"""The shared province/city table (kiosk/contract/areas.py) and its picker API."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.contract import areas, identifiers

MUNICIPALITIES = ("110000", "120000", "310000", "500000")


def test_codes_are_valid_unique_six_digit_region_codes() -> None:
    codes = [code for code, _, _ in areas.PROVINCES + areas.CITIES]
    assert all(identifiers.is_valid_region_code(code) for code in codes)
    assert len(codes) == len(set(codes))
    assert all(code.endswith("0000") for code, _, _ in areas.PROVINCES)
    assert all(code.endswith("00") and not code.endswith("0000") for code, _, _ in areas.CITIES)
    assert all(zh and en and zh != en for _, zh, en in areas.PROVINCES + areas.CITIES)


def test_every_city_belongs_to_a_known_province() -> None:
    province_codes = {area.code for area in areas.provinces()}
    for code, _, _ in areas.CITIES:
        assert code[:2] + "0000" in province_codes, code
        assert areas.area_name(code) in areas.cities_of(code[:2] + "0000")
    assert sum(len(areas.cities_of(code)) for code in province_codes
               if code not in MUNICIPALITIES) == len(areas.CITIES)


def test_provinces_and_cities_are_sorted_by_code() -> None:
    provinces = areas.provinces()
    assert len(provinces) == len(areas.PROVINCES) == 31
    assert [area.code for area in provinces] == sorted(area.code for area in provinces)
    jiangsu = areas.cities_of("320000")
    assert [area.code for area in jiangsu] == ["320100", "320200", "320300", "320500", "321000"]
    for province in provinces:
        codes = [city.code for city in areas.cities_of(province.code)]
        assert codes == sorted(codes)


@pytest.mark.parametrize("code", MUNICIPALITIES)
def test_a_municipality_is_its_own_only_city(code: str) -> None:
    assert areas.is_municipality(code)
    assert areas.cities_of(code) == [areas.area_name(code)]


def test_area_name_and_language() -> None:
    nanjing = areas.area_name("320100")
    assert nanjing == areas.AreaName("320100", "南京市", "Nanjing")
    assert nanjing.name("zh") == nanjing.name("zh_CN") == "南京市"
    assert nanjing.name("en") == nanjing.name("en_US") == "Nanjing"
    assert areas.area_name("110000").name("en") == "Beijing"
    with pytest.raises(dataclasses.FrozenInstanceError):
        nanjing.name_zh = "x"  # type: ignore[misc]


@pytest.mark.parametrize("code", ["999999", "320102", "", "32010", "abcdef"])
def test_unknown_codes(code: str) -> None:
    assert areas.area_name(code) is None
    assert areas.cities_of(code) == []


def test_a_city_code_has_no_cities() -> None:
    assert areas.cities_of("320100") == []
    assert areas.cities_of("460000") == []  # a known province without listed cities


def test_lists_are_copies() -> None:
    areas.provinces().clear()
    areas.cities_of("320000").clear()
    assert len(areas.provinces()) == 31 and len(areas.cities_of("320000")) == 5


def test_the_back_office_uses_the_same_tables() -> None:
    from backoffice import areas as backoffice_areas

    assert backoffice_areas.PROVINCES is areas.PROVINCES and backoffice_areas.CITIES is areas.CITIES
    assert backoffice_areas.MUNICIPALITY_PREFIXES is areas.MUNICIPALITY_PREFIXES
