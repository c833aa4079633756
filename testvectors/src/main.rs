//! `kmip-testvectors`: replays KMIP test vectors.
//!
//! ```text
//! kmip-testvectors roundtrip <DIR or FILE...>
//! kmip-testvectors encode <DIR or FILE...> --out DIR
//! kmip-testvectors run <DIR or FILE...> (--spawn | --server HOST:PORT --bundle DIR)
//!                      [--server-name NAME] [--baseline FILE] [--markdown]
//! ```
//!
//! `roundtrip` checks, for every message of each OASIS XML test case, that
//! XML → TTLV → XML → TTLV, TTLV → JSON → TTLV and TTLV → typed → TTLV give
//! identical bytes. `encode` writes each message as binary TTLV (how the
//! fuzzing corpus is seeded). `run` is the conformance runner: it replays
//! each test case as a conversation with a live server over TLS — one it
//! starts itself with `--spawn`, or `--server` with a credential directory
//! — and prints `PASS`/`FAIL` per file, a summary per profile, and last
//! `N passed, M failed`. With `--baseline FILE` the exit status says
//! whether at least the recorded number passed (the CI ratchet); without
//! it, whether all did.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kmip_client::Credentials;
use kmip_testvectors::runner::{self, Target};
use kmip_testvectors::{roundtrip_file, xml_files};

fn usage() -> ExitCode {
    eprintln!(
        "usage: kmip-testvectors roundtrip <DIR or FILE...>\n       \
         kmip-testvectors encode <DIR or FILE...> --out DIR\n       \
         kmip-testvectors run <DIR or FILE...> (--spawn | --server HOST:PORT --bundle DIR) \
         [--server-name NAME] [--baseline FILE] [--markdown]"
    );
    ExitCode::from(2)
}

/// Options and positional paths.
#[derive(Default)]
struct Args {
    paths: Vec<String>,
    out: Option<PathBuf>,
    spawn: bool,
    server: Option<String>,
    server_name: Option<String>,
    bundle: Option<PathBuf>,
    baseline: Option<PathBuf>,
    markdown: bool,
}

fn parse(args: &[String]) -> Option<Args> {
    let mut parsed = Args::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => parsed.out = Some(it.next()?.into()),
            "--spawn" => parsed.spawn = true,
            "--server" => parsed.server = Some(it.next()?.clone()),
            "--server-name" => parsed.server_name = Some(it.next()?.clone()),
            "--bundle" => parsed.bundle = Some(it.next()?.into()),
            "--baseline" => parsed.baseline = Some(it.next()?.into()),
            "--markdown" => parsed.markdown = true,
            flag if flag.starts_with("--") => return None,
            path => parsed.paths.push(path.to_owned()),
        }
    }
    (!parsed.paths.is_empty()).then_some(parsed)
}

fn files(paths: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if !path.exists() {
            return Err(format!("{p}: no such file or directory"));
        }
        files.extend(xml_files(path).map_err(|e| format!("{p}: {e}"))?);
    }
    Ok(files)
}

fn name_of(file: &Path) -> String {
    file.file_name()
        .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Writes every message of the given test cases as binary TTLV files.
fn encode(files: &[PathBuf], out: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut written = 0;
    for file in files {
        let stem = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let elements = kmip_codec::xml::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        for (n, element) in elements.iter().enumerate() {
            let tree = element
                .to_ttlv(&mut kmip_codec::xml::stand_in)
                .map_err(|e| format!("{} message {}: {e}", file.display(), n + 1))?;
            let path = out.join(format!("{stem}-{n:03}.ttlv"));
            std::fs::write(&path, tree.to_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
            written += 1;
        }
    }
    Ok(written)
}

fn roundtrip(files: &[PathBuf]) -> (usize, usize) {
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        match roundtrip_file(file) {
            Ok(messages) => {
                passed += 1;
                println!("PASS {} ({messages} messages)", name_of(file));
            }
            Err(reason) => {
                failed += 1;
                println!("FAIL {}: {reason}", name_of(file));
            }
        }
    }
    (passed, failed)
}

/// Where each test case runs: one server for all, or (with `--spawn`) a
/// fresh server per profile. The cases of a profile build on each other
/// (TL-M-3 finds the key TL-M-2 made) but assume nothing from other
/// profiles (a Locate must not find their objects).
enum Targets {
    Shared(Target),
    Spawn,
}

async fn run(files: &[PathBuf], targets: &Targets, markdown: bool) -> Result<(usize, usize), String> {
    let profiles = kmip_profiles::all()?;
    // (profile name, passed, total), in profile order.
    let mut summary: Vec<(String, usize, usize)> = profiles
        .iter()
        .filter(|p| !p.prefix.is_empty())
        .map(|p| (p.name.clone(), 0, 0))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    let mut spawned: Option<(String, runner::Spawned)> = None;
    let mut generated = Vec::new();
    for file in files {
        let name = name_of(file);
        let profile = kmip_profiles::for_test_case(&profiles, &name).map_or("(no profile)", |p| p.name.as_str());
        if matches!(targets, Targets::Spawn) && spawned.as_ref().is_none_or(|(p, _)| p != profile) {
            spawned = Some((profile.to_owned(), runner::spawn()?));
            generated.clear();
        }
        let target = match (targets, &spawned) {
            (Targets::Shared(t), _) => t,
            (Targets::Spawn, Some((_, s))) => &s.target,
            (Targets::Spawn, None) => return Err("no server".into()),
        };
        let ok = match runner::run_case(file, target, &mut generated).await {
            Ok(n) => {
                println!("PASS {name} ({n} exchanges)");
                true
            }
            Err(reason) => {
                println!("FAIL {name}: {reason}");
                false
            }
        };
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
        match summary.iter_mut().find(|(p, _, _)| p == profile) {
            Some(row) => {
                row.1 += usize::from(ok);
                row.2 += 1;
            }
            None => summary.push((profile.to_owned(), usize::from(ok), 1)),
        }
    }
    println!();
    if markdown {
        println!("| profile | passed | of |");
        println!("|---|---|---|");
        for (profile, p, total) in summary.iter().filter(|r| r.2 > 0) {
            println!("| {profile} | {p} | {total} |");
        }
        println!();
    } else {
        for (profile, p, total) in summary.iter().filter(|r| r.2 > 0) {
            println!("{profile}: {p}/{total} passed");
        }
    }
    Ok((passed, failed))
}

fn targets(args: &Args) -> Result<Targets, String> {
    if args.spawn {
        return Ok(Targets::Spawn);
    }
    let (Some(addr), Some(bundle)) = (&args.server, &args.bundle) else {
        return Err("run needs --spawn, or --server HOST:PORT with --bundle DIR".into());
    };
    let credentials = Credentials::from_dir(bundle).map_err(|e| e.to_string())?;
    let host = addr.rsplit_once(':').map_or(addr.as_str(), |(h, _)| h);
    let server_name = args.server_name.clone().unwrap_or_else(|| host.to_owned());
    Ok(Targets::Shared(Target {
        addr: addr.clone(),
        server_name,
        credentials,
    }))
}

fn main() -> ExitCode {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = all.split_first() else {
        return usage();
    };
    let Some(args) = parse(rest) else {
        return usage();
    };
    let files = match files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kmip-testvectors: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match command.as_str() {
        "encode" => {
            let Some(out) = &args.out else { return usage() };
            return match encode(&files, out) {
                Ok(n) => {
                    println!("{n} messages written to {}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("kmip-testvectors: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        "roundtrip" => Ok(roundtrip(&files)),
        "run" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| {
                let targets = targets(&args)?;
                rt.block_on(run(&files, &targets, args.markdown))
            }),
        _ => return usage(),
    };
    let (passed, failed) = match result {
        Ok(counts) => counts,
        Err(e) => {
            eprintln!("kmip-testvectors: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{passed} passed, {failed} failed");
    let ok = match &args.baseline {
        None => failed == 0,
        Some(file) => match std::fs::read_to_string(file).map(|t| t.trim().parse::<usize>()) {
            Ok(Ok(baseline)) => {
                if passed < baseline {
                    eprintln!(
                        "kmip-testvectors: {passed} passed, fewer than the baseline of {baseline} in {}",
                        file.display()
                    );
                } else if passed > baseline {
                    eprintln!(
                        "kmip-testvectors: {passed} passed, more than the baseline of {baseline}: raise {}",
                        file.display()
                    );
                }
                passed >= baseline
            }
            _ => {
                eprintln!("kmip-testvectors: {} must hold a number", file.display());
                false
            }
        },
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
