"""Administrative areas (GB/T 2260 codes) known to the reference back office."""

from __future__ import annotations

import sqlite3
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
class AreaRecord:
    code: str
    name_zh: str
    name_en: str
    level: str
    province_code: str
    pension_pooling: str


def all_area_records() -> list[AreaRecord]:
    records = [AreaRecord(code, zh, en, "province", code, "provincial") for code, zh, en in PROVINCES]
    records += [AreaRecord(code, zh, en, "city", code[:2] + "0000", "provincial") for code, zh, en in CITIES]
    return records


def city_of(region_code: str) -> str:
    """The prefecture-level city containing a region code (a municipality is its own)."""
    if region_code[:2] in MUNICIPALITY_PREFIXES:
        return region_code[:2] + "0000"
    return region_code[:4] + "00"


def province_of(region_code: str) -> str:
    return region_code[:2] + "0000"


def resolve(conn: sqlite3.Connection, region_code: str) -> sqlite3.Row | None:
    """The known area for a region code: itself, else its city (a district code)."""
    for candidate in dict.fromkeys((region_code, city_of(region_code))):
        row = conn.execute("SELECT * FROM areas WHERE code = ?", (candidate,)).fetchone()
        if row is not None:
            return row
    return None


def load(conn: sqlite3.Connection, code: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM areas WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise LookupError(f"unknown area {code}")
    return row
