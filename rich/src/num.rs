//! Floats to and from text without core's float formatting and parsing code, which with
//! their tables weigh more in the wasm than anything else this module does with numbers.
//! Same results as `f64`'s `Display` and `FromStr` (tested against them natively).

/// `n` exactly as `n.to_string()` writes it: the shortest digits that read back as `n`,
/// never an exponent (`1e21` is `1000000000000000000000`), `-0` for negative zero.
/// The digits come from serde_json's float formatter, which the module has anyway.
pub fn fmt(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "inf" } else { "-inf" }.into();
    }
    // `[-]digits[.digits][e±exp]`.
    let json = serde_json::Number::from_f64(n)
        .map(|j| j.to_string())
        .unwrap_or_default();
    let (neg, s) = match json.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, json.as_str()),
    };
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = [int, frac].concat();
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0');
    // The value is `digits × 10^exp`.
    let exp = int.len() as i32 - (lead + digits.len()) as i32 + exp;
    let mut digits = digits.to_owned();
    if let Some(d) = digits.parse::<u64>().ok().filter(|&d| tie(n, d, exp)) {
        // Halfway between two shortest candidates: serde_json takes the even one,
        // `Display` the one above.
        digits = (d + 1).to_string();
    }
    let point = digits.len() as i32 + exp;
    let digits = digits.trim_end_matches('0');
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    let zeros = |out: &mut String, k: i32| (0..k).for_each(|_| out.push('0'));
    if digits.is_empty() {
        out.push('0');
    } else if point <= 0 {
        out.push_str("0.");
        zeros(&mut out, -point);
        out.push_str(digits);
    } else if point as usize >= digits.len() {
        out.push_str(digits);
        zeros(&mut out, point - digits.len() as i32);
    } else {
        let (a, b) = digits.split_at(point as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    }
    out
}

/// Whether `|n|` is exactly `(d + 1/2) × 10^p`.
fn tie(n: f64, d: u64, p: i32) -> bool {
    let bits = n.to_bits();
    let field = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    let (mut m, mut e) = if field == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), field - 1075)
    };
    if m == 0 {
        return false;
    }
    e += m.trailing_zeros() as i32;
    m >>= m.trailing_zeros();
    // `m × 2^e` (m odd, < 2^53) against `(2d + 1) × 10^p / 2` (2d + 1 odd, < 2^58).
    let (Some(odd), Some(f)) = (d.checked_mul(2), 5u64.checked_pow(p.unsigned_abs())) else {
        return false;
    };
    let odd = odd + 1;
    e == p - 1
        && if p >= 1 {
            m % f == 0 && m / f == odd
        } else {
            m.checked_mul(f) == Some(odd)
        }
}

/// A finite number written the way `str::parse::<f64>` reads one (`1`, `-2.5`, `.5`, `1.`,
/// `+1e-3`; no spaces, no `inf` or `nan`): `s.parse().ok().filter(f64::is_finite)`.
pub fn parse(s: &str) -> Option<f64> {
    #[cfg(not(target_arch = "wasm32"))]
    let n: Option<f64> = s.parse().ok();
    // The browser's own conversion (correctly rounded, like Rust's) of a string already
    // known to be in Rust's syntax, which JavaScript's number syntax contains.
    #[cfg(target_arch = "wasm32")]
    let n = decimal(s).then(|| js_sys::Number::parse_float(s));
    n.filter(|n| n.is_finite())
}

/// `[+-]digits[.digits][(e|E)[+-]digits]` with at least one mantissa digit, where either
/// side of the point may be empty: Rust's float syntax minus `inf`, `infinity` and `nan`.
#[cfg_attr(
    not(target_arch = "wasm32"),
    allow(dead_code, reason = "wasm and tests")
)]
fn decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xorshift: the same values on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn formats_like_display() {
        let mut fixed = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            1.5,
            100.0,
            1e15,
            1e16,
            1e21,
            1e22,
            1e-5,
            1e-6,
            1e-7,
            123456.789,
            0.000123,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::EPSILON,
            9007199254740993.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for e in -330..=310 {
            fixed.push(format!("1e{e}").parse().unwrap());
            fixed.push(format!("3.14159e{e}").parse().unwrap());
        }
        for k in 0..=20_000 {
            fixed.push(f64::from(k) / 100.0);
        }
        // Exact ties between two shortest candidates (`x.25`, `x.75` where a step is 0.25).
        for m in (1u64 << 51..(1 << 51) + 5_000).chain((1 << 52) - 5_000..1 << 52) {
            for shift in [1, 2, 3, 4] {
                fixed.push(m as f64 / f64::from(1 << shift));
            }
        }
        for n in fixed {
            assert_eq!(fmt(n), n.to_string(), "{n:e}");
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200_000 {
            let n = f64::from_bits(rng.next());
            assert_eq!(fmt(n), n.to_string(), "{n:e}");
            let short = (rng.next() % 2_000_000) as f64 / [1.0, 10.0, 1e3, 7.0][rng.0 as usize % 4];
            assert_eq!(fmt(short), short.to_string(), "{short:e}");
            // Full mantissas near 1, where ties with integer and short fractions live.
            let m = (rng.next() >> 11) | (1 << 52);
            let near = m as f64 * 2f64.powi((rng.0 % 160) as i32 - 110);
            assert_eq!(fmt(near), near.to_string(), "{near:e}");
        }
    }

    #[test]
    fn parses_like_from_str() {
        for s in [
            "1",
            "-1",
            "+1",
            "1.",
            ".5",
            "-.5",
            "+.5",
            "1.5e3",
            "1E3",
            "1e+3",
            "1e-3",
            "1.e3",
            "01",
            "0",
            "-0",
            "1e400",
            "1e-400",
            "",
            ".",
            "+",
            "-",
            "e3",
            ".e3",
            "1e",
            "1e+",
            "1.5.",
            "1..5",
            "1_0",
            " 1",
            "1 ",
            "0x10",
            "inf",
            "-infinity",
            "NaN",
            "1e3.5",
            "٣",
            "1f",
            "++1",
            "1ee3",
            "99999999999999999999999999e-10",
        ] {
            let std = s.parse::<f64>().ok().filter(|n| n.is_finite());
            assert_eq!(parse(s), std, "{s:?}");
            let word = matches!(s.trim_start_matches(['+', '-']), "inf" | "infinity" | "NaN");
            assert_eq!(decimal(s), s.parse::<f64>().is_ok() && !word, "{s:?}");
        }
        let mut rng = Rng(7);
        let alphabet = b"0123456789.eE+-x ";
        for _ in 0..50_000 {
            let len = rng.next() % 8;
            let s: String = (0..len)
                .map(|_| char::from(alphabet[(rng.next() % alphabet.len() as u64) as usize]))
                .collect();
            assert_eq!(decimal(&s), s.parse::<f64>().is_ok(), "{s:?}");
        }
    }
}
