//! Python bindings of Anchor. Built by the Python package issue; empty until then.
