"""The action's review of a pull request: on `pull_request` events and `/dabgen review`.

Read top to bottom: fetch the base branch (its `.dabgen.yml` rules the review) and the pull
request's head (`refs/pull/<n>/head`, forks included) → check the head out, detached →
review (:mod:`dabgen_ci.flows.review.flow`) — for a fork, offline only: no deploy plan and no
`databricks bundle validate`, since both would run the repository's credentials against a
stranger's bundle → annotations and the job summary always → the review on the pull
request, replacing dabgen's previous one → the exit code from `fail-on`.
"""

from __future__ import annotations

from datetime import date

from dabgen_ci.core.diagnostics import has_errors
from dabgen_ci.core.review.render import review_annotations, review_body, verdict
from dabgen_ci.core.review.report import Review
from dabgen_ci.flows.bot.deliver import Result
from dabgen_ci.flows.bot.failures import run_cli
from dabgen_ci.flows.bot.review_publish import Published, publish_review
from dabgen_ci.flows.bot.services import BotServices
from dabgen_ci.flows.review.config import config_at
from dabgen_ci.flows.review.flow import ReviewRequest, run_review
from dabgen_ci.github.client import PullInfo
from dabgen_ci.github.context import ActionContext
from dabgen_ci.github.outputs import write_outputs, write_summary
from dabgen_ci.github.repo_config import base_ref

FORK_SKIP = ("pull request from a fork: the deploy plan reads the workspace with this "
             "repository's credentials, so it runs for branches of this repository only")


def review_event(ctx: ActionContext, services: BotServices) -> int:
    """`pull_request` opened/synchronize/reopened/ready_for_review: exit 1 when it fails."""
    assert ctx.number is not None, "a pull_request event has a number"
    pull = services.api.get_pull(ctx.number)
    review, published = review_pull(ctx, services, pull)
    write_outputs(ctx, _result(review, pull).outputs())
    if published.refused:
        services.log(f"could not post the review ({published.refused}); the findings are in "
                     "the annotations and the job summary")
    services.log(f"dabgen review of #{pull.number}: {verdict(review)}")
    return 1 if review.failed else 0


def review_on_comment(ctx: ActionContext, services: BotServices) -> tuple[str, Result]:
    """`/dabgen review`: the review, and the short reply that points at it."""
    assert ctx.number is not None
    pull = services.api.get_pull(ctx.number)
    review, published = review_pull(ctx, services, pull)
    where = (f"[the review]({published.url})" if published.url else
             "the job summary (GitHub did not accept a review from this token)")
    text = f"Reviewed `{review.head[:10]}`: {verdict(review)}. Details in {where}."
    return text, _result(review, pull)


def review_pull(ctx: ActionContext, services: BotServices,
                pull: PullInfo) -> tuple[Review, Published]:
    repo = services.repo
    repo.fetch_branch(pull.base)
    base = base_ref(pull.base)
    config = config_at(repo, base, ctx.inputs.config_path)
    head = repo.fetch_pull_head(pull.number)
    repo.checkout_detached(head)
    fork = pull.head_repo != ctx.repository
    request = ReviewRequest(
        repo, base, config, date.today(), head=head,
        fail_on=ctx.inputs.fail_on or config.review.fail_on,
        run_cli=False if fork else run_cli(ctx, config),
        open_source=services.open_source if services.has_workspace and not fork else None,
        skip_plan=FORK_SKIP if fork else "",
        summarizer=services.summarizer, log=services.log)
    review = run_review(request)
    for line in review_annotations(review):
        services.out(services.redactor(line))
    write_summary(ctx, review_body(review, ctx.run_url), services.redactor)
    published = publish_review(services.api, pull.number, review, ctx.run_url, services.log)
    return review, published


def _result(review: Review, pull: PullInfo) -> Result:
    broken = has_errors(f for f in review.findings if not f.is_lint)
    return Result("success", pr=pull, branch=pull.head,
                  validation="failed" if broken else "passed")
