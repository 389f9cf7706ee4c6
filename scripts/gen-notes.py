#!/usr/bin/env python3
"""Labelled synthetic clinical notes for the notes benchmark (benches/notes.rs).

    python3 scripts/gen-notes.py --split tune|heldout --n 1000 --seed 1 > notes.jsonl

One JSON object per line: {"lang", "text", "row": {column: value}, "spans": [{"start", "end",
"category"}], "clinical": [{"start", "end"}]}; offsets are in Unicode characters. `row` holds the
record's identifier columns (name, mrn, phone, email, city, address, zip, dob), which the
scrubber may use; most identifiers in the text are NOT in the row (relatives, clinicians, other
places), as in real notes. Templates are split in two sets: rules were tuned on `tune` only;
`heldout` templates were written before any tuning and are reported apart; after the first
measurement their misses were read (and general faults fixed), so `fresh` templates were written
then, before any further change, and their misses are never printed by the benchmark.

Every name, place and number here is invented. Names are drawn half from frequent US names and
half from a pool written for this generator (rare and non-English surnames, multi-word surnames),
so the benchmark does not reward a dictionary for knowing the generator's names."""
import argparse, json, random

GIVEN = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony
Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth
Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason
Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna
Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine
Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis
Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce Henry Virginia
Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan Walter Evelyn Noah Judith""".split()
GIVEN_RARE = """Leonardo Ximena Anneliese Oluwaseun Siobhan Dmitri Yolanda Thaddeus Marisol Ignatius Priyanka
Rasmus Ngozi Bartholomew Esperanza Lachlan Saoirse Wilhelmina Eustace Imogen Thiago Mireille Kwame
Annika Desmond Fenella Rohan Ines Cosimo Zainab Ottilie Bashir Magdalena Cyrus Leocadia Alistair
Rosalind Teodoro Hyacinth Jovan Delphine Ambrose Nkechi Evander Philippa Anselm Valentina Casimir""".split()
SUR = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster""".split()
SUR_RARE = """Terrazas Okonkwo Vukovic Abernathy Szczepanski Lindqvist Quarshie Halvorsen Ferreira-Lima
Castellanos Nakamura Oyelaran Pemberton Valdivieso Kowalczyk Thistlewood Baptiste Grimaldi Ekwueme
Hollingsworth Zamarripa Brannigan Lefebvre Achterberg Molyneux Sorensen Iwu Delacroix Braithwaite
Rautenbach Yilmaz Ostrowski Fairweather Caballero Mbeki Ravensworth Ionescu Kristiansen Oduya
Villaseñor Tremblay Nieminen Papadakis Garside Okafor Bustamante Hargreaves Vasquez-Orr Lindgren""".split()
MULTI = ["de la Fuente", "Van der Berg", "O'Sullivan", "McAllister", "St. Clair", "da Silva",
         "Del Rosario", "van Dijk", "Le Blanc", "Mac Giolla"]
CITIES = """Springfield Riverton Castroshire Millbrook Oakhaven Fairview Brookside Lakewood Ashford
Glenwood Harlow Kingsport Westbury Maplewood Pinecrest Stonebridge Clearwater Redmond Danvers
Elmhurst Bellport Norwalk Tacoma Fresno Toledo Dayton Modesto Yonkers Salem Eugene""".split()
STATES = "AZ CA TX NY FL WA OR IL OH PA MA GA NC MI NJ VA CO MN".split()
STREETS = """Maple Oak Cedar Elm Pine Washington Lincoln Jefferson Ridge Lake Hill Park Meadow Sunset
Willow Highland Chestnut Walnut Spring Valley Church Mill River Harbor""".split()
SUFFIX = ["St", "Street", "Ave", "Avenue", "Rd", "Road", "Dr", "Drive", "Ln", "Lane", "Blvd",
          "Ct", "Way", "Pl", "Terrace"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
CN_SUR = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤") + ["欧阳", "司马", "诸葛", "上官", "慕容", "司徒"]
CN_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏飞宇浩然欣怡梓涵子轩雨婷思远嘉琪俊杰晓燕海燕春梅秋菊德福永康")
CN_PROV = [("浙江省", "杭州市", "西湖区"), ("广东省", "广州市", "天河区"), ("江苏省", "南京市", "鼓楼区"),
           ("四川省", "成都市", "武侯区"), ("湖北省", "武汉市", "洪山区"), ("山东省", "济南市", "历下区"),
           ("北京市", "", "海淀区"), ("上海市", "", "浦东新区"), ("河南省", "郑州市", "金水区"),
           ("福建省", "厦门市", "思明区"), ("湖南省", "长沙市", "岳麓区"), ("陕西省", "西安市", "雁塔区")]
CN_ROAD = ["文三路", "中山路", "人民路", "解放大道", "建设街", "长江路", "和平街", "学院路", "新华路", "东风路"]

R = random.Random()

def pick(xs): return R.choice(xs)

def given(): return pick(GIVEN) if R.random() < 0.5 else pick(GIVEN_RARE)
def surname():
    r = R.random()
    return pick(SUR) if r < 0.45 else pick(MULTI) if r < 0.55 else pick(SUR_RARE)

def date_text(lang="en"):
    y, m, d = R.randint(1930, 2025), R.randint(1, 12), R.randint(1, 28)
    yy = y % 100
    if lang == "zh":
        f = R.randint(0, 4)
        return [f"{y}年{m}月{d}日", f"{y}-{m:02}-{d:02}", f"{y}.{m}.{d}", f"{y}年{m:02}月{d:02}日", f"{m}月{d}日"][f]
    mon = MONTHS[m - 1]
    f = R.randint(0, 11)
    return [f"{mon} {d}, {y}", f"{d} {mon[:3]} {y}", f"{d} {mon} {y}", f"{m}/{d}/{yy:02}",
            f"{m}/{d}/{y}", f"{y}-{m:02}-{d:02}", f"{mon[:3]}. {d}, {y}", f"{mon} {d}",
            f"{m:02}/{d:02}/{y}", f"{mon[:3]} {d}", f"{d}-{mon[:3]}-{y}", f"{m}-{d}-{yy:02}"][f]

def phone():
    a, b, c = R.randint(201, 989), R.randint(200, 999), R.randint(0, 9999)
    return pick([f"({a}) {b}-{c:04}", f"{a}-{b}-{c:04}", f"{a}.{b}.{c:04}", f"+1 {a} {b} {c:04}"])
def cn_mobile(): return "1" + pick("35789") + "".join(str(R.randint(0, 9)) for _ in range(9))
def mrn():
    n = R.randint(1000000, 99999999)
    return pick([f"{n}", f"{pick('ABCDEFGHKMP')}{n}", f"MR{n}", f"{pick('ABCDEFGH')}{pick('ABCDEFGH')}-{n % 1000000:06}"])
def ssn(): return f"{R.randint(100, 665)}-{R.randint(10, 99)}-{R.randint(1000, 9999)}"
def zip5(): return f"{R.randint(10000, 99950)}" + (f"-{R.randint(1000, 9999)}" if R.random() < 0.2 else "")
def street(): return f"{R.randint(1, 9999)} {pick(STREETS)} {pick(['', pick(STREETS) + ' '])}{pick(SUFFIX)}".replace("  ", " ")
def email(n): return f"{n.lower().replace(' ', '.').replace(chr(39), '')}{R.randint(1, 99)}@{pick(['gmail.com', 'example.org', 'mail.cn', 'qq.com', 'outlook.com'])}"
def url(): return pick(["https://", "http://", "www.", ""]) + pick(["myhealth", "portal", "carenotes", "fb"]) + "." + pick(["example.org", "com", "cn", "net"]) + pick(["", "/p/" + str(R.randint(100, 9999))])
def ipv4(): return ".".join(str(R.randint(1, 254)) for _ in range(4))
def ipv6():
    g = [f"{R.randint(0, 65535):x}" for _ in range(8)]
    return pick([":".join(g), ":".join(g[:3]) + "::" + g[7], "fe80::" + ":".join(g[4:])])
def cn_id():
    body = f"{R.randint(110000, 659000)}{R.randint(1930, 2020)}{R.randint(1, 12):02}{R.randint(1, 28):02}{R.randint(100, 999)}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]
def cn_name(): return pick(CN_SUR) + "".join(pick(CN_GIVEN) for _ in range(R.randint(1, 2)))
def cn_addr():
    p, c, d = pick(CN_PROV)
    return f"{p}{c}{d}{pick(CN_ROAD)}{R.randint(1, 300)}号" + pick(["", f"{R.randint(1, 20)}栋{R.randint(1, 4)}单元{R.randint(101, 2801)}室"])
def age90(): return R.randint(90, 104)

CLIN_EN = ["BP 128/82", "NT-proBNP 1976 pg/mL", "500 mg bid", "I10", "E11.9", "4/5 strength",
           "2/6 murmur", "HR 88", "SpO2 94% on RA", "creatinine 1.4 mg/dL", "metformin 1000 mg daily",
           "Parkinson's disease", "Crohn's disease", "Lasix 40 mg IV", "3 days later", "T 38.2 C",
           "WBC 12.4", "Hgb 9.8 g/dL", "A1c 7.2%", "EF 35%", "GCS 15", "lisinopril 10 mg",
           "Alzheimer's dementia", "Hashimoto's thyroiditis", "Bell's palsy", "Foley catheter",
           "K 3.1", "Na 131", "INR 2.3", "troponin 0.04", "J18.9", "I50.22", "2 weeks", "via PEG tube",
           "Glasgow Coma Scale", "Tylenol 650 mg q6h prn", "apixaban 5 mg BID", "1976 kcal diet",
           "Wells score 4", "CHA2DS2-VASc 3", "Gleason 7", "Tanner stage 4", "follow up in May"]
CLIN_ZH = ["血压 128/82 mmHg", "血糖 7.8 mmol/L", "阿司匹林 100 mg qd", "肌酐 132 μmol/L", "心率 88 次/分",
           "二甲双胍 0.5 g bid", "帕金森病", "糖尿病", "冠心病", "3天后", "肌力 4/5 级", "NT-proBNP 1976 pg/mL",
           "体温 38.5℃", "左下肺感染", "CT 示", "I25.1", "E11.9"]

# Slot kinds: value generator + category; clinical slots are truth for retention.
def slots(lang, row):
    s = {
        "PT": (row["name"], "NAME"), "PTSUR": (row["name"].split(" ", 1)[-1], "NAME"),
        "PTGIVEN": (row["name"].split(" ")[0], "NAME"),
        "REL": (f"{given()} {surname()}", "NAME"), "RELG": (given(), "NAME"), "DOC": (surname(), "NAME"),
        "DOCFULL": (f"{given()} {surname()}", "NAME"), "NURSE": (given(), "NAME"),
        "DATE": (date_text(lang), "DATE"), "DATE2": (date_text(lang), "DATE"), "DOB": (row["dob"], "DATE"),
        "ZIP": (zip5(), "ZIP"), "PTZIP": (row["zip"], "ZIP"), "CITY": (pick(CITIES), "ADDRESS"), "PTCITY": (row["city"], "ADDRESS"),
        "STREET": (street(), "ADDRESS"), "PTSTREET": (row["address"], "ADDRESS"), "STATE": (pick(STATES), None),
        "PHONE": (phone() if lang == "en" else cn_mobile(), "PHONE"), "PTPHONE": (row["phone"], "PHONE"),
        "EMAIL": (email(row["name"] if lang == "en" else "zhang"), "EMAIL"), "URL": (url(), "URL"),
        "IP": (pick([ipv4(), ipv6(), ipv6()]), "IP"), "MRN": (row["mrn"], "ID"), "MRN2": (mrn(), "ID"),
        "SSN": (ssn(), "ID"), "ACCT": (f"{R.randint(10000000, 999999999)}", "ID"),
        "LIC": (f"{pick('ABDFGKMPS')}{R.randint(1000000, 9999999)}", "ID"),
        "PLATE": (f"{R.randint(1, 9)}{pick('ABCDEFGHJK')}{pick('ABCDEFGHJK')}{pick('ABCDEFGHJK')}{R.randint(100, 999)}", "ID"),
        "SERIAL": (f"SN{R.randint(10, 99)}{pick('ABCDEFX')}{R.randint(100000, 999999)}", "ID"),
        "AGE": (str(age90()), "AGE"), "CLIN": (pick(CLIN_EN if lang == "en" else CLIN_ZH), "CLIN"),
        "CLIN2": (pick(CLIN_EN if lang == "en" else CLIN_ZH), "CLIN"),
        "CN": (row["name"], "NAME"), "CNREL": (cn_name(), "NAME"), "CNSUR": (pick(CN_SUR), "NAME"),
        "CNDOC": (cn_name(), "NAME"), "CNDOC2": (cn_name(), "NAME"), "CNADDR": (cn_addr(), "ADDRESS"), "PTADDR": (row["address"], "ADDRESS"),
        "CNID": (row.get("id", cn_id()), "ID"), "CNID2": (cn_id(), "ID"), "CNPHONE": (cn_mobile(), "PHONE"),
    }
    return s

TUNE_EN = [
    "Pt is a 67 yo M seen in clinic on {DATE} with {CLIN}. Lives with his son-in-law {REL} in {CITY}, {STATE} {ZIP}. {CLIN2}.",
    "{PT} (MRN {MRN}) presented to ED {DATE}. Wife {RELG} at bedside. Exam: {CLIN}. Plan d/w Dr. {DOC}.",
    "Called daughter {REL} at {PHONE} re: discharge plan; she will pick pt up {DATE}. {CLIN}.",
    "Pt is {AGE} years old, DOB {DOB}, lives at {PTSTREET}, {PTCITY} {STATE} {PTZIP}. {CLIN}, {CLIN2}.",
    "Seen by {NURSE} RN this AM. {CLIN}. Next appt {DATE} with Dr {DOCFULL}.",
    "Patient's email {EMAIL}; portal {URL}. Logged in from {IP}. {CLIN}.",
    "SSN {SSN} verified at registration. Insurance acct {ACCT}. {CLIN}.",
    "Aged {AGE}, widowed. Her neighbor {REL} checks on her daily. {CLIN}; {CLIN2}.",
    "Discussed with Dr. {DOC} and NP {DOCFULL}; {CLIN}. Repeat labs {DATE}.",
    "Driver's license {LIC}, plate {PLATE} noted by security. {CLIN}.",
    "Pacemaker serial {SERIAL} interrogated {DATE}: normal function. {CLIN}.",
    "Mr. {PTSUR} reports {CLIN}. His brother {REL} ({PHONE}) is HCP.",
    "{AGE} y/o F w/ hx of {CLIN}, admitted ({DATE}) from {CITY}. {CLIN2}.",
    "Signed: {DOCFULL}, MD {DATE}",
    "Spoke with {RELG} (granddaughter) who reports pt fell at home on {DATE}. {CLIN}.",
    "Old records faxed from {CITY} Clinic, {STREET}, {CITY}, {STATE} {ZIP}. {CLIN}.",
]
HELD_EN = [
    "{PTGIVEN} is a pleasant {AGE}-year-old gentleman followed for {CLIN}. Accompanied today by his niece, {REL}. Last seen {DATE}. {CLIN2}.",
    "HPI: per son {RELG}, pt was found down at home ({PTSTREET}) on {DATE}. EMS from {PTCITY}. {CLIN}.",
    "Care coordinated w/ {DOCFULL} (cardiology) and pharmacist {NURSE}. F/u {DATE2}. {CLIN}. {CLIN2}.",
    "MRN {MRN2} / acct {ACCT}. Callback {PHONE}. {CLIN}.",
    "Ms. {PTSUR}, {AGE}, resides at {STREET} {CITY} {STATE} {ZIP} with her partner {REL}. {CLIN}.",
    "Please send results to {EMAIL} or upload to {URL}. {CLIN}.",
    "Consent witnessed by {DOCFULL}. {CLIN}. Dict {DATE} by {DOC}.",
    "Device {SERIAL}; remote monitoring IP {IP}. {CLIN}, {CLIN2}.",
    "Her husband {REL} and caregiver {RELG} present. Surgery planned {DATE}. {CLIN}.",
    "{PT}, DOB {DOB}, was transferred from {CITY} General on {DATE2}. {CLIN}.",
]
TUNE_ZH = [
    "患者{CN}，男，{AGE}岁，因{CLIN}入院。家属{CNREL}（电话{CNPHONE}）陪同。",
    "{DATE}门诊复查，{CLIN}。主治医生{CNDOC}建议{CLIN2}。",
    "住址：{CNADDR}。身份证号{CNID2}。{CLIN}。",
    "{CNSUR}先生今日诉{CLIN}，其女儿{CNREL}代述病史。",
    "姓名：{CN} 出生日期：{DOB} {CLIN}。",
    "患者于{DATE}行手术，术后{CLIN}。联系邮箱{EMAIL}，随访请登录{URL}",
    "{CNSUR}女士，{AGE} 岁，{CLIN}，{CLIN2}。",
    "护士{CNDOC}记录：{CLIN}。",
]
HELD_ZH = [
    "家属{CNREL}诉患者近3天{CLIN}，现住{CNADDR}。",
    "{CNDOC}主任查房：{CLIN}，{DATE}复查。",
    "患者{CN}（病案号{MRN2}），{AGE}周岁，{CLIN}。联系电话{CNPHONE}。",
    "之子{CNREL}签字同意手术。{CLIN}。预约{DATE}",
    "转自{CNADDR}社区医院，{CLIN}。邮箱{EMAIL}",
]

# Written after the first measurement, never looked at miss by miss: the clean held-out set.
FRESH_EN = [
    "ED triage {DATE}: {PT}, {AGE} yo, BIBA from home ({PTSTREET}, {PTCITY}). Daughter-in-law {REL} reachable at {PHONE}. {CLIN}.",
    "Tele-visit w/ pt and wife {RELG}. Pt's cousin Dr. {DOC} asked about {CLIN}. Next visit {DATE2}.",
    "Attending note: agree with resident {DOCFULL}'s assessment. {CLIN}; {CLIN2}. -- {DOCFULL}, MD",
    "Insurance member ID {MRN2}; SSN on file {SSN}. Pt prefers contact by email ({EMAIL}). {CLIN}.",
    "Home health referral: {STREET}, {CITY}, {STATE} {ZIP}. Caregiver: {REL} (son). {CLIN}.",
    "Pt states she was born {DOB} in {CITY} and is now {AGE}. {CLIN}. Lives alone since her husband {RELG} died.",
    "Remote access logged from IP {IP}, portal user page {URL}. {CLIN}.",
    "Pt brought by friend {REL}. Implant card: serial {SERIAL}. Seen by {NURSE}, RN. {CLIN}.",
    "Discharged {DATE} to {CITY} Rehab; f/u with Dr. {DOCFULL} in 2 weeks. {CLIN}.",
    "Called {PTGIVEN} ({PTPHONE}) to review results: {CLIN}. Left VM for her sister {REL}.",
]
FRESH_ZH = [
    "患者{CN}之女{CNREL}代诉：患者近一周{CLIN}，{DATE}曾在外院就诊。",
    "{CNSUR}女士，{AGE}岁，家住{CNADDR}，{CLIN}。",
    "入院日期：{DATE} 联系人：{CNREL} 电话：{CNPHONE}",
    "经治医师{CNDOC}，上级医师{CNDOC2}。{CLIN}，{CLIN2}。",
    "患者身份证号码{CNID2}，于{DATE}入院，{CLIN}。",
]

def make_row(lang):
    if lang == "en":
        name = f"{given()} {surname()}"
        return {"name": name, "mrn": mrn(), "phone": phone(), "email": email(name), "city": pick(CITIES),
                "address": street(), "zip": zip5(), "dob": date_text()}
    return {"name": cn_name(), "mrn": mrn(), "phone": cn_mobile(), "email": "", "city": "",
            "address": cn_addr(), "zip": "", "dob": date_text("zh"), "id": cn_id()}

def note(template, lang):
    row = make_row(lang)
    vals = slots(lang, row)
    text, spans, clinical = "", [], []
    i = 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            v, cat = vals[template[i + 1:j]]
            if template[i + 1:j] in ("DATE2", "CLIN2"):
                v = date_text(lang) if cat == "DATE" else pick(CLIN_EN if lang == "en" else CLIN_ZH)
            start = len(text)
            text += v
            if cat == "CLIN":
                clinical.append({"start": start, "end": len(text)})
            elif cat:
                spans.append({"start": start, "end": len(text), "category": cat})
            i = j + 1
        else:
            text += template[i]
            i += 1
    return {"lang": lang, "text": text, "row": {k: v for k, v in row.items() if v}, "spans": spans, "clinical": clinical}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["tune", "heldout", "fresh"], default="heldout")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    R.seed(a.seed * 3 + ["tune", "heldout", "fresh"].index(a.split))
    en, zh = {"tune": (TUNE_EN, TUNE_ZH), "heldout": (HELD_EN, HELD_ZH), "fresh": (FRESH_EN, FRESH_ZH)}[a.split]
    for k in range(a.n):
        lang = "zh" if k % 3 == 2 else "en"
        print(json.dumps(note(pick(en if lang == "en" else zh), lang), ensure_ascii=False))

if __name__ == "__main__":
    main()
