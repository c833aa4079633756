//! Every enumeration (KMIP 1.4 §9.1.3.2) and bit mask (§9.1.3.3), declared once.
//!
//! Each enumeration is a newtype over its `u32` wire value with one associated
//! constant per named value, so unknown and extension values (0x8xxxxxxx)
//! round-trip instead of failing to decode, and `match` still reads like an
//! enum: `ObjectType::SymmetricKey`. Each type also carries a [`EnumDef`]
//! table that the XML and JSON encodings and Debug output read names from.

use std::fmt;

use crate::messages::codec::decode_enumeration;
use crate::messages::{Codec, MessageError};
use crate::tags::Tag;
use crate::ttlv::{Item, Writer};

/// One named value of an enumeration or bit mask.
#[derive(Debug)]
pub struct EnumValue {
    /// The wire value.
    pub value: u32,
    /// The normalised name used by XML/JSON (`PreActive`).
    pub name: &'static str,
    /// The specification's name ("Pre-Active").
    pub spec_name: &'static str,
}

/// The table of one enumeration or bit mask.
#[derive(Debug)]
pub struct EnumDef {
    /// The type's normalised name (`ObjectType`).
    pub name: &'static str,
    /// The specification's name ("Object Type").
    pub spec_name: &'static str,
    /// True for bit masks, which are encoded as Integers.
    pub mask: bool,
    /// The named values, in specification order.
    pub values: &'static [EnumValue],
}

impl EnumDef {
    /// The normalised name of `value`, if it has one.
    pub fn name_of(&self, value: u32) -> Option<&'static str> {
        self.values.iter().find(|v| v.value == value).map(|v| v.name)
    }

    /// The value named `name` (normalised or specification spelling).
    pub fn value_of(&self, name: &str) -> Option<u32> {
        self.values
            .iter()
            .find(|v| v.name == name || v.spec_name == name)
            .map(|v| v.value)
    }

    /// Splits a mask into named bits; the remainder has no name.
    pub fn mask_names(&self, mut value: u32) -> (Vec<&'static str>, u32) {
        let mut names = Vec::new();
        for v in self.values {
            if v.value != 0 && value & v.value == v.value {
                names.push(v.name);
                value &= !v.value;
            }
        }
        (names, value)
    }
}

macro_rules! is_mask {
    (Mask) => {
        true
    };
    (Enumeration) => {
        false
    };
}

/// Enumerations travel as Enumerations, bit masks as Integers.
macro_rules! impl_codec {
    (Enumeration, $name:ident) => {
        impl Codec for $name {
            fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
                decode_enumeration(item).map($name)
            }
            fn encode(&self, tag: Tag, w: &mut Writer) {
                w.enumeration(tag, self.0);
            }
        }
    };
    (Mask, $name:ident) => {
        impl Codec for $name {
            fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
                i32::decode(item).map(|v| $name(v as u32))
            }
            fn encode(&self, tag: Tag, w: &mut Writer) {
                w.integer(tag, self.0 as i32);
            }
        }
    };
}

macro_rules! kmip_enums {
    ($($kind:ident $name:ident $spec:literal { $($v:ident = $val:literal, $vs:literal;)* })*) => {
        $(
            #[doc = concat!("The ", $spec, " ", stringify!($kind), ".")]
            #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
            pub struct $name(pub u32);

            #[allow(non_upper_case_globals)]
            impl $name {
                $(
                    #[doc = $vs]
                    pub const $v: $name = $name($val);
                )*
                /// The table of this type's named values.
                pub const DEF: &'static EnumDef = &EnumDef {
                    name: stringify!($name),
                    spec_name: $spec,
                    mask: is_mask!($kind),
                    values: &[$(EnumValue { value: $val, name: stringify!($v), spec_name: $vs },)*],
                };

                /// The normalised name of this value, if it has one.
                pub fn name(self) -> Option<&'static str> {
                    Self::DEF.name_of(self.0)
                }
            }

            impl_codec!($kind, $name);

            impl fmt::Debug for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    debug_value(Self::DEF, self.0, f)
                }
            }
        )*

        /// Every enumeration and mask table.
        pub static ALL: &[&EnumDef] = &[$($name::DEF,)*];
    };
}

fn debug_value(def: &EnumDef, value: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if def.mask {
        let (names, rest) = def.mask_names(value);
        let mut parts: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        if rest != 0 || parts.is_empty() {
            parts.push(format!("0x{rest:08X}"));
        }
        write!(f, "{}({})", def.name, parts.join("|"))
    } else {
        match def.name_of(value) {
            Some(n) => write!(f, "{}::{n}", def.name),
            None => write!(f, "{}(0x{value:08X})", def.name),
        }
    }
}

macro_rules! mask_ops {
    ($($name:ident),*) => {$(
        impl $name {
            /// True when every bit of `other` is set in `self`.
            pub fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }
        }
        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, rhs: $name) -> $name {
                $name(self.0 | rhs.0)
            }
        }
    )*};
}
mask_ops!(CryptographicUsageMask, StorageStatusMask);

kmip_enums! {
Enumeration CredentialType "Credential Type" {
    UsernameAndPassword = 0x00000001, "Username and Password";
    Device = 0x00000002, "Device";
    Attestation = 0x00000003, "Attestation";
}
Enumeration KeyCompressionType "Key Compression Type" {
    ECPublicKeyTypeUncompressed = 0x00000001, "EC Public Key Type Uncompressed";
    ECPublicKeyTypeX9_62CompressedPrime = 0x00000002, "EC Public Key Type X9.62 Compressed Prime";
    ECPublicKeyTypeX9_62CompressedChar2 = 0x00000003, "EC Public Key Type X9.62 Compressed Char2";
    ECPublicKeyTypeX9_62Hybrid = 0x00000004, "EC Public Key Type X9.62 Hybrid";
}
Enumeration KeyFormatType "Key Format Type" {
    Raw = 0x00000001, "Raw";
    Opaque = 0x00000002, "Opaque";
    PKCS_1 = 0x00000003, "PKCS#1";
    PKCS_8 = 0x00000004, "PKCS#8";
    X_509 = 0x00000005, "X.509";
    ECPrivateKey = 0x00000006, "ECPrivateKey";
    TransparentSymmetricKey = 0x00000007, "Transparent Symmetric Key";
    TransparentDSAPrivateKey = 0x00000008, "Transparent DSA Private Key";
    TransparentDSAPublicKey = 0x00000009, "Transparent DSA Public Key";
    TransparentRSAPrivateKey = 0x0000000A, "Transparent RSA Private Key";
    TransparentRSAPublicKey = 0x0000000B, "Transparent RSA Public Key";
    TransparentDHPrivateKey = 0x0000000C, "Transparent DH Private Key";
    TransparentDHPublicKey = 0x0000000D, "Transparent DH Public Key";
    TransparentECDSAPrivateKey = 0x0000000E, "Transparent ECDSA Private Key";
    TransparentECDSAPublicKey = 0x0000000F, "Transparent ECDSA Public Key";
    TransparentECDHPrivateKey = 0x00000010, "Transparent ECDH Private Key";
    TransparentECDHPublicKey = 0x00000011, "Transparent ECDH Public Key";
    TransparentECMQVPrivateKey = 0x00000012, "Transparent ECMQV Private Key";
    TransparentECMQVPublicKey = 0x00000013, "Transparent ECMQV Public Key";
    TransparentECPrivateKey = 0x00000014, "Transparent EC Private Key";
    TransparentECPublicKey = 0x00000015, "Transparent EC Public Key";
    PKCS_12 = 0x00000016, "PKCS#12";
}
Enumeration WrappingMethod "Wrapping Method" {
    Encrypt = 0x00000001, "Encrypt";
    MACSign = 0x00000002, "MAC/sign";
    EncryptThenMACSign = 0x00000003, "Encrypt then MAC/sign";
    MACSignThenEncrypt = 0x00000004, "MAC/sign then encrypt";
    TR_31 = 0x00000005, "TR-31";
}
Enumeration RecommendedCurve "Recommended Curve Enumeration" {
    P_192 = 0x00000001, "P-192";
    K_163 = 0x00000002, "K-163";
    B_163 = 0x00000003, "B-163";
    P_224 = 0x00000004, "P-224";
    K_233 = 0x00000005, "K-233";
    B_233 = 0x00000006, "B-233";
    P_256 = 0x00000007, "P-256";
    K_283 = 0x00000008, "K-283";
    B_283 = 0x00000009, "B-283";
    P_384 = 0x0000000A, "P-384";
    K_409 = 0x0000000B, "K-409";
    B_409 = 0x0000000C, "B-409";
    P_521 = 0x0000000D, "P-521";
    K_571 = 0x0000000E, "K-571";
    B_571 = 0x0000000F, "B-571";
    SECP112R1 = 0x00000010, "SECP112R1";
    SECP112R2 = 0x00000011, "SECP112R2";
    SECP128R1 = 0x00000012, "SECP128R1";
    SECP128R2 = 0x00000013, "SECP128R2";
    SECP160K1 = 0x00000014, "SECP160K1";
    SECP160R1 = 0x00000015, "SECP160R1";
    SECP160R2 = 0x00000016, "SECP160R2";
    SECP192K1 = 0x00000017, "SECP192K1";
    SECP224K1 = 0x00000018, "SECP224K1";
    SECP256K1 = 0x00000019, "SECP256K1";
    SECT113R1 = 0x0000001A, "SECT113R1";
    SECT113R2 = 0x0000001B, "SECT113R2";
    SECT131R1 = 0x0000001C, "SECT131R1";
    SECT131R2 = 0x0000001D, "SECT131R2";
    SECT163R1 = 0x0000001E, "SECT163R1";
    SECT193R1 = 0x0000001F, "SECT193R1";
    SECT193R2 = 0x00000020, "SECT193R2";
    SECT239K1 = 0x00000021, "SECT239K1";
    ANSIX9P192V2 = 0x00000022, "ANSIX9P192V2";
    ANSIX9P192V3 = 0x00000023, "ANSIX9P192V3";
    ANSIX9P239V1 = 0x00000024, "ANSIX9P239V1";
    ANSIX9P239V2 = 0x00000025, "ANSIX9P239V2";
    ANSIX9P239V3 = 0x00000026, "ANSIX9P239V3";
    ANSIX9C2PNB163V1 = 0x00000027, "ANSIX9C2PNB163V1";
    ANSIX9C2PNB163V2 = 0x00000028, "ANSIX9C2PNB163V2";
    ANSIX9C2PNB163V3 = 0x00000029, "ANSIX9C2PNB163V3";
    ANSIX9C2PNB176V1 = 0x0000002A, "ANSIX9C2PNB176V1";
    ANSIX9C2TNB191V1 = 0x0000002B, "ANSIX9C2TNB191V1";
    ANSIX9C2TNB191V2 = 0x0000002C, "ANSIX9C2TNB191V2";
    ANSIX9C2TNB191V3 = 0x0000002D, "ANSIX9C2TNB191V3";
    ANSIX9C2PNB208W1 = 0x0000002E, "ANSIX9C2PNB208W1";
    ANSIX9C2TNB239V1 = 0x0000002F, "ANSIX9C2TNB239V1";
    ANSIX9C2TNB239V2 = 0x00000030, "ANSIX9C2TNB239V2";
    ANSIX9C2TNB239V3 = 0x00000031, "ANSIX9C2TNB239V3";
    ANSIX9C2PNB272W1 = 0x00000032, "ANSIX9C2PNB272W1";
    ANSIX9C2PNB304W1 = 0x00000033, "ANSIX9C2PNB304W1";
    ANSIX9C2TNB359V1 = 0x00000034, "ANSIX9C2TNB359V1";
    ANSIX9C2PNB368W1 = 0x00000035, "ANSIX9C2PNB368W1";
    ANSIX9C2TNB431R1 = 0x00000036, "ANSIX9C2TNB431R1";
    BRAINPOOLP160R1 = 0x00000037, "BRAINPOOLP160R1";
    BRAINPOOLP160T1 = 0x00000038, "BRAINPOOLP160T1";
    BRAINPOOLP192R1 = 0x00000039, "BRAINPOOLP192R1";
    BRAINPOOLP192T1 = 0x0000003A, "BRAINPOOLP192T1";
    BRAINPOOLP224R1 = 0x0000003B, "BRAINPOOLP224R1";
    BRAINPOOLP224T1 = 0x0000003C, "BRAINPOOLP224T1";
    BRAINPOOLP256R1 = 0x0000003D, "BRAINPOOLP256R1";
    BRAINPOOLP256T1 = 0x0000003E, "BRAINPOOLP256T1";
    BRAINPOOLP320R1 = 0x0000003F, "BRAINPOOLP320R1";
    BRAINPOOLP320T1 = 0x00000040, "BRAINPOOLP320T1";
    BRAINPOOLP384R1 = 0x00000041, "BRAINPOOLP384R1";
    BRAINPOOLP384T1 = 0x00000042, "BRAINPOOLP384T1";
    BRAINPOOLP512R1 = 0x00000043, "BRAINPOOLP512R1";
    BRAINPOOLP512T1 = 0x00000044, "BRAINPOOLP512T1";
}
Enumeration CertificateType "Certificate Type" {
    X_509 = 0x00000001, "X.509";
    PGP = 0x00000002, "PGP";
}
Enumeration DigitalSignatureAlgorithm "Digital Signature Algorithm" {
    MD2WithRSAEncryptionPKCS_1V1_5 = 0x00000001, "MD2 with RSA Encryption (PKCS#1 v1.5)";
    MD5WithRSAEncryptionPKCS_1V1_5 = 0x00000002, "MD5 with RSA Encryption (PKCS#1 v1.5)";
    SHA_1WithRSAEncryptionPKCS_1V1_5 = 0x00000003, "SHA-1 with RSA Encryption (PKCS#1 v1.5)";
    SHA_224WithRSAEncryptionPKCS_1V1_5 = 0x00000004, "SHA-224 with RSA Encryption (PKCS#1 v1.5)";
    SHA_256WithRSAEncryptionPKCS_1V1_5 = 0x00000005, "SHA-256 with RSA Encryption (PKCS#1 v1.5)";
    SHA_384WithRSAEncryptionPKCS_1V1_5 = 0x00000006, "SHA-384 with RSA Encryption (PKCS#1 v1.5)";
    SHA_512WithRSAEncryptionPKCS_1V1_5 = 0x00000007, "SHA-512 with RSA Encryption (PKCS#1 v1.5)";
    RSASSA_PSSPKCS_1V2_1 = 0x00000008, "RSASSA-PSS (PKCS#1 v2.1)";
    DSAWithSHA_1 = 0x00000009, "DSA with SHA-1";
    DSAWithSHA224 = 0x0000000A, "DSA with SHA224";
    DSAWithSHA256 = 0x0000000B, "DSA with SHA256";
    ECDSAWithSHA_1 = 0x0000000C, "ECDSA with SHA-1";
    ECDSAWithSHA224 = 0x0000000D, "ECDSA with SHA224";
    ECDSAWithSHA256 = 0x0000000E, "ECDSA with SHA256";
    ECDSAWithSHA384 = 0x0000000F, "ECDSA with SHA384";
    ECDSAWithSHA512 = 0x00000010, "ECDSA with SHA512";
    SHA3_256WithRSAEncryption = 0x00000011, "SHA3-256 with RSA Encryption";
    SHA3_384WithRSAEncryption = 0x00000012, "SHA3-384 with RSA Encryption";
    SHA3_512WithRSAEncryption = 0x00000013, "SHA3-512 with RSA Encryption";
}
Enumeration SplitKeyMethod "Split Key Method" {
    XOR = 0x00000001, "XOR";
    PolynomialSharingGF2_16 = 0x00000002, "Polynomial Sharing GF (216)";
    PolynomialSharingPrimeField = 0x00000003, "Polynomial Sharing Prime Field";
    PolynomialSharingGF2_8 = 0x00000004, "Polynomial Sharing GF (28)";
}
Enumeration SecretDataType "Secret Data Type" {
    Password = 0x00000001, "Password";
    Seed = 0x00000002, "Seed";
}
Enumeration OpaqueDataType "Opaque Data Type" {
}
Enumeration NameType "Name Type" {
    UninterpretedTextString = 0x00000001, "Uninterpreted Text String";
    URI = 0x00000002, "URI";
}
Enumeration ObjectType "Object Type" {
    Certificate = 0x00000001, "Certificate";
    SymmetricKey = 0x00000002, "Symmetric Key";
    PublicKey = 0x00000003, "Public Key";
    PrivateKey = 0x00000004, "Private Key";
    SplitKey = 0x00000005, "Split Key";
    Template = 0x00000006, "Template";
    SecretData = 0x00000007, "Secret Data";
    OpaqueObject = 0x00000008, "Opaque Object";
    PGPKey = 0x00000009, "PGP Key";
}
Enumeration CryptographicAlgorithm "Cryptographic Algorithm" {
    DES = 0x00000001, "DES";
    DES3 = 0x00000002, "3DES";
    AES = 0x00000003, "AES";
    RSA = 0x00000004, "RSA";
    DSA = 0x00000005, "DSA";
    ECDSA = 0x00000006, "ECDSA";
    HMAC_SHA1 = 0x00000007, "HMAC-SHA1";
    HMAC_SHA224 = 0x00000008, "HMAC-SHA224";
    HMAC_SHA256 = 0x00000009, "HMAC-SHA256";
    HMAC_SHA384 = 0x0000000A, "HMAC-SHA384";
    HMAC_SHA512 = 0x0000000B, "HMAC-SHA512";
    HMAC_MD5 = 0x0000000C, "HMAC-MD5";
    DH = 0x0000000D, "DH";
    ECDH = 0x0000000E, "ECDH";
    ECMQV = 0x0000000F, "ECMQV";
    Blowfish = 0x00000010, "Blowfish";
    Camellia = 0x00000011, "Camellia";
    CAST5 = 0x00000012, "CAST5";
    IDEA = 0x00000013, "IDEA";
    MARS = 0x00000014, "MARS";
    RC2 = 0x00000015, "RC2";
    RC4 = 0x00000016, "RC4";
    RC5 = 0x00000017, "RC5";
    SKIPJACK = 0x00000018, "SKIPJACK";
    Twofish = 0x00000019, "Twofish";
    EC = 0x0000001A, "EC";
    OneTimePad = 0x0000001B, "One Time Pad";
    ChaCha20 = 0x0000001C, "ChaCha20";
    Poly1305 = 0x0000001D, "Poly1305";
    ChaCha20Poly1305 = 0x0000001E, "ChaCha20Poly1305";
    SHA3_224 = 0x0000001F, "SHA3-224";
    SHA3_256 = 0x00000020, "SHA3-256";
    SHA3_384 = 0x00000021, "SHA3-384";
    SHA3_512 = 0x00000022, "SHA3-512";
    HMAC_SHA3_224 = 0x00000023, "HMAC-SHA3-224";
    HMAC_SHA3_256 = 0x00000024, "HMAC-SHA3-256";
    HMAC_SHA3_384 = 0x00000025, "HMAC-SHA3-384";
    HMAC_SHA3_512 = 0x00000026, "HMAC-SHA3-512";
    SHAKE_128 = 0x00000027, "SHAKE-128";
    SHAKE_256 = 0x00000028, "SHAKE-256";
}
Enumeration BlockCipherMode "Block Cipher Mode" {
    CBC = 0x00000001, "CBC";
    ECB = 0x00000002, "ECB";
    PCBC = 0x00000003, "PCBC";
    CFB = 0x00000004, "CFB";
    OFB = 0x00000005, "OFB";
    CTR = 0x00000006, "CTR";
    CMAC = 0x00000007, "CMAC";
    CCM = 0x00000008, "CCM";
    GCM = 0x00000009, "GCM";
    CBC_MAC = 0x0000000A, "CBC-MAC";
    XTS = 0x0000000B, "XTS";
    AESKeyWrapPadding = 0x0000000C, "AESKeyWrapPadding";
    NISTKeyWrap = 0x0000000D, "NISTKeyWrap";
    X9_102AESKW = 0x0000000E, "X9.102 AESKW";
    X9_102TDKW = 0x0000000F, "X9.102 TDKW";
    X9_102AKW1 = 0x00000010, "X9.102 AKW1";
    X9_102AKW2 = 0x00000011, "X9.102 AKW2";
    AEAD = 0x00000012, "AEAD";
}
Enumeration PaddingMethod "Padding Method" {
    None = 0x00000001, "None";
    OAEP = 0x00000002, "OAEP";
    PKCS5 = 0x00000003, "PKCS5";
    SSL3 = 0x00000004, "SSL3";
    Zeros = 0x00000005, "Zeros";
    ANSIX9_23 = 0x00000006, "ANSI X9.23";
    ISO10126 = 0x00000007, "ISO 10126";
    PKCS1V1_5 = 0x00000008, "PKCS1 v1.5";
    X9_31 = 0x00000009, "X9.31";
    PSS = 0x0000000A, "PSS";
}
Enumeration HashingAlgorithm "Hashing Algorithm" {
    MD2 = 0x00000001, "MD2";
    MD4 = 0x00000002, "MD4";
    MD5 = 0x00000003, "MD5";
    SHA_1 = 0x00000004, "SHA-1";
    SHA_224 = 0x00000005, "SHA-224";
    SHA_256 = 0x00000006, "SHA-256";
    SHA_384 = 0x00000007, "SHA-384";
    SHA_512 = 0x00000008, "SHA-512";
    RIPEMD_160 = 0x00000009, "RIPEMD-160";
    Tiger = 0x0000000A, "Tiger";
    Whirlpool = 0x0000000B, "Whirlpool";
    SHA_512224 = 0x0000000C, "SHA-512/224";
    SHA_512256 = 0x0000000D, "SHA-512/256";
    SHA_3_224 = 0x0000000E, "SHA-3-224";
    SHA_3_256 = 0x0000000F, "SHA-3-256";
    SHA_3_384 = 0x00000010, "SHA-3-384";
    SHA_3_512 = 0x00000011, "SHA-3-512";
}
Enumeration KeyRoleType "Key Role Type" {
    BDK = 0x00000001, "BDK";
    CVK = 0x00000002, "CVK";
    DEK = 0x00000003, "DEK";
    MKAC = 0x00000004, "MKAC";
    MKSMC = 0x00000005, "MKSMC";
    MKSMI = 0x00000006, "MKSMI";
    MKDAC = 0x00000007, "MKDAC";
    MKDN = 0x00000008, "MKDN";
    MKCP = 0x00000009, "MKCP";
    MKOTH = 0x0000000A, "MKOTH";
    KEK = 0x0000000B, "KEK";
    MAC16609 = 0x0000000C, "MAC16609";
    MAC97971 = 0x0000000D, "MAC97971";
    MAC97972 = 0x0000000E, "MAC97972";
    MAC97973 = 0x0000000F, "MAC97973";
    MAC97974 = 0x00000010, "MAC97974";
    MAC97975 = 0x00000011, "MAC97975";
    ZPK = 0x00000012, "ZPK";
    PVKIBM = 0x00000013, "PVKIBM";
    PVKPVV = 0x00000014, "PVKPVV";
    PVKOTH = 0x00000015, "PVKOTH";
    DUKPT = 0x00000016, "DUKPT";
    IV = 0x00000017, "IV";
    TRKBK = 0x00000018, "TRKBK";
}
Enumeration State "State" {
    PreActive = 0x00000001, "Pre-Active";
    Active = 0x00000002, "Active";
    Deactivated = 0x00000003, "Deactivated";
    Compromised = 0x00000004, "Compromised";
    Destroyed = 0x00000005, "Destroyed";
    DestroyedCompromised = 0x00000006, "Destroyed Compromised";
}
Enumeration RevocationReasonCode "Revocation Reason Code" {
    Unspecified = 0x00000001, "Unspecified";
    KeyCompromise = 0x00000002, "Key Compromise";
    CACompromise = 0x00000003, "CA Compromise";
    AffiliationChanged = 0x00000004, "Affiliation Changed";
    Superseded = 0x00000005, "Superseded";
    CessationOfOperation = 0x00000006, "Cessation of Operation";
    PrivilegeWithdrawn = 0x00000007, "Privilege Withdrawn";
}
Enumeration LinkType "Link Type" {
    CertificateLink = 0x00000101, "Certificate Link";
    PublicKeyLink = 0x00000102, "Public Key Link";
    PrivateKeyLink = 0x00000103, "Private Key Link";
    DerivationBaseObjectLink = 0x00000104, "Derivation Base Object Link";
    DerivedKeyLink = 0x00000105, "Derived Key Link";
    ReplacementObjectLink = 0x00000106, "Replacement Object Link";
    ReplacedObjectLink = 0x00000107, "Replaced Object Link";
    ParentLink = 0x00000108, "Parent Link";
    ChildLink = 0x00000109, "Child Link";
    PreviousLink = 0x0000010A, "Previous Link";
    NextLink = 0x0000010B, "Next Link";
    PKCS_12CertificateLink = 0x0000010C, "PKCS#12 Certificate Link";
    PKCS_12PasswordLink = 0x0000010D, "PKCS#12 Password Link";
}
Enumeration DerivationMethod "Derivation Method" {
    PBKDF2 = 0x00000001, "PBKDF2";
    HASH = 0x00000002, "HASH";
    HMAC = 0x00000003, "HMAC";
    ENCRYPT = 0x00000004, "ENCRYPT";
    NIST800_108_C = 0x00000005, "NIST800-108-C";
    NIST800_108_F = 0x00000006, "NIST800-108-F";
    NIST800_108_DPI = 0x00000007, "NIST800-108-DPI";
    AsymmetricKey = 0x00000008, "Asymmetric Key";
}
Enumeration CertificateRequestType "Certificate Request Type" {
    CRMF = 0x00000001, "CRMF";
    PKCS_10 = 0x00000002, "PKCS#10";
    PEM = 0x00000003, "PEM";
    PGP = 0x00000004, "PGP";
}
Enumeration ValidityIndicator "Validity Indicator" {
    Valid = 0x00000001, "Valid";
    Invalid = 0x00000002, "Invalid";
    Unknown = 0x00000003, "Unknown";
}
Enumeration QueryFunction "Query Function" {
    QueryOperations = 0x00000001, "Query Operations";
    QueryObjects = 0x00000002, "Query Objects";
    QueryServerInformation = 0x00000003, "Query Server Information";
    QueryApplicationNamespaces = 0x00000004, "Query Application Namespaces";
    QueryExtensionList = 0x00000005, "Query Extension List";
    QueryExtensionMap = 0x00000006, "Query Extension Map";
    QueryAttestationTypes = 0x00000007, "Query Attestation Types";
    QueryRNGs = 0x00000008, "Query RNGs";
    QueryValidations = 0x00000009, "Query Validations";
    QueryProfiles = 0x0000000A, "Query Profiles";
    QueryCapabilities = 0x0000000B, "Query Capabilities";
    QueryClientRegistrationMethods = 0x0000000C, "Query Client Registration Methods";
}
Enumeration CancellationResult "Cancellation Result" {
    Canceled = 0x00000001, "Canceled";
    UnableToCancel = 0x00000002, "Unable to Cancel";
    Completed = 0x00000003, "Completed";
    Failed = 0x00000004, "Failed";
    Unavailable = 0x00000005, "Unavailable";
}
Enumeration PutFunction "Put Function" {
    New = 0x00000001, "New";
    Replace = 0x00000002, "Replace";
}
Enumeration Operation "Operation" {
    Create = 0x00000001, "Create";
    CreateKeyPair = 0x00000002, "Create Key Pair";
    Register = 0x00000003, "Register";
    ReKey = 0x00000004, "Re-key";
    DeriveKey = 0x00000005, "Derive Key";
    Certify = 0x00000006, "Certify";
    ReCertify = 0x00000007, "Re-certify";
    Locate = 0x00000008, "Locate";
    Check = 0x00000009, "Check";
    Get = 0x0000000A, "Get";
    GetAttributes = 0x0000000B, "Get Attributes";
    GetAttributeList = 0x0000000C, "Get Attribute List";
    AddAttribute = 0x0000000D, "Add Attribute";
    ModifyAttribute = 0x0000000E, "Modify Attribute";
    DeleteAttribute = 0x0000000F, "Delete Attribute";
    ObtainLease = 0x00000010, "Obtain Lease";
    GetUsageAllocation = 0x00000011, "Get Usage Allocation";
    Activate = 0x00000012, "Activate";
    Revoke = 0x00000013, "Revoke";
    Destroy = 0x00000014, "Destroy";
    Archive = 0x00000015, "Archive";
    Recover = 0x00000016, "Recover";
    Validate = 0x00000017, "Validate";
    Query = 0x00000018, "Query";
    Cancel = 0x00000019, "Cancel";
    Poll = 0x0000001A, "Poll";
    Notify = 0x0000001B, "Notify";
    Put = 0x0000001C, "Put";
    ReKeyKeyPair = 0x0000001D, "Re-key Key Pair";
    DiscoverVersions = 0x0000001E, "Discover Versions";
    Encrypt = 0x0000001F, "Encrypt";
    Decrypt = 0x00000020, "Decrypt";
    Sign = 0x00000021, "Sign";
    SignatureVerify = 0x00000022, "Signature Verify";
    MAC = 0x00000023, "MAC";
    MACVerify = 0x00000024, "MAC Verify";
    RNGRetrieve = 0x00000025, "RNG Retrieve";
    RNGSeed = 0x00000026, "RNG Seed";
    Hash = 0x00000027, "Hash";
    CreateSplitKey = 0x00000028, "Create Split Key";
    JoinSplitKey = 0x00000029, "Join Split Key";
    Import = 0x0000002A, "Import";
    Export = 0x0000002B, "Export";
}
Enumeration ResultStatus "Result Status" {
    Success = 0x00000000, "Success";
    OperationFailed = 0x00000001, "Operation Failed";
    OperationPending = 0x00000002, "Operation Pending";
    OperationUndone = 0x00000003, "Operation Undone";
}
Enumeration ResultReason "Result Reason" {
    ItemNotFound = 0x00000001, "Item Not Found";
    ResponseTooLarge = 0x00000002, "Response Too Large";
    AuthenticationNotSuccessful = 0x00000003, "Authentication Not Successful";
    InvalidMessage = 0x00000004, "Invalid Message";
    OperationNotSupported = 0x00000005, "Operation Not Supported";
    MissingData = 0x00000006, "Missing Data";
    InvalidField = 0x00000007, "Invalid Field";
    FeatureNotSupported = 0x00000008, "Feature Not Supported";
    OperationCanceledByRequester = 0x00000009, "Operation Canceled By Requester";
    CryptographicFailure = 0x0000000A, "Cryptographic Failure";
    IllegalOperation = 0x0000000B, "Illegal Operation";
    PermissionDenied = 0x0000000C, "Permission Denied";
    ObjectArchived = 0x0000000D, "Object archived";
    IndexOutOfBounds = 0x0000000E, "Index Out of Bounds";
    ApplicationNamespaceNotSupported = 0x0000000F, "Application Namespace Not Supported";
    KeyFormatTypeNotSupported = 0x00000010, "Key Format Type Not Supported";
    KeyCompressionTypeNotSupported = 0x00000011, "Key Compression Type Not Supported";
    EncodingOptionError = 0x00000012, "Encoding Option Error";
    KeyValueNotPresent = 0x00000013, "Key Value Not Present";
    AttestationRequired = 0x00000014, "Attestation Required";
    AttestationFailed = 0x00000015, "Attestation Failed";
    Sensitive = 0x00000016, "Sensitive";
    NotExtractable = 0x00000017, "Not Extractable";
    ObjectAlreadyExists = 0x00000018, "Object Already Exists";
    GeneralFailure = 0x00000100, "General Failure";
}
Enumeration BatchErrorContinuationOption "Batch Error Continuation" {
    Continue = 0x00000001, "Continue";
    Stop = 0x00000002, "Stop";
    Undo = 0x00000003, "Undo";
}
Enumeration UsageLimitsUnit "Usage Limits Unit" {
    Byte = 0x00000001, "Byte";
    Object = 0x00000002, "Object";
}
Enumeration EncodingOption "Encoding Option" {
    NoEncoding = 0x00000001, "No Encoding";
    TTLVEncoding = 0x00000002, "TTLV Encoding";
}
Enumeration ObjectGroupMemberOption "Object Group Member Option" {
    GroupMemberFresh = 0x00000001, "Group Member Fresh";
    GroupMemberDefault = 0x00000002, "Group Member Default";
}
Enumeration AlternativeNameType "Alternative Name Type" {
    UninterpretedTextString = 0x00000001, "Uninterpreted Text String";
    URI = 0x00000002, "URI";
    ObjectSerialNumber = 0x00000003, "Object Serial Number";
    EmailAddress = 0x00000004, "Email Address";
    DNSName = 0x00000005, "DNS Name";
    X_500DistinguishedName = 0x00000006, "X.500 Distinguished Name";
    IPAddress = 0x00000007, "IP Address";
}
Enumeration KeyValueLocationType "Key Value Location Type" {
    UninterpretedTextString = 0x00000001, "Uninterpreted Text String";
    URI = 0x00000002, "URI";
}
Enumeration AttestationType "Attestation Type" {
    TPMQuote = 0x00000001, "TPM Quote";
    TCGIntegrityReport = 0x00000002, "TCG Integrity Report";
    SAMLAssertion = 0x00000003, "SAML Assertion";
}
Enumeration RNGAlgorithm "RNG Algorithm" {
    Unspecified = 0x00000001, "Unspecified";
    FIPS186_2 = 0x00000002, "FIPS 186-2";
    DRBG = 0x00000003, "DRBG";
    NRBG = 0x00000004, "NRBG";
    ANSIX9_31 = 0x00000005, "ANSI X9.31";
    ANSIX9_62 = 0x00000006, "ANSI X9.62";
}
Enumeration DRBGAlgorithm "DRBG Algorithm" {
    Unspecified = 0x00000001, "Unspecified";
    DualEC = 0x00000002, "Dual-EC";
    Hash = 0x00000003, "Hash";
    HMAC = 0x00000004, "HMAC";
    CTR = 0x00000005, "CTR";
}
Enumeration FIPS186Variation "FIPS186 Variation" {
    Unspecified = 0x00000001, "Unspecified";
    GPXOriginal = 0x00000002, "GP x-Original";
    GPXChangeNotice = 0x00000003, "GP x-Change Notice";
    XOriginal = 0x00000004, "x-Original";
    XChangeNotice = 0x00000005, "x-Change Notice";
    KOriginal = 0x00000006, "k-Original";
    KChangeNotice = 0x00000007, "k-Change Notice";
}
Enumeration ValidationAuthorityType "Validation Authority Type" {
    Unspecified = 0x00000001, "Unspecified";
    NISTCMVP = 0x00000002, "NIST CMVP";
    CommonCriteria = 0x00000003, "Common Criteria";
}
Enumeration ValidationType "Validation Type" {
    Unspecified = 0x00000001, "Unspecified";
    Hardware = 0x00000002, "Hardware";
    Software = 0x00000003, "Software";
    Firmware = 0x00000004, "Firmware";
    Hybrid = 0x00000005, "Hybrid";
}
Enumeration ProfileName "Profile Name Type" {
    BaselineServerBasicKMIPV1_2 = 0x00000001, "Baseline Server Basic KMIP v1.2";
    BaselineServerTLSV1_2KMIPV1_2 = 0x00000002, "Baseline Server TLS v1.2 KMIP v1.2";
    BaselineClientBasicKMIPV1_2 = 0x00000003, "Baseline Client Basic KMIP v1.2";
    BaselineClientTLSV1_2KMIPV1_2 = 0x00000004, "Baseline Client TLS v1.2 KMIP v1.2";
    CompleteServerBasicKMIPV1_2 = 0x00000005, "Complete Server Basic KMIP v1.2";
    CompleteServerTLSV1_2KMIPV1_2 = 0x00000006, "Complete Server TLS v1.2 KMIP v1.2";
    TapeLibraryClientKMIPV1_0 = 0x00000007, "Tape Library Client KMIP v1.0";
    TapeLibraryClientKMIPV1_1 = 0x00000008, "Tape Library Client KMIP v1.1";
    TapeLibraryClientKMIPV1_2 = 0x00000009, "Tape Library Client KMIP v1.2";
    TapeLibraryServerKMIPV1_0 = 0x0000000A, "Tape Library Server KMIP v1.0";
    TapeLibraryServerKMIPV1_1 = 0x0000000B, "Tape Library Server KMIP v1.1";
    TapeLibraryServerKMIPV1_2 = 0x0000000C, "Tape Library Server KMIP v1.2";
    SymmetricKeyLifecycleClientKMIPV1_0 = 0x0000000D, "Symmetric Key Lifecycle Client KMIP v1.0";
    SymmetricKeyLifecycleClientKMIPV1_1 = 0x0000000E, "Symmetric Key Lifecycle Client KMIP v1.1";
    SymmetricKeyLifecycleClientKMIPV1_2 = 0x0000000F, "Symmetric Key Lifecycle Client KMIP v1.2";
    SymmetricKeyLifecycleServerKMIPV1_0 = 0x00000010, "Symmetric Key Lifecycle Server KMIP v1.0";
    SymmetricKeyLifecycleServerKMIPV1_1 = 0x00000011, "Symmetric Key Lifecycle Server KMIP v1.1";
    SymmetricKeyLifecycleServerKMIPV1_2 = 0x00000012, "Symmetric Key Lifecycle Server KMIP v1.2";
    AsymmetricKeyLifecycleClientKMIPV1_0 = 0x00000013, "Asymmetric Key Lifecycle Client KMIP v1.0";
    AsymmetricKeyLifecycleClientKMIPV1_1 = 0x00000014, "Asymmetric Key Lifecycle Client KMIP v1.1";
    AsymmetricKeyLifecycleClientKMIPV1_2 = 0x00000015, "Asymmetric Key Lifecycle Client KMIP v1.2";
    AsymmetricKeyLifecycleServerKMIPV1_0 = 0x00000016, "Asymmetric Key Lifecycle Server KMIP v1.0";
    AsymmetricKeyLifecycleServerKMIPV1_1 = 0x00000017, "Asymmetric Key Lifecycle Server KMIP v1.1";
    AsymmetricKeyLifecycleServerKMIPV1_2 = 0x00000018, "Asymmetric Key Lifecycle Server KMIP v1.2";
    BasicCryptographicClientKMIPV1_2 = 0x00000019, "Basic Cryptographic Client KMIP v1.2";
    BasicCryptographicServerKMIPV1_2 = 0x0000001A, "Basic Cryptographic Server KMIP v1.2";
    AdvancedCryptographicClientKMIPV1_2 = 0x0000001B, "Advanced Cryptographic Client KMIP v1.2";
    AdvancedCryptographicServerKMIPV1_2 = 0x0000001C, "Advanced Cryptographic Server KMIP v1.2";
    RNGCryptographicClientKMIPV1_2 = 0x0000001D, "RNG Cryptographic Client KMIP v1.2";
    RNGCryptographicServerKMIPV1_2 = 0x0000001E, "RNG Cryptographic Server KMIP v1.2";
    BasicSymmetricKeyFoundryClientKMIPV1_0 = 0x0000001F, "Basic Symmetric Key Foundry Client KMIP v1.0";
    IntermediateSymmetricKeyFoundryClientKMIPV1_0 = 0x00000020, "Intermediate Symmetric Key Foundry Client KMIP v1.0";
    AdvancedSymmetricKeyFoundryClientKMIPV1_0 = 0x00000021, "Advanced Symmetric Key Foundry Client KMIP v1.0";
    BasicSymmetricKeyFoundryClientKMIPV1_1 = 0x00000022, "Basic Symmetric Key Foundry Client KMIP v1.1";
    IntermediateSymmetricKeyFoundryClientKMIPV1_1 = 0x00000023, "Intermediate Symmetric Key Foundry Client KMIP v1.1";
    AdvancedSymmetricKeyFoundryClientKMIPV1_1 = 0x00000024, "Advanced Symmetric Key Foundry Client KMIP v1.1";
    BasicSymmetricKeyFoundryClientKMIPV1_2 = 0x00000025, "Basic Symmetric Key Foundry Client KMIP v1.2";
    IntermediateSymmetricKeyFoundryClientKMIPV1_2 = 0x00000026, "Intermediate Symmetric Key Foundry Client KMIP v1.2";
    AdvancedSymmetricKeyFoundryClientKMIPV1_2 = 0x00000027, "Advanced Symmetric Key Foundry Client KMIP v1.2";
    SymmetricKeyFoundryServerKMIPV1_0 = 0x00000028, "Symmetric Key Foundry Server KMIP v1.0";
    SymmetricKeyFoundryServerKMIPV1_1 = 0x00000029, "Symmetric Key Foundry Server KMIP v1.1";
    SymmetricKeyFoundryServerKMIPV1_2 = 0x0000002A, "Symmetric Key Foundry Server KMIP v1.2";
    OpaqueManagedObjectStoreClientKMIPV1_0 = 0x0000002B, "Opaque Managed Object Store Client KMIP v1.0";
    OpaqueManagedObjectStoreClientKMIPV1_1 = 0x0000002C, "Opaque Managed Object Store Client KMIP v1.1";
    OpaqueManagedObjectStoreClientKMIPV1_2 = 0x0000002D, "Opaque Managed Object Store Client KMIP v1.2";
    OpaqueManagedObjectStoreServerKMIPV1_0 = 0x0000002E, "Opaque Managed Object Store Server KMIP v1.0";
    OpaqueManagedObjectStoreServerKMIPV1_1 = 0x0000002F, "Opaque Managed Object Store Server KMIP v1.1";
    OpaqueManagedObjectStoreServerKMIPV1_2 = 0x00000030, "Opaque Managed Object Store Server KMIP v1.2";
    SuiteBMinLOS_128ClientKMIPV1_0 = 0x00000031, "Suite B minLOS_128 Client KMIP v1.0";
    SuiteBMinLOS_128ClientKMIPV1_1 = 0x00000032, "Suite B minLOS_128 Client KMIP v1.1";
    SuiteBMinLOS_128ClientKMIPV1_2 = 0x00000033, "Suite B minLOS_128 Client KMIP v1.2";
    SuiteBMinLOS_128ServerKMIPV1_0 = 0x00000034, "Suite B minLOS_128 Server KMIP v1.0";
    SuiteBMinLOS_128ServerKMIPV1_1 = 0x00000035, "Suite B minLOS_128 Server KMIP v1.1";
    SuiteBMinLOS_128ServerKMIPV1_2 = 0x00000036, "Suite B minLOS_128 Server KMIP v1.2";
    SuiteBMinLOS_192ClientKMIPV1_0 = 0x00000037, "Suite B minLOS_192 Client KMIP v1.0";
    SuiteBMinLOS_192ClientKMIPV1_1 = 0x00000038, "Suite B minLOS_192 Client KMIP v1.1";
    SuiteBMinLOS_192ClientKMIPV1_2 = 0x00000039, "Suite B minLOS_192 Client KMIP v1.2";
    SuiteBMinLOS_192ServerKMIPV1_0 = 0x0000003A, "Suite B minLOS_192 Server KMIP v1.0";
    SuiteBMinLOS_192ServerKMIPV1_1 = 0x0000003B, "Suite B minLOS_192 Server KMIP v1.1";
    SuiteBMinLOS_192ServerKMIPV1_2 = 0x0000003C, "Suite B minLOS_192 Server KMIP v1.2";
    StorageArrayWithSelfEncryptingDriveClientKMIPV1_0 = 0x0000003D, "Storage Array with Self Encrypting Drive Client KMIP v1.0";
    StorageArrayWithSelfEncryptingDriveClientKMIPV1_1 = 0x0000003E, "Storage Array with Self Encrypting Drive Client KMIP v1.1";
    StorageArrayWithSelfEncryptingDriveClientKMIPV1_2 = 0x0000003F, "Storage Array with Self Encrypting Drive Client KMIP v1.2";
    StorageArrayWithSelfEncryptingDriveServerKMIPV1_0 = 0x00000040, "Storage Array with Self Encrypting Drive Server KMIP v1.0";
    StorageArrayWithSelfEncryptingDriveServerKMIPV1_1 = 0x00000041, "Storage Array with Self Encrypting Drive Server KMIP v1.1";
    StorageArrayWithSelfEncryptingDriveServerKMIPV1_2 = 0x00000042, "Storage Array with Self Encrypting Drive Server KMIP v1.2";
    HTTPSClientKMIPV1_0 = 0x00000043, "HTTPS Client KMIP v1.0";
    HTTPSClientKMIPV1_1 = 0x00000044, "HTTPS Client KMIP v1.1";
    HTTPSClientKMIPV1_2 = 0x00000045, "HTTPS Client KMIP v1.2";
    HTTPSServerKMIPV1_0 = 0x00000046, "HTTPS Server KMIP v1.0";
    HTTPSServerKMIPV1_1 = 0x00000047, "HTTPS Server KMIP v1.1";
    HTTPSServerKMIPV1_2 = 0x00000048, "HTTPS Server KMIP v1.2";
    JSONClientKMIPV1_0 = 0x00000049, "JSON Client KMIP v1.0";
    JSONClientKMIPV1_1 = 0x0000004A, "JSON Client KMIP v1.1";
    JSONClientKMIPV1_2 = 0x0000004B, "JSON Client KMIP v1.2";
    JSONServerKMIPV1_0 = 0x0000004C, "JSON Server KMIP v1.0";
    JSONServerKMIPV1_1 = 0x0000004D, "JSON Server KMIP v1.1";
    JSONServerKMIPV1_2 = 0x0000004E, "JSON Server KMIP v1.2";
    XMLClientKMIPV1_0 = 0x0000004F, "XML Client KMIP v1.0";
    XMLClientKMIPV1_1 = 0x00000050, "XML Client KMIP v1.1";
    XMLClientKMIPV1_2 = 0x00000051, "XML Client KMIP v1.2";
    XMLServerKMIPV1_0 = 0x00000052, "XML Server KMIP v1.0";
    XMLServerKMIPV1_1 = 0x00000053, "XML Server KMIP v1.1";
    XMLServerKMIPV1_2 = 0x00000054, "XML Server KMIP v1.2";
    BaselineServerBasicKMIPV1_3 = 0x00000055, "Baseline Server Basic KMIP v1.3";
    BaselineServerTLSV1_2KMIPV1_3 = 0x00000056, "Baseline Server TLS v1.2 KMIP v1.3";
    BaselineClientBasicKMIPV1_3 = 0x00000057, "Baseline Client Basic KMIP v1.3";
    BaselineClientTLSV1_2KMIPV1_3 = 0x00000058, "Baseline Client TLS v1.2 KMIP v1.3";
    CompleteServerBasicKMIPV1_3 = 0x00000059, "Complete Server Basic KMIP v1.3";
    CompleteServerTLSV1_2KMIPV1_3 = 0x0000005A, "Complete Server TLS v1.2 KMIP v1.3";
    TapeLibraryClientKMIPV1_3 = 0x0000005B, "Tape Library Client KMIP v1.3";
    TapeLibraryServerKMIPV1_3 = 0x0000005C, "Tape Library Server KMIP v1.3";
    SymmetricKeyLifecycleClientKMIPV1_3 = 0x0000005D, "Symmetric Key Lifecycle Client KMIP v1.3";
    SymmetricKeyLifecycleServerKMIPV1_3 = 0x0000005E, "Symmetric Key Lifecycle Server KMIP v1.3";
    AsymmetricKeyLifecycleClientKMIPV1_3 = 0x0000005F, "Asymmetric Key Lifecycle Client KMIP v1.3";
    AsymmetricKeyLifecycleServerKMIPV1_3 = 0x00000060, "Asymmetric Key Lifecycle Server KMIP v1.3";
    BasicCryptographicClientKMIPV1_3 = 0x00000061, "Basic Cryptographic Client KMIP v1.3";
    BasicCryptographicServerKMIPV1_3 = 0x00000062, "Basic Cryptographic Server KMIP v1.3";
    AdvancedCryptographicClientKMIPV1_3 = 0x00000063, "Advanced Cryptographic Client KMIP v1.3";
    AdvancedCryptographicServerKMIPV1_3 = 0x00000064, "Advanced Cryptographic Server KMIP v1.3";
    RNGCryptographicClientKMIPV1_3 = 0x00000065, "RNG Cryptographic Client KMIP v1.3";
    RNGCryptographicServerKMIPV1_3 = 0x00000066, "RNG Cryptographic Server KMIP v1.3";
    BasicSymmetricKeyFoundryClientKMIPV1_3 = 0x00000067, "Basic Symmetric Key Foundry Client KMIP v1.3";
    IntermediateSymmetricKeyFoundryClientKMIPV1_3 = 0x00000068, "Intermediate Symmetric Key Foundry Client KMIP v1.3";
    AdvancedSymmetricKeyFoundryClientKMIPV1_3 = 0x00000069, "Advanced Symmetric Key Foundry Client KMIP v1.3";
    SymmetricKeyFoundryServerKMIPV1_3 = 0x0000006A, "Symmetric Key Foundry Server KMIP v1.3";
    OpaqueManagedObjectStoreClientKMIPV1_3 = 0x0000006B, "Opaque Managed Object Store Client KMIP v1.3";
    OpaqueManagedObjectStoreServerKMIPV1_3 = 0x0000006C, "Opaque Managed Object Store Server KMIP v1.3";
    SuiteBMinLOS_128ClientKMIPV1_3 = 0x0000006D, "Suite B minLOS_128 Client KMIP v1.3";
    SuiteBMinLOS_128ServerKMIPV1_3 = 0x0000006E, "Suite B minLOS_128 Server KMIP v1.3";
    SuiteBMinLOS_192ClientKMIPV1_3 = 0x0000006F, "Suite B minLOS_192 Client KMIP v1.3";
    SuiteBMinLOS_192ServerKMIPV1_3 = 0x00000070, "Suite B minLOS_192 Server KMIP v1.3";
    StorageArrayWithSelfEncryptingDriveClientKMIPV1_3 = 0x00000071, "Storage Array with Self Encrypting Drive Client KMIP v1.3";
    StorageArrayWithSelfEncryptingDriveServerKMIPV1_3 = 0x00000072, "Storage Array with Self Encrypting Drive Server KMIP v1.3";
    HTTPSClientKMIPV1_3 = 0x00000073, "HTTPS Client KMIP v1.3";
    HTTPSServerKMIPV1_3 = 0x00000074, "HTTPS Server KMIP v1.3";
    JSONClientKMIPV1_3 = 0x00000075, "JSON Client KMIP v1.3";
    JSONServerKMIPV1_3 = 0x00000076, "JSON Server KMIP v1.3";
    XMLClientKMIPV1_3 = 0x00000077, "XML Client KMIP v1.3";
    XMLServerKMIPV1_3 = 0x00000078, "XML Server KMIP v1.3";
    BaselineServerBasicKMIPV1_4 = 0x00000079, "Baseline Server Basic KMIP v1.4";
    BaselineServerTLSV1_2KMIPV1_4 = 0x0000007A, "Baseline Server TLS v1.2 KMIP v1.4";
    BaselineClientBasicKMIPV1_4 = 0x0000007B, "Baseline Client Basic KMIP v1.4";
    BaselineClientTLSV1_2KMIPV1_4 = 0x0000007C, "Baseline Client TLS v1.2 KMIP v1.4";
    CompleteServerBasicKMIPV1_4 = 0x0000007D, "Complete Server Basic KMIP v1.4";
    CompleteServerTLSV1_2KMIPV1_4 = 0x0000007E, "Complete Server TLS v1.2 KMIP v1.4";
    TapeLibraryClientKMIPV1_4 = 0x0000007F, "Tape Library Client KMIP v1.4";
    TapeLibraryServerKMIPV1_4 = 0x00000080, "Tape Library Server KMIP v1.4";
    SymmetricKeyLifecycleClientKMIPV1_4 = 0x00000081, "Symmetric Key Lifecycle Client KMIP v1.4";
    SymmetricKeyLifecycleServerKMIPV1_4 = 0x00000082, "Symmetric Key Lifecycle Server KMIP v1.4";
    AsymmetricKeyLifecycleClientKMIPV1_4 = 0x00000083, "Asymmetric Key Lifecycle Client KMIP v1.4";
    AsymmetricKeyLifecycleServerKMIPV1_4 = 0x00000084, "Asymmetric Key Lifecycle Server KMIP v1.4";
    BasicCryptographicClientKMIPV1_4 = 0x00000085, "Basic Cryptographic Client KMIP v1.4";
    BasicCryptographicServerKMIPV1_4 = 0x00000086, "Basic Cryptographic Server KMIP v1.4";
    AdvancedCryptographicClientKMIPV1_4 = 0x00000087, "Advanced Cryptographic Client KMIP v1.4";
    AdvancedCryptographicServerKMIPV1_4 = 0x00000088, "Advanced Cryptographic Server KMIP v1.4";
    RNGCryptographicClientKMIPV1_4 = 0x00000089, "RNG Cryptographic Client KMIP v1.4";
    RNGCryptographicServerKMIPV1_4 = 0x0000008A, "RNG Cryptographic Server KMIP v1.4";
    BasicSymmetricKeyFoundryClientKMIPV1_4 = 0x0000008B, "Basic Symmetric Key Foundry Client KMIP v1.4";
    IntermediateSymmetricKeyFoundryClientKMIPV1_4 = 0x0000008C, "Intermediate Symmetric Key Foundry Client KMIP v1.4";
    AdvancedSymmetricKeyFoundryClientKMIPV1_4 = 0x0000008D, "Advanced Symmetric Key Foundry Client KMIP v1.4";
    SymmetricKeyFoundryServerKMIPV1_4 = 0x0000008E, "Symmetric Key Foundry Server KMIP v1.4";
    OpaqueManagedObjectStoreClientKMIPV1_4 = 0x0000008F, "Opaque Managed Object Store Client KMIP v1.4";
    OpaqueManagedObjectStoreServerKMIPV1_4 = 0x00000090, "Opaque Managed Object Store Server KMIP v1.4";
    SuiteBMinLOS_128ClientKMIPV1_4 = 0x00000091, "Suite B minLOS_128 Client KMIP v1.4";
    SuiteBMinLOS_128ServerKMIPV1_4 = 0x00000092, "Suite B minLOS_128 Server KMIP v1.4";
    SuiteBMinLOS_192ClientKMIPV1_4 = 0x00000093, "Suite B minLOS_192 Client KMIP v1.4";
    SuiteBMinLOS_192ServerKMIPV1_4 = 0x00000094, "Suite B minLOS_192 Server KMIP v1.4";
    StorageArrayWithSelfEncryptingDriveClientKMIPV1_4 = 0x00000095, "Storage Array with Self Encrypting Drive Client KMIP v1.4";
    StorageArrayWithSelfEncryptingDriveServerKMIPV1_4 = 0x00000096, "Storage Array with Self Encrypting Drive Server KMIP v1.4";
    HTTPSClientKMIPV1_4 = 0x00000097, "HTTPS Client KMIP v1.4";
    HTTPSServerKMIPV1_4 = 0x00000098, "HTTPS Server KMIP v1.4";
    JSONClientKMIPV1_4 = 0x00000099, "JSON Client KMIP v1.4";
    JSONServerKMIPV1_4 = 0x0000009A, "JSON Server KMIP v1.4";
    XMLClientKMIPV1_4 = 0x0000009B, "XML Client KMIP v1.4";
    XMLServerKMIPV1_4 = 0x0000009C, "XML Server KMIP v1.4";
}
Enumeration UnwrapMode "Unwrap Mode" {
    Unspecified = 0x00000001, "Unspecified";
    Processed = 0x00000002, "Processed";
    NotProcessed = 0x00000003, "Not Processed";
}
Enumeration DestroyActionType "Destroy Action Type" {
    Unspecified = 0x00000001, "Unspecified";
    KeyMaterialDeleted = 0x00000002, "Key Material Deleted";
    KeyMaterialShredded = 0x00000003, "Key Material Shredded";
    MetaDataDeleted = 0x00000004, "Meta Data Deleted";
    MetaDataShredded = 0x00000005, "Meta Data Shredded";
    Deleted = 0x00000006, "Deleted";
    Shredded = 0x00000007, "Shredded";
}
Enumeration ShreddingAlgorithm "Shredding Algorithm" {
    Unspecified = 0x00000001, "Unspecified";
    Cryptographic = 0x00000002, "Cryptographic";
    Unsupported = 0x00000003, "Unsupported";
}
Enumeration RNGMode "RNG Mode" {
    Unspecified = 0x00000001, "Unspecified";
    SharedInstantiation = 0x00000002, "Shared Instantiation";
    NonSharedInstantiation = 0x00000003, "Non-Shared Instantiation";
}
Enumeration ClientRegistrationMethod "Client Registration Method" {
    Unspecified = 0x00000001, "Unspecified";
    ServerPreGenerated = 0x00000002, "Server Pre-Generated";
    ServerOnDemand = 0x00000003, "Server On-Demand";
    ClientGenerated = 0x00000004, "Client Generated";
    ClientRegistered = 0x00000005, "Client Registered";
}
Enumeration KeyWrapType "Key Wrap Type" {
    NotWrapped = 0x00000001, "Not Wrapped";
    AsRegistered = 0x00000002, "As Registered";
}
Enumeration MaskGenerator "Mask Generator" {
    MGF1 = 0x00000001, "MGF1";
}
Mask CryptographicUsageMask "Cryptographic Usage Mask" {
    Sign = 0x00000001, "Sign";
    Verify = 0x00000002, "Verify";
    Encrypt = 0x00000004, "Encrypt";
    Decrypt = 0x00000008, "Decrypt";
    WrapKey = 0x00000010, "Wrap Key";
    UnwrapKey = 0x00000020, "Unwrap Key";
    Export = 0x00000040, "Export";
    MACGenerate = 0x00000080, "MAC Generate";
    MACVerify = 0x00000100, "MAC Verify";
    DeriveKey = 0x00000200, "Derive Key";
    ContentCommitmentNonRepudiation = 0x00000400, "Content Commitment (Non Repudiation)";
    KeyAgreement = 0x00000800, "Key Agreement";
    CertificateSign = 0x00001000, "Certificate Sign";
    CRLSign = 0x00002000, "CRL Sign";
    GenerateCryptogram = 0x00004000, "Generate Cryptogram";
    ValidateCryptogram = 0x00008000, "Validate Cryptogram";
    TranslateEncrypt = 0x00010000, "Translate Encrypt";
    TranslateDecrypt = 0x00020000, "Translate Decrypt";
    TranslateWrap = 0x00040000, "Translate Wrap";
    TranslateUnwrap = 0x00080000, "Translate Unwrap";
}
Mask StorageStatusMask "Storage Status Mask" {
    OnLineStorage = 0x00000001, "On-line storage";
    ArchivalStorage = 0x00000002, "Archival storage";
}
}
