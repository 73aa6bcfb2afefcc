//! The one place Rust names are made from model names: case conversion, keywords, and the
//! names our own generated API reserves. Emitters never convert case themselves.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that can't be raw identifiers (`r#self` is invalid), so they get a suffix instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Member names that would clash with fields or methods our generated types define themselves.
/// What a member name must not be, by where the structure is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberContext {
    Plain,
    /// A modeled error: it has a `meta` field and method.
    Error,
    /// An operation input: its builder holds a `client` and can `send()` and `into_paginator()`.
    Input,
}

impl MemberContext {
    fn reserved(self) -> &'static [&'static str] {
        match self {
            MemberContext::Plain => &["build", "builder"],
            MemberContext::Error => &["build", "builder", "meta"],
            MemberContext::Input => &["build", "builder", "client", "send", "into_paginator", "new"],
        }
    }
}

/// The std prelude's names. Generated code writes `Option`, `String`, `Vec`, `Result`, ... as
/// the prelude gives them (short enough that signatures stay on one line), so no generated type
/// may take one of these names: such a shape gets a `Value` suffix.
const PRELUDE: &[&str] = &[
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Variant names our generated enums use for themselves.
pub(crate) const UNKNOWN_VARIANT: &str = "Unknown";
pub(crate) const UNHANDLED_VARIANT: &str = "Unhandled";

/// `BackendJobRespObj` -> `BackendJobRespObj`, `__listOfString` -> `ListOfString`.
pub(crate) fn type_name(model_name: &str) -> String {
    let name = ascii_ident_chars(&versioned_acronyms(model_name).to_upper_camel_case());
    let name = if starts_like_ident(&name) { name } else { format!("Shape{name}") };
    if name == "Self" || PRELUDE.contains(&name.as_str()) {
        return format!("{name}Value");
    }
    name
}

/// `AppId` -> `app_id`, `Type` -> `r#type`, `Self` -> `self_`.
pub(crate) fn field_name(model_name: &str, context: MemberContext) -> String {
    let name = snake(model_name);
    if context.reserved().contains(&name.as_str()) {
        return format!("{name}_value");
    }
    escape_keyword(name)
}

/// The builder's `set_` method for a field (`r#type` -> `set_type`).
pub(crate) fn setter_name(field: &str) -> String {
    format!("set_{}", field.trim_start_matches("r#").trim_end_matches('_'))
}

/// The builder's `get_` method for a field (`r#type` -> `get_type`).
pub(crate) fn getter_name(field: &str) -> String {
    format!("get_{}", field.trim_start_matches("r#").trim_end_matches('_'))
}

/// A module (and file) name: keywords get a `_` suffix, since `r#type.rs` reads badly.
pub(crate) fn module_name(model_name: &str) -> String {
    let name = snake(model_name);
    if KEYWORDS.contains(&name.as_str()) {
        return format!("{name}_");
    }
    name
}

/// Methods the generated `Client` defines itself.
const RESERVED_CLIENT_METHODS: &[&str] = &["new", "from_env", "config"];

/// A method on the client for an operation (`ListBackendJobs` -> `list_backend_jobs`).
pub(crate) fn method_name(model_name: &str) -> String {
    let name = snake(model_name);
    if RESERVED_CLIENT_METHODS.contains(&name.as_str()) {
        return format!("{name}_operation");
    }
    escape_keyword(name)
}

/// The builder method that runs a waiter (`TableExists` -> `wait_until_table_exists`).
pub(crate) fn waiter_method(waiter: &str) -> String {
    format!("wait_until_{}", snake(waiter))
}

/// An enum variant for a string value (`CREATE_IN_PROGRESS` -> `CreateInProgress`).
pub(crate) fn enum_variant(value: &str) -> String {
    let name = ascii_ident_chars(&versioned_acronyms(value).to_upper_camel_case());
    if name.is_empty() {
        return "Empty".to_owned();
    }
    let name = if starts_like_ident(&name) { name } else { format!("Value{name}") };
    if name == "Self" || name == UNKNOWN_VARIANT {
        return format!("{name}Value");
    }
    name
}

/// The variant of an operation error enum for an error shape (`NotFoundException` -> `NotFound`).
/// The suffix stays when stripping it would leave nothing or our own `Unhandled`.
pub(crate) fn error_variant(shape_type_name: &str) -> String {
    let stripped = shape_type_name.strip_suffix("Exception").unwrap_or(shape_type_name);
    if stripped.is_empty() || stripped == UNHANDLED_VARIANT || !starts_like_ident(stripped) {
        return shape_type_name.to_owned();
    }
    stripped.to_owned()
}

fn snake(model_name: &str) -> String {
    let name = ascii_ident_chars(&versioned_acronyms(model_name).to_snake_case());
    if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
        // Nothing of the model's name survives (`""`, `"--"`, `"é"`): a name of our own.
        "unnamed".to_owned()
    } else if starts_like_ident(&name) {
        name
    } else {
        format!("_{name}")
    }
}

/// Acronyms that case conversion would split, made one word: versioned (`IPv6Address` ->
/// `Ipv6Address`, so `ipv6`, not `i` + `pv6`) and plural (`NotificationARNs` ->
/// `NotificationArns`, so `notification_arns`, not `notification_ar_ns`).
fn versioned_acronyms(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_uppercase()).count();
        let versioned =
            run >= 2 && chars.get(i + run) == Some(&'v') && chars.get(i + run + 1).is_some_and(char::is_ascii_digit);
        // `s` ends the word: the name ends or the next word starts (`ARNs`, `IDsList`, `GBs_`).
        let plural = run >= 2
            && chars.get(i + run) == Some(&'s')
            && chars.get(i + run + 1).is_none_or(|c| !c.is_ascii_lowercase());
        if versioned || plural {
            out.push(chars[i]);
            out.extend(chars[i + 1..i + run].iter().map(char::to_ascii_lowercase));
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Drops what an ASCII identifier can't hold, so every name is a valid `Ident`.
fn ascii_ident_chars(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

fn escape_keyword(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

fn starts_like_ident(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(type_name("BackendJobRespObj"), "BackendJobRespObj");
        assert_eq!(type_name("__listOfString"), "ListOfString");
        assert_eq!(type_name("2FA"), "Shape2fa");
        assert_eq!(type_name("Result"), "ResultValue");
        assert_eq!(type_name("string"), "StringValue");
        assert_eq!(type_name("Self"), "SelfValue");
        assert_eq!(field_name("AppId", MemberContext::Plain), "app_id");
        assert_eq!(field_name("Type", MemberContext::Plain), "r#type");
        assert_eq!(field_name("Self", MemberContext::Plain), "self_");
        assert_eq!(field_name("Build", MemberContext::Plain), "build_value");
        assert_eq!(field_name("Meta", MemberContext::Plain), "meta");
        assert_eq!(field_name("Meta", MemberContext::Error), "meta_value");
        assert_eq!(field_name("Client", MemberContext::Input), "client_value");
        assert_eq!(setter_name("r#type"), "set_type");
        assert_eq!(setter_name("app_id"), "set_app_id");
        assert_eq!(module_name("Type"), "type_");
        assert_eq!(method_name("ListBackendJobs"), "list_backend_jobs");
        assert_eq!(method_name("Config"), "config_operation");
        assert_eq!(enum_variant("CREATE_IN_PROGRESS"), "CreateInProgress");
        assert_eq!(enum_variant("us-east-1"), "UsEast1");
        assert_eq!(enum_variant("1"), "Value1");
        assert_eq!(enum_variant("unknown"), "UnknownValue");
        assert_eq!(enum_variant(""), "Empty");
        assert_eq!(enum_variant("é"), "Empty");
        assert_eq!(field_name("Größe", MemberContext::Plain), "gre");
        assert_eq!(field_name("", MemberContext::Plain), "unnamed");
        assert_eq!(module_name("--"), "unnamed");
        assert_eq!(method_name("é"), "unnamed");
        assert_eq!(error_variant("NotFoundException"), "NotFound");
        assert_eq!(error_variant("Exception"), "Exception");
        assert_eq!(error_variant("UnhandledException"), "UnhandledException");
        assert_eq!(error_variant("InternalFailure"), "InternalFailure");
    }

    /// Names as real AWS models spell them: (model name, type, field, enum variant).
    #[test]
    fn real_model_names() {
        let table = [
            ("DBInstance", "DbInstance", "db_instance", "DbInstance"),
            ("IPv6Address", "Ipv6Address", "ipv6_address", "Ipv6Address"),
            ("IPv4", "Ipv4", "ipv4", "Ipv4"),
            ("S3Key", "S3Key", "s3_key", "S3Key"),
            ("ARN", "Arn", "arn", "Arn"),
            ("VPCId", "VpcId", "vpc_id", "VpcId"),
            ("KMSKeyArn", "KmsKeyArn", "kms_key_arn", "KmsKeyArn"),
            ("DynamoDBTarget", "DynamoDbTarget", "dynamo_db_target", "DynamoDbTarget"),
            ("x-amz-meta", "XAmzMeta", "x_amz_meta", "XAmzMeta"),
            ("Type", "Type", "r#type", "Type"),
            ("Option", "OptionValue", "option", "Option"),
            ("Vec", "VecValue", "vec", "Vec"),
            ("String", "StringValue", "string", "String"),
            ("Self", "SelfValue", "self_", "SelfValue"),
            ("__listOfString", "ListOfString", "list_of_string", "ListOfString"),
            ("NotificationARNs", "NotificationArns", "notification_arns", "NotificationArns"),
            ("jobIDs", "JobIds", "job_ids", "JobIds"),
            ("memorySizeInGBs", "MemorySizeInGbs", "memory_size_in_gbs", "MemorySizeInGbs"),
            ("ListWebACLsRequest", "ListWebAclsRequest", "list_web_acls_request", "ListWebAclsRequest"),
            ("IPsList", "IpsList", "ips_list", "IpsList"),
            ("DBSubnetGroup", "DbSubnetGroup", "db_subnet_group", "DbSubnetGroup"),
            ("HTTPSettings", "HttpSettings", "http_settings", "HttpSettings"),
        ];
        for (model, ty, field, variant) in table {
            assert_eq!(
                (type_name(model).as_str(), field_name(model, MemberContext::Plain).as_str()),
                (ty, field),
                "{model}"
            );
            assert_eq!(enum_variant(model), variant, "{model}");
        }
    }
}
