//! One askama struct per page. Templates live in `templates/` and are checked at compile time;
//! every value is HTML-escaped and nothing a user typed is ever marked safe.

use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDate;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::config::{Config, ProfessionalStandards};
use crate::crypto::Receipt;
use crate::domain::case::{Author, LetterKind};
use crate::domain::concern::{Category, ConcernDraft, RaisedBy};
use crate::domain::field::FieldError;
use crate::i18n::Lang;
pub use crate::i18n::Site;

/// One radio button.
pub struct Choice {
    /// Submitted value.
    pub code: &'static str,
    /// Visible label.
    pub label: &'static str,
    /// Whether it is selected.
    pub checked: bool,
}

/// The intake form's current values, kept when the form is shown again with errors.
#[derive(Default, Zeroize, ZeroizeOnDrop)]
pub struct FormValues {
    /// Chosen category code.
    pub category: String,
    /// Chosen role code.
    pub raised_by: String,
    /// Typed description.
    pub description: String,
    /// Typed contact details.
    pub contact: String,
    /// Typed conclusion date.
    pub concluded_on: String,
    /// Typed discovery date.
    pub discovered_on: String,
    /// Whether the conditions box was ticked.
    pub accept_conditions: bool,
}

impl FormValues {
    /// The values of a draft, as typed.
    pub fn from_draft(draft: &ConcernDraft) -> Self {
        let text = |v: &Option<zeroize::Zeroizing<String>>| {
            v.as_deref()
                .map(String::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            category: draft.category.clone().unwrap_or_default(),
            raised_by: draft.raised_by.clone().unwrap_or_default(),
            description: text(&draft.description),
            contact: text(&draft.contact),
            concluded_on: text(&draft.concluded_on),
            discovered_on: text(&draft.discovered_on),
            accept_conditions: draft.accept_conditions,
        }
    }
}

/// The public intake page: explanations and the form.
#[derive(Template, WebTemplate)]
#[template(path = "intake.html")]
pub struct IntakePage {
    /// Association details.
    pub site: Site,
    /// Values to show in the form.
    pub form: FormValues,
    /// Problems to show beside the fields.
    pub errors: Vec<FieldError>,
    /// Category radio buttons.
    pub categories: Vec<Choice>,
    /// Role radio buttons.
    pub roles: Vec<Choice>,
    /// Description length limit.
    pub max_description_chars: usize,
    /// Contact length limit.
    pub max_contact_chars: usize,
    /// The proof-of-work puzzle, when proof of work is on.
    pub puzzle: Option<Puzzle>,
    /// The form's token ([`crate::usecase::intake::form_token`]): a second sending of the same
    /// form finds the first one's case and receipt. Empty if none could be made.
    pub form_token: String,
    /// How to reach the association's professional standards staff, shown beside the formal
    /// routes when configured.
    pub professional_standards: Option<ProfessionalStandards>,
}

/// A proof-of-work challenge for the intake form's hidden fields.
#[derive(Debug, Clone)]
pub struct Puzzle {
    /// The signed challenge.
    pub challenge: String,
    /// Leading zero bits asked for.
    pub bits: u8,
}

impl IntakePage {
    /// The page with `puzzle` in its form.
    pub fn with_puzzle(mut self, puzzle: Option<Puzzle>) -> Self {
        self.puzzle = puzzle;
        self
    }

    /// The page with `token` in its form.
    pub fn with_form_token(mut self, token: String) -> Self {
        self.form_token = token;
        self
    }

    /// The form in `lang` with `form` filled in and `errors` shown.
    pub fn new(config: &Config, lang: Lang, form: FormValues, errors: Vec<FieldError>) -> Self {
        let categories = Category::ALL
            .iter()
            .map(|c| Choice {
                code: c.code(),
                label: lang.label(*c),
                checked: form.category == c.code(),
            })
            .collect();
        let roles = RaisedBy::ALL
            .iter()
            .map(|r| Choice {
                code: r.code(),
                label: lang.label(*r),
                checked: form.raised_by == r.code(),
            })
            .collect();
        Self {
            site: Site::public(config, lang, "/"),
            form,
            errors,
            categories,
            roles,
            max_description_chars: config.intake.max_description_chars,
            max_contact_chars: config.intake.max_contact_chars,
            puzzle: None,
            form_token: String::new(),
            professional_standards: config.association.professional_standards.clone(),
        }
    }

    /// The error to show beside `field`, if any, in the page's language.
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.message(e))
    }

    /// An error's message in the page's language. A date in another form is told how the
    /// date boxes take it, in the hint's words.
    pub fn message(&self, error: &FieldError) -> String {
        if error.problem.key() == "problem.date_format" {
            return self.site.t("intake.date_format").to_owned();
        }
        self.site.problem(error)
    }

    /// The short name of a field, for the error summary.
    pub fn field_label(&self, field: &str) -> &'static str {
        let known = [
            "category",
            "raised_by",
            "description",
            "contact",
            "concluded_on",
            "discovered_on",
            "accept_conditions",
        ];
        let name = known
            .iter()
            .find(|k| **k == field)
            .copied()
            .unwrap_or("form");
        self.site.t(&format!("intake.field.{name}"))
    }
}

/// The page a successful submission leads to: the new receipt, for as long as the browser's
/// receipt cookie opens.
#[derive(Template, WebTemplate)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    /// Association details.
    pub site: Site,
    /// The receipt's words.
    pub receipt: String,
    /// First-contact date, `YYYY-MM-DD`.
    pub first_contact: NaiveDate,
    /// First-contact date in words.
    pub first_contact_long: String,
    /// How many minutes the page shows the receipt.
    pub minutes: i64,
}

impl ReceiptPage {
    /// The page for a new receipt, in `lang`; its language links stay on the page.
    pub fn new(config: &Config, lang: Lang, receipt: &Receipt, first_contact: NaiveDate) -> Self {
        Self {
            site: Site::public(config, lang, RECEIPT_PATH),
            receipt: receipt.expose().to_owned(),
            first_contact,
            first_contact_long: lang.long_date(first_contact),
            minutes: crate::usecase::intake::RECEIPT_VIEW_SECONDS / 60,
        }
    }
}

/// Where the receipt page is.
pub const RECEIPT_PATH: &str = "/receipt";

/// The receipt page when it has no receipt to show: its time is over, or it was hidden, or this
/// browser sent no concern.
#[derive(Template, WebTemplate)]
#[template(path = "receipt_gone.html")]
pub struct ReceiptGonePage {
    /// Association details.
    pub site: Site,
    /// How many minutes the page shows a receipt.
    pub minutes: i64,
}

impl ReceiptGonePage {
    /// The page in `lang`.
    pub fn new(config: &Config, lang: Lang) -> Self {
        Self {
            site: Site::public(config, lang, RECEIPT_PATH),
            minutes: crate::usecase::intake::RECEIPT_VIEW_SECONDS / 60,
        }
    }
}

impl Drop for ReceiptPage {
    fn drop(&mut self) {
        self.receipt.zeroize();
    }
}

/// A page explaining why a request failed.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Association details.
    pub site: Site,
    /// Short title.
    pub heading: String,
    /// What went wrong and what to do.
    pub message: String,
    /// Reference of a logged internal error.
    pub reference: Option<String>,
}

/// A message as a thread shows it.
pub struct MessageView {
    /// Who wrote it, in words.
    pub author: &'static str,
    /// Written by the ombuds.
    pub from_ombuds: bool,
    /// The day it was written.
    pub sent_on: NaiveDate,
    /// Its text.
    pub text: Zeroizing<String>,
    /// The username of the ombuds who wrote it, on staff pages only.
    pub written_by: Option<String>,
}

impl MessageView {
    /// A thread message as the console shows it ("The person who raised it" and "Ombuds", with
    /// the ombuds' username).
    pub fn for_staff(message: &crate::store::Message) -> Self {
        let author = match message.author {
            Author::Ombuds => Lang::En.label(Author::Ombuds),
            Author::Submitter => Lang::En.t("staff.thread.submitter"),
        };
        Self {
            written_by: message.written_by.clone(),
            ..Self::with_author(message, author, Lang::En)
        }
    }

    /// A message of an added party's thread as the console shows it ("The party" and "Ombuds",
    /// with the ombuds' username).
    pub fn for_staff_in_party_thread(message: &crate::store::Message) -> Self {
        let author = match message.author {
            Author::Ombuds => Lang::En.label(Author::Ombuds),
            Author::Submitter => Lang::En.t("staff.thread.party"),
        };
        Self {
            written_by: message.written_by.clone(),
            ..Self::with_author(message, author, Lang::En)
        }
    }

    /// A thread message as the submitter sees it, in `lang` ("You" and "Ombuds").
    pub fn for_submitter(message: &crate::store::Message, lang: Lang) -> Self {
        Self::with_author(message, lang.label(message.author), lang)
    }

    fn with_author(message: &crate::store::Message, author: &'static str, lang: Lang) -> Self {
        Self {
            author,
            from_ombuds: message.author == Author::Ombuds,
            sent_on: message.sent_on,
            text: message_text(message, lang),
            written_by: None,
        }
    }
}

/// A letter in a list.
pub struct LetterView {
    /// Identifier.
    pub id: String,
    /// What it is, in words (staff pages).
    pub kind: &'static str,
    /// The key of its heading on a follow-up page (`{date}` is its date), by kind.
    pub heading: &'static str,
    /// Whether it is a termination notice (which names the person's choices).
    pub notice: bool,
    /// Its date.
    pub dated: NaiveDate,
    /// The day it is destroyed.
    pub expires_on: NaiveDate,
    /// Its plain text, in the language asked for when the letter has it.
    pub text: Zeroizing<String>,
    /// The language `text` is written in (a `lang` attribute value).
    pub lang: &'static str,
    /// Why it is not in the page's language, if it is not: a notice written before notices
    /// were translated, or one written in the language the ombuds recorded for the party.
    pub other_language: Option<&'static str>,
    /// The letter as its printable page shows it (HTML of ours), to show on the page.
    pub body: Option<Zeroizing<String>>,
}

impl From<&crate::store::Letter> for LetterView {
    fn from(letter: &crate::store::Letter) -> Self {
        Self::new(letter, Lang::En)
    }
}

impl LetterView {
    /// The letter with its text in `lang` if it was written in it, else in the language it has
    /// (letters issued before notices were translated are English only).
    pub fn new(letter: &crate::store::Letter, lang: Lang) -> Self {
        use secrecy::ExposeSecret;
        let stored = letter.text.expose_secret();
        let languages = crate::letters::stored::languages(stored);
        let shown = if languages.contains(&lang) {
            lang
        } else {
            languages.first().copied().unwrap_or(Lang::En)
        };
        let other_language = (shown != lang).then(|| {
            if crate::letters::stored::is_bundle(stored) {
                "letters.party_language"
            } else {
                "letters.english_only"
            }
        });
        let text = crate::letters::stored::pick(stored, lang).unwrap_or_else(|| {
            tracing::error!(
                event = "letter_unreadable",
                "a stored letter could not be read"
            );
            lang.t("letters.unreadable").to_owned()
        });
        Self {
            id: letter.id.clone(),
            kind: Lang::En.label(letter.kind),
            heading: match letter.kind {
                LetterKind::TerminationNotice => "letters.heading",
                LetterKind::FollowUpLetter => "letters.heading_follow_up",
                LetterKind::ResolutionCertificate => "letters.heading_certificate",
            },
            notice: letter.kind == LetterKind::TerminationNotice,
            dated: letter.dated,
            expires_on: letter.expires_on,
            text: Zeroizing::new(text),
            lang: shown.code(),
            other_language,
            body: crate::letters::stored::pick(letter.html.expose_secret(), lang)
                .and_then(|page| crate::letters::embeddable(&page))
                .map(Zeroizing::new),
        }
    }
}

/// The filing deadline as pages show it.
pub struct DeadlineLines {
    /// One sentence with the date and days.
    pub headline: String,
    /// One sentence per step.
    pub explanation: Vec<String>,
}

impl From<&super::deadline_view::DeadlineView> for DeadlineLines {
    fn from(view: &super::deadline_view::DeadlineView) -> Self {
        Self::new(view, Lang::En)
    }
}

impl DeadlineLines {
    /// The headline in `lang`, beside the explanation in the language the view was built in.
    pub fn new(view: &super::deadline_view::DeadlineView, lang: Lang) -> Self {
        Self {
            headline: view.headline_in(lang),
            explanation: view.explanation.clone(),
        }
    }
}

/// The form where a submitter types their receipt.
#[derive(Template, WebTemplate)]
#[template(path = "followup.html")]
pub struct FollowupPage {
    /// Association details.
    pub site: Site,
    /// Why the last receipt opened nothing.
    pub error: Option<String>,
}

/// The resolution plan as a party reads it: the current version and the party's own answer,
/// never another party's.
pub struct PlanView {
    /// The current version.
    pub version: u32,
    /// "Version N, written on DATE", in the reader's language.
    pub written: String,
    /// The terms.
    pub terms: Zeroizing<String>,
    /// "Every party accepted this plan; it was agreed on DATE", once agreed.
    pub agreed: Option<String>,
    /// The reader's own answer to the current version: accepted (true) or declined (false).
    pub mine: Option<bool>,
}

impl PlanView {
    /// `plan` as party `party` reads it in `lang`.
    pub fn for_party(plan: &crate::store::Plan, party: u32, lang: Lang) -> Self {
        use secrecy::ExposeSecret;
        Self {
            version: plan.version,
            written: lang.f(
                "plan.version",
                &[
                    ("version", &plan.version),
                    ("date", &lang.long_date(plan.written_on)),
                ],
            ),
            terms: Zeroizing::new(plan.terms.expose_secret().to_owned()),
            agreed: plan
                .agreed_on
                .map(|d| lang.f("plan.agreed", &[("date", &lang.long_date(d))])),
            mine: plan
                .answers
                .iter()
                .find(|a| a.party == party && a.version == plan.version)
                .map(|a| a.answer == crate::domain::plan::PlanAnswer::Accepted),
        }
    }
}

/// An added party's own thread, opened with its receipt: nothing of the concern, of the
/// submitter's thread or of another party's.
#[derive(Template, WebTemplate)]
#[template(path = "followup_party.html")]
pub struct FollowupPartyPage {
    /// Association details.
    pub site: Site,
    /// The receipt, carried in a hidden field so that replying needs no cookie.
    pub receipt: Zeroizing<String>,
    /// An ombuds has opened the case.
    pub opened: bool,
    /// The day informal resolution ended, in words, once recorded.
    pub ended: Option<String>,
    /// The thread.
    pub messages: Vec<MessageView>,
    /// The resolution plan, once written.
    pub plan: Option<PlanView>,
    /// Letters addressed to the party, newest first.
    pub letters: Vec<LetterView>,
    /// Why an answer to the plan was refused, or that it was recorded.
    pub plan_notice: Option<String>,
    /// A message kept after a problem.
    pub draft: Zeroizing<String>,
    /// Problems with the message sent.
    pub errors: Vec<FieldError>,
    /// A confirmation.
    pub notice: Option<String>,
    /// Longest message.
    pub max_chars: usize,
}

/// An added party's receipt, shown once to the ombuds, above the printable invitation in the
/// party's language.
#[derive(Template, WebTemplate)]
#[template(path = "console/invitation.html")]
pub struct InvitationPage {
    /// Association details, in the party's language.
    pub site: Site,
    /// The staff banner's title ("Invitation for party N"), in English.
    pub staff_title: String,
    /// The staff banner's warning that the receipt is shown once, in English.
    pub staff_once: &'static str,
    /// The staff banner's link back to the case, in English.
    pub staff_back: &'static str,
    /// The case, for the link back.
    pub case_id: String,
    /// The receipt.
    pub receipt: Zeroizing<String>,
    /// The absolute address of the follow-up page, in the party's language.
    pub followup_url: String,
}

/// A receipt issued to the person behind a contact logged by hand, shown once to the ombuds
/// (to read out word by word) above a printable page in the person's language.
#[derive(Template, WebTemplate)]
#[template(path = "console/caller_receipt.html")]
pub struct CallerReceiptPage {
    /// Association details, in the person's language.
    pub site: Site,
    /// The staff banner's title, in English.
    pub staff_title: &'static str,
    /// The staff banner's warning that the receipt is shown once, and how to pass it on.
    pub staff_once: &'static str,
    /// The staff banner's lead-in to the words, one by one.
    pub staff_words: &'static str,
    /// The staff banner's link back to the case, in English.
    pub staff_back: &'static str,
    /// The case, for the link back.
    pub case_id: String,
    /// The receipt.
    pub receipt: Zeroizing<String>,
    /// Its words, one by one, to read out.
    pub words: Vec<Zeroizing<String>>,
    /// The case's first-contact date.
    pub first_contact: NaiveDate,
    /// The same date in words, in the person's language.
    pub first_contact_long: String,
    /// The absolute address of the follow-up page, in the person's language.
    pub followup_url: String,
}

/// A submitter's concern and thread, opened with their receipt.
#[derive(Template, WebTemplate)]
#[template(path = "followup_thread.html")]
pub struct FollowupThreadPage {
    /// Association details.
    pub site: Site,
    /// The receipt, carried in a hidden field so that replying needs no cookie.
    pub receipt: Zeroizing<String>,
    /// First-contact date.
    pub first_contact: NaiveDate,
    /// First-contact date in words.
    pub first_contact_long: String,
    /// An ombuds has opened the case.
    pub opened: bool,
    /// The day informal resolution ended, in words, once recorded.
    pub ended: Option<String>,
    /// What they wrote.
    pub description: Zeroizing<String>,
    /// The thread.
    pub messages: Vec<MessageView>,
    /// Letters sent to them.
    pub letters: Vec<LetterView>,
    /// The filing deadline.
    pub deadline: DeadlineLines,
    /// A formal complaint was already filed: the page tells no deadline story.
    pub complaint_filed: bool,
    /// The resolution plan, once written.
    pub plan: Option<PlanView>,
    /// Why an answer to the plan was refused, or that it was recorded.
    pub plan_notice: Option<String>,
    /// A message kept after a problem.
    pub draft: Zeroizing<String>,
    /// Problems with the message sent.
    pub errors: Vec<FieldError>,
    /// A confirmation.
    pub notice: Option<String>,
    /// Longest message.
    pub max_chars: usize,
}

/// What a receipt shows once the case is closed: its letters, each until the day it is destroyed.
#[derive(Template, WebTemplate)]
#[template(path = "followup_closed.html")]
pub struct FollowupClosedPage {
    /// Association details.
    pub site: Site,
    /// The receipt, for printing a letter.
    pub receipt: Zeroizing<String>,
    /// The letters.
    pub letters: Vec<LetterView>,
}

impl FollowupClosedPage {
    /// Whether a termination notice is among the letters (the page then points to the choices
    /// it names).
    pub fn has_notice(&self) -> bool {
        self.letters.iter().any(|l| l.notice)
    }
}

/// A thread message's text in `lang`. The service's own replies (the notice-issued message) are
/// kept in every language, like a letter's versions; anything a person typed is shown as typed.
pub fn message_text(message: &crate::store::Message, lang: Lang) -> Zeroizing<String> {
    use secrecy::ExposeSecret;
    let text = message.text.expose_secret();
    match message.author {
        Author::Ombuds => Zeroizing::new(
            crate::letters::stored::pick(text, lang).unwrap_or_else(|| text.to_owned()),
        ),
        Author::Submitter => reveal(&message.text),
    }
}

/// A copy of a secret's text for a page, wiped when the page is dropped.
pub fn reveal(secret: &secrecy::SecretString) -> Zeroizing<String> {
    use secrecy::ExposeSecret;
    Zeroizing::new(secret.expose_secret().to_owned())
}
