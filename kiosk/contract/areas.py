"""Provinces and cities (GB/T 2260 codes, zh/en names) shared by the kiosk and the back office.

The back office seeds its area table from these tables; the kiosk's pension-transfer form
offers them in a province → city picker. Qt-free, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

# Municipalities directly under the central government are their own city.
MUNICIPALITY_PREFIXES = frozenset({"11", "12", "31", "50"})

PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("110000", "北京市", "Beijing"), ("120000", "天津市", "Tianjin"),
    ("130000", "河北省", "Hebei"), ("140000", "山西省", "Shanxi"),
    ("150000", "内蒙古自治区", "Inner Mongolia"), ("210000", "辽宁省", "Liaoning"),
    ("220000", "吉林省", "Jilin"), ("230000", "黑龙江省", "Heilongjiang"),
    ("310000", "上海市", "Shanghai"), ("320000", "江苏省", "Jiangsu"),
    ("330000", "浙江省", "Zhejiang"), ("340000", "安徽省", "Anhui"),
    ("350000", "福建省", "Fujian"), ("360000", "江西省", "Jiangxi"),
    ("370000", "山东省", "Shandong"), ("410000", "河南省", "Henan"),
    ("420000", "湖北省", "Hubei"), ("430000", "湖南省", "Hunan"),
    ("440000", "广东省", "Guangdong"), ("450000", "广西壮族自治区", "Guangxi"),
    ("460000", "海南省", "Hainan"), ("500000", "重庆市", "Chongqing"),
    ("510000", "四川省", "Sichuan"), ("520000", "贵州省", "Guizhou"),
    ("530000", "云南省", "Yunnan"), ("540000", "西藏自治区", "Tibet"),
    ("610000", "陕西省", "Shaanxi"), ("620000", "甘肃省", "Gansu"),
    ("630000", "青海省", "Qinghai"), ("640000", "宁夏回族自治区", "Ningxia"),
    ("650000", "新疆维吾尔自治区", "Xinjiang"),
)

CITIES: tuple[tuple[str, str, str], ...] = (
    ("320100", "南京市", "Nanjing"), ("320200", "无锡市", "Wuxi"),
    ("320300", "徐州市", "Xuzhou"), ("320500", "苏州市", "Suzhou"),
    ("321000", "扬州市", "Yangzhou"), ("330100", "杭州市", "Hangzhou"),
    ("330200", "宁波市", "Ningbo"), ("340100", "合肥市", "Hefei"),
    ("350100", "福州市", "Fuzhou"), ("350200", "厦门市", "Xiamen"),
    ("370100", "济南市", "Jinan"), ("370200", "青岛市", "Qingdao"),
    ("410100", "郑州市", "Zhengzhou"), ("420100", "武汉市", "Wuhan"),
    ("430100", "长沙市", "Changsha"), ("440100", "广州市", "Guangzhou"),
    ("440300", "深圳市", "Shenzhen"), ("510100", "成都市", "Chengdu"),
    ("610100", "西安市", "Xi'an"), ("210100", "沈阳市", "Shenyang"),
    ("130100", "石家庄市", "Shijiazhuang"), ("360100", "南昌市", "Nanchang"),
)


@dataclass(frozen=True)
class AreaName:
    code: str
    name_zh: str
    name_en: str

    def name(self, language: str) -> str:
        """The name for a UI language: "en..." gives English, anything else Chinese."""
        return self.name_en if language.lower().startswith("en") else self.name_zh


_PROVINCES = tuple(sorted((AreaName(*row) for row in PROVINCES), key=lambda area: area.code))
_CITIES = tuple(sorted((AreaName(*row) for row in CITIES), key=lambda area: area.code))
_BY_CODE = {area.code: area for area in _PROVINCES + _CITIES}


def is_municipality(code: str) -> bool:
    """Beijing, Tianjin, Shanghai and Chongqing: provinces that are their own city."""
    return code[:2] in MUNICIPALITY_PREFIXES


def provinces() -> list[AreaName]:
    """All provinces, sorted by code."""
    return list(_PROVINCES)


def cities_of(province_code: str) -> list[AreaName]:
    """The known cities of a province, sorted by code; a municipality is its own only city.

    An unknown province code gives an empty list."""
    province = _BY_CODE.get(province_code)
    if province is None or province not in _PROVINCES:
        return []
    if is_municipality(province_code):
        return [province]
    return [city for city in _CITIES if city.code[:2] == province_code[:2]]


def area_name(code: str) -> AreaName | None:
    """The province or city with exactly this code, or None."""
    return _BY_CODE.get(code)
