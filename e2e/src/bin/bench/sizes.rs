//! The widget's download sizes against its budget. `scripts/sizes.sh` names the files and
//! the budget and measures them (raw, `gzip -9`, `brotli -q 11`); this reads its `--tsv`
//! output, prints the benchmark's sizes table and describes them in the JSON.

use std::process::{Command, Stdio};

use serde_json::{json, Value};

/// `scripts/sizes.sh`, wherever the benchmark runs from.
const SIZES_SH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/sizes.sh");

#[derive(Debug, Clone, Default)]
pub(crate) struct FileSize {
    pub(crate) file: String,
    raw: u64,
    gzip: u64,
    pub(crate) brotli: u64,
}

pub(crate) struct Sizes {
    pub(crate) files: Vec<FileSize>,
    pub(crate) total: FileSize,
    /// The brotli budget for the files together, in bytes.
    pub(crate) budget: u64,
}

impl Sizes {
    /// Whether the brotli total fits the budget.
    pub(crate) fn within_budget(&self) -> bool {
        self.total.brotli <= self.budget
    }

    pub(crate) fn to_json(&self) -> Value {
        let one = |f: &FileSize| json!({"file": f.file, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli});
        json!({
            "files": self.files.iter().map(one).collect::<Vec<_>>(),
            "total": one(&self.total),
            "budget_brotli": self.budget,
            "within_budget": self.within_budget(),
            "compression": "gzip -9, brotli -q 11 (the CLIs)",
        })
    }
}

/// Each widget file of `$DIST_DIR` raw, `gzip -9` and `brotli -q 11`, and the budget, from
/// `scripts/sizes.sh --tsv`.
pub(crate) fn measure() -> Result<Sizes, String> {
    let out = Command::new("bash")
        .arg(SIZES_SH)
        .arg("--tsv")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("bash {SIZES_SH}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{SIZES_SH} --tsv failed (build the widget: bash scripts/build.sh)"
        ));
    }
    parse_tsv(&String::from_utf8_lossy(&out.stdout))
}

/// `file<TAB>raw<TAB>gzip<TAB>brotli` lines, then `budget<TAB>bytes`.
fn parse_tsv(text: &str) -> Result<Sizes, String> {
    let mut files = Vec::new();
    let mut total = FileSize {
        file: "total".into(),
        ..FileSize::default()
    };
    let mut budget = None;
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let number = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| format!("sizes.sh --tsv: unexpected line {line:?}"))
        };
        if fields[0] == "budget" {
            budget = Some(number(1)?);
            continue;
        }
        let size = FileSize {
            file: fields[0].to_owned(),
            raw: number(1)?,
            gzip: number(2)?,
            brotli: number(3)?,
        };
        total.raw += size.raw;
        total.gzip += size.gzip;
        total.brotli += size.brotli;
        files.push(size);
    }
    let budget = budget.ok_or("sizes.sh --tsv named no budget")?;
    Ok(Sizes {
        files,
        total,
        budget,
    })
}

pub(crate) fn print(sizes: &Sizes) {
    println!("\nWidget download (first-time visitor), bytes");
    println!(
        "{:<30} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    for f in sizes.files.iter().chain([&sizes.total]) {
        println!(
            "{:<30} {:>10} {:>10} {:>10}",
            f.file, f.raw, f.gzip, f.brotli
        );
    }
    println!(
        "{:<30} {:>10} {:>10} {:>10}  ({})",
        "budget (brotli total)",
        "",
        "",
        sizes.budget,
        if sizes.within_budget() { "ok" } else { "OVER" }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_sh_tsv_is_read_with_its_total_and_budget() {
        let sizes = parse_tsv("a.js\t10\t8\t7\nb.wasm\t100\t50\t40\nbudget\t153600\n").unwrap();
        let names: Vec<_> = sizes.files.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(names, ["a.js", "b.wasm"]);
        assert_eq!(
            (sizes.total.raw, sizes.total.gzip, sizes.total.brotli),
            (110, 58, 47)
        );
        assert_eq!(sizes.budget, 153_600);
        assert!(sizes.within_budget());
        assert!(parse_tsv("a.js\t10\t8\n").is_err());
        assert!(parse_tsv("a.js\t10\t8\t7\n").is_err(), "no budget");
    }
}
