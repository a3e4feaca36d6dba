//! Checking a whole draft post — its words, its photos and when it goes out — against the
//! school's policy, before it is posted.
//!
//! The rules are plain code over one table, [`RULES`], each in the school's own words. No
//! cloud service or language model is involved: the same draft always gets the same answer,
//! and the answer can be read back to the rule that gave it.

use crate::error::{Error, Result};
use crate::filter::{Filter, Progress};
use crate::report::Report;
use crate::{Outcome, Roster};
use jiff::civil::{DateTime, Weekday};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How much a finding stands in the way of posting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A reminder worth reading; the post may go out.
    Remind,
    /// Worth changing, and a person should look before posting; the post may go out.
    Warn,
    /// The post may not go out until this is changed.
    Block,
}

/// Which of the policy's rules a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// No child's name.
    Names,
    /// Nothing about one individual child.
    OneChild,
    /// No whereabouts of children at a given time on a trip.
    Whereabouts,
    /// No children's faces in the photos.
    Faces,
    /// Only photos that were read whole and analysed go out.
    PhotoChecked,
    /// At most four photos, or one GIF.
    PhotoCount,
    /// Weekdays 8am to 6pm, unless an event or urgent news.
    PostingHours,
    /// The account does not reply.
    NoReplies,
}

/// One rule of the policy: its words and how much breaking it matters.
#[derive(Debug)]
pub struct Rule {
    /// Which rule.
    pub id: RuleId,
    /// The rule as the school's policy puts it.
    pub policy: &'static str,
    /// What breaking it means for the post.
    pub severity: Severity,
    /// What to do about it.
    pub fix: &'static str,
}

/// The policy's rules for a post, in the school's words.
pub const RULES: [Rule; 8] = [
    Rule {
        id: RuleId::Names,
        policy: "it never uses children's names",
        severity: Severity::Block,
        fix: "take the name out",
    },
    Rule {
        id: RuleId::OneChild,
        policy: "nothing is about one individual child",
        severity: Severity::Block,
        fix: "celebrate the class or group's work instead of one child",
    },
    Rule {
        id: RuleId::Whereabouts,
        policy: "on trips nothing is published that says where children will be at a given time",
        severity: Severity::Warn,
        fix: "post it after the trip, without the time or place",
    },
    Rule {
        id: RuleId::Faces,
        policy: "it never posts photos of children's faces (hands, work, the back of a head are fine)",
        severity: Severity::Block,
        fix: "leave the photo out, or use --faces blur",
    },
    Rule {
        id: RuleId::PhotoChecked,
        policy: "a photo goes out only when it was read, analysed and found safe",
        severity: Severity::Block,
        fix: "leave the photo out, or fix it as the message says",
    },
    Rule {
        id: RuleId::PhotoCount,
        policy: "a post has at most 4 photos, or one GIF",
        severity: Severity::Block,
        fix: "choose at most 4 photos, or post the GIF on its own",
    },
    Rule {
        id: RuleId::PostingHours,
        policy: "it posts 8am–6pm on weekdays except for events or urgent news",
        severity: Severity::Block,
        fix: "post it in school hours, or mark it --event or --urgent if it is one",
    },
    Rule {
        id: RuleId::NoReplies,
        policy: "the account does not reply to comments",
        severity: Severity::Remind,
        fix: "nobody will answer: consider leaving out the invitation to reply",
    },
];

impl RuleId {
    /// This rule's entry in [`RULES`].
    pub fn rule(self) -> &'static Rule {
        RULES.iter().find(|r| r.id == self).expect("every rule is in the table")
    }
}

/// Words and phrases the text rules look for, all lower case. A phrase matches whole words.
mod phrases {
    /// Someone who is one child, not a group.
    pub const ONE_CHILD: &[&str] = &[
        "a child",
        "one child",
        "a pupil",
        "one pupil",
        "a student",
        "one student",
        "a boy",
        "a girl",
        "one boy",
        "one girl",
        "a young",
        "one of our pupils",
        "one of our children",
        "one of our students",
        "a member of",
    ];
    /// Praise or criticism of a person.
    pub const JUDGEMENT: &[&str] = &[
        "behaved",
        "behaviour",
        "behavior",
        "naughty",
        "rude",
        "proud of",
        "well done",
        "congratulations",
        "star of the week",
        "pupil of the week",
        "struggled",
        "struggles",
        "struggling",
        "improved",
        "in trouble",
        "told off",
        "disappointing",
        "disappointed",
        "worst",
        "best in",
        "top of the class",
        "amazing",
        "brilliant",
        "fantastic",
        "excellent",
        "outstanding",
        "award",
    ];
    /// Saying where the children are, or will be, or where they are going or coming back:
    /// trip posts say "Year 4 are at…", "Class 2 visit…", "leaving school at…", "back at
    /// school by…" far more often than "we will be at".
    pub const WHERE: &[&str] = &[
        "we'll be",
        "we will be",
        "will be at",
        "will be in",
        "are at",
        "is at",
        "are in",
        "is in",
        "are now",
        "we're at",
        "we're in",
        "we're now",
        "are off to",
        "is off to",
        "off to",
        "arriving at",
        "arrive at",
        "arrive in",
        "arrives at",
        "arriving in",
        "heading to",
        "head to",
        "heading off",
        "on our way",
        "on their way",
        "on the way to",
        "currently at",
        "currently in",
        "staying at",
        "staying in",
        "meeting at",
        "meet at",
        "visit",
        "visits",
        "visiting",
        "leaving",
        "leave",
        "leaves",
        "depart",
        "departs",
        "departing",
        "set off",
        "sets off",
        "setting off",
        "return to",
        "returns to",
        "returning to",
        "back at school",
        "back in school",
        "back to school",
        "back at the school",
        "pick up",
        "pick-up",
        "picking up",
        "collect",
        "collection",
        "the coach",
        "performing at",
        "singing at",
        "playing at",
        "play at",
        "competing at",
        "trip to",
        "live from",
    ];
    /// A time of day, a day, or now.
    pub const WHEN: &[&str] = &[
        "now",
        "right now",
        "currently",
        "at the moment",
        "until",
        "till",
        "this morning",
        "this afternoon",
        "this evening",
        "tonight",
        "today",
        "tomorrow",
        "this week",
        "next week",
        "later",
        "o'clock",
        "noon",
        "midday",
        "lunchtime",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "live from",
    ];
    /// Now, in so many words: with any place ("at the castle", "in the woods") it says where
    /// the children are at this moment.
    pub const NOW: &[&str] = &["now", "right now", "currently", "at the moment"];
    /// Words that put someone in a place.
    pub const AT_A_PLACE: &[&str] = &["at", "in"];
    /// The trip is over: what it says is news, not whereabouts.
    pub const PAST: &[&str] = &[
        "yesterday",
        "last week",
        "last month",
        "last term",
        "last year",
        "last night",
        "earlier this week",
    ];
    /// Asking readers to answer or argue.
    pub const REPLIES: &[&str] = &[
        "let us know",
        "comment below",
        "comments below",
        "what do you think",
        "tell us",
        "reply",
        "replies",
        "share your views",
        "share your thoughts",
        "your thoughts",
        "your views",
        "do you agree",
        "vote",
        "debate",
    ];
}

/// A stretch of the post's text, in characters from its start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The text itself.
    pub text: String,
}

impl Span {
    fn of(text: &str, bytes: Range<usize>) -> Span {
        let chars = |b: usize| text[..b].chars().count();
        Span { start: chars(bytes.start), end: chars(bytes.end), text: text[bytes].to_string() }
    }
}

/// Something in the draft that a rule has to say about.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finding {
    /// The rule.
    pub rule: RuleId,
    /// The rule in the school's words.
    pub policy: String,
    /// Whether it stops the post.
    pub severity: Severity,
    /// What was found and what to do, in plain words.
    pub message: String,
    /// The text it is about, when it is about the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The photo it is about, when it is about a photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
}

impl Finding {
    fn new(rule: RuleId, message: String) -> Finding {
        let r = rule.rule();
        Finding { rule, policy: r.policy.into(), severity: r.severity, message, span: None, photo: None }
    }
}

/// The words of a post, checked by the text rules: names on `roster`, one child singled out,
/// children's whereabouts on a trip, and invitations to reply. Findings are in text order
/// within each rule.
pub fn check_text(text: &str, roster: &Roster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for span in names_in(text, roster) {
        let message = format!("names someone on the class list — {}", RuleId::Names.rule().fix);
        findings.push(Finding { span: Some(Span::of(text, span)), ..Finding::new(RuleId::Names, message) });
    }
    for span in whereabouts(text) {
        let message =
            format!("says where the children are or will be, and when — {}", RuleId::Whereabouts.rule().fix);
        findings
            .push(Finding { span: Some(Span::of(text, span)), ..Finding::new(RuleId::Whereabouts, message) });
    }
    for sentence in sentences(text) {
        let words = &text[sentence.clone()];
        let one_child = has_any(words, phrases::ONE_CHILD) || !names_in(words, roster).is_empty();
        if one_child && has_any(words, phrases::JUDGEMENT) {
            let message = format!("praises or criticises one child — {}", RuleId::OneChild.rule().fix);
            let at = Some(Span::of(text, sentence.clone()));
            findings.push(Finding { span: at, ..Finding::new(RuleId::OneChild, message) });
        }
        if has_any(words, phrases::REPLIES) {
            let message = format!("invites replies — {}", RuleId::NoReplies.rule().fix);
            let at = Some(Span::of(text, sentence));
            findings.push(Finding { span: at, ..Finding::new(RuleId::NoReplies, message) });
        }
    }
    findings
}

/// When a post may go out: `at` must be a weekday between 8am and 6pm, unless it is an event
/// or urgent news. Outside those hours the finding says when the next allowed time is.
pub fn check_time(at: DateTime, event_or_urgent: bool) -> Option<Finding> {
    if event_or_urgent || in_posting_hours(at) {
        return None;
    }
    let next = next_posting_time(at);
    let message = format!(
        "{} is outside posting hours; the next allowed time is {} — or {}",
        at.strftime("%A %-d %B at %H:%M"),
        next.strftime("%A %-d %B at %H:%M"),
        RuleId::PostingHours.rule().fix
    );
    Some(Finding::new(RuleId::PostingHours, message))
}

/// A draft post: its words, photos (in the order they will appear) and when it is to go out.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    /// The words.
    pub text: String,
    /// The photos, in order.
    pub photos: Vec<PathBuf>,
    /// When it is to go out, in local time.
    pub at: Option<DateTime>,
    /// Whether it is about an event happening outside school hours.
    pub event: bool,
    /// Whether it is urgent news.
    pub urgent: bool,
}

/// What [`Filter::check_post`] decided.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PostReport {
    /// Whether the post may go out: no finding blocks it.
    pub may_go_out: bool,
    /// Everything found, blocking first.
    pub findings: Vec<Finding>,
    /// The photos' own report, as the main command writes it.
    pub photos: Report,
    /// The folder holding the post ready to go (`post.txt` and the photos numbered in order),
    /// only when it may go out.
    pub bundle: Option<String>,
}

impl PostReport {
    /// The report as pretty-printed JSON, for other programs.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }

    /// What a person reads: whether the post may go out, then each finding with its rule, the
    /// words or photo it is about, and what to do; then where the post and the review page are.
    pub fn human_summary(&self, out_dir: &Path) -> String {
        let blocking = self.findings.iter().filter(|f| f.severity == Severity::Block).count();
        let mut lines = vec![if self.may_go_out {
            "This post may go out.".to_string()
        } else {
            format!(
                "This post may not go out: {blocking} thing{} to change.",
                if blocking == 1 { "" } else { "s" }
            )
        }];
        for finding in &self.findings {
            let label = match finding.severity {
                Severity::Block => "must change",
                Severity::Warn => "check",
                Severity::Remind => "note",
            };
            lines.push(format!("  {label}: {}", finding.message));
            match (&finding.span, &finding.photo) {
                (Some(span), _) => {
                    lines.push(format!("      \"{}\" (characters {}–{})", span.text, span.start, span.end))
                }
                (None, Some(photo)) => lines.push(format!("      {photo}")),
                (None, None) => {}
            }
            lines.push(format!("      rule: {}", finding.policy));
        }
        if let Some(bundle) = &self.bundle {
            let photos = self.photos.photos.iter().filter(|p| p.output.is_some()).count();
            lines.push(format!(
                "Post ready to go: {bundle} (post.txt and {photos} photo{})",
                if photos == 1 { "" } else { "s" }
            ));
        }
        if !self.photos.photos.is_empty() {
            lines.push(format!("Review page:      {}", out_dir.join(crate::REVIEW_FILE).display()));
        }
        lines.join("\n")
    }
}

/// Name of the folder, inside the output folder, that holds a post ready to go out.
pub const BUNDLE_DIR: &str = "post";
/// Most photos in one post.
pub const MAX_PHOTOS: usize = 4;

impl Filter {
    /// Checks a whole draft post: the photos as [`Filter::run`] checks them (into `out_dir`),
    /// then the text ([`check_text`] against this filter's roster), the number of photos and
    /// the time ([`check_time`]). Only when nothing blocks it is `out_dir/post/` written, with
    /// the text as `post.txt` and the safe photos numbered in order; otherwise any earlier
    /// `post/` is removed, so what is there is always a post that passed.
    pub fn check_post(&self, draft: &Draft, out_dir: &Path, progress: &dyn Progress) -> Result<PostReport> {
        let photos = self.run(&draft.photos, out_dir, progress)?;
        let mut findings = check_text(&draft.text, &self.options().roster);
        // An animation goes out as a GIF whatever its file was called.
        let is_gif = |name: &str| name.to_ascii_lowercase().ends_with(".gif");
        let gifs = photos
            .photos
            .iter()
            .filter(|p| is_gif(&p.input) || p.output.as_deref().is_some_and(is_gif))
            .count();
        if photos.photos.len() > MAX_PHOTOS || (gifs > 0 && photos.photos.len() > 1) {
            let message = format!(
                "the post has {} photos{} — {}",
                photos.photos.len(),
                if gifs > 0 { " including a GIF" } else { "" },
                RuleId::PhotoCount.rule().fix
            );
            findings.push(Finding::new(RuleId::PhotoCount, message));
        }
        for photo in photos.photos.iter().filter(|p| !matches!(p.outcome, Outcome::Ready | Outcome::Blurred))
        {
            let reason = photo.reason.as_deref().unwrap_or_default();
            let rule = match photo.outcome {
                Outcome::HeldBack if reason.starts_with("names a child") => RuleId::Names,
                Outcome::HeldBack => RuleId::Faces,
                _ => RuleId::PhotoChecked,
            };
            let why = photo.reason.as_deref().or(photo.error.as_deref()).unwrap_or("it was not checked");
            let message = format!("this photo cannot go out: {why} — {}", rule.rule().fix);
            findings.push(Finding { photo: Some(photo.input.clone()), ..Finding::new(rule, message) });
        }
        if let Some(at) = draft.at {
            findings.extend(check_time(at, draft.event || draft.urgent));
        }
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let may_go_out = findings.iter().all(|f| f.severity < Severity::Block);
        let bundle = out_dir.join(BUNDLE_DIR);
        let remove_old = || match std::fs::remove_dir_all(&bundle) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::Write { path: bundle.clone(), source: e })
            }
            _ => Ok(()),
        };
        remove_old()?;
        let bundle = if may_go_out { Some(write_bundle(out_dir, &draft.text, &photos)?) } else { None };
        Ok(PostReport { may_go_out, findings, photos, bundle: bundle.map(|b| b.display().to_string()) })
    }
}

/// Writes the post's folder: built under a temporary name, then renamed, so a `post/` folder
/// is always complete.
fn write_bundle(out_dir: &Path, text: &str, photos: &Report) -> Result<PathBuf> {
    let target = out_dir.join(BUNDLE_DIR);
    let building = out_dir.join(format!(".{BUNDLE_DIR}.{}.part", std::process::id()));
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    let _ = std::fs::remove_dir_all(&building);
    std::fs::create_dir_all(&building).map_err(failed(&building))?;
    std::fs::write(building.join("post.txt"), text).map_err(failed(&building))?;
    for (n, output) in photos.photos.iter().filter_map(|p| p.output.as_deref()).enumerate() {
        let source = Path::new(output);
        let ext = source.extension().and_then(|e| e.to_str()).unwrap_or("jpg");
        std::fs::copy(source, building.join(format!("{}.{ext}", n + 1))).map_err(failed(source))?;
    }
    std::fs::rename(&building, &target).map_err(failed(&target))?;
    Ok(target)
}

/// Whether `at` is on a weekday, from 8am to 6pm.
fn in_posting_hours(at: DateTime) -> bool {
    let weekday = !matches!(at.weekday(), Weekday::Saturday | Weekday::Sunday);
    let minutes = i32::from(at.hour()) * 60 + i32::from(at.minute());
    weekday && (8 * 60..=18 * 60).contains(&minutes)
}

/// The first moment at or after `at` when posting is allowed.
fn next_posting_time(at: DateTime) -> DateTime {
    let mut day = at.date();
    if at.hour() >= 8 {
        day = day.tomorrow().expect("a school date is far from the calendar's end");
    }
    while matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
        day = day.tomorrow().expect("a school date is far from the calendar's end");
    }
    day.at(8, 0, 0, 0)
}

/// The sentences of `text`, as byte ranges without their surrounding spaces.
fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        // A full stop between digits is part of a time ("3.30pm"), not a sentence end.
        let in_number = c == '.'
            && text[..i].chars().next_back().is_some_and(|p| p.is_ascii_digit())
            && text[i + 1..].chars().next().is_some_and(|n| n.is_ascii_digit());
        if matches!(c, '.' | '!' | '?' | '\n') && !in_number {
            found.push(start..i + c.len_utf8());
            start = i + c.len_utf8();
        }
    }
    found.push(start..text.len());
    found
        .into_iter()
        .filter_map(|r| {
            let piece = &text[r.clone()];
            let lead = piece.len() - piece.trim_start().len();
            let trimmed = piece.trim();
            (!trimmed.is_empty()).then(|| r.start + lead..r.start + lead + trimmed.len())
        })
        .collect()
}

/// The words of `text`, lower case, each with its byte range. Apostrophes stay inside words
/// ("we'll").
fn words(text: &str) -> Vec<(String, Range<usize>)> {
    let mut found = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        let in_word = c.is_alphanumeric() || ((c == '\'' || c == '’') && start.is_some());
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let word = text[s..i].trim_end_matches(['\'', '’']).to_lowercase().replace('’', "'");
                found.push((word, s..i));
                start = None;
            }
            _ => {}
        }
    }
    found
}

/// The sentences of `text` that say where the children are or will be and when: a place or
/// a journey ([`phrases::WHERE`]) with a time ([`phrases::WHEN`], or a clock time) in the same
/// sentence, or any place with [`phrases::NOW`]; or in the next one ("We're heading to Kew Gardens! Back by 3pm."), which then
/// joins the span. A sentence about a trip that is over ([`phrases::PAST`]) says nothing
/// about where anyone will be.
fn whereabouts(text: &str) -> Vec<Range<usize>> {
    let sentences: Vec<Range<usize>> =
        sentences(text).into_iter().filter(|s| !has_any(&text[s.clone()], phrases::PAST)).collect();
    let timed =
        |s: &Range<usize>| has_any(&text[s.clone()], phrases::WHEN) || has_clock_time(&text[s.clone()]);
    let mut found: Vec<Range<usize>> = Vec::new();
    for (i, sentence) in sentences.iter().enumerate() {
        let words = &text[sentence.clone()];
        let here_now = has_any(words, phrases::NOW) && has_any(words, phrases::AT_A_PLACE);
        if !has_any(words, phrases::WHERE) && !here_now {
            continue;
        }
        let span = if timed(sentence) {
            sentence.clone()
        } else {
            match sentences.get(i + 1).filter(|next| timed(next)) {
                Some(next) => sentence.start..next.end,
                None => continue,
            }
        };
        match found.last_mut() {
            Some(last) if last.end >= span.start => last.end = last.end.max(span.end),
            _ => found.push(span),
        }
    }
    found
}

/// Whether `text` holds any of `phrases` as whole words.
fn has_any(text: &str, phrases: &[&str]) -> bool {
    let words: Vec<String> = words(text).into_iter().map(|(w, _)| w).collect();
    phrases.iter().any(|phrase| {
        let wanted: Vec<&str> = phrase.split(' ').collect();
        words.windows(wanted.len()).any(|window| window.iter().zip(&wanted).all(|(w, p)| w == p))
    })
}

/// Whether `text` holds a time of day written in figures: "3pm", "3 pm", "10:30", "3.30".
fn has_clock_time(text: &str) -> bool {
    let words: Vec<String> = words(text).into_iter().map(|(w, _)| w).collect();
    let number = |w: &str| !w.is_empty() && w.len() <= 2 && w.chars().all(|c| c.is_ascii_digit());
    let with_suffix = |w: &str| ["am", "pm"].iter().any(|s| w.strip_suffix(s).is_some_and(number));
    let hours_and_minutes = text.as_bytes().windows(4).any(|w| {
        w[0].is_ascii_digit() && matches!(w[1], b':' | b'.') && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    });
    hours_and_minutes
        || words.iter().any(|w| with_suffix(w))
        || words.windows(2).any(|pair| number(&pair[0]) && matches!(pair[1].as_str(), "am" | "pm"))
}

/// Byte ranges of the names on `roster` in `text`, matched as in photos (file names and
/// metadata, and text read from the picture, so a name of five letters or more with one letter
/// wrong still counts); neighbouring words of one name ("Sam Taylor") make one range.
fn names_in(text: &str, roster: &Roster) -> Vec<Range<usize>> {
    let mut found: Vec<Range<usize>> = Vec::new();
    for (_, range) in words(text) {
        let word = &text[range.clone()];
        if !roster.names_in(word) && !roster.written_in(word) {
            continue;
        }
        match found.last_mut() {
            Some(last) if text[last.end..range.start].trim().is_empty() => last.end = range.end,
            _ => found.push(range),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Roster {
        Roster::parse("Sam Taylor\nZoë Hart\n")
    }

    fn rules_hit(text: &str) -> Vec<RuleId> {
        check_text(text, &roster()).into_iter().map(|f| f.rule).collect()
    }

    fn at(text: &str) -> DateTime {
        DateTime::strptime("%Y-%m-%d %H:%M", text).unwrap()
    }

    #[test]
    fn a_roster_name_in_the_text_is_found_with_its_exact_span() {
        let text = "Well played, Sam Taylor! And zoe too.";
        let names: Vec<Span> = check_text(text, &roster())
            .into_iter()
            .filter(|f| f.rule == RuleId::Names)
            .map(|f| f.span.unwrap())
            .collect();
        assert_eq!(names[0], Span { start: 13, end: 23, text: "Sam Taylor".into() });
        assert_eq!(names[1].text, "zoe");
        assert!(!rules_hit("Samples of our sculpture work").contains(&RuleId::Names));
        let typo = check_text("A lovely poem by Olivja.", &Roster::parse("Olivia Brown\n"));
        assert_eq!(typo[0].span.as_ref().unwrap().text, "Olivja", "one wrong letter in a long name");
    }

    #[test]
    fn praise_or_criticism_of_one_child_is_refused_but_of_the_class_is_fine() {
        for singling_out in [
            "A child in Year 4 has been much better behaved today.",
            "One pupil was told off for running in the corridor.",
            "Sam has been amazing this week.",
        ] {
            assert!(rules_hit(singling_out).contains(&RuleId::OneChild), "{singling_out}");
        }
        for fine in [
            "Year 4 have been amazing this week!",
            "Our class made brilliant Roman shields.",
            "A child's view of the harvest festival: the hall full of food for the food bank.",
        ] {
            assert!(!rules_hit(fine).contains(&RuleId::OneChild), "{fine}");
        }
    }

    #[test]
    fn where_the_children_will_be_at_a_time_is_warned_about() {
        for whereabouts in [
            "We'll be at the museum until 3pm.",
            "We are at the beach now!",
            "Year 6 are arriving at the castle at 10:30 tomorrow.",
        ] {
            let found = check_text(whereabouts, &roster());
            let hit = found.iter().find(|f| f.rule == RuleId::Whereabouts).expect(whereabouts);
            assert_eq!(hit.severity, Severity::Warn);
            assert_eq!(hit.span.as_ref().unwrap().text, whereabouts);
        }
        for fine in
            ["Yesterday we visited the museum and learnt about the Romans.", "We are proud of our garden."]
        {
            assert!(!rules_hit(fine).contains(&RuleId::Whereabouts), "{fine}");
        }
    }

    /// Trip posts as schools write them: each says where a class is or will be, and when.
    const TRIP_WHEREABOUTS: &[&str] = &[
        "Year 4 are at the Science Museum right now! Back at school by 3.15.",
        "Tomorrow Class 2 visit Kew Gardens, leaving school at 9am.",
        "We'll be at the Natural History Museum until 2pm today.",
        "Year 6 are off to the beach this afternoon.",
        "Reception are heading to the farm on Friday morning - the coach leaves at 8.45.",
        "Class 3 is at the aquarium this morning!",
        "Year 5 arrive at Kingswood at 11am on Monday.",
        "Our Year 2s are on their way to the zoo now.",
        "The choir will be performing at St Mary's Church at 6pm on Thursday.",
        "Year 1 will visit the fire station next Tuesday at 10:30.",
        "The coach will return to school at 4pm.",
        "Pick-up from the museum car park is at 3pm.",
        "Year 3 are currently enjoying a workshop at the castle.",
        "This week Year 6 are staying at PGL Marchants Hill until Friday.",
        "Year 4 set off for London at 8am this morning.",
        "Live from the Tower of London: Year 5 are exploring the Crown Jewels!",
        "The netball team play at Oakfield School on Wednesday at 4pm.",
        "We're heading to Kew Gardens! Back by 3pm.",
        "Year 2's trip to the zoo is tomorrow.",
        "Year 6 depart for France at 6am on Saturday.",
    ];

    /// Posts about trips and school life that say nothing of where children will be.
    const NOT_WHEREABOUTS: &[&str] = &[
        "Year 4 had a brilliant day at the Science Museum yesterday!",
        "What a fantastic trip to Kew Gardens last week.",
        "Class 2 enjoyed their visit to the fire station.",
        "Year 6 are back from their residential. Thank you to all the staff!",
        "Look at the amazing Roman shields Year 3 made!",
        "Year 5 learned about the Tudors at Hampton Court.",
        "Thank you to the Science Museum for hosting us.",
        "Reception have been busy painting sunflowers this week.",
        "Year 2's trip to the zoo was a roaring success!",
        "Well done to everyone who took part in sports day.",
        "Our Year 1 artists have been studying Van Gogh.",
        "Last week Year 6 visited the Houses of Parliament and met our MP.",
    ];

    #[test]
    fn trip_posts_saying_where_a_class_will_be_and_when_are_warned_about() {
        for post in TRIP_WHEREABOUTS {
            assert!(rules_hit(post).contains(&RuleId::Whereabouts), "missed: {post}");
        }
    }

    #[test]
    fn posts_about_a_trip_that_is_over_or_about_work_are_not() {
        for post in NOT_WHEREABOUTS {
            assert!(!rules_hit(post).contains(&RuleId::Whereabouts), "flagged: {post}");
        }
    }

    #[test]
    fn a_time_in_the_next_sentence_joins_the_span() {
        let post = "We're heading to Kew Gardens! Back by 3pm. Look out for photos.";
        let found = check_text(post, &roster());
        let hit = found.iter().find(|f| f.rule == RuleId::Whereabouts).expect(post);
        assert_eq!(hit.span.as_ref().unwrap().text, "We're heading to Kew Gardens! Back by 3pm.");
    }

    #[test]
    fn names_written_without_their_apostrophe_or_hyphen_are_found() {
        let class = Roster::parse("Chloe O'Neil\nMary-Jane Watson\nJean-Luc D’Arcy\n");
        let found = check_text("Thank you to the Oneil family, to maryjane and to Darcy!", &class);
        let named: Vec<&str> = found
            .iter()
            .filter(|f| f.rule == RuleId::Names)
            .map(|f| f.span.as_ref().unwrap().text.as_str())
            .collect();
        assert_eq!(named, ["Oneil", "maryjane", "Darcy"]);
    }

    #[test]
    fn an_invitation_to_reply_is_a_reminder_only() {
        let found = check_text("Our new library is open. Let us know what you think!", &roster());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].rule, found[0].severity), (RuleId::NoReplies, Severity::Remind));
        assert_eq!(found[0].span.as_ref().unwrap().text, "Let us know what you think!");
        assert!(check_text("Our new library is open.", &roster()).is_empty());
    }

    #[test]
    fn posts_go_out_on_weekdays_from_8am_to_6pm_unless_an_event_or_urgent() {
        assert!(check_time(at("2026-11-24 10:15"), false).is_none(), "a Tuesday morning");
        assert!(check_time(at("2026-11-24 18:00"), false).is_none(), "6pm itself");
        let evening = check_time(at("2026-11-24 19:30"), false).expect("a Tuesday evening");
        assert_eq!(evening.severity, Severity::Block);
        assert!(evening.message.contains("Wednesday 25 November at 08:00"), "{}", evening.message);
        let saturday = check_time(at("2026-11-28 11:00"), false).expect("a Saturday");
        assert!(saturday.message.contains("Monday 30 November at 08:00"), "{}", saturday.message);
        let early = check_time(at("2026-11-24 07:00"), false).expect("before school");
        assert!(early.message.contains("Tuesday 24 November at 08:00"), "{}", early.message);
        assert!(check_time(at("2026-11-28 11:00"), true).is_none(), "an event on Saturday");
    }

    #[test]
    fn every_rule_is_in_the_table_in_the_schools_words() {
        for id in [
            RuleId::Names,
            RuleId::OneChild,
            RuleId::Whereabouts,
            RuleId::Faces,
            RuleId::PhotoChecked,
            RuleId::PhotoCount,
            RuleId::PostingHours,
            RuleId::NoReplies,
        ] {
            assert!(!id.rule().policy.is_empty() && !id.rule().fix.is_empty());
        }
    }
}
