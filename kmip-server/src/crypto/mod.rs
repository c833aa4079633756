//! Cryptographic primitives the operations use, all from AWS-LC (no
//! hand-written primitive): AES key wrap through aws-lc-rs (`wrap.rs`),
//! block ciphers through AWS-LC's EVP interface ([`cipher`]), hashes and
//! MACs ([`digest`]), RSA and EC keys through its EVP_PKEY interface
//! ([`pkey`]).

pub mod cipher;
pub mod digest;
pub mod pkey;
pub mod transparent;
mod wrap;

pub use wrap::{aes_unwrap, aes_wrap};

/// Why a primitive failed.
#[derive(Debug)]
pub struct CryptoError(pub String);

/// The block length of a cipher family in bytes.
pub fn block_len(family: cipher::Family) -> usize {
    match family {
        cipher::Family::Aes => 16,
        cipher::Family::TripleDes => 8,
    }
}
