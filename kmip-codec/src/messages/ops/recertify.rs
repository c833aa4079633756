//! Renews a certificate. (KMIP 1.4 §4.8, Tables 188 and 189.)

use super::prelude::*;

kmip_struct! {
    /// ReCertify request payload.
    #[derive(Default)]
    pub struct ReCertifyRequest {
        opt unique_identifier: String = UniqueIdentifier,
        opt certificate_request_type: CertificateRequestType = CertificateRequestType,
        opt certificate_request: Bytes = CertificateRequest,
        opt offset: Interval = Offset,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}

kmip_struct! {
    /// ReCertify response payload.
    #[derive(Default)]
    pub struct ReCertifyResponse {
        req unique_identifier: String = UniqueIdentifier,
        opt template_attribute: TemplateAttribute = TemplateAttribute,
    }
}
