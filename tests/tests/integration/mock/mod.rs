//! Mock server tests.
