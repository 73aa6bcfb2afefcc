//! The paginator loop, shared by every paginated operation. Generated code only says where the
//! tokens, the page size and the items are ([`Paginate`]); the rules live here:
//!
//! - an absent or empty output token, or a false `more_results` member, ends the run;
//! - a token the service already sent in this run (`A, A` or a cycle `A, B, A`) is an error that
//!   names it, right after the page that carried it, so a run never loops forever;
//! - an error is yielded once and ends the stream;
//! - `max_items` may cut a page; the resume token then restarts exactly after the last item given.
//!
//! # Resume tokens
//!
//! A resume token is standard base64 of the JSON object `{"tokens": T, "skip": N}`: `T` is the
//! operation's input token(s) that fetch the page to resume on (`null` for the first page) and
//! `N` the number of that page's items already given (omitted when 0). Pass it to
//! [`Paginator::starting_token`] to continue.

use crate::error::SdkError;
use crate::fields::{FieldValue, FieldWriter, ReadFields, WriteFields};
use crate::protocol::Operation;
use crate::{BuildError, Client};
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use serde::de::{DeserializeOwned, MapAccess};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// What a paginated operation tells the loop. Implemented by generated code.
pub trait Paginate: Operation<Output: Send, Error: Send> + Clone + 'static {
    /// The input token: the token member's type, or a tuple of options for several tokens.
    type Token: Clone + PartialEq + fmt::Debug + Serialize + DeserializeOwned + Send + Sync;
    type Item: Send;

    /// The token for the next page; `None` (absent, empty, or `more_results` false) ends the run.
    fn next_token(output: &Self::Output) -> Option<Self::Token>;
    /// The input's token(s), as set for the page it fetches.
    fn token(&self) -> Option<Self::Token>;
    fn set_token(&mut self, token: Option<Self::Token>);
    /// Sets the page-size member (the paginator's `limit_key`); `false` if there is none.
    fn set_page_size(&mut self, size: i32) -> bool;
    /// Takes the primary results (a list, or a map as key-value pairs) out of a page.
    fn take_items(output: &mut Self::Output) -> Option<Vec<Self::Item>>;
    /// Puts (what is left of) them back.
    fn put_items(output: &mut Self::Output, items: Option<Vec<Self::Item>>);
    /// Appends a later page to the first one: every result list, for [`Paginator::collect_all`].
    fn merge(into: &mut Self::Output, page: Self::Output);
}

pub use crate::error::PaginationError;

/// Where a run stopped: the input tokens of the next page, and how many of its items were taken.
struct ResumeToken<T> {
    tokens: Option<T>,
    skip: usize,
}

impl<T> Default for ResumeToken<T> {
    fn default() -> Self {
        ResumeToken { tokens: None, skip: 0 }
    }
}

impl<T: DeserializeOwned> ReadFields for ResumeToken<T> {
    fn read_field<'de, A: MapAccess<'de>>(&mut self, name: &str, value: FieldValue<'_, A>) -> Result<(), A::Error> {
        match name {
            "tokens" => value.read(&mut self.tokens),
            "skip" => value.read(&mut self.skip),
            _ => value.skip(),
        }
    }
}

impl<T: Serialize> WriteFields for ResumeToken<T> {
    fn write_fields<W: FieldWriter>(&self, out: &mut W) -> Result<(), W::Error> {
        out.field("tokens", &self.tokens)?;
        out.optional("skip", &Some(self.skip).filter(|skip| *skip != 0))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ResumeToken<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::fields::deserialize(deserializer)
    }
}

impl<T: Serialize> Serialize for ResumeToken<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::fields::serialize(self, serializer)
    }
}

fn encode<T: Serialize>(tokens: Option<T>, skip: usize) -> String {
    let json = serde_json::to_vec(&ResumeToken { tokens, skip }).unwrap_or_default();
    crate::base64::encode(json)
}

fn decode<T: DeserializeOwned>(token: &str) -> Result<ResumeToken<T>, PaginationError> {
    let bad = |detail: String| PaginationError::BadStartingToken { detail };
    let json = crate::base64::decode(token.trim()).map_err(|e| bad(e.to_string()))?;
    serde_json::from_slice(&json).map_err(|e| bad(format!("not a resume token: {e}")))
}

/// Pages of a paginated operation. Made by the generated `into_paginator()`.
pub struct Paginator<O: Paginate> {
    client: Client,
    input: Result<O, BuildError>,
    page_size: Option<i32>,
    max_items: Option<usize>,
    starting_token: Option<String>,
}

/// Everything a run gathered: the first page with every later page's results appended, and
/// where to resume if `max_items` stopped it early.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected<T> {
    pub output: T,
    pub resume_token: Option<String>,
}

type PageResult<O> = Result<<O as Operation>::Output, SdkError<<O as Operation>::Error>>;

/// The stream a paginator gives: pages or items. After it ends, [`resume_token`](Self::resume_token)
/// says where to continue if `max_items` stopped the run early.
pub struct PaginationStream<T, E> {
    inner: BoxStream<'static, Result<T, E>>,
    resume: Arc<Mutex<Option<String>>>,
}

impl<T, E> PaginationStream<T, E> {
    /// The resume token of a run `max_items` cut short; `None` while running or after a full run.
    pub fn resume_token(&self) -> Option<String> {
        self.resume.lock().map(|token| token.clone()).unwrap_or_default()
    }
}

impl<T, E> Stream for PaginationStream<T, E> {
    type Item = Result<T, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl<O: Paginate> Paginator<O> {
    /// A paginator over `input`, sent with the client the builder came from.
    pub fn new(client: Client, input: Result<O, BuildError>) -> Self {
        Paginator { client, input, page_size: None, max_items: None, starting_token: None }
    }

    /// Items to ask for per page, sent as the operation's page-size member on every request.
    pub fn page_size(mut self, size: i32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Stop after this many items in all, even in the middle of a page.
    pub fn max_items(mut self, max: usize) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Resume where an earlier run stopped (its resume token).
    pub fn starting_token(mut self, token: impl Into<String>) -> Self {
        self.starting_token = Some(token.into());
        self
    }

    /// A stream of pages.
    pub fn send(self) -> PaginationStream<O::Output, SdkError<O::Error>> {
        let resume = Arc::new(Mutex::new(None));
        let inner = self.pages(resume.clone()).boxed();
        PaginationStream { inner, resume }
    }

    /// A stream of the items of every page.
    pub fn items(self) -> PaginationStream<O::Item, SdkError<O::Error>> {
        let resume = Arc::new(Mutex::new(None));
        let inner = self
            .pages(resume.clone())
            .flat_map(|page| {
                let items: Vec<Result<O::Item, _>> = match page {
                    Ok(mut output) => O::take_items(&mut output).unwrap_or_default().into_iter().map(Ok).collect(),
                    Err(error) => vec![Err(error)],
                };
                stream::iter(items)
            })
            .boxed();
        PaginationStream { inner, resume }
    }

    /// Runs to the end (or `max_items`) and gathers every page into one output.
    pub async fn collect_all(self) -> Result<Collected<O::Output>, SdkError<O::Error>> {
        let mut pages = self.send();
        let mut output: Option<O::Output> = None;
        while let Some(page) = pages.next().await {
            let page = page?;
            match &mut output {
                None => output = Some(page),
                Some(first) => O::merge(first, page),
            }
        }
        // A run that did not fail has given at least one page.
        let output =
            output.ok_or_else(|| SdkError::Build(BuildError::Config { detail: "no page was fetched".into() }))?;
        Ok(Collected { output, resume_token: pages.resume_token() })
    }

    /// The run as a stream of pages; the resume token lands in `resume` if `max_items` cuts it.
    fn pages(self, resume: Arc<Mutex<Option<String>>>) -> impl Stream<Item = PageResult<O>> {
        let state = match self.start(resume) {
            Ok(run) => State::Running(run),
            Err(error) => State::Failed(error),
        };
        // Fused: polling after the end keeps answering `None` instead of panicking.
        stream::unfold(state, |state| async move {
            match state {
                State::Done => None,
                State::Failed(error) => Some((Err(error), State::Done)),
                State::Running(mut run) => {
                    let (result, next) = run.next_page().await;
                    let state = match next {
                        Next::More => State::Running(run),
                        Next::End => State::Done,
                        Next::Fail(error) => State::Failed(SdkError::Pagination(error)),
                    };
                    Some((result, state))
                }
            }
        })
        .fuse()
    }

    fn start(self, resume: Arc<Mutex<Option<String>>>) -> Result<Run<O>, SdkError<O::Error>> {
        let client = self.client;
        let mut input = self.input?;
        if let Some(size) = self.page_size {
            if !input.set_page_size(size) {
                return Err(SdkError::Pagination(PaginationError::PageSizeUnsupported));
            }
        }
        let mut skip = 0;
        if let Some(token) = &self.starting_token {
            let resume: ResumeToken<O::Token> = decode(token).map_err(SdkError::Pagination)?;
            input.set_token(resume.tokens);
            skip = resume.skip;
        }
        Ok(Run { client, input, skip, remaining: self.max_items, seen: Vec::new(), pages: 0, resume })
    }
}

enum State<O: Paginate> {
    Running(Run<O>),
    /// Yield this error, then end.
    Failed(SdkError<O::Error>),
    Done,
}

/// What follows a page.
enum Next {
    More,
    End,
    Fail(PaginationError),
}

/// The state of a run between pages.
struct Run<O: Paginate> {
    client: Client,
    /// The input for the next page.
    input: O,
    /// Items of the next page already given by an earlier run.
    skip: usize,
    remaining: Option<usize>,
    /// Every token the service sent in this run.
    seen: Vec<O::Token>,
    pages: usize,
    resume: Arc<Mutex<Option<String>>>,
}

impl<O: Paginate> Run<O> {
    /// Fetches one page and says what follows it.
    async fn next_page(&mut self) -> (PageResult<O>, Next) {
        let sent_token = self.input.token();
        let mut output = match self.client.send(self.input.clone()).await {
            Ok(output) => output,
            Err(error) => return (Err(error), Next::End),
        };
        self.pages += 1;
        let next = O::next_token(&output);
        let skipped = std::mem::take(&mut self.skip);
        let mut items = O::take_items(&mut output);
        if let Some(list) = items.as_mut() {
            list.drain(..skipped.min(list.len()));
        }
        let given = items.as_ref().map_or(0, Vec::len);

        if let Some(remaining) = self.remaining.filter(|remaining| given >= *remaining) {
            if let Some(list) = items.as_mut() {
                list.truncate(remaining);
            }
            O::put_items(&mut output, items);
            // Cut inside this page: resume on it; at its end: resume on the next one.
            let resume = if given > remaining {
                Some(encode(sent_token, skipped + remaining))
            } else {
                next.map(|token| encode(Some(token), 0))
            };
            if let Ok(mut slot) = self.resume.lock() {
                *slot = resume;
            }
            return (Ok(output), Next::End);
        }
        O::put_items(&mut output, items);
        self.remaining = self.remaining.map(|remaining| remaining - given);

        let page = Ok(output);
        let Some(token) = next else {
            return (page, Next::End);
        };
        if self.seen.contains(&token) {
            // The page is given first (its items are real), then the error.
            let token = format!("{token:?}");
            return (page, Next::Fail(PaginationError::RepeatedToken { token, pages: self.pages }));
        }
        self.seen.push(token.clone());
        self.input.set_token(Some(token));
        (page, Next::More)
    }
}

/// Appends a later page's result list (or map) to the first page's, for [`Paginate::merge`].
pub fn append<C: Extend<T> + IntoIterator<Item = T>, T>(into: &mut Option<C>, more: Option<C>) {
    match (into.as_mut(), more) {
        (Some(list), Some(more)) => list.extend(more),
        (None, Some(more)) => *into = Some(more),
        (_, None) => {}
    }
}
