//! `--key value` options and the command after `--`.

use std::collections::HashMap;
use std::str::FromStr;

/// Parsed options.
pub struct Args {
    options: HashMap<String, Vec<String>>,
    /// Everything after `--`.
    pub command: Vec<String>,
}

impl Args {
    /// Reads `--key value` pairs until `--`.
    pub fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut options: HashMap<String, Vec<String>> = HashMap::new();
        while let Some(arg) = argv.next() {
            if arg == "--" {
                break;
            }
            let key = arg.strip_prefix("--").ok_or_else(|| format!("expected --key, got {arg:?}"))?;
            let value = argv.next().ok_or_else(|| format!("--{key} needs a value"))?;
            options.entry(key.to_owned()).or_default().push(value);
        }
        Ok(Args { options, command: argv.collect() })
    }

    /// The last value of `--key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options.get(key).and_then(|v| v.last()).map(String::as_str)
    }

    /// Every value of `--key`, in order.
    pub fn all(&self, key: &str) -> &[String] {
        self.options.get(key).map_or(&[], Vec::as_slice)
    }

    /// `--key` parsed, or `default`.
    pub fn num<T: FromStr>(&self, key: &str, default: T) -> Result<T, String> {
        self.get(key).map_or(Ok(default), |v| v.parse().map_err(|_| format!("--{key}: not a number: {v:?}")))
    }

    /// `--key`, required.
    pub fn required(&self, key: &str) -> Result<&str, String> {
        self.get(key).ok_or_else(|| format!("--{key} is required"))
    }
}
