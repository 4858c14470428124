//! Resource limits applied while decoding and parsing untrusted messages.

/// Hard limits on hostile input. Every limit is checked before or while the work it bounds is
/// done, so a hostile message costs at most a bounded amount of memory and time.
///
/// The defaults accept a 20 KB Entra ID response with 150 group claims with a wide margin
/// (it has roughly 700 nodes and a depth of 8) and reject anything that could exhaust a
/// Cloudflare Worker (128 MB of memory, a few milliseconds of CPU).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest encoded input (the base64 form field or raw XML), in bytes. Default 1 MiB.
    pub max_input_bytes: usize,
    /// Largest decoded XML document, in bytes. Default 768 KiB.
    pub max_xml_bytes: usize,
    /// Largest inflated HTTP-Redirect message, in bytes. Default 256 KiB.
    pub max_inflated_bytes: usize,
    /// Deepest element nesting. Default 64.
    pub max_depth: usize,
    /// Most nodes (elements, text runs, comments, processing instructions). Default 20,000.
    pub max_nodes: usize,
    /// Most attributes plus namespace declarations on one element. Default 64.
    pub max_attributes_per_element: usize,
    /// Longest name (element, attribute or prefix), in bytes. Default 256.
    pub max_name_bytes: usize,
}

impl Limits {
    /// The documented defaults (same as [`Default::default`]).
    pub const DEFAULT: Limits = Limits {
        max_input_bytes: 1024 * 1024,
        max_xml_bytes: 768 * 1024,
        max_inflated_bytes: 256 * 1024,
        max_depth: 64,
        max_nodes: 20_000,
        max_attributes_per_element: 64,
        max_name_bytes: 256,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
