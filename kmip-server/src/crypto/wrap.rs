//! AES key wrap (RFC 3394 and RFC 5649) from aws-lc-rs, for Get and
//! Register with a Key Wrapping Specification.

use aws_lc_rs::key_wrap::{AesKek, KeyWrap, KeyWrapPadded, AES_128, AES_256};
use zeroize::Zeroizing;

use super::CryptoError;

fn kek(key: &[u8]) -> Result<AesKek, CryptoError> {
    let cipher = match key.len() {
        16 => &AES_128,
        32 => &AES_256,
        n => return Err(CryptoError(format!("an AES wrapping key has 16 or 32 bytes, not {n}"))),
    };
    AesKek::new(cipher, key).map_err(|_| CryptoError("invalid AES wrapping key".into()))
}

/// AES Key Wrap: RFC 3394 (`padded` false; the data must be a multiple of
/// 8 bytes, at least 16) or RFC 5649 with padding (`padded` true).
pub fn aes_wrap(key: &[u8], data: &[u8], padded: bool) -> Result<Vec<u8>, CryptoError> {
    let mut out = vec![0u8; data.len().saturating_add(16)];
    let n = if padded {
        kek(key)?.wrap_with_padding(data, &mut out).map(|o| o.len())
    } else {
        if data.len() < 16 || !data.len().is_multiple_of(8) {
            return Err(CryptoError(format!(
                "RFC 3394 key wrap needs a multiple of 8 bytes, at least 16, not {}: use AES Key Wrap with Padding",
                data.len()
            )));
        }
        kek(key)?.wrap(data, &mut out).map(|o| o.len())
    }
    .map_err(|_| CryptoError("key wrap failed".into()))?;
    out.truncate(n);
    Ok(out)
}

/// Undoes [`aes_wrap`]; fails if the data was not wrapped by this key.
pub fn aes_unwrap(key: &[u8], data: &[u8], padded: bool) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut out = Zeroizing::new(vec![0u8; data.len()]);
    let n = if padded {
        kek(key)?.unwrap_with_padding(data, &mut out).map(|o| o.len())
    } else {
        kek(key)?.unwrap(data, &mut out).map(|o| o.len())
    }
    .map_err(|_| CryptoError("the data does not unwrap with this key".into()))?;
    out.truncate(n);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3394 §4.6: 256 bits of key data wrapped with a 256-bit KEK.
    #[test]
    fn rfc3394_known_answer() {
        let kek = kmip_codec::hex::decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").unwrap();
        let data = kmip_codec::hex::decode("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f").unwrap();
        let wrapped = aes_wrap(&kek, &data, false).unwrap();
        assert_eq!(
            kmip_codec::hex::encode(&wrapped),
            "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"
        );
        assert_eq!(aes_unwrap(&kek, &wrapped, false).unwrap().as_slice(), data.as_slice());
    }

    /// RFC 5649 with padding: any length round-trips, the output is the
    /// data padded to 8 bytes plus the 8-byte integrity block, and another
    /// key does not open it.
    #[test]
    fn rfc5649_round_trip() {
        let kek = [7u8; 32];
        for n in [1usize, 7, 8, 20, 33] {
            let data: Vec<u8> = (0..n as u8).collect();
            let wrapped = aes_wrap(&kek, &data, true).unwrap();
            assert_eq!(wrapped.len(), n.div_ceil(8) * 8 + 8);
            assert_eq!(aes_unwrap(&kek, &wrapped, true).unwrap().as_slice(), data.as_slice());
            assert!(aes_unwrap(&[8u8; 32], &wrapped, true).is_err(), "another key");
        }
        assert!(
            aes_wrap(&kek, &[1; 20], false).is_err(),
            "RFC 3394 needs whole 8-byte blocks"
        );
    }
}
