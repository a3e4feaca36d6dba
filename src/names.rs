//! The class list, and whether a text names anyone on it.
//!
//! Names are compared as words, ignoring case and accents, because file names and captions
//! are typed quickly and inconsistently: "IMG_2041_zoe-h.jpg" must still be caught for "Zoë
//! Hart", while "Annual sports day" must not be caught for "Ann".

use std::collections::HashSet;
use std::io;
use std::path::Path;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A class list: the names that must never appear in anything posted.
#[derive(Clone, Debug, Default)]
pub struct Roster {
    /// Each name's words, folded, in the order written.
    names: Vec<Vec<String>>,
    /// Folded words that name someone on their own: each part of at least two letters, and each
    /// whole name written as one word ("annemarie").
    parts: HashSet<String>,
}

impl Roster {
    /// One name per line; blank lines and lines starting with '#' ignored; a line may hold
    /// first name and surname ("Zoë Hart"). A line with no letters in it names nobody and is
    /// skipped.
    pub fn parse(text: &str) -> Roster {
        let mut roster = Roster::default();
        for line in text.lines().map(str::trim).filter(|line| !line.starts_with('#')) {
            let words: Vec<String> = letter_runs(line).iter().map(|run| fold(run)).collect();
            if words.is_empty() {
                continue;
            }
            // A lone initial ("Sophie B") would match every stray letter in a file name.
            roster.parts.extend(words.iter().filter(|word| word.chars().count() >= 2).cloned());
            roster.parts.insert(words.concat());
            // People type "O'Neil", "Mary-Jane" and "D’Arcy" without the mark as often as with
            // it ("oneil.jpg", "to maryjane"), so each word of the line is also a name part
            // with its apostrophes and hyphens left out.
            roster.parts.extend(
                line.split_whitespace()
                    .map(|word| letter_runs(word).iter().map(|run| fold(run)).collect::<String>())
                    .filter(|joined| joined.chars().count() >= 2),
            );
            roster.names.push(words);
        }
        roster
    }

    /// Reads a roster file (UTF-8; also accept UTF-8 with BOM and UTF-16 with BOM, as Excel
    /// and Notepad write them).
    ///
    /// Text in any other encoding (such as a Windows code page) is refused with
    /// [`io::ErrorKind::InvalidData`] rather than guessed at: a wrongly decoded name would
    /// silently stop matching.
    pub fn from_file(path: &Path) -> io::Result<Roster> {
        Ok(Roster::parse(&decode(&std::fs::read(path)?)?))
    }

    /// Whether the roster holds no names.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The number of names (lines) on the roster.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether `text` names anyone on the roster: whole-word, case-insensitive,
    /// accent-insensitive (NFD, drop combining marks; "Zoë" matches "zoe" and "ZOË"). A roster
    /// line's full name matches, and so does each of its parts alone (first name alone,
    /// surname alone) when the part is at least 2 letters. Words in `text` are split on
    /// anything not a letter, including digits, underscores, hyphens, dots (so
    /// "IMG_2041_sophie-b.jpg" contains "sophie"); multi-word names match as consecutive words
    /// ("Anne Marie" matches "anne_marie" and "Anne-Marie").
    ///
    /// Beyond that, a full name written as one word matches ("annemarie.jpg"), and words in
    /// `text` are also split where lower case turns to upper case, so "SophieB.jpg" and
    /// "ZoeHart_art.png" are caught too.
    pub fn names_in(&self, text: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        let runs = letter_runs(text);
        let words: Vec<String> = runs.iter().map(|run| fold(run)).collect();
        let pieces: Vec<String> =
            runs.iter().flat_map(|run| camel_pieces(run)).map(|piece| fold(&piece)).collect();
        [words, pieces].iter().any(|words| {
            words.iter().any(|word| self.parts.contains(word))
                || self.names.iter().any(|name| words.windows(name.len()).any(|window| window == name))
        })
    }

    /// Whether `text`, read from the pixels of a photo (a line a text recogniser returned),
    /// names anyone on the roster. Case and accents are ignored as in [`Roster::names_in`],
    /// and so are spaces and punctuation between words: a recogniser splits and joins words
    /// unreliably, so every run of up to four consecutive words is also taken as
    /// one word ("SAM TAYLOR", "samtaylor" and "Sam Tay lor" all name "Sam Taylor"). A word
    /// still never matches inside a longer one ("Annual" does not name "Ann").
    ///
    /// A name (or name part) of at least five letters also matches with one letter
    /// wrong, so a shaky handwritten "Olivja" still names "Olivia". Only a wrong letter counts,
    /// not a missing or an extra one: that is what the policy asks for, and allowing letters to
    /// be dropped or added would make common shorter words name children ("rose" for Rosie,
    /// "mile" for Millie) on every flower painting and sports-day banner. The digits a
    /// recogniser reads for look-alike letters (0, 1, 5 for o, l, s) are taken as those letters.
    pub fn written_in(&self, text: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        let text: String = text
            .chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => 'l',
                '5' => 's',
                c => c,
            })
            .collect();
        let words: Vec<Vec<char>> =
            letter_runs(&text).iter().map(|run| fold(run).chars().collect()).collect();
        (0..words.len()).any(|start| {
            (1..=MAX_JOINED.min(words.len() - start)).any(|n| {
                let joined: Vec<char> = words[start..start + n].concat();
                self.parts.contains(&joined.iter().collect::<String>())
                    || (joined.len() >= TOLERANT_LEN
                        && self.parts.iter().any(|part| one_letter_apart(&joined, part)))
            })
        })
    }
}

/// Most consecutive words of a line read from a photo joined into one when looking for a name:
/// a first name and surname each split once by the recogniser.
const MAX_JOINED: usize = 4;
/// Letters a name needs for one wrong letter to be tolerated in text read from a photo:
/// shorter names would match too many ordinary words ("Max" and "wax", "Ella" and "ells").
const TOLERANT_LEN: usize = 5;

/// Whether `word` is `name` with exactly one letter replaced (same length, one difference).
fn one_letter_apart(word: &[char], name: &str) -> bool {
    let mut differences = 0;
    let mut letters = 0;
    for (a, b) in word.iter().zip(name.chars()) {
        letters += 1;
        if *a != b {
            differences += 1;
            if differences > 1 {
                return false;
            }
        }
    }
    letters == word.len() && name.chars().count() == word.len() && differences == 1
}

/// Decodes a roster file's bytes by its byte-order mark, UTF-8 when it has none.
fn decode(bytes: &[u8]) -> io::Result<String> {
    let invalid = |what: &str| {
        io::Error::new(io::ErrorKind::InvalidData, format!("the class list is not valid {what} text"))
    };
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        if !bytes.len().is_multiple_of(2) {
            return Err(invalid("UTF-16"));
        }
        let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]])).collect();
        String::from_utf16(&units).map_err(|_| invalid("UTF-16"))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        String::from_utf8(text.to_vec()).map_err(|_| invalid("UTF-8 (save it as UTF-8)"))
    }
}

/// The maximal runs of letters in `text`, after compatibility decomposition with the accents
/// dropped, case kept (so camel case can still be seen).
fn letter_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    // NFKD rather than NFD so full-width and ligature letters ("ＺＯＥ", "ﬁ") become plain ones.
    for c in text.nfkd().filter(|&c| !is_combining_mark(c)) {
        if c.is_alphabetic() {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// `run` cut where lower case turns to upper case ("ZoeHart" → "Zoe", "Hart") and before the
/// last capital of a capital run that goes on in lower case ("IMGZoe" → "IMG", "Zoe").
fn camel_pieces(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let lower_to_upper = chars[i - 1].is_lowercase() && chars[i].is_uppercase();
        let capitals_to_word = chars[i - 1].is_uppercase()
            && chars[i].is_uppercase()
            && chars.get(i + 1).is_some_and(|next| next.is_lowercase());
        if lower_to_upper || capitals_to_word {
            pieces.push(chars[start..i].iter().collect());
            start = i;
        }
    }
    pieces.push(chars[start..].iter().collect());
    pieces
}

/// `word` in lower case, with the letters that carry their accent inside them (and so survive
/// decomposition) spelled plainly, so "Søren" and "Łukasz" match "Soren" and "Lukasz".
fn fold(word: &str) -> String {
    let mut folded = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'ø' => folded.push('o'),
            'ł' => folded.push('l'),
            'đ' | 'ð' => folded.push('d'),
            'ħ' => folded.push('h'),
            'ı' => folded.push('i'),
            'ŧ' => folded.push('t'),
            'æ' => folded.push_str("ae"),
            'œ' => folded.push_str("oe"),
            'ß' => folded.push_str("ss"),
            'þ' => folded.push_str("th"),
            'ς' => folded.push('σ'),
            c => folded.push(c),
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster(text: &str) -> Roster {
        Roster::parse(text)
    }

    #[test]
    fn a_name_with_an_accent_matches_without_it() {
        let class = roster("Zoë Hart");
        assert!(class.names_in("zoe"));
        assert!(class.names_in("ZOË at the fair"));
        assert!(class.names_in("Zoe\u{0308}")); // already decomposed
        assert!(roster("Zoe").names_in("Zoë"));
        assert!(roster("Jose").names_in("JOSÉ"));
    }

    #[test]
    fn letters_with_a_built_in_accent_match_their_plain_spelling() {
        assert!(roster("Søren").names_in("soren"));
        assert!(roster("Soren").names_in("Søren"));
        assert!(roster("Łukasz").names_in("lukasz_1.jpg"));
        assert!(roster("Mæve").names_in("maeve"));
    }

    #[test]
    fn full_width_letters_match_plain_ones() {
        assert!(roster("Zoe").names_in("ＺＯＥ"));
    }

    #[test]
    fn a_name_inside_a_longer_word_does_not_match() {
        let class = roster("Ann");
        assert!(!class.names_in("Annual sports day"));
        assert!(!class.names_in("Joanna"));
        assert!(!class.names_in("planning"));
        assert!(class.names_in("Ann's painting"));
    }

    #[test]
    fn a_file_name_with_underscores_and_digits_is_split_into_words() {
        let class = roster("Sophie");
        assert!(class.names_in("IMG_2041_sophie-b.jpg"));
        assert!(class.names_in("2041sophie2.JPG"));
        assert!(class.names_in("trip.sophie.png"));
        assert!(!class.names_in("IMG_2041_sophies.jpg"));
    }

    #[test]
    fn a_first_name_or_surname_alone_matches() {
        let class = roster("Zoë Hart");
        assert!(class.names_in("Zoe's drawing"));
        assert!(class.names_in("the Hart family"));
        assert!(class.names_in("hart-zoe.jpg"));
        assert!(!class.names_in("Heart"));
    }

    #[test]
    fn a_name_with_an_apostrophe_or_hyphen_matches_when_written_without_it() {
        let class = roster("Chloe O'Neil\nMary-Jane Watson\nJean-Luc D’Arcy");
        for text in ["oneil.jpg", "maryjane.jpg", "darcy.jpg", "to the Oneil family", "MaryJane", "jeanluc"] {
            assert!(class.names_in(text), "{text}");
            assert!(class.written_in(text), "{text} read from a picture");
        }
        for text in ["O'Neil", "Mary-Jane", "D’Arcy", "Neil"] {
            assert!(class.names_in(text), "{text} as written");
        }
        assert!(!class.names_in("Darcey"), "still whole words only");
    }

    #[test]
    fn a_one_letter_initial_does_not_match_alone() {
        let class = roster("Sophie B");
        assert!(!class.names_in("Plan B"));
        assert!(!class.names_in("b"));
        assert!(class.names_in("sophie-b.jpg"));
        assert!(roster("J K").names_in("drawn by j_k"));
        assert!(!roster("J K").names_in("j"));
    }

    #[test]
    fn a_double_first_name_matches_with_any_separator() {
        let class = roster("Anne Marie");
        for text in ["anne_marie", "Anne-Marie", "ANNE MARIE", "annemarie.jpg", "AnneMarie2.png"] {
            assert!(class.names_in(text), "{text}");
        }
    }

    #[test]
    fn a_name_run_together_in_camel_case_matches() {
        let class = roster("Zoë Hart\nSophie");
        assert!(class.names_in("ZoeHart_art.png"));
        assert!(class.names_in("SophieB.jpg"));
        assert!(class.names_in("IMGSophie.jpg"));
        assert!(!roster("Ann").names_in("AnnualReport.pdf"));
    }

    #[test]
    fn comments_blank_lines_and_lines_without_letters_are_not_names() {
        let class = roster("# Class 3B\n\n  Zoë Hart  \n   \n# Teachers: Mr Brown\n----\n42\nMax\n");
        assert_eq!(class.len(), 2);
        assert!(!class.is_empty());
        assert!(!class.names_in("Mr Brown and the teachers"));
        assert!(!class.names_in("class"));
        assert!(class.names_in("max"));
    }

    #[test]
    fn text_read_from_a_photo_matches_whatever_its_spacing_and_case() {
        let class = roster("Sam Taylor\nZoë Hart");
        for text in ["SAM TAYLOR", "samtaylor", "Sam Tay lor", "by S am", "TAYLOR", "zoe", "ZOË.", "H art"] {
            assert!(class.written_in(text), "{text}");
        }
        for text in ["Samuel", "Annual sports day", "tables", "heart", "Some taylored suit"] {
            assert!(!class.written_in(text), "{text}");
        }
    }

    #[test]
    fn one_wrong_letter_is_tolerated_in_names_of_five_letters_or_more() {
        let class = roster("Olivia Brown\nMax\nRosie");
        assert!(class.written_in("Olivja"));
        assert!(class.written_in("0LIVIA"), "a zero read for an O");
        assert!(class.written_in("R0S1E"));
        assert!(class.written_in("BROWM"));
        assert!(class.written_in("Rosle"));
        assert!(!class.written_in("Oliviaa"), "an extra letter is not a wrong letter");
        assert!(!class.written_in("Olvia"), "nor is a missing one");
        assert!(!class.written_in("Olxvja"), "two wrong letters");
        assert!(!class.written_in("wax"), "names under five letters must be exact");
        assert!(!class.written_in("rose"), "a common shorter word never names Rosie");
        assert!(class.written_in("max"));
    }

    #[test]
    fn metadata_matching_keeps_word_boundaries_and_no_tolerance() {
        let class = roster("Olivia\nSam Taylor");
        assert!(!class.names_in("Olivja"));
        assert!(class.names_in("samtaylor.jpg"));
    }

    #[test]
    fn an_empty_roster_names_nobody() {
        let class = roster("# nobody yet\n\n");
        assert!(class.is_empty());
        assert_eq!(class.len(), 0);
        assert!(!class.names_in("Zoë Hart"));
        assert!(!Roster::default().names_in("anything"));
        assert!(!Roster::default().written_in("anything"));
    }

    #[test]
    fn windows_line_endings_are_ignored() {
        let class = roster("Zoë Hart\r\nMax Power\r\n");
        assert_eq!(class.len(), 2);
        assert!(class.names_in("hart"));
        assert!(class.names_in("power"));
    }

    #[test]
    fn a_roster_file_saved_as_utf16_or_with_a_bom_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let text = "# class list\r\nZoë Hart\r\nŁukasz Nowak\r\n";
        let utf16 = |bom: [u8; 2], unit: fn(u16) -> [u8; 2]| {
            let mut bytes = bom.to_vec();
            bytes.extend(text.encode_utf16().flat_map(unit));
            bytes
        };
        let files = [
            ("plain.txt", text.as_bytes().to_vec()),
            ("bom.txt", [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
            ("le.txt", utf16([0xFF, 0xFE], u16::to_le_bytes)),
            ("be.txt", utf16([0xFE, 0xFF], u16::to_be_bytes)),
        ];
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let class = Roster::from_file(&path).unwrap();
            assert_eq!(class.len(), 2, "{name}");
            assert!(class.names_in("zoe"), "{name}");
            assert!(class.names_in("NOWAK"), "{name}");
            assert!(!class.names_in("class list"), "{name}");
        }
    }

    #[test]
    fn a_roster_file_in_another_encoding_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let latin1 = dir.path().join("latin1.txt");
        std::fs::write(&latin1, b"Zo\xEB Hart\n").unwrap();
        assert_eq!(Roster::from_file(&latin1).unwrap_err().kind(), io::ErrorKind::InvalidData);
        let odd_utf16 = dir.path().join("odd.txt");
        std::fs::write(&odd_utf16, b"\xFF\xFEZ\x00o").unwrap();
        assert_eq!(Roster::from_file(&odd_utf16).unwrap_err().kind(), io::ErrorKind::InvalidData);
        let missing = dir.path().join("missing.txt");
        assert_eq!(Roster::from_file(&missing).unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
