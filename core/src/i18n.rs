//! Every string the visitor sees, in each supported language.
//!
//! One table per language, indexed by [`Text`]; `{}` marks where [`fill`] puts its
//! arguments, in order. The language comes from `data-locale`, else the page's `lang`, else
//! the browser ([`Lang::pick`]); anything unsupported falls back to English.

/// A supported interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
    De,
    Ar,
}

impl Lang {
    /// Every language, in table order.
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Es, Lang::Fr, Lang::De, Lang::Ar];

    /// The language of a BCP 47 tag (`fr-CA` → French), if supported.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" => Lang::En,
            "es" => Lang::Es,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            "ar" => Lang::Ar,
            _ => return None,
        })
    }

    /// The first tag naming a supported language, else English.
    pub fn pick<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or_default()
    }

    /// The primary subtag (`lang` attribute of the widget).
    pub fn tag(self) -> &'static str {
        ["en", "es", "fr", "de", "ar"][self as usize]
    }

    /// Whether the language is written right to left.
    pub fn rtl(self) -> bool {
        self == Lang::Ar
    }

    /// The string `text` in this language.
    pub fn t(self, text: Text) -> &'static str {
        TABLES[self as usize][text as usize]
    }
}

/// The visible strings, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    ChatTitle,
    OpenChat,
    CloseChat,
    MinimizeChat,
    EndChat,
    SurveyIntro,
    StartChat,
    FirstName,
    LastName,
    Email,
    CaseNumber,
    FieldRequired,
    InvalidEmail,
    InvalidCaseNumber,
    CaseNumberFormat,
    TooLong,
    MessageLabel,
    TypeMessage,
    Send,
    WaitingToSend,
    Sending,
    Sent,
    NotSent,
    Retry,
    TryAgain,
    Connecting,
    ConnectionLost,
    StillReconnecting,
    Reconnecting,
    StartNewChat,
    ChattingWith,
    WaitingForAgent,
    AgentJoined,
    AgentLeft,
    TheAgent,
    AnAgent,
    AgentSuffix,
    ConnectingToAgent,
    QueuePositionWait,
    QueuePosition,
    EstimatedWait,
    LessThanMinute,
    AboutMinutes,
    WaitingNextAgent,
    NoAgent,
    CouldntReachAgent,
    YouEndedChat,
    ConversationLabel,
    ErrNetwork,
    ErrRefused,
    ErrEnded,
    ErrBusy,
    ErrTrouble,
    ErrUnreadable,
    IsTyping,
}

/// Number of strings per table.
const N: usize = Text::IsTyping as usize + 1;

/// Replaces each `{}` in `template` with the next argument.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = template.split("{}");
    out.push_str(parts.next().unwrap_or_default());
    for (i, part) in parts.enumerate() {
        out.push_str(args.get(i).copied().unwrap_or_default());
        out.push_str(part);
    }
    out
}

static TABLES: [[&str; N]; 5] = [EN, ES, FR, DE, AR];

const EN: [&str; N] = [
    "Chat with us",
    "Open chat",
    "Close chat",
    "Minimize chat",
    "End chat",
    "Before we start, tell us a little about you.",
    "Start chat",
    "First name",
    "Last name",
    "Email",
    "Case number",
    "{} is required.",
    "Enter an email address like name@example.com.",
    "Case numbers use letters, digits and dashes (3 to 32 characters).",
    "This case number is not in the expected format.",
    "{} must be at most 200 characters.",
    "Message",
    "Type your message…",
    "Send",
    "Waiting to send",
    "Sending…",
    "Sent",
    "Not sent",
    "Retry",
    "Try again",
    "Connecting…",
    "Connection lost. Your messages are kept.",
    "Still reconnecting… your messages will be sent when the connection is back.",
    "Reconnecting…",
    "Start a new chat",
    "Chatting with {}",
    "Waiting for an agent",
    "{} joined the chat",
    "{} left the chat",
    "The agent",
    "An agent",
    "{} (agent)",
    "Connecting you to an agent…",
    "You're number {} in line ({}).",
    "You're number {} in line.",
    "Estimated wait: {}.",
    "less than a minute",
    "about {} min",
    "Waiting for the next available agent…",
    "No agent is available right now. Please try again later.",
    "We couldn't reach an agent right now.",
    "You ended the chat.",
    "Conversation",
    "We can't reach the chat service. Check your connection and try again.",
    "The chat service refused to connect. Please try again.",
    "This conversation has ended.",
    "The chat service is busy right now. Please try again in a moment.",
    "The chat service is having trouble (error {}). Please try again.",
    "The chat service sent an answer we could not read. Please try again.",
    "{} is typing…",
];

const ES: [&str; N] = [
    "Chatea con nosotros",
    "Abrir chat",
    "Cerrar chat",
    "Minimizar chat",
    "Finalizar chat",
    "Antes de empezar, cuéntanos un poco sobre ti.",
    "Iniciar chat",
    "Nombre",
    "Apellidos",
    "Correo electrónico",
    "Número de caso",
    "{} es obligatorio.",
    "Escribe un correo como nombre@ejemplo.com.",
    "El número de caso usa letras, dígitos y guiones (de 3 a 32 caracteres).",
    "Este número de caso no tiene el formato esperado.",
    "{} admite como máximo 200 caracteres.",
    "Mensaje",
    "Escribe tu mensaje…",
    "Enviar",
    "Pendiente de envío",
    "Enviando…",
    "Enviado",
    "No enviado",
    "Reintentar",
    "Intentar de nuevo",
    "Conectando…",
    "Se perdió la conexión. Tus mensajes se conservan.",
    "Seguimos intentando reconectar… tus mensajes se enviarán cuando vuelva la conexión.",
    "Reconectando…",
    "Iniciar un chat nuevo",
    "Chateando con {}",
    "Esperando a un agente",
    "{} se unió al chat",
    "{} salió del chat",
    "El agente",
    "Un agente",
    "{} (agente)",
    "Te estamos conectando con un agente…",
    "Eres el número {} en la cola ({}).",
    "Eres el número {} en la cola.",
    "Espera estimada: {}.",
    "menos de un minuto",
    "unos {} min",
    "Esperando al próximo agente disponible…",
    "No hay ningún agente disponible ahora. Inténtalo más tarde.",
    "No pudimos contactar con un agente ahora.",
    "Finalizaste el chat.",
    "Conversación",
    "No podemos conectar con el servicio de chat. Revisa tu conexión e inténtalo de nuevo.",
    "El servicio de chat rechazó la conexión. Inténtalo de nuevo.",
    "Esta conversación ha finalizado.",
    "El servicio de chat está ocupado. Inténtalo de nuevo en un momento.",
    "El servicio de chat tiene problemas (error {}). Inténtalo de nuevo.",
    "El servicio de chat envió una respuesta ilegible. Inténtalo de nuevo.",
    "{} está escribiendo…",
];

const FR: [&str; N] = [
    "Discutez avec nous",
    "Ouvrir le chat",
    "Fermer le chat",
    "Réduire le chat",
    "Terminer",
    "Avant de commencer, parlez-nous un peu de vous.",
    "Démarrer le chat",
    "Prénom",
    "Nom",
    "E-mail",
    "Numéro de dossier",
    "{} est obligatoire.",
    "Saisissez une adresse comme nom@exemple.com.",
    "Le numéro de dossier contient des lettres, chiffres et tirets (3 à 32 caractères).",
    "Ce numéro de dossier n'a pas le format attendu.",
    "{} ne doit pas dépasser 200 caractères.",
    "Message",
    "Écrivez votre message…",
    "Envoyer",
    "En attente d'envoi",
    "Envoi…",
    "Envoyé",
    "Non envoyé",
    "Réessayer",
    "Réessayer",
    "Connexion…",
    "Connexion perdue. Vos messages sont conservés.",
    "Reconnexion en cours… vos messages partiront dès le retour de la connexion.",
    "Reconnexion…",
    "Nouvelle conversation",
    "En conversation avec {}",
    "En attente d'un conseiller",
    "{} a rejoint la conversation",
    "{} a quitté la conversation",
    "Le conseiller",
    "Un conseiller",
    "{} (conseiller)",
    "Mise en relation avec un conseiller…",
    "Vous êtes n° {} dans la file ({}).",
    "Vous êtes n° {} dans la file.",
    "Attente estimée : {}.",
    "moins d'une minute",
    "environ {} min",
    "En attente du prochain conseiller disponible…",
    "Aucun conseiller n'est disponible pour le moment. Réessayez plus tard.",
    "Nous n'avons pas pu joindre de conseiller pour le moment.",
    "Vous avez terminé la conversation.",
    "Conversation",
    "Impossible de joindre le service de chat. Vérifiez votre connexion et réessayez.",
    "Le service de chat a refusé la connexion. Réessayez.",
    "Cette conversation est terminée.",
    "Le service de chat est occupé. Réessayez dans un instant.",
    "Le service de chat rencontre un problème (erreur {}). Réessayez.",
    "Le service de chat a envoyé une réponse illisible. Réessayez.",
    "{} écrit…",
];

const DE: [&str; N] = [
    "Chatten Sie mit uns",
    "Chat öffnen",
    "Chat schließen",
    "Chat minimieren",
    "Chat beenden",
    "Bevor es losgeht, erzählen Sie uns kurz etwas über sich.",
    "Chat starten",
    "Vorname",
    "Nachname",
    "E-Mail",
    "Fallnummer",
    "{} ist erforderlich.",
    "Geben Sie eine E-Mail-Adresse wie name@beispiel.de ein.",
    "Fallnummern bestehen aus Buchstaben, Ziffern und Bindestrichen (3 bis 32 Zeichen).",
    "Diese Fallnummer hat nicht das erwartete Format.",
    "{} darf höchstens 200 Zeichen lang sein.",
    "Nachricht",
    "Nachricht eingeben…",
    "Senden",
    "Wartet auf Versand",
    "Wird gesendet…",
    "Gesendet",
    "Nicht gesendet",
    "Wiederholen",
    "Erneut versuchen",
    "Verbindung wird hergestellt…",
    "Verbindung verloren. Ihre Nachrichten bleiben erhalten.",
    "Verbindung wird weiter versucht… Ihre Nachrichten werden gesendet, sobald sie steht.",
    "Verbindung wird wiederhergestellt…",
    "Neuen Chat starten",
    "Im Chat mit {}",
    "Warten auf einen Mitarbeiter",
    "{} ist dem Chat beigetreten",
    "{} hat den Chat verlassen",
    "Der Mitarbeiter",
    "Ein Mitarbeiter",
    "{} (Mitarbeiter)",
    "Sie werden mit einem Mitarbeiter verbunden…",
    "Sie sind Nummer {} in der Warteschlange ({}).",
    "Sie sind Nummer {} in der Warteschlange.",
    "Geschätzte Wartezeit: {}.",
    "weniger als eine Minute",
    "etwa {} Min.",
    "Warten auf den nächsten freien Mitarbeiter…",
    "Gerade ist kein Mitarbeiter verfügbar. Bitte versuchen Sie es später erneut.",
    "Wir konnten gerade keinen Mitarbeiter erreichen.",
    "Sie haben den Chat beendet.",
    "Unterhaltung",
    "Der Chat-Dienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    "Der Chat-Dienst hat die Verbindung abgelehnt. Bitte versuchen Sie es erneut.",
    "Diese Unterhaltung ist beendet.",
    "Der Chat-Dienst ist gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.",
    "Der Chat-Dienst hat ein Problem (Fehler {}). Bitte versuchen Sie es erneut.",
    "Der Chat-Dienst hat eine unlesbare Antwort gesendet. Bitte versuchen Sie es erneut.",
    "{} schreibt…",
];

const AR: [&str; N] = [
    "تحدث معنا",
    "فتح الدردشة",
    "إغلاق الدردشة",
    "تصغير الدردشة",
    "إنهاء الدردشة",
    "قبل أن نبدأ، أخبرنا قليلاً عن نفسك.",
    "بدء الدردشة",
    "الاسم الأول",
    "اسم العائلة",
    "البريد الإلكتروني",
    "رقم الحالة",
    "حقل {} مطلوب.",
    "أدخل بريدًا إلكترونيًا مثل name@example.com.",
    "يتكون رقم الحالة من أحرف وأرقام وشرطات (من 3 إلى 32 حرفًا).",
    "رقم الحالة هذا ليس بالتنسيق المتوقع.",
    "يجب ألا يتجاوز حقل {} ‏200 حرف.",
    "الرسالة",
    "اكتب رسالتك…",
    "إرسال",
    "بانتظار الإرسال",
    "جارٍ الإرسال…",
    "تم الإرسال",
    "لم يُرسل",
    "إعادة المحاولة",
    "حاول مجددًا",
    "جارٍ الاتصال…",
    "انقطع الاتصال. رسائلك محفوظة.",
    "ما زلنا نحاول إعادة الاتصال… سترسل رسائلك عند عودة الاتصال.",
    "جارٍ إعادة الاتصال…",
    "بدء دردشة جديدة",
    "تتحدث مع {}",
    "بانتظار موظف",
    "انضم {} إلى الدردشة",
    "غادر {} الدردشة",
    "الموظف",
    "موظف",
    "{} (موظف)",
    "جارٍ توصيلك بموظف…",
    "ترتيبك {} في قائمة الانتظار ({}).",
    "ترتيبك {} في قائمة الانتظار.",
    "مدة الانتظار المتوقعة: {}.",
    "أقل من دقيقة",
    "حوالي {} دقيقة",
    "بانتظار أول موظف متاح…",
    "لا يوجد موظف متاح الآن. يرجى المحاولة لاحقًا.",
    "تعذّر الوصول إلى موظف الآن.",
    "لقد أنهيت الدردشة.",
    "المحادثة",
    "تعذّر الوصول إلى خدمة الدردشة. تحقق من اتصالك وحاول مجددًا.",
    "رفضت خدمة الدردشة الاتصال. يرجى المحاولة مجددًا.",
    "انتهت هذه المحادثة.",
    "خدمة الدردشة مشغولة الآن. يرجى المحاولة بعد قليل.",
    "تواجه خدمة الدردشة مشكلة (الخطأ {}). يرجى المحاولة مجددًا.",
    "أرسلت خدمة الدردشة ردًا تعذّرت قراءته. يرجى المحاولة مجددًا.",
    "{} يكتب…",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_picked_from_the_first_supported_tag() {
        assert_eq!(Lang::pick(["fr-CA"]), Lang::Fr);
        assert_eq!(Lang::pick(["", "xx-YY", "de_AT", "es"]), Lang::De);
        assert_eq!(Lang::pick(["AR-eg"]), Lang::Ar);
        assert_eq!(Lang::pick(["ja-JP", "pt"]), Lang::En);
        assert!(Lang::Ar.rtl() && !Lang::Fr.rtl());
    }

    #[test]
    fn fill_puts_arguments_in_order() {
        assert_eq!(
            fill(Lang::En.t(Text::QueuePositionWait), &["2", "about 2 min"]),
            "You're number 2 in line (about 2 min)."
        );
        assert_eq!(
            fill(Lang::Fr.t(Text::AgentJoined), &["Alex"]),
            "Alex a rejoint la conversation"
        );
        assert_eq!(fill("{} and {}", &["a"]), "a and ");
    }

    #[test]
    fn every_translation_keeps_the_placeholders_of_english() {
        for (lang, table) in TABLES.iter().enumerate() {
            for (i, (text, english)) in table.iter().zip(EN).enumerate() {
                assert!(
                    !text.trim().is_empty(),
                    "language {lang} string {i} is empty"
                );
                assert_eq!(
                    text.matches("{}").count(),
                    english.matches("{}").count(),
                    "language {lang} string {i}: {text}"
                );
            }
        }
    }
}
