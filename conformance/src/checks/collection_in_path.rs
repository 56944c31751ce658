//! `collection-in-path`: given the collection URL, the client kept the collection in its
//! request paths. A request fails the check when the server answered `url.no_collection`, or
//! when its path names a collection-level route at the deployment level (the server may
//! answer that with `pat.wrong_collection` instead, for a PAT scoped to one collection).

use ado_mock_server::Reason;
use ado_mock_server::rest::route::{Miss, resolve};

use super::{Check, CheckInput, CheckResult, Stage};
use crate::scenario::UrlForm;

const NAME: &str = "collection-in-path";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "the collection is in the path",
    stage: Stage::Wire,
    fix: "Keep the collection segment of the configured URL (`/tfs/DefaultCollection/...`) in every collection-level route.",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let case = input.case;
    let form = case.scenario.client.url;
    if form != UrlForm::Collection {
        return CheckResult::not_applicable(NAME, format!("the client was given the {} URL", form.name()));
    }
    let dropped = input.observed.journal.iter().find(|e| {
        let path = e.path.split('?').next().unwrap_or_default();
        e.reason == Reason::UrlNoCollection || resolve(&case.profile, &e.method, path).route == Err(Miss::NoCollection)
    });
    match dropped {
        Some(e) => CheckResult::fail(
            NAME,
            format!(
                "dropped collection {} from the URL it was given: {}",
                case.scenario.client.collection,
                CheckInput::cite(e)
            ),
        ),
        None => CheckResult::pass(NAME, "every collection-level request named the collection"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry};
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn a_collection_route_at_the_deployment_level_fails() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(entry(1, "GET", "/tfs/DefaultCollection/_apis/projects", 200, "ok"));
        f.journal.push(entry(2, "GET", "/tfs/_apis/connectionData", 200, "ok"));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.journal.push(entry(3, "GET", "/tfs/_apis/projects?x=1", 401, "pat.wrong_collection"));
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.detail.contains("#3 GET /tfs/_apis/projects"), "{}", r.detail);
        assert!(
            r.detail.starts_with("dropped collection DefaultCollection from the URL it was given: "),
            "{}",
            r.detail
        );
    }

    #[test]
    fn the_servers_no_collection_answer_fails_whatever_the_path() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(entry(1, "GET", "/tfs/DefaultCollection/_apis/projects", 404, "url.no_collection"));
        assert_eq!(f.check(run).verdict, Verdict::Fail);
    }

    #[test]
    fn a_client_handed_another_url_form_is_not_judged() {
        for (form, name) in [(UrlForm::Server, "server"), (UrlForm::WrongCollection, "wrong-collection")] {
            let mut f = Fixture::new(Outcome::Success);
            f.url(form);
            f.journal.push(entry(1, "GET", "/tfs/_apis/projects", 404, "url.no_collection"));
            let r = f.check(run);
            assert_eq!((r.verdict, r.detail), (Verdict::Pass, format!("n/a: the client was given the {name} URL")));
        }
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(entry(1, "GET", "/tfs/DefaultCollection/_apis/projects", 200, "ok"));
        assert_eq!(f.check(run).detail, "every collection-level request named the collection");
    }
}
