//! The rich module's own few strings, in the widget's five languages (the main module's
//! table stays out of this module and this one out of the first download).

/// A supported language (the widget's `Lang`, by its BCP 47 primary subtag). Its own
/// type rather than core's: linking core would bring serde_json's `raw_value` feature,
/// whose error paths cost this module 8 KB brotli.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
    De,
    Ar,
}

/// A string the rich module shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S {
    /// Appended to a link's accessible name.
    OpensInNewTab,
    /// Heading of a generative answer's source list.
    Sources,
    /// Accessible name prefix of a `[n]` citation button ("Source 1").
    Source,
    Previous,
    Next,
    Close,
    /// An Adaptive Card input marked `isRequired` left empty (no `errorMessage`).
    Required,
    /// An input whose value does not match its `regex`, min/max or length.
    Invalid,
    Download,
    SignIn,
    Total,
    Tax,
    Vat,
    /// An attachment of a kind the widget cannot show.
    CantShow,
    /// Alt text of an image that has none.
    Image,
    /// Placeholder of a compact choice set.
    Choose,
}

const EN: [&str; 16] = [
    "(opens in a new tab)",
    "Sources",
    "Source",
    "Previous",
    "Next",
    "Close",
    "This field is required.",
    "Check this value.",
    "Download",
    "Sign in",
    "Total",
    "Tax",
    "VAT",
    "This part of the message can't be shown here.",
    "Image",
    "Choose an option",
];
const ES: [&str; 16] = [
    "(se abre en una pestaña nueva)",
    "Fuentes",
    "Fuente",
    "Anterior",
    "Siguiente",
    "Cerrar",
    "Este campo es obligatorio.",
    "Revise este valor.",
    "Descargar",
    "Iniciar sesión",
    "Total",
    "Impuestos",
    "IVA",
    "Esta parte del mensaje no se puede mostrar aquí.",
    "Imagen",
    "Elija una opción",
];
const FR: [&str; 16] = [
    "(s'ouvre dans un nouvel onglet)",
    "Sources",
    "Source",
    "Précédent",
    "Suivant",
    "Fermer",
    "Ce champ est obligatoire.",
    "Vérifiez cette valeur.",
    "Télécharger",
    "Se connecter",
    "Total",
    "Taxes",
    "TVA",
    "Cette partie du message ne peut pas être affichée ici.",
    "Image",
    "Choisissez une option",
];
const DE: [&str; 16] = [
    "(öffnet in einem neuen Tab)",
    "Quellen",
    "Quelle",
    "Zurück",
    "Weiter",
    "Schließen",
    "Dieses Feld ist erforderlich.",
    "Bitte prüfen Sie diesen Wert.",
    "Herunterladen",
    "Anmelden",
    "Summe",
    "Steuer",
    "MwSt.",
    "Dieser Teil der Nachricht kann hier nicht angezeigt werden.",
    "Bild",
    "Option wählen",
];
const AR: [&str; 16] = [
    "(يفتح في علامة تبويب جديدة)",
    "المصادر",
    "المصدر",
    "السابق",
    "التالي",
    "إغلاق",
    "هذا الحقل مطلوب.",
    "تحقق من هذه القيمة.",
    "تنزيل",
    "تسجيل الدخول",
    "الإجمالي",
    "الضريبة",
    "ضريبة القيمة المضافة",
    "لا يمكن عرض هذا الجزء من الرسالة هنا.",
    "صورة",
    "اختر خيارًا",
];

impl Lang {
    /// The language of a BCP 47 tag, English when not supported.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "es" => Lang::Es,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            "ar" => Lang::Ar,
            _ => Lang::En,
        }
    }

    /// The string in this language.
    pub fn t(self, s: S) -> &'static str {
        let table = match self {
            Lang::En => &EN,
            Lang::Es => &ES,
            Lang::Fr => &FR,
            Lang::De => &DE,
            Lang::Ar => &AR,
        };
        table[s as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_pick_their_language_and_unknown_ones_fall_back_to_english() {
        assert_eq!(Lang::from_tag("fr-CA"), Lang::Fr);
        assert_eq!(Lang::from_tag("AR"), Lang::Ar);
        assert_eq!(Lang::from_tag("constructor"), Lang::En);
        assert_eq!(Lang::De.t(S::Choose), "Option wählen");
        assert_eq!(Lang::En.t(S::Choose), "Choose an option");
    }
}
