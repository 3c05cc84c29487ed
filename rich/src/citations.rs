//! Citations of generative answers (schema.org Message entity, legacy Claim entities).
// STUB: helper A implements.
