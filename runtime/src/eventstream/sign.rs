//! SigV4 signing of the events an input stream sends. Each event goes in a wrapper message whose
//! `:chunk-signature` chains to the signature before it: the first event's previous signature is
//! the request's (the seed), and an empty payload, signed the same way, ends the stream.

use super::{frame, Header, HeaderValue, Message};
use crate::credentials::Credentials;
use crate::sigv4::{self, SigningParams};
use crate::time::DateTime;
use crate::BuildError;
use bytes::Bytes;
use ring::digest;
use std::time::SystemTime;

const ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";

/// Who signs an event, for which region and service, and when.
#[derive(Debug, Clone, Copy)]
pub struct EventSigningParams<'a> {
    pub credentials: &'a Credentials,
    pub region: &'a str,
    /// The service's signing name.
    pub service: &'a str,
    /// The sub-second part is dropped: `:date` and the string to sign hold whole seconds.
    pub time: SystemTime,
}

/// A signed event: the wrapper message to send, and its signature (lowercase hex), which is the
/// previous signature of the next event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMessage {
    pub message: Message,
    pub signature: String,
}

/// The string an event's signature signs: `encoded_message` is the encoded event (or empty, to
/// end the stream), `previous_signature` the hex signature before it.
pub fn string_to_sign(
    params: &EventSigningParams<'_>,
    previous_signature: &str,
    encoded_message: &[u8],
) -> Result<String, BuildError> {
    Ok(ToSign::new(params, previous_signature, encoded_message)?.string)
}

/// Signs an event (see [`string_to_sign`]): the wrapper's headers are `:chunk-signature` (the 32
/// bytes of the signature) and `:date`, its payload `encoded_message`.
pub fn sign_message(
    params: &EventSigningParams<'_>,
    previous_signature: &str,
    encoded_message: &[u8],
) -> Result<SignedMessage, BuildError> {
    let to_sign = ToSign::new(params, previous_signature, encoded_message)?;
    let day = to_sign.scope.split('/').next().unwrap_or_default();
    let tag = sigv4::sign_with_key(&to_sign.sigv4, day, &to_sign.scope, to_sign.string.as_bytes());
    let message = Message {
        headers: vec![
            Header::new(":chunk-signature", HeaderValue::ByteArray(Bytes::copy_from_slice(tag.as_ref()))),
            Header::new(":date", HeaderValue::Timestamp(to_sign.date)),
        ],
        payload: Bytes::copy_from_slice(encoded_message),
    };
    Ok(SignedMessage { message, signature: sigv4::hex(tag.as_ref()) })
}

/// What an event's signature is computed from.
struct ToSign<'a> {
    sigv4: SigningParams<'a>,
    /// `20150830/us-east-1/service/aws4_request`
    scope: String,
    /// The signing time in whole seconds.
    date: DateTime,
    string: String,
}

impl<'a> ToSign<'a> {
    fn new(
        params: &EventSigningParams<'a>,
        previous_signature: &str,
        encoded_message: &[u8],
    ) -> Result<Self, BuildError> {
        let failed = |detail: String| BuildError::Signing { detail };
        let date = DateTime::from_secs(DateTime::from(params.time).secs());
        let sigv4 = SigningParams {
            access_key_id: &params.credentials.access_key_id,
            secret_access_key: &params.credentials.secret_access_key,
            session_token: None,
            region: params.region,
            service: params.service,
            time: date.into(),
            settings: sigv4::Settings::default(),
        };
        let (amz_date, scope) = sigv4::date_and_scope(&sigv4).map_err(|e| failed(e.to_string()))?;
        let mut date_header = Vec::new();
        frame::write_header(&mut date_header, &Header::new(":date", HeaderValue::Timestamp(date)))
            .map_err(|e| failed(e.to_string()))?;
        let string = format!(
            "{ALGORITHM}\n{amz_date}\n{scope}\n{previous_signature}\n{}\n{}",
            sha256_hex(&date_header),
            sha256_hex(encoded_message)
        );
        Ok(ToSign { sigv4, scope, date, string })
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    sigv4::hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::hmac;
    use std::time::{Duration, UNIX_EPOCH};

    /// The vector of smithy-rs's `aws-sigv4` event stream tests (SOURCE.md).
    #[test]
    fn an_event_is_signed_as_smithy_rs_signs_it() {
        let credentials = Credentials::new("ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby", None);
        let params = EventSigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "testservice",
            time: UNIX_EPOCH + Duration::new(123_456_789, 1_234),
        };
        let event = Message {
            headers: vec![Header::new("some-header", HeaderValue::String("value".into()))],
            payload: Bytes::from_static(b"test payload"),
        };
        let encoded = event.encode().unwrap();
        let previous = sha256_hex(b"last message sts");

        let expected = "AWS4-HMAC-SHA256-PAYLOAD\n\
                        19731129T213309Z\n\
                        19731129/us-east-1/testservice/aws4_request\n\
                        be1f8c7d79ef8e1abc5254a2c70e4da3bfaf4f07328f527444e1fc6ea67273e2\n\
                        0c0e3b3bf66b59b976181bd7d401927bbd624107303c713fd1e5f3d3c8dd1b1e\n\
                        f2eba0f2e95967ee9fbc6db5e678d2fd599229c0d04b11e4fc8e0f2a02a806c6";
        assert_eq!(string_to_sign(&params, &previous, &encoded).unwrap(), expected);

        // The signature, derived here independently of sigv4.rs's kept key.
        let mac = |key: &[u8], data: &[u8]| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data);
        let key = mac(b"AWS4notrealrnrELgWzOk3IfjzDKtFBhDby", b"19731129");
        let key = mac(mac(mac(key.as_ref(), b"us-east-1").as_ref(), b"testservice").as_ref(), b"aws4_request");
        let signature = mac(key.as_ref(), expected.as_bytes());

        let signed = sign_message(&params, &previous, &encoded).unwrap();
        assert_eq!(signed.signature, sigv4::hex(signature.as_ref()));
        let chunk_signature = HeaderValue::ByteArray(Bytes::copy_from_slice(signature.as_ref()));
        assert_eq!(signed.message.header(":chunk-signature"), Some(&chunk_signature));
        // Whole seconds: the sub-second part is dropped.
        let date = HeaderValue::Timestamp(DateTime::from_secs(123_456_789));
        assert_eq!(signed.message.header(":date"), Some(&date));
        assert_eq!(signed.message.payload, encoded);
        // The wrapper goes on the wire like any message, and the event inside comes back out.
        let wrapper = Message::decode(&signed.message.encode().unwrap()).unwrap();
        assert_eq!(Message::decode(&wrapper.payload), Ok(event));
    }

    #[test]
    fn the_end_of_a_stream_is_an_empty_payload_chained_to_the_last_signature() {
        let credentials = Credentials::new("AKID", "secret", None);
        let params = EventSigningParams {
            credentials: &credentials,
            region: "eu-west-1",
            service: "transcribe",
            time: UNIX_EPOCH,
        };
        let first = sign_message(&params, "seed", b"event").unwrap();
        let end = sign_message(&params, &first.signature, b"").unwrap();
        assert_eq!(end.message.payload, Bytes::new());
        assert_ne!(end.signature, first.signature);
        let string = string_to_sign(&params, &first.signature, b"").unwrap();
        assert!(
            string.starts_with(&format!("{ALGORITHM}\n19700101T000000Z\n19700101/eu-west-1/transcribe/aws4_request\n"))
        );
        let lines: Vec<&str> = string.lines().collect();
        assert_eq!(lines[3], first.signature);
        assert_eq!(lines[5], sha256_hex(b""));
        let before_1970 = EventSigningParams { time: UNIX_EPOCH - Duration::from_secs(1), ..params };
        assert!(matches!(sign_message(&before_1970, "seed", b""), Err(BuildError::Signing { .. })));
    }
}
