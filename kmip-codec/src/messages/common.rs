//! Structures shared by payloads, objects and attributes (KMIP 1.4 §2.1 and
//! the structured attributes of §3), each declared in wire order.

use super::{Attribute, BigInteger, Bytes};
use crate::enums::*;
use crate::kmip_struct;

kmip_struct! {
    /// Protocol Version (§6.1).
    #[derive(Default)]
    pub struct ProtocolVersion {
        req major: i32 = ProtocolVersionMajor,
        req minor: i32 = ProtocolVersionMinor,
    }
}

impl ProtocolVersion {
    /// A version `major.minor`.
    pub const fn new(major: i32, minor: i32) -> Self {
        ProtocolVersion { major, minor }
    }
}

/// The protocol versions this codec implements, newest first: what a
/// server built on it can answer and a client can ask for.
pub const VERSIONS: &[ProtocolVersion] = &[
    ProtocolVersion::new(1, 4),
    ProtocolVersion::new(1, 3),
    ProtocolVersion::new(1, 2),
    ProtocolVersion::new(1, 1),
    ProtocolVersion::new(1, 0),
];

kmip_struct! {
    /// Name attribute (§3.2, Table 57).
    pub struct Name {
        req value: String = NameValue,
        req name_type: NameType = NameType,
    }
}

kmip_struct! {
    /// Cryptographic Parameters attribute (§3.6, Table 65).
    #[derive(Default)]
    pub struct CryptographicParameters {
        opt block_cipher_mode: BlockCipherMode = BlockCipherMode,
        opt padding_method: PaddingMethod = PaddingMethod,
        opt hashing_algorithm: HashingAlgorithm = HashingAlgorithm,
        opt key_role_type: KeyRoleType = KeyRoleType,
        opt digital_signature_algorithm: DigitalSignatureAlgorithm = DigitalSignatureAlgorithm,
        opt cryptographic_algorithm: CryptographicAlgorithm = CryptographicAlgorithm,
        opt random_iv: bool = RandomIV,
        opt iv_length: i32 = IVLength,
        opt tag_length: i32 = TagLength,
        opt fixed_field_length: i32 = FixedFieldLength,
        opt invocation_field_length: i32 = InvocationFieldLength,
        opt counter_length: i32 = CounterLength,
        opt initial_counter_value: i32 = InitialCounterValue,
        opt salt_length: i32 = SaltLength,
        opt mask_generator: MaskGenerator = MaskGenerator,
        opt mask_generator_hashing_algorithm: HashingAlgorithm = MaskGeneratorHashingAlgorithm,
        opt p_source: Bytes = PSource,
        opt trailer_field: i32 = TrailerField,
    }
}

kmip_struct! {
    /// Cryptographic Domain Parameters attribute (§3.7).
    #[derive(Default)]
    pub struct CryptographicDomainParameters {
        opt qlength: i32 = Qlength,
        opt recommended_curve: RecommendedCurve = RecommendedCurve,
    }
}

kmip_struct! {
    /// X.509 Certificate Identifier attribute (§3.10, Table 74).
    #[derive(Default)]
    pub struct X509CertificateIdentifier {
        req issuer_distinguished_name: Bytes = IssuerDistinguishedName,
        req certificate_serial_number: Bytes = CertificateSerialNumber,
    }
}

kmip_struct! {
    /// X.509 Certificate Subject attribute (§3.11, Table 76).
    #[derive(Default)]
    pub struct X509CertificateSubject {
        req subject_distinguished_name: Bytes = SubjectDistinguishedName,
        vec subject_alternative_names: Bytes = SubjectAlternativeName,
    }
}

kmip_struct! {
    /// X.509 Certificate Issuer attribute (§3.12, Table 78).
    #[derive(Default)]
    pub struct X509CertificateIssuer {
        req issuer_distinguished_name: Bytes = IssuerDistinguishedName,
        vec issuer_alternative_names: Bytes = IssuerAlternativeName,
    }
}

kmip_struct! {
    /// Certificate Identifier attribute, deprecated since 1.1 (§3.13, Table 80).
    #[derive(Default)]
    pub struct CertificateIdentifier {
        req issuer: String = Issuer,
        opt serial_number: String = SerialNumber,
    }
}

kmip_struct! {
    /// Certificate Subject attribute, deprecated since 1.1 (§3.14, Table 82).
    #[derive(Default)]
    pub struct CertificateSubject {
        req distinguished_name: String = CertificateSubjectDistinguishedName,
        vec alternative_names: String = CertificateSubjectAlternativeName,
    }
}

kmip_struct! {
    /// Certificate Issuer attribute, deprecated since 1.1 (§3.15, Table 84).
    #[derive(Default)]
    pub struct CertificateIssuer {
        req distinguished_name: String = CertificateIssuerDistinguishedName,
        vec alternative_names: String = CertificateIssuerAlternativeName,
    }
}

kmip_struct! {
    /// Digest attribute (§3.17, Table 88).
    pub struct Digest {
        req hashing_algorithm: HashingAlgorithm = HashingAlgorithm,
        opt digest_value: Bytes = DigestValue,
        opt key_format_type: KeyFormatType = KeyFormatType,
    }
}

kmip_struct! {
    /// Usage Limits attribute (§3.21, Table 101).
    pub struct UsageLimits {
        req total: i64 = UsageLimitsTotal,
        opt count: i64 = UsageLimitsCount,
        req unit: UsageLimitsUnit = UsageLimitsUnit,
    }
}

kmip_struct! {
    /// Revocation Reason attribute (§3.31, Table 121).
    pub struct RevocationReason {
        req code: RevocationReasonCode = RevocationReasonCode,
        opt message: String = RevocationMessage,
    }
}

kmip_struct! {
    /// Link attribute (§3.35, Table 129).
    pub struct Link {
        req link_type: LinkType = LinkType,
        req linked_object_identifier: String = LinkedObjectIdentifier,
    }
}

kmip_struct! {
    /// Application Specific Information attribute (§3.36, Table 131).
    #[derive(Default)]
    pub struct ApplicationSpecificInformation {
        req application_namespace: String = ApplicationNamespace,
        opt application_data: String = ApplicationData,
    }
}

kmip_struct! {
    /// Alternative Name attribute (§3.40, Table 139).
    pub struct AlternativeName {
        req value: String = AlternativeNameValue,
        req name_type: AlternativeNameType = AlternativeNameType,
    }
}

kmip_struct! {
    /// Key Value Location attribute (§3.42, Table 143).
    pub struct KeyValueLocation {
        req value: String = KeyValueLocationValue,
        req location_type: KeyValueLocationType = KeyValueLocationType,
    }
}

kmip_struct! {
    /// RNG Parameters (§2.1.18, Table 39), also the Random Number Generator
    /// attribute (§3.44).
    pub struct RNGParameters {
        req rng_algorithm: RNGAlgorithm = RNGAlgorithm,
        opt cryptographic_algorithm: CryptographicAlgorithm = CryptographicAlgorithm,
        opt cryptographic_length: i32 = CryptographicLength,
        opt hashing_algorithm: HashingAlgorithm = HashingAlgorithm,
        opt drbg_algorithm: DRBGAlgorithm = DRBGAlgorithm,
        opt recommended_curve: RecommendedCurve = RecommendedCurve,
        opt fips186_variation: FIPS186Variation = FIPS186Variation,
        opt prediction_resistance: bool = PredictionResistance,
    }
}

kmip_struct! {
    /// Template-Attribute (§2.1.8, Table 29); also Common, Private Key and
    /// Public Key Template-Attribute, which differ only in tag.
    #[derive(Default)]
    pub struct TemplateAttribute {
        vec names: Name = Name,
        vec attributes: Attribute = Attribute,
    }
}

kmip_struct! {
    /// Encryption Key Information (§2.1.5, Table 10).
    #[derive(Default)]
    pub struct EncryptionKeyInformation {
        req unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
    }
}

kmip_struct! {
    /// MAC/Signature Key Information (§2.1.5, Table 11).
    #[derive(Default)]
    pub struct MacSignatureKeyInformation {
        req unique_identifier: String = UniqueIdentifier,
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
    }
}

kmip_struct! {
    /// Key Wrapping Data (§2.1.5, Table 9).
    pub struct KeyWrappingData {
        req wrapping_method: WrappingMethod = WrappingMethod,
        opt encryption_key_information: EncryptionKeyInformation = EncryptionKeyInformation,
        opt mac_signature_key_information: MacSignatureKeyInformation = MACSignatureKeyInformation,
        opt mac_signature: Bytes = MACSignature,
        opt iv_counter_nonce: Bytes = IVCounterNonce,
        opt encoding_option: EncodingOption = EncodingOption,
    }
}

kmip_struct! {
    /// Key Wrapping Specification (§2.1.6, Table 12).
    pub struct KeyWrappingSpecification {
        req wrapping_method: WrappingMethod = WrappingMethod,
        opt encryption_key_information: EncryptionKeyInformation = EncryptionKeyInformation,
        opt mac_signature_key_information: MacSignatureKeyInformation = MACSignatureKeyInformation,
        vec attribute_names: String = AttributeName,
        opt encoding_option: EncodingOption = EncodingOption,
    }
}

kmip_struct! {
    /// Nonce (§2.1.14, Table 35).
    #[derive(Default)]
    pub struct Nonce {
        req nonce_id: Bytes = NonceID,
        req nonce_value: Bytes = NonceValue,
    }
}

kmip_struct! {
    /// Extension Information (§2.1.9, Table 30).
    #[derive(Default)]
    pub struct ExtensionInformation {
        req extension_name: String = ExtensionName,
        opt extension_tag: i32 = ExtensionTag,
        opt extension_type: i32 = ExtensionType,
    }
}

kmip_struct! {
    /// Profile Information (§2.1.19, Table 40).
    pub struct ProfileInformation {
        req profile_name: ProfileName = ProfileName,
        opt server_uri: String = ServerURI,
        opt server_port: i32 = ServerPort,
    }
}

kmip_struct! {
    /// Validation Information (§2.1.20, Table 41).
    pub struct ValidationInformation {
        req authority_type: ValidationAuthorityType = ValidationAuthorityType,
        opt authority_country: String = ValidationAuthorityCountry,
        opt authority_uri: String = ValidationAuthorityURI,
        req version_major: i32 = ValidationVersionMajor,
        opt version_minor: i32 = ValidationVersionMinor,
        req validation_type: ValidationType = ValidationType,
        req level: i32 = ValidationLevel,
        opt certificate_identifier: String = ValidationCertificateIdentifier,
        opt certificate_uri: String = ValidationCertificateURI,
        opt vendor_uri: String = ValidationVendorURI,
        vec profiles: String = ValidationProfile,
    }
}

kmip_struct! {
    /// Capability Information (§2.1.21, Table 42).
    #[derive(Default)]
    pub struct CapabilityInformation {
        opt streaming_capability: bool = StreamingCapability,
        opt asynchronous_capability: bool = AsynchronousCapability,
        opt attestation_capability: bool = AttestationCapability,
        opt batch_undo_capability: bool = BatchUndoCapability,
        opt batch_continue_capability: bool = BatchContinueCapability,
        opt unwrap_mode: UnwrapMode = UnwrapMode,
        opt destroy_action: DestroyActionType = DestroyAction,
        opt shredding_algorithm: ShreddingAlgorithm = ShreddingAlgorithm,
        opt rng_mode: RNGMode = RNGMode,
    }
}

kmip_struct! {
    /// Derivation Parameters (§4.6, Tables 182 and 183: the PBKDF2 form adds
    /// Salt and Iteration Count).
    #[derive(Default)]
    pub struct DerivationParameters {
        opt cryptographic_parameters: CryptographicParameters = CryptographicParameters,
        opt initialization_vector: Bytes = InitializationVector,
        opt derivation_data: Bytes = DerivationData,
        opt salt: Bytes = Salt,
        opt iteration_count: i32 = IterationCount,
    }
}

kmip_struct! {
    /// Message Extension (§6.16).
    pub struct MessageExtension {
        req vendor_identification: String = VendorIdentification,
        req criticality_indicator: bool = CriticalityIndicator,
        req vendor_extension: crate::Ttlv = VendorExtension,
    }
}

kmip_struct! {
    /// Transparent Symmetric Key material (§2.1.7.1, Table 14).
    #[derive(Default)]
    pub struct TransparentSymmetricKey {
        req key: Bytes = Key,
    }
}

kmip_struct! {
    /// Transparent DSA Private Key material (§2.1.7.2, Table 15).
    pub struct TransparentDSAPrivateKey {
        req p: BigInteger = P,
        req q: BigInteger = Q,
        req g: BigInteger = G,
        req x: BigInteger = X,
    }
}

kmip_struct! {
    /// Transparent DSA Public Key material (§2.1.7.3, Table 16).
    pub struct TransparentDSAPublicKey {
        req p: BigInteger = P,
        req q: BigInteger = Q,
        req g: BigInteger = G,
        req y: BigInteger = Y,
    }
}

kmip_struct! {
    /// Transparent RSA Private Key material (§2.1.7.4, Table 17).
    pub struct TransparentRSAPrivateKey {
        req modulus: BigInteger = Modulus,
        opt private_exponent: BigInteger = PrivateExponent,
        opt public_exponent: BigInteger = PublicExponent,
        opt p: BigInteger = P,
        opt q: BigInteger = Q,
        opt prime_exponent_p: BigInteger = PrimeExponentP,
        opt prime_exponent_q: BigInteger = PrimeExponentQ,
        opt crt_coefficient: BigInteger = CRTCoefficient,
    }
}

kmip_struct! {
    /// Transparent RSA Public Key material (§2.1.7.5, Table 18).
    pub struct TransparentRSAPublicKey {
        req modulus: BigInteger = Modulus,
        req public_exponent: BigInteger = PublicExponent,
    }
}

kmip_struct! {
    /// Transparent DH Private Key material (§2.1.7.6, Table 19).
    pub struct TransparentDHPrivateKey {
        req p: BigInteger = P,
        opt q: BigInteger = Q,
        req g: BigInteger = G,
        opt j: BigInteger = J,
        req x: BigInteger = X,
    }
}

kmip_struct! {
    /// Transparent DH Public Key material (§2.1.7.7, Table 20).
    pub struct TransparentDHPublicKey {
        req p: BigInteger = P,
        opt q: BigInteger = Q,
        req g: BigInteger = G,
        opt j: BigInteger = J,
        req y: BigInteger = Y,
    }
}

kmip_struct! {
    /// Transparent EC (and ECDSA, ECDH, ECMQV) Private Key material
    /// (§2.1.7.8–2.1.7.14, Tables 21, 23, 25, 27).
    pub struct TransparentECPrivateKey {
        req recommended_curve: RecommendedCurve = RecommendedCurve,
        req d: BigInteger = D,
    }
}

kmip_struct! {
    /// Transparent EC (and ECDSA, ECDH, ECMQV) Public Key material
    /// (Tables 22, 24, 26, 28).
    pub struct TransparentECPublicKey {
        req recommended_curve: RecommendedCurve = RecommendedCurve,
        req q_string: Bytes = QString,
    }
}
