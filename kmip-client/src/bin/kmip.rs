//! `kmip`: a KMIP command-line client for people and scripts.
//!
//! Human output by default, `--json` for one JSON object per command; a
//! failure exits non-zero with one line saying why (the server's Result
//! Reason and Message for a KMIP failure). Commands whose operation the
//! server does not implement fail with its Operation Not Supported.

// Indexing here is on serde_json values, which answer Null for a missing key.
#![allow(clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use kmip_client::{Client, ClientError, Credentials};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;
use kmip_codec::ttlv::Writer;
use kmip_codec::{hex, json, Tag, Ttlv};
use serde_json::{json, Value as Json};

/// KMIP command-line client.
#[derive(Parser)]
#[command(name = "kmip", version, about)]
struct Cli {
    /// Credential directory with ca.pem, client.pem and client.key.
    #[arg(
        long,
        global = true,
        env = "KMIP_BUNDLE",
        default_value = "kmip-data/clients/default/admin"
    )]
    bundle: PathBuf,
    /// Server address.
    #[arg(long, global = true, env = "KMIP_SERVER", default_value = "localhost:5696")]
    server: String,
    /// Name to verify the server certificate against [default: the server's host].
    #[arg(long, global = true)]
    server_name: Option<String>,
    /// Protocol version to speak, e.g. 1.2 [default: negotiated; 1.4 when the role may not Discover Versions].
    #[arg(long = "kmip-version", global = true)]
    kmip_version: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Discover Versions: the protocol versions the server speaks.
    Discover,
    /// Query: operations, objects and server information.
    Query,
    /// Create a symmetric key.
    Create(CreateArgs),
    /// Create an asymmetric key pair.
    CreateKeypair(KeyPairArgs),
    /// Register an object from a file.
    Register(RegisterArgs),
    /// Get an object's key material or value.
    Get {
        uid: String,
        /// Write the material to this file instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Key Format Type to ask for (raw, pkcs1, pkcs8, x509, transparent-symmetric-key, ...).
        #[arg(long)]
        format: Option<String>,
    },
    /// Get an object's attributes (all, or those named).
    GetAttributes { uid: String, names: Vec<String> },
    /// Locate objects.
    Locate {
        #[arg(long)]
        name: Option<String>,
        /// Object type: symmetric-key, secret-data, private-key, ...
        #[arg(long = "type")]
        object_type: Option<String>,
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        algorithm: Option<String>,
        #[arg(long)]
        max: Option<i32>,
    },
    /// Activate an object.
    Activate { uid: String },
    /// Revoke an object.
    Revoke {
        uid: String,
        /// unspecified, key-compromise, ca-compromise, affiliation-changed, superseded,
        /// cessation-of-operation, privilege-withdrawn.
        #[arg(long, default_value = "unspecified")]
        reason: String,
    },
    /// Destroy an object.
    Destroy { uid: String },
    /// Re-key a symmetric key.
    Rekey { uid: String },
    /// Encrypt a file or stdin.
    Encrypt(CryptoArgs),
    /// Decrypt a file or stdin.
    Decrypt(CryptoArgs),
    /// Sign a file or stdin.
    Sign(CryptoArgs),
    /// Verify a signature (--signature) over a file or stdin.
    Verify(CryptoArgs),
    /// MAC a file or stdin.
    Mac(CryptoArgs),
}

#[derive(Args)]
struct CreateArgs {
    /// Algorithm: AES, 3DES, HMAC_SHA256, RSA, EC, ...
    #[arg(long, default_value = "AES")]
    algorithm: String,
    /// Length in bits.
    #[arg(long, default_value_t = 256)]
    length: i32,
    /// Usage mask names, comma-separated (encrypt,decrypt,sign,verify,...).
    #[arg(long, default_value = "encrypt,decrypt")]
    usage: String,
    /// A Name attribute.
    #[arg(long)]
    name: Option<String>,
}

#[derive(Args)]
struct KeyPairArgs {
    /// Algorithm: RSA or EC.
    #[arg(long, default_value = "RSA")]
    algorithm: String,
    /// Length in bits (RSA 2048/3072/4096; EC 256/384/521).
    #[arg(long, default_value_t = 2048)]
    length: i32,
    /// Usage mask names for the pair, comma-separated: the private key gets
    /// sign, decrypt, unwrap-key, derive-key...; the public key verify,
    /// encrypt, wrap-key.
    #[arg(long, default_value = "sign,verify")]
    usage: String,
    /// A Name attribute.
    #[arg(long)]
    name: Option<String>,
}

/// The usage bits that belong to a public key; the rest go to the private one.
const PUBLIC_USES: u32 =
    CryptographicUsageMask::Verify.0 | CryptographicUsageMask::Encrypt.0 | CryptographicUsageMask::WrapKey.0;

#[derive(Args)]
struct RegisterArgs {
    /// What the file holds: key (raw symmetric key), secret, certificate (PEM or DER), opaque.
    kind: String,
    /// The file.
    file: PathBuf,
    /// Algorithm of a key.
    #[arg(long, default_value = "AES")]
    algorithm: String,
    /// Usage mask names of a key or secret.
    #[arg(long, default_value = "encrypt,decrypt")]
    usage: String,
    /// A Name attribute.
    #[arg(long)]
    name: Option<String>,
}

#[derive(Args)]
struct CryptoArgs {
    /// The key's Unique Identifier.
    uid: String,
    /// Input file [default: stdin].
    #[arg(long = "in")]
    input: Option<PathBuf>,
    /// Output file [default: stdout, hex].
    #[arg(long)]
    out: Option<PathBuf>,
    /// IV/Counter/Nonce, hex.
    #[arg(long)]
    iv: Option<String>,
    /// Block cipher mode (CBC, GCM, ...), for Encrypt/Decrypt.
    #[arg(long)]
    mode: Option<String>,
    /// Signature to verify, hex.
    #[arg(long)]
    signature: Option<String>,
}

/// Looks an enumeration value up by name, ignoring case, `-` and `_`.
fn enum_value(def: &EnumDef, text: &str) -> Result<u32, String> {
    let key = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let wanted = key(text);
    def.values
        .iter()
        .find(|v| key(v.name) == wanted || key(v.spec_name) == wanted)
        .map(|v| v.value)
        .ok_or_else(|| format!("\"{text}\" is not a {} value", def.spec_name))
}

fn usage_mask(text: &str) -> Result<CryptographicUsageMask, String> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .try_fold(0, |mask, name| {
            Ok(mask | enum_value(CryptographicUsageMask::DEF, name.trim())?)
        })
        .map(CryptographicUsageMask)
}

/// An optional hex argument, decoded.
fn hex_arg(value: &Option<String>, flag: &str) -> Result<Option<Vec<u8>>, String> {
    value
        .as_deref()
        .map(|h| hex::decode(h).ok_or_else(|| format!("{flag} must be hex")))
        .transpose()
}

fn attribute(value: AttributeValue) -> Attribute {
    Attribute::new(value)
}

fn template(attributes: Vec<Attribute>) -> TemplateAttribute {
    TemplateAttribute {
        names: vec![],
        attributes,
    }
}

fn name_attribute(name: &str) -> Attribute {
    attribute(AttributeValue::Name(Name {
        value: name.to_owned(),
        name_type: NameType::UninterpretedTextString,
    }))
}

fn read_input(path: &Option<PathBuf>) -> Result<Vec<u8>, String> {
    match path {
        Some(p) => std::fs::read(p).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("stdin: {e}"))?;
            Ok(buf)
        }
    }
}

/// What a command prints: text lines for people, JSON for scripts.
struct Output {
    text: Vec<String>,
    json: Json,
}

fn output(text: impl Into<String>, json: Json) -> Output {
    Output {
        text: vec![text.into()],
        json,
    }
}

/// An attribute value as readable text (leaves) or JSON (structures).
fn attribute_text(a: &Attribute) -> (String, Json) {
    let mut w = Writer::new();
    a.value.encode(&mut w);
    let tree =
        Ttlv::from_bytes(&w.into_bytes(), &Default::default()).unwrap_or(Ttlv::structure(Tag::AttributeValue, vec![]));
    match &tree.value {
        kmip_codec::Value::Structure(_) => {
            let j = json::to_json(&tree);
            let v = j.get("value").cloned().unwrap_or(Json::Null);
            (v.to_string(), v)
        }
        leaf => {
            let values = kmip_codec::xml::values_for(Tag::AttributeValue, Some(&a.name));
            let t = kmip_codec::xml::format_value(leaf, values);
            (t.clone(), Json::String(t))
        }
    }
}

fn write_out(path: &Option<PathBuf>, data: &[u8], what: &str) -> Result<Output, String> {
    match path {
        Some(p) => {
            std::fs::write(p, data).map_err(|e| format!("{}: {e}", p.display()))?;
            Ok(output(
                format!("{what}: {} bytes written to {}", data.len(), p.display()),
                json!({ "file": p, "bytes": data.len() }),
            ))
        }
        None => Ok(output(hex::encode(data), json!({ "hex": hex::encode(data) }))),
    }
}

fn key_block_bytes(object: &Object) -> Option<&[u8]> {
    let block = match object {
        Object::Certificate(c) => return Some(&c.certificate_value),
        Object::OpaqueObject(o) => return Some(&o.opaque_data_value),
        other => other.key_block()?,
    };
    match &block.key_value {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(b),
            ..
        }) => Some(b),
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Symmetric(k),
            ..
        }) => Some(&k.key),
        Some(KeyValue::Wrapped(b)) => Some(b),
        _ => None,
    }
}

fn pem_to_der(data: &[u8]) -> Vec<u8> {
    match rustls_pemfile::certs(&mut &data[..]).next() {
        Some(Ok(der)) => der.to_vec(),
        _ => data.to_vec(),
    }
}

fn key_block(format: KeyFormatType, material: Vec<u8>, algorithm: Option<CryptographicAlgorithm>) -> KeyBlock {
    let length = i32::try_from(material.len() * 8).ok();
    KeyBlock {
        key_format_type: format,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(material)),
            attributes: vec![],
        }),
        cryptographic_algorithm: algorithm,
        cryptographic_length: algorithm.and(length),
        key_wrapping_data: None,
    }
}

fn crypto_parameters(mode: &Option<String>) -> Result<Option<CryptographicParameters>, String> {
    let Some(mode) = mode else { return Ok(None) };
    Ok(Some(CryptographicParameters {
        block_cipher_mode: Some(BlockCipherMode(enum_value(BlockCipherMode::DEF, mode)?)),
        ..Default::default()
    }))
}

fn uid_output(verb: &str, uid: &str) -> Output {
    output(format!("{verb} {uid}"), json!({ "unique_identifier": uid }))
}

async fn run(cli: Cli) -> Result<Output, String> {
    let creds = Credentials::from_dir(&cli.bundle).map_err(|e| e.to_string())?;
    let host = cli.server.rsplit_once(':').map_or(cli.server.as_str(), |(h, _)| h);
    let server_name = cli
        .server_name
        .clone()
        .unwrap_or_else(|| host.trim_matches(['[', ']']).to_owned());
    let mut client = Client::connect(&cli.server, &server_name, &creds)
        .await
        .map_err(|e| e.to_string())?;
    match &cli.kmip_version {
        Some(v) => {
            let (major, minor) = v
                .split_once('.')
                .ok_or_else(|| format!("version \"{v}\": use MAJOR.MINOR"))?;
            let parse = |s: &str| {
                s.parse::<i32>()
                    .map_err(|_| format!("version \"{v}\": use MAJOR.MINOR"))
            };
            client.set_version(ProtocolVersion::new(parse(major)?, parse(minor)?));
        }
        // A role without operation_discover_versions (README's readers)
        // keeps the client's own version, the newest it speaks.
        None => match client.negotiate().await {
            Err(e) if e.reason() == Some(ResultReason::PermissionDenied) => {}
            other => {
                other.map_err(failed)?;
            }
        },
    }
    match cli.command {
        Command::Discover => discover(&mut client).await,
        Command::Query => query(&mut client).await,
        Command::Create(args) => create(&mut client, args).await,
        Command::CreateKeypair(args) => create_keypair(&mut client, args).await,
        Command::Register(args) => register(&mut client, args).await,
        Command::Get { uid, out, format } => get(&mut client, uid, out, format).await,
        Command::GetAttributes { uid, names } => get_attributes(&mut client, uid, names).await,
        Command::Locate {
            name,
            object_type,
            state,
            algorithm,
            max,
        } => locate(&mut client, name, object_type, state, algorithm, max).await,
        Command::Activate { uid } => activate(&mut client, uid).await,
        Command::Revoke { uid, reason } => revoke(&mut client, uid, reason).await,
        Command::Destroy { uid } => destroy(&mut client, uid).await,
        Command::Rekey { uid } => rekey(&mut client, uid).await,
        Command::Encrypt(a) => encrypt(&mut client, a).await,
        Command::Decrypt(a) => decrypt(&mut client, a).await,
        Command::Sign(a) => sign(&mut client, a).await,
        Command::Verify(a) => verify(&mut client, a).await,
        Command::Mac(a) => mac(&mut client, a).await,
    }
}

/// A refusal or transport failure, as the CLI reports it.
fn failed(e: ClientError) -> String {
    e.to_string()
}

/// Discover Versions: the protocol versions the server speaks.
async fn discover(client: &mut Client) -> Result<Output, String> {
    let r = client
        .discover_versions(discover_versions::DiscoverVersionsRequest {
            protocol_versions: vec![],
        })
        .await
        .map_err(failed)?;
    let versions: Vec<String> = r
        .protocol_versions
        .iter()
        .map(|v| format!("{}.{}", v.major, v.minor))
        .collect();
    Ok(output(versions.join(" "), json!({ "versions": versions })))
}

/// Query: operations, objects and server information.
async fn query(client: &mut Client) -> Result<Output, String> {
    let functions = [
        QueryFunction::QueryOperations,
        QueryFunction::QueryObjects,
        QueryFunction::QueryServerInformation,
    ];
    let r = client
        .query(query::QueryRequest {
            query_functions: functions.to_vec(),
        })
        .await
        .map_err(failed)?;
    let ops: Vec<&str> = r.operations.iter().filter_map(|o| o.name()).collect();
    let objects: Vec<&str> = r.object_types.iter().filter_map(|o| o.name()).collect();
    let vendor = r.vendor_identification.unwrap_or_default();
    Ok(Output {
        text: vec![
            format!("vendor: {vendor}"),
            format!("operations: {}", ops.join(" ")),
            format!("objects: {}", objects.join(" ")),
        ],
        json: json!({ "vendor": vendor, "operations": ops, "objects": objects }),
    })
}

/// Create a symmetric key.
async fn create(client: &mut Client, args: CreateArgs) -> Result<Output, String> {
    let mut attributes = vec![
        attribute(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm(
            enum_value(CryptographicAlgorithm::DEF, &args.algorithm)?,
        ))),
        attribute(AttributeValue::CryptographicLength(args.length)),
        attribute(AttributeValue::CryptographicUsageMask(usage_mask(&args.usage)?)),
    ];
    attributes.extend(args.name.as_deref().map(name_attribute));
    let r = client
        .create(create::CreateRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: template(attributes),
        })
        .await
        .map_err(failed)?;
    Ok(uid_output("created", &r.unique_identifier))
}

/// Create an asymmetric key pair.
async fn create_keypair(client: &mut Client, args: KeyPairArgs) -> Result<Output, String> {
    let mut common = vec![
        attribute(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm(
            enum_value(CryptographicAlgorithm::DEF, &args.algorithm)?,
        ))),
        attribute(AttributeValue::CryptographicLength(args.length)),
    ];
    common.extend(args.name.as_deref().map(name_attribute));
    let mask = usage_mask(&args.usage)?.0;
    let private = vec![attribute(AttributeValue::CryptographicUsageMask(
        CryptographicUsageMask(mask & !PUBLIC_USES),
    ))];
    let public = vec![attribute(AttributeValue::CryptographicUsageMask(
        CryptographicUsageMask(mask & PUBLIC_USES),
    ))];
    let r = client
        .create_key_pair(create_key_pair::CreateKeyPairRequest {
            common_template_attribute: Some(template(common)),
            private_key_template_attribute: Some(template(private)),
            public_key_template_attribute: Some(template(public)),
        })
        .await
        .map_err(failed)?;
    Ok(Output {
        text: vec![
            format!("private key {}", r.private_key_unique_identifier),
            format!("public key {}", r.public_key_unique_identifier),
        ],
        json: json!({ "private_key": r.private_key_unique_identifier, "public_key": r.public_key_unique_identifier }),
    })
}

/// Register an object from a file.
async fn register(client: &mut Client, args: RegisterArgs) -> Result<Output, String> {
    let data = std::fs::read(&args.file).map_err(|err| format!("{}: {err}", args.file.display()))?;
    let mut attributes = vec![];
    let object = match args.kind.as_str() {
        "key" => {
            let algorithm = CryptographicAlgorithm(enum_value(CryptographicAlgorithm::DEF, &args.algorithm)?);
            attributes.push(attribute(AttributeValue::CryptographicUsageMask(usage_mask(
                &args.usage,
            )?)));
            Object::SymmetricKey(SymmetricKey {
                key_block: key_block(KeyFormatType::Raw, data, Some(algorithm)),
            })
        }
        "secret" => {
            attributes.push(attribute(AttributeValue::CryptographicUsageMask(usage_mask(
                &args.usage,
            )?)));
            Object::SecretData(SecretData {
                secret_data_type: SecretDataType::Password,
                key_block: key_block(KeyFormatType::Opaque, data, None),
            })
        }
        "certificate" => Object::Certificate(Certificate {
            certificate_type: CertificateType::X_509,
            certificate_value: Bytes::new(pem_to_der(&data)),
        }),
        "opaque" => Object::OpaqueObject(OpaqueObject {
            opaque_data_type: OpaqueDataType(0x8000_0001),
            opaque_data_value: Bytes::new(data),
        }),
        other => {
            return Err(format!(
                "cannot register \"{other}\": use key, secret, certificate or opaque"
            ))
        }
    };
    attributes.extend(args.name.as_deref().map(name_attribute));
    let r = client
        .register(register::RegisterRequest {
            object_type: object.object_type(),
            template_attribute: template(attributes),
            object,
        })
        .await
        .map_err(failed)?;
    Ok(uid_output("registered", &r.unique_identifier))
}

/// Get an object's key material or value.
async fn get(client: &mut Client, uid: String, out: Option<PathBuf>, format: Option<String>) -> Result<Output, String> {
    let key_format_type = format
        .map(|f| enum_value(KeyFormatType::DEF, &f).map(KeyFormatType))
        .transpose()?;
    let r = client
        .get(get::GetRequest {
            unique_identifier: Some(uid),
            key_format_type,
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    let bytes = key_block_bytes(&r.object).ok_or("the object has no byte-string value to show")?;
    write_out(&out, bytes, r.object_type.name().unwrap_or("object"))
}

/// Get an object's attributes (all, or those named).
async fn get_attributes(client: &mut Client, uid: String, names: Vec<String>) -> Result<Output, String> {
    let r = client
        .get_attributes(get_attributes::GetAttributesRequest {
            unique_identifier: Some(uid),
            attribute_names: names,
        })
        .await
        .map_err(failed)?;
    let mut text = vec![];
    let mut obj = serde_json::Map::new();
    for a in &r.attributes {
        let (t, j) = attribute_text(a);
        text.push(format!("{}: {t}", a.name));
        obj.insert(a.name.clone(), j);
    }
    Ok(Output {
        text,
        json: Json::Object(obj),
    })
}

/// Locate objects.
async fn locate(
    client: &mut Client,
    name: Option<String>,
    object_type: Option<String>,
    state: Option<String>,
    algorithm: Option<String>,
    max: Option<i32>,
) -> Result<Output, String> {
    let mut attributes = vec![];
    attributes.extend(name.as_deref().map(name_attribute));
    if let Some(t) = object_type {
        attributes.push(attribute(AttributeValue::ObjectType(ObjectType(enum_value(
            ObjectType::DEF,
            &t,
        )?))));
    }
    if let Some(s) = state {
        attributes.push(attribute(AttributeValue::State(State(enum_value(State::DEF, &s)?))));
    }
    if let Some(a) = algorithm {
        attributes.push(attribute(AttributeValue::CryptographicAlgorithm(
            CryptographicAlgorithm(enum_value(CryptographicAlgorithm::DEF, &a)?),
        )));
    }
    let r = client
        .locate(locate::LocateRequest {
            maximum_items: max,
            attributes,
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    Ok(Output {
        text: r.unique_identifiers.clone(),
        json: json!({ "unique_identifiers": r.unique_identifiers }),
    })
}

/// Activate an object.
async fn activate(client: &mut Client, uid: String) -> Result<Output, String> {
    let r = client
        .activate(activate::ActivateRequest {
            unique_identifier: Some(uid),
        })
        .await
        .map_err(failed)?;
    Ok(uid_output("activated", &r.unique_identifier))
}

/// Revoke an object.
async fn revoke(client: &mut Client, uid: String, reason: String) -> Result<Output, String> {
    let code = RevocationReasonCode(enum_value(RevocationReasonCode::DEF, &reason)?);
    let r = client
        .revoke(revoke::RevokeRequest {
            unique_identifier: Some(uid),
            revocation_reason: RevocationReason { code, message: None },
            compromise_occurrence_date: None,
        })
        .await
        .map_err(failed)?;
    Ok(uid_output("revoked", &r.unique_identifier))
}

/// Destroy an object.
async fn destroy(client: &mut Client, uid: String) -> Result<Output, String> {
    let r = client
        .destroy(destroy::DestroyRequest {
            unique_identifier: Some(uid),
        })
        .await
        .map_err(failed)?;
    Ok(uid_output("destroyed", &r.unique_identifier))
}

/// Re-key a symmetric key.
async fn rekey(client: &mut Client, uid: String) -> Result<Output, String> {
    let r = client
        .rekey(rekey::ReKeyRequest {
            unique_identifier: Some(uid),
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    Ok(uid_output("new key", &r.unique_identifier))
}

/// Encrypt a file or stdin.
async fn encrypt(client: &mut Client, a: CryptoArgs) -> Result<Output, String> {
    let data = read_input(&a.input)?;
    let iv = hex_arg(&a.iv, "--iv")?;
    let r = client
        .encrypt(encrypt::EncryptRequest {
            unique_identifier: Some(a.uid),
            cryptographic_parameters: crypto_parameters(&a.mode)?,
            data: Some(Bytes::new(data)),
            iv_counter_nonce: iv.map(Bytes::new),
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    let mut out = write_out(&a.out, r.data.as_deref().unwrap_or_default(), "ciphertext")?;
    if let Some(iv) = &r.iv_counter_nonce {
        out.text.push(format!("iv {}", hex::encode(iv)));
        out.json["iv"] = Json::String(hex::encode(iv));
    }
    Ok(out)
}

/// Decrypt a file or stdin.
async fn decrypt(client: &mut Client, a: CryptoArgs) -> Result<Output, String> {
    let data = read_input(&a.input)?;
    let iv = hex_arg(&a.iv, "--iv")?;
    let r = client
        .decrypt(decrypt::DecryptRequest {
            unique_identifier: Some(a.uid),
            cryptographic_parameters: crypto_parameters(&a.mode)?,
            data: Some(Bytes::new(data)),
            iv_counter_nonce: iv.map(Bytes::new),
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    write_out(&a.out, r.data.as_deref().unwrap_or_default(), "plaintext")
}

/// Sign a file or stdin.
async fn sign(client: &mut Client, a: CryptoArgs) -> Result<Output, String> {
    let data = read_input(&a.input)?;
    let r = client
        .sign(sign::SignRequest {
            unique_identifier: Some(a.uid),
            data: Some(Bytes::new(data)),
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    write_out(&a.out, r.signature_data.as_deref().unwrap_or_default(), "signature")
}

/// Verify a signature (--signature) over a file or stdin.
async fn verify(client: &mut Client, a: CryptoArgs) -> Result<Output, String> {
    let data = read_input(&a.input)?;
    let signature = hex_arg(&a.signature, "--signature")?.ok_or("--signature (hex) is required")?;
    let r = client
        .signature_verify(signature_verify::SignatureVerifyRequest {
            unique_identifier: Some(a.uid),
            data: Some(Bytes::new(data)),
            signature_data: Some(Bytes::new(signature)),
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    let verdict = r.validity_indicator.and_then(|v| v.name()).unwrap_or("Unknown");
    if r.validity_indicator != Some(ValidityIndicator::Valid) {
        return Err(format!("signature is {verdict}"));
    }
    Ok(output("signature is Valid", json!({ "validity": verdict })))
}

/// MAC a file or stdin.
async fn mac(client: &mut Client, a: CryptoArgs) -> Result<Output, String> {
    let data = read_input(&a.input)?;
    let r = client
        .mac(mac::MACRequest {
            unique_identifier: Some(a.uid),
            data: Some(Bytes::new(data)),
            ..Default::default()
        })
        .await
        .map_err(failed)?;
    write_out(&a.out, r.mac_data.as_deref().unwrap_or_default(), "mac")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let as_json = cli.json;
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kmip: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if as_json {
                let _ = writeln!(stdout, "{}", out.json);
            } else {
                for line in out.text {
                    let _ = writeln!(stdout, "{line}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            if as_json {
                println!("{}", json!({ "error": message }));
            }
            eprintln!("kmip: {message}");
            ExitCode::FAILURE
        }
    }
}
