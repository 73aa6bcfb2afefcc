//! Faithful serde mirrors of the input formats. No logic lives here: lowering into the IR does it.

pub mod botocore;
pub mod smithy;
