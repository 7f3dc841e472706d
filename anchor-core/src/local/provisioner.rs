//! See the module's owner brief.
