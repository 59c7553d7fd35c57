//! Every controlled vocabulary of `aigaq/testimony/1`, in one place, with English, Russian
//! and Kazakh labels translated by meaning. The stored value is always the code; labels are
//! for people. The UI and the CLI read them from here so the lists never drift apart.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One entry of a vocabulary: the stored code and its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The value stored in a testimony.
    pub code: &'static str,
    /// English label.
    pub en: &'static str,
    /// Russian label.
    pub ru: &'static str,
    /// Kazakh label.
    pub kk: &'static str,
}

/// A named vocabulary, as handed to the UI.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Vocabulary {
    /// Machine name, e.g. `act_type`.
    pub name: &'static str,
    /// What one value is called in an error message, e.g. `act type`.
    pub noun: &'static str,
    /// The allowed values in display order.
    pub terms: &'static [Term],
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $noun:literal, [$(($code:literal, $en:literal, $ru:literal, $kk:literal)),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty(&'static str);

        impl $ty {
            /// The vocabulary this type draws from.
            pub const VOCABULARY: Vocabulary = Vocabulary {
                name: $name,
                noun: $noun,
                terms: &[$(Term { code: $code, en: $en, ru: $ru, kk: $kk }),+],
            };

            /// Looks a code up; `None` when it is not in the vocabulary.
            pub fn parse(code: &str) -> Option<Self> {
                Self::VOCABULARY.terms.iter().find(|t| t.code == code).map(|t| Self(t.code))
            }

            /// The stored code.
            pub fn code(&self) -> &'static str {
                self.0
            }

            /// The term with its labels.
            pub fn term(&self) -> &'static Term {
                Self::VOCABULARY
                    .terms
                    .iter()
                    .find(|t| t.code == self.0)
                    .unwrap_or(&Self::VOCABULARY.terms[0])
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).ok_or_else(|| {
                    serde::de::Error::custom(unknown_message(&Self::VOCABULARY, &raw))
                })
            }
        }
    };
}

fn unknown_message(v: &Vocabulary, raw: &str) -> String {
    let codes: Vec<&str> = v.terms.iter().map(|t| t.code).collect();
    let shown: String = raw.chars().take(60).collect();
    format!(
        "unknown {} {:?}; use one of: {}",
        v.noun,
        shown,
        codes.join(", ")
    )
}

vocabulary!(
    /// Whether the documenter considers the record finished.
    RecordStatus, "record_status", "record status", [
    ("draft", "Draft", "Черновик", "Жоба"),
    ("complete", "Complete", "Завершено", "Аяқталған"),
]);

vocabulary!(
    /// How the interview was held.
    InterviewMode, "interview_mode", "interview mode", [
    ("in_person", "In person", "Лично", "Жеке кездесу"),
    ("remote", "Remote", "Дистанционно", "Қашықтан"),
]);

vocabulary!(
    /// How much of the witness's identity may be recorded and shared.
    IdentityLevel, "identity_level", "identity level", [
    ("named", "Named (may be identified)", "С именем (можно раскрыть личность)", "Аты-жөнімен (жеке басын ашуға болады)"),
    ("pseudonymous", "Pseudonym only", "Только псевдоним", "Тек бүркеншік атпен"),
    ("anonymous", "Anonymous", "Анонимно", "Жасырын"),
]);

vocabulary!(
    /// What the witness agreed the testimony may be used for.
    ConsentUse, "consent_use", "consent use", [
    ("documentation", "Documentation", "Документирование", "Құжаттау"),
    ("advocacy", "Advocacy", "Правозащитная работа", "Құқық қорғау қызметі"),
    ("legal_proceedings", "Legal proceedings", "Судебные разбирательства", "Сот ісі"),
    ("publication", "Publication", "Публикация", "Жариялау"),
]);

vocabulary!(
    /// How the witness relates to what happened.
    WitnessRelation, "witness_relation", "witness relation", [
    ("victim", "Victim", "Пострадавший", "Жәбірленуші"),
    ("eyewitness", "Eyewitness", "Очевидец", "Куәгер"),
    ("relative", "Relative of a victim", "Родственник пострадавшего", "Жәбірленушінің туысы"),
    ("lawyer", "Lawyer", "Адвокат", "Адвокат"),
    ("medical", "Medical worker", "Медицинский работник", "Медицина қызметкері"),
    ("other", "Other", "Другое", "Басқа"),
]);

vocabulary!(
    /// How exact an event's date is.
    DatePrecision, "date_precision", "date precision", [
    ("day", "Exact day", "Точная дата", "Нақты күні"),
    ("approximate", "Approximate", "Приблизительно", "Шамамен"),
]);

vocabulary!(
    /// What was done: the violation.
    ActType, "act_type", "act type", [
    ("killing", "Killing", "Убийство", "Кісі өлтіру"),
    ("shooting", "Shooting", "Стрельба", "Атыс"),
    ("arbitrary_detention", "Arbitrary detention", "Произвольное задержание", "Заңсыз ұстау"),
    ("torture", "Torture", "Пытки", "Азаптау"),
    ("ill_treatment", "Cruel or degrading treatment", "Жестокое или унижающее обращение", "Қатыгез немесе ар-намысты қорлайтын қарым-қатынас"),
    ("enforced_disappearance", "Enforced disappearance", "Насильственное исчезновение", "Күштеп жоғалту"),
    ("denial_of_medical_care", "Denial of medical care", "Отказ в медицинской помощи", "Медициналық көмектен бас тарту"),
    ("denial_of_counsel", "Denial of a lawyer", "Отказ в доступе к адвокату", "Адвокатқа қол жеткізбеу"),
    ("forced_confession", "Forced confession", "Принуждение к признанию", "Мойындауға мәжбүрлеу"),
    ("threats", "Threats", "Угрозы", "Қорқыту"),
    ("pressure_to_withdraw_complaint", "Pressure to withdraw a complaint", "Давление с целью отзыва жалобы", "Шағымды кері қайтарып алуға қысым көрсету"),
    ("removal_from_hospital", "Removal from hospital", "Изъятие из больницы", "Ауруханадан алып кету"),
    ("property_seizure", "Seizure of property", "Изъятие имущества", "Мүлікті тәркілеу"),
    ("other", "Other", "Другое", "Басқа"),
]);

vocabulary!(
    /// How an act of torture or ill-treatment was carried out (Istanbul Protocol, ch. V).
    Method, "method", "method", [
    ("beating", "Beating", "Избиение", "Ұрып-соғу"),
    ("electric_shock", "Electric shock", "Удары током", "Электр тогымен азаптау"),
    ("burning", "Burning (e.g. with an iron)", "Ожоги (например, утюгом)", "Күйдіру (мысалы, үтікпен)"),
    ("suffocation", "Suffocation (e.g. bag over the head)", "Удушение (например, пакет на голову)", "Тұншықтыру (мысалы, басқа пакет кигізу)"),
    ("needles_under_nails", "Needles under the nails", "Иглы под ногти", "Тырнақ астына ине сұғу"),
    ("stress_position", "Stress positions", "Изнуряющие позы", "Азапты қалыпта ұстау"),
    ("sexual_violence", "Sexual violence", "Сексуальное насилие", "Жыныстық зорлық-зомбылық"),
    ("sexual_violence_threat", "Threat of sexual violence", "Угроза сексуального насилия", "Жыныстық зорлық-зомбылық көрсетемін деп қорқыту"),
    ("deprivation_food_water", "Deprivation of food or water", "Лишение еды или воды", "Тамақ пен судан айыру"),
    ("sleep_deprivation", "Sleep deprivation", "Лишение сна", "Ұйқыдан айыру"),
    ("exposure_cold", "Exposure to cold", "Воздействие холодом", "Суықта ұстау"),
    ("humiliation", "Humiliation", "Унижение", "Қорлау"),
    ("threats_to_family", "Threats against family", "Угрозы родственникам", "Туыстарына қорқыту"),
    ("other", "Other", "Другое", "Басқа"),
]);

vocabulary!(
    /// The part a person played in an event.
    PersonRole, "person_role", "person role", [
    ("victim", "Victim", "Пострадавший", "Жәбірленуші"),
    ("perpetrator", "Perpetrator", "Исполнитель", "Қылмыс жасаушы"),
    ("witness", "Witness", "Свидетель", "Куә"),
    ("other", "Other", "Другое", "Басқа"),
]);

vocabulary!(
    /// What is known of a person's fate now.
    PersonStatus, "person_status", "person status", [
    ("detained", "Detained", "Задержан", "Ұсталған"),
    ("released", "Released", "Освобождён", "Босатылған"),
    ("injured", "Injured", "Ранен", "Жараланған"),
    ("killed", "Killed", "Убит", "Қаза тапқан"),
    ("missing", "Missing", "Пропал без вести", "Хабарсыз кеткен"),
    ("convicted", "Convicted", "Осуждён", "Сотталған"),
    ("unknown", "Unknown", "Неизвестно", "Белгісіз"),
]);

vocabulary!(
    /// Which state body a perpetrator belonged to.
    Agency, "agency", "agency", [
    ("police", "Police", "Полиция", "Полиция"),
    ("national_guard", "National Guard", "Национальная гвардия", "Ұлттық ұлан"),
    ("nsc", "National Security Committee (KNB)", "Комитет национальной безопасности (КНБ)", "Ұлттық қауіпсіздік комитеті (ҰҚК)"),
    ("military", "Armed forces", "Вооружённые силы", "Қарулы күштер"),
    ("foreign_troops", "Foreign troops", "Иностранные войска", "Шетел әскерлері"),
    ("prison_service", "Penitentiary service", "Уголовно-исполнительная система", "Қылмыстық-атқару жүйесі"),
    ("prosecutor", "Prosecutor's office", "Прокуратура", "Прокуратура"),
    ("unidentified", "Unidentified", "Не установлено", "Анықталмаған"),
]);

/// Every vocabulary, for the UI and for documentation.
pub fn all() -> Vec<Vocabulary> {
    vec![
        RecordStatus::VOCABULARY,
        InterviewMode::VOCABULARY,
        IdentityLevel::VOCABULARY,
        ConsentUse::VOCABULARY,
        WitnessRelation::VOCABULARY,
        DatePrecision::VOCABULARY,
        ActType::VOCABULARY,
        Method::VOCABULARY,
        PersonRole::VOCABULARY,
        PersonStatus::VOCABULARY,
        Agency::VOCABULARY,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_has_three_distinct_nonempty_labels_and_unique_codes() {
        for v in all() {
            let mut codes = std::collections::HashSet::new();
            for t in v.terms {
                assert!(
                    codes.insert(t.code),
                    "{}: duplicate code {}",
                    v.name,
                    t.code
                );
                assert!(!t.en.is_empty() && !t.ru.is_empty() && !t.kk.is_empty());
                assert!(t.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
                // Russian and Kazakh labels are written in Cyrillic, not copied English.
                assert!(
                    t.ru.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)),
                    "{}",
                    t.code
                );
                assert!(
                    t.kk.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)),
                    "{}",
                    t.code
                );
            }
        }
    }

    #[test]
    fn unknown_code_is_named_in_the_error() {
        let err = serde_json::from_str::<ActType>("\"tortur\"").unwrap_err();
        assert!(
            err.to_string().starts_with("unknown act type \"tortur\""),
            "{err}"
        );
    }
}
