//! Node bindings of Anchor. Built by the Node package issue; empty until then.
