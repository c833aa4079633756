//! Asks what the server supports. (KMIP 1.4 §4.25, Tables 222 and 223.)

use super::prelude::*;

kmip_struct! {
    /// Query request payload.
    #[derive(Default)]
    pub struct QueryRequest {
        vec query_functions: QueryFunction = QueryFunction,
    }
}

kmip_struct! {
    /// Query response payload.
    #[derive(Default)]
    pub struct QueryResponse {
        vec operations: Operation = Operation,
        vec object_types: ObjectType = ObjectType,
        opt vendor_identification: String = VendorIdentification,
        opt server_information: Ttlv = ServerInformation,
        vec application_namespaces: String = ApplicationNamespace,
        vec extension_information: ExtensionInformation = ExtensionInformation,
        vec attestation_types: AttestationType = AttestationType,
        vec rng_parameters: RNGParameters = RNGParameters,
        vec profile_information: ProfileInformation = ProfileInformation,
        vec validation_information: ValidationInformation = ValidationInformation,
        vec capability_information: CapabilityInformation = CapabilityInformation,
        vec client_registration_methods: ClientRegistrationMethod = ClientRegistrationMethod,
    }
}
