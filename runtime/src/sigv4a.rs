//! SigV4a's asymmetric half: the ECDSA P-256 key every AWS SDK derives from the credentials (so
//! a signature made in one region verifies in every region of the set), and signatures with it.
//! The canonical request and the string to sign are SigV4's (see `sigv4`, `Settings::asymmetric`).
//!
//! The key: NIST SP 800-108's KDF in counter mode with HMAC-SHA256, keyed by `AWS4A` + the secret,
//! labelled `AWS4-ECDSA-P256-SHA256`, its context the access key id and a one-byte counter; the
//! first 256-bit output `c` with `c <= n - 2` (n the curve's order) gives the private scalar
//! `c + 1`. Signatures are deterministic (RFC 6979), DER-encoded, in lowercase hex.

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use ring::{digest, hmac};
use std::cell::RefCell;

/// The label of the KDF, and the algorithm of the signature.
pub(crate) const ALGORITHM: &str = "AWS4-ECDSA-P256-SHA256";

/// The order of P-256 minus 2, big-endian: the largest KDF output that makes a key.
const ORDER_MINUS_TWO: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa,
    0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f,
];

/// The private key of these credentials.
pub(crate) fn signing_key(access_key_id: &str, secret_access_key: &str) -> SigningKey {
    let input_key = hmac::Key::new(hmac::HMAC_SHA256, format!("AWS4A{secret_access_key}").as_bytes());
    // Almost every first try gives a key (the odds of another are about 2^-32).
    for counter in 1..=u8::MAX {
        let mut fixed = Vec::with_capacity(4 + ALGORITHM.len() + 1 + access_key_id.len() + 1 + 4);
        fixed.extend_from_slice(&1u32.to_be_bytes());
        fixed.extend_from_slice(ALGORITHM.as_bytes());
        fixed.push(0);
        fixed.extend_from_slice(access_key_id.as_bytes());
        fixed.push(counter);
        fixed.extend_from_slice(&256u32.to_be_bytes());
        let output = hmac::sign(&input_key, &fixed);
        let mut candidate: [u8; 32] = output.as_ref().try_into().expect("HMAC-SHA256 gives 32 bytes");
        if candidate > ORDER_MINUS_TWO {
            continue;
        }
        add_one(&mut candidate);
        return SigningKey::from_bytes(&candidate.into()).expect("1 <= c + 1 < n is a valid scalar");
    }
    unreachable!("255 HMAC outputs above n - 2 in a row")
}

/// Adds 1 to a big-endian number that is not all ones.
fn add_one(number: &mut [u8; 32]) {
    for byte in number.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            return;
        }
    }
}

/// Lowercase hex (`sigv4` has its own: it calls this module, so this one can't call it).
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The signature of `string_to_sign` with the credentials' key, DER in lowercase hex. The key
/// (a few HMACs and a scalar multiplication to derive) is kept per thread for the last secret.
pub(crate) fn sign(access_key_id: &str, secret_access_key: &str, string_to_sign: &str) -> String {
    thread_local! {
        static LAST: RefCell<Option<(digest::Digest, SigningKey)>> = const { RefCell::new(None) };
    }
    let fingerprint = {
        let mut context = digest::Context::new(&digest::SHA256);
        context.update(access_key_id.as_bytes());
        context.update(&[0]);
        context.update(secret_access_key.as_bytes());
        context.finish()
    };
    let sign_with = |key: &SigningKey| {
        let signature: Signature = key.sign(string_to_sign.as_bytes());
        hex(signature.to_der().as_bytes())
    };
    let kept = LAST.try_with(|last| {
        let mut last = last.borrow_mut();
        if !matches!(&*last, Some((seen, _)) if seen.as_ref() == fingerprint.as_ref()) {
            *last = Some((fingerprint, signing_key(access_key_id, secret_access_key)));
        }
        sign_with(&last.as_ref().expect("set above").1)
    });
    kept.unwrap_or_else(|_| sign_with(&signing_key(access_key_id, secret_access_key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;

    /// The public key every case of the v4a suite publishes for its credentials (`AKIDEXAMPLE`).
    const SUITE_PUBLIC_X: &str = "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1";
    const SUITE_PUBLIC_Y: &str = "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518";

    #[test]
    fn the_derived_key_is_the_one_the_suite_publishes() {
        let key = signing_key("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let point = key.verifying_key().to_encoded_point(false);
        assert_eq!(hex(point.x().unwrap()), SUITE_PUBLIC_X);
        assert_eq!(hex(point.y().unwrap()), SUITE_PUBLIC_Y);
    }

    #[test]
    fn signatures_verify_with_the_public_key_and_the_kept_key_follows_the_secret() {
        for (akid, secret) in [("AKID1", "s1"), ("AKID1", "s1"), ("AKID1", "s2"), ("AKID2", "s2")] {
            let signature = sign(akid, secret, "a string to sign");
            let der = (0..signature.len()).step_by(2).map(|i| u8::from_str_radix(&signature[i..i + 2], 16).unwrap());
            let signature = Signature::from_der(&der.collect::<Vec<_>>()).unwrap();
            let public = *signing_key(akid, secret).verifying_key();
            assert!(public.verify(b"a string to sign", &signature).is_ok(), "{akid} {secret}");
            assert!(public.verify(b"another string", &signature).is_err());
        }
    }

    #[test]
    fn one_is_added_with_its_carry() {
        let mut number = [0u8; 32];
        number[31] = 0xff;
        number[30] = 0xff;
        add_one(&mut number);
        assert_eq!((number[29], number[30], number[31]), (1, 0, 0));
    }
}
