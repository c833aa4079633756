//! Certify, Re-certify and Validate, over TLS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::keys::*;
use common::{get, refusal, TestServer};
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

#[tokio::test]
async fn certify_issues_from_the_object_ca_and_recertify_replaces() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let (_, public) = new_pair(&mut c, CryptographicAlgorithm::EC, 256).await;
    let cert_uid = c
        .certify(certify::CertifyRequest {
            unique_identifier: Some(public.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let Object::Certificate(cert) = c.get(get(&cert_uid)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, x509) = x509_parser::parse_x509_certificate(&cert.certificate_value).unwrap();
    let (_, spki) = key_bytes(&c.get(get(&public)).await.unwrap().object);
    assert_eq!(
        x509.tbs_certificate.subject_pki.raw,
        spki.as_slice(),
        "the managed public key"
    );
    // Issued by the object CA, not by the CA that authenticates clients.
    let pem = |path: &str| {
        let text = std::fs::read_to_string(server.path(path)).unwrap();
        let der = rustls_pemfile::certs(&mut text.as_bytes())
            .next()
            .unwrap()
            .unwrap()
            .to_vec();
        der
    };
    let object_ca = pem("ca/certify/ca.pem");
    let client_ca = pem("ca/ca.pem");
    let (_, object_ca) = x509_parser::parse_x509_certificate(&object_ca).unwrap();
    let (_, client_ca) = x509_parser::parse_x509_certificate(&client_ca).unwrap();
    assert_eq!(x509.issuer(), object_ca.subject());
    assert!(x509.verify_signature(Some(object_ca.public_key())).is_ok());
    assert_ne!(x509.issuer(), client_ca.subject());
    let links = c
        .get_attributes(get_attributes::GetAttributesRequest {
            unique_identifier: Some(public.clone()),
            attribute_names: vec!["Link".into()],
        })
        .await
        .unwrap()
        .attributes;
    assert!(
        links.iter().any(|a| matches!(&a.value,
        AttributeValue::Link(l) if l.link_type == LinkType::CertificateLink && l.linked_object_identifier == cert_uid))
    );

    let renewed = c
        .recertify(recertify::ReCertifyRequest {
            unique_identifier: Some(cert_uid.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let Object::Certificate(new_cert) = c.get(get(&renewed)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, new_x509) = x509_parser::parse_x509_certificate(&new_cert.certificate_value).unwrap();
    assert_eq!(
        new_x509.tbs_certificate.subject_pki.raw,
        spki.as_slice(),
        "the same key"
    );
    assert_ne!(new_x509.raw_serial(), x509.raw_serial());
    // RSA public keys are certified too.
    let (_, rsa_public) = new_pair(&mut c, CryptographicAlgorithm::RSA, 2048).await;
    c.certify(certify::CertifyRequest {
        unique_identifier: Some(rsa_public),
        ..Default::default()
    })
    .await
    .unwrap();
    // A PKCS#10 request is certified for the key it carries.
    let requester = rcgen::KeyPair::generate().unwrap();
    let csr = rcgen::CertificateParams::new(vec![])
        .unwrap()
        .serialize_request(&requester)
        .unwrap();
    let from_csr = c
        .certify(certify::CertifyRequest {
            certificate_request_type: Some(CertificateRequestType::PKCS_10),
            certificate_request: Some(Bytes::new(csr.der().to_vec())),
            ..Default::default()
        })
        .await
        .unwrap()
        .unique_identifier;
    let Object::Certificate(issued) = c.get(get(&from_csr)).await.unwrap().object else {
        panic!("a Certificate")
    };
    let (_, issued) = x509_parser::parse_x509_certificate(&issued.certificate_value).unwrap();
    use rcgen::PublicKeyData;
    assert_eq!(
        issued.tbs_certificate.subject_pki.raw,
        requester.subject_public_key_info().as_slice()
    );
    // Certify of something that is not a public key is refused.
    assert_eq!(
        refusal(
            c.certify(certify::CertifyRequest {
                unique_identifier: Some(cert_uid),
                ..Default::default()
            })
            .await
        ),
        Some(ResultReason::InvalidField)
    );
    server.stop().await;
}

#[tokio::test]
async fn validate_trusts_the_object_ca_and_self_signed_certificates_the_caller_holds() {
    let server = TestServer::start().await;
    let mut c = server.admin_client().await;
    let (_, certified) = certified_pair(&mut c).await;
    let validate = |certificates: Vec<Certificate>, uids: Vec<String>, at: Option<i64>| validate::ValidateRequest {
        certificates,
        unique_identifiers: uids,
        validity_date: at.map(DateTime),
    };
    let verdict = |r: validate::ValidateResponse| r.validity_indicator;
    let ok = c
        .validate(validate(vec![], vec![certified.clone()], None))
        .await
        .unwrap();
    assert_eq!(verdict(ok), ValidityIndicator::Valid);
    let later = kmip_server::store::unix_now() + 2 * 365 * 86_400;
    let expired = c
        .validate(validate(vec![], vec![certified], Some(later)))
        .await
        .unwrap();
    assert_eq!(verdict(expired), ValidityIndicator::Invalid);
    // A self-signed certificate: unknown when only shown, valid when held.
    let pem = std::fs::read_to_string(server.path("ca/ca.pem")).unwrap();
    let der = rustls_pemfile::certs(&mut pem.as_bytes())
        .next()
        .unwrap()
        .unwrap()
        .to_vec();
    let root = Certificate {
        certificate_type: CertificateType::X_509,
        certificate_value: Bytes::new(der),
    };
    let shown = c.validate(validate(vec![root.clone()], vec![], None)).await.unwrap();
    assert_eq!(verdict(shown), ValidityIndicator::Unknown);
    let held = c
        .register(register::RegisterRequest {
            object_type: ObjectType::Certificate,
            template_attribute: TemplateAttribute { ..Default::default() },
            object: Object::Certificate(root),
        })
        .await
        .unwrap()
        .unique_identifier;
    let trusted = c.validate(validate(vec![], vec![held], None)).await.unwrap();
    assert_eq!(verdict(trusted), ValidityIndicator::Valid);
    let garbage = Certificate {
        certificate_type: CertificateType::X_509,
        certificate_value: Bytes::new(vec![0x30, 0x03, 0x02, 0x01, 0x01]),
    };
    assert_eq!(
        verdict(c.validate(validate(vec![garbage], vec![], None)).await.unwrap()),
        ValidityIndicator::Invalid
    );
    assert_eq!(
        refusal(c.validate(validate(vec![], vec![], None)).await),
        Some(ResultReason::InvalidMessage)
    );
    server.stop().await;
}
