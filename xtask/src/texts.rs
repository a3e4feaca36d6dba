//! `READ ME FIRST.txt`: what a teacher reads before running the program, in plain words.

use crate::{Format, Platform};

/// The READ ME of the download for `platform`.
pub fn read_me_first(platform: &Platform, version: &str) -> String {
    let windows = platform.format == Format::Zip;
    let exe = platform.exe;
    let start = if windows {
        "\
STARTING IT

1. Unzip this download first: right-click the zip file and choose \"Extract All...\".
   You can then move postsafe.exe wherever you like, for example onto the Desktop.
   It is the whole program: there is nothing to install.

2. Double-click postsafe.exe. A black window opens, and your web browser shows
   postsafe's page. Drop photos, or folders of photos, onto the page. Each photo
   shows up as it is checked, and you decide about each one.

   Keep the black window open while you use the page. When you are done, close the
   page; postsafe stops by itself a few minutes later, or close the black window.

   Another way: drag a folder of photos onto postsafe.exe. It checks them all in the
   black window, puts the results beside the folder, and waits for you to press
   Enter before the window closes."
    } else {
        "\
STARTING IT

1. Unpack this download:   tar xzf postsafe-*.tar.gz
   You get a folder holding the program, postsafe. It is the whole program: there
   is nothing to install, and it runs on any 64-bit (Intel or AMD) Linux.

2. Run it:   ./postsafe
   Your web browser shows postsafe's page. Drop photos, or folders of photos, onto
   the page. Each photo shows up as it is checked, and you decide about each one.
   When you are done, close the page (or press Ctrl-C where you started it).

   Another way:   ./postsafe \"Trip photos\"
   checks a whole folder and puts the results beside it. ./postsafe --help says more."
    };
    let results_folder = if windows { "your Pictures folder" } else { "your Pictures folder (~/Pictures)" };
    let warning = if windows {
        "
\"WINDOWS PROTECTED YOUR PC\"

postsafe is not signed with a certificate, so the first time you run it Windows may
say \"Windows protected your PC\" or \"Unknown publisher\". If you downloaded it from
the project or were given it by your school's IT staff, click \"More info\" and then
\"Run anyway\". If your school's computers do not allow programs that are not
signed, ask the people who look after them.

To be sure the download is the one the project made, compare its checksum with the
one in the file SHA256SUMS next to it on the download page. In PowerShell:
    Get-FileHash postsafe-*.zip
"
    } else {
        ""
    };
    let title = format!("postsafe {version} for {}", if windows { "Windows" } else { "Linux" });
    format!(
        "\
{title}
{underline}

postsafe checks a school's photos before they go on the school's social-media
account. It holds back every photo that shows a face, and copies the other photos,
without GPS positions, dates or names, into a \"ready\" folder you can post from.

NOTHING LEAVES THIS COMPUTER

postsafe sends nothing anywhere and needs no internet connection. The face finder
is built into {exe} itself. The page it opens in your web browser comes from
postsafe on this computer (its address starts with http://127.0.0.1), not from the
internet.

{start}

WHERE THE PHOTOS GO

Your photos are never changed, moved or deleted; postsafe only reads them.
The results go into a new folder:
  - with the page: in a folder \"postsafe\" in {results_folder};
  - with a dragged or named folder: beside it, named after it,
    for example \"Trip photos (postsafe)\".
In the results folder:
  ready          the photos safe to post: no face found; GPS, dates, names removed
  review.html    a page showing what is ready, what was held back and why
  report.json    the same, for other programs
{warning}
PHOTOS FROM IPHONES (HEIC)

This program cannot open HEIC photos, the format iPhones use by default. On the
iPhone choose Settings > Camera > Formats > Most Compatible, or send or export the
photos as JPEG, and postsafe reads them.

LICENCES

postsafe is free software (MIT or Apache-2.0). The folder \"licences\" holds its
licences and those of the models and libraries built into it. {exe} --version
prints the SHA-256 of each built-in model, to check against where it came from.
",
        underline = "=".repeat(title.len()),
    )
}
