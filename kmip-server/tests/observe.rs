//! Metrics, health and the anomaly detectors, over real sockets: the KMIP
//! listener with TLS, the metrics listener with HTTP.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::objects::aes;
use common::{get, TestServer};

/// The value of the sample whose line starts with `prefix` (name and
/// labels), or 0 when there is none.
fn sample(metrics: &str, prefix: &str) -> f64 {
    metrics
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0.0, |v| v.parse().unwrap())
}

/// One TLS connection without a certificate, until the server ends it.
async fn fail_a_handshake(server: &TestServer) {
    use tokio::io::AsyncReadExt;
    let connector = tokio_rustls::TlsConnector::from(server.anonymous_tls());
    let tcp = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    if let Ok(mut tls) = connector.connect(name, tcp).await {
        // With TLS 1.3 the server's verdict comes after the client's
        // handshake is done: an alert, or the end of the stream.
        let mut byte = [0u8; 1];
        assert!(!matches!(tls.read(&mut byte).await, Ok(1)), "no certificate, no KMIP");
    }
}

#[tokio::test]
async fn metrics_count_requests_connections_and_refusals_in_the_prometheus_format() {
    let server = TestServer::start().await;
    let mut admin = server.admin_client().await;
    let uid = admin.create(aes(vec![])).await.unwrap().unique_identifier;
    for _ in 0..3 {
        admin.get(get(&uid)).await.unwrap();
    }
    assert!(admin.get(get("no-such-object")).await.is_err());
    fail_a_handshake(&server).await;

    let refused = r#"kmip_connections_refused_total{cause="no_certificate"}"#;
    let deadline = Instant::now() + Duration::from_secs(5);
    while sample(&server.http_get("/metrics").await.1, refused) != 1.0 {
        assert!(Instant::now() < deadline, "the refusal is counted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, metrics) = server.http_get("/metrics").await;
    assert_eq!(status, 200);
    let get_ok = r#"kmip_requests_total{operation="Get",status="Success",reason="",scope="default"}"#;
    assert_eq!(sample(&metrics, get_ok), 3.0, "{metrics}");
    let create_ok = r#"kmip_requests_total{operation="Create",status="Success",reason="",scope="default"}"#;
    assert_eq!(sample(&metrics, create_ok), 1.0);
    let missing =
        r#"kmip_requests_total{operation="Get",status="OperationFailed",reason="ItemNotFound",scope="default"}"#;
    assert_eq!(sample(&metrics, missing), 1.0);
    assert_eq!(
        sample(&metrics, r#"kmip_request_duration_seconds_count{operation="Get"}"#),
        4.0
    );
    assert!(
        metrics.contains(r#"kmip_request_duration_seconds_bucket{operation="Get",le="0.001"}"#),
        "latency is a histogram with buckets: {metrics}"
    );
    assert_eq!(
        sample(&metrics, "kmip_connections_open "),
        1.0,
        "the admin's connection"
    );
    assert!(sample(&metrics, "kmip_connections_accepted_total ") >= 2.0);
    assert!(
        sample(&metrics, "kmip_cache_hits_total ") >= 1.0,
        "repeated Gets hit the cache: {metrics}"
    );
    assert!(sample(&metrics, "kmip_store_commit_duration_seconds_count ") >= 1.0);
    assert_eq!(
        sample(
            &metrics,
            r#"kmip_objects{scope="default",object_type="SymmetricKey",state="PreActive"}"#
        ),
        1.0
    );
    assert_eq!(sample(&metrics, "kmip_audit_write_failures_total "), 0.0);

    // Counters move as requests are made.
    admin.get(get(&uid)).await.unwrap();
    let (_, later) = server.http_get("/metrics").await;
    assert_eq!(sample(&later, get_ok), 4.0);
    drop(admin);
    let deadline = Instant::now() + Duration::from_secs(5);
    while sample(&server.http_get("/metrics").await.1, "kmip_connections_open ") != 0.0 {
        assert!(Instant::now() < deadline, "a closed connection leaves the gauge");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    promtool_accepts(&metrics);
    assert_eq!(server.http_get("/nothing").await.0, 404);
    server.stop().await;
}

/// `promtool check metrics` (Debian's prometheus package) finds no
/// problem in the exposition. Skipped where promtool is not installed,
/// unless KMIP_REQUIRE_PROMTOOL is set (as CI sets it).
fn promtool_accepts(metrics: &str) {
    use std::io::Write;
    let child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var_os("KMIP_REQUIRE_PROMTOOL").is_none(),
                "promtool is required: {e}"
            );
            eprintln!("promtool not installed: check skipped");
            return;
        }
    };
    child.stdin.take().unwrap().write_all(metrics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && said.trim().is_empty(), "promtool: {said}");
}

#[tokio::test]
async fn off_loopback_the_metrics_listener_speaks_https_with_the_server_certificate() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start_with(|c| c.metrics_listen = "0.0.0.0:0".into()).await;
    let at = ("127.0.0.1", server.metrics_port());
    let connector = tokio_rustls::TlsConnector::from(server.anonymous_tls());
    let tcp = tokio::net::TcpStream::connect(at).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.expect("verified against ca.pem");
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    // Plain HTTP gets no answer there.
    let mut tcp = tokio::net::TcpStream::connect(at).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut plain = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut plain)).await;
    assert!(!String::from_utf8_lossy(&plain).contains("200 OK"));
    server.stop().await;
}

#[tokio::test]
async fn readiness_follows_the_database_and_health_the_process() {
    let server = TestServer::start().await;
    let (status, body) = server.http_get("/healthz").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, body) = server.http_get("/readyz").await;
    assert_eq!(status, 200, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["key_protector"], "ok");

    // Another process holds the database's write lock: no write completes.
    let holder = rusqlite::Connection::open(server.path("kmip.db")).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (status, body) = server.http_get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    let unready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(unready["ready"], false);
    assert_ne!(unready["database"], "ok");
    assert_eq!(server.http_get("/healthz").await.0, 200, "alive all the same");

    holder.execute_batch("ROLLBACK").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = server.http_get("/readyz").await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "ready again once the lock is gone: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop().await;
}

/// The alert records in the audit log, once `want` of them are there (or
/// all there are after `wait`).
async fn alerts(server: &TestServer, want: usize, wait: Duration) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + wait;
    loop {
        let found: Vec<serde_json::Value> = server
            .audit_lines()
            .into_iter()
            .filter(|r| r["event"] == "alert")
            .collect();
        if found.len() >= want || Instant::now() >= deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn of<'a>(alerts: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    alerts.iter().filter(|a| a["alert"] == kind).collect()
}

#[tokio::test]
async fn each_detector_fires_on_its_pattern_and_normal_traffic_raises_none() {
    let server = TestServer::start_with(|c| {
        c.alert_permission_denied = 5;
        c.alert_not_found = 5;
        c.alert_handshake_failures = 3;
        c.alert_key_rate_factor = 0;
        // Windows are aligned to the clock: a day-long one keeps the test's
        // events in one window on a slow machine (a minute's boundary fell
        // between the fourth and fifth miss once under the full suite).
        c.alert_window_secs = 86_400;
    })
    .await;
    // Normal traffic: the admin creates and reads its keys, a few misses.
    let mut admin = server.admin_client().await;
    let mut uids = vec![];
    for _ in 0..5 {
        let uid = admin.create(aes(vec![])).await.unwrap().unique_identifier;
        admin.get(get(&uid)).await.unwrap();
        admin.get(get(&uid)).await.unwrap();
        uids.push(uid);
    }
    for n in 0..4 {
        assert!(admin.get(get(&format!("missing-{n}"))).await.is_err());
    }
    fail_a_handshake(&server).await;
    fail_a_handshake(&server).await;
    let quiet = alerts(&server, 1, Duration::from_millis(500)).await;
    assert!(quiet.is_empty(), "normal traffic raised {quiet:?}");

    // A credential refused again and again.
    let (weak, weak_serial) = server.credential("default", "weak", "operation_discover_versions");
    let mut w = server.connect(&weak).await.unwrap();
    for uid in &uids {
        assert!(w.get(get(uid)).await.is_err());
    }
    // Probing for objects: the fifth miss.
    assert!(admin.get(get("missing-4")).await.is_err());
    // A third failed handshake from this address.
    fail_a_handshake(&server).await;
    // Another credential of the scope reads a key it never had.
    let (reader, reader_serial) = server.credential("default", "reader", "operation_get");
    let mut r = server.connect(&reader).await.unwrap();
    r.get(get(&uids[0])).await.unwrap();
    r.get(get(&uids[0])).await.unwrap();
    // A revoked credential comes back.
    server.registry().revoke(&weak_serial).unwrap();
    let refused = match server.connect(&weak).await {
        Err(_) => true,
        Ok(mut c) => c.discover_versions(Default::default()).await.is_err(),
    };
    assert!(refused, "a revoked credential is refused");

    let raised = alerts(&server, 5, Duration::from_secs(10)).await;
    let denied = of(&raised, "permission_denied_burst");
    assert_eq!(denied.len(), 1, "{raised:?}");
    assert_eq!(denied[0]["subject"], weak_serial.as_str());
    assert_eq!(denied[0]["count"], 5);
    let probing = of(&raised, "not_found_burst");
    assert_eq!(probing.len(), 1, "{raised:?}");
    assert_eq!(probing[0]["subject"], admin_serial(&server).as_str());
    let handshakes = of(&raised, "handshake_failure_burst");
    assert_eq!(handshakes.len(), 1, "{raised:?}");
    assert_eq!(handshakes[0]["subject"], "127.0.0.1");
    let new_reader = of(&raised, "new_material_reader");
    assert_eq!(
        new_reader.len(),
        1,
        "one alert for the pair, not one per Get: {raised:?}"
    );
    assert_eq!(new_reader[0]["subject"], reader_serial.as_str());
    assert_eq!(new_reader[0]["uid"], uids[0].as_str());
    let revoked = of(&raised, "revoked_credential_used");
    assert_eq!(revoked.len(), 1, "{raised:?}");
    assert!(revoked[0]["detail"].as_str().unwrap().contains(&weak_serial));

    let (_, metrics) = server.http_get("/metrics").await;
    assert_eq!(
        sample(&metrics, r#"kmip_alerts_total{alert="permission_denied_burst"}"#),
        1.0
    );
    assert_eq!(
        sample(&metrics, r#"kmip_alerts_total{alert="new_material_reader"}"#),
        1.0
    );
    drop((admin, r, w));

    // Who fetched what survives a restart: the reader's next Get is not new.
    let config = server.config.clone();
    let dir = server.stop_keeping_data().await;
    let server = TestServer::restart(config, dir).await;
    let mut r = server.connect(&reader).await.unwrap();
    r.get(get(&uids[0])).await.unwrap();
    r.get(get(&uids[1])).await.unwrap();
    let after = alerts(&server, raised.len() + 2, Duration::from_secs(2)).await;
    let new_reader = of(&after, "new_material_reader");
    assert_eq!(
        new_reader.len(),
        2,
        "only the second key is new to the reader: {after:?}"
    );
    assert_eq!(new_reader[1]["uid"], uids[1].as_str());
    server.stop().await;
}

fn admin_serial(server: &TestServer) -> String {
    let pem = std::fs::read(server.admin_dir().join("client.pem")).unwrap();
    let der = rustls_pemfile::certs(&mut pem.as_slice()).next().unwrap().unwrap();
    kmip_server::auth::serial_of(&der).unwrap()
}

#[tokio::test]
async fn a_key_used_far_above_its_own_rate_raises_an_alert() {
    let server = TestServer::start_with(|c| {
        c.alert_window_secs = 1;
        c.alert_key_rate_factor = 5;
        c.alert_key_rate_min = 40;
    })
    .await;
    let mut admin = server.admin_client().await;
    let busy = admin.create(aes(vec![])).await.unwrap().unique_identifier;
    let steady = admin.create(aes(vec![])).await.unwrap().unique_identifier;
    // Four seconds of a few uses a second: its own rate.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(4) {
        admin.get(get(&busy)).await.unwrap();
        admin.get(get(&steady)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let quiet = alerts(&server, 1, Duration::from_millis(200)).await;
    assert!(of(&quiet, "key_rate_spike").is_empty(), "steady use raised {quiet:?}");
    // Then a burst on one key.
    for _ in 0..200 {
        admin.get(get(&busy)).await.unwrap();
    }
    let raised = alerts(&server, 1, Duration::from_secs(5)).await;
    let spikes = of(&raised, "key_rate_spike");
    // One per window: a burst across a window's end may raise two.
    assert!(!spikes.is_empty(), "{raised:?}");
    assert!(spikes.iter().all(|s| s["uid"] == busy.as_str()), "{raised:?}");
    server.stop().await;
}

/// The alert rules and the dashboard under deploy/ name only metrics the
/// server declares (with a histogram's _bucket, _sum and _count series).
#[test]
fn the_shipped_rules_and_dashboard_use_the_servers_metric_names() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    let known: Vec<&str> = kmip_server::observe::metrics::declared().collect();
    for file in [
        "prometheus/kmip-alerts.yml",
        "prometheus/kmip-alerts.test.yml",
        "grafana/kmip-dashboard.json",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let mut used = 0;
        for (at, _) in text.match_indices("kmip_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(&name);
            assert!(
                known.contains(&base) || known.contains(&name.as_str()),
                "{file}: {name} is not a metric"
            );
            used += 1;
        }
        assert!(used > 3, "{file} names metrics");
    }
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("grafana/kmip-dashboard.json")).unwrap()).unwrap();
    assert!(dashboard["panels"].as_array().unwrap().len() >= 8);
}

#[tokio::test]
async fn a_handshake_flood_adds_a_bounded_number_of_audit_lines_and_every_refusal_to_the_metrics() {
    let server = TestServer::start_with(|c| c.audit_connection_lines = 3).await;
    for _ in 0..8 {
        fail_a_handshake(&server).await;
    }
    let refused = r#"kmip_connections_refused_total{cause="no_certificate"}"#;
    let deadline = Instant::now() + Duration::from_secs(5);
    while sample(&server.http_get("/metrics").await.1, refused) < 8.0 {
        assert!(Instant::now() < deadline, "the metrics saw fewer than 8 refusals");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(kmip_server::audit::BATCH_INTERVAL * 5).await;
    let log = std::fs::read_to_string(server.path("audit.log")).unwrap();
    let lines = log
        .lines()
        .filter(|l| l.contains(r#""event":"connection.refused""#))
        .count();
    assert_eq!(lines, 3, "audit_connection_lines per peer and minute: {log}");
    server.stop().await;
}
