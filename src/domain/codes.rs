//! Closed sets of stable codes (channels, outcomes, roles, …): [`code_enum!`] declares one with
//! its codes (API, database, trend counters), in display order, and the translation table its
//! labels live in: a value's label is the text under `<table>.<code>` in `translations/`, which
//! the wording layer (`crate::i18n::Lang::label`) reads. No label is written here.

/// A value with a label in the translation files.
pub trait Labelled: Copy {
    /// The translation key of its label, `<table>.<code>`.
    fn label_key(self) -> &'static str;
}

/// Declares a closed set of codes, in display order, whose labels are in the translation table
/// named after `in`.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident in $table:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// Every value's code, in display order.
            pub const CODES: &'static [&'static str] = &[$($code,)+];

            /// The stable code used in the API and the database.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// The value with this code.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl $crate::domain::codes::Labelled for $name {
            fn label_key(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($table, ".", $code),)+
                }
            }
        }
    };
}
pub(crate) use code_enum;
