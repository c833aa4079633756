//! `kmip-testvectors`: replays KMIP test vectors.
//!
//! `roundtrip <DIR or FILE...>` reads each OASIS XML test case and checks,
//! for every message in it, that XML → TTLV → XML → TTLV gives identical
//! bytes and that TTLV → typed message → TTLV does too. Placeholders get the
//! stand-in values of `kmip_codec::xml::stand_in`. It prints one line per
//! file and, last, `N passed, M failed`; the exit status is non-zero when
//! anything failed.

use std::path::Path;
use std::process::ExitCode;

use kmip_testvectors::{roundtrip_file, xml_files};

fn usage() -> ExitCode {
    eprintln!("usage: kmip-testvectors roundtrip <DIR or FILE...>");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, paths)) = args.split_first() else {
        return usage();
    };
    if command != "roundtrip" || paths.is_empty() {
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
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
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
