//! What no client (or second server) may do, each a regression test of a
//! hole an adversarial review found, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::objects::aes;
use common::{attr, get, refusal, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn a_second_server_on_the_same_data_directory_is_refused_with_a_clear_reason() {
    let server = TestServer::start().await;
    let second = kmip_server::start(&server.config).await;
    let why = second.err().expect("the second server must not start");
    assert!(why.contains("another kmip-server is serving"), "{why}");
    // The first keeps serving.
    let mut c = server.admin_client().await;
    assert!(c.create(aes(vec![])).await.is_ok());
    server.stop().await;
}

fn flag(attrs: &[Attribute], name: AttributeName) -> Option<bool> {
    attrs.iter().find(|a| a.is(name)).and_then(|a| match a.value {
        AttributeValue::Sensitive(b)
        | AttributeValue::AlwaysSensitive(b)
        | AttributeValue::Extractable(b)
        | AttributeValue::NeverExtractable(b) => Some(b),
        _ => None,
    })
}

fn wrapped_with(uid: &str, kek: &str) -> get::GetRequest {
    get::GetRequest {
        unique_identifier: Some(uid.into()),
        key_wrapping_specification: Some(KeyWrappingSpecification {
            wrapping_method: WrappingMethod::Encrypt,
            encryption_key_information: Some(EncryptionKeyInformation {
                unique_identifier: kek.into(),
                cryptographic_parameters: Some(CryptographicParameters {
                    block_cipher_mode: Some(BlockCipherMode::NISTKeyWrap),
                    ..Default::default()
                }),
            }),
            mac_signature_key_information: None,
            attribute_names: vec![],
            encoding_option: None,
        }),
        ..Default::default()
    }
}

fn modify(uid: &str, value: AttributeValue) -> modify_attribute::ModifyAttributeRequest {
    modify_attribute::ModifyAttributeRequest {
        unique_identifier: Some(uid.into()),
        attribute: attr(value),
    }
}

#[tokio::test]
async fn a_key_that_is_not_extractable_never_leaves_the_server_in_any_form() {
    use common::objects::{attributes, kek};
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let wrapping = c.create(kek()).await.unwrap().unique_identifier;
    common::activate(&mut c, &wrapping).await;
    let key = c
        .create(aes(vec![attr(AttributeValue::Extractable(false))]))
        .await
        .unwrap()
        .unique_identifier;
    let attrs = attributes(&mut c, &key).await;
    assert_eq!(flag(&attrs, AttributeName::NeverExtractable), Some(true));
    let denied = Some(ResultReason::PermissionDenied);
    assert_eq!(refusal(c.get(get(&key)).await), denied, "plain Get");
    assert_eq!(
        refusal(c.get(wrapped_with(&key, &wrapping)).await),
        denied,
        "wrapped Get"
    );
    let export = export::ExportRequest {
        unique_identifier: Some(key.clone()),
        ..Default::default()
    };
    assert_eq!(refusal(c.export(export).await), denied, "Export");
    // Its Re-key successor is no more extractable than it is.
    let next = c
        .rekey(rekey::ReKeyRequest {
            unique_identifier: Some(key.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(refusal(c.get(get(&next)).await), denied, "Re-key successor");
    // Nor are the parts it is split into.
    let split = c
        .create_split_key(create_split_key::CreateSplitKeyRequest {
            object_type: ObjectType::SymmetricKey,
            unique_identifier: Some(key.clone()),
            split_key_parts: 2,
            split_key_threshold: 2,
            split_key_method: SplitKeyMethod::XOR,
            prime_field_size: None,
            template_attribute: TemplateAttribute::default(),
        })
        .await
        .unwrap();
    for part in &split.unique_identifiers {
        assert_eq!(refusal(c.get(get(part)).await), denied, "split part {part}");
    }
    // Setting it Extractable later lets it out, and Never Extractable is
    // False from then on, even if Extractable goes back to False.
    c.modify_attribute(modify(&key, AttributeValue::Extractable(true)))
        .await
        .unwrap();
    assert!(c.get(get(&key)).await.is_ok());
    c.modify_attribute(modify(&key, AttributeValue::Extractable(false)))
        .await
        .unwrap();
    let attrs = attributes(&mut c, &key).await;
    assert_eq!(flag(&attrs, AttributeName::NeverExtractable), Some(false));
    server.stop().await;
}

#[tokio::test]
async fn a_sensitive_key_leaves_only_wrapped_and_derived_keys_inherit_it() {
    use common::objects::{attributes, kek};
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let wrapping = c.create(kek()).await.unwrap().unique_identifier;
    common::activate(&mut c, &wrapping).await;
    let mask = CryptographicUsageMask::Encrypt | CryptographicUsageMask::DeriveKey;
    let key = c
        .create(common::objects::aes_for(
            mask,
            vec![attr(AttributeValue::Sensitive(true))],
        ))
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(
        flag(&attributes(&mut c, &key).await, AttributeName::AlwaysSensitive),
        Some(true)
    );
    assert_eq!(refusal(c.get(get(&key)).await), Some(ResultReason::PermissionDenied));
    assert!(
        c.get(wrapped_with(&key, &wrapping)).await.is_ok(),
        "wrapped it may leave"
    );
    // A key derived from it is Sensitive too.
    common::activate(&mut c, &key).await;
    let derived = c
        .derive_key(derive_key::DeriveKeyRequest {
            object_type: ObjectType::SecretData,
            unique_identifiers: vec![key.clone()],
            derivation_method: DerivationMethod::HMAC,
            derivation_parameters: DerivationParameters {
                derivation_data: Some(Bytes::new(b"context".to_vec())),
                ..common::keys::hmac_parameters()
            },
            template_attribute: TemplateAttribute {
                attributes: vec![attr(AttributeValue::CryptographicLength(256))],
                ..Default::default()
            },
        })
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(
        refusal(c.get(get(&derived)).await),
        Some(ResultReason::PermissionDenied)
    );
    // Once not Sensitive, never Always Sensitive again.
    c.modify_attribute(modify(&key, AttributeValue::Sensitive(false)))
        .await
        .unwrap();
    c.modify_attribute(modify(&key, AttributeValue::Sensitive(true)))
        .await
        .unwrap();
    assert_eq!(
        flag(&attributes(&mut c, &key).await, AttributeName::AlwaysSensitive),
        Some(false)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_response_is_bounded_as_it_grows_and_the_connection_lives_on() {
    use kmip_codec::messages::ops::rng_retrieve::RNGRetrieveRequest;
    let server = TestServer::start_with(|c| c.max_response_size = 1 << 20).await;
    let mut c = server.admin_client().await;
    // 40 items of 64 KiB each would be 2.5 MiB.
    let items = (0..40)
        .map(|_| RequestPayload::RNGRetrieve(RNGRetrieveRequest { data_length: 64 * 1024 }))
        .collect();
    let request = c.request(items);
    let response = c.send(&request).await.unwrap();
    let answered = response.batch_items.len();
    assert!(answered < 40, "the batch stops at the limit ({answered} answered)");
    let last = response.batch_items.last().unwrap();
    assert_eq!(last.result_reason, Some(ResultReason::ResponseTooLarge));
    assert!(response
        .batch_items
        .iter()
        .take(answered - 1)
        .all(|i| i.result_status == ResultStatus::Success));
    let bytes: usize = response.to_bytes().len();
    assert!(bytes <= (1 << 20) + 4096, "{bytes} bytes");
    // The same connection still gets answers.
    assert!(c.create(aes(vec![])).await.is_ok());
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_never_reads_its_response_loses_the_connection_at_the_write_timeout() {
    use kmip_codec::messages::ops::rng_retrieve::RNGRetrieveRequest;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start_with(|c| {
        c.write_timeout_secs = 1;
        c.max_response_size = 128 << 20;
    })
    .await;
    let c = server.admin_client().await;
    // About 64 MiB of answer: far more than the sockets buffer.
    let items = (0..1000)
        .map(|_| RequestPayload::RNGRetrieve(RNGRetrieveRequest { data_length: 64 * 1024 }))
        .collect();
    let request = c.request(items).to_bytes();
    let config = std::sync::Arc::new(server.admin.tls_config().unwrap());
    let tcp = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .unwrap();
    tls.write_all(&request).await.unwrap();
    // Building 64 MiB of answer can take seconds on a slow machine, and the
    // write timeout starts only when the write does: wait until the answer
    // is arriving (more than the TLS 1.3 session tickets) before the clock.
    let tcp = tls.get_ref().0;
    let mut peeked = vec![0u8; 64 * 1024];
    loop {
        let arrived = tcp.peek(&mut peeked).await.unwrap();
        if arrived == 0 || arrived >= 32 * 1024 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Not reading: the server's write blocks, and its write timeout is
    // the clock this test waits on.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mut received = Vec::new();
    // A server that kept the connection would answer in full and then wait
    // for the next request: the read is bounded so that case fails, not hangs.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), tls.read_to_end(&mut received)).await;
    assert!(
        received.len() < 60 << 20,
        "the server should have given up writing ({} bytes reached the client)",
        received.len()
    );
    server.stop().await;
}

#[tokio::test]
async fn pbkdf2_iterations_past_the_servers_cap_are_refused_before_any_work() {
    let server = TestServer::start_with(|c| c.max_pbkdf2_iterations = 1000).await;
    let mut c = server.admin_client().await;
    let password = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SecretData,
            template_attribute: TemplateAttribute {
                attributes: vec![attr(AttributeValue::CryptographicUsageMask(
                    CryptographicUsageMask::DeriveKey,
                ))],
                ..Default::default()
            },
            object: Object::SecretData(SecretData {
                secret_data_type: SecretDataType::Password,
                key_block: common::raw_key(KeyFormatType::Opaque, b"password", None),
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    common::activate(&mut c, &password).await;
    let derive = |iterations| derive_key::DeriveKeyRequest {
        object_type: ObjectType::SecretData,
        unique_identifiers: vec![password.clone()],
        derivation_method: DerivationMethod::PBKDF2,
        derivation_parameters: DerivationParameters {
            salt: Some(Bytes::new(b"salt".to_vec())),
            iteration_count: Some(iterations),
            ..common::keys::hmac_parameters()
        },
        template_attribute: TemplateAttribute {
            attributes: vec![attr(AttributeValue::CryptographicLength(256))],
            ..Default::default()
        },
    };
    assert_eq!(
        refusal(c.derive_key(derive(1001)).await),
        Some(ResultReason::InvalidField)
    );
    assert!(c.derive_key(derive(1000)).await.is_ok(), "at the cap it works");
    server.stop().await;
}

#[tokio::test]
async fn destroyed_key_material_is_gone_from_the_database_files() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = c.create(aes(vec![])).await.unwrap().unique_identifier;
    let sealed: Vec<u8> = server
        .registry()
        .with_conn(|conn| {
            conn.query_row("SELECT sealed FROM objects WHERE uid = ?1", [&uid], |r| r.get(0))
                .unwrap()
        })
        .unwrap();
    let files = || {
        ["kmip.db", "kmip.db-wal"]
            .iter()
            .filter_map(|f| std::fs::read(server.path(f)).ok())
            .collect::<Vec<_>>()
    };
    let holds = |haystack: &[u8]| haystack.windows(sealed.len()).any(|w| w == sealed.as_slice());
    // Checkpointed or not, it is somewhere in the files while it exists.
    assert!(
        files().iter().any(|f| holds(f)),
        "the sealed key is on disk before Destroy"
    );
    c.destroy(destroy::DestroyRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    assert!(
        !files().iter().any(|f| holds(f)),
        "no copy of the sealed material survives in kmip.db or its WAL"
    );
    server.stop().await;
}

#[tokio::test]
async fn credential_files_are_never_written_through_planted_paths() {
    use kmip_server::auth;
    use kmip_server::policy::{RoleName, Scope};
    let server = TestServer::start().await;
    let registry = server.registry();
    let (scope, role) = (Scope::new("default").unwrap(), RoleName::new("admin").unwrap());
    let kek = server.path("kek.key");
    let kek_before = std::fs::read(&kek).unwrap();
    let planted = tempfile::tempdir().unwrap();
    // A directory prepared by someone else, with a symlink to the KEK where
    // the private key's temporary file would go.
    let out = planted.path().join("creds");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&kek, out.join("client.key.tmp")).unwrap();
    let refused = auth::generate_credential(&registry, &server.ca(), &scope, &role, &out, None, None);
    let why = refused.expect_err("a directory holding anything is refused");
    assert!(why.contains("not empty") || why.contains("private"), "{why}");
    // An output path that is itself a symlink is refused too.
    let link = planted.path().join("link");
    std::os::unix::fs::symlink(server.path("."), &link).unwrap();
    assert!(auth::generate_credential(&registry, &server.ca(), &scope, &role, &link, None, None).is_err());
    assert_eq!(std::fs::read(&kek).unwrap(), kek_before, "the KEK is untouched");
    // A fresh directory works, and is private.
    let fresh = planted.path().join("fresh");
    auth::generate_credential(&registry, &server.ca(), &scope, &role, &fresh, None, None).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o700);
    server.stop().await;
}

async fn answers(c: &mut kmip_client::Client) -> bool {
    c.discover_versions(discover_versions::DiscoverVersionsRequest::default())
        .await
        .is_ok()
}

#[tokio::test]
async fn one_credential_cannot_hold_every_connection() {
    let server = TestServer::start_with(|c| c.max_connections_per_credential = 2).await;
    let (reader, _) = server.credential("default", "other", "operation_discover_versions");
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut c = server.admin_client().await;
        assert!(answers(&mut c).await);
        held.push(c);
    }
    let third = server.connect(&server.admin).await;
    let refused = match third {
        Err(_) => true,
        Ok(mut c) => !answers(&mut c).await,
    };
    assert!(refused, "a third connection of the same credential is refused");
    let mut other = server.connect(&reader).await.unwrap();
    assert!(answers(&mut other).await, "another credential still connects");
    drop(held.pop());
    tokio::task::yield_now().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let mut c = server.admin_client().await;
        if answers(&mut c).await {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the freed slot never came back");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn raw_tcp_connections_neither_take_established_slots_nor_starve_other_peers_beyond_their_cap() {
    let server = TestServer::start_with(|c| {
        c.max_connections = 2;
        c.max_connections_per_peer = 8;
    })
    .await;
    // Six sockets that never start TLS: handshakes, not connections.
    let mut raw = Vec::new();
    for _ in 0..6 {
        raw.push(tokio::net::TcpStream::connect(&server.addr).await.unwrap());
    }
    let started = std::time::Instant::now();
    let mut c = server.admin_client().await;
    assert!(answers(&mut c).await);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "served without waiting for the raw sockets' handshake timeout"
    );
    // The peer's cap: 6 raw + 1 real; two more raw fill it, and then even
    // a real client from that address is turned away.
    for _ in 0..2 {
        raw.push(tokio::net::TcpStream::connect(&server.addr).await.unwrap());
    }
    let turned_away = match server.connect(&server.admin).await {
        Err(_) => true,
        Ok(mut c) => !answers(&mut c).await,
    };
    assert!(turned_away, "past its cap a peer address is refused");
    drop(raw);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_batch_cannot_bring_back_a_key_another_client_revoked_and_destroyed() {
    use common::objects::{attributes, state};
    let server = TestServer::start_with(|c| c.max_batch_items = 10_000).await;
    let (reader, _) = server.credential("default", "reader", "operation_get,operation_locate");
    let mut admin = server.admin_client().await;
    let key = admin
        .create(aes(vec![common::name("target")]))
        .await
        .unwrap()
        .unique_identifier;
    common::activate(&mut admin, &key).await;
    // Objects for each Locate to walk: one that matches none scans them all.
    let others = admin.request((0..500).map(|_| RequestPayload::Create(aes(vec![]))).collect());
    admin.send(&others).await.unwrap();
    // The reader's batch: a Get (which clears Fresh: a change the journal
    // keeps), many slow-enough Locates, then a failing item, with Undo.
    let mut r = server.connect(&reader).await.unwrap();
    let mut items = vec![RequestPayload::Get(get(&key))];
    // Each a different one, so that none is answered from the Locate cache.
    for i in 0..3_000 {
        items.push(RequestPayload::Locate(locate::LocateRequest {
            attributes: vec![attr(AttributeValue::ContactInformation(format!("nobody {i}")))],
            ..Default::default()
        }));
    }
    items.push(RequestPayload::Get(get("no-such-object")));
    let mut request = r.request(items);
    request.header.batch_error_continuation_option = Some(BatchErrorContinuationOption::Undo);
    let started = std::time::Instant::now();
    let batch = tokio::spawn(async move { r.send(&request).await.unwrap() });
    // Meanwhile (once the batch's Get has surely run: the batch takes
    // seconds, its Get the first milliseconds) the scope's admin revokes
    // the key as compromised and destroys it.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    admin
        .revoke(revoke::RevokeRequest {
            unique_identifier: Some(key.clone()),
            revocation_reason: RevocationReason {
                code: RevocationReasonCode::KeyCompromise,
                message: None,
            },
            compromise_occurrence_date: None,
        })
        .await
        .unwrap();
    admin
        .destroy(destroy::DestroyRequest {
            unique_identifier: Some(key.clone()),
        })
        .await
        .unwrap();
    let answered = batch.await.unwrap();
    assert!(
        started.elapsed() > std::time::Duration::from_millis(600),
        "the batch outlasted the admin's changes ({:?}), so they came in between",
        started.elapsed()
    );
    assert!(answered
        .batch_items
        .last()
        .is_some_and(|i| i.result_status == ResultStatus::OperationFailed));
    assert_eq!(
        state(&attributes(&mut admin, &key).await),
        State::DestroyedCompromised,
        "the key stays destroyed whatever the batch undid"
    );
    assert_eq!(
        refusal(admin.get(get(&key)).await),
        Some(ResultReason::KeyValueNotPresent)
    );
    server.stop().await;
}

#[tokio::test]
async fn import_cannot_bring_back_a_destroyed_key_nor_forge_never_extractable() {
    use common::objects::{attributes, material};
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = c.create(aes(vec![])).await.unwrap().unique_identifier;
    let exported = c
        .export(export::ExportRequest {
            unique_identifier: Some(uid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let import = |uid: &str, attributes: Vec<Attribute>| import::ImportRequest {
        unique_identifier: uid.into(),
        replace_existing: Some(true),
        key_wrap_type: None,
        attributes,
        object: exported.object.clone(),
    };
    c.destroy(destroy::DestroyRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    assert_eq!(
        refusal(c.import(import(&uid, exported.attributes.clone())).await),
        Some(ResultReason::IllegalOperation),
        "a destroyed key stays destroyed"
    );
    assert_eq!(refusal(c.get(get(&uid)).await), Some(ResultReason::KeyValueNotPresent));
    // A new import claiming Never Extractable while Extractable is True.
    let mut forged: Vec<Attribute> = exported
        .attributes
        .iter()
        .filter(|a| !a.is(AttributeName::NeverExtractable))
        .cloned()
        .collect();
    forged.push(attr(AttributeValue::NeverExtractable(true)));
    c.import(import("imported-elsewhere", forged)).await.unwrap();
    let attrs = attributes(&mut c, "imported-elsewhere").await;
    assert_eq!(flag(&attrs, AttributeName::NeverExtractable), Some(false));
    assert!(!material(&mut c, "imported-elsewhere").await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn the_database_is_private_even_in_a_data_directory_made_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start_with(|c| {
        std::fs::create_dir_all(&c.data_dir).unwrap();
        std::fs::set_permissions(&c.data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    })
    .await;
    let mut c = server.admin_client().await;
    c.create(aes(vec![])).await.unwrap();
    for file in ["kmip.db", "kmip.db-wal", "audit.log", "kek.key", "sealing.key"] {
        let mode = std::fs::metadata(server.path(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{file} is {mode:o}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_request_that_cannot_be_audited_is_refused_and_changes_nothing() {
    let full = |fail_closed| {
        move |c: &mut kmip_server::config::Config| {
            c.audit_log = Some("/dev/full".into()); // every write fails: a full disk
            c.audit_fail_closed = fail_closed;
        }
    };
    let server = TestServer::start_with(full(true)).await;
    let mut c = server.admin_client().await;
    assert_eq!(refusal(c.create(aes(vec![])).await), Some(ResultReason::GeneralFailure));
    let count = server.objects_in("default");
    assert_eq!(count, 0, "nothing was created");
    server.stop().await;
    // Fail-open, when so configured, serves on.
    let server = TestServer::start_with(full(false)).await;
    let mut c = server.admin_client().await;
    assert!(c.create(aes(vec![])).await.is_ok());
    server.stop().await;
}

#[tokio::test]
async fn a_small_split_request_cannot_multiply_a_large_secret_in_the_store() {
    let server = TestServer::start_with(|c| c.max_message_size = 256 * 1024).await;
    let mut c = server.admin_client().await;
    let big = vec![7u8; 100 * 1024];
    let secret = c
        .register(register::RegisterRequest {
            object_type: ObjectType::SecretData,
            template_attribute: TemplateAttribute::default(),
            object: Object::SecretData(SecretData {
                secret_data_type: SecretDataType::Seed,
                key_block: common::raw_key(KeyFormatType::Opaque, &big, None),
            }),
        })
        .await
        .unwrap()
        .unique_identifier;
    let split = |parts| create_split_key::CreateSplitKeyRequest {
        object_type: ObjectType::SecretData,
        unique_identifier: Some(secret.clone()),
        split_key_parts: parts,
        split_key_threshold: parts,
        split_key_method: SplitKeyMethod::XOR,
        prime_field_size: None,
        template_attribute: TemplateAttribute::default(),
    };
    assert_eq!(
        refusal(c.create_split_key(split(255)).await),
        Some(ResultReason::InvalidField),
        "255 parts of 100 KiB would be 25 MiB from a request of a few hundred bytes"
    );
    assert!(c.create_split_key(split(2)).await.is_ok(), "within the limit it splits");
    server.stop().await;
}

#[tokio::test]
async fn one_credential_cannot_take_all_of_its_scopes_operations_in_parts() {
    let server = TestServer::start().await;
    let (other, _) = server.credential("default", "hasher", "operation_hash");
    let open_hash = || hash::HashRequest {
        cryptographic_parameters: CryptographicParameters {
            hashing_algorithm: Some(HashingAlgorithm::SHA_256),
            ..Default::default()
        },
        data: Some(Bytes::new(b"part".to_vec())),
        correlation_value: None,
        init_indicator: Some(true),
        final_indicator: Some(false),
    };
    let mut a = server.admin_client().await;
    for _ in 0..kmip_server::engine::streams::PER_CREDENTIAL {
        a.hash(open_hash()).await.unwrap();
    }
    assert_eq!(refusal(a.hash(open_hash()).await), Some(ResultReason::PermissionDenied));
    let mut b = server.connect(&other).await.unwrap();
    assert!(
        b.hash(open_hash()).await.is_ok(),
        "another credential of the scope still can"
    );
    server.stop().await;
}

#[tokio::test]
async fn validate_refuses_a_chain_where_a_certificate_that_is_no_ca_signs_another() {
    use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair};
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let params = |cn: &str, ca: bool| {
        let mut p = CertificateParams::new(vec![]).unwrap();
        p.distinguished_name = DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.is_ca = if ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::NoCa
        };
        p
    };
    use common::keys::x509;
    let verdict = |leaf: &[u8], anchor: String| validate::ValidateRequest {
        certificates: vec![x509(leaf)],
        unique_identifiers: vec![anchor],
        validity_date: None,
    };
    let hold = |der: Vec<u8>| register::RegisterRequest {
        object_type: ObjectType::Certificate,
        template_attribute: TemplateAttribute::default(),
        object: Object::Certificate(x509(&der)),
    };
    // A self-signed certificate that is no CA, held by the caller, signs a leaf.
    let plain_key = KeyPair::generate().unwrap();
    let plain = params("plain", false).self_signed(&plain_key).unwrap();
    let plain_issuer = Issuer::new(params("plain", false), plain_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = params("leaf", false).signed_by(&leaf_key, &plain_issuer).unwrap();
    let held = c.register(hold(plain.der().to_vec())).await.unwrap().unique_identifier;
    let answer = c.validate(verdict(leaf.der(), held)).await.unwrap();
    assert_eq!(
        answer.validity_indicator,
        ValidityIndicator::Invalid,
        "openssl refuses this chain too"
    );
    // The same with a real CA is valid.
    let ca_key = KeyPair::generate().unwrap();
    let ca = params("ca", true).self_signed(&ca_key).unwrap();
    let ca_issuer = Issuer::new(params("ca", true), ca_key);
    let leaf = params("leaf", false).signed_by(&leaf_key, &ca_issuer).unwrap();
    let held = c.register(hold(ca.der().to_vec())).await.unwrap().unique_identifier;
    let answer = c.validate(verdict(leaf.der(), held)).await.unwrap();
    assert_eq!(answer.validity_indicator, ValidityIndicator::Valid);
    server.stop().await;
}

#[tokio::test]
async fn validate_refuses_a_certify_issued_leaf_used_as_an_issuer() {
    use common::keys::{certified_pair, key_bytes, x509};
    use rcgen::{CertificateParams, DistinguishedName, DnType, Issuer, KeyPair};
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let (private, certified) = certified_pair(&mut c).await;
    let issued = match c.get(get(&certified)).await.unwrap().object {
        Object::Certificate(x) => x.certificate_value.to_vec(),
        other => panic!("{other:?}"),
    };
    let pkcs8 = c
        .get(get::GetRequest {
            unique_identifier: Some(private),
            key_format_type: Some(KeyFormatType::PKCS_8),
            ..Default::default()
        })
        .await
        .unwrap()
        .object;
    let key = KeyPair::try_from(key_bytes(&pkcs8).1.as_slice()).unwrap();
    // The object CA's leaf (no CA) signs a certificate of its own.
    let issuer = Issuer::from_ca_cert_der(&issued.clone().into(), key).unwrap();
    let mut p = CertificateParams::new(vec![]).unwrap();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, "forged");
    let forged = p.signed_by(&KeyPair::generate().unwrap(), &issuer).unwrap();
    let answer = c
        .validate(validate::ValidateRequest {
            certificates: vec![x509(forged.der()), x509(&issued)],
            unique_identifiers: vec![],
            validity_date: None,
        })
        .await
        .unwrap();
    assert_eq!(answer.validity_indicator, ValidityIndicator::Invalid);
    server.stop().await;
}

#[tokio::test]
async fn a_batch_of_more_key_pair_generations_than_the_budget_is_refused_before_any_runs() {
    use common::keys::key_pair;
    let server = TestServer::start_with(|c| c.max_heavy_items = 2).await;
    let mut c = server.admin_client().await;
    let pairs = |n| {
        (0..n)
            .map(|_| RequestPayload::CreateKeyPair(key_pair(CryptographicAlgorithm::EC, 256)))
            .collect::<Vec<_>>()
    };
    let over = c.request(pairs(3));
    let answer = c.send(&over).await.unwrap();
    assert!(answer
        .batch_items
        .iter()
        .all(|i| i.result_reason == Some(ResultReason::InvalidMessage)));
    let count = server.objects_in("default");
    assert_eq!(count, 0, "none of them ran");
    let within = c.request(pairs(2));
    let answer = c.send(&within).await.unwrap();
    assert!(answer
        .batch_items
        .iter()
        .all(|i| i.result_status == ResultStatus::Success));
    server.stop().await;
}

fn rsa_pairs(n: usize) -> Vec<RequestPayload> {
    (0..n)
        .map(|_| RequestPayload::CreateKeyPair(common::keys::key_pair(CryptographicAlgorithm::RSA, 2048)))
        .collect()
}

#[tokio::test]
async fn a_client_that_closes_its_connection_cancels_the_rest_of_its_batch() {
    let server = TestServer::start_with(|c| c.max_heavy_items = 200).await;
    let mut c = server.admin_client().await;
    let batch = c.request(rsa_pairs(200));
    // Send the batch (minutes of RSA generation on this machine), then
    // hang up without waiting for the answer.
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), c.send(&batch)).await;
    drop(c);
    let audit = server.path("audit.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let log = loop {
        let log = std::fs::read_to_string(&audit).unwrap_or_default();
        if log.contains("\"OperationCanceledByRequester\"") {
            break log;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the batch ran on after the client left"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let done = log
        .lines()
        .filter(|l| l.contains("\"CreateKeyPair\"") && l.contains("\"Success\""))
        .count();
    assert!(
        done < 150,
        "{done} of 200 key pairs were made for a client that had left"
    );
    let count = server.objects_in("default");
    assert_eq!(count, 2 * done as u64, "what ran is kept, nothing else");
    server.stop().await;
}

#[tokio::test]
async fn heavy_requests_wait_for_a_slot_while_light_ones_are_answered() {
    let server = TestServer::start_with(|c| c.max_heavy_requests = 1).await;
    let (mut a, mut b, mut light) = (
        server.admin_client().await,
        server.admin_client().await,
        server.admin_client().await,
    );
    let long = a.request(rsa_pairs(16));
    let long = tokio::spawn(async move {
        a.send(&long).await.unwrap();
        std::time::Instant::now()
    });
    // Let the long batch take the one heavy slot.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let short = tokio::spawn(async move {
        b.create_key_pair(common::keys::key_pair(CryptographicAlgorithm::EC, 256))
            .await
            .unwrap();
        std::time::Instant::now()
    });
    light.create(aes(vec![])).await.unwrap();
    let light_done = std::time::Instant::now();
    let (long_done, short_done) = (long.await.unwrap(), short.await.unwrap());
    assert!(light_done < long_done, "a light request is not held up by heavy work");
    assert!(short_done > long_done, "the second heavy request ran beside the first");
    server.stop().await;
}

fn secret(bytes: usize) -> register::RegisterRequest {
    register::RegisterRequest {
        object_type: ObjectType::SecretData,
        template_attribute: TemplateAttribute::default(),
        object: Object::SecretData(SecretData {
            secret_data_type: SecretDataType::Password,
            key_block: common::raw_key(KeyFormatType::Opaque, &vec![1u8; bytes], None),
        }),
    }
}

#[tokio::test]
async fn a_scope_cannot_grow_past_its_quota_and_other_scopes_are_not_affected() {
    let server = TestServer::start_with(|c| c.max_objects_per_scope = 3).await;
    let mut admin = server.admin_client().await;
    let mut keys = Vec::new();
    for _ in 0..3 {
        keys.push(admin.create(aes(vec![])).await.unwrap().unique_identifier);
    }
    match admin.create(aes(vec![])).await {
        Err(kmip_client::ClientError::Failed { reason, message, .. }) => {
            assert_eq!(reason, Some(ResultReason::PermissionDenied));
            let message = message.unwrap_or_default();
            assert!(message.contains("quota of 3"), "{message}");
        }
        other => panic!("a fourth object was admitted: {other:?}"),
    }
    // A refused key pair stores neither half.
    let pair = common::keys::key_pair(CryptographicAlgorithm::EC, 256);
    assert_eq!(
        refusal(admin.create_key_pair(pair).await),
        Some(ResultReason::PermissionDenied)
    );
    let all = admin.locate(locate::LocateRequest::default()).await.unwrap();
    assert_eq!(
        all.unique_identifiers.len(),
        3,
        "nothing of the refused requests was stored"
    );

    // Another scope has a quota of its own, in bytes here, set while the
    // server runs.
    let (tenant, _) = server.credential("tenant", "admin", "operation_all");
    server
        .registry()
        .set_quota(&kmip_server::policy::Scope::new("tenant").unwrap(), None, Some(8_000))
        .unwrap();
    let mut t = server.connect(&tenant).await.unwrap();
    let small = t.register(secret(1_000)).await.unwrap().unique_identifier;
    assert_eq!(
        refusal(t.register(secret(10_000)).await),
        Some(ResultReason::PermissionDenied),
        "10 kB of secret past a quota of 8 kB"
    );
    assert_eq!(
        refusal(
            t.add_attribute(add_attribute::AddAttributeRequest {
                unique_identifier: Some(small),
                attribute: attr(AttributeValue::ObjectGroup("g".repeat(9_000))),
            })
            .await
        ),
        Some(ResultReason::PermissionDenied),
        "attribute values count as well"
    );

    // Destroy frees an object's place (its metadata stays, its material goes).
    admin
        .destroy(destroy::DestroyRequest {
            unique_identifier: Some(keys[0].clone()),
        })
        .await
        .unwrap();
    admin.create(aes(vec![])).await.expect("room again after a Destroy");
    let listed = server.registry().list_scopes().unwrap();
    let default = listed.iter().find(|s| s.name == "default").unwrap();
    assert_eq!((default.objects, default.max_objects), (3, None));
    server.stop().await;
}

/// The subject of a certificate object: (Organization, Common Name).
async fn subject_of(c: &mut kmip_client::Client, uid: &str) -> (String, String) {
    let Object::Certificate(cert) = c.get(get(uid)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, x509) = x509_parser::parse_x509_certificate(&cert.certificate_value).unwrap();
    let subject = x509.subject();
    let text = |v: Option<&x509_parser::x509::AttributeTypeAndValue<'_>>| {
        v.and_then(|v| v.as_str().ok()).unwrap_or_default().to_owned()
    };
    let subject = (
        text(subject.iter_organization().next()),
        text(subject.iter_common_name().next()),
    );
    subject
}

#[tokio::test]
async fn certify_names_the_callers_scope_in_every_subject_whatever_the_request_claims() {
    let server = TestServer::start().await;
    let (tenant, _) = server.credential("tenant", "admin", "operation_all");
    let mut t = server.connect(&tenant).await.unwrap();
    // A public key named as another tenant's service.
    let mut pair = common::keys::key_pair(CryptographicAlgorithm::EC, 256);
    if let Some(public) = pair.public_key_template_attribute.as_mut() {
        public.attributes.push(common::name("payments.default"));
    }
    let public = t.create_key_pair(pair).await.unwrap().public_key_unique_identifier;
    let cert = t
        .certify(certify::CertifyRequest {
            unique_identifier: Some(public),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(
        subject_of(&mut t, &cert).await,
        ("tenant".into(), "payments.default".into())
    );
    // A CSR that asks for the default scope's organisation gets its own.
    let mut params = rcgen::CertificateParams::new(vec!["payments.example".into()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "default");
    params.distinguished_name.push(rcgen::DnType::CommonName, "payments");
    let csr = params.serialize_request(&rcgen::KeyPair::generate().unwrap()).unwrap();
    let from_csr = t
        .certify(certify::CertifyRequest {
            certificate_request_type: Some(CertificateRequestType::PKCS_10),
            certificate_request: Some(Bytes::new(csr.der().to_vec())),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let (organization, _) = subject_of(&mut t, &from_csr).await;
    assert_eq!(organization, "tenant");
    let Object::Certificate(issued) = t.get(get(&from_csr)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, x509) = x509_parser::parse_x509_certificate(&issued.certificate_value).unwrap();
    assert!(
        x509.subject_alternative_name().unwrap().is_none(),
        "no names the CSR asked for"
    );
    // A renewal stays in the scope of whoever renews.
    let renewed = t
        .recertify(recertify::ReCertifyRequest {
            unique_identifier: Some(cert),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(
        subject_of(&mut t, &renewed).await,
        ("tenant".into(), "payments.default".into())
    );
    server.stop().await;
}
