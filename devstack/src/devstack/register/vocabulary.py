"""Title words of each script of the register, ranked by how often titles use them.

`CONCEPTS` are the same 46 meanings in every script, in the same order (love, heart,
night…), so a title's alternate title can be its real translation. Each script then adds
words of its own. Ranks follow Zipf's law in `generator`: the first words ("love",
"ความรัก", "爱") are in a large part of all titles, the last ones in few; the long tail
beyond the word lists is made of `SYLLABLES` (place and personal names), each rare.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Script(StrEnum):
    THAI = "thai"
    LAO = "lao"
    KHMER = "khmer"
    BURMESE = "burmese"
    VIETNAMESE = "vietnamese"
    MALAY = "malay"
    FILIPINO = "filipino"
    CHINESE_SIMPLIFIED = "chinese_simplified"
    CHINESE_TRADITIONAL = "chinese_traditional"
    TAMIL = "tamil"
    ENGLISH = "english"


CONCEPTS = (
    "love", "heart", "night", "moon", "rain", "dream", "star", "sky", "sea", "river",
    "home", "mother", "father", "friend", "life", "time", "tomorrow", "forever", "song",
    "light", "flower", "wind", "road", "city", "tears", "smile", "beautiful", "young",
    "first", "last", "alone", "together", "memory", "promise", "goodbye", "sweet", "gold",
    "child", "heaven", "fire", "morning", "island", "rose", "secret", "shadow", "dance",
)


@dataclass(frozen=True)
class Vocabulary:
    script: Script
    words: tuple[str, ...]  # the CONCEPTS in order, then the script's own words
    syllables: tuple[str, ...]  # parts of the rare words (names of places and people)
    joiner: str  # between the words of a title: a space, or nothing (Thai, Lao, Khmer…)
    syllable_joiner: str = ""
    capitalise: bool = False  # Latin scripts: Title Case

    def title(self, words: list[str]) -> str:
        text = self.joiner.join(words)
        if self.capitalise:
            text = " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
        return text


def _split(text: str) -> tuple[str, ...]:
    return tuple(w.replace("_", " ") for w in text.split())


VOCABULARIES: dict[Script, Vocabulary] = {
    Script.ENGLISH: Vocabulary(
        Script.ENGLISH,
        _split(
            "love heart night moon rain dream star sky sea river home mother father friend "
            "life time tomorrow forever song light flower wind road city tears smile "
            "beautiful young first last alone together memory promise goodbye sweet golden "
            "child heaven fire morning island rose secret shadow dance my your our little "
            "blue summer spring monsoon street harbour lullaby midnight silver wild"
        ),
        _split("ash bel ton mar wick ridge ley brook field stone haven dale ford glen wood "
               "bay kent more lan shire"),
        " ",
        capitalise=True,
    ),
    Script.THAI: Vocabulary(
        Script.THAI,
        _split(
            "ความรัก หัวใจ กลางคืน ดวงจันทร์ ฝน ความฝัน ดาว ท้องฟ้า ทะเล แม่น้ำ บ้าน แม่ พ่อ "
            "เพื่อน ชีวิต เวลา พรุ่งนี้ ตลอดไป เพลง แสง ดอกไม้ ลม ถนน เมือง น้ำตา รอยยิ้ม สวย "
            "หนุ่มสาว แรก สุดท้าย คนเดียว ด้วยกัน ความทรงจำ สัญญา ลาก่อน หวาน ทอง เด็ก สวรรค์ "
            "ไฟ ยามเช้า เกาะ กุหลาบ ความลับ เงา เต้นรำ เธอ ฉัน ของเรา ใจ คิดถึง ลูกทุ่ง "
            "ทุ่งนา บ้านเกิด สงกรานต์ ลอยกระทง"
        ),
        _split("กา ลา นา พร ศรี สม ชัย วัน ดี แก้ว ทอง มณี บุญ สุข รัตน์ ประ วงศ์ กุล ศักดิ์ "
               "พงษ์ ทิพย์ จันทร์ เพ็ญ อรุณ นภา ปาง เชียง ราย ภู คีรี ธารา"),
        "",
    ),
    Script.LAO: Vocabulary(
        Script.LAO,
        _split(
            "ຄວາມຮັກ ຫົວໃຈ ກາງຄືນ ດວງເດືອນ ຝົນ ຄວາມຝັນ ດາວ ທ້ອງຟ້າ ທະເລ ແມ່ນ້ຳ ເຮືອນ ແມ່ ພໍ່ "
            "ໝູ່ ຊີວິດ ເວລາ ມື້ອື່ນ ຕະຫຼອດໄປ ເພງ ແສງ ດອກໄມ້ ລົມ ທາງ ເມືອງ ນ້ຳຕາ ຮອຍຍິ້ມ ງາມ "
            "ບ່າວສາວ ທຳອິດ ສຸດທ້າຍ ຜູ້ດຽວ ນຳກັນ ຄວາມຊົງຈຳ ສັນຍາ ລາກ່ອນ ຫວານ ຄຳ ເດັກນ້ອຍ ສະຫວັນ "
            "ໄຟ ຕອນເຊົ້າ ເກາະ ດອກກຸຫຼາບ ຄວາມລັບ ເງົາ ຟ້ອນ ນ້ອງ ອ້າຍ ຂອງເຮົາ ຄິດຮອດ ແຄນ ລຳວົງ "
            "ຈຳປາ ບ້ານເກີດ"
        ),
        _split("ສົມ ພອນ ບຸນ ມີ ຄຳ ພັນ ສີ ສຸກ ແກ້ວ ວົງ ສະ ຫວັນ ມະ ນີ ຈັນ ທະ ລາ ດາວ ພູ ນາ ວຽງ "
               "ສາ ຫຼວງ ໄຊ ອິນ ທອງ"),
        "",
    ),
    Script.KHMER: Vocabulary(
        Script.KHMER,
        _split(
            "ស្នេហា បេះដូង យប់ ព្រះច័ន្ទ ភ្លៀង សុបិន ផ្កាយ មេឃ សមុទ្រ ទន្លេ ផ្ទះ ម្ដាយ ឪពុក "
            "មិត្ត ជីវិត ពេលវេលា ថ្ងៃស្អែក រហូត ចម្រៀង ពន្លឺ ផ្កា ខ្យល់ ផ្លូវ ទីក្រុង ទឹកភ្នែក "
            "ស្នាមញញឹម ស្អាត ក្មេង ដំបូង ចុងក្រោយ ម្នាក់ឯង ជាមួយគ្នា អនុស្សាវរីយ៍ សន្យា លាហើយ "
            "ផ្អែម មាស កូន ឋានសួគ៌ ភ្លើង ពេលព្រឹក កោះ ផ្កាកុលាប អាថ៌កំបាំង ស្រមោល រាំ អូន បង "
            "នឹករលឹក អង្គរ ស្រុកកំណើត"
        ),
        _split("សុ ខា ដា រ៉ា វណ្ណ ចាន់ ថា បុប្ផា រតនា ស្រី ពៅ ពិ សី ណា រី ធី តា កែវ មាស ភ្នំ "
               "ពេញ សៀម រាប កំ ពត"),
        "",
    ),
    Script.BURMESE: Vocabulary(
        Script.BURMESE,
        _split(
            "အချစ် နှလုံးသား ည လ မိုး အိပ်မက် ကြယ် ကောင်းကင် ပင်လယ် မြစ် အိမ် အမေ အဖေ "
            "သူငယ်ချင်း ဘဝ အချိန် မနက်ဖြန် ထာဝရ သီချင်း အလင်း ပန်း လေ လမ်း မြို့ မျက်ရည် "
            "အပြုံး လှပ ငယ်ငယ် ပထမ နောက်ဆုံး တစ်ယောက်တည်း အတူတူ အမှတ်တရ ကတိ နှုတ်ဆက် "
            "ချိုမြိန် ရွှေ ကလေး ကောင်းကင်ဘုံ မီး မနက် ကျွန်း နှင်းဆီ လျှို့ဝှက်ချက် အရိပ် ကခုန် "
            "ချစ်သူ ရင်ခုန် သင်္ကြန် ပုဂံ ဧရာဝတီ"
        ),
        _split("အောင် ကျော် မင်း သူ ဇော် ထွန်း ဝင်း မြင့် နွယ် ခိုင် စန်း လှိုင် ဖြိုး သန့် ဟိန်း "
               "ထက် နီလာ မေ သီရိ ဇင် မာ ချို ရည်"),
        "",
    ),
    Script.VIETNAMESE: Vocabulary(
        Script.VIETNAMESE,
        _split(
            "tình_yêu trái_tim đêm trăng mưa giấc_mơ ngôi_sao bầu_trời biển dòng_sông nhà mẹ "
            "cha bạn cuộc_đời thời_gian ngày_mai mãi_mãi bài_ca ánh_sáng hoa gió con_đường "
            "thành_phố nước_mắt nụ_cười đẹp tuổi_trẻ đầu_tiên cuối_cùng một_mình bên_nhau "
            "kỷ_niệm lời_hứa tạm_biệt ngọt_ngào vàng em_bé thiên_đường lửa buổi_sáng hòn_đảo "
            "hoa_hồng bí_mật chiếc_bóng điệu_nhảy em anh quê_hương mùa_xuân mùa_thu hà_nội "
            "sài_gòn"
        ),
        _split("an bình châu dũng hà hải hạnh hiếu hùng hương khánh lan linh long mai nam ngân "
               "phúc phương quân quỳnh sơn tâm thảo thắng trang trung tuấn vy yến đà lạt huế"),
        " ",
        syllable_joiner=" ",
        capitalise=True,
    ),
    Script.MALAY: Vocabulary(
        Script.MALAY,
        _split(
            "cinta hati malam bulan hujan mimpi bintang langit laut sungai rumah ibu ayah kawan "
            "hidup masa esok selamanya lagu cahaya bunga angin jalan kota air_mata senyuman "
            "cantik muda pertama terakhir sendiri bersama kenangan janji selamat_tinggal manis "
            "emas anak syurga api pagi pulau mawar rahsia bayang tarian kasih rindu sayang "
            "pantai tanah_air dan di"
        ),
        _split("ka la ma na sa ri du ta pa ja wa ngi rang bu hi lu gu tan jung dang"),
        " ",
        capitalise=True,
    ),
    Script.FILIPINO: Vocabulary(
        Script.FILIPINO,
        _split(
            "pag-ibig puso gabi buwan ulan pangarap bituin langit dagat ilog tahanan ina ama "
            "kaibigan buhay panahon bukas magpakailanman awit liwanag bulaklak hangin daan "
            "lungsod luha ngiti maganda kabataan una huli mag-isa magkasama alaala pangako "
            "paalam matamis ginto anak paraiso apoy umaga isla rosas lihim anino sayaw mahal "
            "ikaw sinta bayan dalampasigan ng sa"
        ),
        _split("ba ka la ma na pa sa ta ya li lo hi gan nan tan yan bo du ngi lay"),
        " ",
        capitalise=True,
    ),
    Script.CHINESE_SIMPLIFIED: Vocabulary(
        Script.CHINESE_SIMPLIFIED,
        _split(
            "爱 心 夜 月亮 雨 梦 星星 天空 大海 河 家 妈妈 爸爸 朋友 生命 时间 明天 永远 歌 光 花 "
            "风 路 城市 眼泪 微笑 美丽 青春 第一次 最后 孤单 一起 回忆 诺言 再见 甜蜜 金色 孩子 "
            "天堂 火 早晨 岛 玫瑰 秘密 影子 跳舞 你 我 我们 的 故乡 南洋 春天 思念"
        ),
        _split("山 水 云 海 风 花 雪 月 江 湖 春 秋 红 青 白 梅 兰 竹 菊 龙 凤 金 玉 南 北 东 西 "
               "天 星 光 林 石"),
        "",
    ),
    Script.CHINESE_TRADITIONAL: Vocabulary(
        Script.CHINESE_TRADITIONAL,
        _split(
            "愛 心 夜 月亮 雨 夢 星星 天空 大海 河 家 媽媽 爸爸 朋友 生命 時間 明天 永遠 歌 光 花 "
            "風 路 城市 眼淚 微笑 美麗 青春 第一次 最後 孤單 一起 回憶 諾言 再見 甜蜜 金色 孩子 "
            "天堂 火 早晨 島 玫瑰 秘密 影子 跳舞 你 我 我們 的 故鄉 南洋 春天 思念"
        ),
        _split("山 水 雲 海 風 花 雪 月 江 湖 春 秋 紅 青 白 梅 蘭 竹 菊 龍 鳳 金 玉 南 北 東 西 "
               "天 星 光 林 石"),
        "",
    ),
    Script.TAMIL: Vocabulary(
        Script.TAMIL,
        _split(
            "காதல் இதயம் இரவு நிலா மழை கனவு நட்சத்திரம் வானம் கடல் நதி வீடு அம்மா அப்பா "
            "நண்பன் வாழ்க்கை நேரம் நாளை என்றென்றும் பாடல் ஒளி பூ காற்று பாதை நகரம் கண்ணீர் "
            "புன்னகை அழகு இளமை முதல் கடைசி தனிமை ஒன்றாக நினைவு வாக்குறுதி விடைபெறு இனிமை "
            "தங்கம் குழந்தை சொர்க்கம் நெருப்பு காலை தீவு ரோஜா ரகசியம் நிழல் நடனம் உயிரே "
            "கண்ணே தமிழ் ஊர் என் உன்"
        ),
        _split("கா மா லா வா ரா தா நா சி கு பு னி வே செ தி கோ மு ழி ரு யா கண் மண் பொன் வேல்"),
        " ",
    ),
}
