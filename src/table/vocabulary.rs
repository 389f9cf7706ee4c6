//! The vocabulary of column headers: which identifier kind a header names and the privacy
//! verdict of that kind. The reader (identifier columns kept as text), the profile (suggested
//! roles), detection and the suggested recipe all consult this one list; it lives below them
//! all so that `table/` needs nothing from `privacy/`.

use super::csv::normalize_header;
use serde::{Deserialize, Serialize};

/// What a column is, for privacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Singles out a person on its own: must be removed or masked.
    DirectIdentifier,
    /// Identifies in combination with others (age, sex, ZIP, dates): generalize, measure k.
    QuasiIdentifier,
    /// What must not be learnt about a person (diagnosis): measure l-diversity, t-closeness.
    Sensitive,
    Ordinary,
}

/// (kind, verdict, normalized headers).
const HEADERS: &[(&str, Verdict, &[&str])] = &[
    (
        "name",
        Verdict::DirectIdentifier,
        &[
            "name",
            "patientname",
            "fullname",
            "firstname",
            "lastname",
            "surname",
            "givenname",
            "familyname",
            "middlename",
            "姓名",
            "名字",
            "患者姓名",
            "病人姓名",
        ],
    ),
    (
        "ssn",
        Verdict::DirectIdentifier,
        &[
            "ssn",
            "socialsecuritynumber",
            "socialsecurity",
            "socialsecurityno",
        ],
    ),
    (
        "cn_resident_id",
        Verdict::DirectIdentifier,
        &[
            "身份证号",
            "身份证",
            "身份证号码",
            "idcard",
            "idcardnumber",
            "nationalid",
            "residentid",
        ],
    ),
    (
        "mrn",
        Verdict::DirectIdentifier,
        &[
            "mrn",
            "medicalrecordnumber",
            "recordnumber",
            "patientid",
            "patientnumber",
            "chartnumber",
            "病历号",
            "住院号",
            "门诊号",
            "病案号",
            "id",
        ],
    ),
    (
        "phone",
        Verdict::DirectIdentifier,
        &[
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "mobile",
            "cell",
            "cellphone",
            "mobilephone",
            "contactnumber",
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "电话号码",
        ],
    ),
    (
        "fax",
        Verdict::DirectIdentifier,
        &["fax", "faxnumber", "传真"],
    ),
    (
        "email",
        Verdict::DirectIdentifier,
        &[
            "email",
            "emailaddress",
            "mail",
            "邮箱",
            "电子邮件",
            "电子邮箱",
        ],
    ),
    (
        "address",
        Verdict::DirectIdentifier,
        &[
            "address",
            "streetaddress",
            "street",
            "homeaddress",
            "address1",
            "address2",
            "住址",
            "地址",
            "家庭住址",
            "现住址",
            "联系地址",
        ],
    ),
    (
        "account",
        Verdict::DirectIdentifier,
        &[
            "account",
            "accountnumber",
            "insuranceid",
            "insurancenumber",
            "planid",
            "healthplanid",
            "memberid",
            "policynumber",
            "beneficiaryid",
            "license",
            "licence",
            "licensenumber",
            "licencenumber",
            "driverslicense",
            "医保号",
            "医保卡号",
            "保险号",
            "社保号",
        ],
    ),
    (
        "device",
        Verdict::DirectIdentifier,
        &[
            "vin",
            "licenseplate",
            "plate",
            "platenumber",
            "deviceid",
            "serialnumber",
            "imei",
            "macaddress",
            "车牌号",
        ],
    ),
    (
        "url",
        Verdict::DirectIdentifier,
        &["url", "website", "homepage", "webpage"],
    ),
    (
        "ip_address",
        Verdict::DirectIdentifier,
        &["ip", "ipaddress", "ipaddr"],
    ),
    (
        "birth_date",
        Verdict::DirectIdentifier,
        &[
            "dob",
            "dateofbirth",
            "birthdate",
            "birthday",
            "birth",
            "出生日期",
            "生日",
            "出生年月",
        ],
    ),
    (
        "city",
        Verdict::QuasiIdentifier,
        &["city", "town", "county", "district", "城市", "区县", "县"],
    ),
    (
        "zip",
        Verdict::QuasiIdentifier,
        &[
            "zip",
            "zipcode",
            "postcode",
            "postalcode",
            "邮编",
            "邮政编码",
        ],
    ),
    (
        "age",
        Verdict::QuasiIdentifier,
        &["age", "年龄", "ageyears"],
    ),
    ("sex", Verdict::QuasiIdentifier, &["sex", "gender", "性别"]),
    (
        "ethnicity",
        Verdict::QuasiIdentifier,
        &["race", "ethnicity", "民族", "nationality"],
    ),
    (
        "marital_status",
        Verdict::QuasiIdentifier,
        &["maritalstatus", "婚姻状况", "occupation", "职业"],
    ),
    (
        "diagnosis",
        Verdict::Sensitive,
        &[
            "diagnosis",
            "dx",
            "icd",
            "icd10",
            "icdcode",
            "condition",
            "disease",
            "hivstatus",
            "诊断",
            "疾病",
            "主要诊断",
        ],
    ),
];

/// Header words (substrings of normalized headers) of dates tied to a person.
pub const PERSON_DATE_WORDS: &[&str] = &[
    "admi", "discharg", "death", "died", "visit", "surgery", "入院", "出院", "死亡", "就诊", "手术",
];

/// The identifier kind and verdict a header names, if any: the one list of header names that
/// the reader (identifier columns kept as text), the profile (suggested roles) and the suggested
/// recipe (what is pseudonymized, banded or truncated) consult.
pub fn header_kind(name: &str) -> Option<(&'static str, Verdict)> {
    let h = normalize_header(name);
    HEADERS
        .iter()
        .find(|(_, _, hs)| hs.contains(&h.as_str()))
        .map(|(k, v, _)| (*k, *v))
}
