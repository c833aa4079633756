//! Every client answered in its own protocol version (KMIP 1.4 §6.1), over
//! TLS: a 1.x request's response holds only what 1.x defines.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::objects::{aes, attributes};
use common::{get, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;
use kmip_codec::ttlv::{Document, Limits};
use kmip_codec::versions::{attribute_since, operation_since, tag_since, value_since};
use kmip_codec::{Tag, Ttlv};

fn at(minor: i32) -> ProtocolVersion {
    ProtocolVersion::new(1, minor)
}

/// Every tag, Result Reason, operation and attribute name in `item` that
/// 1.`minor` does not define; batch items of newer operations are read at
/// their operation's version.
fn undefined(item: &Ttlv, minor: i32, found: &mut Vec<String>) {
    let minor = match (item.tag, item.child(Tag::Operation).map(|o| &o.value)) {
        (Tag::BatchItem, Some(kmip_codec::Value::Enumeration(op))) => minor.max(operation_since(Operation(*op))),
        _ => minor,
    };
    if tag_since(item.tag) > minor {
        found.push(format!("{:?}", item.tag));
    }
    match &item.value {
        kmip_codec::Value::Enumeration(v) if value_since(item.tag, *v) > minor => {
            found.push(format!("{:?} 0x{v:X}", item.tag));
        }
        kmip_codec::Value::TextString(name) if item.tag == Tag::AttributeName && attribute_since(name) > minor => {
            found.push(name.clone());
        }
        _ => {}
    }
    for child in item.children() {
        undefined(child, minor, found);
    }
}

fn request(minor: i32, payloads: Vec<RequestPayload>) -> RequestMessage {
    RequestMessage {
        header: RequestHeader::new(at(minor), i32::try_from(payloads.len()).unwrap()),
        batch_items: payloads
            .into_iter()
            .enumerate()
            .map(|(i, p)| RequestBatchItem {
                unique_batch_item_id: Some(vec![u8::try_from(i).unwrap()].into()),
                payload: p,
                message_extension: None,
            })
            .collect(),
    }
}

#[tokio::test]
async fn a_response_holds_only_what_the_requests_version_defines() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let key = c.create(aes(vec![])).await.unwrap().unique_identifier;
    let gone = c.create(aes(vec![])).await.unwrap().unique_identifier;
    c.destroy(destroy::DestroyRequest {
        unique_identifier: Some(gone.clone()),
    })
    .await
    .unwrap();
    let all_queries: Vec<QueryFunction> = QueryFunction::DEF
        .values
        .iter()
        .map(|v| QueryFunction(v.value))
        .collect();
    let payloads = || {
        vec![
            RequestPayload::Create(aes(vec![])),
            RequestPayload::GetAttributes(get_attributes::GetAttributesRequest {
                unique_identifier: Some(key.clone()),
                attribute_names: vec![],
            }),
            RequestPayload::GetAttributeList(get_attribute_list::GetAttributeListRequest {
                unique_identifier: Some(key.clone()),
            }),
            RequestPayload::Get(get(&key)),
            RequestPayload::Get(get(&gone)),
            RequestPayload::Locate(locate::LocateRequest::default()),
            RequestPayload::Query(query::QueryRequest {
                query_functions: all_queries.clone(),
            }),
            RequestPayload::RNGRetrieve(rng_retrieve::RNGRetrieveRequest { data_length: 16 }),
        ]
    };
    for minor in 0..=4 {
        let mut batch = request(minor, payloads());
        batch.header.batch_error_continuation_option = Some(BatchErrorContinuationOption::Continue);
        let bytes = c.send_raw(&batch.to_bytes()).await.unwrap();
        let doc = Document::decode(&bytes, &Limits::default()).unwrap();
        let mut found = vec![];
        undefined(&doc.root().to_owned(), minor, &mut found);
        assert!(found.is_empty(), "a 1.{minor} response holds {found:?}");
        let response = ResponseMessage::from_bytes(&bytes, &Limits::default()).unwrap();
        assert_eq!(response.header.protocol_version, at(minor));
        let statuses: Vec<_> = response.batch_items.iter().map(|i| i.result_status).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s != ResultStatus::Success).count(),
            1,
            "{statuses:?}"
        );
        // Get of a destroyed key: Key Value Not Present is 1.2.
        let reason = response.batch_items[4].result_reason;
        let expected = if minor < 2 {
            ResultReason::ItemNotFound
        } else {
            ResultReason::KeyValueNotPresent
        };
        assert_eq!(reason, Some(expected), "at 1.{minor}");
    }
    server.stop().await;
}

#[tokio::test]
async fn each_version_sees_the_attributes_and_operations_it_knows() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let key = c.create(aes(vec![])).await.unwrap().unique_identifier;
    let names = |attrs: Vec<Attribute>| -> Vec<String> { attrs.into_iter().map(|a| a.name).collect() };
    let all = names(attributes(&mut c, &key).await);
    // The server sets attributes of every version on a new key, so each
    // older version has something to leave out.
    for minor in 1..=4 {
        assert!(
            all.iter().any(|n| attribute_since(n) == minor),
            "no 1.{minor} attribute in {all:?}"
        );
    }
    let newest = operations(&mut c).await;
    for minor in 0..=3 {
        c.set_version(at(minor));
        let expected: Vec<&String> = all.iter().filter(|n| attribute_since(n) <= minor).collect();
        let seen = names(attributes(&mut c, &key).await);
        assert_eq!(seen.iter().collect::<Vec<_>>(), expected, "at 1.{minor}");
        let listed = operations(&mut c).await;
        let expected: Vec<Operation> = newest
            .iter()
            .copied()
            .filter(|o| operation_since(*o) <= minor)
            .collect();
        assert_eq!(listed, expected, "Query Operations at 1.{minor}");
        assert!(!listed.contains(&Operation::Import), "Import is 1.4");
    }
    // An operation newer than the request's version is answered, in the
    // version that defines it: Encrypt (1.2) from a 1.0 client.
    c.set_version(at(4));
    common::activate(&mut c, &key).await;
    c.set_version(at(0));
    let sealed = c
        .encrypt(encrypt::EncryptRequest {
            unique_identifier: Some(key.clone()),
            data: Some(vec![7; 16].into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(sealed.data.is_some_and(|d| d.len() == 32), "CBC with PKCS5 padding");
    assert!(sealed.iv_counter_nonce.is_some(), "the IV the server chose");
    server.stop().await;
}

async fn operations(c: &mut kmip_client::Client) -> Vec<Operation> {
    c.query(query::QueryRequest {
        query_functions: vec![QueryFunction::QueryOperations],
    })
    .await
    .unwrap()
    .operations
}
