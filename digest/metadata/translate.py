"""The translate stage: ask the provider for the drafts that are missing or stale, and keep
each as it settles.

:func:`translate` is given the texts to translate (:class:`Job`: a paper, a field, the
English text), the drafts store, a :class:`~digest.metadata.http.Fetcher` (which paces,
retries 429 with its ``Retry-After``, 5xx, timeouts and malformed answers, and scrubs the
key from every message) and the provider's settings. It goes through the jobs in batches
of ``translation.batch``: the answers of a batch are written (one atomic file per paper)
when the batch ends, when a request fails for good, and when the run is interrupted, so
Ctrl-C or a kill loses at most the answers not yet written and never damages a file; a
rerun skips every job whose draft is current (:meth:`~digest.metadata.drafts.Draft.current`).

``guard(job, text)`` (from the caller, who knows the checks) returns the reasons a draft is
not fit to show; such a draft is kept, so ``digest check`` can show it, counted as
``rejected`` and asked again on the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from digest.core.errors import FetchError
from digest.core.ids import PaperRef
from digest.core.models import Translation
from digest.metadata.drafts import Draft, DraftStore, source_hash
from digest.metadata.http import Fetcher
from digest.metadata.prompt import Prompt
from digest.metadata.sources import chat


@dataclass(frozen=True)
class Job:
    """One English text to translate: ``field`` of the paper ``ref`` into ``lang``."""

    ref: PaperRef
    field: str
    lang: str
    text: str

    def __str__(self) -> str:
        return f"{self.ref} {self.field}"


@dataclass
class Outcome:
    """What became of the jobs of a run."""

    done: list[Job] = field(default_factory=list)
    skipped: list[Job] = field(default_factory=list)
    rejected: list[tuple[Job, str]] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.rejected and not self.interrupted


Guard = Callable[[Job, str], list[str]]


def translate(
    jobs: Sequence[Job],
    store: DraftStore,
    fetcher: Fetcher,
    config: Translation,
    prompts: dict[str, Prompt],
    key: str | None,
    guard: Guard = lambda job, text: [],
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Outcome:
    """Translate what ``jobs`` need; see the module docstring."""
    outcome = Outcome()
    todo: list[Job] = []
    for job in jobs:
        draft = store.get(job.ref).get((job.field, job.lang))
        if draft is not None and draft.current(job.text, config.model, prompts[job.field].version) \
                and not guard(job, draft.text):
            outcome.skipped.append(job)
        else:
            todo.append(job)
    base = fetcher.urls.get("translation") or config.base_url
    answered = 0
    progress(0, len(todo))
    pending: dict[PaperRef, list[Draft]] = {}
    try:
        for start in range(0, len(todo), max(config.batch, 1)):
            try:
                for job in todo[start:start + max(config.batch, 1)]:
                    prompt = prompts[job.field]
                    req = chat.chat_request(base, config.model, key, prompt.text, job.text, label=f"translation {job.field}")
                    try:
                        text = fetcher.call(req, lambda r: chat.parse_answer(r.body, r.content_type))
                    except FetchError as exc:
                        outcome.failed.append((job, fetcher.scrub(str(exc))))
                        continue
                    finally:
                        answered += 1
                        progress(answered, len(todo))
                    pending.setdefault(job.ref, []).append(
                        Draft(job.field, job.lang, config.model, prompt.version, source_hash(job.text), text))
                    reasons = guard(job, text)
                    if reasons:
                        outcome.rejected.append((job, "; ".join(reasons)))
                    else:
                        outcome.done.append(job)
            finally:
                _write(store, pending)
    except KeyboardInterrupt:
        outcome.interrupted = True
    return outcome


def _write(store: DraftStore, pending: dict[PaperRef, list[Draft]]) -> None:
    """Write the settled drafts, one atomic file per paper, and forget them."""
    for ref, drafts in sorted(pending.items()):
        found = store.get(ref)
        for draft in drafts:
            found[(draft.field, draft.lang)] = draft
        store.write(ref, found)
    pending.clear()
