//! For the tests of code that uses a generated crate (feature `test-util`): a mock client that
//! answers operations from rules and records their inputs, and a transport that replays
//! recorded HTTP traffic. A generated crate re-exports this module as its own `test_util`.

mod mock;
mod replay;

pub use crate::error::{ErrorMetadata, Unhandled};
pub use mock::{mock, Mocks, Rule};
pub use replay::{Exchange, RecordedRequest, RecordedResponse, Recorder, Replay};
