//! Semantic comparison of an actual response with a test case's expected
//! one, and the placeholder bindings a conversation accumulates.
//!
//! The comparison is exact — same tags, same order, same types, same values
//! — except where a value is legitimately not reproducible. Each such
//! tolerance is a named [`Rule`], all of them listed here, none of them a
//! blanket "ignore this file":
//!
//! - [`Rule::ServerClock`]: a response Date-Time written `$NOW` (or
//!   `$NOW-3600`, ...) is the server's clock at that moment; it matches any
//!   time within [`CLOCK_SLACK`] of the runner's clock, offset likewise.
//! - [`Rule::ServerValue`]: any other placeholder in a response
//!   (`$UNIQUE_IDENTIFIER_n`, `$IV_COUNTER_NONCE`, `$DATA_n`,
//!   `$KEY_MATERIAL_n`, `$SIGNATURE_DATA`, `$MAC_DATA`,
//!   `$CORRELATION_VALUE`, `$AUTHENTICATED_ENCRYPTION_TAG`, ...) is a value
//!   the server chose (an identifier, a random IV, material derived from a
//!   generated key). The first occurrence binds it; every later occurrence,
//!   in requests and responses, must be the same value.
//! - [`Rule::ResultMessage`]: a Result Message is free text for people; any
//!   text matches, but it must be present when expected.
//! - [`Rule::QueryCapabilities`]: the Operations and Object Types of a Query
//!   response describe the reference server; the server under test must
//!   list at least those, in any order, and may list more — except Notify
//!   and Put, which a server sends rather than answers (§5) and which this
//!   server, pushing nothing, does not list.
//! - [`Rule::VendorSpecific`]: Vendor Identification and Server Information
//!   identify the vendor; any value matches.
//! - [`Rule::GeneratedMaterial`]: the Key Material and Digest Value of an
//!   object the server generated in this conversation (Create, Create Key
//!   Pair, Re-key, Re-key Key Pair, Derive Key) are random: they match any
//!   bytes of the same length, and so do the Data of an RNG Retrieve
//!   response and the Data of Encrypt, Decrypt, Sign and MAC with such a
//!   key; in an Encrypt response whose IV the server chose (Random IV), the
//!   IV and the Data likewise, and the Data of an Encrypt with a public key
//!   the conversation registered (RSA OAEP and PKCS#1 v1.5 encryption are
//!   randomized). Such values written as literals are bound to
//!   the placeholders later requests use for them (see `bind_literal`). Material the client registered is compared
//!   exactly.
//! - [`Rule::ServerRng`]: the Random Number Generator attribute describes
//!   the server's own generator; any RNG Parameters structure matches.
//! - [`Rule::ResponseVersion`]: a response carries the request's protocol
//!   version (KMIP 1.4 §6.1); the response header's Protocol Version is
//!   compared with the request's, not with the test case's text (OMOS-O-1
//!   asks in 1.4 and writes a 1.3 answer).
//! - [`Rule::AlternativeAnswers`]: CS-RNG-O-1 to O-4 send the same RNG Seed
//!   and answer it four ways (all 32 bytes used, 16, none, or Permission
//!   Denied): how much seed a server takes is its policy. A response that
//!   matches any case of such a group ([`ALTERNATIVE_ANSWERS`]) passes each
//!   of them; the runner reads the others from the same directory.
//! - [`Rule::NewKeyAttributes`]: a Get Attributes answer may list the four
//!   key attributes KMIP 1.4 added (Sensitive, Always Sensitive,
//!   Extractable, Never Extractable) where the reference leaves them out:
//!   TL-M-3's reference lists them in its Get Attribute List answer and
//!   omits them from its Get Attributes answer for the same key, which no
//!   server can match both ways (§4.13 asks for every attribute). When the
//!   reference does list them, their values are compared.
//! - [`Rule::AttributeOrder`]: the attributes of a Get Attributes response
//!   and the names of a Get Attribute List response are compared as a set:
//!   KMIP defines no order for them, and the reference responses use
//!   different orders for the same object.
//! - [`Rule::LiteralClock`]: the older profile cases (1.0–1.2) write the
//!   reference server's clock as literal dates where the 1.4 cases write
//!   `$NOW`. In a response whose header's Time Stamp is such a literal, a
//!   Date-Time that differs from the expected literal, where neither is a
//!   date a request of the conversation sent (so neither is one the client
//!   chose), is the server's clock: it binds to the literal like a placeholder, and each
//!   later occurrence of the same literal must be the same date. Cases
//!   written with `$NOW` are compared exactly.
//! - [`Rule::RandomizedSignature`]: RSA-PSS and ECDSA signatures differ
//!   each time, so a Sign response's Signature Data, once the conversation
//!   has shown a public key (registered, or returned by Get), is verified
//!   over the request's Data under it instead of compared
//!   ([`crate::signatures`]); one that does not verify fails. Without a
//!   public key in the conversation the usual rules apply.
//! - [`Rule::DefaultIndex`]: an Attribute with Attribute Index 0 and one
//!   without an index are the same attribute (§2.1.1: an absent index is
//!   0); the references leave index 0 out of Add and Modify Attribute
//!   answers, where this server names it because clients read it.

use std::collections::HashMap;

use kmip_codec::ttlv::{Ttlv, Value};
use kmip_codec::xml::{self, Element};
use kmip_codec::{ItemType, Tag};

/// Test cases that send the same requests and show different answers a
/// server may choose between ([`Rule::AlternativeAnswers`]).
pub const ALTERNATIVE_ANSWERS: &[&[&str]] = &[&[
    "CS-RNG-O-1-14.xml",
    "CS-RNG-O-2-14.xml",
    "CS-RNG-O-3-14.xml",
    "CS-RNG-O-4-14.xml",
]];

/// How far the server's clock may be from the runner's.
pub const CLOCK_SLACK: i64 = 300;

/// The named tolerances; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `$NOW±N` matches the server's clock within [`CLOCK_SLACK`].
    ServerClock,
    /// A server-chosen value binds on first sight and must repeat.
    ServerValue,
    /// Result Message text is free.
    ResultMessage,
    /// Query may list more Operations and Object Types than the reference.
    QueryCapabilities,
    /// Vendor Identification and Server Information are free.
    VendorSpecific,
    /// Material of server-generated objects matches by length.
    GeneratedMaterial,
    /// The Random Number Generator attribute is the server's own.
    ServerRng,
    /// The response's version is the request's.
    ResponseVersion,
    /// Attribute lists are sets.
    AttributeOrder,
    /// Alternative permitted answers to one request.
    AlternativeAnswers,
    /// The 1.4 key attributes may be listed where a reference omits them.
    NewKeyAttributes,
    /// Attribute Index 0 and no Attribute Index are the same.
    DefaultIndex,
    /// Literal dates of the reference server's clock bind like placeholders.
    LiteralClock,
    /// A Sign response's signature is verified, not compared.
    RandomizedSignature,
}

/// Placeholder values learnt during one conversation.
#[derive(Clone, Debug, Default)]
pub struct Bindings {
    values: HashMap<String, Value>,
    /// Unique Identifiers of objects the server generated.
    generated: Vec<String>,
    /// The Protocol Version of the request being answered.
    request_version: Option<Ttlv>,
    /// Whether the request being answered registers a Public Key.
    registers_public_key: bool,
    /// Public keys registered in this conversation: RSA encryption with
    /// them (OAEP, PKCS#1 v1.5) is randomized.
    public_keys: Vec<String>,
    /// Date-Times the conversation's requests sent ([`Rule::LiteralClock`]).
    sent_dates: Vec<i64>,
    /// Whether the response being compared writes its clock as a literal.
    literal_clock: bool,
    /// The Data the request being answered signs ([`Rule::RandomizedSignature`]).
    signed_data: Option<Vec<u8>>,
    /// Public key material the conversation has shown, to verify with.
    public_key_material: Vec<Vec<u8>>,
}

/// Operations whose output Data depends on the key they used: with a
/// server-generated key it is as random as the key.
const KEYED_OUTPUT: &[&str] = &["Encrypt", "Decrypt", "Sign", "MAC"];

/// Binds the placeholder a later request uses for a response value that
/// the test case wrote as a literal: CS-BC-M-13 writes its reference
/// server's IV and ciphertext, CS-AC-M-6 its MAC, and they send them back
/// as `$IV_COUNTER_NONCE`, `$DATA_0` and `$MAC_DATA` — the names other
/// cases bind properly. The first such value of a conversation binds.
fn bind_literal(expected: &Element, actual: &Ttlv, bindings: &mut Bindings) {
    if expected.value.as_deref().is_some_and(|v| v.starts_with('$')) {
        return;
    }
    let name = match expected.tag {
        Tag::IVCounterNonce => "$IV_COUNTER_NONCE",
        Tag::Data => "$DATA_0",
        Tag::MACData => "$MAC_DATA",
        Tag::SignatureData => "$SIGNATURE_DATA",
        _ => return,
    };
    bindings
        .values
        .entry(name.to_owned())
        .or_insert_with(|| actual.value.clone());
}

/// Operations whose new objects hold server-generated material.
const GENERATING: &[&str] = &["Create", "CreateKeyPair", "ReKey", "ReKeyKeyPair", "DeriveKey"];

/// The Unique Identifiers a response batch item's payload carries.
fn payload_uids(item: &Ttlv) -> Vec<String> {
    item.child(Tag::ResponsePayload)
        .map(|p| {
            p.children()
                .iter()
                .filter(|c| {
                    matches!(
                        c.tag,
                        Tag::UniqueIdentifier | Tag::PrivateKeyUniqueIdentifier | Tag::PublicKeyUniqueIdentifier
                    )
                })
                .filter_map(|c| match &c.value {
                    Value::TextString(s) => Some(s.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every Date-Time value in `tree`.
fn collect_dates(tree: &Ttlv, into: &mut Vec<i64>) {
    if let Value::DateTime(t) = tree.value {
        into.push(t);
    }
    for child in tree.children() {
        collect_dates(child, into);
    }
}

/// `$NOW`, `$NOW-3600`, `$NOW+60` → the offset in seconds.
pub fn now_offset(placeholder: &str) -> Option<i64> {
    let rest = placeholder.strip_prefix("$NOW")?;
    if rest.is_empty() {
        Some(0)
    } else {
        rest.parse().ok()
    }
}

/// The runner's clock, POSIX seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Bindings {
    /// Bindings that remember which objects an earlier conversation with
    /// the same server generated (see [`Rule::GeneratedMaterial`]).
    pub fn with_generated(generated: Vec<String>) -> Self {
        Bindings {
            generated,
            ..Bindings::default()
        }
    }

    /// The objects known to be server-generated, to carry to the next case.
    pub fn into_generated(self) -> Vec<String> {
        self.generated
    }

    /// Records the request a response answers (for [`Rule::ResponseVersion`]).
    pub fn answering(&mut self, request: &Ttlv) {
        self.registers_public_key = request.children().iter().any(|item| {
            child_text(item, Tag::Operation).as_deref() == Some("Register")
                && item
                    .child(Tag::RequestPayload)
                    .and_then(|p| child_text(p, Tag::ObjectType))
                    .as_deref()
                    == Some("PublicKey")
        });
        self.request_version = request
            .child(Tag::RequestHeader)
            .and_then(|h| h.child(Tag::ProtocolVersion))
            .cloned();
        collect_dates(request, &mut self.sent_dates);
        self.signed_data = crate::signatures::signed_data(request);
        crate::signatures::public_keys(request, &mut self.public_key_material);
    }

    /// Replacement text for a request placeholder: `$NOW±N` is the runner's
    /// clock; anything else must have been bound by an earlier response.
    pub fn resolve(&self, placeholder: &str, _ty: ItemType, _tag: Tag) -> Option<String> {
        if let Some(offset) = now_offset(placeholder) {
            return kmip_codec::datetime::format(unix_now() + offset);
        }
        self.values.get(placeholder).map(|v| xml::format_value(v, None))
    }
}

/// Where and how an actual response differs from the expected one.
#[derive(Debug)]
pub struct Mismatch {
    /// Path of the first difference, e.g. `BatchItem[0]/ResponsePayload/UniqueIdentifier`.
    pub path: String,
    /// What was expected.
    pub expected: String,
    /// What the server sent.
    pub actual: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at {}: expected {}, got {}", self.path, self.expected, self.actual)
    }
}

fn describe(t: &Ttlv) -> String {
    match &t.value {
        Value::Structure(items) => format!("{:?} (Structure of {} items)", t.tag, items.len()),
        v => format!(
            "{:?} {} \"{}\"",
            t.tag,
            v.item_type(),
            xml::format_value(v, xml::values_for(t.tag, None))
        ),
    }
}

/// The text of an actual item's child, for explanations.
fn child_text(item: &Ttlv, tag: Tag) -> Option<String> {
    item.child(tag)
        .map(|c| xml::format_value(&c.value, xml::values_for(tag, None)))
}

/// Where the server failed a batch item the test case expects to succeed,
/// says so with the server's own reason: the most useful first difference.
fn unexpected_failure(expected: &Element, actual: &Ttlv) -> Option<Mismatch> {
    let expected_items = expected.children.iter().filter(|c| c.tag == Tag::BatchItem);
    let actual_items = actual.children().iter().filter(|c| c.tag == Tag::BatchItem);
    for (n, (e, a)) in expected_items.zip(actual_items).enumerate() {
        let want = e
            .children
            .iter()
            .find(|c| c.tag == Tag::ResultStatus)
            .and_then(|c| c.value.as_deref());
        let got = child_text(a, Tag::ResultStatus);
        if want == Some("Success") && got.as_deref() != Some("Success") {
            let operation = child_text(a, Tag::Operation).unwrap_or_else(|| "the item".into());
            return Some(mismatch(
                &format!("{:?}/BatchItem[{n}]/ResultStatus", expected.tag),
                format!("Success for {operation}"),
                format!(
                    "{} ({}: {})",
                    got.unwrap_or_default(),
                    child_text(a, Tag::ResultReason).unwrap_or_default(),
                    child_text(a, Tag::ResultMessage).unwrap_or_default()
                ),
            ));
        }
    }
    None
}

fn mismatch(path: &str, expected: impl Into<String>, actual: impl Into<String>) -> Mismatch {
    Mismatch {
        path: path.to_owned(),
        expected: expected.into(),
        actual: actual.into(),
    }
}

/// Compares an actual response with the expected element, binding
/// placeholders as it goes.
pub fn compare(expected: &Element, actual: &Ttlv, bindings: &mut Bindings) -> Result<(), Mismatch> {
    if let Some(m) = unexpected_failure(expected, actual) {
        return Err(m);
    }
    // Objects generated by this very response (a Create and a Get in one
    // batch) count as generated for the items after them.
    for item in actual.children().iter().filter(|c| c.tag == Tag::BatchItem) {
        let op = child_text(item, Tag::Operation);
        if op.as_deref().is_some_and(|op| GENERATING.contains(&op)) {
            bindings.generated.extend(payload_uids(item));
        }
        if op.as_deref() == Some("Register") && bindings.registers_public_key {
            bindings.public_keys.extend(payload_uids(item));
        }
    }
    crate::signatures::public_keys(actual, &mut bindings.public_key_material);
    // Rule::LiteralClock: a case whose response header carries a literal
    // Time Stamp wrote its reference server's clock as it was.
    bindings.literal_clock = expected
        .children
        .iter()
        .find(|c| c.tag == Tag::ResponseHeader)
        .and_then(|h| h.children.iter().find(|c| c.tag == Tag::TimeStamp))
        .and_then(|t| t.value.as_deref())
        .is_some_and(|v| !xml::is_placeholder(v));
    let name = format!("{:?}", expected.tag);
    compare_at(expected, actual, bindings, &name, Within::default())
}

/// What the comparison knows about where it is, besides the path: the
/// attribute being compared, the batch item's operation, and whether the
/// payload belongs to a server-generated object ([`Rule::GeneratedMaterial`]).
#[derive(Clone, Copy, Default)]
struct Within<'a> {
    attribute: Option<&'a str>,
    operation: Option<&'a str>,
    generated: bool,
}

/// [`Rule::AttributeOrder`]: every expected item matches a distinct actual
/// item, in any order, and there are as many of each.
fn compare_unordered(
    expected: &[&Element],
    actual: &[&Ttlv],
    bindings: &mut Bindings,
    path: &str,
    within: Within<'_>,
) -> Result<(), Mismatch> {
    let mut used = vec![false; actual.len()];
    for e in expected {
        let child_path = format!("{path}/{:?}", e.tag);
        let mut found = None;
        for (i, a) in actual.iter().enumerate() {
            if used.get(i).copied().unwrap_or(true) {
                continue;
            }
            let mut trial = bindings.clone();
            if compare_at(e, a, &mut trial, &child_path, within).is_ok() {
                found = Some((i, trial));
                break;
            }
        }
        match found {
            Some((i, trial)) => {
                *bindings = trial;
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
            None => {
                let what = e
                    .children
                    .iter()
                    .find(|c| c.tag == Tag::AttributeName)
                    .and_then(|c| c.value.clone())
                    .or_else(|| e.value.clone())
                    .unwrap_or_default();
                return Err(mismatch(
                    &child_path,
                    format!("{:?} \"{what}\" (in any order)", e.tag),
                    "no matching item",
                ));
            }
        }
    }
    let extra = actual
        .iter()
        .zip(&used)
        .filter(|(a, _)| !is_new_key_attribute(a)) // Rule::NewKeyAttributes
        .find(|(_, u)| !**u);
    match extra {
        Some((extra, _)) => Err(mismatch(path, "nothing more", describe(extra))),
        None => Ok(()),
    }
}

/// The key attributes KMIP 1.4 added (§3.48–3.51), which some reference
/// answers leave out ([`Rule::NewKeyAttributes`]).
const NEW_KEY_ATTRIBUTES: &[&str] = &["Sensitive", "Always Sensitive", "Extractable", "Never Extractable"];

fn is_new_key_attribute(a: &Ttlv) -> bool {
    a.tag == Tag::Attribute
        && a.child(Tag::AttributeName)
            .is_some_and(|n| matches!(&n.value, Value::TextString(t) if NEW_KEY_ATTRIBUTES.contains(&t.as_str())))
}

fn compare_at(
    expected: &Element,
    actual: &Ttlv,
    bindings: &mut Bindings,
    path: &str,
    within: Within<'_>,
) -> Result<(), Mismatch> {
    if expected.tag != actual.tag {
        return Err(mismatch(path, format!("{:?}", expected.tag), describe(actual)));
    }
    if matches!(expected.tag, Tag::VendorIdentification | Tag::ServerInformation) {
        return Ok(()); // Rule::VendorSpecific
    }
    if expected.tag == Tag::AttributeValue && within.attribute == Some("Random Number Generator") {
        return Ok(()); // Rule::ServerRng
    }
    if expected.tag == Tag::ProtocolVersion && path.ends_with("ResponseHeader/ProtocolVersion") {
        // Rule::ResponseVersion
        if let Some(asked) = &bindings.request_version {
            let got = Ttlv::new(Tag::ProtocolVersion, actual.value.clone());
            return if *asked == got {
                Ok(())
            } else {
                Err(mismatch(
                    path,
                    format!("the request's version {}", describe(asked)),
                    describe(actual),
                ))
            };
        }
    }
    if expected.item_type != actual.value.item_type() {
        return Err(mismatch(
            path,
            format!("a {}", expected.item_type),
            format!("a {}", actual.value.item_type()),
        ));
    }
    let Value::Structure(items) = &actual.value else {
        return compare_value(expected, actual, bindings, path, within);
    };
    let generated = within.generated || server_chosen(expected.tag, actual, items, bindings, within.operation);
    let name = xml::attribute_name_of(expected.children.iter().map(|c| (c.tag, c.value.as_deref())));
    let query_payload = within.operation == Some("Query") && expected.tag == Tag::ResponsePayload;
    let (expected_children, actual_children): (Vec<&Element>, Vec<&Ttlv>) = if query_payload {
        check_capabilities(expected, items, path)?;
        let listed = |t: Tag| matches!(t, Tag::Operation | Tag::ObjectType);
        (
            expected.children.iter().filter(|c| !listed(c.tag)).collect(),
            items.iter().filter(|c| !listed(c.tag)).collect(),
        )
    } else if expected.tag == Tag::Attribute {
        // Rule::DefaultIndex
        let zero = |tag: Tag, value: bool| tag == Tag::AttributeIndex && value;
        (
            expected
                .children
                .iter()
                .filter(|c| !zero(c.tag, c.value.as_deref() == Some("0")))
                .collect(),
            items
                .iter()
                .filter(|c| !zero(c.tag, c.value == Value::Integer(0)))
                .collect(),
        )
    } else {
        (expected.children.iter().collect(), items.iter().collect())
    };
    let operation = if expected.tag == Tag::BatchItem {
        expected
            .children
            .iter()
            .find(|c| c.tag == Tag::Operation)
            .and_then(|c| c.value.as_deref())
    } else {
        within.operation
    };
    let within = Within {
        attribute: name,
        operation,
        generated,
    };
    if expected.tag == Tag::ResponsePayload && matches!(operation, Some("GetAttributes" | "GetAttributeList")) {
        return compare_unordered(&expected_children, &actual_children, bindings, path, within);
    }
    let mut batch_items = 0;
    for (n, e) in expected_children.iter().enumerate() {
        let child_path = if e.tag == Tag::BatchItem {
            batch_items += 1;
            format!("{path}/BatchItem[{}]", batch_items - 1)
        } else {
            format!("{path}/{:?}", e.tag)
        };
        let Some(a) = actual_children.get(n) else {
            return Err(mismatch(
                &child_path,
                format!("{:?}", e.tag),
                "nothing (the structure ends)",
            ));
        };
        compare_at(e, a, bindings, &child_path, within)?;
    }
    if let Some(extra) = actual_children.get(expected_children.len()) {
        return Err(mismatch(
            &format!("{path}/{:?}", extra.tag),
            "nothing more",
            describe(extra),
        ));
    }
    Ok(())
}

/// Operations a server sends to a client rather than answers (KMIP 1.4 §5:
/// Notify and Put): a server that pushes nothing need not list them.
const SERVER_TO_CLIENT: &[&str] = &["Notify", "Put"];

/// Whether the values inside this structure were chosen by the server
/// ([`Rule::GeneratedMaterial`]): the payload of an item about a
/// server-generated object, or an Encrypt with a registered public key,
/// or an Encrypt response carrying the IV the server chose.
fn server_chosen(tag: Tag, actual: &Ttlv, items: &[Ttlv], bindings: &Bindings, operation: Option<&str>) -> bool {
    let encrypt = child_text(actual, Tag::Operation).as_deref() == Some("Encrypt");
    let item_of_generated = tag == Tag::BatchItem
        && payload_uids(actual)
            .iter()
            .any(|u| bindings.generated.contains(u) || (encrypt && bindings.public_keys.contains(u)));
    let chosen_iv = tag == Tag::ResponsePayload
        && operation == Some("Encrypt")
        && items.iter().any(|c| c.tag == Tag::IVCounterNonce);
    item_of_generated || chosen_iv
}

/// A leaf value: by length where the server chose it
/// ([`Rule::GeneratedMaterial`]), exactly otherwise; literal values later
/// requests send back are bound.
fn compare_value(
    expected: &Element,
    actual: &Ttlv,
    bindings: &mut Bindings,
    path: &str,
    within: Within<'_>,
) -> Result<(), Mismatch> {
    let operation = within.operation;
    if let (Tag::SignatureData, Some("Sign"), Some(data), Value::ByteString(signature)) =
        (expected.tag, operation, &bindings.signed_data, &actual.value)
    {
        // Rule::RandomizedSignature
        if !bindings.public_key_material.is_empty() {
            if !crate::signatures::verifies(data, &bindings.public_key_material, signature) {
                return Err(mismatch(
                    path,
                    "a signature of the Data that verifies under the conversation's public key",
                    describe(actual),
                ));
            }
            if expected.value.as_deref().is_some_and(xml::is_placeholder) {
                return compare_leaf(expected, actual, bindings, path, within.attribute);
            }
            bind_literal(expected, actual, bindings);
            return Ok(());
        }
    }
    let random_data = operation == Some("RNGRetrieve") && expected.tag == Tag::Data;
    let keyed_output = expected.tag == Tag::Data && operation.is_some_and(|op| KEYED_OUTPUT.contains(&op));
    let chosen_iv = expected.tag == Tag::IVCounterNonce && operation == Some("Encrypt");
    let by_length = random_data
        || (within.generated
            && (keyed_output || chosen_iv || matches!(expected.tag, Tag::KeyMaterial | Tag::DigestValue)));
    if by_length {
        let expected_len = xml::parse_value(expected.item_type, expected.value.as_deref().unwrap_or_default(), None)
            .ok()
            .map(|v| xml::format_value(&v, None).len());
        if expected_len == Some(xml::format_value(&actual.value, None).len()) {
            bind_literal(expected, actual, bindings);
            return Ok(());
        }
    }
    compare_leaf(expected, actual, bindings, path, within.attribute)?;
    bind_literal(expected, actual, bindings);
    Ok(())
}

/// [`Rule::QueryCapabilities`]: every expected Operation and Object Type is
/// listed, except the [`SERVER_TO_CLIENT`] ones.
fn check_capabilities(expected: &Element, actual: &[Ttlv], path: &str) -> Result<(), Mismatch> {
    for e in expected
        .children
        .iter()
        .filter(|c| matches!(c.tag, Tag::Operation | Tag::ObjectType))
        .filter(|c| !(c.tag == Tag::Operation && SERVER_TO_CLIENT.contains(&c.value.as_deref().unwrap_or_default())))
    {
        let text = e.value.as_deref().unwrap_or_default();
        let want = xml::parse_value(ItemType::Enumeration, text, xml::values_for(e.tag, None))
            .map_err(|m| mismatch(path, m, "-"))?;
        if !actual.iter().any(|a| a.tag == e.tag && a.value == want) {
            return Err(mismatch(
                &format!("{path}/{:?}", e.tag),
                format!("{text} among those listed"),
                "not listed",
            ));
        }
    }
    Ok(())
}

fn compare_leaf(
    expected: &Element,
    actual: &Ttlv,
    bindings: &mut Bindings,
    path: &str,
    attribute_name: Option<&str>,
) -> Result<(), Mismatch> {
    let text = expected.value.as_deref().unwrap_or_default();
    if expected.tag == Tag::ResultMessage {
        return Ok(()); // Rule::ResultMessage
    }
    if xml::is_placeholder(text) {
        if let (Some(offset), Value::DateTime(t)) = (now_offset(text), &actual.value) {
            // Rule::ServerClock
            let want = unix_now() + offset;
            return if (t - want).abs() <= CLOCK_SLACK {
                Ok(())
            } else {
                Err(mismatch(
                    path,
                    format!("{text} (within {CLOCK_SLACK} s)"),
                    describe(actual),
                ))
            };
        }
        // Rule::ServerValue
        return match bindings.values.get(text) {
            Some(bound) if *bound == actual.value => Ok(()),
            Some(bound) => Err(mismatch(
                path,
                format!("{text} = \"{}\" as bound earlier", xml::format_value(bound, None)),
                describe(actual),
            )),
            None => {
                bindings.values.insert(text.to_owned(), actual.value.clone());
                Ok(())
            }
        };
    }
    let want = xml::parse_value(expected.item_type, text, xml::values_for(expected.tag, attribute_name))
        .map_err(|m| mismatch(path, m, "-"))?;
    if want == actual.value {
        return Ok(());
    }
    if let (true, Value::DateTime(literal), Value::DateTime(got)) = (bindings.literal_clock, &want, &actual.value) {
        // Rule::LiteralClock: a date no request sent is the reference
        // server's clock; it binds like a placeholder, so each later
        // occurrence of the same literal must be the same actual date.
        if expected.tag == Tag::TimeStamp {
            return Ok(()); // each response's own moment
        }
        if !bindings.sent_dates.contains(literal) && !bindings.sent_dates.contains(got) {
            let key = format!("@{text}");
            return match bindings.values.get(&key) {
                Some(bound) if *bound != actual.value => Err(mismatch(
                    path,
                    format!(
                        "{text}, the server's clock, = \"{}\" as seen earlier",
                        xml::format_value(bound, None)
                    ),
                    describe(actual),
                )),
                Some(_) => Ok(()),
                None => {
                    bindings.values.insert(key, actual.value.clone());
                    Ok(())
                }
            };
        }
    }
    Err(mismatch(path, format!("\"{text}\""), describe(actual)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(xml_text: &str) -> Element {
        xml::parse(xml_text).expect("valid").remove(0)
    }

    fn actual(xml_text: &str) -> Ttlv {
        xml::read(xml_text).expect("valid").remove(0)
    }

    #[test]
    fn a_literal_clock_value_binds_once_and_must_repeat() {
        let response = |stamp: &str, date: &str| {
            format!(
                r#"<ResponseMessage><ResponseHeader><TimeStamp type="DateTime" value="{stamp}"/></ResponseHeader><InitialDate type="DateTime" value="{date}"/></ResponseMessage>"#
            )
        };
        let e = expected(&response("2012-04-27T08:12:22+00:00", "2012-04-27T08:12:22+00:00"));
        let mut b = Bindings::default();
        compare(
            &e,
            &actual(&response("2026-01-01T00:00:00+00:00", "2026-01-01T00:00:05+00:00")),
            &mut b,
        )
        .expect("the reference's clock is the server's");
        compare(
            &e,
            &actual(&response("2026-01-01T00:00:09+00:00", "2026-01-01T00:00:05+00:00")),
            &mut b,
        )
        .expect("the same date again; Time Stamps differ freely");
        let m = compare(
            &e,
            &actual(&response("2026-01-01T00:00:09+00:00", "2026-01-01T00:00:06+00:00")),
            &mut b,
        )
        .expect_err("the same literal, another date");
        assert!(m.to_string().contains("as seen earlier"), "{m}");
        // Written with $NOW, a case's literal dates are compared exactly.
        let exact = expected(&response("$NOW", "2012-04-27T08:12:22+00:00"));
        let now = kmip_codec::datetime::format(unix_now()).unwrap();
        assert!(compare(&exact, &actual(&response(&now, &now)), &mut Bindings::default()).is_err());
    }

    #[test]
    fn server_values_bind_once_and_must_repeat() {
        let mut b = Bindings::default();
        let e = expected(r#"<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>"#);
        compare(
            &e,
            &actual(r#"<UniqueIdentifier type="TextString" value="abc"/>"#),
            &mut b,
        )
        .expect("binds");
        compare(
            &e,
            &actual(r#"<UniqueIdentifier type="TextString" value="abc"/>"#),
            &mut b,
        )
        .expect("repeats");
        let m = compare(
            &e,
            &actual(r#"<UniqueIdentifier type="TextString" value="xyz"/>"#),
            &mut b,
        )
        .expect_err("differs");
        assert!(m.to_string().contains("as bound earlier"), "{m}");
        assert_eq!(
            b.resolve("$UNIQUE_IDENTIFIER_0", ItemType::TextString, Tag::UniqueIdentifier)
                .as_deref(),
            Some("abc")
        );
        assert_eq!(
            b.resolve("$UNIQUE_IDENTIFIER_1", ItemType::TextString, Tag::UniqueIdentifier),
            None
        );
    }

    #[test]
    fn server_clock_has_slack_but_not_unlimited() {
        let mut b = Bindings::default();
        let e = expected(r#"<TimeStamp type="DateTime" value="$NOW-3600"/>"#);
        let at = |t: i64| Ttlv::new(Tag::TimeStamp, Value::DateTime(t));
        compare(&e, &at(unix_now() - 3600 + 30), &mut b).expect("within slack");
        assert!(compare(&e, &at(unix_now()), &mut b).is_err(), "an hour off");
    }

    #[test]
    fn rng_retrieve_data_matches_by_length_only() {
        let mut b = Bindings::default();
        let item = |data: &str| {
            format!(
                r#"<BatchItem><Operation type="Enumeration" value="RNGRetrieve"/><ResultStatus type="Enumeration" value="Success"/><ResponsePayload><Data type="ByteString" value="{data}"/></ResponsePayload></BatchItem>"#
            )
        };
        let e = expected(&item("00112233"));
        compare(&e, &actual(&item("a1b2c3d4")), &mut b).expect("other bytes, same length");
        assert!(compare(&e, &actual(&item("a1b2c3")), &mut b).is_err(), "shorter");
    }

    #[test]
    fn a_server_chosen_iv_matches_by_length_and_binds_what_later_requests_send_back() {
        let mut b = Bindings::default();
        let item = |data: &str, iv: &str| {
            format!(
                r#"<BatchItem><Operation type="Enumeration" value="Encrypt"/><ResultStatus type="Enumeration" value="Success"/><ResponsePayload><UniqueIdentifier type="TextString" value="k"/><Data type="ByteString" value="{data}"/><IVCounterNonce type="ByteString" value="{iv}"/></ResponsePayload></BatchItem>"#
            )
        };
        let e = expected(&item("00112233", "0000"));
        compare(&e, &actual(&item("a1b2c3d4", "ffff")), &mut b).expect("the server chose the IV");
        assert_eq!(
            b.resolve("$IV_COUNTER_NONCE", ItemType::ByteString, Tag::IVCounterNonce)
                .as_deref(),
            Some("ffff")
        );
        assert_eq!(
            b.resolve("$DATA_0", ItemType::ByteString, Tag::Data).as_deref(),
            Some("a1b2c3d4")
        );
        assert!(
            compare(&e, &actual(&item("a1b2c3d4", "ffffff")), &mut b).is_err(),
            "a longer IV"
        );
    }

    #[test]
    fn only_the_new_key_attributes_may_be_extra_in_get_attributes() {
        let item = |attrs: &str| {
            format!(
                r#"<BatchItem><Operation type="Enumeration" value="GetAttributes"/><ResultStatus type="Enumeration" value="Success"/><ResponsePayload><UniqueIdentifier type="TextString" value="k"/>{attrs}</ResponsePayload></BatchItem>"#
            )
        };
        let attr = |name: &str| {
            format!(
                r#"<Attribute><AttributeName type="TextString" value="{name}"/><AttributeValue type="Boolean" value="true"/></Attribute>"#
            )
        };
        let e = expected(&item(&attr("Fresh")));
        let mut b = Bindings::default();
        compare(&e, &actual(&item(&(attr("Fresh") + &attr("Sensitive")))), &mut b).expect("Sensitive may be extra");
        assert!(compare(&e, &actual(&item(&(attr("Fresh") + &attr("x-Other")))), &mut b).is_err());
    }

    #[test]
    fn exact_values_types_and_structure() {
        let mut b = Bindings::default();
        let e = expected(
            r#"<Attribute><AttributeName type="TextString" value="State"/><AttributeValue type="Enumeration" value="Active"/></Attribute>"#,
        );
        let ok = actual(
            r#"<Attribute><AttributeName type="TextString" value="State"/><AttributeValue type="Enumeration" value="Active"/></Attribute>"#,
        );
        compare(&e, &ok, &mut b).expect("same");
        let wrong = actual(
            r#"<Attribute><AttributeName type="TextString" value="State"/><AttributeValue type="Enumeration" value="PreActive"/></Attribute>"#,
        );
        let m = compare(&e, &wrong, &mut b).expect_err("different state");
        assert_eq!(m.path, "Attribute/AttributeValue");
        let zero = actual(
            r#"<Attribute><AttributeName type="TextString" value="State"/><AttributeIndex type="Integer" value="0"/><AttributeValue type="Enumeration" value="Active"/></Attribute>"#,
        );
        compare(&e, &zero, &mut b).expect("index 0 is the default (Rule::DefaultIndex)");
        let extra = actual(
            r#"<Attribute><AttributeName type="TextString" value="State"/><AttributeIndex type="Integer" value="1"/><AttributeValue type="Enumeration" value="Active"/></Attribute>"#,
        );
        assert!(compare(&e, &extra, &mut b).is_err(), "index 1 is another instance");
        let typed = actual(
            r#"<Attribute><AttributeName type="TextString" value="State"/><AttributeValue type="Integer" value="2"/></Attribute>"#,
        );
        assert!(compare(&e, &typed, &mut b).is_err(), "Integer is not Enumeration");
    }
}
