//! Primitive costs that explain the spectrum — switch, spawn — measured the same way by
//! the criterion benches and by `spectrum` itself.
