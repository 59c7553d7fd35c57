//! A deterministic generator of realistic testimonies for the benchmarks: January 2022 in
//! Kazakhstan, in English, Russian and Kazakh (with some mixing), narratives of a few
//! paragraphs, structured events, persons and consent. The same seed always gives the same
//! testimony. Shared by `benches/store.rs` and `benches/bundle.rs` through `#[path]`.

use aigaq::model::vocab::{
    ActType, Agency, ConsentUse, DatePrecision, IdentityLevel, InterviewMode, Method, PersonRole,
    PersonStatus, RecordStatus, WitnessRelation,
};
use aigaq::model::{
    Act, Consent, Event, EventDate, FollowUp, Interview, Person, Place, Testimony, Witness, SCHEMA,
};

/// The organisation every generated testimony's consent shares it with.
pub const SHARED_WITH: &str = "Kazakhstan International Bureau for Human Rights";

/// SplitMix64: tiny, fast and good enough to vary the text.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5EED_A16A_0000_0000);
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// What one language contributes: sentence templates with `{slots}`, the words that fill
/// them, and the words searched for.
pub struct Lang {
    pub code: &'static str,
    /// Share of the corpus, in percent.
    share: usize,
    latin_names: bool,
    /// "The witness", describing the victim who speaks.
    witness: &'static str,
    month: &'static str,
    opening: &'static [&'static str],
    middle: &'static [&'static str],
    named: &'static [&'static str],
    closing: &'static [&'static str],
    plate: &'static str,
    mixed: &'static [&'static str],
    /// City names as they stand in a sentence (English "in X", Russian "в X", Kazakh locative).
    city_in: &'static [&'static str],
    /// City names in the nominative, for the structured fields.
    city: &'static [&'static str],
    place: &'static [&'static str],
    uniform: &'static [&'static str],
    facility: &'static [&'static str],
    method: &'static [&'static str],
    injury: &'static [&'static str],
    relative: &'static [&'static str],
    event: &'static [&'static str],
    perpetrator: &'static [&'static str],
    pub common: &'static [&'static str],
    pub prefix: &'static [&'static str],
    pub pair: &'static [&'static str],
    pub absent: &'static [&'static str],
}

const EN: Lang = Lang {
    code: "en",
    share: 20,
    latin_names: true,
    witness: "the witness",
    month: "January",
    opening: &[
        "On {date} I was detained {place} {city}.",
        "On {date}, around noon, I was {place} {city} when a group of armed men stopped me.",
        "On {date} I was standing {place} {city} when a minibus stopped next to me.",
    ],
    middle: &[
        "Men in {uniform} without insignia pushed me into a minibus and took me {facility}.",
        "There they {method} and demanded that I sign a confession.",
        "I was held for {hours} hours without water and without a lawyer.",
        "The doctor at the emergency hospital recorded {injury}, but later the record disappeared.",
        "We went to the square because the price of gas had doubled and people wanted to be heard.",
        "There was shooting near the akimat building, and I saw two young men fall.",
        "In the cell there were about {count} people, some of them with gunshot wounds.",
        "I filed a complaint with the prosecutor, but investigators came to my home and told me to withdraw it.",
        "They threatened to hurt my children if I told anyone what had happened.",
        "The investigator wrote the protocol in Russian and did not translate it into Kazakh.",
        "They took my phone and forced me to unlock it.",
        "Every few hours they came back, {method} and asked who had paid us to protest.",
        "Nobody told my family where I was, and my mother searched the hospitals for {count} days.",
        "When I asked for a lawyer they laughed and said that lawyers were not working during the emergency.",
    ],
    named: &[
        "My {relative} {name} was with me; I have not seen him since.",
        "An officer who called himself {name} said that nobody would ever find me.",
        "Later I learned that {name} had died in the SIZO.",
        "The state-appointed lawyer, {name}, told me to admit everything.",
    ],
    closing: &[
        "I still have headaches and cannot sleep at night.",
        "I am giving this statement so that those responsible are held to account.",
        "I agree that human rights defenders may use this testimony.",
    ],
    plate: "The car that took me away had the number plate {plate}.",
    mixed: &[
        "The guards kept shouting «Тез жүр!» and «Быстрее!» at us.",
        "On the phone my mother kept repeating «Балам, аман бол».",
        "The protocol said «претензий не имею», which I never wrote.",
    ],
    city_in: &[
        "in Almaty", "in Taldykorgan", "in Shymkent", "in Taraz", "in Aktobe",
        "in Zhanaozen", "in Kyzylorda", "in Uralsk", "in Karaganda", "in Astana",
    ],
    city: &[
        "Almaty", "Taldykorgan", "Shymkent", "Taraz", "Aktobe",
        "Zhanaozen", "Kyzylorda", "Uralsk", "Karaganda", "Astana",
    ],
    place: &[
        "near Republic Square",
        "near the akimat building",
        "at the central market",
        "at the bus station",
        "in the yard of my building",
        "near the Mega shopping centre",
    ],
    uniform: &["black uniforms", "camouflage", "balaclavas", "police uniforms"],
    facility: &[
        "to the district police station",
        "to the SIZO",
        "to a gym that was used as a filtration point",
        "to the KNB building",
        "to an unknown basement",
    ],
    method: &[
        "beat me with batons",
        "kicked me in the stomach",
        "put a plastic bag over my head",
        "gave me electric shocks",
        "burned my back with an iron",
        "made me stand against the wall all night",
        "kept me in a cold room",
    ],
    injury: &[
        "a broken rib",
        "a concussion",
        "burns on the back",
        "a broken nose",
        "bruises all over the body",
    ],
    relative: &["brother", "son", "husband", "nephew", "neighbour"],
    event: &[
        "Detention near the square and beatings at the police station",
        "Torture during interrogation",
        "Detention without a lawyer",
        "Shooting at a peaceful gathering",
    ],
    perpetrator: &[
        "masked, black uniform without insignia",
        "officer in plain clothes",
        "tall, in camouflage, with a rifle",
    ],
    common: &["police", "detained", "January", "lawyer", "Almaty"],
    prefix: &["detain", "interrog", "investig", "Alm", "hosp"],
    pair: &["police station", "plastic bag", "Republic Square", "broken rib"],
    absent: &["helicopter", "volcano", "submarine"],
};

const RU: Lang = Lang {
    code: "ru",
    share: 50,
    latin_names: false,
    witness: "свидетель",
    month: "января",
    opening: &[
        "{date} меня задержали {place} {city}.",
        "{date} около полудня я был {place} {city}, и меня остановила группа вооружённых людей.",
        "{date} я стоял {place} {city}, когда рядом остановился микроавтобус.",
    ],
    middle: &[
        "Люди в {uniform} без опознавательных знаков затолкали меня в микроавтобус и отвезли {facility}.",
        "Там меня {method} и требовали подписать признание.",
        "Меня держали {hours} часов без воды и без адвоката.",
        "В больнице скорой помощи врач зафиксировал {injury}, но потом запись исчезла.",
        "Мы вышли на площадь, потому что цены на газ выросли вдвое и люди хотели, чтобы их услышали.",
        "Возле акимата стреляли, и я видел, как упали двое молодых парней.",
        "В камере было около {count} человек, у некоторых были огнестрельные ранения.",
        "Я подал жалобу в прокуратуру, но следователи пришли ко мне домой и сказали её отозвать.",
        "Они угрожали, что сделают плохо моим детям, если я кому-нибудь расскажу.",
        "Следователь составил протокол на русском языке и не перевёл его на казахский.",
        "Телефон у меня забрали и заставили его разблокировать.",
        "Каждые несколько часов они возвращались, снова меня {method} и спрашивали, кто заплатил нам за митинг.",
        "Никто не сказал семье, где я, и мама {count} дней искала меня по больницам.",
        "Когда я попросил адвоката, они засмеялись и сказали, что во время ЧП адвокаты не работают.",
    ],
    named: &[
        "Со мной был мой {relative} {name}, с тех пор я его не видел.",
        "Сотрудник, назвавшийся {name}, сказал, что меня никто никогда не найдёт.",
        "Позже я узнал, что {name} умер в СИЗО.",
        "Назначенный адвокат {name} советовал мне во всём признаться.",
    ],
    closing: &[
        "У меня до сих пор болит голова, и я не могу спать по ночам.",
        "Я даю эти показания, чтобы виновные понесли ответственность.",
        "Я согласен, чтобы правозащитники использовали эти показания.",
    ],
    plate: "Машина, на которой меня увезли, была с номером {plate}.",
    mixed: &[
        "Апам плакала и повторяла: «Балам, аман қалғаның жақсы».",
        "Охранник всё время кричал нам: «Тез жүр!»",
        "Соседи потом говорили, что это были «қара киімділер» из Астаны.",
    ],
    city_in: &[
        "в Алматы", "в Талдыкоргане", "в Шымкенте", "в Таразе", "в Актобе",
        "в Жанаозене", "в Кызылорде", "в Уральске", "в Караганде", "в Астане",
    ],
    city: &[
        "Алматы", "Талдыкорган", "Шымкент", "Тараз", "Актобе",
        "Жанаозен", "Кызылорда", "Уральск", "Караганда", "Астана",
    ],
    place: &[
        "на площади Республики",
        "у здания акимата",
        "на центральном рынке",
        "на автовокзале",
        "во дворе своего дома",
        "возле ТЦ «Мега»",
    ],
    uniform: &["чёрной форме", "камуфляже", "балаклавах", "полицейской форме"],
    facility: &[
        "в районное ОВД",
        "в СИЗО",
        "в спортзал, который использовали как фильтрационный пункт",
        "в здание КНБ",
        "в какой-то подвал",
    ],
    method: &[
        "били дубинками",
        "били ногами по животу",
        "душили пакетом",
        "пытали током",
        "жгли утюгом",
        "заставляли всю ночь стоять у стены",
        "держали в холодной комнате",
    ],
    injury: &[
        "перелом ребра",
        "сотрясение мозга",
        "ожоги на спине",
        "перелом носа",
        "гематомы по всему телу",
    ],
    relative: &["брат", "сын", "муж", "племянник", "сосед"],
    event: &[
        "Задержание у площади и избиение в ОВД",
        "Пытки во время допроса",
        "Задержание без адвоката",
        "Стрельба по мирному митингу",
    ],
    perpetrator: &[
        "в маске, чёрная форма без знаков различия",
        "сотрудник в гражданской одежде",
        "высокий, в камуфляже, с автоматом",
    ],
    common: &["задержали", "СИЗО", "адвоката", "января", "Алматы"],
    prefix: &["задерж", "следоват", "пыт", "Алм", "больниц"],
    pair: &["площади Республики", "перелом ребра", "районное ОВД", "пытали током"],
    absent: &["вертолёт", "трактористы", "подводная"],
};

const KK: Lang = Lang {
    code: "kk",
    share: 30,
    latin_names: false,
    witness: "куәгер",
    month: "қаңтарда",
    opening: &[
        "{date} мені {city} {place} ұстап алды.",
        "{date} түске қарай мен {city} {place} жүргенімде, мені қарулы адамдар тоқтатты.",
        "{date} {city} {place} тұрғанымда, қасыма микроавтобус тоқтады.",
    ],
    middle: &[
        "Белгісіз {uniform} киген адамдар мені микроавтобусқа итеріп кіргізіп, {facility} апарды.",
        "Онда мені {method}, мойындау қағазына қол қоюды талап етті.",
        "Мені {hours} сағат бойы сусыз және адвокатсыз ұстады.",
        "Жедел жәрдем ауруханасында дәрігер {injury} тіркеді, бірақ кейін жазба жоғалып кетті.",
        "Газдың бағасы екі есе өскендіктен, біз алаңға шықтық, халық өз сөзін естірткісі келді.",
        "Әкімдіктің жанында атыс болды, екі жас жігіттің құлағанын көрдім.",
        "Камерада шамамен {count} адам болды, кейбірінің оқ жарасы бар еді.",
        "Прокуратураға шағым түсірдім, бірақ тергеушілер үйіме келіп, оны кері алуды айтты.",
        "Егер біреуге айтсам, балаларыма зиян келтіреміз деп қорқытты.",
        "Тергеуші хаттаманы орыс тілінде жазды, қазақ тіліне аудармады.",
        "Телефонымды тартып алып, құлпын ашуға мәжбүрледі.",
        "Әр бірнеше сағат сайын қайта келіп, мені тағы {method}, митингке кім ақша төлегенін сұрады.",
        "Отбасыма қайда екенімді ешкім айтпады, анам {count} күн бойы ауруханаларды аралап іздеді.",
        "Адвокат сұрағанымда, олар күліп, төтенше жағдай кезінде адвокаттар жұмыс істемейді деді.",
    ],
    named: &[
        "Менімен бірге {relative} {name} болды, содан бері оны көрген жоқпын.",
        "Өзін {name} деп таныстырған қызметкер мені ешкім ешқашан таппайды деді.",
        "Кейін {name} тергеу изоляторында қайтыс болғанын білдім.",
        "Тағайындалған адвокат {name} маған бәрін мойындауға кеңес берді.",
    ],
    closing: &[
        "Әлі күнге дейін басым ауырады, түнде ұйықтай алмаймын.",
        "Кінәлілер жауапқа тартылсын деп осы айғақты беріп отырмын.",
        "Бұл айғақты құқық қорғаушылардың пайдалануына келісемін.",
    ],
    plate: "Мені алып кеткен көліктің нөмірі {plate} болатын.",
    mixed: &[
        "Тергеуші маған «подпиши, и пойдёшь домой» деді.",
        "Олар бір-біріне «работаем жёстко» деп айқайлады.",
        "Хаттамада «претензий не имею» деп жазылған, бірақ мен оны жазған жоқпын.",
    ],
    city_in: &[
        "Алматыда", "Талдықорғанда", "Шымкентте", "Таразда", "Ақтөбеде",
        "Жаңаөзенде", "Қызылордада", "Оралда", "Қарағандыда", "Астанада",
    ],
    city: &[
        "Алматы", "Талдықорған", "Шымкент", "Тараз", "Ақтөбе",
        "Жаңаөзен", "Қызылорда", "Орал", "Қарағанды", "Астана",
    ],
    place: &[
        "Республика алаңында",
        "әкімдік ғимаратының жанында",
        "орталық базарда",
        "автовокзалда",
        "үйімнің ауласында",
        "«Мега» сауда орталығының жанында",
    ],
    uniform: &["қара форма", "камуфляж", "балаклава", "полиция формасын"],
    facility: &[
        "аудандық полиция бөліміне",
        "тергеу изоляторына",
        "сүзгі пункті болған спорт залына",
        "ҰҚК ғимаратына",
        "белгісіз жертөлеге",
    ],
    method: &[
        "таяқпен ұрды",
        "ішімнен тепті",
        "басыма пакет кигізіп тұншықтырды",
        "электр тогымен азаптады",
        "арқамды үтікпен күйдірді",
        "түні бойы қабырғаға қаратып тұрғызды",
        "суық бөлмеде ұстады",
    ],
    injury: &[
        "қабырғаның сынғанын",
        "мидың шайқалғанын",
        "арқадағы күйіктерді",
        "мұрынның сынғанын",
        "денедегі көгерген жерлерді",
    ],
    relative: &["інім", "ұлым", "күйеуім", "жиенім", "көршім"],
    event: &[
        "Алаң жанында ұстау және полиция бөлімінде ұрып-соғу",
        "Жауап алу кезіндегі азаптау",
        "Адвокатсыз ұстау",
        "Бейбіт жиынға оқ ату",
    ],
    perpetrator: &[
        "бетперде киген, белгісіз қара формада",
        "азаматтық киімдегі қызметкер",
        "ұзын бойлы, камуфляжда, автоматпен",
    ],
    common: &["ұстап", "қаңтарда", "тергеуші", "адвокат", "Алматыда"],
    prefix: &["ұста", "тергеу", "азапта", "Алм", "аурух"],
    pair: &["Республика алаңында", "электр тогымен", "тергеу изоляторына", "полиция бөліміне"],
    absent: &["тікұшақ", "жанартау", "сүңгуір"],
};

pub const LANGS: [&Lang; 3] = [&EN, &RU, &KK];

/// Given names, Cyrillic and Latin.
const GIVEN: &[(&str, &str)] = &[
    ("Нурлан", "Nurlan"),
    ("Ержан", "Yerzhan"),
    ("Асель", "Assel"),
    ("Дамир", "Damir"),
    ("Айгуль", "Aigul"),
    ("Бауыржан", "Bauyrzhan"),
    ("Марат", "Marat"),
    ("Дина", "Dina"),
    ("Ерлан", "Yerlan"),
    ("Жанна", "Zhanna"),
    ("Серик", "Serik"),
    ("Гульнара", "Gulnara"),
    ("Тимур", "Timur"),
    ("Азамат", "Azamat"),
    ("Ольга", "Olga"),
    ("Сергей", "Sergei"),
    ("Айдос", "Aidos"),
    ("Мадина", "Madina"),
    ("Куаныш", "Kuanysh"),
    ("Алия", "Aliya"),
    ("Бахыт", "Bakhyt"),
    ("Самал", "Samal"),
    ("Арман", "Arman"),
    ("Жасулан", "Zhasulan"),
];

/// Surnames are root + middle + suffix: 2,400 of them, so each is a rare word.
const SURNAME_ROOT: &[(&str, &str)] = &[
    ("Жума", "Zhuma"),
    ("Сейт", "Seit"),
    ("Кайр", "Kair"),
    ("Нур", "Nur"),
    ("Ораз", "Oraz"),
    ("Есен", "Esen"),
    ("Тока", "Toka"),
    ("Аман", "Aman"),
    ("Сулей", "Sulei"),
    ("Абдра", "Abdra"),
    ("Байм", "Baim"),
    ("Касым", "Kasym"),
    ("Ерж", "Erzh"),
    ("Мук", "Muk"),
    ("Тле", "Tle"),
    ("Шайх", "Shaikh"),
    ("Дос", "Dos"),
    ("Бек", "Bek"),
    ("Ахмет", "Akhmet"),
    ("Иман", "Iman"),
    ("Сагын", "Sagyn"),
    ("Жаксы", "Zhaksy"),
    ("Кошк", "Koshk"),
    ("Утеп", "Utep"),
    ("Бала", "Bala"),
    ("Сары", "Sary"),
    ("Кара", "Kara"),
    ("Алтын", "Altyn"),
    ("Темир", "Temir"),
    ("Омар", "Omar"),
];
const SURNAME_MIDDLE: &[(&str, &str)] = &[
    ("", ""),
    ("ба", "ba"),
    ("гали", "gali"),
    ("жан", "zhan"),
    ("тай", "tai"),
    ("мура", "mura"),
    ("кул", "kul"),
    ("бай", "bai"),
    ("хан", "khan"),
    ("сал", "sal"),
];
const SURNAME_SUFFIX: &[(&str, &str)] = &[
    ("ев", "ev"),
    ("ов", "ov"),
    ("баев", "baev"),
    ("улы", "uly"),
    ("кызы", "kyzy"),
    ("ин", "in"),
    ("ева", "eva"),
    ("ова", "ova"),
];

/// One generated testimony and the words a search can find it by.
pub struct Generated {
    pub testimony: Testimony,
    pub lang: usize,
    /// The perpetrator's surname: a rare word, in the narrative and in the details.
    pub surname: String,
    /// The letters of a car's number plate, when the narrative gives one: nearly unique.
    pub plate: Option<String>,
    /// The city as the narrative writes it.
    pub city_word: &'static str,
}

fn person_name(rng: &mut Rng, latin: bool) -> (String, String) {
    let side = |p: (&'static str, &'static str)| if latin { p.1 } else { p.0 };
    let given = side(rng.pick(GIVEN));
    let surname = format!(
        "{}{}{}",
        side(rng.pick(SURNAME_ROOT)),
        side(rng.pick(SURNAME_MIDDLE)),
        side(rng.pick(SURNAME_SUFFIX))
    );
    (format!("{given} {surname}"), surname)
}

/// Replaces every `{slot}` of a template.
fn fill(template: &str, mut slot: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 48);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}').expect("every template slot is closed");
        out.push_str(&slot(&after[..end]));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A vocabulary code the generator knows to exist.
fn term<T>(parsed: Option<T>) -> T {
    parsed.expect("the generator only uses codes from the vocabulary")
}

/// The `i`-th testimony of the corpus: the same `i` always gives the same testimony.
pub fn generate(i: u64) -> Generated {
    let mut rng = Rng::new(i);
    let roll = rng.below(100);
    let lang_index = if roll < EN.share {
        0
    } else if roll < EN.share + RU.share {
        1
    } else {
        2
    };
    let lang = LANGS[lang_index];
    // Almaty, where most of January 2022 happened, in two of five; the rest anywhere.
    let city = if rng.chance(40) {
        0
    } else {
        rng.below(lang.city.len())
    };
    let day = rng.range(4, 11);
    let names: Vec<(String, String)> = (0..3)
        .map(|_| person_name(&mut rng, lang.latin_names))
        .collect();
    let plate = rng.chance(45).then(|| {
        (0..3)
            .map(|_| char::from(b'A' + rng.below(26) as u8))
            .collect::<String>()
    });
    let plate_text = plate
        .as_ref()
        .map(|letters| format!("{:03} {letters} {:02}", rng.range(1, 999), rng.range(1, 20)));

    let mut next_name = 0;
    let mut slot = |key: &str, rng: &mut Rng| -> String {
        match key {
            "date" => format!("{day} {}", lang.month),
            "city" => lang.city_in[city].to_owned(),
            "place" => rng.pick(lang.place).to_owned(),
            "uniform" => rng.pick(lang.uniform).to_owned(),
            "facility" => rng.pick(lang.facility).to_owned(),
            "method" => rng.pick(lang.method).to_owned(),
            "injury" => rng.pick(lang.injury).to_owned(),
            "relative" => rng.pick(lang.relative).to_owned(),
            "hours" => rng.range(12, 96).to_string(),
            "count" => rng.range(3, 60).to_string(),
            "plate" => plate_text.clone().unwrap_or_default(),
            "name" => {
                let name = names[next_name % names.len()].0.clone();
                next_name += 1;
                name
            }
            other => panic!("unknown template slot {other:?}"),
        }
    };

    let mut sentences = vec![fill(rng.pick(lang.opening), |k| slot(k, &mut rng))];
    let mut middle: Vec<&str> = lang.middle.to_vec();
    let wanted = rng.range(4, 10) as usize;
    for k in 0..wanted {
        let j = k + rng.below(middle.len() - k);
        middle.swap(k, j);
    }
    let mut body: Vec<String> = middle[..wanted]
        .iter()
        .map(|t| fill(t, |k| slot(k, &mut rng)))
        .collect();
    for _ in 0..1 + usize::from(rng.chance(50)) {
        let s = fill(rng.pick(lang.named), |k| slot(k, &mut rng));
        let at = rng.below(body.len() + 1);
        body.insert(at, s);
    }
    if plate.is_some() {
        let s = fill(lang.plate, |k| slot(k, &mut rng));
        let at = rng.below(body.len() + 1);
        body.insert(at, s);
    }
    if rng.chance(30) {
        let at = rng.below(body.len() + 1);
        body.insert(at, rng.pick(lang.mixed).to_owned());
    }
    sentences.extend(body);
    sentences.push(rng.pick(lang.closing).to_owned());
    // Paragraphs of three sentences or more.
    let mut narrative = String::new();
    let mut in_paragraph = 0;
    for s in &sentences {
        if !narrative.is_empty() {
            narrative.push_str(if in_paragraph >= 3 && rng.chance(40) {
                "\n\n"
            } else {
                " "
            });
        }
        if narrative.ends_with('\n') {
            in_paragraph = 0;
        }
        narrative.push_str(s);
        in_paragraph += 1;
    }

    let interview_date = format!("2022-{:02}-{:02}", rng.range(2, 6), rng.range(1, 28));
    let (perpetrator_name, surname) = names[0].clone();
    let mut persons = vec![
        Person {
            id: "p1".into(),
            role: Some(term(PersonRole::parse("victim"))),
            name: None,
            age: Some(rng.range(18, 70)),
            gender: Some(rng.pick(&["male", "female"]).into()),
            status: Some(term(PersonStatus::parse(
                rng.pick(&["released", "detained", "injured"]),
            ))),
            agency: None,
            description: Some(lang.witness.into()),
        },
        Person {
            id: "p2".into(),
            role: Some(term(PersonRole::parse("perpetrator"))),
            name: Some(perpetrator_name),
            age: None,
            gender: Some("male".into()),
            status: Some(term(PersonStatus::parse("unknown"))),
            agency: Some(term(Agency::parse(rng.pick(&[
                "police",
                "national_guard",
                "nsc",
                "military",
                "unidentified",
            ])))),
            description: Some(rng.pick(lang.perpetrator).into()),
        },
    ];
    let mut events = Vec::new();
    if rng.chance(60) {
        let mut acts = vec![Act {
            act_type: term(ActType::parse("arbitrary_detention")),
            victims: vec!["p1".into()],
            perpetrators: vec!["p2".into()],
            methods: Vec::new(),
            place_of_detention: Some(rng.pick(lang.facility).into()),
            consequences: Vec::new(),
        }];
        if rng.chance(60) {
            let methods = [
                "beating",
                "electric_shock",
                "burning",
                "suffocation",
                "stress_position",
                "sleep_deprivation",
                "exposure_cold",
            ];
            acts.push(Act {
                act_type: term(ActType::parse(rng.pick(&["torture", "ill_treatment"]))),
                victims: vec!["p1".into()],
                perpetrators: vec!["p2".into()],
                methods: (0..rng.range(1, 3))
                    .map(|_| term(Method::parse(rng.pick(&methods))))
                    .collect(),
                place_of_detention: None,
                consequences: vec![rng.pick(lang.injury).into()],
            });
        }
        if rng.chance(15) {
            persons.push(Person {
                id: "p3".into(),
                role: Some(term(PersonRole::parse("victim"))),
                name: Some(names[1].0.clone()),
                age: Some(rng.range(16, 60)),
                gender: None,
                status: Some(term(PersonStatus::parse(
                    rng.pick(&["killed", "missing", "detained"]),
                ))),
                agency: None,
                description: None,
            });
            acts.push(Act {
                act_type: term(ActType::parse(rng.pick(&[
                    "killing",
                    "shooting",
                    "enforced_disappearance",
                ]))),
                victims: vec!["p3".into()],
                perpetrators: vec!["p2".into()],
                methods: Vec::new(),
                place_of_detention: None,
                consequences: Vec::new(),
            });
        }
        let date = format!("2022-01-{day:02}");
        events.push(Event {
            date: Some(EventDate {
                from: Some(date.clone()),
                to: Some(date),
                precision: Some(term(DatePrecision::parse(
                    rng.pick(&["day", "approximate"]),
                ))),
            }),
            place: Some(Place {
                city: Some(lang.city[city].into()),
                detail: Some(rng.pick(lang.place).into()),
                lat: None,
                lon: None,
            }),
            description: Some(rng.pick(lang.event).into()),
            acts,
        });
    }
    let follow_up = if rng.chance(30) {
        vec![FollowUp {
            kind: Some("complaint_filed".into()),
            to: Some("prosecutor".into()),
            date: Some(format!("2022-02-{:02}", rng.range(1, 28))),
            outcome: Some(
                rng.pick(&["pressure_to_withdraw", "no_response", "case_closed"])
                    .into(),
            ),
        }]
    } else {
        Vec::new()
    };
    let identity = rng.pick(&["named", "pseudonymous", "pseudonymous", "anonymous"]);
    let testimony = Testimony {
        schema: SCHEMA.into(),
        status: Some(term(RecordStatus::parse(if rng.chance(70) {
            "complete"
        } else {
            "draft"
        }))),
        interview: Some(Interview {
            date: Some(interview_date.clone()),
            place: Some(lang.city[city].into()),
            interviewer: Some(format!(
                "{}.{}.",
                char::from(b'A' + rng.below(26) as u8),
                char::from(b'A' + rng.below(26) as u8)
            )),
            language: Some(lang.code.into()),
            interpreter: None,
            mode: Some(term(InterviewMode::parse(if rng.chance(80) {
                "in_person"
            } else {
                "remote"
            }))),
        }),
        consent: Some(Consent {
            informed: true,
            recorded_at: Some(format!(
                "{interview_date}T{:02}:{:02}:00+06:00",
                rng.range(9, 19),
                rng.range(0, 59)
            )),
            identity: term(IdentityLevel::parse(identity)),
            share_with: vec![SHARED_WITH.into()],
            uses: vec![
                term(ConsentUse::parse("documentation")),
                term(ConsentUse::parse("advocacy")),
            ],
            notes: None,
        }),
        witness: Some(Witness {
            name: (identity == "named").then(|| names[2].0.clone()),
            pseudonym: Some(format!("W-{i}")),
            contact: None,
            birth_year: Some(rng.range(1950, 2004) as i32),
            gender: None,
            relation: Some(term(WitnessRelation::parse(rng.pick(&[
                "victim",
                "eyewitness",
                "relative",
            ])))),
        }),
        narrative,
        events,
        persons,
        follow_up,
        tags: vec!["january-2022".into()],
    };
    let city_word = lang.city_in[city]
        .rsplit(' ')
        .next()
        .unwrap_or(lang.city_in[city]);
    Generated {
        testimony,
        lang: lang_index,
        surname,
        plate,
        city_word,
    }
}

/// The testimonies of the given seeds, in order.
pub fn corpus(seeds: std::ops::Range<usize>) -> Vec<Testimony> {
    seeds.map(|i| generate(i as u64).testimony).collect()
}
