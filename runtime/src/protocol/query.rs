//! awsQuery: the input as a form (`Action=AssumeRole&Version=2011-06-15&RoleArn=...`), the
//! output read from `<OpResponse><OpResult>` XML, errors from `<ErrorResponse><Error>`.
//! EC2's dialect differs in lists (`Name.1`, nothing for an empty list), in outputs (members
//! straight under `<OpResponse>`, `<requestId>`) and in errors (`<Response><Errors><Error>`).

use super::{HttpValue, Request};
use crate::blob::Blob;
use crate::error::ParseError;
use crate::http::Response;
use crate::percent::percent_encode;
use crate::time::{DateTime, TimestampFormat};
use crate::xml::{Document, FromXml, Layout, Node};
use std::collections::BTreeMap;

/// The form body being written: `key=value` pairs in the order they are added.
#[derive(Debug, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
    /// EC2's list rules: no `.member`, whatever the layout says, and no key for an empty list.
    ec2: bool,
}

impl Form {
    fn ec2() -> Self {
        Form { ec2: true, ..Form::default() }
    }

    pub fn push(&mut self, key: &str, value: impl Into<String>) {
        self.pairs.push((key.to_owned(), value.into()));
    }

    /// Writes a structure member: its key is `prefix.name` (`name` at the top level).
    pub fn member<T: ToQuery + ?Sized>(&mut self, prefix: &str, name: &str, value: &T, layout: &Layout) {
        let key = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
        value.to_query(self, &key, layout);
    }

    /// `k=v&...`, every key and value percent-encoded (RFC 3986 unreserved characters kept).
    fn encode(&self) -> String {
        let pairs =
            self.pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)));
        pairs.collect::<Vec<_>>().join("&")
    }
}

/// A value written into a form under `key`.
pub trait ToQuery {
    fn to_query(&self, form: &mut Form, key: &str, layout: &Layout);
}

macro_rules! scalars {
    ($($t:ty),*) => {$(
        impl ToQuery for $t {
            fn to_query(&self, form: &mut Form, key: &str, _: &Layout) {
                form.push(key, self.http_value(TimestampFormat::DateTime));
            }
        }
    )*};
}
scalars!(String, str, bool, i32, i64, f32, f64, Blob);

/// ISO 8601 unless the model sets a format; whole seconds carry no fraction.
impl ToQuery for DateTime {
    fn to_query(&self, form: &mut Form, key: &str, layout: &Layout) {
        let format = match layout {
            Layout::Timestamp(format) => *format,
            _ => TimestampFormat::DateTime,
        };
        form.push(key, self.format(format));
    }
}

impl<T: ToQuery> ToQuery for Option<T> {
    fn to_query(&self, form: &mut Form, key: &str, layout: &Layout) {
        if let Some(value) = self {
            value.to_query(form, key, layout);
        }
    }
}

impl<T: ToQuery + ?Sized> ToQuery for Box<T> {
    fn to_query(&self, form: &mut Form, key: &str, layout: &Layout) {
        (**self).to_query(form, key, layout);
    }
}

/// `key.member.1=..` (flattened, and always in EC2: `key.1=..`); an empty list is sent as `key=`
/// (EC2: not at all), as botocore does.
impl<T: ToQuery> ToQuery for Vec<T> {
    fn to_query(&self, form: &mut Form, key: &str, layout: &Layout) {
        let Layout::List { member, items } = layout else { return self.to_query(form, key, &Layout::LIST) };
        if self.is_empty() {
            if !form.ec2 {
                form.push(key, "");
            }
            return;
        }
        let prefix = match member {
            Some(member) if !form.ec2 => format!("{key}.{member}"),
            _ => key.to_owned(),
        };
        for (i, item) in self.iter().enumerate() {
            item.to_query(form, &format!("{prefix}.{}", i + 1), items);
        }
    }
}

/// `key.entry.1.key=..&key.entry.1.value=..` (flattened: `key.1.key=..`).
impl<K: ToQuery, V: ToQuery> ToQuery for BTreeMap<K, V> {
    fn to_query(&self, form: &mut Form, key: &str, layout: &Layout) {
        let Layout::Map { entry, key: key_name, value: value_name, values } = layout else {
            return self.to_query(form, key, &Layout::MAP);
        };
        let prefix = entry.map_or_else(|| key.to_owned(), |entry| format!("{key}.{entry}"));
        for (i, (k, v)) in self.iter().enumerate() {
            k.to_query(form, &format!("{prefix}.{}.{key_name}", i + 1), &Layout::Plain);
            v.to_query(form, &format!("{prefix}.{}.{value_name}", i + 1), values);
        }
    }
}

impl Request {
    /// An awsQuery request: `POST /` with the form `Action=..&Version=..&<input>`.
    pub fn aws_query<T: ToQuery + ?Sized>(action: &str, version: &str, input: &T) -> Self {
        Self::form(Form::default(), action, version, input)
    }

    /// An EC2 request: as [`Request::aws_query`], with EC2's list rules.
    pub fn ec2_query<T: ToQuery + ?Sized>(action: &str, version: &str, input: &T) -> Self {
        Self::form(Form::ec2(), action, version, input)
    }

    fn form<T: ToQuery + ?Sized>(mut form: Form, action: &str, version: &str, input: &T) -> Self {
        form.push("Action", action);
        form.push("Version", version);
        input.to_query(&mut form, "", &Layout::Plain);
        let mut request = Request::rest("POST", "/");
        request
            .headers
            .push(("content-type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()));
        request.body = form.encode().into();
        request
    }
}

/// Reads an awsQuery output from `<OpResponse><OpResult>..</OpResult>` (`result_wrapper` names
/// the inner element; where a response has none, the root holds the members), with the request
/// id of `ResponseMetadata`. An empty body is an output with no members.
pub fn output<T: FromXml + Default>(
    response: &Response,
    result_wrapper: &str,
) -> Result<(T, Option<String>), ParseError> {
    let header_id = response.request_id().map(str::to_owned);
    let Some(text) = body_text(response)? else { return Ok((T::default(), header_id)) };
    let bad = |e: crate::xml::XmlError| ParseError::new(response.status, e.to_string());
    let doc = Document::parse(text).map_err(bad)?;
    let root = doc.root();
    let request_id =
        root.child("ResponseMetadata").and_then(|m| m.child("RequestId")).or_else(|| root.child("RequestId"));
    let request_id = request_id.map(|id| id.text().trim().to_owned()).or(header_id);
    let output = root.child(result_wrapper).unwrap_or(root).parse().map_err(bad)?;
    Ok((output, request_id))
}

/// Reads an EC2 output: its members are the root's children; the request id is `<requestId>`.
pub fn ec2_output<T: FromXml + Default>(response: &Response) -> Result<(T, Option<String>), ParseError> {
    let header_id = response.request_id().map(str::to_owned);
    let Some(text) = body_text(response)? else { return Ok((T::default(), header_id)) };
    let bad = |e: crate::xml::XmlError| ParseError::new(response.status, e.to_string());
    let doc = Document::parse(text).map_err(bad)?;
    let request_id = doc.root().child("requestId").map(|id| id.text().trim().to_owned()).or(header_id);
    Ok((doc.root().parse().map_err(bad)?, request_id))
}

/// The body as text, `None` when it is blank.
fn body_text(response: &Response) -> Result<Option<&str>, ParseError> {
    let text =
        std::str::from_utf8(&response.body).map_err(|_| ParseError::new(response.status, "the body is not UTF-8"))?;
    Ok((!text.trim().is_empty()).then_some(text))
}

/// An XML error body's parts: code, message and request id.
pub(crate) struct XmlErrorParts {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// `<ErrorResponse><Error><Code>..</Code><Message>..</Message></Error><RequestId>..` (also EC2's
/// `<Response><Errors><Error>` and a bare `<Error>`); `None` if the body is not XML.
pub(crate) fn error_parts(body: &str) -> Option<XmlErrorParts> {
    let doc = Document::parse(body).ok()?;
    let error = error_element(doc.root());
    let text = |node: Option<Node>| node.map(|n| n.text().trim().to_owned()).filter(|t| !t.is_empty());
    Some(XmlErrorParts {
        code: text(error.child("Code")),
        message: text(error.child("Message")),
        // EC2 spells it `RequestID`.
        request_id: text(
            ["RequestId", "RequestID"]
                .into_iter()
                .find_map(|name| doc.root().child(name).or_else(|| error.child(name))),
        ),
    })
}

/// The element holding an error's code and modeled members.
pub(crate) fn error_element(root: Node<'_>) -> Node<'_> {
    let errors = root.child("Errors").unwrap_or(root);
    errors.child("Error").unwrap_or(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    struct Input {
        name: Option<String>,
        list: Vec<String>,
        flat: Option<Vec<i32>>,
        map: BTreeMap<String, Vec<String>>,
        at: Option<DateTime>,
    }

    impl ToQuery for Input {
        fn to_query(&self, form: &mut Form, prefix: &str, _: &Layout) {
            form.member(prefix, "Name", &self.name, &Layout::Plain);
            form.member(prefix, "List", &self.list, &Layout::List { member: Some("item"), items: &Layout::Plain });
            form.member(prefix, "Flat", &self.flat, &Layout::List { member: None, items: &Layout::Plain });
            let map = &Layout::Map { entry: Some("entry"), key: "K", value: "V", values: &Layout::LIST };
            form.member(prefix, "Map", &self.map, map);
            form.member(prefix, "At", &self.at, &Layout::Timestamp(TimestampFormat::EpochSeconds));
        }
    }

    #[test]
    fn forms_follow_botocore() {
        let input = Input {
            name: Some("a b&c=d/é~".to_owned()),
            list: vec![],
            flat: Some(vec![1, 2]),
            map: BTreeMap::from([("k".to_owned(), vec!["x".to_owned()])]),
            at: Some(DateTime::from_secs(1422172800)),
        };
        let request = Request::aws_query("Op", "2011-06-15", &input);
        assert_eq!(
            std::str::from_utf8(&request.body).unwrap(),
            "Action=Op&Version=2011-06-15&Name=a%20b%26c%3Dd%2F%C3%A9~&List=&Flat.1=1&Flat.2=2\
             &Map.entry.1.K=k&Map.entry.1.V.member.1=x&At=1422172800"
        );
        let mut iso = Form::default();
        iso.member("", "T", &DateTime::from_secs(1422172800), &Layout::Plain);
        assert_eq!(iso.encode(), "T=2015-01-25T08%3A00%3A00Z");
    }

    #[test]
    fn ec2_forms_drop_member_and_empty_lists() {
        let input = Input {
            name: None,
            list: vec![],
            flat: None,
            map: BTreeMap::from([("k".to_owned(), vec!["x".to_owned(), "y".to_owned()])]),
            at: None,
        };
        let request = Request::ec2_query("Op", "2016-11-15", &input);
        assert_eq!(
            std::str::from_utf8(&request.body).unwrap(),
            "Action=Op&Version=2016-11-15&Map.entry.1.K=k&Map.entry.1.V.1=x&Map.entry.1.V.2=y"
        );
    }

    fn response(status: u16, body: &str) -> Response {
        Response { status, headers: http::HeaderMap::new(), body: Bytes::copy_from_slice(body.as_bytes()) }
    }

    #[derive(Default, Debug, PartialEq)]
    struct Out {
        name: Option<String>,
    }

    impl FromXml for Out {
        fn from_xml(node: Node<'_>, _: &Layout) -> Result<Self, crate::xml::XmlError> {
            let mut out = Out::default();
            for child in node.children() {
                if child.name() == "Name" {
                    out.name = child.parse()?;
                }
            }
            Ok(out)
        }
    }

    #[test]
    fn outputs_unwrap_the_result_and_keep_the_request_id() {
        let body = "<OpResponse xmlns=\"x\"><OpResult><Name>n</Name></OpResult>\
                    <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></OpResponse>";
        let (out, id) = output::<Out>(&response(200, body), "OpResult").unwrap();
        assert_eq!((out.name.as_deref(), id.as_deref()), (Some("n"), Some("r-1")));
        let (empty, _) = output::<Out>(&response(200, " "), "OpResult").unwrap();
        assert_eq!(empty, Out::default());
        let error = output::<Out>(&response(200, "<a><b>secret</a>"), "OpResult").unwrap_err();
        assert_eq!(error.detail(), "at a/b: the closing tag does not match");
    }

    #[test]
    fn ec2_outputs_have_no_wrapper_and_a_lowercase_request_id() {
        let body = "<OpResponse xmlns=\"x\"><requestId>r-1</requestId><Name>n</Name></OpResponse>";
        let (out, id) = ec2_output::<Out>(&response(200, body)).unwrap();
        assert_eq!((out.name.as_deref(), id.as_deref()), (Some("n"), Some("r-1")));
        let error = ec2_output::<Out>(&response(200, "<OpResponse><Name>")).unwrap_err();
        assert_eq!(error.detail(), "at OpResponse/Name: the body ends inside this element");
    }

    #[test]
    fn error_bodies() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredTokenException</Code>\
                    <Message>expired</Message></Error><RequestId>r-2</RequestId></ErrorResponse>";
        let parts = error_parts(body).unwrap();
        assert_eq!(parts.code.as_deref(), Some("ExpiredTokenException"));
        assert_eq!((parts.message.as_deref(), parts.request_id.as_deref()), (Some("expired"), Some("r-2")));
        let ec2 = "<Response><Errors><Error><Code>C</Code></Error></Errors><RequestID>x</RequestID></Response>";
        let parts = error_parts(ec2).unwrap();
        assert_eq!((parts.code.as_deref(), parts.request_id.as_deref()), (Some("C"), Some("x")));
        assert!(error_parts("not xml").is_none());
    }
}
