//! The KMIP 1.0–1.4 tag registry (KMIP 1.4 §9.1.3.1, Table 288), declared once.
//!
//! Every row names a tag three ways: the Rust/XML/JSON name (`ActivationDate`,
//! the normalised spelling the OASIS XML test cases use), its value, and its
//! spelling in the specification ("Activation Date"). The second column is the
//! item type the tag always carries, `Any` where the specification lets it vary
//! (Attribute Value, Key Value, Key Material, Custom Attribute), optionally
//! followed by the enumeration or bit mask that names its values.
//!
//! The rows are sorted and dense (0x420001..=0x420124), so looking a tag up is
//! an index, not a search; `tests/registry.rs` checks the table against the
//! specification text.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::enums::{self, EnumDef};
use crate::ttlv::ItemType;

/// A KMIP tag: a 3-byte value, kept as a `u32`. Unknown and extension tags
/// (0x54xxxx) are representable: they decode, and their Debug output is hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

/// What the registry knows about one tag.
#[derive(Debug)]
pub struct TagInfo {
    /// The tag itself.
    pub tag: Tag,
    /// The normalised name used by the XML and JSON encodings and in Rust.
    pub name: &'static str,
    /// The name as the specification spells it.
    pub spec_name: &'static str,
    /// The item type this tag always carries, or `None` where it varies.
    pub item_type: Option<ItemType>,
    /// The enumeration or bit mask naming this tag's values, if any.
    pub values: Option<&'static EnumDef>,
}

macro_rules! item_type {
    (Any) => {
        None
    };
    ($t:ident) => {
        Some(ItemType::$t)
    };
}

macro_rules! values_of {
    () => {
        None
    };
    ($e:ident) => {
        Some(enums::$e::DEF)
    };
}

macro_rules! tags {
    ($($name:ident = $value:literal, $ty:ident $(($values:ident))?, $spec:literal;)*) => {
        #[allow(non_upper_case_globals)]
        impl Tag {
            $(
                #[doc = $spec]
                pub const $name: Tag = Tag($value);
            )*
        }

        /// Every tag of KMIP 1.0–1.4, sorted by value.
        pub static TAGS: &[TagInfo] = &[
            $(TagInfo {
                tag: Tag($value),
                name: stringify!($name),
                spec_name: $spec,
                item_type: item_type!($ty),
                values: values_of!($($values)?),
            },)*
        ];
    };
}

/// The first registered tag value; the table is dense from here.
const FIRST: u32 = 0x42_0001;

impl Tag {
    /// The registry entry for this tag, if it is a KMIP 1.x tag.
    pub fn info(self) -> Option<&'static TagInfo> {
        let index = self.0.checked_sub(FIRST)?;
        TAGS.get(usize::try_from(index).ok()?)
    }

    /// The XML/JSON name (`ActivationDate`), if registered.
    pub fn name(self) -> Option<&'static str> {
        self.info().map(|i| i.name)
    }

    /// The specification's name ("Activation Date"), if registered.
    pub fn spec_name(self) -> Option<&'static str> {
        self.info().map(|i| i.spec_name)
    }

    /// The item type the specification fixes for this tag, if it fixes one.
    pub fn item_type(self) -> Option<ItemType> {
        self.info().and_then(|i| i.item_type)
    }

    /// Looks a tag up by its XML/JSON name or its specification name.
    pub fn from_name(name: &str) -> Option<Tag> {
        static INDEX: OnceLock<HashMap<&'static str, Tag>> = OnceLock::new();
        let index = INDEX.get_or_init(|| {
            TAGS.iter()
                .flat_map(|i| [(i.name, i.tag), (i.spec_name, i.tag)])
                .collect()
        });
        index.get(name).copied()
    }

    /// True for the vendor extension range 0x540000–0x54FFFF.
    pub fn is_extension(self) -> bool {
        (0x54_0000..=0x54_FFFF).contains(&self.0)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Tag(0x{:06X})", self.0),
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.spec_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:06X}", self.0),
        }
    }
}

tags! {
ActivationDate = 0x420001, DateTime, "Activation Date";
    ApplicationData = 0x420002, TextString, "Application Data";
    ApplicationNamespace = 0x420003, TextString, "Application Namespace";
    ApplicationSpecificInformation = 0x420004, Structure, "Application Specific Information";
    ArchiveDate = 0x420005, DateTime, "Archive Date";
    AsynchronousCorrelationValue = 0x420006, ByteString, "Asynchronous Correlation Value";
    AsynchronousIndicator = 0x420007, Boolean, "Asynchronous Indicator";
    Attribute = 0x420008, Structure, "Attribute";
    AttributeIndex = 0x420009, Integer, "Attribute Index";
    AttributeName = 0x42000A, TextString, "Attribute Name";
    AttributeValue = 0x42000B, Any, "Attribute Value";
    Authentication = 0x42000C, Structure, "Authentication";
    BatchCount = 0x42000D, Integer, "Batch Count";
    BatchErrorContinuationOption = 0x42000E, Enumeration(BatchErrorContinuationOption), "Batch Error Continuation Option";
    BatchItem = 0x42000F, Structure, "Batch Item";
    BatchOrderOption = 0x420010, Boolean, "Batch Order Option";
    BlockCipherMode = 0x420011, Enumeration(BlockCipherMode), "Block Cipher Mode";
    CancellationResult = 0x420012, Enumeration(CancellationResult), "Cancellation Result";
    Certificate = 0x420013, Structure, "Certificate";
    CertificateIdentifier = 0x420014, Structure, "Certificate Identifier";
    CertificateIssuer = 0x420015, Structure, "Certificate Issuer";
    CertificateIssuerAlternativeName = 0x420016, TextString, "Certificate Issuer Alternative Name";
    CertificateIssuerDistinguishedName = 0x420017, TextString, "Certificate Issuer Distinguished Name";
    CertificateRequest = 0x420018, ByteString, "Certificate Request";
    CertificateRequestType = 0x420019, Enumeration(CertificateRequestType), "Certificate Request Type";
    CertificateSubject = 0x42001A, Structure, "Certificate Subject";
    CertificateSubjectAlternativeName = 0x42001B, TextString, "Certificate Subject Alternative Name";
    CertificateSubjectDistinguishedName = 0x42001C, TextString, "Certificate Subject Distinguished Name";
    CertificateType = 0x42001D, Enumeration(CertificateType), "Certificate Type";
    CertificateValue = 0x42001E, ByteString, "Certificate Value";
    CommonTemplateAttribute = 0x42001F, Structure, "Common Template-Attribute";
    CompromiseDate = 0x420020, DateTime, "Compromise Date";
    CompromiseOccurrenceDate = 0x420021, DateTime, "Compromise Occurrence Date";
    ContactInformation = 0x420022, TextString, "Contact Information";
    Credential = 0x420023, Structure, "Credential";
    CredentialType = 0x420024, Enumeration(CredentialType), "Credential Type";
    CredentialValue = 0x420025, Structure, "Credential Value";
    CriticalityIndicator = 0x420026, Boolean, "Criticality Indicator";
    CRTCoefficient = 0x420027, BigInteger, "CRT Coefficient";
    CryptographicAlgorithm = 0x420028, Enumeration(CryptographicAlgorithm), "Cryptographic Algorithm";
    CryptographicDomainParameters = 0x420029, Structure, "Cryptographic Domain Parameters";
    CryptographicLength = 0x42002A, Integer, "Cryptographic Length";
    CryptographicParameters = 0x42002B, Structure, "Cryptographic Parameters";
    CryptographicUsageMask = 0x42002C, Integer(CryptographicUsageMask), "Cryptographic Usage Mask";
    CustomAttribute = 0x42002D, Any, "Custom Attribute";
    D = 0x42002E, BigInteger, "D";
    DeactivationDate = 0x42002F, DateTime, "Deactivation Date";
    DerivationData = 0x420030, ByteString, "Derivation Data";
    DerivationMethod = 0x420031, Enumeration(DerivationMethod), "Derivation Method";
    DerivationParameters = 0x420032, Structure, "Derivation Parameters";
    DestroyDate = 0x420033, DateTime, "Destroy Date";
    Digest = 0x420034, Structure, "Digest";
    DigestValue = 0x420035, ByteString, "Digest Value";
    EncryptionKeyInformation = 0x420036, Structure, "Encryption Key Information";
    G = 0x420037, BigInteger, "G";
    HashingAlgorithm = 0x420038, Enumeration(HashingAlgorithm), "Hashing Algorithm";
    InitialDate = 0x420039, DateTime, "Initial Date";
    InitializationVector = 0x42003A, ByteString, "Initialization Vector";
    Issuer = 0x42003B, TextString, "Issuer";
    IterationCount = 0x42003C, Integer, "Iteration Count";
    IVCounterNonce = 0x42003D, ByteString, "IV/Counter/Nonce";
    J = 0x42003E, BigInteger, "J";
    Key = 0x42003F, ByteString, "Key";
    KeyBlock = 0x420040, Structure, "Key Block";
    KeyCompressionType = 0x420041, Enumeration(KeyCompressionType), "Key Compression Type";
    KeyFormatType = 0x420042, Enumeration(KeyFormatType), "Key Format Type";
    KeyMaterial = 0x420043, Any, "Key Material";
    KeyPartIdentifier = 0x420044, Integer, "Key Part Identifier";
    KeyValue = 0x420045, Any, "Key Value";
    KeyWrappingData = 0x420046, Structure, "Key Wrapping Data";
    KeyWrappingSpecification = 0x420047, Structure, "Key Wrapping Specification";
    LastChangeDate = 0x420048, DateTime, "Last Change Date";
    LeaseTime = 0x420049, Interval, "Lease Time";
    Link = 0x42004A, Structure, "Link";
    LinkType = 0x42004B, Enumeration(LinkType), "Link Type";
    LinkedObjectIdentifier = 0x42004C, TextString, "Linked Object Identifier";
    MACSignature = 0x42004D, ByteString, "MAC/Signature";
    MACSignatureKeyInformation = 0x42004E, Structure, "MAC/Signature Key Information";
    MaximumItems = 0x42004F, Integer, "Maximum Items";
    MaximumResponseSize = 0x420050, Integer, "Maximum Response Size";
    MessageExtension = 0x420051, Structure, "Message Extension";
    Modulus = 0x420052, BigInteger, "Modulus";
    Name = 0x420053, Structure, "Name";
    NameType = 0x420054, Enumeration(NameType), "Name Type";
    NameValue = 0x420055, TextString, "Name Value";
    ObjectGroup = 0x420056, TextString, "Object Group";
    ObjectType = 0x420057, Enumeration(ObjectType), "Object Type";
    Offset = 0x420058, Interval, "Offset";
    OpaqueDataType = 0x420059, Enumeration(OpaqueDataType), "Opaque Data Type";
    OpaqueDataValue = 0x42005A, ByteString, "Opaque Data Value";
    OpaqueObject = 0x42005B, Structure, "Opaque Object";
    Operation = 0x42005C, Enumeration(Operation), "Operation";
    OperationPolicyName = 0x42005D, TextString, "Operation Policy Name";
    P = 0x42005E, BigInteger, "P";
    PaddingMethod = 0x42005F, Enumeration(PaddingMethod), "Padding Method";
    PrimeExponentP = 0x420060, BigInteger, "Prime Exponent P";
    PrimeExponentQ = 0x420061, BigInteger, "Prime Exponent Q";
    PrimeFieldSize = 0x420062, BigInteger, "Prime Field Size";
    PrivateExponent = 0x420063, BigInteger, "Private Exponent";
    PrivateKey = 0x420064, Structure, "Private Key";
    PrivateKeyTemplateAttribute = 0x420065, Structure, "Private Key Template-Attribute";
    PrivateKeyUniqueIdentifier = 0x420066, TextString, "Private Key Unique Identifier";
    ProcessStartDate = 0x420067, DateTime, "Process Start Date";
    ProtectStopDate = 0x420068, DateTime, "Protect Stop Date";
    ProtocolVersion = 0x420069, Structure, "Protocol Version";
    ProtocolVersionMajor = 0x42006A, Integer, "Protocol Version Major";
    ProtocolVersionMinor = 0x42006B, Integer, "Protocol Version Minor";
    PublicExponent = 0x42006C, BigInteger, "Public Exponent";
    PublicKey = 0x42006D, Structure, "Public Key";
    PublicKeyTemplateAttribute = 0x42006E, Structure, "Public Key Template-Attribute";
    PublicKeyUniqueIdentifier = 0x42006F, TextString, "Public Key Unique Identifier";
    PutFunction = 0x420070, Enumeration(PutFunction), "Put Function";
    Q = 0x420071, BigInteger, "Q";
    QString = 0x420072, ByteString, "Q String";
    Qlength = 0x420073, Integer, "Qlength";
    QueryFunction = 0x420074, Enumeration(QueryFunction), "Query Function";
    RecommendedCurve = 0x420075, Enumeration(RecommendedCurve), "Recommended Curve";
    ReplacedUniqueIdentifier = 0x420076, TextString, "Replaced Unique Identifier";
    RequestHeader = 0x420077, Structure, "Request Header";
    RequestMessage = 0x420078, Structure, "Request Message";
    RequestPayload = 0x420079, Structure, "Request Payload";
    ResponseHeader = 0x42007A, Structure, "Response Header";
    ResponseMessage = 0x42007B, Structure, "Response Message";
    ResponsePayload = 0x42007C, Structure, "Response Payload";
    ResultMessage = 0x42007D, TextString, "Result Message";
    ResultReason = 0x42007E, Enumeration(ResultReason), "Result Reason";
    ResultStatus = 0x42007F, Enumeration(ResultStatus), "Result Status";
    RevocationMessage = 0x420080, TextString, "Revocation Message";
    RevocationReason = 0x420081, Structure, "Revocation Reason";
    RevocationReasonCode = 0x420082, Enumeration(RevocationReasonCode), "Revocation Reason Code";
    KeyRoleType = 0x420083, Enumeration(KeyRoleType), "Key Role Type";
    Salt = 0x420084, ByteString, "Salt";
    SecretData = 0x420085, Structure, "Secret Data";
    SecretDataType = 0x420086, Enumeration(SecretDataType), "Secret Data Type";
    SerialNumber = 0x420087, TextString, "Serial Number";
    ServerInformation = 0x420088, Structure, "Server Information";
    SplitKey = 0x420089, Structure, "Split Key";
    SplitKeyMethod = 0x42008A, Enumeration(SplitKeyMethod), "Split Key Method";
    SplitKeyParts = 0x42008B, Integer, "Split Key Parts";
    SplitKeyThreshold = 0x42008C, Integer, "Split Key Threshold";
    State = 0x42008D, Enumeration(State), "State";
    StorageStatusMask = 0x42008E, Integer(StorageStatusMask), "Storage Status Mask";
    SymmetricKey = 0x42008F, Structure, "Symmetric Key";
    Template = 0x420090, Structure, "Template";
    TemplateAttribute = 0x420091, Structure, "Template-Attribute";
    TimeStamp = 0x420092, DateTime, "Time Stamp";
    UniqueBatchItemID = 0x420093, ByteString, "Unique Batch Item ID";
    UniqueIdentifier = 0x420094, TextString, "Unique Identifier";
    UsageLimits = 0x420095, Structure, "Usage Limits";
    UsageLimitsCount = 0x420096, LongInteger, "Usage Limits Count";
    UsageLimitsTotal = 0x420097, LongInteger, "Usage Limits Total";
    UsageLimitsUnit = 0x420098, Enumeration(UsageLimitsUnit), "Usage Limits Unit";
    Username = 0x420099, TextString, "Username";
    ValidityDate = 0x42009A, DateTime, "Validity Date";
    ValidityIndicator = 0x42009B, Enumeration(ValidityIndicator), "Validity Indicator";
    VendorExtension = 0x42009C, Structure, "Vendor Extension";
    VendorIdentification = 0x42009D, TextString, "Vendor Identification";
    WrappingMethod = 0x42009E, Enumeration(WrappingMethod), "Wrapping Method";
    X = 0x42009F, BigInteger, "X";
    Y = 0x4200A0, BigInteger, "Y";
    Password = 0x4200A1, TextString, "Password";
    DeviceIdentifier = 0x4200A2, TextString, "Device Identifier";
    EncodingOption = 0x4200A3, Enumeration(EncodingOption), "Encoding Option";
    ExtensionInformation = 0x4200A4, Structure, "Extension Information";
    ExtensionName = 0x4200A5, TextString, "Extension Name";
    ExtensionTag = 0x4200A6, Integer, "Extension Tag";
    ExtensionType = 0x4200A7, Integer, "Extension Type";
    Fresh = 0x4200A8, Boolean, "Fresh";
    MachineIdentifier = 0x4200A9, TextString, "Machine Identifier";
    MediaIdentifier = 0x4200AA, TextString, "Media Identifier";
    NetworkIdentifier = 0x4200AB, TextString, "Network Identifier";
    ObjectGroupMember = 0x4200AC, Enumeration(ObjectGroupMemberOption), "Object Group Member";
    CertificateLength = 0x4200AD, Integer, "Certificate Length";
    DigitalSignatureAlgorithm = 0x4200AE, Enumeration(DigitalSignatureAlgorithm), "Digital Signature Algorithm";
    CertificateSerialNumber = 0x4200AF, ByteString, "Certificate Serial Number";
    DeviceSerialNumber = 0x4200B0, TextString, "Device Serial Number";
    IssuerAlternativeName = 0x4200B1, ByteString, "Issuer Alternative Name";
    IssuerDistinguishedName = 0x4200B2, ByteString, "Issuer Distinguished Name";
    SubjectAlternativeName = 0x4200B3, ByteString, "Subject Alternative Name";
    SubjectDistinguishedName = 0x4200B4, ByteString, "Subject Distinguished Name";
    X_509CertificateIdentifier = 0x4200B5, Structure, "X.509 Certificate Identifier";
    X_509CertificateIssuer = 0x4200B6, Structure, "X.509 Certificate Issuer";
    X_509CertificateSubject = 0x4200B7, Structure, "X.509 Certificate Subject";
    KeyValueLocation = 0x4200B8, Structure, "Key Value Location";
    KeyValueLocationValue = 0x4200B9, TextString, "Key Value Location Value";
    KeyValueLocationType = 0x4200BA, Enumeration(KeyValueLocationType), "Key Value Location Type";
    KeyValuePresent = 0x4200BB, Boolean, "Key Value Present";
    OriginalCreationDate = 0x4200BC, DateTime, "Original Creation Date";
    PGPKey = 0x4200BD, Structure, "PGP Key";
    PGPKeyVersion = 0x4200BE, Integer, "PGP Key Version";
    AlternativeName = 0x4200BF, Structure, "Alternative Name";
    AlternativeNameValue = 0x4200C0, TextString, "Alternative Name Value";
    AlternativeNameType = 0x4200C1, Enumeration(AlternativeNameType), "Alternative Name Type";
    Data = 0x4200C2, ByteString, "Data";
    SignatureData = 0x4200C3, ByteString, "Signature Data";
    DataLength = 0x4200C4, Integer, "Data Length";
    RandomIV = 0x4200C5, Boolean, "Random IV";
    MACData = 0x4200C6, ByteString, "MAC Data";
    AttestationType = 0x4200C7, Enumeration(AttestationType), "Attestation Type";
    Nonce = 0x4200C8, Structure, "Nonce";
    NonceID = 0x4200C9, ByteString, "Nonce ID";
    NonceValue = 0x4200CA, ByteString, "Nonce Value";
    AttestationMeasurement = 0x4200CB, ByteString, "Attestation Measurement";
    AttestationAssertion = 0x4200CC, ByteString, "Attestation Assertion";
    IVLength = 0x4200CD, Integer, "IV Length";
    TagLength = 0x4200CE, Integer, "Tag Length";
    FixedFieldLength = 0x4200CF, Integer, "Fixed Field Length";
    CounterLength = 0x4200D0, Integer, "Counter Length";
    InitialCounterValue = 0x4200D1, Integer, "Initial Counter Value";
    InvocationFieldLength = 0x4200D2, Integer, "Invocation Field Length";
    AttestationCapableIndicator = 0x4200D3, Boolean, "Attestation Capable Indicator";
    OffsetItems = 0x4200D4, Integer, "Offset Items";
    LocatedItems = 0x4200D5, Integer, "Located Items";
    CorrelationValue = 0x4200D6, ByteString, "Correlation Value";
    InitIndicator = 0x4200D7, Boolean, "Init Indicator";
    FinalIndicator = 0x4200D8, Boolean, "Final Indicator";
    RNGParameters = 0x4200D9, Structure, "RNG Parameters";
    RNGAlgorithm = 0x4200DA, Enumeration(RNGAlgorithm), "RNG Algorithm";
    DRBGAlgorithm = 0x4200DB, Enumeration(DRBGAlgorithm), "DRBG Algorithm";
    FIPS186Variation = 0x4200DC, Enumeration(FIPS186Variation), "FIPS186 Variation";
    PredictionResistance = 0x4200DD, Boolean, "Prediction Resistance";
    RandomNumberGenerator = 0x4200DE, Structure, "Random Number Generator";
    ValidationInformation = 0x4200DF, Structure, "Validation Information";
    ValidationAuthorityType = 0x4200E0, Enumeration(ValidationAuthorityType), "Validation Authority Type";
    ValidationAuthorityCountry = 0x4200E1, TextString, "Validation Authority Country";
    ValidationAuthorityURI = 0x4200E2, TextString, "Validation Authority URI";
    ValidationVersionMajor = 0x4200E3, Integer, "Validation Version Major";
    ValidationVersionMinor = 0x4200E4, Integer, "Validation Version Minor";
    ValidationType = 0x4200E5, Enumeration(ValidationType), "Validation Type";
    ValidationLevel = 0x4200E6, Integer, "Validation Level";
    ValidationCertificateIdentifier = 0x4200E7, TextString, "Validation Certificate Identifier";
    ValidationCertificateURI = 0x4200E8, TextString, "Validation Certificate URI";
    ValidationVendorURI = 0x4200E9, TextString, "Validation Vendor URI";
    ValidationProfile = 0x4200EA, TextString, "Validation Profile";
    ProfileInformation = 0x4200EB, Structure, "Profile Information";
    ProfileName = 0x4200EC, Enumeration(ProfileName), "Profile Name";
    ServerURI = 0x4200ED, TextString, "Server URI";
    ServerPort = 0x4200EE, Integer, "Server Port";
    StreamingCapability = 0x4200EF, Boolean, "Streaming Capability";
    AsynchronousCapability = 0x4200F0, Boolean, "Asynchronous Capability";
    AttestationCapability = 0x4200F1, Boolean, "Attestation Capability";
    UnwrapMode = 0x4200F2, Enumeration(UnwrapMode), "Unwrap Mode";
    DestroyAction = 0x4200F3, Enumeration(DestroyActionType), "Destroy Action";
    ShreddingAlgorithm = 0x4200F4, Enumeration(ShreddingAlgorithm), "Shredding Algorithm";
    RNGMode = 0x4200F5, Enumeration(RNGMode), "RNG Mode";
    ClientRegistrationMethod = 0x4200F6, Enumeration(ClientRegistrationMethod), "Client Registration Method";
    CapabilityInformation = 0x4200F7, Structure, "Capability Information";
    KeyWrapType = 0x4200F8, Enumeration(KeyWrapType), "Key Wrap Type";
    BatchUndoCapability = 0x4200F9, Boolean, "Batch Undo Capability";
    BatchContinueCapability = 0x4200FA, Boolean, "Batch Continue Capability";
    PKCS_12FriendlyName = 0x4200FB, TextString, "PKCS#12 Friendly Name";
    Description = 0x4200FC, TextString, "Description";
    Comment = 0x4200FD, TextString, "Comment";
    AuthenticatedEncryptionAdditionalData = 0x4200FE, ByteString, "Authenticated Encryption Additional Data";
    AuthenticatedEncryptionTag = 0x4200FF, ByteString, "Authenticated Encryption Tag";
    SaltLength = 0x420100, Integer, "Salt Length";
    MaskGenerator = 0x420101, Enumeration(MaskGenerator), "Mask Generator";
    MaskGeneratorHashingAlgorithm = 0x420102, Enumeration(HashingAlgorithm), "Mask Generator Hashing Algorithm";
    PSource = 0x420103, ByteString, "P Source";
    TrailerField = 0x420104, Integer, "Trailer Field";
    ClientCorrelationValue = 0x420105, TextString, "Client Correlation Value";
    ServerCorrelationValue = 0x420106, TextString, "Server Correlation Value";
    DigestedData = 0x420107, ByteString, "Digested Data";
    CertificateSubjectCN = 0x420108, TextString, "Certificate Subject CN";
    CertificateSubjectO = 0x420109, TextString, "Certificate Subject O";
    CertificateSubjectOU = 0x42010A, TextString, "Certificate Subject OU";
    CertificateSubjectEmail = 0x42010B, TextString, "Certificate Subject Email";
    CertificateSubjectC = 0x42010C, TextString, "Certificate Subject C";
    CertificateSubjectST = 0x42010D, TextString, "Certificate Subject ST";
    CertificateSubjectL = 0x42010E, TextString, "Certificate Subject L";
    CertificateSubjectUID = 0x42010F, TextString, "Certificate Subject UID";
    CertificateSubjectSerialNumber = 0x420110, TextString, "Certificate Subject Serial Number";
    CertificateSubjectTitle = 0x420111, TextString, "Certificate Subject Title";
    CertificateSubjectDC = 0x420112, TextString, "Certificate Subject DC";
    CertificateSubjectDNQualifier = 0x420113, TextString, "Certificate Subject DN Qualifier";
    CertificateIssuerCN = 0x420114, TextString, "Certificate Issuer CN";
    CertificateIssuerO = 0x420115, TextString, "Certificate Issuer O";
    CertificateIssuerOU = 0x420116, TextString, "Certificate Issuer OU";
    CertificateIssuerEmail = 0x420117, TextString, "Certificate Issuer Email";
    CertificateIssuerC = 0x420118, TextString, "Certificate Issuer C";
    CertificateIssuerST = 0x420119, TextString, "Certificate Issuer ST";
    CertificateIssuerL = 0x42011A, TextString, "Certificate Issuer L";
    CertificateIssuerUID = 0x42011B, TextString, "Certificate Issuer UID";
    CertificateIssuerSerialNumber = 0x42011C, TextString, "Certificate Issuer Serial Number";
    CertificateIssuerTitle = 0x42011D, TextString, "Certificate Issuer Title";
    CertificateIssuerDC = 0x42011E, TextString, "Certificate Issuer DC";
    CertificateIssuerDNQualifier = 0x42011F, TextString, "Certificate Issuer DN Qualifier";
    Sensitive = 0x420120, Boolean, "Sensitive";
    AlwaysSensitive = 0x420121, Boolean, "Always Sensitive";
    Extractable = 0x420122, Boolean, "Extractable";
    NeverExtractable = 0x420123, Boolean, "Never Extractable";
    ReplaceExisting = 0x420124, Boolean, "Replace Existing";
}
