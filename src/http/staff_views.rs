//! One askama struct per staff page (sign-in, enrolment, account, console, administration,
//! board), and the small row types they show. Decrypted text is held in zeroizing strings.

use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDate;
use zeroize::Zeroizing;

use super::invisible::reveal_marked;
use super::views::{Choice, DeadlineLines, MessageView, Site};
use crate::domain::access::GrantState;
use crate::domain::account::Role;
use crate::domain::case::{CaseStatus, Outcome, Service, reference};
use crate::domain::concern::RaisedBy;
use crate::domain::field::FieldError;
use crate::domain::notes::{NoteKind, days_left};
use crate::i18n::Lang;
use crate::store::{CaseDetail, Commitment, GrantRecord, SessionUser, UserSummary};
use crate::usecase::cases::Listed;

/// The problem with `field` among `errors`, in words (staff pages are English).
fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| Lang::En.say(&e.problem))
}

/// The parts of every staff page: the site, who is signed in, and the CSRF token for forms.
pub struct Chrome {
    /// Association details.
    pub site: Site,
    /// Signed-in account.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// Its role, in words.
    pub role_label: &'static str,
    /// Token every form posts back.
    pub csrf: String,
}

impl Chrome {
    /// The chrome for `user`.
    pub fn new(site: Site, user: &SessionUser) -> Self {
        Self {
            site,
            username: user.username.clone(),
            role: user.role,
            role_label: Lang::En.label(user.role),
            csrf: user.csrf.clone(),
        }
    }
}

/// The staff sign-in page.
#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
pub struct SignInPage {
    /// Association details.
    pub site: Site,
    /// The username typed, kept after a failure.
    pub username: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// A notice (e.g. after enrolment or sign-out).
    pub notice: Option<String>,
}

/// An enrolment link's page.
#[derive(Template, WebTemplate)]
#[template(path = "enrol.html")]
pub struct EnrolPage {
    /// Association details.
    pub site: Site,
    /// The link's token (in the form's address).
    pub token: String,
    /// The account's name, when fixed by the administrator.
    pub fixed_username: Option<String>,
    /// The name typed by a first administrator.
    pub username_value: String,
    /// The role, in words.
    pub role_label: &'static str,
    /// The otpauth URI.
    pub otpauth_uri: Zeroizing<String>,
    /// The TOTP key in base32.
    pub secret: Zeroizing<String>,
    /// The QR code, as SVG markup generated here (no user text in it).
    pub qr_svg: String,
    /// Problems to show.
    pub errors: Vec<FieldError>,
}

impl EnrolPage {
    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        error_for(&self.errors, field)
    }
}

/// The signed-in account's page.
#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// The e-mail digest's setting, for an ombuds account.
    pub digest: Option<DigestForm>,
}

/// The account page's digest form.
pub struct DigestForm {
    /// The address in the field.
    pub address: String,
    /// When this server sends digests, in words; `None` when it sends none.
    pub schedule: Option<String>,
    /// Why the address was not saved.
    pub error: Option<String>,
    /// What was saved.
    pub notice: Option<String>,
}

impl DigestForm {
    /// The form for `setting`, with the address typed (kept after a refusal) and a notice.
    pub fn new(
        setting: &crate::usecase::digest::DigestSetting,
        typed: Option<String>,
        errors: &[FieldError],
        saved: bool,
    ) -> Self {
        let notice = saved.then(|| match &setting.address {
            Some(address) => Lang::En.f("staff.account.digest_saved", &[("address", address)]),
            None => Lang::En.t("staff.account.digest_stopped").to_owned(),
        });
        Self {
            address: typed.unwrap_or_else(|| setting.address.clone().unwrap_or_default()),
            schedule: setting.schedule.map(|s| Lang::En.digest_schedule(s)),
            error: error_for(errors, "address"),
            notice,
        }
    }
}

/// How staff pages name who raised a concern ("A REALTOR® member").
fn raised_by_label(raised_by: RaisedBy) -> &'static str {
    Lang::En.t(raised_by.staff_key())
}

/// The language of the intake page a concern came through, by its own name and code
/// ("Español (es)"); `None` for a contact logged by hand.
fn intake_language(code: Option<&str>) -> Option<String> {
    let lang = Lang::from_code(code?)?;
    Some(Lang::En.f(
        "staff.case.intake_lang_value",
        &[("language", &lang.own_name()), ("code", &lang.code())],
    ))
}

/// A case in a console table.
pub struct CaseRow {
    /// Identifier.
    pub id: String,
    /// First contact.
    pub first_contact: NaiveDate,
    /// Kind of concern.
    pub category: &'static str,
    /// Who raised it.
    pub raised_by: &'static str,
    /// How it arrived.
    pub channel: &'static str,
    /// The language of the intake page it came through, if it came through one.
    pub intake_lang: Option<String>,
    /// Where it stands, in words ("New", "Open").
    pub status: &'static str,
    /// The ombuds it is assigned to.
    pub assigned_to: Option<String>,
    /// The name of the link that opens it, unique among the rows: kind, first contact and the
    /// matter's reference.
    pub link_name: String,
    /// The submitter wrote last.
    pub awaiting_reply: bool,
    /// Open commitments.
    pub open_commitments: u32,
    /// The flag of a case untouched for long ("Untouched for 214 days — …"), if it is flagged.
    pub untouched: Option<String>,
}

/// The flag of an open case left untouched for `days` days, in words.
pub fn untouched_flag(days: u32) -> String {
    Lang::En.plural("staff.stale.flag", u64::from(days), &[])
}

impl From<&Listed> for CaseRow {
    fn from(listed: &Listed) -> Self {
        let listing = &listed.listing;
        let r = &listing.record;
        let category = Lang::En.label(r.category);
        Self {
            id: r.id.clone(),
            first_contact: r.first_contact,
            category,
            raised_by: raised_by_label(r.raised_by),
            channel: Lang::En.label(r.channel),
            intake_lang: intake_language(r.intake_lang.as_deref()),
            status: Lang::En.label(r.status),
            assigned_to: r.assigned_to.clone(),
            link_name: Lang::En.f(
                "staff.case_table.open_case",
                &[
                    ("category", &category),
                    ("date", &r.first_contact),
                    ("reference", &reference(&r.id)),
                ],
            ),
            awaiting_reply: listing.awaiting_reply,
            open_commitments: listing.open_commitments,
            untouched: listed.untouched_for.map(untouched_flag),
        }
    }
}

/// A commitment in the "coming due" list.
pub struct DueRow {
    /// Its case.
    pub case_id: String,
    /// Due date.
    pub due_on: String,
    /// Past due.
    pub overdue: bool,
    /// Its text.
    pub text: Zeroizing<String>,
}

/// The console's home: commitments due, the inbox, open cases.
#[derive(Template, WebTemplate)]
#[template(path = "console/home.html")]
pub struct ConsoleHome {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// New web concerns.
    pub inbox: Vec<CaseRow>,
    /// Open cases.
    pub open: Vec<CaseRow>,
    /// Commitments due soon.
    pub due: Vec<DueRow>,
    /// How far ahead "due soon" looks.
    pub due_window_days: u64,
    /// Grants of case access waiting for an ombuds to confirm them.
    pub waiting_grants: usize,
    /// Only the cases assigned to the signed-in ombuds are listed.
    pub mine: bool,
    /// Only the open cases flagged as untouched for long are listed.
    pub untouched_only: bool,
    /// How many open cases (all, or the signed-in ombuds' own) are flagged as untouched for
    /// long, in words: `None` when there are none.
    pub untouched: Option<String>,
}

impl ConsoleHome {
    /// The page for these cases and commitments.
    pub fn new(
        chrome: Chrome,
        cases: &[Listed],
        due: Vec<Commitment>,
        today: NaiveDate,
        due_window_days: u64,
    ) -> Self {
        let (inbox, open): (Vec<_>, Vec<_>) = cases
            .iter()
            .partition(|c| c.listing.record.status == CaseStatus::New);
        Self {
            site: chrome.site.clone(),
            chrome,
            inbox: inbox.into_iter().map(CaseRow::from).collect(),
            open: open.into_iter().map(CaseRow::from).collect(),
            due: due
                .into_iter()
                .map(|c| DueRow {
                    overdue: c.note.due_on.is_some_and(|d| d < today),
                    due_on: c.note.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    text: reveal_marked(&c.note.text),
                    case_id: c.case_id,
                })
                .collect(),
            due_window_days,
            waiting_grants: 0,
            mine: false,
            untouched_only: false,
            untouched: None,
        }
    }

    /// The same page, saying whether it lists only the signed-in ombuds' own cases.
    pub fn showing_mine(self, mine: bool) -> Self {
        Self { mine, ..self }
    }

    /// The same page, saying how many open cases are flagged as untouched for `after_days` or
    /// more (`count`), and whether it lists only those (`only`).
    pub fn with_untouched(self, count: usize, after_days: u32, only: bool) -> Self {
        let untouched = (count > 0).then(|| {
            Lang::En.plural(
                "staff.stale.count",
                u64::try_from(count).unwrap_or(u64::MAX),
                &[("days", &after_days)],
            )
        });
        Self {
            untouched,
            untouched_only: only,
            ..self
        }
    }

    /// The same page, telling how many grants of case access wait for a confirmation.
    pub fn with_waiting_grants(self, waiting_grants: usize) -> Self {
        Self {
            waiting_grants,
            ..self
        }
    }
}

/// Values of the "log a contact" form.
#[derive(Default)]
pub struct ContactForm {
    /// Channel code.
    pub channel: String,
    /// Category code.
    pub category: String,
    /// Role code.
    pub raised_by: String,
    /// First-contact date as typed.
    pub first_contact: String,
    /// What was raised.
    pub description: Zeroizing<String>,
    /// Contact details.
    pub contact: Zeroizing<String>,
    /// Conclusion date as typed.
    pub concluded_on: String,
    /// Discovery date as typed.
    pub discovered_on: String,
    /// A formal complaint was already filed (the box was ticked).
    pub complaint_filed: bool,
}

/// The form for logging a phone, e-mail or walk-in contact.
#[derive(Template, WebTemplate)]
#[template(path = "console/new_case.html")]
pub struct NewCasePage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// Current values.
    pub form: ContactForm,
    /// Problems to show.
    pub errors: Vec<FieldError>,
    /// Channel radio buttons.
    pub channels: Vec<Choice>,
    /// Category radio buttons.
    pub categories: Vec<Choice>,
    /// Role radio buttons.
    pub roles: Vec<Choice>,
    /// What to read out to the person, in each language the public pages speak.
    pub read_out: Vec<ReadOut>,
    /// Latest date allowed.
    pub today: NaiveDate,
}

/// What the ombuds reads out before logging a contact, in one language: the same words the web
/// intake shows before its form.
pub struct ReadOut {
    /// The language's code (a `lang` attribute value).
    pub code: &'static str,
    /// Its own name.
    pub name: &'static str,
    /// The paragraphs, in order.
    pub lines: Vec<&'static str>,
}

impl ReadOut {
    /// The exceptions to confidentiality, the conditions of use, that talking to the ombuds is
    /// not notice to the association, and the right to decline, in `lang`.
    fn new(lang: Lang) -> Self {
        let keys = [
            "intake.exceptions_intro",
            "intake.exception_harm",
            "intake.exception_law",
            "intake.exception_public_trust",
            "intake.conditions_intro",
            "intake.condition_1",
            "intake.condition_2",
            "intake.condition_3",
            "intake.not_notice",
            "intake.choice_text",
        ];
        Self {
            code: lang.code(),
            name: lang.own_name(),
            lines: keys.iter().map(|k| lang.t(k)).collect(),
        }
    }
}

impl NewCasePage {
    /// The form with `form` filled in and `errors` shown.
    pub fn new(
        chrome: Chrome,
        form: ContactForm,
        errors: Vec<FieldError>,
        today: NaiveDate,
    ) -> Self {
        use crate::domain::case::MANUAL_CHANNELS;
        use crate::domain::concern::{Category, RaisedBy};
        let choice = |code: &'static str, label: &'static str, current: &str| Choice {
            code,
            label,
            checked: current == code,
        };
        Self {
            site: chrome.site.clone(),
            chrome,
            channels: MANUAL_CHANNELS
                .iter()
                .map(|c| choice(c.code(), Lang::En.label(*c), &form.channel))
                .collect(),
            categories: Category::ALL
                .iter()
                .map(|c| choice(c.code(), Lang::En.label(*c), &form.category))
                .collect(),
            roles: RaisedBy::ALL
                .iter()
                .map(|r| choice(r.code(), raised_by_label(*r), &form.raised_by))
                .collect(),
            form,
            errors,
            read_out: Lang::ALL.into_iter().map(ReadOut::new).collect(),
            today,
        }
    }

    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        error_for(&self.errors, field)
    }
}

/// A case's facts as the case page shows them.
pub struct CaseView {
    /// Identifier.
    pub id: String,
    /// Status in words.
    pub status: &'static str,
    /// Still in the inbox.
    pub is_new: bool,
    /// Channel in words.
    pub channel: &'static str,
    /// Kind of concern in words.
    pub category: &'static str,
    /// Who raised it, in words.
    pub raised_by: &'static str,
    /// The language of the intake page it came through, if it came through one.
    pub intake_lang: Option<String>,
    /// The matter's reference ("K3QF-7ZPA").
    pub reference: String,
    /// The ombuds it is assigned to.
    pub assigned_to: Option<String>,
    /// First contact.
    pub first_contact: NaiveDate,
    /// When opened.
    pub opened_on: Option<NaiveDate>,
    /// When informal resolution ended, if recorded.
    pub termination_date: Option<NaiveDate>,
    /// A receipt holder can read replies.
    pub has_receipt: bool,
    /// The concern's text.
    pub description: Zeroizing<String>,
    /// Contact details given.
    pub contact: Zeroizing<String>,
    /// Conclusion date, or "Not given".
    pub concluded_on: String,
    /// Discovery date, or "Not given".
    pub discovered_on: String,
    /// A formal complaint was already filed and referred to the ombuds.
    pub complaint_filed: bool,
}

/// What closing with one outcome sends each party, as the closing form shows it.
pub struct ClosingRow {
    /// The outcome, in words.
    pub outcome: &'static str,
    /// For each party in [`CasePage::closing_parties`] order, the letters, in words.
    pub letters: Vec<String>,
}

/// A note as the case page shows it.
pub struct NoteView {
    /// Identifier.
    pub id: String,
    /// Note or commitment, in words.
    pub kind: &'static str,
    /// It is a commitment.
    pub is_commitment: bool,
    /// Its text.
    pub text: Zeroizing<String>,
    /// When a commitment is due.
    pub due_on: Option<NaiveDate>,
    /// "expires in N days".
    pub expires_in: String,
    /// Done.
    pub done: bool,
    /// The username of the ombuds who wrote it, if known.
    pub author: Option<String>,
}

/// "expires in N days" in words (`staff.note.expires_one`/`_other`).
pub fn expires_in(expires_on: NaiveDate, today: NaiveDate) -> String {
    let days = u64::try_from(days_left(expires_on, today)).unwrap_or(0);
    Lang::En.plural("staff.note.expires", days, &[])
}

/// A date correction as the case page shows it.
pub struct CorrectionView {
    /// Which date, in words.
    pub field: &'static str,
    /// The value before, or "not recorded".
    pub old_date: String,
    /// The value after.
    pub new_date: NaiveDate,
    /// When corrected.
    pub corrected_on: NaiveDate,
    /// Why.
    pub reason: Zeroizing<String>,
}

/// An added party as the case page shows it.
pub struct PartyView {
    /// Identifier.
    pub id: String,
    /// Its number in the case.
    pub number: u32,
    /// Its role, in words.
    pub role: &'static str,
    /// Its name, or empty.
    pub name: Zeroizing<String>,
    /// Its contact details, or empty.
    pub contact: Zeroizing<String>,
    /// Its language, in that language's own name.
    pub language: &'static str,
    /// It holds a receipt.
    pub has_receipt: bool,
    /// Its thread.
    pub messages: Vec<MessageView>,
}

impl PartyView {
    fn new(party: &crate::store::Party) -> Self {
        let c = &party.content;
        Self {
            id: party.id.clone(),
            number: party.number,
            role: Lang::En.label(c.role),
            name: c.name.as_ref().map(reveal_marked).unwrap_or_default(),
            contact: c.contact.as_ref().map(reveal_marked).unwrap_or_default(),
            language: Lang::from_code(&c.lang).map_or("", Lang::own_name),
            has_receipt: party.has_receipt,
            messages: party
                .messages
                .iter()
                .map(|m| {
                    let mut view = MessageView::for_staff_in_party_thread(m);
                    view.text = super::invisible::mark(&view.text);
                    view
                })
                .collect(),
        }
    }
}

/// One party's line in the plan's table on the case page.
pub struct PlanRowView {
    /// The party's number.
    pub party: u32,
    /// The party in words ("1: the person who raised it", "2: Member the concern is about").
    pub who: String,
    /// Its answer to the current version, in words, or empty.
    pub answer: &'static str,
    /// How and when it was given, in words, or empty.
    pub how: String,
}

/// The resolution plan as the case page shows it.
pub struct StaffPlanView {
    /// The current version.
    pub version: u32,
    /// The day it was written.
    pub written_on: NaiveDate,
    /// The day every party had accepted it.
    pub agreed_on: Option<NaiveDate>,
    /// The terms.
    pub terms: Zeroizing<String>,
    /// Every party's answer to the current version.
    pub rows: Vec<PlanRowView>,
}

impl StaffPlanView {
    fn new(plan: &crate::store::Plan, detail: &CaseDetail) -> Self {
        let mut who = vec![(1, format!("1: {}", Lang::En.t("staff.thread.submitter")))];
        who.extend(detail.parties.iter().map(|p| {
            (
                p.number,
                format!("{}: {}", p.number, Lang::En.label(p.content.role)),
            )
        }));
        let rows = who
            .into_iter()
            .map(|(party, who)| {
                let answer = plan
                    .answers
                    .iter()
                    .find(|a| a.party == party && a.version == plan.version);
                PlanRowView {
                    party,
                    who,
                    answer: answer.map_or("", |a| Lang::En.label(a.answer)),
                    how: answer.map_or_else(String::new, |a| {
                        format!("{}, {}", Lang::En.label(a.channel), a.on)
                    }),
                }
            })
            .collect();
        Self {
            version: plan.version,
            written_on: plan.written_on,
            agreed_on: plan.agreed_on,
            terms: reveal_marked(&plan.terms),
            rows,
        }
    }
}

/// An ombuds a case may be assigned to.
pub struct Assignee {
    /// Their username.
    pub name: String,
    /// The case is assigned to them now.
    pub current: bool,
}

/// One case, with everything the ombuds can do with it.
#[derive(Template, WebTemplate)]
#[template(path = "console/case.html")]
pub struct CasePage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// The case.
    pub case: CaseView,
    /// Service checkboxes.
    pub services: Vec<Choice>,
    /// Notes and commitments.
    pub notes: Vec<NoteView>,
    /// The follow-up thread.
    pub messages: Vec<MessageView>,
    /// The parties added, each with its thread.
    pub parties: Vec<PartyView>,
    /// Party role radio buttons.
    pub party_roles: Vec<Choice>,
    /// The resolution plan, once written.
    pub plan: Option<StaffPlanView>,
    /// The channels an answer may be recorded as given through.
    pub answer_channels: Vec<Choice>,
    /// The plan may be written or revised (it is not agreed).
    pub plan_writable: bool,
    /// The languages a party may be written to in: (code, own name).
    pub languages: Vec<(&'static str, &'static str)>,
    /// Outcome radio buttons.
    pub outcomes: Vec<Choice>,
    /// The parties, as the closing form's table heads its columns.
    pub closing_parties: Vec<String>,
    /// What closing with each outcome sends each party.
    pub closing_rows: Vec<ClosingRow>,
    /// Default note lifetime.
    pub note_default_days: u32,
    /// Longest note lifetime.
    pub note_max_days: u32,
    /// Problems with the last form sent.
    pub errors: Vec<FieldError>,
    /// A confirmation.
    pub notice: Option<String>,
    /// The filing deadline.
    pub deadline: DeadlineLines,
    /// Date corrections.
    pub corrections: Vec<CorrectionView>,
    /// Letters sent, each naming its party and where it stands.
    pub letters: Vec<NoticeView>,
    /// The ways a notice may be marked sent.
    pub sent_by: Vec<Choice>,
    /// Where the mark-sent forms return (this case).
    pub back_to_case: Option<String>,
    /// The form `errors` are about, where several forms share field names.
    pub sent_form: Option<CaseForm>,
    /// Today, the latest date the date fields accept.
    pub today: NaiveDate,
    /// The other ombuds the case may be assigned to (the signed-in one has a button of their
    /// own).
    pub assignable: Vec<Assignee>,
    /// The threads whose last message is the person's or party's own, by who wrote it
    /// ("1: the person who raised it"); closing asks for an extra confirmation then.
    pub unanswered: Vec<String>,
    /// The threads whose last message is the ombuds' and not yet opened by its reader.
    pub unread: Vec<String>,
    /// The periods in which the respondent held no REALTOR® membership: (id, first day, last
    /// day).
    pub non_membership: Vec<(String, NaiveDate, NaiveDate)>,
    /// The languages a receipt's printable page may be written in: (code, own name).
    pub receipt_languages: Vec<(&'static str, &'static str)>,
    /// The flag of a case untouched for long ("Untouched for 214 days — …"), if it is flagged.
    pub untouched: Option<String>,
}

impl CasePage {
    /// The same page, flagged when the case has gone untouched for `days` (long enough to be
    /// flagged).
    pub fn with_untouched(self, days: Option<u32>) -> Self {
        Self {
            untouched: days.map(untouched_flag),
            ..self
        }
    }

    /// The same page, with the ombuds the case may be assigned to (`names`).
    pub fn with_assignment(self, names: &[String]) -> Self {
        let current = self.case.assigned_to.clone().unwrap_or_default();
        let me = self.chrome.username.clone();
        Self {
            assignable: names
                .iter()
                .filter(|n| **n != me)
                .map(|n| Assignee {
                    name: n.clone(),
                    current: *n == current,
                })
                .collect(),
            ..self
        }
    }

    /// The same page, warning beside the close form that the threads of parties `numbers`
    /// (1: the person who raised the concern) end with a message not yet answered.
    pub fn with_unanswered(self, numbers: &[u32], detail: &CaseDetail) -> Self {
        Self {
            unanswered: party_names(numbers, detail),
            ..self
        }
    }

    /// The same page, warning beside the close form that parties `numbers` have not opened the
    /// ombuds' last message in their thread.
    pub fn with_unread(self, numbers: &[u32], detail: &CaseDetail) -> Self {
        Self {
            unread: party_names(numbers, detail),
            ..self
        }
    }

    /// The page for `detail`.
    pub fn new(
        chrome: Chrome,
        detail: &CaseDetail,
        today: NaiveDate,
        note_days: (u32, u32),
        deadline: &super::deadline_view::DeadlineView,
        errors: Vec<FieldError>,
        notice: Option<String>,
    ) -> Self {
        let r = &detail.record;
        let not_given = || Lang::En.t("staff.case.not_given").to_owned();
        let case = CaseView {
            id: r.id.clone(),
            status: Lang::En.label(r.status),
            is_new: r.status == CaseStatus::New,
            channel: Lang::En.label(r.channel),
            category: Lang::En.label(r.category),
            raised_by: raised_by_label(r.raised_by),
            intake_lang: intake_language(r.intake_lang.as_deref()),
            reference: reference(&r.id),
            assigned_to: r.assigned_to.clone(),
            first_contact: r.first_contact,
            opened_on: r.opened_on,
            termination_date: r.termination_date,
            has_receipt: r.has_receipt,
            description: reveal_marked(&detail.concern.description),
            contact: detail
                .concern
                .contact
                .as_ref()
                .map(reveal_marked)
                .unwrap_or_default(),
            concluded_on: detail
                .concern
                .concluded_on
                .map_or_else(not_given, |d| d.to_string()),
            discovered_on: detail
                .concern
                .discovered_on
                .map_or_else(not_given, |d| d.to_string()),
            complaint_filed: r.complaint_filed,
        };
        let (closing_parties, closing_rows) = closing_table(detail);
        Self {
            site: chrome.site.clone(),
            chrome,
            case,
            services: Service::ALL
                .iter()
                .map(|s| Choice {
                    code: s.code(),
                    label: Lang::En.label(*s),
                    checked: r.services.contains(s),
                })
                .collect(),
            notes: detail
                .notes
                .iter()
                .map(|n| NoteView {
                    id: n.id.clone(),
                    kind: Lang::En.label(n.kind),
                    is_commitment: n.kind == NoteKind::Commitment,
                    text: reveal_marked(&n.text),
                    due_on: n.due_on,
                    expires_in: expires_in(n.expires_on, today),
                    done: n.done,
                    author: n.author.clone(),
                })
                .collect(),
            messages: detail
                .messages
                .iter()
                .map(|m| {
                    let mut view = MessageView::for_staff(m);
                    view.text = super::invisible::mark(&view.text);
                    view
                })
                .collect(),
            parties: detail.parties.iter().map(PartyView::new).collect(),
            plan: detail.plan.as_ref().map(|p| StaffPlanView::new(p, detail)),
            plan_writable: detail.plan.as_ref().is_none_or(|p| p.agreed_on.is_none()),
            answer_channels: crate::domain::plan::RECORDED_CHANNELS
                .iter()
                .map(|c| Choice {
                    code: c.code(),
                    label: Lang::En.label(*c),
                    checked: false,
                })
                .collect(),
            party_roles: crate::domain::parties::PartyRole::ALL
                .iter()
                .map(|r| Choice {
                    code: r.code(),
                    label: Lang::En.label(*r),
                    checked: false,
                })
                .collect(),
            languages: Lang::ALL.iter().map(|l| (l.code(), l.own_name())).collect(),
            outcomes: Outcome::ALL
                .iter()
                .map(|o| Choice {
                    code: o.code(),
                    label: Lang::En.label(*o),
                    checked: false,
                })
                .collect(),
            closing_parties,
            closing_rows,
            note_default_days: note_days.0,
            note_max_days: note_days.1,
            errors,
            notice,
            deadline: DeadlineLines::from(deadline),
            corrections: detail
                .corrections
                .iter()
                .map(|c| CorrectionView {
                    field: Lang::En.label(c.field),
                    old_date: c.old_date.map_or_else(
                        || Lang::En.t("staff.case.not_recorded").to_owned(),
                        |d| d.to_string(),
                    ),
                    new_date: c.new_date,
                    corrected_on: c.corrected_on,
                    reason: reveal_marked(&c.reason),
                })
                .collect(),
            letters: detail.letters.iter().map(NoticeView::new).collect(),
            sent_by: sent_by_choices(),
            back_to_case: Some(r.id.clone()),
            sent_form: None,
            today,
            assignable: Vec::new(),
            unanswered: Vec::new(),
            unread: Vec::new(),
            non_membership: detail
                .non_membership
                .iter()
                .map(|(id, p)| (id.clone(), p.from, p.to))
                .collect(),
            receipt_languages: Lang::ALL.iter().map(|l| (l.code(), l.own_name())).collect(),
            untouched: None,
        }
    }

    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        error_for(&self.errors, field)
    }

    /// The error for `field` of a form whose field names no other form on the page shares,
    /// and of none that does (see [`CaseForm`]).
    pub fn own_error(&self, field: &str) -> Option<String> {
        self.error_if(self.sent_form.is_none(), field)
    }

    /// The error of the reply to the person who raised the concern, if that form was sent.
    pub fn reply_error(&self) -> Option<String> {
        self.error_if(self.sent_form == Some(CaseForm::Reply), "text")
    }

    /// The error of the message to the party `party` (its id), if that form was sent.
    pub fn party_error(&self, party: &str) -> Option<String> {
        let sent = matches!(&self.sent_form, Some(CaseForm::PartyMessage(id)) if id == party);
        self.error_if(sent, "text")
    }

    /// The error for `field` of the recorded plan answer, if that form was sent.
    pub fn answer_error(&self, field: &str) -> Option<String> {
        self.error_if(self.sent_form == Some(CaseForm::RecordAnswer), field)
    }

    /// The letter whose mark-sent form `errors` are about, if that form was sent.
    pub fn failed_letter(&self) -> Option<&str> {
        match &self.sent_form {
            Some(CaseForm::MarkSent(letter)) => Some(letter),
            _ => None,
        }
    }

    fn error_if(&self, sent: bool, field: &str) -> Option<String> {
        sent.then(|| self.error(field)).flatten()
    }

    /// Where the error summary's link for `error` leads: the field of the form that was sent.
    pub fn anchor(&self, error: &FieldError) -> String {
        match (&self.sent_form, error.field) {
            (Some(CaseForm::Reply), "text") => "reply".to_owned(),
            (Some(CaseForm::PartyMessage(party)), "text") => {
                self.parties.iter().find(|p| p.id == *party).map_or_else(
                    || "parties-heading".to_owned(),
                    |p| format!("party-{}-text", p.number),
                )
            }
            (Some(CaseForm::RecordAnswer), "channel") => "channel-given".to_owned(),
            (Some(CaseForm::RecordAnswer), "version") => "record-answer-heading".to_owned(),
            (_, field) => field.to_owned(),
        }
    }
}

/// A form on the case page whose field names another form there shares (`text`: a note, a
/// reply, a message to each party; `channel`: adding a party, recording a plan answer;
/// `sent_on`, `sent_by`: the mark-sent form of each pending letter). When one is refused, the
/// error summary links to its field and the message shows beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseForm {
    /// A reply to the person who raised the concern.
    Reply,
    /// A message to, or written down about, the added party with this id.
    PartyMessage(String),
    /// A party's answer to the plan, recorded by the ombuds.
    RecordAnswer,
    /// Marking the letter with this id sent (each pending letter has that form).
    MarkSent(String),
}

/// The letters the association keeps (for 180 days each).
#[derive(Template, WebTemplate)]
#[template(path = "console/letters.html")]
pub struct LettersPage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// Every unexpired letter.
    pub letters: Vec<NoticeView>,
    /// How many days a resolution certificate's letter is kept (`[letters] certificate_days`).
    pub certificate_days: u32,
    /// The ways a notice may be marked sent.
    pub sent_by: Vec<Choice>,
    /// Today, the latest date a notice may be marked sent on.
    pub today: NaiveDate,
    /// Where the mark-sent forms return (`None`: this page).
    pub back_to_case: Option<String>,
    /// The letter whose mark-sent form `errors` are about, if any.
    pub failed: Option<String>,
    /// Problems with the last form sent.
    pub errors: Vec<FieldError>,
    /// A confirmation.
    pub notice: Option<String>,
}

impl LettersPage {
    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        error_for(&self.errors, field)
    }

    /// The letter whose mark-sent form `errors` are about, if any.
    pub fn failed_letter(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}

/// The ways a notice may be marked sent, as radio buttons.
pub fn sent_by_choices() -> Vec<Choice> {
    crate::domain::notices::SentBy::ALL
        .iter()
        .map(|s| Choice {
            code: s.code(),
            label: Lang::En.label(*s),
            checked: false,
        })
        .collect()
}

/// A letter as the console lists it: named by matter reference and party, with where it
/// stands (in a thread, opened, sent, or still to send).
pub struct NoticeView {
    /// Identifier.
    pub id: String,
    /// Its name: kind, party, matter reference and date.
    pub name: String,
    /// Its date.
    pub dated: NaiveDate,
    /// The day it is destroyed.
    pub expires_on: NaiveDate,
    /// Where it stands, in words.
    pub delivery: String,
    /// Whether the ombuds still has to send it.
    pub pending: bool,
    /// The languages it can be printed in: (code, own name).
    pub languages: Vec<(&'static str, &'static str)>,
}

impl NoticeView {
    /// The view of `letter`.
    pub fn new(letter: &crate::store::Letter) -> Self {
        use crate::domain::notices::Delivery;
        use crate::letters::stored::{Label, languages};
        use secrecy::ExposeSecret;
        let en = Lang::En;
        let kind = en.label(letter.kind);
        let label = letter
            .label
            .as_ref()
            .and_then(|l| Label::decode(l.expose_secret()));
        let name = match label {
            None => en.f(
                "staff.letters.name",
                &[("kind", &kind), ("date", &letter.dated)],
            ),
            Some(Label {
                reference,
                role: None,
                ..
            }) => en.f(
                "staff.letters.name_first",
                &[
                    ("kind", &kind),
                    ("reference", &reference),
                    ("date", &letter.dated),
                ],
            ),
            Some(Label {
                reference,
                party,
                role: Some(role),
                name,
            }) => {
                let role = crate::domain::parties::PartyRole::from_code(&role)
                    .map_or(role.clone(), |r| en.label(r).to_owned());
                let values: [(&str, &dyn std::fmt::Display); 5] = [
                    ("kind", &kind),
                    ("number", &party),
                    ("role", &role),
                    ("reference", &reference),
                    ("date", &letter.dated),
                ];
                match name {
                    None => en.f("staff.letters.name_party", &values),
                    Some(name) => {
                        let mut all = values.to_vec();
                        all.push(("name", &name));
                        en.f("staff.letters.name_party_named", &all)
                    }
                }
            }
        };
        let delivery = match letter.delivery {
            Delivery::Opened => en.t("staff.letters.opened").to_owned(),
            Delivery::InThread => en.t("staff.letters.in_thread").to_owned(),
            Delivery::Sent(on, by) => en.f(
                "staff.letters.sent",
                &[("date", &on), ("way", &en.label(by))],
            ),
            Delivery::Pending => en.t("staff.letters.pending").to_owned(),
        };
        Self {
            id: letter.id.clone(),
            name,
            dated: letter.dated,
            expires_on: letter.expires_on,
            delivery,
            pending: letter.delivery.pending(),
            languages: languages(letter.html.expose_secret())
                .into_iter()
                .map(|l| (l.code(), l.own_name()))
                .collect(),
        }
    }
}

/// The confirmation that a case was closed and destroyed.
#[derive(Template, WebTemplate)]
#[template(path = "console/closed.html")]
pub struct ClosedPage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// The outcome in words.
    pub outcome: &'static str,
}

/// An account in the administrator's list.
pub struct UserRow {
    /// Name.
    pub username: String,
    /// Role in words.
    pub role: &'static str,
    /// Disabled.
    pub disabled: bool,
    /// An ombuds account that reads no case until another ombuds confirms it.
    pub awaits_confirmation: bool,
}

/// An enrolment link not used yet, on the users page (never the link itself).
pub struct InvitationRow {
    /// The account it is for.
    pub username: String,
    /// Role in words.
    pub role: &'static str,
    /// Whether it resets an existing account rather than creating one.
    pub reset: bool,
    /// The day it stops working, `YYYY-MM-DD`.
    pub expires_on: String,
}

/// The administrator's users page.
#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// Every account.
    pub users: Vec<UserRow>,
    /// The enrolment links not used yet.
    pub invitations: Vec<InvitationRow>,
    /// Role radio buttons.
    pub roles: Vec<Choice>,
    /// Problems with the last form.
    pub errors: Vec<FieldError>,
    /// A confirmation.
    pub notice: Option<String>,
}

impl UsersPage {
    /// The page listing `users` and the links not used yet.
    pub fn new(
        chrome: Chrome,
        users: &[UserSummary],
        pending: &[crate::usecase::accounts::Pending],
        errors: Vec<FieldError>,
        notice: Option<String>,
    ) -> Self {
        Self {
            site: chrome.site.clone(),
            chrome,
            users: users
                .iter()
                .map(|u| UserRow {
                    username: u.username.clone(),
                    role: Lang::En.label(u.role),
                    disabled: u.disabled,
                    awaits_confirmation: u.role == Role::Ombuds && !u.case_access,
                })
                .collect(),
            invitations: pending
                .iter()
                .map(|p| InvitationRow {
                    username: p.username.clone(),
                    role: Lang::En.label(p.role),
                    reset: p.reset,
                    expires_on: p.expires_on.to_string(),
                })
                .collect(),
            roles: Role::ALL
                .iter()
                .map(|r| Choice {
                    code: r.code(),
                    label: Lang::En.label(*r),
                    checked: false,
                })
                .collect(),
            errors,
            notice,
        }
    }

    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        error_for(&self.errors, field)
    }
}

/// A new enrolment link, shown once.
#[derive(Template, WebTemplate)]
#[template(path = "admin/link.html")]
pub struct LinkPage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// The account.
    pub username: String,
    /// The link.
    pub link: Zeroizing<String>,
    /// The link is for an ombuds account, which reads cases only once another ombuds confirms
    /// it.
    pub awaits_confirmation: bool,
    /// What the link means for case access, in a sentence; `None` for an account that reads
    /// no cases.
    pub case_access: Option<&'static str>,
}

/// A released period in the board's list.
pub struct PeriodLink {
    /// Its code, e.g. `2026Q3`.
    pub code: String,
    /// Its name, e.g. "July to September 2026".
    pub label: String,
}

/// The board's home: the released periods.
#[derive(Template, WebTemplate)]
#[template(path = "board_home.html")]
pub struct BoardHome {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// Released periods, newest first.
    pub periods: Vec<PeriodLink>,
    /// The next period to be released, and a sentence saying when.
    pub next: Option<PeriodLink>,
}

/// One retention class on the administrator's "what is held" page.
pub struct HoldingRow {
    /// The class, in words.
    pub label: &'static str,
    /// Items held.
    pub count: u64,
    /// Next expiry date, or "-".
    pub next_expiry: String,
    /// Oldest item's date and age, or "-".
    pub oldest: String,
    /// How long the class is kept.
    pub lifetime: String,
}

/// What is held, per retention class: counts only.
#[derive(Template, WebTemplate)]
#[template(path = "admin/retention.html")]
pub struct RetentionPage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// One row per class.
    pub rows: Vec<HoldingRow>,
    /// The sweeper's interval.
    pub sweep_seconds: u64,
}

/// A grant of case access in the console's list.
pub struct GrantRow {
    /// Its identifier (in the confirm and refuse forms).
    pub id: String,
    /// The account.
    pub username: String,
    /// New account or reset, in words.
    pub kind: &'static str,
    /// Where it stands, in words.
    pub state: &'static str,
    /// Whether it waits for a confirmation (the forms are shown).
    pub waiting: bool,
    /// Who asked, and on which day.
    pub requested: String,
    /// The day its link was used, or "-".
    pub enrolled_on: String,
    /// Who decided, and on which day, or "-".
    pub decided: String,
}

impl From<&GrantRecord> for GrantRow {
    fn from(grant: &GrantRecord) -> Self {
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "-".to_owned(), |d| d.to_string());
        Self {
            id: grant.id.clone(),
            username: grant.username.clone(),
            kind: Lang::En.label(grant.kind),
            state: Lang::En.label(grant.state),
            waiting: grant.state == GrantState::AwaitingConfirmation,
            requested: format!("{}, {}", grant.requested_by, grant.requested_on),
            enrolled_on: day(grant.enrolled_on),
            decided: match (&grant.decided_by, grant.decided_on) {
                (Some(by), Some(on)) => format!("{by}, {on}"),
                (None, Some(on)) => on.to_string(),
                _ => "-".to_owned(),
            },
        }
    }
}

/// Every grant of case access an ombuds must be able to see: those waiting for a confirmation
/// (with forms to confirm or refuse them), and the recent others.
#[derive(Template, WebTemplate)]
#[template(path = "console/access.html")]
pub struct GrantsPage {
    /// Common staff page parts.
    pub chrome: Chrome,
    /// Association details (for the layout).
    pub site: Site,
    /// The grants, waiting ones first.
    pub grants: Vec<GrantRow>,
    /// How many days decided grants stay listed.
    pub listed_days: i64,
    /// Why the last form was refused, if it was.
    pub error: Option<String>,
    /// The label of the button that confirms a grant.
    pub confirm_label: &'static str,
    /// The label of the button that refuses a grant.
    pub refuse_label: &'static str,
}

/// What closing `detail` with each outcome sends each party: the column heads (each party, and
/// whether its letters reach its follow-up page or are for the ombuds to send) and one row per
/// outcome.
fn closing_table(detail: &CaseDetail) -> (Vec<String>, Vec<ClosingRow>) {
    use crate::domain::closing::{ClosingLetter, Recipient};
    let way = |has_receipt: bool| {
        Lang::En.t(if has_receipt {
            "staff.closing.to_thread"
        } else {
            "staff.closing.to_send"
        })
    };
    let mut parties = vec![(
        Recipient::Complainant,
        Lang::En.f(
            "staff.closing.party",
            &[
                (
                    "party",
                    &party_names(&[crate::domain::parties::FIRST_PARTY], detail).concat(),
                ),
                ("way", &way(detail.record.has_receipt)),
            ],
        ),
    )];
    for party in &detail.parties {
        let who = Lang::En.f(
            "staff.parties.party",
            &[
                ("number", &party.number),
                ("role", &Lang::En.label(party.content.role)),
            ],
        );
        parties.push((
            Recipient::Party,
            Lang::En.f(
                "staff.closing.party",
                &[("party", &who), ("way", &way(party.has_receipt))],
            ),
        ));
    }
    let rows = Outcome::ALL
        .iter()
        .map(|outcome| {
            let closing = crate::usecase::closing::closing(detail, *outcome);
            ClosingRow {
                outcome: Lang::En.label(*outcome),
                letters: parties
                    .iter()
                    .map(|(recipient, _)| {
                        let letters: Vec<String> = closing
                            .letters_for(*recipient)
                            .into_iter()
                            .map(|letter| {
                                let key = match letter {
                                    ClosingLetter::TerminationNotice => {
                                        "staff.closing.termination_notice".to_owned()
                                    }
                                    ClosingLetter::ResolutionCertificate => {
                                        "staff.closing.resolution_certificate".to_owned()
                                    }
                                    ClosingLetter::FollowUp(f) => {
                                        format!("staff.closing.follow_up_{}", f.code())
                                    }
                                };
                                Lang::En.t(&key).to_owned()
                            })
                            .collect();
                        match letters.is_empty() {
                            true => Lang::En.t("staff.closing.nothing").to_owned(),
                            false => letters.join("; "),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    (parties.into_iter().map(|(_, head)| head).collect(), rows)
}

/// How the close form names parties `numbers` ("Party 1: The person who raised it").
fn party_names(numbers: &[u32], detail: &CaseDetail) -> Vec<String> {
    numbers
        .iter()
        .map(|&number| {
            let role = if number == 1 {
                Lang::En.t("staff.thread.submitter")
            } else {
                detail
                    .parties
                    .iter()
                    .find(|p| p.number == number)
                    .map_or("", |p| Lang::En.label(p.content.role))
            };
            Lang::En.f(
                "staff.parties.party",
                &[("number", &number), ("role", &role)],
            )
        })
        .collect()
}
