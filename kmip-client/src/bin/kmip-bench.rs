//! `kmip-bench`: a KMIP load generator.
//!
//! Each of `--connections` connections keeps exactly one request in flight
//! for `--duration` seconds after `--warmup` seconds. Only successful
//! responses count as operations; failures are counted apart, with their
//! distinct reasons. Latency is recorded in an HDR histogram. The process's
//! own CPU use is reported so that one can see the load generator is not
//! the bottleneck (run `--scenario discover --connections 1` and compare).

// Indexing here is on serde_json values, which answer Null for a missing key.
#![allow(clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use kmip_client::{Client, ClientError, Credentials};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;
use serde_json::json;

/// KMIP load generator.
#[derive(Parser, Clone)]
#[command(name = "kmip-bench", version, about)]
struct Cli {
    /// Credential directory with ca.pem, client.pem and client.key.
    #[arg(long, default_value = "kmip-data/clients/default/admin")]
    bundle: PathBuf,
    /// Server address.
    #[arg(long, default_value = "localhost:5696")]
    server: String,
    /// Name to verify the server certificate against [default: the server's host].
    #[arg(long)]
    server_name: Option<String>,
    /// What to send.
    #[arg(long, value_enum, default_value = "discover")]
    scenario: Scenario,
    /// Concurrent connections, each with one request in flight.
    #[arg(long, default_value_t = 1)]
    connections: usize,
    /// Seconds of measurement.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of unmeasured load first.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Bytes of data per Encrypt.
    #[arg(long, default_value_t = 1024)]
    payload: usize,
    /// Cipher mode for the encrypt scenario.
    #[arg(long, value_enum, default_value = "gcm")]
    mode: Mode,
    /// Key pair for the sign scenario.
    #[arg(long, value_enum, default_value = "ecdsa-p256")]
    signer: Signer,
    /// An existing key to use (get, get-attributes, encrypt, sign) instead
    /// of creating one.
    #[arg(long)]
    key: Option<String>,
    /// Create this many AES-256 keys first (each with its own Name), in
    /// batches over --connections connections, to measure at scale; the
    /// fill's own rate is reported apart.
    #[arg(long, default_value_t = 0)]
    objects: u64,
    /// Print one JSON line.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Scenario {
    /// Discover Versions on an open connection.
    Discover,
    /// Create an AES-256 key.
    Create,
    /// Get a key.
    Get,
    /// Get Attributes of a key.
    GetAttributes,
    /// Locate by name.
    Locate,
    /// Encrypt --payload bytes with AES-256 (--mode).
    Encrypt,
    /// Sign --payload bytes (--signer).
    Sign,
    /// Create, Get, Get Attributes, Destroy in turn.
    Mixed,
    /// A new TLS connection per Discover Versions.
    Handshake,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Signer {
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
    /// RSA-2048, PKCS#1 v1.5 with SHA-256.
    Rsa2048,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Mode {
    /// AES-256-GCM.
    Gcm,
    /// AES-256-CBC with PKCS#5 padding.
    Cbc,
}

/// What a worker sends, prepared once.
struct Plan {
    scenario: Scenario,
    key: Option<String>,
    payload: Vec<u8>,
    mode: Mode,
}

fn attribute(v: AttributeValue) -> Attribute {
    Attribute::new(v)
}

fn aes_key_request(name: Option<&str>) -> create::CreateRequest {
    let mut attributes = vec![
        attribute(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
        attribute(AttributeValue::CryptographicLength(256)),
        attribute(AttributeValue::CryptographicUsageMask(
            CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt,
        )),
    ];
    if let Some(n) = name {
        attributes.push(attribute(AttributeValue::Name(Name {
            value: n.into(),
            name_type: NameType::UninterpretedTextString,
        })));
    }
    create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes,
        },
    }
}

fn parameters(mode: Mode) -> CryptographicParameters {
    let (block_cipher_mode, padding) = match mode {
        Mode::Gcm => (BlockCipherMode::GCM, None),
        Mode::Cbc => (BlockCipherMode::CBC, Some(PaddingMethod::PKCS5)),
    };
    CryptographicParameters {
        block_cipher_mode: Some(block_cipher_mode),
        padding_method: padding,
        cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
        random_iv: Some(true),
        tag_length: (mode == Mode::Gcm).then_some(16),
        ..Default::default()
    }
}

fn uid(key: &Option<String>) -> Option<String> {
    key.clone()
}

/// One unit of work; `Ok` only for a successful response.
async fn step(client: &mut Client, plan: &Plan) -> Result<(), ClientError> {
    match plan.scenario {
        Scenario::Discover | Scenario::Handshake => {
            client
                .discover_versions(discover_versions::DiscoverVersionsRequest {
                    protocol_versions: vec![],
                })
                .await?;
        }
        Scenario::Create => {
            client.create(aes_key_request(None)).await?;
        }
        Scenario::Get => {
            client
                .get(get::GetRequest {
                    unique_identifier: uid(&plan.key),
                    ..Default::default()
                })
                .await?;
        }
        Scenario::GetAttributes => {
            client
                .get_attributes(get_attributes::GetAttributesRequest {
                    unique_identifier: uid(&plan.key),
                    attribute_names: vec![],
                })
                .await?;
        }
        Scenario::Locate => {
            client
                .locate(locate::LocateRequest {
                    maximum_items: Some(16),
                    attributes: vec![attribute(AttributeValue::Name(Name {
                        value: "kmip-bench".into(),
                        name_type: NameType::UninterpretedTextString,
                    }))],
                    ..Default::default()
                })
                .await?;
        }
        Scenario::Encrypt => {
            client
                .encrypt(encrypt::EncryptRequest {
                    unique_identifier: uid(&plan.key),
                    cryptographic_parameters: Some(parameters(plan.mode)),
                    data: Some(Bytes::new(plan.payload.clone())),
                    ..Default::default()
                })
                .await?;
        }
        Scenario::Sign => {
            client
                .sign(sign::SignRequest {
                    unique_identifier: uid(&plan.key),
                    data: Some(Bytes::new(plan.payload.clone())),
                    ..Default::default()
                })
                .await?;
        }
        Scenario::Mixed => {
            let id = client.create(aes_key_request(None)).await?.unique_identifier;
            client
                .get(get::GetRequest {
                    unique_identifier: Some(id.clone()),
                    ..Default::default()
                })
                .await?;
            client
                .get_attributes(get_attributes::GetAttributesRequest {
                    unique_identifier: Some(id.clone()),
                    attribute_names: vec![],
                })
                .await?;
            client
                .destroy(destroy::DestroyRequest {
                    unique_identifier: Some(id),
                })
                .await?;
        }
    }
    Ok(())
}

/// Creates what the scenario works on (a key, a named object).
async fn prepare(client: &mut Client, cli: &Cli) -> Result<Option<String>, ClientError> {
    let keyed = matches!(
        cli.scenario,
        Scenario::Get | Scenario::GetAttributes | Scenario::Encrypt | Scenario::Sign
    );
    if let (Some(key), true) = (&cli.key, keyed) {
        return Ok(Some(key.clone()));
    }
    Ok(match cli.scenario {
        Scenario::Get | Scenario::GetAttributes | Scenario::Encrypt => {
            let id = client
                .create(aes_key_request(Some("kmip-bench")))
                .await?
                .unique_identifier;
            client
                .activate(activate::ActivateRequest {
                    unique_identifier: Some(id.clone()),
                })
                .await?;
            Some(id)
        }
        Scenario::Locate => {
            client.create(aes_key_request(Some("kmip-bench"))).await?;
            None
        }
        Scenario::Sign => {
            let attrs = |mask| TemplateAttribute {
                names: vec![],
                attributes: vec![attribute(AttributeValue::CryptographicUsageMask(mask))],
            };
            let common = TemplateAttribute {
                names: vec![],
                attributes: vec![
                    attribute(AttributeValue::CryptographicAlgorithm(match cli.signer {
                        Signer::EcdsaP256 => CryptographicAlgorithm::ECDSA,
                        Signer::Rsa2048 => CryptographicAlgorithm::RSA,
                    })),
                    attribute(AttributeValue::CryptographicLength(match cli.signer {
                        Signer::EcdsaP256 => 256,
                        Signer::Rsa2048 => 2048,
                    })),
                ],
            };
            let pair = client
                .create_key_pair(create_key_pair::CreateKeyPairRequest {
                    common_template_attribute: Some(common),
                    private_key_template_attribute: Some(attrs(CryptographicUsageMask::Sign)),
                    public_key_template_attribute: Some(attrs(CryptographicUsageMask::Verify)),
                })
                .await?;
            let id = pair.private_key_unique_identifier;
            client
                .activate(activate::ActivateRequest {
                    unique_identifier: Some(id.clone()),
                })
                .await?;
            Some(id)
        }
        _ => None,
    })
}

/// Creates per request while filling.
const FILL_BATCH: u64 = 32;

/// Creates `cli.objects` named AES-256 keys, `FILL_BATCH` to a request,
/// each of `cli.connections` connections claiming the next batch; prints
/// progress every tenth. Returns the seconds it took.
async fn fill(cli: &Arc<Cli>, tls: &Arc<rustls::ClientConfig>, server_name: &str) -> Result<f64, String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let total = cli.objects;
    let (claimed, done) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    // Names differ from run to run, so a second fill adds to the first.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let started = Instant::now();
    let tasks: Vec<_> = (0..cli.connections.max(1))
        .map(|_| {
            let (cli, tls, server_name) = (Arc::clone(cli), Arc::clone(tls), server_name.to_owned());
            let (claimed, done) = (Arc::clone(&claimed), Arc::clone(&done));
            tokio::spawn(async move {
                let mut client = Client::connect_with(&cli.server, &server_name, tls)
                    .await
                    .map_err(|e| format!("cannot connect: {e}"))?;
                loop {
                    let first = claimed.fetch_add(FILL_BATCH, Ordering::Relaxed);
                    if first >= total {
                        return Ok::<(), String>(());
                    }
                    let payloads = (first..total.min(first + FILL_BATCH))
                        .map(|i| RequestPayload::Create(aes_key_request(Some(&format!("kmip-bench-fill-{run}-{i}")))))
                        .collect::<Vec<_>>();
                    let n = payloads.len() as u64;
                    for result in client.batch(payloads).await.map_err(|e| format!("filling: {e}"))? {
                        result.map_err(|e| format!("filling: {e}"))?;
                    }
                    let before = done.fetch_add(n, Ordering::Relaxed);
                    let tenth = (total / 10).max(1);
                    if (before + n) / tenth > before / tenth {
                        let secs = started.elapsed().as_secs_f64();
                        eprintln!(
                            "filled {} of {total} in {secs:.0} s ({:.0}/s)",
                            before + n,
                            (before + n) as f64 / secs
                        );
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// What one worker measured.
struct Tally {
    histogram: Histogram<u64>,
    ops: u64,
    errors: BTreeMap<String, u64>,
}

async fn worker(
    cli: Arc<Cli>,
    tls: Arc<rustls::ClientConfig>,
    server_name: String,
    plan: Arc<Plan>,
    measure_from: Instant,
    until: Instant,
) -> Result<Tally, String> {
    let mut tally = Tally {
        histogram: Histogram::new(3).map_err(|e| e.to_string())?,
        ops: 0,
        errors: BTreeMap::new(),
    };
    let mut client = Client::connect_with(&cli.server, &server_name, Arc::clone(&tls))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    loop {
        let started = Instant::now();
        if started >= until {
            break;
        }
        let result = if plan.scenario == Scenario::Handshake {
            match Client::connect_with(&cli.server, &server_name, Arc::clone(&tls)).await {
                Ok(mut c) => {
                    let r = step(&mut c, &plan).await;
                    let _ = c.close().await;
                    r
                }
                Err(e) => Err(e),
            }
        } else {
            step(&mut client, &plan).await
        };
        if started < measure_from {
            continue;
        }
        match result {
            Ok(()) => {
                tally.ops += 1;
                let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                let _ = tally.histogram.record(micros.max(1));
            }
            Err(e) => *tally.errors.entry(e.to_string()).or_default() += 1,
        }
    }
    Ok(tally)
}

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

async fn run(cli: Cli) -> Result<serde_json::Value, String> {
    let creds = Credentials::from_dir(&cli.bundle).map_err(|e| e.to_string())?;
    let tls = Arc::new(creds.tls_config().map_err(|e| e.to_string())?);
    let host = cli.server.rsplit_once(':').map_or(cli.server.as_str(), |(h, _)| h);
    let server_name = cli
        .server_name
        .clone()
        .unwrap_or_else(|| host.trim_matches(['[', ']']).to_owned());
    let mut setup = Client::connect_with(&cli.server, &server_name, Arc::clone(&tls))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let key = prepare(&mut setup, &cli)
        .await
        .map_err(|e| format!("preparing the {:?} scenario: {e}", cli.scenario))?;
    let plan = Arc::new(Plan {
        scenario: cli.scenario,
        key,
        payload: vec![0x5A; cli.payload],
        mode: cli.mode,
    });
    let cli = Arc::new(cli);
    let filled = match cli.objects {
        0 => None,
        n => Some((n, fill(&cli, &tls, &server_name).await?)),
    };
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(cli.warmup);
    let until = measure_from + Duration::from_secs(cli.duration);
    let cpu_before = cpu_seconds();
    let tasks: Vec<_> = (0..cli.connections.max(1))
        .map(|_| {
            tokio::spawn(worker(
                Arc::clone(&cli),
                Arc::clone(&tls),
                server_name.clone(),
                Arc::clone(&plan),
                measure_from,
                until,
            ))
        })
        .collect();
    let mut total = Tally {
        histogram: Histogram::new(3).map_err(|e| e.to_string())?,
        ops: 0,
        errors: BTreeMap::new(),
    };
    for t in tasks {
        let tally = t.await.map_err(|e| e.to_string())??;
        total.ops += tally.ops;
        total.histogram.add(&tally.histogram).map_err(|e| e.to_string())?;
        for (reason, n) in tally.errors {
            *total.errors.entry(reason).or_default() += n;
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = match (cpu_before, cpu_seconds()) {
        (Some(a), Some(b)) => Some(100.0 * (b - a) / wall),
        _ => None,
    };
    let h = &total.histogram;
    let seconds = cli.duration.max(1) as f64;
    Ok(json!({
        "scenario": format!("{:?}", cli.scenario).to_lowercase(),
        "mode": if cli.scenario == Scenario::Encrypt { Some(format!("{:?}", cli.mode).to_lowercase()) } else { None },
        "signer": if cli.scenario == Scenario::Sign { Some(format!("{:?}", cli.signer).to_lowercase()) } else { None },
        "payload": if matches!(cli.scenario, Scenario::Encrypt | Scenario::Sign) { Some(cli.payload) } else { None },
        "connections": cli.connections.max(1),
        "duration_s": cli.duration,
        "ops": total.ops,
        "ops_per_s": (total.ops as f64 / seconds * 10.0).round() / 10.0,
        "errors": total.errors.values().sum::<u64>(),
        "error_reasons": total.errors,
        "latency_us": {
            "p50": h.value_at_quantile(0.50),
            "p90": h.value_at_quantile(0.90),
            "p99": h.value_at_quantile(0.99),
            "max": h.max(),
        },
        "client_cpu_percent": cpu.map(|c| (c * 10.0).round() / 10.0),
        "fill": filled.map(|(n, secs)| json!({
            "objects": n,
            "seconds": (secs * 10.0).round() / 10.0,
            "per_s": (n as f64 / secs).round(),
        })),
    }))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let as_json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kmip-bench: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(report) => {
            if as_json {
                println!("{report}");
            } else {
                let l = &report["latency_us"];
                if let Some(fill) = report["fill"].as_object() {
                    println!(
                        "filled {} objects in {} s ({}/s)",
                        fill["objects"], fill["seconds"], fill["per_s"]
                    );
                }
                println!(
                    "{} x{} for {} s: {} ops, {} ops/s, {} errors",
                    report["scenario"].as_str().unwrap_or_default(),
                    report["connections"],
                    report["duration_s"],
                    report["ops"],
                    report["ops_per_s"],
                    report["errors"]
                );
                println!(
                    "latency µs: p50 {} p90 {} p99 {} max {}",
                    l["p50"], l["p90"], l["p99"], l["max"]
                );
                if let Some(reasons) = report["error_reasons"].as_object() {
                    for (reason, n) in reasons {
                        println!("  {n} × {reason}");
                    }
                }
                if let Some(cpu) = report["client_cpu_percent"].as_f64() {
                    println!("load generator CPU: {cpu}% of one core");
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kmip-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
