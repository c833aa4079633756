//! `kmip-testvectors`: replays KMIP test vectors.
//!
//! `roundtrip <DIR or FILE...>` reads each OASIS XML test case and checks,
//! for every message in it, that XML → TTLV → XML → TTLV gives identical
//! bytes and that TTLV → typed message → TTLV does too. Placeholders get the
//! stand-in values of `kmip_codec::xml::stand_in`. It prints one line per
//! file and, last, `N passed, M failed`; the exit status is non-zero when
//! anything failed.
//!
//! `encode <DIR or FILE...> --out DIR` writes each message as binary TTLV,
//! which is how the fuzzing corpus is seeded.

use std::path::Path;
use std::process::ExitCode;

use kmip_testvectors::{roundtrip_file, xml_files};

fn usage() -> ExitCode {
    eprintln!(
        "usage: kmip-testvectors roundtrip <DIR or FILE...>\n       \
         kmip-testvectors encode <DIR or FILE...> --out DIR   (each message as binary TTLV, e.g. a fuzzing corpus)"
    );
    ExitCode::from(2)
}

/// Writes every message of the given test cases as binary TTLV files.
fn encode(files: &[std::path::PathBuf], out: &Path) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("kmip-testvectors: {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let mut written = 0;
    for file in files {
        let stem = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| kmip_codec::xml::parse(&text).map_err(|e| e.to_string()));
        let elements = match parsed {
            Ok(elements) => elements,
            Err(e) => {
                eprintln!("kmip-testvectors: {}: {e}", file.display());
                return ExitCode::FAILURE;
            }
        };
        for (n, element) in elements.iter().enumerate() {
            match element.to_ttlv(&mut kmip_codec::xml::stand_in) {
                Ok(tree) => {
                    let path = out.join(format!("{stem}-{n:03}.ttlv"));
                    if let Err(e) = std::fs::write(&path, tree.to_bytes()) {
                        eprintln!("kmip-testvectors: {}: {e}", path.display());
                        return ExitCode::FAILURE;
                    }
                    written += 1;
                }
                Err(e) => {
                    eprintln!("kmip-testvectors: {} message {}: {e}", file.display(), n + 1);
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    println!("{written} messages written to {}", out.display());
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, paths)) = args.split_first() else {
        return usage();
    };
    let (paths, out) = match paths {
        [rest @ .., flag, dir] if flag == "--out" => (rest, Some(Path::new(dir))),
        _ => (paths, None),
    };
    if paths.is_empty() || !matches!((command.as_str(), out), ("roundtrip", None) | ("encode", Some(_))) {
        return usage();
    }
    let mut files = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if !path.exists() {
            eprintln!("kmip-testvectors: {p}: no such file or directory");
            return ExitCode::from(2);
        }
        match xml_files(path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                eprintln!("kmip-testvectors: {p}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(out) = out {
        return encode(&files, out);
    }
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let name = file
            .file_name()
            .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        match roundtrip_file(file) {
            Ok(messages) => {
                passed += 1;
                println!("PASS {name} ({messages} messages)");
            }
            Err(reason) => {
                failed += 1;
                println!("FAIL {name}: {reason}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
