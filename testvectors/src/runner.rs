//! The conformance runner: replays each OASIS XML test case as a
//! conversation over TLS against a live server, request by request,
//! substituting placeholders from earlier responses, and compares each
//! response semantically (see [`crate::compare`]).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kmip_client::{Client, Credentials};
use kmip_codec::ttlv::{Limits, Ttlv};
use kmip_codec::xml::{self, Element};
use kmip_codec::Tag;

use crate::compare::{compare, Bindings, ALTERNATIVE_ANSWERS};

/// How long one request may take before the case fails.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and as whom to connect.
pub struct Target {
    /// `host:port`.
    pub addr: String,
    /// The name the server certificate is checked against.
    pub server_name: String,
    /// The client credential.
    pub credentials: Credentials,
}

/// Runs one test case; `Ok` with the number of exchanges, or the reason it
/// failed. `generated` carries the server-generated objects known from
/// earlier cases against the same server, and gains this case's.
pub async fn run_case(path: &Path, target: &Target, generated: &mut Vec<String>) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let messages = xml::parse(&text).map_err(|e| e.to_string())?;
    let pairs: Vec<(&Element, &Element)> = messages
        .chunks(2)
        .map(|pair| match pair {
            [req, resp] if req.tag == Tag::RequestMessage && resp.tag == Tag::ResponseMessage => Ok((req, resp)),
            _ => Err("the test case is not a sequence of request/response pairs".to_owned()),
        })
        .collect::<Result<_, _>>()?;
    let mut client = Client::connect(&target.addr, &target.server_name, &target.credentials)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let others = alternatives(path)?;
    let other_answers: Vec<Vec<&Element>> = others
        .iter()
        .map(|m| m.iter().filter(|e| e.tag == Tag::ResponseMessage).collect())
        .collect();
    let mut bindings = Bindings::with_generated(std::mem::take(generated));
    let outcome = converse(&mut client, &pairs, &other_answers, &mut bindings).await;
    *generated = bindings.into_generated();
    outcome
}

/// The parsed messages of the cases that are alternative answers to this
/// one ([`ALTERNATIVE_ANSWERS`]), read from the same directory.
fn alternatives(path: &Path) -> Result<Vec<Vec<Element>>, String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let Some(group) = ALTERNATIVE_ANSWERS.iter().find(|g| g.contains(&name)) else {
        return Ok(vec![]);
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    group
        .iter()
        .filter(|other| **other != name)
        .map(|other| {
            let text = std::fs::read_to_string(dir.join(other)).map_err(|e| format!("cannot read {other}: {e}"))?;
            xml::parse(&text).map_err(|e| format!("{other}: {e}"))
        })
        .collect()
}

async fn converse(
    client: &mut Client,
    pairs: &[(&Element, &Element)],
    other_answers: &[Vec<&Element>],
    bindings: &mut Bindings,
) -> Result<usize, String> {
    for (n, (request, expected)) in pairs.iter().enumerate() {
        let at = |what: String| format!("exchange {}: {what}", n + 1);
        let tree = request
            .to_ttlv(&mut |p, ty, tag| bindings.resolve(p, ty, tag))
            .map_err(|e| at(format!("building the request: {e}")))?;
        let response = tokio::time::timeout(REQUEST_TIMEOUT, client.send_raw(&tree.to_bytes()))
            .await
            .map_err(|_| at("no response within 30 s".into()))?
            .map_err(|e| at(format!("no response: {e}")))?;
        let actual =
            Ttlv::from_bytes(&response, &Limits::default()).map_err(|e| at(format!("invalid response: {e}")))?;
        bindings.answering(&tree);
        let mismatch = match compare(expected, &actual, bindings) {
            Ok(()) => continue,
            Err(m) => m,
        };
        // Rule::AlternativeAnswers: another permitted answer to the same request.
        let other = other_answers.iter().filter_map(|answers| answers.get(n)).find_map(|e| {
            let mut trial = bindings.clone();
            compare(e, &actual, &mut trial).ok().map(|()| trial)
        });
        match other {
            Some(trial) => *bindings = trial,
            None => return Err(at(mismatch.to_string())),
        }
    }
    Ok(pairs.len())
}

/// A `kmip-server` started for the run in a temporary data directory, on
/// a free loopback port, with its `operation_all` admin credential. It is
/// killed when dropped.
pub struct Spawned {
    child: Child,
    // Held open so that the server's later output never meets a closed pipe.
    _stdout: std::io::BufReader<std::process::ChildStdout>,
    /// Where it listens and who to be.
    pub target: Target,
    _dir: tempfile::TempDir,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `kmip-server` binary: `KMIP_SERVER_BIN`, else beside this program.
fn server_binary() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("KMIP_SERVER_BIN") {
        return Ok(PathBuf::from(p));
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let beside = me.with_file_name("kmip-server");
    if beside.exists() {
        Ok(beside)
    } else {
        Err(format!(
            "{} not found: build it first (cargo build --release -p kmip-server) or set KMIP_SERVER_BIN",
            beside.display()
        ))
    }
}

/// Starts a server for the run.
pub fn spawn() -> Result<Spawned, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let data = dir.path().join("data");
    let mut child = Command::new(server_binary()?)
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .env("KMIP_AUDIT_LOG", dir.path().join("audit.log"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start kmip-server: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout from kmip-server")?;
    let mut stdout = std::io::BufReader::new(stdout);
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).map_err(|e| format!("reading kmip-server's output: {e}"))?;
    let addr = first
        .strip_prefix("KMIP server listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or_else(|| format!("kmip-server did not start: {first}"))?
        .to_owned();
    let credentials = Credentials::from_dir(&data.join("clients/default/admin")).map_err(|e| e.to_string())?;
    Ok(Spawned {
        child,
        _stdout: stdout,
        target: Target {
            addr,
            server_name: "localhost".into(),
            credentials,
        },
        _dir: dir,
    })
}
