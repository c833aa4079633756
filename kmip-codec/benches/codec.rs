//! Decode and encode cost of two realistic messages: a Create request whose
//! template carries 6 attributes, and a Get response carrying a 256-bit key.
//! Each is measured into the borrowed tree (`Document`), into the owned
//! tree (`Ttlv`), into typed messages, and encoded from typed messages;
//! and cut down to KMIP 1.2 (`versions::downgrade`), as a 1.2 client's
//! answer is.
//! Throughput is reported in bytes of TTLV per second.

// Tests state their expectations with expect and indexing: a panic is a failure report here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::{create::CreateRequest, get::GetResponse};
use kmip_codec::messages::*;
use kmip_codec::ttlv::{Document, Limits, Ttlv};
use std::hint::black_box;

fn create_request() -> Vec<u8> {
    let attributes = vec![
        Attribute::new(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
        Attribute::new(AttributeValue::CryptographicLength(256)),
        Attribute::new(AttributeValue::CryptographicUsageMask(
            CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt,
        )),
        Attribute::new(AttributeValue::Name(Name {
            value: "database-master-key-0001".into(),
            name_type: NameType::UninterpretedTextString,
        })),
        Attribute::new(AttributeValue::ObjectGroup("production".into())),
        Attribute::new(AttributeValue::ActivationDate(DateTime(1_700_000_000))),
    ];
    RequestMessage {
        header: RequestHeader::new(ProtocolVersion::new(1, 4), 1),
        batch_items: vec![RequestBatchItem {
            unique_batch_item_id: None,
            payload: RequestPayload::Create(CreateRequest {
                object_type: ObjectType::SymmetricKey,
                template_attribute: TemplateAttribute {
                    names: vec![],
                    attributes,
                },
            }),
            message_extension: None,
        }],
    }
    .to_bytes()
}

fn get_response() -> Vec<u8> {
    let key = SymmetricKey {
        key_block: KeyBlock {
            key_format_type: KeyFormatType::Raw,
            key_compression_type: None,
            key_value: Some(KeyValue::Plain {
                key_material: KeyMaterial::Bytes(Bytes::new(vec![0x5A; 32])),
                attributes: vec![],
            }),
            cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
            cryptographic_length: Some(256),
            key_wrapping_data: None,
        },
    };
    ResponseMessage {
        header: ResponseHeader {
            protocol_version: ProtocolVersion::new(1, 4),
            time_stamp: DateTime(1_700_000_000),
            nonce: None,
            attestation_types: vec![],
            client_correlation_value: None,
            server_correlation_value: None,
            batch_count: 1,
        },
        batch_items: vec![ResponseBatchItem {
            operation: Some(Operation::Get),
            unique_batch_item_id: None,
            result_status: ResultStatus::Success,
            result_reason: None,
            result_message: None,
            asynchronous_correlation_value: None,
            payload: Some(ResponsePayload::Get(GetResponse {
                object_type: ObjectType::SymmetricKey,
                unique_identifier: "5f0c6b1e-8b9b-4c1e-9d7a-2f4e1c3b5a69".into(),
                object: Object::SymmetricKey(key),
            })),
            message_extension: None,
        }],
    }
    .to_bytes()
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    for (name, bytes) in [("create_request", create_request()), ("get_response", get_response())] {
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("decode_borrowed", |b| {
            b.iter(|| Document::decode(black_box(&bytes), &limits).map(|d| d.len()))
        });
        g.bench_function("decode_owned", |b| {
            b.iter(|| Ttlv::from_bytes(black_box(&bytes), &limits))
        });
        g.bench_function("decode_typed", |b| {
            b.iter(|| {
                let doc = Document::decode(black_box(&bytes), &limits).expect("valid");
                Message::decode(doc.root()).map(|_| ())
            })
        });
        let doc = Document::decode(&bytes, &limits).expect("valid");
        let typed = Message::decode(doc.root()).expect("valid");
        assert_eq!(typed.encode(), bytes);
        g.bench_function("encode_typed", |b| {
            b.iter_batched_ref(|| typed.clone(), |m| m.encode(), BatchSize::SmallInput)
        });
        // What answering a 1.2 client adds (MongoDB, libmongocrypt delegated).
        g.bench_function("downgrade_to_1_2", |b| {
            b.iter(|| kmip_codec::versions::downgrade(black_box(&bytes), 2))
        });
        g.finish();
        eprintln!("{name}: {} bytes", bytes.len());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
