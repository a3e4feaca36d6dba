//! The archives: a zip for Windows, which Explorer opens by itself, and a tar.gz for Linux,
//! which keeps the program executable.

use crate::Format;
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use std::{env, fs};
use zip::write::SimpleFileOptions;

/// A file in an archive.
pub struct File {
    /// Its path inside the archive, with `/` between folders.
    pub path: String,
    pub bytes: Vec<u8>,
    executable: bool,
}

impl File {
    /// The program.
    pub fn program(path: &str, bytes: Vec<u8>) -> File {
        File { path: path.into(), bytes, executable: true }
    }

    /// A text file, with Windows line endings so that every Notepad shows its lines.
    pub fn text(path: &str, text: &str) -> File {
        let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        File { path: path.into(), bytes: text.into_bytes(), executable: false }
    }
}

/// Writes `files` into `out/name.zip` or `out/name.tar.gz` and says where.
///
/// The zip holds the files at its top, as Windows' "Extract All" makes a folder named after
/// the zip itself; the tar.gz holds them in a folder `name`, as `tar xzf` makes none.
pub fn write(out: &Path, name: &str, format: Format, files: &[File]) -> Result<PathBuf, String> {
    let (path, bytes) = match format {
        Format::Zip => (out.join(format!("{name}.zip")), zip(files)),
        Format::TarGz => (out.join(format!("{name}.tar.gz")), tar_gz(name, files)),
    };
    let bytes = bytes.map_err(|e| format!("cannot pack {}: {e}", path.display()))?;
    fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn zip(files: &[File]) -> Result<Vec<u8>, String> {
    let (year, month, day, hour, minute, second) = civil(modified());
    // Zip dates start in 1980.
    let when = zip::DateTime::from_date_and_time(year.max(1980) as u16, month, day, hour, minute, second)
        .map_err(|e| format!("the date cannot be put in a zip: {e}"))?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in files {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .last_modified_time(when)
            .unix_permissions(if file.executable { 0o755 } else { 0o644 });
        zip.start_file(file.path.as_str(), options).map_err(|e| e.to_string())?;
        zip.write_all(&file.bytes).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

fn tar_gz(folder: &str, files: &[File]) -> Result<Vec<u8>, String> {
    let mtime = modified();
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::best()));
    let mut folders = vec![folder.to_string()];
    for file in files {
        if let Some((sub, _)) = file.path.rsplit_once('/') {
            folders.push(format!("{folder}/{sub}"));
        }
    }
    folders.sort();
    folders.dedup();
    for dir in &folders {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_mtime(mtime);
        header.set_size(0);
        tar.append_data(&mut header, format!("{dir}/"), std::io::empty()).map_err(|e| e.to_string())?;
    }
    for file in files {
        let mut header = tar::Header::new_gnu();
        header.set_mode(if file.executable { 0o755 } else { 0o644 });
        header.set_mtime(mtime);
        header.set_size(file.bytes.len() as u64);
        tar.append_data(&mut header, format!("{folder}/{}", file.path), file.bytes.as_slice())
            .map_err(|e| e.to_string())?;
    }
    let gz = tar.into_inner().map_err(|e| e.to_string())?;
    gz.finish().map_err(|e| e.to_string())
}

/// The files' date, in seconds since 1970: `SOURCE_DATE_EPOCH` when set, so that a rebuild of
/// the same commit can give the same archive, otherwise now.
fn modified() -> u64 {
    env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0))
}

/// `seconds` since 1970 as the UTC year, month, day, hour, minute and second.
pub fn civil(seconds: u64) -> (i64, u8, u8, u8, u8, u8) {
    let (days, rest) = ((seconds / 86_400) as i64, seconds % 86_400);
    // Howard Hinnant's days-to-civil algorithm, for the proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, (rest / 3600) as u8, (rest / 60 % 60) as u8, (rest % 60) as u8)
}

/// The archives' date, as CycloneDX writes a time: `2026-11-25T01:30:00Z`.
pub fn timestamp() -> String {
    let (y, mo, d, h, mi, s) = civil(modified());
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::civil;

    #[test]
    fn dates_are_counted_from_1970_in_utc() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(civil(1_795_919_400), (2026, 11, 29, 2, 30, 0));
    }
}
