//! Reading an OpenNext build folder (`.open-next/`): the output manifest,
//! the assets with their hashes and cache classes, and deterministic zips of
//! the function bundles.
