//! What a file is, from its first bytes (never from what the client says), which kinds a
//! deployment accepts, and file names made safe to store and to send back in
//! `Content-Disposition`.

/// How many leading bytes are read before deciding what a file is: enough for every
/// signature `infer` knows, including the first entry names of an XLSX (zip) file.
pub const SNIFF_BYTES: usize = 8 * 1024;

pub const PDF: &str = "application/pdf";
pub const CSV: &str = "text/csv";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The content types accepted by default: PDF, common images, CSV and XLSX.
pub const DEFAULT_ALLOWED: &[&str] = &[
    PDF,
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/heif",
    CSV,
    XLSX,
];

/// The content type of a file whose first bytes are `head` (up to `SNIFF_BYTES`):
/// a signature `infer` recognises, else `text/csv` for UTF-8 text whose first line has a
/// separator, `text/plain` for other text, `application/octet-stream` for the rest.
pub fn detect(head: &[u8]) -> String {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type().to_owned();
    }
    if !is_text(head) {
        return "application/octet-stream".into();
    }
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    if first_line.iter().any(|b| matches!(b, b',' | b';' | b'\t')) {
        CSV.into()
    } else {
        "text/plain".into()
    }
}

/// UTF-8 without NUL bytes; a character cut at the end of the sniffed head is allowed.
fn is_text(head: &[u8]) -> bool {
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(err) => err.error_len().is_none() && head.len() - err.valid_up_to() < 4,
    }
}

/// A file name safe to store and to echo: the last path segment only, no control
/// characters or characters file systems refuse, no leading dots or trailing dots and
/// spaces, at most 255 bytes; `document` when nothing is left.
pub fn sanitise_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' '])
        .to_owned();
    let mut name = String::new();
    for c in trimmed.chars() {
        if name.len() + c.len_utf8() > 255 {
            break;
        }
        name.push(c);
    }
    if name.is_empty() {
        "document".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(detect(b"%PDF-1.7\n%..."), PDF);
        assert_eq!(
            detect(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]),
            "image/png"
        );
        assert_eq!(detect(b"date,amount\n2026-01-01,12.50\n"), CSV);
        assert_eq!(detect(b"just some words\n"), "text/plain");
        assert_eq!(
            detect(b"MZ\x90\x00\x03\x00\x00\x00"),
            "application/vnd.microsoft.portable-executable"
        );
        assert_eq!(detect(&[0, 1, 2, 3]), "application/octet-stream");
        // A multi-byte character cut by the sniff window is still text.
        assert_eq!(detect("a,b\né".as_bytes().split_last().unwrap().1), CSV);
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(sanitise_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            sanitise_file_name("C:\\Users\\x\\bank statement.pdf"),
            "bank statement.pdf"
        );
        assert_eq!(sanitise_file_name("a\"b\r\nc.pdf"), "a_b__c.pdf");
        assert_eq!(sanitise_file_name(".hidden"), "hidden");
        assert_eq!(sanitise_file_name("..."), "document");
        assert_eq!(sanitise_file_name("  "), "document");
        assert_eq!(sanitise_file_name(&"é".repeat(300)).len(), 254);
    }
}
