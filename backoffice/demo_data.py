"""Deterministic demo data: the same seed and as_of date always give the same database.

DEMO_CITIZENS are the hand-designed people the demo, the virtual card and the card
simulator use (they need the clear PIN; the database stores only its hash). The rest
of the >= 50 citizens are generated from `random.Random(seed)`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from dataclasses import dataclass, field

from kiosk.contract.identifiers import ssn_check_char
from kiosk.contract.models import InsuranceType, TransferStatus

from backoffice import areas, db, periods, working_days
from backoffice.pin_hash import hash_pin


def _ssn(region: str, birth: str, sequence: str) -> str:
    first17 = region + birth + sequence
    return first17 + ssn_check_char(first17)


@dataclass(frozen=True)
class DemoCitizen:
    key: str
    name: str
    sex: str
    birth_date: dt.date
    ssn: str
    card_number: str
    card_id_code: str
    pin: str  # clear demo PIN for the virtual card and simulator; only the hash is stored
    special_zh: str
    special_en: str
    card_status: str = "normal"
    pin_tries_left: int = 3
    mobile: str = "13900000000"


DEMO_CITIZENS: tuple[DemoCitizen, ...] = (
    DemoCitizen("zhang_wei", "张伟", "M", dt.date(1980, 3, 15), _ssn("320102", "19800315", "123"),
                "A00000019", "320100D156000005A1B2C3D4E5F60001", "123456",
                "普通职工，南京同一单位连续参保20年，五险齐全",
                "Ordinary employee, 20 years with one Nanjing employer, all five insurance types",
                mobile="13912340001"),
    DemoCitizen("wang_fang", "王芳", "F", dt.date(1975, 7, 22), _ssn("320104", "19750722", "246"),
                "A00000027", "320100D156000005A1B2C3D4E5F60002", "111111",
                "灵活就业人员（60%档次），只缴养老和医疗，最近5个月欠缴",
                "Flexible worker (60% grade), pension and medical only, the last 5 months owed",
                mobile="13912340002"),
    DemoCitizen("liu_yang", "刘洋", "M", dt.date(1988, 11, 2), _ssn("320106", "19881102", "357"),
                "A00000035", "320100D156000005A1B2C3D4E5F60003", "222222",
                "单位2022年4-12月缓缴养老、失业、工伤保险",
                "Employer deferred pension, unemployment and work injury Apr-Dec 2022",
                mobile="13912340003"),
    DemoCitizen("chen_jing", "陈静", "F", dt.date(1985, 5, 10), _ssn("440104", "19850510", "468"),
                "A00000043", "320100D156000005A1B2C3D4E5F60004", "333333",
                "2008-2016年在广州参保，现在南京参保，可申请养老保险跨省转移",
                "Insured in Guangzhou 2008-2016, now in Nanjing: eligible for a cross-province pension transfer",
                mobile="13912340004"),
    DemoCitizen("yang_lei", "杨磊", "M", dt.date(1983, 9, 18), _ssn("320505", "19830918", "579"),
                "A00000051", "320100D156000005A1B2C3D4E5F60005", "444444",
                "从苏州到南京，省内流动，省级统筹无需办理转移",
                "Moved Suzhou -> Nanjing within Jiangsu: provincial pooling, no transfer needed",
                mobile="13912340005"),
    DemoCitizen("li_xiuying", "李秀英", "F", dt.date(1962, 1, 8), _ssn("320103", "19620108", "682"),
                "A00000060", "320100D156000005A1B2C3D4E5F60006", "555555",
                "退休人员，已领取养老金（早年在合肥参保），转移申请会被拒绝",
                "Retiree drawing a pension (earlier insured in Hefei): a transfer is refused",
                mobile="13912340006"),
    DemoCitizen("zhao_min", "赵敏", "F", dt.date(1992, 4, 30), _ssn("320113", "19920430", "724"),
                "A00000078", "320100D156000005A1B2C3D4E5F60007", "666666",
                "社保卡已挂失，刷卡被拒绝（可用电子社保卡）",
                "Card reported lost: card sessions are refused (the e-card still works)",
                card_status="lost", mobile="13912340007"),
    DemoCitizen("zhou_jie", "周杰", "M", dt.date(1979, 12, 12), _ssn("330106", "19791212", "835"),
                "A00000086", "320100D156000005A1B2C3D4E5F60008", "777777",
                "曾在杭州参保，有一笔办理中的养老保险转移申请（一个环节已超时）",
                "Earlier insured in Hangzhou; has a pension transfer in progress (one step overdue)",
                mobile="13912340008"),
    DemoCitizen("sun_li", "孙丽", "F", dt.date(1990, 8, 8), _ssn("320111", "19900808", "946"),
                "A00000094", "320100D156000005A1B2C3D4E5F60009", "888888",
                "社保卡密码已锁定（重试次数为0），需到柜台解锁",
                "Card PIN blocked (no tries left): must be unblocked at a counter",
                pin_tries_left=0, mobile="13912340009"),
    # 䶮 (U+4DAE) is outside GBK and GB2312: the card holds it as GB 18030, screens and the
    # certificate need a font fallback, and a receipt printer's own font lacks it.
    DemoCitizen("wang_yan", "王䶮", "M", dt.date(1995, 6, 18), _ssn("320102", "19950618", "135"),
                "A00000102", "320100D156000005A1B2C3D4E5F60010", "246810",
                "姓名含生僻字“䶮”（GB 18030，GBK之外），读卡、显示、凭条和证明都要正确",
                "Name with the rare character 䶮 (GB 18030, outside GBK): card, screen, receipt and certificate",
                mobile="13912340010"),
)


def demo_citizens() -> tuple[DemoCitizen, ...]:
    return DEMO_CITIZENS


def demo_citizen(key: str) -> DemoCitizen:
    for citizen in DEMO_CITIZENS:
        if citizen.key == key:
            return citizen
    raise KeyError(key)


MIN_CITIZENS = 50

# Contribution rates in basis points (1/10000): (employer, personal).
EMPLOYEE_RATES_BP = {
    InsuranceType.PENSION: (1600, 800),
    InsuranceType.MEDICAL: (800, 200),
    InsuranceType.UNEMPLOYMENT: (50, 50),
    InsuranceType.WORK_INJURY: (40, 0),
    InsuranceType.MATERNITY: (80, 0),
}
FLEXIBLE_RATES_BP = {
    InsuranceType.PENSION: (0, 2000),
    InsuranceType.MEDICAL: (0, 900),
}
DEFERRABLE_TYPES = (InsuranceType.PENSION, InsuranceType.UNEMPLOYMENT, InsuranceType.WORK_INJURY)
# 2022 relief policy: hard-hit employers could defer these three from April to December.
DEFERRAL_2022 = range(periods.to_index("202204"), periods.to_index("202212") + 1)


def average_wage_yuan(year: int) -> int:
    """A smooth stand-in for the provincial average monthly wage that sets base limits."""
    return round(1200 * 1.09 ** (year - 2000))


def base_limits_yuan(year: int) -> tuple[int, int]:
    average = average_wage_yuan(year)
    return round(average * 0.6), round(average * 3)


@dataclass
class Spell:
    """A run of months contributed in one place under one payer."""
    start: int  # month index, inclusive
    end: int    # month index, inclusive
    area: str
    employer: str | None = None  # employer key; None = flexible worker paying personally
    grade: str | None = None     # flexible workers: "60%" / "100%" / "300%"
    salary_ratio: float = 1.0    # salary relative to the average wage
    defers_2022: bool = False
    owed_tail_months: int = 0


@dataclass
class Profile:
    key: str
    name: str
    sex: str
    birth_date: dt.date
    ssn: str
    spells: list[Spell]
    retired_on: int | None = None  # month index the pension started
    card_number: str = ""
    card_id_code: str = ""
    pin: str = ""
    card_status: str = "normal"
    pin_tries_left: int = 3
    mobile: str = ""
    transfers: list[dict] = field(default_factory=list)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN_MALE = ["强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "建国", "志强",
              "海波", "文博", "子轩", "浩然", "俊杰", "宇航", "国栋"]
GIVEN_FEMALE = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "婷", "雪", "慧", "秀兰", "桂英",
                "晓燕", "雅琪", "欣怡", "梦瑶", "思雨", "佳怡", "玉梅", "春花"]
COMPANY_WORDS = ["华信", "恒达", "金陵", "新纪元", "博远", "瑞丰", "天成", "汇通", "中联", "鼎盛", "宏图", "长江",
                 "东方", "锦程", "永安", "星辰"]
COMPANY_KINDS = ["科技有限公司", "商贸有限公司", "建设工程有限公司", "餐饮管理有限公司", "物流有限公司",
                 "电子股份有限公司", "医药有限公司", "物业服务有限公司", "机械制造有限公司", "文化传媒有限公司"]

# Hand-designed employers the named citizens work for (key -> (name, area)).
NAMED_EMPLOYERS = {
    "nj_software": ("南京金陵软件科技有限公司", "320100"),
    "nj_restaurant": ("南京秦淮人家餐饮管理有限公司", "320100"),
    "nj_hospital_supply": ("南京康宁医疗器械有限公司", "320100"),
    "nj_logistics": ("南京长江物流有限公司", "320100"),
    "nj_textile": ("南京第二纺织厂", "320100"),
    "gz_electronics": ("广州珠江电子股份有限公司", "440100"),
    "sz_machinery": ("苏州工业园区精密机械有限公司", "320500"),
    "hz_trading": ("杭州西湖商贸有限公司", "330100"),
    "hf_garment": ("合肥庐州服装厂", "340100"),
}

# Where generated citizens work now (mostly Nanjing, some elsewhere in Jiangsu) and
# where the movers came from.
HOME_CITIES = ["320100"] * 7 + ["320500", "320200"]
OTHER_PROVINCE_CITIES = ["440100", "440300", "330100", "510100", "420100", "340100", "370100", "110000",
                         "310000", "410100"]
JIANGSU_CITIES = ["320500", "320200", "320300", "321000"]

TRANSFER_STEPS = (TransferStatus.SUBMITTED, TransferStatus.CERTIFICATE_ISSUED, TransferStatus.ACCEPTANCE_SENT,
                  TransferStatus.FUNDS_TRANSFERRED, TransferStatus.COMPLETED)


class _Generator:
    def __init__(self, seed: int, as_of: dt.date):
        self.rng = random.Random(seed)
        self.as_of = as_of
        # The current month is not collected yet: the last contribution month is the previous one.
        self.last_month = periods.of_date(as_of) - 1
        self.employers: dict[str, tuple[str, str]] = dict(NAMED_EMPLOYERS)
        self.used_card_numbers = {citizen.card_number for citizen in DEMO_CITIZENS}
        self.used_ssns = {citizen.ssn for citizen in DEMO_CITIZENS}

    # --- named citizens ----------------------------------------------------------

    def named_profiles(self) -> list[Profile]:
        end = self.last_month
        m = periods.to_index
        histories: dict[str, tuple[list[Spell], int | None, list[dict]]] = {
            "zhang_wei": ([Spell(end - 239, end, "320100", "nj_software", salary_ratio=1.4)], None, []),
            "wang_fang": ([Spell(m("200003"), m("201112"), "320100", "nj_textile", salary_ratio=0.8),
                           Spell(m("201201"), end, "320100", None, grade="60%", owed_tail_months=5)], None, []),
            "liu_yang": ([Spell(m("201407"), end, "320100", "nj_restaurant", salary_ratio=0.9,
                                defers_2022=True)], None, []),
            "chen_jing": ([Spell(m("200807"), m("201612"), "440100", "gz_electronics", salary_ratio=1.2),
                           Spell(m("201703"), end, "320100", "nj_hospital_supply", salary_ratio=1.3)], None, []),
            "yang_lei": ([Spell(m("200607"), m("201512"), "320500", "sz_machinery", salary_ratio=1.1),
                          Spell(m("201601"), end, "320100", "nj_logistics", salary_ratio=1.2)], None, []),
            "li_xiuying": ([Spell(m("198509"), m("199512"), "340100", "hf_garment", salary_ratio=0.9),
                            Spell(m("199601"), m("201201"), "320100", "nj_textile", salary_ratio=0.9)],
                           m("201202"), []),
            "zhao_min": ([Spell(m("201507"), end, "320100", "nj_software", salary_ratio=1.1)], None, []),
            "zhou_jie": ([Spell(m("200307"), m("201312"), "330100", "hz_trading", salary_ratio=1.0),
                          Spell(m("201403"), end, "320100", "nj_logistics", salary_ratio=1.1)], None,
                         [self._transfer_plan("330100", TransferStatus.ACCEPTANCE_SENT, overdue=True)]),
            "sun_li": ([Spell(m("201309"), end, "320100", "nj_hospital_supply", salary_ratio=1.0)], None, []),
            "wang_yan": ([Spell(m("201807"), end, "320100", "nj_software", salary_ratio=1.0)], None, []),
        }
        profiles = []
        for citizen in DEMO_CITIZENS:
            spells, retired_on, transfers = histories[citizen.key]
            profiles.append(Profile(
                key=citizen.key, name=citizen.name, sex=citizen.sex, birth_date=citizen.birth_date,
                ssn=citizen.ssn, spells=spells, retired_on=retired_on, card_number=citizen.card_number,
                card_id_code=citizen.card_id_code, pin=citizen.pin, card_status=citizen.card_status,
                pin_tries_left=citizen.pin_tries_left, mobile=citizen.mobile, transfers=transfers))
        return profiles

    # --- generated citizens ------------------------------------------------------

    def generated_profiles(self, count: int) -> list[Profile]:
        # The first few are movers from other provinces carrying one application in
        # each transfer status, so every status is present whatever the seed.
        statuses = [TransferStatus.SUBMITTED, TransferStatus.CERTIFICATE_ISSUED, TransferStatus.ACCEPTANCE_SENT,
                    TransferStatus.FUNDS_TRANSFERRED, TransferStatus.COMPLETED, TransferStatus.REJECTED,
                    TransferStatus.WITHDRAWN]
        profiles = []
        for index in range(count):
            status = statuses[index] if index < len(statuses) else None
            profiles.append(self._generated_profile(index, status))
        return profiles

    def _generated_profile(self, index: int, transfer_status: TransferStatus | None) -> Profile:
        rng = self.rng
        kind = "mover" if transfer_status else rng.choice(
            ["employee"] * 5 + ["flexible", "mover", "jiangsu_mover", "retiree", "unemployed"])
        if kind == "retiree":
            birth_year = rng.randint(1950, 1962)
        else:
            birth_year = rng.randint(1966, min(2002, self.as_of.year - 22))
        birth = dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
        sex = rng.choice("MF")
        origin = rng.choice(OTHER_PROVINCE_CITIES) if kind == "mover" else rng.choice(
            HOME_CITIES + JIANGSU_CITIES)
        ssn = self._new_ssn(origin, birth, sex)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if sex == "M" else GIVEN_FEMALE)
        first_month = periods.of_date(birth) + 12 * rng.randint(19, 24)
        end = self.last_month
        home = rng.choice(HOME_CITIES)
        ratio = round(rng.uniform(0.5, 3.5), 2)
        spells: list[Spell] = []
        retired_on = None
        transfers: list[dict] = []
        if kind == "retiree":
            retire_age = 60 if sex == "M" else rng.choice([50, 55])
            retired_on = periods.of_date(birth) + 12 * retire_age + 1
            middle = rng.randint(first_month + 60, retired_on - 60)
            spells = [Spell(first_month, middle, home, self._employer(home), salary_ratio=ratio),
                      Spell(middle + 1, retired_on - 1, home, self._employer(home), salary_ratio=ratio)]
        elif kind in ("mover", "jiangsu_mover"):
            before = rng.choice(OTHER_PROVINCE_CITIES) if kind == "mover" else rng.choice(JIANGSU_CITIES)
            switch = rng.randint(min(first_month + 24, end - 36), end - 24)
            spells = [Spell(first_month, switch, before, self._employer(before), salary_ratio=ratio),
                      Spell(switch + rng.randint(1, 4), end, "320100", self._employer("320100"),
                            salary_ratio=ratio)]
            if transfer_status:
                transfers.append(self._transfer_plan(before, transfer_status))
        elif kind == "flexible":
            switch = rng.randint(first_month + 12, end - 12)
            spells = [Spell(first_month, switch, home, self._employer(home), salary_ratio=ratio),
                      Spell(switch + 1, end, home, None, grade=rng.choice(["60%", "100%", "300%"]),
                            owed_tail_months=rng.choice([0, 0, 2, 3]))]
        elif kind == "unemployed":
            stop = end - rng.randint(3, 18)
            spells = [Spell(first_month, stop, home, self._employer(home), salary_ratio=ratio)]
        else:
            spells = [Spell(first_month, end, home, self._employer(home), salary_ratio=ratio,
                            defers_2022=rng.random() < 0.15, owed_tail_months=rng.choice([0] * 8 + [1, 2]))]
        spells = [spell for spell in spells if spell.start <= spell.end]
        return Profile(
            key=f"generated_{index:03d}", name=name, sex=sex, birth_date=birth, ssn=ssn, spells=spells,
            retired_on=retired_on, card_number=self._new_card_number(), card_id_code=self._card_id_code(home),
            pin=f"{rng.randint(0, 999999):06d}", mobile="13" + f"{rng.randint(5, 9)}" + f"{rng.randint(0, 10**8 - 1):08d}",
            transfers=transfers)

    def _new_ssn(self, region_city: str, birth: dt.date, sex: str) -> str:
        while True:
            district = region_city[:4] + f"{self.rng.randint(1, 9):02d}"
            sequence = self.rng.randint(0, 99)
            sex_digit = self.rng.choice("13579" if sex == "M" else "02468")  # odd = male
            ssn = _ssn(district, birth.strftime("%Y%m%d"), f"{sequence:02d}{sex_digit}")
            if ssn not in self.used_ssns:
                self.used_ssns.add(ssn)
                return ssn

    def _new_card_number(self) -> str:
        while True:
            number = self.rng.choice("ABCDEFGH") + f"{self.rng.randint(10**7, 10**8 - 1):08d}"
            if number not in self.used_card_numbers:
                self.used_card_numbers.add(number)
                return number

    def _card_id_code(self, city: str) -> str:
        return city + "D156000005" + f"{self.rng.getrandbits(64):016X}"

    def _employer(self, city: str) -> str:
        key = f"gen_{len(self.employers):03d}"
        city_name = next(zh for code, zh, _ in areas.CITIES + areas.PROVINCES if code == city)
        name = city_name.rstrip("市") + self.rng.choice(COMPANY_WORDS) + self.rng.choice(COMPANY_KINDS)
        self.employers[key] = (name, city)
        return key

    def _transfer_plan(self, from_city: str, status: TransferStatus, overdue: bool = False) -> dict:
        """Dates of each step of one application, ending before as_of."""
        rng = self.rng
        durations = [0] + [rng.randint(3, 13) for _ in range(4)]
        # Steps up to `reached` are done; the next one is open (or stopped, when the
        # application was rejected or withdrawn).
        reached = TRANSFER_STEPS.index(status) if status in TRANSFER_STEPS else rng.randint(0, 1)
        if overdue and reached < 4:
            durations[reached + 1] = 20  # the open step has run past its 15-working-day limit
        steps_started = (reached + 1 if status == TransferStatus.COMPLETED else reached + 2)
        # Work backwards from as_of so the current step has been open `tail` working days.
        tail = durations[min(reached + 1, 4)] if status != TransferStatus.COMPLETED else rng.randint(5, 30)
        total = sum(durations[1:reached + 1]) + tail
        created = working_days.subtract_working_days(self.as_of, total)
        steps: list[tuple[str, dt.date | None, dt.date | None]] = []
        day = created
        for position, step in enumerate(TRANSFER_STEPS):
            if position <= reached:
                started = day
                completed = working_days.add_working_days(started, durations[position]) if position else started
                steps.append((step.value, started, completed))
                day = completed
            elif position < steps_started:
                steps.append((step.value, day, None))
            else:
                steps.append((step.value, None, None))
        reason = None
        if status == TransferStatus.REJECTED:
            reason = ("转出地核查发现同期重复参保，请先清理重复缴费记录后重新申请。",
                      "The sending office found overlapping contributions; clear the duplicate months and apply again.")
        elif status == TransferStatus.WITHDRAWN:
            reason = ("申请人主动撤回申请。", "The applicant withdrew the application.")
        return {"from_city": from_city, "status": status.value, "created": created, "steps": steps,
                "reason": reason, "hour": rng.randint(9, 16), "minute": rng.randint(0, 59)}


def _contribution_rows(profile: Profile, citizen_id: int, employer_ids: dict[str, int]) -> list[tuple]:
    rows = []
    last_spell = profile.spells[-1] if profile.spells else None
    for spell in profile.spells:
        owed_from = spell.end - spell.owed_tail_months + 1 if spell.owed_tail_months else spell.end + 1
        for month in range(spell.start, spell.end + 1):
            year = month // 12
            floor, ceiling = base_limits_yuan(year)
            if spell.employer is None:
                rates = FLEXIBLE_RATES_BP
                grade = int((spell.grade or "100%").rstrip("%"))
                base_yuan = round(average_wage_yuan(year) * grade / 100)
                payer = "personal"
            else:
                rates = EMPLOYEE_RATES_BP
                base_yuan = min(max(round(average_wage_yuan(year) * spell.salary_ratio), floor), ceiling)
                payer = "employer"
            base_fen = base_yuan * 100
            for insurance_type, (employer_bp, personal_bp) in rates.items():
                if month >= owed_from and spell is last_spell:
                    status = "owed"
                elif spell.defers_2022 and month in DEFERRAL_2022 and insurance_type in DEFERRABLE_TYPES:
                    status = "deferred"
                else:
                    status = "paid"
                rows.append((citizen_id, periods.to_period(month), insurance_type.value,
                             employer_ids[spell.employer] if spell.employer else None, spell.area, payer,
                             base_fen, base_fen * employer_bp // 10000, base_fen * personal_bp // 10000, status))
    return rows


def _enrolment_rows(profile: Profile, citizen_id: int, last_month: int, home_area: str) -> list[tuple]:
    rows = []
    last = profile.spells[-1] if profile.spells else None
    for insurance_type in InsuranceType:
        covering = [spell for spell in profile.spells
                    if spell.employer is not None or insurance_type in FLEXIBLE_RATES_BP]
        grade = None
        if profile.retired_on is not None:
            status = "retired" if insurance_type in (InsuranceType.PENSION, InsuranceType.MEDICAL) else "terminated"
            area = covering[-1].area if covering else home_area
        elif last is not None and last.end == last_month and last in covering:
            status = "active"
            area = last.area
            grade = last.grade
        elif covering:
            status = "suspended"
            area = covering[-1].area
        else:
            status = "not_enrolled"
            area = home_area
        payer = "personal" if last is not None and last.employer is None and status == "active" else "employer"
        rows.append((citizen_id, insurance_type.value, status, area, payer, grade))
    return rows


def populate(conn: sqlite3.Connection, seed: int, as_of: dt.date) -> None:
    """Fill an empty database; the caller holds the write transaction."""
    generator = _Generator(seed, as_of)
    conn.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?)",
                     [(a.code, a.name_zh, a.name_en, a.level, a.province_code, a.pension_pooling)
                      for a in areas.all_area_records()])
    profiles = generator.named_profiles()
    profiles += generator.generated_profiles(MIN_CITIZENS + 5 - len(profiles))

    employer_ids: dict[str, int] = {}
    for number, (key, (name, area)) in enumerate(generator.employers.items(), start=1):
        credit_code = "91" + area + f"{generator.rng.getrandbits(40):010X}"
        conn.execute("INSERT INTO employers (id, name, area_code, credit_code) VALUES (?, ?, ?, ?)",
                     (number, name, area, credit_code))
        employer_ids[key] = number

    for citizen_id, profile in enumerate(profiles, start=1):
        last = profile.spells[-1]
        home_area = last.area
        personal_number = home_area[:4] + f"{generator.rng.randint(0, 10**10 - 1):010d}"
        conn.execute(
            "INSERT INTO citizens (id, ssn, name, sex, birth_date, personal_number, insured_area, payer_kind,"
            " contribution_grade, retired, mobile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (citizen_id, profile.ssn, profile.name, profile.sex, profile.birth_date.isoformat(), personal_number,
             home_area, "personal" if last.employer is None else "employer", last.grade,
             1 if profile.retired_on is not None else 0, profile.mobile))
        salt = generator.rng.randbytes(16)
        issued = as_of - dt.timedelta(days=generator.rng.randint(200, 3000))
        conn.execute(
            "INSERT INTO cards (card_number, citizen_id, card_id_code, pin_hash, status, pin_tries_left,"
            " issued_on, expires_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (profile.card_number, citizen_id, profile.card_id_code, hash_pin(profile.pin, salt),
             profile.card_status, profile.pin_tries_left, issued.isoformat(),
             (issued + dt.timedelta(days=3652)).isoformat()))
        conn.executemany("INSERT INTO enrolments VALUES (?, ?, ?, ?, ?, ?)",
                         _enrolment_rows(profile, citizen_id, generator.last_month, home_area))
        conn.executemany("INSERT INTO contributions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         _contribution_rows(profile, citizen_id, employer_ids))
        for number, plan in enumerate(profile.transfers, start=1):
            _insert_transfer(conn, citizen_id, number, plan, profile.mobile or "13900000000")


def _insert_transfer(conn: sqlite3.Connection, citizen_id: int, number: int, plan: dict, mobile: str) -> None:
    transfer_id = f"PT{plan['created']:%Y%m%d}{citizen_id:04d}{number:02d}"
    created = dt.datetime.combine(plan["created"], dt.time(plan["hour"], plan["minute"]), tzinfo=CHINA_TZ)
    dates = [completed or started for _, started, completed in plan["steps"] if (completed or started)]
    updated = dt.datetime.combine(max(dates), dt.time(17, 0), tzinfo=CHINA_TZ)
    reason = plan["reason"] or (None, None)
    conn.execute(
        "INSERT INTO pension_transfers (id, citizen_id, from_area, to_area, contact_mobile, status,"
        " status_reason_zh, status_reason_en, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (transfer_id, citizen_id, plan["from_city"], "320100", mobile, plan["status"], reason[0], reason[1],
         created.isoformat(), updated.isoformat()))
    conn.executemany(
        "INSERT INTO transfer_steps (transfer_id, step, started_on, completed_on) VALUES (?, ?, ?, ?)",
        [(transfer_id, step, started.isoformat() if started else None, completed.isoformat() if completed else None)
         for step, started, completed in plan["steps"]])


CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def populate_if_empty(db_path, seed: int, as_of: dt.date) -> bool:
    """Generate the demo data once; returns True when it did."""
    with db.connection(db_path) as conn, db.write_transaction(conn):
        if conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0]:
            return False
        populate(conn, seed, as_of)
        return True


def content_digest(db_path) -> str:
    """SHA-256 over every demo table's rows in key order (for the determinism test)."""
    import hashlib
    digest = hashlib.sha256()
    with db.connection(db_path) as conn:
        for table, order in (("areas", "code"), ("employers", "id"), ("citizens", "id"),
                             ("cards", "card_number"), ("enrolments", "citizen_id, insurance_type"),
                             ("contributions", "citizen_id, insurance_type, period"),
                             ("pension_transfers", "id"), ("transfer_steps", "transfer_id, step")):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order}"):
                digest.update(json.dumps([table, *row], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()
