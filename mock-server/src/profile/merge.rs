//! Overriding a profile key by key (how scenarios adapt a base profile, and how tests and
//! benches adapt theirs).
//!
//! Tables merge recursively and scalars replace. Arrays of tables that have an identifying
//! key merge element by element: `collections` and `collections.projects` by `name`,
//! `identities` by `account`, `identities.pats` by `name` (case-insensitively, as the server
//! matches them); an override element with a new key is appended. Every other array replaces
//! the base array, so `providers = ["NTLM"]` means exactly that.

use toml::Value;

/// The identifying key of the arrays that merge element-wise, by their key path.
fn identity_key(path: &str) -> Option<&'static str> {
    match path {
        "collections" | "collections.projects" | "identities.pats" => Some("name"),
        "identities" => Some("account"),
        _ => None,
    }
}

/// Merges `overrides` into `base`.
pub fn merge_overrides(base: &mut toml::Table, overrides: &toml::Table) {
    merge_tables(base, overrides, "");
}

fn merge_tables(base: &mut toml::Table, overrides: &toml::Table, path: &str) {
    for (key, value) in overrides {
        let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        match base.get_mut(key) {
            Some(existing) => merge_values(existing, value, &child),
            None => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

fn merge_values(base: &mut Value, over: &Value, path: &str) {
    match (base, over) {
        (Value::Table(b), Value::Table(o)) => merge_tables(b, o, path),
        (Value::Array(b), Value::Array(o)) if identity_key(path).is_some() => {
            let key = identity_key(path).unwrap_or("name");
            merge_keyed(b, o, key, path);
        }
        (slot, value) => *slot = value.clone(),
    }
}

fn merge_keyed(base: &mut Vec<Value>, overrides: &[Value], key: &str, path: &str) {
    for item in overrides {
        let id = item.get(key).and_then(Value::as_str);
        let existing = id.and_then(|id| {
            base.iter_mut().find(|b| b.get(key).and_then(Value::as_str).is_some_and(|k| k.eq_ignore_ascii_case(id)))
        });
        match (existing, item) {
            (Some(Value::Table(b)), Value::Table(o)) => {
                // The base's spelling of the identifying key stays.
                let mut o = o.clone();
                o.remove(key);
                merge_tables(b, &o, path);
            }
            _ => base.push(item.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().expect("test TOML parses")
    }

    #[test]
    fn tables_merge_and_scalars_replace() {
        let mut base = table("release = 'ads2022'\n[iis]\nanonymous = true\nbasic = false\n");
        merge_overrides(&mut base, &table("[iis]\nbasic = true\n"));
        assert_eq!(base, table("release = 'ads2022'\n[iis]\nanonymous = true\nbasic = true\n"));
    }

    #[test]
    fn plain_arrays_replace() {
        let mut base = table("[iis]\nproviders = ['Negotiate', 'NTLM']\n");
        merge_overrides(&mut base, &table("[iis]\nproviders = ['NTLM']\n"));
        assert_eq!(base, table("[iis]\nproviders = ['NTLM']\n"));
    }

    #[test]
    fn keyed_arrays_merge_by_identity_and_append_new_ones() {
        let mut base = table(
            r#"
            [[identities]]
            account = 'CONTOSO\joseph'
            password = "a"
            [[identities.pats]]
            name = "full"
            scopes = "app_token"
            "#,
        );
        let overrides = table(
            r#"
            [[identities]]
            account = 'contoso\JOSEPH'
            [[identities.pats]]
            name = "FULL"
            expires = "-1d"
            [[identities.pats]]
            name = "code"
            scopes = "vso.code"
            [[identities]]
            account = 'CONTOSO\ann'
            "#,
        );
        merge_overrides(&mut base, &overrides);
        let expected = table(
            r#"
            [[identities]]
            account = 'CONTOSO\joseph'
            password = "a"
            [[identities.pats]]
            name = "full"
            scopes = "app_token"
            expires = "-1d"
            [[identities.pats]]
            name = "code"
            scopes = "vso.code"
            [[identities]]
            account = 'CONTOSO\ann'
            "#,
        );
        assert_eq!(base, expected);
    }

    #[test]
    fn projects_merge_inside_their_collection() {
        let mut base = table(
            "[[collections]]\nname = 'DefaultCollection'\n[[collections.projects]]\nname = 'Fabrikam'\nrepos = ['A']\n",
        );
        let overrides = table(
            "[[collections]]\nname = 'defaultcollection'\nstate = 'stopped'\n[[collections.projects]]\nname = 'Fabrikam'\nrepos = ['B']\n",
        );
        merge_overrides(&mut base, &overrides);
        let expected = table(
            "[[collections]]\nname = 'DefaultCollection'\nstate = 'stopped'\n[[collections.projects]]\nname = 'Fabrikam'\nrepos = ['B']\n",
        );
        assert_eq!(base, expected);
    }
}
