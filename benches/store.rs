//! Benchmark of the records store and the vault, against the targets of the performance
//! issue: bulk add, single-save latency, search latency, unlock time (Argon2id apart from the
//! rest, with a table of candidate Argon2id costs), and SQLCipher beside plain SQLite on the
//! same workload.
//!
//! ```text
//! cargo bench --bench store --features bench-internals
//! AIGAQ_BENCH_QUICK=1 cargo bench --bench store --features bench-internals   # smoke run
//! AIGAQ_BENCH_DIR=/media/usb cargo bench --bench store --features bench-internals
//! ```
//!
//! `AIGAQ_BENCH_DIR` puts the scratch vaults on another disk (an encrypted USB stick, say);
//! by default they go to the system's temporary folder, and are deleted at the end unless
//! `AIGAQ_BENCH_KEEP=1` (then `plain/main/vault.db` can be inspected with `sqlite3`, e.g.
//! for query plans). The figures are printed at the end; progress goes to stderr.
//!
//! The plain SQLite workload runs first, then the same workload on an SQLCipher database
//! with `PRAGMA cipher_memory_security` off, then on a vault as shipped (memory security
//! on). SQLCipher makes memory security process-wide and impossible to turn off once any
//! connection turned it on, so everything measured without it must come before the first
//! vault is opened. Section 5 sets both SQLCipher runs against plain SQLite, to tell the
//! cost of encryption from the cost of memory security. The header says how much CPU other
//! processes used in each phase, since the figures are only meaningful on an otherwise idle
//! machine.

use std::error::Error;
use std::fs::{self, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use aigaq::model::vocab::{
    ActType, Agency, ConsentUse, DatePrecision, IdentityLevel, InterviewMode, Method, PersonRole,
    PersonStatus, RecordStatus, WitnessRelation,
};
use aigaq::model::{
    Act, Consent, Event, EventDate, FollowUp, Interview, Person, Place, Testimony, Witness, SCHEMA,
};
use aigaq::store::Store;
use aigaq::{KdfParams, Passphrase, Vault};

type BenchResult<T = ()> = Result<T, Box<dyn Error>>;

// ---------------------------------------------------------------------------------------
// Targets (from the issue)
// ---------------------------------------------------------------------------------------

const BULK_RATE_TARGET: f64 = 2_000.0;
const SAVE_P99_TARGET: Duration = Duration::from_millis(20);
const SEARCH_P99_TARGET: Duration = Duration::from_millis(50);
const UNLOCK_REST_TARGET: Duration = Duration::from_millis(50);
const KDF_MIN_MEMORY_MIB: u32 = 256;
/// "About one second", as a window.
const KDF_SECONDS: (f64, f64) = (0.75, 1.5);
const CIPHER_RATIO_TARGET: f64 = 1.5;
const SEARCH_LIMIT: usize = 50;

// ---------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------

struct Config {
    quick: bool,
    /// Testimonies in the bulk add and in the first search.
    bulk: usize,
    /// Testimonies per `add` call in the batched bulk add.
    batch: usize,
    /// Testimonies in the second search.
    big: usize,
    /// Single saves timed.
    saves: usize,
    /// Queries per search run.
    queries: usize,
    /// Unlocks per cost.
    unlock_runs: usize,
    /// Argon2id runs per candidate cost.
    kdf_runs: usize,
    kdf_memory_mib: &'static [u32],
    kdf_time_cost: &'static [u32],
}

impl Config {
    fn from_env() -> Config {
        let quick = std::env::var("AIGAQ_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        if quick {
            Config {
                quick,
                bulk: 1_000,
                batch: 100,
                big: 10_000,
                saves: 50,
                queries: 49,
                unlock_runs: 3,
                kdf_runs: 1,
                kdf_memory_mib: &[256],
                kdf_time_cost: &[1, 2],
            }
        } else {
            Config {
                quick,
                bulk: 10_000,
                batch: 1_000,
                big: 100_000,
                saves: 300,
                queries: 203,
                unlock_runs: 5,
                kdf_runs: 3,
                kdf_memory_mib: &[256, 384, 512],
                kdf_time_cost: &[1, 2, 3],
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deterministic generator of realistic testimonies
// ---------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast and good enough to vary the text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
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
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// What one language contributes: sentence templates with `{slots}`, the words that fill
/// them, and the words searched for.
struct Lang {
    code: &'static str,
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
    common: &'static [&'static str],
    prefix: &'static [&'static str],
    pair: &'static [&'static str],
    absent: &'static [&'static str],
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

const LANGS: [&Lang; 3] = [&EN, &RU, &KK];

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
struct Generated {
    testimony: Testimony,
    lang: usize,
    /// The perpetrator's surname: a rare word, in the narrative and in the details.
    surname: String,
    /// The letters of a car's number plate, when the narrative gives one: nearly unique.
    plate: Option<String>,
    /// The city as the narrative writes it.
    city_word: &'static str,
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
fn generate(i: u64) -> Generated {
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
            share_with: vec!["Kazakhstan International Bureau for Human Rights".into()],
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

fn corpus(seeds: std::ops::Range<usize>) -> Vec<Testimony> {
    seeds.map(|i| generate(i as u64).testimony).collect()
}

// ---------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum QueryClass {
    Rare,
    Plate,
    Common,
    Prefix,
    Pair,
    CommonAndRare,
    Absent,
}

const QUERY_CLASSES: [QueryClass; 7] = [
    QueryClass::Rare,
    QueryClass::Plate,
    QueryClass::Common,
    QueryClass::Prefix,
    QueryClass::Pair,
    QueryClass::CommonAndRare,
    QueryClass::Absent,
];

impl QueryClass {
    fn label(self) -> &'static str {
        match self {
            QueryClass::Rare => "rare word (a surname)",
            QueryClass::Plate => "near-unique (plate letters)",
            QueryClass::Common => "common word",
            QueryClass::Prefix => "half-typed word",
            QueryClass::Pair => "two common words",
            QueryClass::CommonAndRare => "city + surname",
            QueryClass::Absent => "word found nowhere",
        }
    }
}

struct Query {
    class: QueryClass,
    text: String,
}

/// Queries in the three languages, every class in turn; the rare ones are taken from
/// testimonies among the first `docs`, so they have hits at every size measured.
fn queries(n: usize, docs: usize) -> Vec<Query> {
    let mut rng = Rng::new(0xC0FFEE);
    let from_doc = |rng: &mut Rng, lang: usize, want_plate: bool| loop {
        let g = generate(rng.below(docs) as u64);
        if (want_plate && g.plate.is_some()) || (!want_plate && g.lang == lang) {
            return g;
        }
    };
    (0..n)
        .map(|k| {
            let class = QUERY_CLASSES[k % QUERY_CLASSES.len()];
            let lang_index = (k / QUERY_CLASSES.len()) % LANGS.len();
            let lang = LANGS[lang_index];
            let text = match class {
                QueryClass::Rare => from_doc(&mut rng, lang_index, false).surname,
                QueryClass::Plate => from_doc(&mut rng, lang_index, true)
                    .plate
                    .unwrap_or_default(),
                QueryClass::Common => rng.pick(lang.common).to_owned(),
                QueryClass::Prefix => rng.pick(lang.prefix).to_owned(),
                QueryClass::Pair => rng.pick(lang.pair).to_owned(),
                QueryClass::CommonAndRare => {
                    let g = from_doc(&mut rng, lang_index, false);
                    format!("{} {}", g.city_word, g.surname)
                }
                QueryClass::Absent => rng.pick(lang.absent).to_owned(),
            };
            Query { class, text }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------

/// Latencies, sorted.
struct Samples(Vec<Duration>);

impl Samples {
    fn new(mut v: Vec<Duration>) -> Samples {
        v.sort();
        Samples(v)
    }

    /// Nearest-rank percentile.
    fn pct(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    fn p50(&self) -> Duration {
        self.pct(50.0)
    }

    fn p99(&self) -> Duration {
        self.pct(99.0)
    }

    fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }
}

/// The same figure for the three kinds of store measured.
struct Trio<T> {
    /// The vault as shipped: SQLCipher with memory security on.
    cipher: T,
    /// SQLCipher with memory security off.
    unsecured: T,
    plain: T,
}

/// The kinds of store measured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    /// SQLCipher, random key, `cipher_memory_security` off; must run before any vault.
    CipherNoMemsec,
    /// A vault as shipped (memory security on).
    Cipher,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Plain => "plain SQLite",
            Kind::CipherNoMemsec => "SQLCipher, memsec off",
            Kind::Cipher => "SQLCipher",
        }
    }
}

/// An open store of any kind (a vault owns its store).
enum Opened {
    Bare(Box<Store>),
    Cipher(Box<Vault>),
}

impl Opened {
    /// A new, empty store in `dir`; a vault gets a light Argon2id cost.
    fn create(kind: Kind, dir: &Path, pass: &Passphrase) -> BenchResult<Opened> {
        Ok(match kind {
            Kind::Plain => {
                fs::create_dir_all(dir)?;
                Opened::Bare(Box::new(Store::open_plaintext_for_benchmark(
                    &dir.join("vault.db"),
                )?))
            }
            Kind::CipherNoMemsec => {
                fs::create_dir_all(dir)?;
                Opened::Bare(Box::new(Store::open_encrypted_for_benchmark(
                    &dir.join("vault.db"),
                    false,
                )?))
            }
            Kind::Cipher => {
                Opened::Cipher(Box::new(Vault::init(dir, pass, KdfParams::new(8, 1)?)?))
            }
        })
    }

    fn store(&self) -> &Store {
        match self {
            Opened::Bare(s) => s,
            Opened::Cipher(v) => v.store(),
        }
    }

    fn store_mut(&mut self) -> &mut Store {
        match self {
            Opened::Bare(s) => s,
            Opened::Cipher(v) => v.store_mut(),
        }
    }
}

/// Seeds of the testimonies saved one by one, apart from the corpus.
const SINGLE_SAVE_SEEDS: usize = 10_000_000;

/// Everything measured on one kind of store.
struct Workload {
    bulk_batched: Duration,
    bulk_one: Duration,
    search_small: SearchRun,
    saves: Samples,
    grown: usize,
    grow_time: Duration,
    search_big: SearchRun,
    /// `PRAGMA cipher_memory_security` as the store saw it.
    memory_security: String,
}

/// Bulk add (batched, and in one call into a fresh store), search at the bulk size, single
/// saves, growth to the big size and search again, all on one kind of store in `dir`.
fn workload(
    kind: Kind,
    dir: &Path,
    cfg: &Config,
    items: &[Testimony],
    queries: &[Query],
    pass: &Passphrase,
) -> BenchResult<Workload> {
    let name = kind.label();
    let mut main = Opened::create(kind, &dir.join("main"), pass)?;
    eprintln!("{name}: bulk add, {} per call …", thousands(cfg.batch));
    let bulk_batched = bulk_add(main.store_mut(), items, cfg.batch)?;
    eprintln!("{name}: bulk add, one call …");
    let bulk_one = {
        let one_dir = dir.join("one");
        let mut one = Opened::create(kind, &one_dir, pass)?;
        let took = bulk_add(one.store_mut(), items, items.len())?;
        drop(one);
        fs::remove_dir_all(&one_dir)?;
        took
    };
    eprintln!("{name}: search at {} …", thousands(items.len()));
    let search_small = search(main.store(), queries)?;
    eprintln!("{name}: {} single saves …", cfg.saves);
    let saves = single_saves(main.store_mut(), cfg.saves, SINGLE_SAVE_SEEDS)?;
    eprintln!("{name}: growing to {} …", thousands(cfg.big));
    let (grown, grow_time) = grow(main.store_mut(), cfg.big, items.len(), cfg.batch)?;
    eprintln!("{name}: search at {} …", thousands(cfg.big));
    let search_big = search(main.store(), queries)?;
    let memory_security = main
        .store()
        .pragma("cipher_memory_security")
        .unwrap_or_else(|_| "?".into());
    Ok(Workload {
        bulk_batched,
        bulk_one,
        search_small,
        saves,
        grown,
        grow_time,
        search_big,
        memory_security,
    })
}

/// Adds `items`, `batch` per call; the total time spent in `add`.
fn bulk_add(store: &mut Store, items: &[Testimony], batch: usize) -> BenchResult<Duration> {
    let mut total = Duration::ZERO;
    for chunk in items.chunks(batch) {
        let started = Instant::now();
        store.add(chunk)?;
        total += started.elapsed();
    }
    Ok(total)
}

/// Adds testimonies generated on the fly (not timed) until the store holds `target`.
fn grow(
    store: &mut Store,
    target: usize,
    first_seed: usize,
    batch: usize,
) -> BenchResult<(usize, Duration)> {
    let have = store.count()? as usize;
    let mut total = Duration::ZERO;
    let mut added = 0;
    while have + added < target {
        let n = batch.min(target - have - added);
        let seed = first_seed + added;
        let chunk = corpus(seed..seed + n);
        let started = Instant::now();
        store.add(&chunk)?;
        total += started.elapsed();
        added += n;
        if (added / batch).is_multiple_of(10) {
            eprintln!("  … {} testimonies", thousands(have + added));
        }
    }
    Ok((added, total))
}

/// Each testimony saved on its own: one transaction, one commit to disk.
fn single_saves(store: &mut Store, n: usize, first_seed: usize) -> BenchResult<Samples> {
    let mut samples = Vec::with_capacity(n);
    for k in 0..n {
        let one = [generate((first_seed + k) as u64).testimony];
        let started = Instant::now();
        store.add(&one)?;
        samples.push(started.elapsed());
    }
    Ok(Samples::new(samples))
}

struct SearchRun {
    docs: u64,
    all: Samples,
    /// Per class: latencies and hit counts.
    classes: Vec<(QueryClass, Samples, Vec<usize>)>,
}

fn search(store: &Store, queries: &[Query]) -> BenchResult<SearchRun> {
    // Prepares and caches the statement and warms the page cache a little; not timed.
    for q in queries.iter().take(QUERY_CLASSES.len()) {
        store.search(&q.text, SEARCH_LIMIT)?;
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut hits = Vec::with_capacity(queries.len());
    for q in queries {
        let started = Instant::now();
        let found = store.search(&q.text, SEARCH_LIMIT)?;
        times.push(started.elapsed());
        hits.push(found.len());
    }
    let classes = QUERY_CLASSES
        .iter()
        .map(|&c| {
            (
                c,
                Samples::new(of_class(queries, &times, c)),
                of_class(queries, &hits, c),
            )
        })
        .collect();
    Ok(SearchRun {
        docs: store.count()?,
        all: Samples::new(times),
        classes,
    })
}

/// The values that belong to queries of one class.
fn of_class<T: Copy>(queries: &[Query], values: &[T], class: QueryClass) -> Vec<T> {
    queries
        .iter()
        .zip(values)
        .filter(|(q, _)| q.class == class)
        .map(|(_, v)| *v)
        .collect()
}

struct UnlockRun {
    params: KdfParams,
    docs: u64,
    kdf: Samples,
    rest: Samples,
}

fn unlock(dir: &Path, pass: &Passphrase, runs: usize) -> BenchResult<UnlockRun> {
    let mut kdf = Vec::new();
    let mut rest = Vec::new();
    let mut params = KdfParams::DEFAULT;
    let mut docs = 0;
    for _ in 0..runs {
        let vault = Vault::unlock(dir, pass)?;
        let t = vault.timings();
        kdf.push(t.kdf);
        rest.push(t.rest);
        params = vault.kdf_params()?;
        docs = vault.store().count()?;
    }
    Ok(UnlockRun {
        params,
        docs,
        kdf: Samples::new(kdf),
        rest: Samples::new(rest),
    })
}

/// What the disk itself costs: a 4 KiB write and a flush, as a floor under a commit.
/// Overwriting reuses blocks (as a recycled WAL does; `fdatasync`); appending grows the file
/// (as a fresh WAL does; `fsync`, which SQLite uses as built here).
fn fsync_floor(dir: &Path, n: usize) -> BenchResult<(Samples, Samples)> {
    let path = dir.join("fsync-probe");
    let block = [0x5a_u8; 4096];
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)?;
    f.write_all(&block)?;
    f.sync_all()?;
    let mut overwrite = Vec::with_capacity(n);
    for _ in 0..n {
        f.seek(SeekFrom::Start(0))?;
        let started = Instant::now();
        f.write_all(&block)?;
        f.sync_data()?;
        overwrite.push(started.elapsed());
    }
    f.seek(SeekFrom::End(0))?;
    let mut append = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f.write_all(&block)?;
        f.sync_all()?;
        append.push(started.elapsed());
    }
    drop(f);
    fs::remove_file(&path)?;
    Ok((Samples::new(overwrite), Samples::new(append)))
}

/// CPU time of the whole machine and of this process (Linux `/proc`), to tell how much else
/// ran beside the benchmark on a shared machine.
#[derive(Clone, Copy)]
struct CpuSnapshot {
    /// All CPUs, busy ticks.
    busy: u64,
    /// All CPUs, busy and idle ticks.
    total: u64,
    /// This process, user and system ticks.
    own: u64,
}

fn cpu_snapshot() -> Option<CpuSnapshot> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    let &[user, nice, system, idle, iowait, irq, softirq, steal, ..] = ticks.as_slice() else {
        return None;
    };
    let busy = user + nice + system + irq + softirq + steal;
    let me = fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = me[me.rfind(')')? + 1..].split_whitespace().collect();
    let own = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(CpuSnapshot {
        busy,
        total: busy + idle + iowait,
        own,
    })
}

/// How many cores other processes kept busy, on average, between two snapshots.
fn others_busy(from: Option<CpuSnapshot>, to: Option<CpuSnapshot>, cores: usize) -> Option<f64> {
    let (a, b) = (from?, to?);
    let total = b.total.checked_sub(a.total).filter(|&t| t > 0)?;
    let others = (b.busy.saturating_sub(a.busy)).saturating_sub(b.own.saturating_sub(a.own));
    Some(others as f64 / total as f64 * cores as f64)
}

/// Other processes using more than this many cores make the figures unreliable.
const BACKGROUND_WARNING_CORES: f64 = 0.2;

/// Median time of one Argon2id derivation per candidate cost.
fn kdf_grid(cfg: &Config, pass: &Passphrase) -> BenchResult<Vec<(u32, u32, Duration)>> {
    let mut out = Vec::new();
    for &mib in cfg.kdf_memory_mib {
        for &t in cfg.kdf_time_cost {
            let params = KdfParams {
                memory_kib: mib * 1024,
                time_cost: t,
                lanes: 1,
            };
            let mut runs = Vec::new();
            for _ in 0..cfg.kdf_runs {
                let started = Instant::now();
                let key = params.derive(pass, &[0u8; 32])?;
                runs.push(started.elapsed());
                drop(key);
            }
            eprintln!(
                "  … Argon2id {mib} MiB, t={t}: {}",
                secs(Samples::new(runs.clone()).p50())
            );
            out.push((mib, t, Samples::new(runs).p50()));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn per_second(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn rate(r: f64) -> String {
    format!("{} /s", thousands(r.round() as usize))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "MISS"
    }
}

/// Prints rows and remembers which targets were missed.
#[derive(Default)]
struct Report {
    checked: usize,
    missed: Vec<String>,
}

impl Report {
    fn section(&self, title: &str) {
        println!();
        println!("{title}");
        println!("{}", "-".repeat(title.chars().count()));
    }

    fn header(&self) {
        println!(
            "  {:<56} {:>16} {:>22}  result",
            "figure", "measured", "target"
        );
    }

    fn check(&mut self, name: &str, measured: String, target: String, ok: bool) {
        println!("  {name:<56} {measured:>16} {target:>22}  {}", verdict(ok));
        self.checked += 1;
        if !ok {
            self.missed
                .push(format!("{name}: {measured} (target {target})"));
        }
    }

    fn info(&self, name: &str, measured: String) {
        println!("  {name:<56} {measured:>16} {:>22}  -", "(info)");
    }

    fn compare_header(&self) {
        println!(
            "  {:<42} {:>12} {:>12} {:>8} {:>8}  result",
            "workload / which SQLCipher run", "SQLCipher", "plain", "ratio", "target"
        );
    }

    /// One workload, then a row per SQLCipher run: encryption only (memory security off)
    /// and as shipped (memory security on), each against plain SQLite. `ratio` is how many
    /// times longer SQLCipher takes; `None` target means information only.
    fn compare(
        &mut self,
        workload: &str,
        plain: &str,
        runs: [(&str, String, f64); 2],
        target: Option<f64>,
    ) {
        println!("  {workload}");
        for (run, cipher, ratio) in runs {
            let shown = format!("{ratio:.2}×");
            match target {
                Some(t) => {
                    let ok = ratio <= t;
                    let target = format!("≤ {t:.1}×");
                    println!(
                        "    {run:<40} {cipher:>12} {plain:>12} {shown:>8} {target:>8}  {}",
                        verdict(ok)
                    );
                    self.checked += 1;
                    if !ok {
                        self.missed
                            .push(format!("{workload}, {run}: {shown} (target {target})"));
                    }
                }
                None => println!(
                    "    {run:<40} {cipher:>12} {plain:>12} {shown:>8} {:>8}  -",
                    "(info)"
                ),
            }
        }
    }
}

fn ratio(cipher: Duration, plain: Duration) -> f64 {
    cipher.as_secs_f64() / plain.as_secs_f64().max(1e-12)
}

/// Per query class, the vault as shipped (memory security on), SQLCipher with memory
/// security off, and plain SQLite.
fn print_search_classes(run: Trio<&SearchRun>) {
    println!(
        "    {:<28} {:>3} {:>5}  {:>19}  {:>19}  {:>19}",
        "", "", "hits", "SQLCipher as shipped", "SQLCipher memsec off", "plain SQLite"
    );
    println!(
        "    {:<28} {:>3} {:>5}  {:>9} {:>9}  {:>9} {:>9}  {:>9} {:>9}",
        "query class", "n", "(med)", "p50", "p99", "p50", "p99", "p50", "p99"
    );
    let rows = run
        .cipher
        .classes
        .iter()
        .zip(&run.unsecured.classes)
        .zip(&run.plain.classes);
    for (((class, cipher, hits), (_, unsecured, _)), (_, plain, _)) in rows {
        let mut h = hits.clone();
        h.sort_unstable();
        let median_hits = h.get(h.len().saturating_sub(1) / 2).copied().unwrap_or(0);
        println!(
            "    {:<28} {:>3} {:>5}  {:>9} {:>9}  {:>9} {:>9}  {:>9} {:>9}",
            class.label(),
            cipher.0.len(),
            median_hits,
            ms(cipher.p50()),
            ms(cipher.p99()),
            ms(unsecured.p50()),
            ms(unsecured.p99()),
            ms(plain.p50()),
            ms(plain.p99())
        );
    }
}

fn kdf_ok(memory_kib: u32, d: Duration) -> bool {
    let s = d.as_secs_f64();
    memory_kib >= KDF_MIN_MEMORY_MIB * 1024 && (KDF_SECONDS.0..=KDF_SECONDS.1).contains(&s)
}

fn describe(p: KdfParams) -> String {
    format!(
        "{} MiB, t={}, lanes {}",
        p.memory_kib / 1024,
        p.time_cost,
        p.lanes
    )
}

// ---------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------

fn main() -> BenchResult {
    let cfg = Config::from_env();
    let scratch = match std::env::var_os("AIGAQ_BENCH_DIR") {
        Some(dir) => tempfile::Builder::new()
            .prefix("aigaq-bench-")
            .tempdir_in(dir)?,
        None => tempfile::Builder::new().prefix("aigaq-bench-").tempdir()?,
    };
    let root = scratch.path();
    let pass = Passphrase::new("correct horse battery staple".into())?;
    let started = Instant::now();

    eprintln!("generating {} testimonies …", thousands(cfg.bulk));
    let items = corpus(0..cfg.bulk);
    let narrative_bytes: usize = items.iter().map(|t| t.narrative.len()).sum();
    let details_bytes: usize = items.iter().map(|t| t.searchable_details().len()).sum();
    let mut by_lang = [0usize; 3];
    for t in &items {
        let code = t.interview.as_ref().and_then(|i| i.language.as_deref());
        if let Some(l) = LANGS.iter().position(|l| Some(l.code) == code) {
            by_lang[l] += 1;
        }
    }
    let qs = queries(cfg.queries, cfg.bulk);

    // 1, 2, 3 and 5. Plain SQLite first, then SQLCipher with memory security off, then the
    // vaults: the Store turns on `PRAGMA cipher_memory_security` for every vault, and
    // SQLCipher makes that setting process-wide and one-way (every SQLite allocation is then
    // locked and wiped), so once a vault is open in this process neither a "plain" database
    // nor an encrypted one "without memory security" is what it says.
    let cpu_start = cpu_snapshot();
    let plain = workload(Kind::Plain, &root.join("plain"), &cfg, &items, &qs, &pass)?;
    let (floor_overwrite, floor_append) = fsync_floor(root, cfg.saves)?;
    let cpu_plain = cpu_snapshot();
    let unsecured = workload(
        Kind::CipherNoMemsec,
        &root.join("cipher-nomemsec"),
        &cfg,
        &items,
        &qs,
        &pass,
    )?;
    let cpu_unsecured = cpu_snapshot();
    // Vaults from here on: memory security is on for the rest of the process.
    let cipher = workload(Kind::Cipher, &root.join("cipher"), &cfg, &items, &qs, &pass)?;
    let cpu_cipher = cpu_snapshot();

    // 4: unlock, light cost on the big vault, default cost on a small one.
    eprintln!("unlocking …");
    let unlock_light = unlock(&root.join("cipher").join("main"), &pass, cfg.unlock_runs)?;
    let cipher_version = {
        let mut v = Vault::init(&root.join("default"), &pass, KdfParams::DEFAULT)?;
        v.store_mut().add(&items[..items.len().min(100)])?;
        v.store().cipher_version().unwrap_or_else(|| "?".into())
    };
    let unlock_default = unlock(&root.join("default"), &pass, cfg.unlock_runs)?;
    eprintln!("Argon2id candidates …");
    let grid = kdf_grid(&cfg, &pass)?;
    let cpu_end = cpu_snapshot();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    // ---------------------------------------------------------------------------------
    let mut r = Report::default();
    println!();
    println!(
        "Aigaq store benchmark{}",
        if cfg.quick {
            " (QUICK: smaller sizes, smoke run only)"
        } else {
            ""
        }
    );
    println!(
        "  {} cores; SQLCipher {cipher_version}; scratch {}; {} in all",
        cores,
        root.display(),
        secs(started.elapsed())
    );
    println!(
        "  corpus: {} testimonies, {} en / {} ru / {} kk, narrative {} B and details {} B on average",
        thousands(cfg.bulk),
        by_lang[0],
        by_lang[1],
        by_lang[2],
        narrative_bytes / cfg.bulk.max(1),
        details_bytes / cfg.bulk.max(1)
    );
    println!(
        "  order: plain SQLite, then SQLCipher with memory security off, then SQLCipher vaults as shipped"
    );
    println!(
        "  cipher_memory_security: plain run {}, SQLCipher memsec-off run {}, SQLCipher vault run {} (and all later runs)",
        plain.memory_security, unsecured.memory_security, cipher.memory_security
    );
    let phases = [
        ("plain", others_busy(cpu_start, cpu_plain, cores)),
        (
            "SQLCipher memsec off",
            others_busy(cpu_plain, cpu_unsecured, cores),
        ),
        (
            "SQLCipher as shipped",
            others_busy(cpu_unsecured, cpu_cipher, cores),
        ),
        (
            "unlock and Argon2id",
            others_busy(cpu_cipher, cpu_end, cores),
        ),
    ];
    if phases.iter().all(|(_, busy)| busy.is_some()) {
        let shown: Vec<String> = phases
            .iter()
            .map(|(name, busy)| format!("{name} {:.2}", busy.unwrap_or(0.0)))
            .collect();
        println!(
            "  other processes kept busy, in cores on average: {}",
            shown.join(", ")
        );
        if phases
            .iter()
            .any(|(_, busy)| busy.unwrap_or(0.0) > BACKGROUND_WARNING_CORES)
        {
            println!(
                "  WARNING: the machine was busy with other work during part of the run; rerun when it is idle"
            );
        }
    }

    r.section(&format!(
        "1. Bulk add of {} testimonies (SQLCipher vault, one transaction per call)",
        thousands(cfg.bulk)
    ));
    r.header();
    let batched_rate = per_second(cfg.bulk, cipher.bulk_batched);
    r.check(
        &format!(
            "{} × add({}) ({} in all)",
            cfg.bulk / cfg.batch,
            thousands(cfg.batch),
            secs(cipher.bulk_batched)
        ),
        rate(batched_rate),
        format!("≥ {}", rate(BULK_RATE_TARGET)),
        batched_rate >= BULK_RATE_TARGET,
    );
    let one_rate = per_second(cfg.bulk, cipher.bulk_one);
    r.check(
        &format!(
            "1 × add({}) ({} in all)",
            thousands(cfg.bulk),
            secs(cipher.bulk_one)
        ),
        rate(one_rate),
        format!("≥ {}", rate(BULK_RATE_TARGET)),
        one_rate >= BULK_RATE_TARGET,
    );
    r.info(
        &format!(
            "growing by {} to {}, add({}) each",
            thousands(cipher.grown),
            thousands(cfg.big),
            thousands(cfg.batch)
        ),
        rate(per_second(cipher.grown, cipher.grow_time)),
    );

    r.section(&format!(
        "2. Single save: add(&[one]), own transaction, synchronous=FULL ({} saves at {})",
        cfg.saves,
        thousands(cfg.bulk)
    ));
    r.header();
    let saves = &cipher.saves;
    r.info("p50", ms(saves.p50()));
    r.check(
        "p99",
        ms(saves.p99()),
        format!("≤ {}", ms(SAVE_P99_TARGET)),
        saves.p99() <= SAVE_P99_TARGET,
    );
    r.info("max", ms(saves.max()));
    r.info(
        "disk floor: overwrite 4 KiB + fdatasync, p50",
        ms(floor_overwrite.p50()),
    );
    r.info(
        "disk floor: overwrite 4 KiB + fdatasync, p99",
        ms(floor_overwrite.p99()),
    );
    r.info(
        "disk floor: append 4 KiB + fsync, p50",
        ms(floor_append.p50()),
    );
    r.info(
        "disk floor: append 4 KiB + fsync, p99",
        ms(floor_append.p99()),
    );

    r.section(&format!(
        "3. Search: store().search(query, {SEARCH_LIMIT}), {} queries in en/ru/kk",
        qs.len()
    ));
    r.header();
    for run in [&cipher.search_small, &cipher.search_big] {
        let docs = thousands(run.docs as usize);
        r.info(&format!("at {docs} testimonies: p50"), ms(run.all.p50()));
        r.check(
            &format!("at {docs} testimonies: p99"),
            ms(run.all.p99()),
            format!("≤ {}", ms(SEARCH_P99_TARGET)),
            run.all.p99() <= SEARCH_P99_TARGET,
        );
        r.info(&format!("at {docs} testimonies: max"), ms(run.all.max()));
    }
    for run in [
        Trio {
            cipher: &cipher.search_small,
            unsecured: &unsecured.search_small,
            plain: &plain.search_small,
        },
        Trio {
            cipher: &cipher.search_big,
            unsecured: &unsecured.search_big,
            plain: &plain.search_big,
        },
    ] {
        println!();
        println!(
            "    by query class, at {} testimonies:",
            thousands(run.cipher.docs as usize)
        );
        print_search_classes(run);
    }

    r.section("4. Unlock: Vault::unlock, then timings() (median of the runs)");
    r.header();
    for (label, run) in [
        ("default cost", &unlock_default),
        ("light cost", &unlock_light),
    ] {
        println!(
            "  {label} ({}), {} runs, {} testimonies",
            describe(run.params),
            run.kdf.0.len(),
            thousands(run.docs as usize)
        );
        if run.params == KdfParams::DEFAULT {
            r.check(
                "  KDF (Argon2id)",
                secs(run.kdf.p50()),
                format!(
                    "≥ {KDF_MIN_MEMORY_MIB} MiB, {}-{} s",
                    KDF_SECONDS.0, KDF_SECONDS.1
                ),
                kdf_ok(run.params.memory_kib, run.kdf.p50()),
            );
        } else {
            r.info("  KDF (Argon2id)", ms(run.kdf.p50()));
        }
        r.check(
            "  rest",
            ms(run.rest.p50()),
            format!("≤ {}", ms(UNLOCK_REST_TARGET)),
            run.rest.p50() <= UNLOCK_REST_TARGET,
        );
        r.info("  rest, slowest run", ms(run.rest.max()));
    }
    println!();
    println!(
        "    Argon2id candidates: KdfParams {{ memory_kib, time_cost, lanes: 1 }}.derive(), median of {}",
        cfg.kdf_runs
    );
    print!("    {:<10}", "memory");
    for t in cfg.kdf_time_cost {
        print!(" {:>10}", format!("t={t}"));
    }
    println!();
    for &mib in cfg.kdf_memory_mib {
        print!("    {:<10}", format!("{mib} MiB"));
        for &t in cfg.kdf_time_cost {
            let d = grid
                .iter()
                .find(|g| g.0 == mib && g.1 == t)
                .map_or(Duration::ZERO, |g| g.2);
            let mark = if kdf_ok(mib * 1024, d) { "*" } else { " " };
            print!(" {:>10}", format!("{}{mark}", secs(d)));
        }
        println!();
    }
    println!(
        "    * = meets the requirement: at least {KDF_MIN_MEMORY_MIB} MiB and {}-{} s (\"about one second\") here",
        KDF_SECONDS.0, KDF_SECONDS.1
    );

    r.section(
        "5. SQLCipher against plain SQLite, same workload, same process (ratio = SQLCipher time / plain time)",
    );
    println!(
        "  Each workload has two rows: \"encryption only\" is SQLCipher with cipher_memory_security"
    );
    println!(
        "  off (measured before any vault was opened); \"as shipped\" is the vault, memory security on."
    );
    println!("  The ≤ {CIPHER_RATIO_TARGET:.1}× target is evaluated on each row.");
    r.compare_header();
    const OFF: &str = "encryption only (memsec off) / plain";
    const ON: &str = "as shipped (memsec on) / plain";
    let bulk_row =
        |r: &mut Report, name: String, n: usize, pick: fn(&Workload) -> Duration, target| {
            let p = pick(&plain);
            let (u, c) = (pick(&unsecured), pick(&cipher));
            r.compare(
                &name,
                &rate(per_second(n, p)),
                [
                    (OFF, rate(per_second(n, u)), ratio(u, p)),
                    (ON, rate(per_second(n, c)), ratio(c, p)),
                ],
                target,
            );
        };
    let ms_row = |r: &mut Report, name: String, pick: fn(&Workload) -> Duration, target| {
        let p = pick(&plain);
        let (u, c) = (pick(&unsecured), pick(&cipher));
        r.compare(
            &name,
            &ms(p),
            [(OFF, ms(u), ratio(u, p)), (ON, ms(c), ratio(c, p))],
            target,
        );
    };
    bulk_row(
        &mut r,
        format!(
            "bulk add, {} × add({})",
            cfg.bulk / cfg.batch,
            thousands(cfg.batch)
        ),
        cfg.bulk,
        |w| w.bulk_batched,
        Some(CIPHER_RATIO_TARGET),
    );
    bulk_row(
        &mut r,
        format!("bulk add, 1 × add({})", thousands(cfg.bulk)),
        cfg.bulk,
        |w| w.bulk_one,
        Some(CIPHER_RATIO_TARGET),
    );
    ms_row(
        &mut r,
        "single save p50".into(),
        |w| w.saves.p50(),
        Some(CIPHER_RATIO_TARGET),
    );
    ms_row(
        &mut r,
        "single save p99".into(),
        |w| w.saves.p99(),
        Some(CIPHER_RATIO_TARGET),
    );
    let small = thousands(cipher.search_small.docs as usize);
    let big = thousands(cipher.search_big.docs as usize);
    ms_row(
        &mut r,
        format!("search at {small}, p50"),
        |w| w.search_small.all.p50(),
        Some(CIPHER_RATIO_TARGET),
    );
    ms_row(
        &mut r,
        format!("search at {small}, p99"),
        |w| w.search_small.all.p99(),
        Some(CIPHER_RATIO_TARGET),
    );
    ms_row(
        &mut r,
        format!("search at {big}, p50"),
        |w| w.search_big.all.p50(),
        None,
    );
    ms_row(
        &mut r,
        format!("search at {big}, p99"),
        |w| w.search_big.all.p99(),
        None,
    );
    bulk_row(
        &mut r,
        format!(
            "growing to {}, add({}) each",
            thousands(cfg.big),
            thousands(cfg.batch)
        ),
        cipher.grown,
        |w| w.grow_time,
        None,
    );

    println!();
    println!(
        "Summary: {} of {} targets met.",
        r.checked - r.missed.len(),
        r.checked
    );
    for m in &r.missed {
        println!("  MISS  {m}");
    }
    if std::env::var_os("AIGAQ_BENCH_KEEP").is_some() {
        let kept = scratch.keep();
        println!();
        println!("Scratch vaults kept in {}", kept.display());
    }
    Ok(())
}
