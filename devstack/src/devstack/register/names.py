"""Names of the register's parties in each script's culture: writers (people) and publishers
(organisations), and the countries they come from."""

from __future__ import annotations

import random
from dataclasses import dataclass

from devstack.register.vocabulary import VOCABULARIES, Script


@dataclass(frozen=True)
class Culture:
    countries: tuple[str, ...]  # ISO 3166 codes, the first the most frequent
    given: tuple[str, ...]
    family: tuple[str, ...]
    family_first: bool  # Vietnamese, Chinese, Khmer: family name first
    publisher: str  # "{}" is the publisher's own name
    # Family names made of syllables besides the listed ones (Thai and Lao ones are unique).
    family_from_syllables: bool = False
    no_family: bool = False  # Burmese names have no family name
    patronymic: tuple[str, str] | None = None  # Malay: bin / binti and the father's name


CULTURES: dict[Script, Culture] = {
    Script.THAI: Culture(
        ("TH",),
        tuple("สมชาย สมศักดิ์ มาลี สุดา วิชัย ประเสริฐ นภา อรุณี ธนพล กิตติ พรทิพย์ สุนทร "
              "ชาตรี วันเพ็ญ ปิยะ รัตนา อนุชา จันทร์เพ็ญ ศิริพร ณัฐวุฒิ".split()),
        tuple("ศรีสุข ใจดี แก้วมณี ทองดี บุญมา สุขสวัสดิ์ วงศ์ใหญ่ รัตนพันธ์ จันทร์แก้ว พรหมมา "
              "ชัยมงคล สมบูรณ์ เพชรรัตน์ กิตติศักดิ์".split()),
        False,
        "บริษัท {} มิวสิค จำกัด",
        family_from_syllables=True,
    ),
    Script.LAO: Culture(
        ("LA",),
        tuple("ສົມສັກ ບົວພັນ ຄຳແພງ ພອນສະຫວັນ ມະນີວັນ ສຸລິຍາ ອານຸສອນ ດາວວົງ ຈັນສະໝອນ ບຸນມີ "
              "ຄຳພັນ ສີສຸກ ນາລີ ແສງເດືອນ".split()),
        tuple("ພົມມະຈັນ ວົງສະຫວັນ ສີສຸລາດ ແກ້ວມະນີ ພົມວິຫານ ສຸວັນນະວົງ ອິນທະວົງ ໄຊຍະວົງ "
              "ຄຳມະນີ ບຸບຜາ".split()),
        False,
        "ບໍລິສັດ {} ຈຳກັດ",
        family_from_syllables=True,
    ),
    Script.KHMER: Culture(
        ("KH",),
        tuple("ដារ៉ា សុភា វណ្ណា ចាន់ថា សុខា បុប្ផា រតនា វិចិត្រ សម្បត្តិ ស្រីពៅ ពិសី ណារី "
              "សុវណ្ណ ធីតា".split()),
        tuple("សុខ ចាន់ ហេង គឹម លី ស៊ុន ម៉ម ប៉ែន ឈឹម ទេព កែវ ញឹម".split()),
        True,
        "ក្រុមហ៊ុន {} ផលិតកម្ម",
    ),
    Script.BURMESE: Culture(
        ("MM",),
        tuple("အောင် ကျော် မင်း သူ ဇော် ထွန်း ဝင်း မြင့် နွယ် ခိုင် စန်း လှိုင် ဖြိုး သန့် "
              "ဟိန်း ထက် နီလာ မေ သီရိ ဇင်".split()),
        (),
        False,
        "{} ဂီတ ကုမ္ပဏီ",
        no_family=True,
    ),
    Script.VIETNAMESE: Culture(
        ("VN",),
        tuple("An Bình Châu Dũng Hà Hải Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long Mai Nam "
              "Ngân Phúc Phương Quân Quỳnh Sơn Tâm Thảo Thắng Trang Trung Tuấn Vy Yến".split()),
        tuple("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()),
        True,
        "Công ty Âm nhạc {}",
    ),
    Script.MALAY: Culture(
        ("MY", "ID", "BN", "SG"),
        tuple("Ahmad Muhammad Ismail Hafiz Faizal Amir Azman Zulkifli Rizal Hakim Syafiq "
              "Siti Nurul Aisyah Farah Aminah Zarina Noraini Liyana Hidayah Sarah".split()),
        tuple("Ismail Rahman Hassan Abdullah Yusof Osman Ibrahim Salleh Hamid Aziz".split()),
        False,
        "{} Muzik Sdn Bhd",
        patronymic=("bin", "binti"),
    ),
    Script.FILIPINO: Culture(
        ("PH",),
        tuple("Juan Jose Maria Ana Rogelio Ligaya Mayumi Dante Ramon Luzviminda Jericho "
              "Carmela Bayani Diwata Mark Angelica".split()),
        tuple(n.replace("_", " ") for n in (
            "dela_Cruz Santos Reyes Garcia Mendoza Bautista Villanueva Ramos Aquino Castillo "
            "Navarro Manalo Dizon Lacson Mercado Pascual Macaraeg Dimaculangan Tolentino"
        ).split()),
        False,
        "{} Music Publishing Inc.",
    ),
    Script.CHINESE_SIMPLIFIED: Culture(
        ("SG", "MY"),
        tuple("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 志明 美玲 国华 建国 俊杰 "
              "慧敏 嘉欣 子轩".split()),
        tuple("王 李 张 刘 陈 杨 黄 林 吴 郑 许 谢 曾 蔡 何".split()),
        True,
        "{}音乐出版有限公司",
    ),
    Script.CHINESE_TRADITIONAL: Culture(
        ("MY", "SG"),
        tuple("偉 芳 娜 敏 靜 麗 強 磊 軍 洋 勇 艷 傑 娟 濤 明 超 秀英 志明 美玲 國華 建國 俊傑 "
              "慧敏 嘉欣 子軒".split()),
        tuple("王 李 張 劉 陳 楊 黃 林 吳 鄭 許 謝 曾 蔡 何".split()),
        True,
        "{}音樂出版有限公司",
    ),
    Script.TAMIL: Culture(
        ("SG", "MY"),
        tuple("முருகன் செல்வம் கண்ணன் ராஜா லட்சுமி மீனா பிரியா கார்த்திக் சரவணன் அருண் தேவி "
              "கவிதா விஜய் சுரேஷ் இளங்கோ வள்ளி அன்பு".split()),
        tuple("முருகன் செல்வம் கண்ணன் ராஜா சுப்பிரமணியம் ராமசாமி கிருஷ்ணன் பாலு".split()),
        False,
        "{} இசை வெளியீடு",
    ),
    Script.ENGLISH: Culture(
        ("SG", "PH", "MY"),
        tuple("James Sarah Michael Emily David Grace Daniel Rachel Benjamin Chloe Ryan Natalie "
              "Jonathan Amanda Marcus Vanessa".split()),
        tuple("Tan Lim Lee Ng Wong Smith Fernandes Pereira Cruz Walker Chua Goh Teo Koh Ong "
              "Jones".split()),
        False,
        "{} Music Publishing Pte Ltd",
    ),
}


def rare_word(script: Script, rng: random.Random, parts: int) -> str:
    """A word of the long tail: `parts` syllables of the script (a name, a place)."""
    vocabulary = VOCABULARIES[script]
    syllables = [rng.choice(vocabulary.syllables) for _ in range(parts)]
    if vocabulary.syllable_joiner:
        if vocabulary.capitalise:
            syllables = [s[:1].upper() + s[1:] for s in syllables]
        return vocabulary.syllable_joiner.join(syllables)
    word = "".join(syllables)
    return word[:1].upper() + word[1:] if vocabulary.capitalise else word


def person_name(script: Script, rng: random.Random) -> str:
    culture = CULTURES[script]
    if culture.no_family:
        return "".join(rng.choice(culture.given) for _ in range(rng.choice((2, 2, 3))))
    given = rng.choice(culture.given)
    if culture.patronymic is not None:
        # The given names list men first (the first half): "bin" for a son, "binti" for a daughter.
        son = culture.given.index(given) < len(culture.given) // 2
        link = culture.patronymic[0 if son else 1]
        return f"{given} {link} {rng.choice(culture.family)}"
    if culture.family_from_syllables and rng.random() < 0.7:
        family = rare_word(script, rng, rng.choice((2, 3, 3)))
    else:
        family = rng.choice(culture.family)
    if script is Script.VIETNAMESE:
        middle = rng.choice(("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc"))
        return f"{family} {middle} {given}"
    if script in (Script.CHINESE_SIMPLIFIED, Script.CHINESE_TRADITIONAL):
        return f"{family}{given}"
    return f"{family} {given}" if culture.family_first else f"{given} {family}"


def publisher_name(script: Script, rng: random.Random) -> str:
    own = rare_word(script, rng, rng.choice((2, 3)))
    return CULTURES[script].publisher.format(own)
