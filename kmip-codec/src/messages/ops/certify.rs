//! Requests a certificate for a public key. (KMIP 1.4 §4.7, Tables 184 and 185.)

use super::prelude::*;

kmip_struct! {
    /// Certify request payload.
    #[derive(Default)]
    pub struct CertifyRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt certificate_request_type: CertificateRequestType = CertificateRequestType,
        opt certificate_request: Bytes = CertificateRequest,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}

kmip_struct! {
    /// Certify response payload.
    #[derive(Default)]
    pub struct CertifyResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}
