//! RNG Retrieve and RNG Seed, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::TestServer;
use kmip_codec::enums::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn rng_retrieve_returns_fresh_random_bytes_of_the_length_asked() {
    use kmip_codec::messages::ops::rng_retrieve::RNGRetrieveRequest;
    let server = TestServer::start().await;
    let mut client = server.admin_client().await;
    let first = client
        .rng_retrieve(RNGRetrieveRequest { data_length: 32 })
        .await
        .unwrap()
        .data;
    let second = client
        .rng_retrieve(RNGRetrieveRequest { data_length: 32 })
        .await
        .unwrap()
        .data;
    assert_eq!((first.len(), second.len()), (32, 32));
    assert_ne!(&first[..], &second[..]);
    assert_ne!(&first[..], &[0u8; 32][..]);
    for bad in [0, -1, 64 * 1024 + 1] {
        assert_eq!(
            common::refusal(client.rng_retrieve(RNGRetrieveRequest { data_length: bad }).await),
            Some(ResultReason::InvalidField),
            "{bad}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn rng_seed_is_mixed_in_and_needs_its_permission() {
    use kmip_codec::messages::ops::rng_seed::RNGSeedRequest;
    let server = TestServer::start().await;
    let mut client = server.admin_client().await;
    let seed = |n: usize| RNGSeedRequest {
        data: Bytes::new(vec![0x5a; n]),
    };
    // The whole seed is mixed into the system pool (the generator's own
    // entropy stays; this only adds).
    let used = client.rng_seed(seed(32)).await.unwrap().data_length;
    assert_eq!(used, 32);
    for bad in [0, 4097] {
        assert_eq!(
            common::refusal(client.rng_seed(seed(bad)).await),
            Some(ResultReason::InvalidField),
            "{bad}"
        );
    }
    // Random bytes still differ after seeding with a constant.
    use kmip_codec::messages::ops::rng_retrieve::RNGRetrieveRequest;
    let a = client
        .rng_retrieve(RNGRetrieveRequest { data_length: 16 })
        .await
        .unwrap()
        .data;
    let b = client
        .rng_retrieve(RNGRetrieveRequest { data_length: 16 })
        .await
        .unwrap()
        .data;
    assert_ne!(&a[..], &b[..]);
    // A role without operation_rng_seed may not seed.
    let (creds, _) = server.credential("default", "random", "operation_rng_retrieve");
    let mut limited = server.connect(&creds).await.unwrap();
    assert_eq!(
        common::refusal(limited.rng_seed(seed(32)).await),
        Some(ResultReason::PermissionDenied)
    );
    server.stop().await;
}
