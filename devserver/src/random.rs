//! Unguessable ids, tokens and secrets: letters and digits drawn from the operating system's
//! CSPRNG (`getrandom`), never from a seeded or predictable generator; and [`same_secret`],
//! the constant-time comparison of a presented secret with the one we hold.
//!
//! Pure apart from the entropy source; must not know what the ids are for.

use subtle::ConstantTimeEq;

/// Length of an id: 22 letters or digits are 22 × log2(62) ≈ 131 bits, at least the 128
/// bits a credential or an id standing for one needs.
pub const ID_LEN: usize = 22;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` random ASCII letters and digits, uniformly distributed (bytes ≥ 248 are drawn
/// again, so no symbol is more likely than another).
pub fn random_id(len: usize) -> String {
    let mut id = String::with_capacity(len);
    let mut bytes = [0u8; 64];
    while id.len() < len {
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        for byte in bytes
            .iter()
            .filter(|b| usize::from(**b) < 4 * ALPHABET.len())
        {
            if id.len() == len {
                break;
            }
            id.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
        }
    }
    id
}

/// Whether `presented` is `expected`, in a time that does not depend on where they differ
/// (an attacker timing the answers learns nothing but the length). An empty `expected` is
/// never matched: it stands for "no secret".
pub fn same_secret(presented: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_have_the_length_asked_and_only_letters_and_digits() {
        for len in [0, 1, ID_LEN, 48, 200] {
            let id = random_id(len);
            assert_eq!(id.len(), len);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        }
    }

    #[test]
    fn ids_do_not_repeat_and_use_the_whole_alphabet() {
        let ids: HashSet<String> = (0..1000).map(|_| random_id(ID_LEN)).collect();
        assert_eq!(ids.len(), 1000);
        let symbols: HashSet<char> = ids.iter().flat_map(|id| id.chars()).collect();
        assert_eq!(symbols.len(), ALPHABET.len());
    }

    #[test]
    fn secrets_match_only_themselves_and_never_empty() {
        let secret = random_id(ID_LEN);
        assert!(same_secret(&secret, &secret));
        assert!(!same_secret(&random_id(ID_LEN), &secret));
        assert!(!same_secret(&secret[..ID_LEN - 1], &secret));
        assert!(!same_secret("", ""));
    }
}
