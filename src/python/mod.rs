//! Embedded CPython.
