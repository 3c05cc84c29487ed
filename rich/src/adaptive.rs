//! Adaptive Cards 1.5 (1.6 tolerated).
// STUB: helper B implements (may become adaptive/ with submodules).
