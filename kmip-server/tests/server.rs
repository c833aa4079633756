//! The server over real TLS sockets: authentication, authorisation, the
//! protocol core and bad input, each from a client's side of the wire.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::time::Duration;

use common::TestServer;
use kmip_client::{Client, ClientError, Credentials};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::discover_versions::DiscoverVersionsRequest;
use kmip_codec::messages::ops::get::GetRequest;
use kmip_codec::messages::ops::query::QueryRequest;
use kmip_codec::messages::*;
use kmip_codec::ttlv::{Limits, Writer};
use kmip_codec::Tag;
use kmip_server::auth::ca::Ca;
use kmip_server::config::KeyType;
use kmip_server::policy::{RoleName, Scope};
use kmip_server::store::objects::ScopedObjects;
use kmip_server::store::Objects as _;

fn query(functions: &[QueryFunction]) -> RequestPayload {
    RequestPayload::Query(QueryRequest {
        query_functions: functions.to_vec(),
    })
}

fn discover() -> RequestPayload {
    RequestPayload::DiscoverVersions(DiscoverVersionsRequest {
        protocol_versions: vec![],
    })
}

/// Whether the connection still answers (a refused or closed one does not).
async fn answers(client: &mut Client) -> bool {
    client.call(discover()).await.is_ok()
}

#[tokio::test]
async fn discover_versions_and_query_over_mutual_tls() {
    let server = TestServer::start().await;
    let mut client = server.admin_client().await;
    let versions = client
        .discover_versions(DiscoverVersionsRequest {
            protocol_versions: vec![],
        })
        .await
        .expect("discover")
        .protocol_versions;
    let expected: Vec<_> = [(1, 4), (1, 3), (1, 2), (1, 1), (1, 0)]
        .iter()
        .map(|(a, b)| ProtocolVersion::new(*a, *b))
        .collect();
    assert_eq!(versions, expected);

    // Only the versions both sides speak, in the server's order.
    let only = client
        .call(RequestPayload::DiscoverVersions(DiscoverVersionsRequest {
            protocol_versions: vec![
                ProtocolVersion::new(1, 0),
                ProtocolVersion::new(2, 0),
                ProtocolVersion::new(1, 2),
            ],
        }))
        .await
        .unwrap();
    let ResponsePayload::DiscoverVersions(only) = only else {
        panic!()
    };
    assert_eq!(
        only.protocol_versions,
        [ProtocolVersion::new(1, 2), ProtocolVersion::new(1, 0)]
    );

    let answer = client
        .call(query(&[
            QueryFunction::QueryOperations,
            QueryFunction::QueryServerInformation,
        ]))
        .await
        .expect("query");
    let ResponsePayload::Query(q) = answer else {
        panic!("not a Query response")
    };
    assert_eq!(q.operations, kmip_server::ops::IMPLEMENTED);
    assert!(q.vendor_identification.unwrap().starts_with("kmip-rs "));
    server.stop().await;
}

#[tokio::test]
async fn a_response_carries_the_request_version_and_other_majors_are_refused() {
    let server = TestServer::start().await;
    let mut client = server.admin_client().await;
    for minor in 0..=4 {
        client.set_version(ProtocolVersion::new(1, minor));
        let response = client.send(&client.request(vec![discover()])).await.unwrap();
        assert_eq!(response.header.protocol_version, ProtocolVersion::new(1, minor));
        assert_eq!(response.batch_items[0].result_status, ResultStatus::Success);
    }
    client.set_version(ProtocolVersion::new(2, 0));
    let response = client.send(&client.request(vec![discover()])).await.unwrap();
    let item = &response.batch_items[0];
    assert_eq!(item.operation, None, "a version failure has no Operation (§11.1)");
    assert_eq!(item.result_reason, Some(ResultReason::InvalidMessage));
    assert!(item.result_message.as_deref().unwrap().contains("2.0 is not supported"));
    client.set_version(ProtocolVersion::new(1, 4));
    assert!(answers(&mut client).await, "the connection stays usable");
    // Negotiation picks the highest version both speak.
    assert_eq!(client.negotiate().await.unwrap(), ProtocolVersion::new(1, 4));
    server.stop().await;
}

#[tokio::test]
async fn a_client_without_a_certificate_is_refused() {
    let server = TestServer::start().await;
    let refused = match Client::connect_with(&server.addr, "localhost", server.anonymous_tls()).await {
        Err(_) => true,
        Ok(mut c) => !answers(&mut c).await,
    };
    assert!(refused, "no client certificate must mean no KMIP");
    let mut admin = server.admin_client().await;
    assert!(answers(&mut admin).await);
    server.stop().await;
}

async fn refused(server: &TestServer, creds: &Credentials) -> bool {
    match server.connect(creds).await {
        Err(_) => true,
        Ok(mut c) => !answers(&mut c).await,
    }
}

#[tokio::test]
async fn certificates_from_another_ca_or_unregistered_are_refused() {
    let server = TestServer::start().await;
    let other_dir = tempfile::tempdir().unwrap();
    let other = Ca::create(other_dir.path(), KeyType::Ec).unwrap();
    let issued = other
        .issue_client("default", "admin", KeyType::Ec, Duration::from_secs(3600), None)
        .unwrap();
    let write = |name: &str, data: &[u8]| {
        let p = other_dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        p
    };
    let cert = write("client.pem", issued.issued.cert_pem.as_bytes());
    let key = write("client.key", issued.key_pem.as_bytes());
    let foreign = Credentials::from_files(&server.path("ca/ca.pem"), &cert, &key).unwrap();
    assert!(refused(&server, &foreign).await, "another CA's certificate");

    // Signed by our CA but never registered (e.g. a registry that was reset).
    let unregistered = server
        .ca()
        .issue_client("default", "admin", KeyType::Ec, Duration::from_secs(3600), None)
        .unwrap();
    let cert = write("u.pem", unregistered.issued.cert_pem.as_bytes());
    let key = write("u.key", unregistered.key_pem.as_bytes());
    let creds = Credentials::from_files(&server.path("ca/ca.pem"), &cert, &key).unwrap();
    assert!(refused(&server, &creds).await, "an unregistered serial");
    server.stop().await;
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let server = TestServer::start().await;
    let two_years_ago = time::OffsetDateTime::now_utc() - time::Duration::days(730);
    let issued = server
        .ca()
        .issue_client(
            "default",
            "admin",
            KeyType::Ec,
            Duration::from_secs(86_400),
            Some(two_years_ago),
        )
        .unwrap();
    let registry = server.registry();
    // Registered as live (not_after in the future), so only TLS can refuse it.
    registry
        .add_credential(
            &issued.issued.serial,
            &Scope::new("default").unwrap(),
            &RoleName::new("admin").unwrap(),
            "expired",
            i64::MAX,
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.pem"), &issued.issued.cert_pem).unwrap();
    std::fs::write(dir.path().join("client.key"), issued.key_pem.as_bytes()).unwrap();
    std::fs::copy(server.path("ca/ca.pem"), dir.path().join("ca.pem")).unwrap();
    let creds = Credentials::from_dir(dir.path()).unwrap();
    assert!(refused(&server, &creds).await);
    server.stop().await;
}

#[tokio::test]
async fn revocation_refuses_new_connections_and_ends_open_ones_at_the_next_request() {
    let server = TestServer::start().await;
    let (creds, serial) = server.credential("default", "ops", "operation_discover_versions");
    let mut open = server.connect(&creds).await.unwrap();
    assert!(answers(&mut open).await);
    // The admin CLI revokes from its own process and database connection.
    server.registry().revoke(&serial).unwrap();
    assert!(
        !answers(&mut open).await,
        "the open connection is refused at its next request"
    );
    assert!(refused(&server, &creds).await, "and no new connection is accepted");
    assert!(server.registry().lookup(&serial).unwrap().revoked.is_some());
    // Both refusals are audited, naming the credential.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let log = server.audit_lines();
        let refusals = log
            .iter()
            .filter(|r| r["event"] == "connection.refused")
            .filter(|r| r["reason"].as_str().is_some_and(|why| why.contains(&serial)))
            .count();
        if refusals >= 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{refusals} refusals audited: {log:?}"
        );
        tokio::time::sleep(kmip_server::audit::BATCH_INTERVAL).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn a_revocation_written_to_the_database_without_the_cli_takes_effect_within_the_reload_interval() {
    let server = TestServer::start().await;
    let (creds, serial) = server.credential("default", "ops", "operation_discover_versions");
    let mut open = server.connect(&creds).await.unwrap();
    assert!(answers(&mut open).await);
    // SQL by hand (a restored database, say): nobody pokes the server.
    server
        .registry()
        .with_conn(|c| {
            c.execute_batch(&format!(
                "UPDATE credentials SET revoked = 1 WHERE serial = '{serial}';
             UPDATE registry_generation SET value = value + 1;"
            ))
            .unwrap()
        })
        .unwrap();
    tokio::time::sleep(kmip_server::auth::reload::INTERVAL * 2 + std::time::Duration::from_millis(500)).await;
    assert!(!answers(&mut open).await, "the server's own check saw the revocation");
    server.stop().await;
}

#[tokio::test]
async fn a_role_without_operation_query_is_denied_query() {
    let server = TestServer::start().await;
    let (creds, _) = server.credential(
        "default",
        "reader",
        "operation_get,operation_locate,operation_discover_versions",
    );
    let mut client = server.connect(&creds).await.unwrap();
    match client.call(query(&[QueryFunction::QueryOperations])).await {
        Err(ClientError::Failed { reason, message }) => {
            assert_eq!(reason, Some(ResultReason::PermissionDenied));
            assert_eq!(
                message.as_deref(),
                Some("role \"reader\" of scope \"default\" does not permit operation_query")
            );
        }
        other => panic!("expected Permission Denied, got {other:?}"),
    }
    // A permitted operation runs: Get of an unknown object is Item Not Found.
    let get = RequestPayload::Get(GetRequest {
        unique_identifier: Some("1".into()),
        ..Default::default()
    });
    assert_eq!(
        common::refusal(client.call(get).await),
        Some(ResultReason::ItemNotFound),
        "expected Item Not Found, got"
    );
    // Notify goes from server to client: a server does not answer it.
    let mut admin = server.admin_client().await;
    let notify = RequestPayload::Notify(kmip_codec::messages::ops::notify::NotifyRequest {
        unique_identifier: "1".into(),
        attributes: vec![],
    });
    match admin.call(notify).await {
        Err(ClientError::Failed { reason, message }) => {
            assert_eq!(reason, Some(ResultReason::OperationNotSupported));
            assert_eq!(
                message.as_deref(),
                Some("Notify is sent by a server to a client; this server does not answer it")
            );
        }
        other => panic!("expected Operation Not Supported, got {other:?}"),
    }
    assert!(answers(&mut client).await);
    server.stop().await;
}

#[tokio::test]
async fn scopes_see_only_their_own_objects() {
    // Create and Register arrive with the store issue; until then the scope
    // boundary is checked where it is enforced, in the store's SQL.
    let server = TestServer::start().await;
    let registry = server.registry();
    let (a, b) = (Scope::new("finance").unwrap(), Scope::new("hr").unwrap());
    registry.create_scope(&a).unwrap();
    registry.create_scope(&b).unwrap();
    registry
        .with_conn(|conn| {
            ScopedObjects::new(conn, &a)
                .insert("uid-1", ObjectType::SymmetricKey.0)
                .unwrap();
            assert_eq!(
                ScopedObjects::new(conn, &a).object_type("uid-1").unwrap(),
                Some(ObjectType::SymmetricKey.0)
            );
            assert_eq!(
                ScopedObjects::new(conn, &b).object_type("uid-1").unwrap(),
                None,
                "invisible from another scope"
            );
            assert_eq!(
                ScopedObjects::new(conn, &b).object_type("uid-2").unwrap(),
                None,
                "same answer as missing"
            );
        })
        .unwrap();
    let e = registry.delete_scope(&a, false).expect_err("holds an object");
    assert!(e.to_string().contains("still holds 1 objects"), "{e}");
    assert_eq!(registry.delete_scope(&a, true).unwrap(), 1);
    registry
        .with_conn(|conn| assert_eq!(ScopedObjects::new(conn, &a).count().unwrap(), 0))
        .unwrap();
    server.stop().await;
}

/// A minimal request message around a hand-built batch item, for inputs the
/// typed model would not produce.
fn raw_request(items: usize, item: impl Fn(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::new();
    let m = w.begin(Tag::RequestMessage);
    let h = w.begin(Tag::RequestHeader);
    let v = w.begin(Tag::ProtocolVersion);
    w.integer(Tag::ProtocolVersionMajor, 1);
    w.integer(Tag::ProtocolVersionMinor, 4);
    w.end(v);
    w.integer(Tag::BatchCount, items as i32);
    w.end(h);
    for _ in 0..items {
        item(&mut w);
    }
    w.end(m);
    w.into_bytes()
}

#[tokio::test]
async fn bad_input_gets_the_specified_answer_and_others_keep_being_served() {
    let server = TestServer::start().await;
    let mut bystander = server.admin_client().await;
    let limits = Limits::default();

    // An unknown tag inside a payload: that item fails with Invalid Field,
    // the connection carries on.
    let mut client = server.admin_client().await;
    let bytes = raw_request(1, |w| {
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, Operation::Query.0);
        let p = w.begin(Tag::RequestPayload);
        w.text(Tag(0x54_00AA), "what is this");
        w.end(p);
        w.end(b);
    });
    let response = ResponseMessage::from_bytes(&client.send_raw(&bytes).await.unwrap(), &limits).unwrap();
    let item = &response.batch_items[0];
    assert_eq!(item.operation, Some(Operation::Query));
    assert_eq!(item.result_reason, Some(ResultReason::InvalidField));
    assert!(
        item.result_message.as_deref().unwrap().contains("0x5400AA"),
        "{:?}",
        item.result_message
    );
    assert!(answers(&mut client).await);

    // Framing intact but the body is not valid TTLV (a Boolean of 2):
    // Invalid Message, connection still usable.
    let mut bad = raw_request(1, |w| {
        let b = w.begin(Tag::BatchItem);
        w.enumeration(Tag::Operation, Operation::Query.0);
        let p = w.begin(Tag::RequestPayload);
        w.boolean(Tag::RandomIV, true);
        w.end(p);
        w.end(b);
    });
    let at = bad.len() - 1;
    bad[at] = 2;
    let response = ResponseMessage::from_bytes(&client.send_raw(&bad).await.unwrap(), &limits).unwrap();
    assert_eq!(
        response.batch_items[0].result_reason,
        Some(ResultReason::InvalidMessage)
    );
    assert!(answers(&mut client).await);

    // Garbage: no KMIP answer, the connection is closed.
    let mut garbage = server.admin_client().await;
    assert!(garbage.send_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.is_err());

    // A length field of 2^31: closed at once, nothing allocated.
    let mut huge = server.admin_client().await;
    let started = std::time::Instant::now();
    let header = [0x42, 0x00, 0x78, 0x01, 0x80, 0x00, 0x00, 0x00];
    assert!(huge.send_raw(&header).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused without waiting for the body"
    );

    assert!(answers(&mut bystander).await, "other clients are unaffected");
    server.stop().await;
}

#[tokio::test]
async fn a_truncated_message_closes_only_its_connection() {
    let server = TestServer::start_with(|c| c.read_timeout_secs = 1).await;
    let mut bystander = server.admin_client().await;
    let mut client = server.admin_client().await;
    let whole = client.request(vec![discover()]).to_bytes();
    let started = std::time::Instant::now();
    assert!(
        client.send_raw(&whole[..whole.len() / 2]).await.is_err(),
        "no answer to half a message"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "closed by the read timeout"
    );
    assert!(answers(&mut bystander).await);
    server.stop().await;
}

#[tokio::test]
async fn a_batch_of_1000_items_is_answered_item_by_item() {
    let server = TestServer::start().await;
    let mut client = server.admin_client().await;
    let request = client.request((0..1000).map(|_| discover()).collect());
    let response = client.send(&request).await.unwrap();
    assert_eq!(response.batch_items.len(), 1000);
    for (n, item) in response.batch_items.iter().enumerate() {
        assert_eq!(item.result_status, ResultStatus::Success);
        assert_eq!(
            item.unique_batch_item_id.as_deref(),
            Some(&(n as u32).to_be_bytes()[..])
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn batch_error_continuation_stop_and_continue() {
    let server = TestServer::start().await;
    let (creds, _) = server.credential("default", "limited", "operation_discover_versions");
    let mut client = server.connect(&creds).await.unwrap();
    let mut request = client.request(vec![query(&[QueryFunction::QueryOperations]), discover()]);
    let stop = client.send(&request).await.unwrap();
    assert_eq!(stop.batch_items.len(), 1, "Stop ends the batch at the failure");
    assert_eq!(stop.batch_items[0].result_reason, Some(ResultReason::PermissionDenied));
    request.header.batch_error_continuation_option = Some(BatchErrorContinuationOption::Continue);
    let cont = client.send(&request).await.unwrap();
    assert_eq!(cont.batch_items.len(), 2);
    assert_eq!(cont.batch_items[1].result_status, ResultStatus::Success);
    server.stop().await;
}

#[tokio::test]
async fn maximum_response_size_and_username_password_headers() {
    let server = TestServer::start().await;
    let mut client = server.admin_client().await;
    let mut request = client.request(vec![query(&[
        QueryFunction::QueryOperations,
        QueryFunction::QueryServerInformation,
    ])]);
    request.header.maximum_response_size = Some(64);
    let response = client.send(&request).await.unwrap();
    let item = &response.batch_items[0];
    assert_eq!(item.result_reason, Some(ResultReason::ResponseTooLarge));
    assert!(item.payload.is_none());

    // vCenter and FortiGate send Username/Password: accepted, and the
    // certificate stays the identity.
    let mut request = client.request(vec![discover()]);
    request.header.maximum_response_size = None;
    request.header.authentication = Some(Authentication {
        credentials: vec![Credential::UsernameAndPassword(UsernameAndPassword {
            username: "vcenter".into(),
            password: Some("secret".into()),
        })],
    });
    let response = client.send(&request).await.unwrap();
    assert_eq!(response.batch_items[0].result_status, ResultStatus::Success);
    server.stop().await;
}

#[tokio::test]
async fn sixty_four_concurrent_clients_all_get_correct_answers() {
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let addr = server.addr.clone();
        let creds = server.admin.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(&addr, "localhost", &creds).await.unwrap();
            for _ in 0..10 {
                let answer = c
                    .discover_versions(DiscoverVersionsRequest {
                        protocol_versions: vec![],
                    })
                    .await
                    .unwrap();
                assert_eq!(answer.protocol_versions.len(), 5);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    server.stop().await;
}

#[tokio::test]
async fn tls_sessions_resume() {
    let server = TestServer::start().await;
    let config = std::sync::Arc::new(server.admin.tls_config().unwrap());
    let mut first = Client::connect_with(&server.addr, "localhost", config.clone())
        .await
        .unwrap();
    assert!(answers(&mut first).await);
    assert!(!first.resumed());
    let mut second = Client::connect_with(&server.addr, "localhost", config).await.unwrap();
    assert!(answers(&mut second).await);
    assert!(second.resumed(), "the second connection resumes the first's session");
    server.stop().await;
}

#[tokio::test]
async fn every_batch_item_is_audited_without_request_data() {
    // Synced before each answer, so the file can be read at once.
    let server = TestServer::start_with(|c| c.audit_sync = kmip_server::config::AuditSync::Always).await;
    let (creds, serial) = server.credential("default", "auditor", "operation_discover_versions");
    let mut client = server.connect(&creds).await.unwrap();
    client
        .send(&client.request(vec![discover(), query(&[QueryFunction::QueryOperations])]))
        .await
        .unwrap();
    let log = std::fs::read_to_string(server.path("audit.log")).unwrap();
    let records: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mine: Vec<_> = records.iter().filter(|r| r["serial"] == serial.as_str()).collect();
    assert_eq!(mine.len(), 2, "{log}");
    assert_eq!(mine[0]["operation"], "DiscoverVersions");
    assert_eq!(mine[0]["status"], "Success");
    assert_eq!(mine[0]["scope"], "default");
    assert_eq!(mine[0]["role"], "auditor");
    assert_eq!(mine[1]["operation"], "Query");
    assert_eq!(mine[1]["reason"], "PermissionDenied");
    server.stop().await;
}

#[tokio::test]
async fn the_client_reconnects_after_the_server_closes_an_idle_connection() {
    let server = TestServer::start_with(|c| c.idle_timeout_secs = 1).await;
    let mut client = server.admin_client().await;
    assert!(answers(&mut client).await);
    // The server's idle timer is wall-clock time: the wait is what is tested.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(answers(&mut client).await, "the next request reconnects");
    server.stop().await;
}

#[tokio::test]
async fn a_deleted_scope_recreated_under_its_name_sees_none_of_its_old_objects() {
    use kmip_codec::messages::ops::create::CreateRequest;
    let server = TestServer::start().await;
    let (creds, _) = server.credential("finance", "keeper", "operation_create,operation_get");
    let mut c = server.connect(&creds).await.unwrap();
    let uid = c
        .create(CreateRequest {
            object_type: ObjectType::SymmetricKey,
            template_attribute: TemplateAttribute {
                attributes: vec![
                    Attribute::new(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
                    Attribute::new(AttributeValue::CryptographicLength(256)),
                    Attribute::new(AttributeValue::CryptographicUsageMask(CryptographicUsageMask::Encrypt)),
                ],
                ..Default::default()
            },
        })
        .await
        .unwrap()
        .unique_identifier;
    // Read twice (the first Get clears Fresh, a change), so that the
    // running server holds it unsealed in its cache.
    c.get(common::get(&uid)).await.unwrap();
    c.get(common::get(&uid)).await.unwrap();
    let finance = Scope::new("finance").unwrap();
    assert_eq!(server.registry().delete_scope(&finance, true).unwrap(), 1);
    let (creds, _) = server.credential("finance", "reader", "operation_get");
    let mut c = server.connect(&creds).await.unwrap();
    assert_eq!(
        common::refusal(c.get(common::get(&uid)).await),
        Some(ResultReason::ItemNotFound),
        "the new scope of the same name must not see the destroyed scope's key"
    );
    server.stop().await;
}

/// With `audit_sync = "batch"` a read's record is written by the flusher,
/// with no later request to push it out.
#[tokio::test]
async fn a_batched_audit_record_reaches_the_file_without_another_request() {
    let server = TestServer::start().await;
    let (creds, serial) = server.credential("default", "auditor", "operation_discover_versions");
    let mut client = server.connect(&creds).await.unwrap();
    assert!(answers(&mut client).await);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let log = std::fs::read_to_string(server.path("audit.log")).unwrap();
        if log.contains(&serial) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no record after 5 s");
        tokio::time::sleep(kmip_server::audit::BATCH_INTERVAL).await;
    }
    server.stop().await;
}

/// Reads of a cached key are answered on the connection's worker; one
/// that needs a write or a disk read after all (the first Get clears
/// Fresh) is handed to the blocking pool having changed nothing. Either
/// way each Get is audited once, and only those run on the blocking pool
/// write an intent line first.
#[tokio::test]
async fn a_read_tried_on_the_async_worker_and_handed_on_is_run_and_audited_once() {
    use kmip_codec::messages::ops::get;
    let server = TestServer::start_with(|c| c.audit_sync = kmip_server::config::AuditSync::Always).await;
    let mut c = server.admin_client().await;
    let uid = c.create(common::objects::aes(vec![])).await.unwrap().unique_identifier;
    let get = || get::GetRequest {
        unique_identifier: Some(uid.clone()),
        ..Default::default()
    };
    let fresh = || async {
        let attrs = c_attrs(&server, &uid).await;
        attrs.iter().find_map(|a| match a.value {
            AttributeValue::Fresh(f) => Some(f),
            _ => None,
        })
    };
    let first = c.get(get()).await.unwrap();
    assert_eq!(
        fresh().await,
        Some(false),
        "the first Get was run, on the blocking pool"
    );
    // The write evicted the key from the cache: the second Get reads it
    // on the blocking pool and caches it, the third is answered inline.
    let second = c.get(get()).await.unwrap();
    let third = c.get(get()).await.unwrap();
    assert_eq!(first.object, second.object);
    assert_eq!(second.object, third.object);
    let log = std::fs::read_to_string(server.path("audit.log")).unwrap();
    let lines: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let about = |event: Option<&str>| {
        lines
            .iter()
            .filter(|r| {
                r["uids"]
                    .as_array()
                    .is_some_and(|u| u.iter().any(|x| x == uid.as_str()))
            })
            .filter(|r| r["event"].as_str() == event)
            .filter(|r| event.is_some() || r["operation"] == "Get")
            .filter(|r| event.is_none() || r["operations"][0] == "Get")
            .count()
    };
    assert_eq!(about(None), 3, "each Get recorded once: {log}");
    assert_eq!(about(Some("intent")), 2, "no intent for the Get answered inline: {log}");
    server.stop().await;
}

async fn c_attrs(server: &TestServer, uid: &str) -> Vec<kmip_codec::messages::Attribute> {
    let mut c = server.admin_client().await;
    common::objects::attributes(&mut c, uid).await
}
