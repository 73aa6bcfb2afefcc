//! The certificate authorities TLS connections are checked against (a server's, a proxy's).

use std::fmt;
use std::sync::Arc;

/// The certificate authorities a TLS server's certificate must chain to, instead of the bundled
/// Mozilla roots: a PEM bundle, as `AWS_CA_BUNDLE` or a profile's `ca_bundle` names (a company's
/// TLS-inspecting proxy, a private endpoint). As in botocore, the bundle replaces the default
/// roots rather than adding to them.
#[derive(Clone)]
pub struct CaBundle {
    roots: Arc<rustls::RootCertStore>,
}

impl CaBundle {
    pub(crate) fn roots(&self) -> Arc<rustls::RootCertStore> {
        self.roots.clone()
    }

    /// The same bundle (one parse of it).
    pub(crate) fn same(&self, other: &CaBundle) -> bool {
        Arc::ptr_eq(&self.roots, &other.roots)
    }

    /// Every `CERTIFICATE` in the PEM text (other sections are skipped); a bundle without one, or
    /// with one that is not a usable CA certificate, is refused.
    pub fn from_pem(pem: &[u8]) -> Result<Self, InvalidCaBundle> {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let mut roots = rustls::RootCertStore::empty();
        for (index, certificate) in CertificateDer::pem_slice_iter(pem).enumerate() {
            let invalid = |error: &dyn fmt::Display| InvalidCaBundle(format!("certificate {}: {error}", index + 1));
            let certificate = certificate.map_err(|error| invalid(&error))?;
            roots.add(certificate).map_err(|error| invalid(&error))?;
        }
        if roots.is_empty() {
            return Err(InvalidCaBundle("no PEM `CERTIFICATE` in it".into()));
        }
        Ok(CaBundle { roots: Arc::new(roots) })
    }

    pub fn len(&self) -> usize {
        self.roots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

impl fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaBundle({} certificates)", self.roots.len())
    }
}

/// Why a CA bundle can't be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCaBundle(String);

impl fmt::Display for InvalidCaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid CA bundle: {}", self.0)
    }
}

impl std::error::Error for InvalidCaBundle {}
