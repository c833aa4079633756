//! States and their dates, Check, leases and usage allocation, Archive/Recover, Export/Import, Templates and batch Undo, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::time::Duration;

use common::objects::*;
use common::{attr, name, TestServer};
use kmip_client::ClientError;
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn states_follow_their_dates_without_a_client_asking() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let now = kmip_server::store::unix_now();
    let uid = c
        .create(aes(vec![
            attr(AttributeValue::ActivationDate(DateTime(now + 1))),
            attr(AttributeValue::DeactivationDate(DateTime(now + 3))),
        ]))
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(state(&attributes(&mut c, &uid).await), State::PreActive);
    let mut seen = vec![];
    for _ in 0..60 {
        let s = state(&attributes(&mut c, &uid).await);
        if seen.last() != Some(&s) {
            seen.push(s);
        }
        if s == State::Deactivated {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, [State::PreActive, State::Active, State::Deactivated]);
    server.stop().await;
}

#[tokio::test]
async fn check_lease_and_usage_allocation() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = c
        .create(aes(vec![attr(AttributeValue::UsageLimits(UsageLimits {
            total: 100,
            count: None,
            unit: UsageLimitsUnit::Object,
        }))]))
        .await
        .unwrap()
        .unique_identifier;
    let check = |mask| check::CheckRequest {
        unique_identifier: Some(uid.clone()),
        cryptographic_usage_mask: Some(mask),
        ..Default::default()
    };
    c.check(check(CryptographicUsageMask::Encrypt)).await.unwrap();
    assert_eq!(
        common::refusal(c.check(check(CryptographicUsageMask::Sign)).await),
        Some(ResultReason::PermissionDenied),
        "Sign is not in the key's mask"
    );
    let lease = c
        .obtain_lease(obtain_lease::ObtainLeaseRequest {
            unique_identifier: Some(uid.clone()),
        })
        .await
        .unwrap();
    assert_eq!(lease.lease_time, Interval(3600));
    let allocate = |n| get_usage_allocation::GetUsageAllocationRequest {
        unique_identifier: Some(uid.clone()),
        usage_limits_count: n,
    };
    c.get_usage_allocation(allocate(60)).await.unwrap();
    match c.get_usage_allocation(allocate(60)).await {
        Err(ClientError::Failed { reason, message }) => {
            assert_eq!(reason, Some(ResultReason::PermissionDenied));
            assert_eq!(
                message.as_deref(),
                Some("only 40 units of usage remain, 60 were asked for")
            );
        }
        other => panic!("{other:?}"),
    }
    let plain = c.create(aes(vec![])).await.unwrap().unique_identifier;
    assert_eq!(
        common::refusal(
            c.get_usage_allocation(get_usage_allocation::GetUsageAllocationRequest {
                unique_identifier: Some(plain),
                usage_limits_count: 1,
            })
            .await
        ),
        Some(ResultReason::IllegalOperation)
    );
    server.stop().await;
}

#[tokio::test]
async fn archived_objects_leave_on_line_storage_until_recovered() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let uid = c.create(aes(vec![name("tape-7")])).await.unwrap().unique_identifier;
    c.archive(archive::ArchiveRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    let locate = |mask: Option<StorageStatusMask>| locate::LocateRequest {
        storage_status_mask: mask,
        attributes: vec![name("tape-7")],
        ..Default::default()
    };
    assert!(
        c.locate(locate(None)).await.unwrap().unique_identifiers.is_empty(),
        "not on-line"
    );
    let archived = c
        .locate(locate(Some(StorageStatusMask::ArchivalStorage)))
        .await
        .unwrap();
    assert_eq!(archived.unique_identifiers, std::slice::from_ref(&uid));
    assert_eq!(
        common::refusal(c.get(common::get(&uid)).await),
        Some(ResultReason::ObjectArchived),
        "an archived object cannot be used"
    );
    assert!(
        attributes(&mut c, &uid).await.iter().any(|a| a.name == "Archive Date"),
        "its metadata stays readable"
    );
    c.recover(recover::RecoverRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    assert_eq!(material(&mut c, &uid).await.len(), 32);
    assert_eq!(c.locate(locate(None)).await.unwrap().unique_identifiers, [uid]);
    server.stop().await;
}

#[tokio::test]
async fn export_then_import_moves_an_object_with_its_attributes() {
    let (source, target) = (TestServer::start().await, TestServer::start().await);
    let mut a = source.admin_client().await;
    let mut b = target.admin_client().await;
    let uid = a.create(aes(vec![name("moving")])).await.unwrap().unique_identifier;
    a.activate(activate::ActivateRequest {
        unique_identifier: Some(uid.clone()),
    })
    .await
    .unwrap();
    let exported = a
        .export(export::ExportRequest {
            unique_identifier: Some(uid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let import = |replace| import::ImportRequest {
        unique_identifier: uid.clone(),
        replace_existing: replace,
        key_wrap_type: None,
        attributes: exported.attributes.clone(),
        object: exported.object.clone(),
    };
    b.import(import(None)).await.unwrap();
    assert_eq!(material(&mut b, &uid).await, material(&mut a, &uid).await);
    assert_eq!(state(&attributes(&mut b, &uid).await), State::Active);
    assert_eq!(
        common::refusal(b.import(import(None)).await),
        Some(ResultReason::ObjectAlreadyExists)
    );
    b.import(import(Some(true))).await.unwrap();
    source.stop().await;
    target.stop().await;
}

#[tokio::test]
async fn a_registered_template_supplies_attributes_to_create() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let template = Template {
        attributes: vec![
            attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
            attr(AttributeValue::CryptographicLength(128)),
            attr(AttributeValue::CryptographicUsageMask(
                CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt,
            )),
            attr(AttributeValue::ObjectGroup("tape".into())),
        ],
    };
    c.register(register::RegisterRequest {
        object_type: ObjectType::Template,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes: vec![name("aes-128")],
        },
        object: Object::Template(template),
    })
    .await
    .unwrap();
    let template_name = |n: &str| Name {
        value: n.into(),
        name_type: NameType::UninterpretedTextString,
    };
    let create = |attributes| create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![template_name("aes-128")],
            attributes,
        },
    };
    let from_template = c.create(create(vec![])).await.unwrap().unique_identifier;
    assert_eq!(material(&mut c, &from_template).await.len(), 16);
    let got = attributes(&mut c, &from_template).await;
    assert!(got
        .iter()
        .any(|a| a.value == AttributeValue::ObjectGroup("tape".into())));
    assert!(
        !got.iter().any(|a| a.name == "Name"),
        "the Template's own Name stays with it"
    );
    // An attribute given explicitly replaces the Template's.
    let longer = c
        .create(create(vec![attr(AttributeValue::CryptographicLength(256))]))
        .await
        .unwrap()
        .unique_identifier;
    assert_eq!(material(&mut c, &longer).await.len(), 32);
    let missing = create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![template_name("no-such-template")],
            attributes: vec![],
        },
    };
    assert_eq!(
        common::refusal(c.create(missing).await),
        Some(ResultReason::ItemNotFound)
    );
    server.stop().await;
}

#[tokio::test]
async fn undo_puts_back_what_a_failed_batch_changed() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let kept = c.create(aes(vec![name("kept")])).await.unwrap().unique_identifier;
    let before = common::get(&kept);
    let material_before = c.get(before.clone()).await.unwrap().object;
    // Create, rename the kept key, destroy it — then fail on a missing object.
    let items = vec![
        RequestPayload::Create(aes(vec![name("batch-made")])),
        RequestPayload::ModifyAttribute(modify_attribute::ModifyAttributeRequest {
            unique_identifier: Some(kept.clone()),
            attribute: name("renamed"),
        }),
        RequestPayload::Destroy(destroy::DestroyRequest {
            unique_identifier: Some(kept.clone()),
        }),
        RequestPayload::Activate(activate::ActivateRequest {
            unique_identifier: Some("no-such-object".into()),
        }),
    ];
    let mut request = c.request(items);
    request.header.batch_error_continuation_option = Some(BatchErrorContinuationOption::Undo);
    let response = c.send(&request).await.unwrap();
    let statuses: Vec<ResultStatus> = response.batch_items.iter().map(|i| i.result_status).collect();
    assert_eq!(
        statuses,
        [
            ResultStatus::OperationUndone,
            ResultStatus::OperationUndone,
            ResultStatus::OperationUndone,
            ResultStatus::OperationFailed
        ]
    );
    // The created key is gone; the kept key has its name, state and material.
    let located = |n: &str| locate::LocateRequest {
        attributes: vec![name(n)],
        ..Default::default()
    };
    assert!(c
        .locate(located("batch-made"))
        .await
        .unwrap()
        .unique_identifiers
        .is_empty());
    assert!(c
        .locate(located("renamed"))
        .await
        .unwrap()
        .unique_identifiers
        .is_empty());
    assert_eq!(c.locate(located("kept")).await.unwrap().unique_identifiers, [kept]);
    assert_eq!(c.get(before).await.unwrap().object, material_before, "not destroyed");
    // Stop, by contrast, keeps what was done before the failure.
    let mut request = c.request(vec![
        RequestPayload::Create(aes(vec![name("stop-made")])),
        RequestPayload::Activate(activate::ActivateRequest {
            unique_identifier: Some("no-such-object".into()),
        }),
    ]);
    request.header.batch_error_continuation_option = Some(BatchErrorContinuationOption::Stop);
    c.send(&request).await.unwrap();
    assert_eq!(
        c.locate(located("stop-made")).await.unwrap().unique_identifiers.len(),
        1
    );
    server.stop().await;
}
